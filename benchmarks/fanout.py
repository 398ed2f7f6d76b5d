"""One post to all four platforms, 200 ms per request (docs/architecture.md §13: ≤ 1.2× the slowest
platform's own chain of requests; ≥ 3× faster than one platform after another).

Each figure is an in-process publish of the same post into fresh fakes that delay every answer by
`--latency`: all four at once, then each platform alone (its own chain; the Mastodon summary alone
is told not to wait for an article platform), whose sum is "one after another".

    python benchmarks/fanout.py [--latency 0.2] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from _blog import write_blog

from crosspost.adapter import load_adapters
from crosspost.config import load_config
from crosspost.publisher import Publisher
from crosspost.sandbox import Sandbox

PLATFORMS = ["devto", "hashnode", "medium", "mastodon"]


def publish_once(platforms: list[str], latency: float, folder: Path) -> tuple[float, int]:
    """Seconds to publish one post to `platforms`, and the requests each platform received."""
    with Sandbox(platforms, latency=latency) as sandbox:
        root = write_blog(folder / "-".join(platforms), 1, sandbox.toml())
        config = sandbox.configure(load_config(root / "crosspost.toml"))
        if platforms == ["mastodon"]:
            pc = dataclasses.replace(config.platforms["mastodon"], after="none")
            config = dataclasses.replace(config, platforms={"mastodon": pc})
        publisher = Publisher(config, adapters=load_adapters())
        started = time.perf_counter()
        report = asyncio.run(publisher.run([root / "posts" / "post-00000.md"]))
        elapsed = time.perf_counter() - started
        assert report.exit_code == 0, report.results
        return elapsed, max(len(f.requests) for f in sandbox.fakes.values())


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--latency", type=float, default=0.2)
    options.add_argument("--runs", type=int, default=3)
    args = options.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="crosspost-fanout-"))
    try:
        together: list[float] = []
        alone: dict[str, list[float]] = {p: [] for p in PLATFORMS}
        chains: dict[str, int] = {}
        for run in range(args.runs):
            together.append(publish_once(PLATFORMS, args.latency, folder / f"all{run}")[0])
            for platform in PLATFORMS:
                seconds, requests = publish_once([platform], args.latency, folder / f"{run}")
                alone[platform].append(seconds)
                chains[platform] = requests
        wall = statistics.median(together)
        each = {p: statistics.median(v) for p, v in alone.items()}
        slowest = max(each, key=lambda p: each[p])
        serial = sum(each.values())
        print(f"latency {args.latency * 1000:.0f} ms per request, median of {args.runs} runs")
        for platform in PLATFORMS:
            print(f"  {platform:<9} alone: {each[platform]:.2f} s ({chains[platform]} requests)")
        print(f"all four at once: {wall:.2f} s")
        print(f"vs slowest chain ({slowest}): {wall / each[slowest]:.2f}× (goal ≤ 1.2×)")
        print(f"vs one after another ({serial:.2f} s): {serial / wall:.1f}× faster (goal ≥ 3×)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
