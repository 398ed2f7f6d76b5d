"""Backfill: 200 new posts to a rate-limited platform (DESIGN §13: ≥ 90 % of the limit,
0 duplicates, 0 failures): pacing must beat bouncing off 429s.

Runs against the fake dev.to with its real limit (10 creates per 30 s) scaled down in time by
`--scale` (fake and client alike), in-process, and prints the achieved rate as a fraction of the
limit, the 429s the fake sent and the duplicates it holds. Prints figures; asserts nothing.

    python benchmarks/backfill.py [--posts 200] [--scale 0.02]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from _blog import write_blog

from crosspost.adapter import load_adapters
from crosspost.adapters.devto.fake import FakeDevTo
from crosspost.config import load_config
from crosspost.publisher import Publisher, Status
from crosspost.sandbox import Sandbox


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--posts", type=int, default=200)
    options.add_argument("--scale", type=float, default=0.02)
    args = options.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="crosspost-backfill-"))
    try:
        with Sandbox(["devto"], time_scale=args.scale) as sandbox:
            root = write_blog(folder / "blog", args.posts, sandbox.toml())
            config = sandbox.configure(load_config(root / "crosspost.toml"))
            fake = sandbox.fakes["devto"]
            assert isinstance(fake, FakeDevTo)
            publisher = Publisher(config, adapters=load_adapters())
            files = sorted((root / "posts").glob("*.md"))
            started = time.perf_counter()
            report = asyncio.run(publisher.run(files))
            elapsed = time.perf_counter() - started
            first = min(r.at for r in fake.requests if r.method == "POST")
            last = max(r.at for r in fake.requests if r.method == "POST")
            created = len(report.with_status(Status.CREATED))
            duplicates = sum(
                max(0, len(fake.copies(r.canonical_url or "")) - 1) for r in report.results
            )
        window = 30.0 * args.scale
        limit_rate = 10 / window
        # The first window's 10 creates are free; the steady state is what pacing controls.
        steady = (created - 10) / (last - first) if last > first else float("nan")
        print(f"posts: {args.posts}, limit: 10 creates / {window:.2f} s (30 s × {args.scale})")
        print(f"created {created}, failed {len(report.failed)}, duplicates {duplicates}")
        print(f"429s received: {fake.rate_limited}")
        print(f"wall: {elapsed:.2f} s; creates from {0:.2f} to {last - first:.2f} s")
        print(f"achieved rate: {steady / limit_rate:.1%} of the limit (goal ≥ 90 %)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
