"""Adoption (issue 16, part 1): `status --refresh --write` over N posts that already exist.

A blog of N posts whose copies are already on the account (N articles on the fake dev.to, or N
toots on the fake Mastodon, seeded without requests), records lost: the refresh must find and
record each one. Before the inventory every post paged through the account's list (N × ⌈N /
page size⌉ reads); now the account is listed once per run. Prints, per platform and N, the
requests the fake received, the list requests against the goal ⌈N / page size⌉ + 10, the wall
time (goal ≤ 30 s at 10,000) and, as the baseline measured in the same run, the same refresh
looking each post up on its own (`find`, the old way) for the sizes up to `--baseline-max`.
Prints figures; asserts nothing.

    python benchmarks/adopt.py [--sizes 250,1000,2000,10000] [--baseline-max 500]
"""

from __future__ import annotations

import argparse
import math
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from _blog import write_blog

import crosspost.lookups
from crosspost.adapters.devto.fake import FakeDevTo
from crosspost.adapters.mastodon.fake import FakeMastodon
from crosspost.api import status
from crosspost.config import load_config
from crosspost.fake import FakePlatform
from crosspost.sandbox import Sandbox

SITE = "https://blog.example.com/posts/post-{n:05d}/"


def _seed_devto(fake: FakePlatform, count: int) -> None:
    assert isinstance(fake, FakeDevTo)
    fake.seed(
        {"title": f"Benchmark post {n}", "canonical_url": SITE.format(n=n), "published": True}
        for n in range(count)
    )


def _seed_mastodon(fake: FakePlatform, count: int) -> None:
    """Toots in the default template's shape (what crosspost, or a person, posted)."""
    assert isinstance(fake, FakeMastodon)
    fake.seed(
        f"Benchmark post {n}\n\nPost {n} of a large archive.\n\n{SITE.format(n=n)}\n\n"
        "#python #benchmarks"
        for n in range(count)
    )


@dataclass(frozen=True)
class Platform:
    name: str
    page: int  # the real API's largest page (see the adapters' calibration comments)
    seed: Callable[[FakePlatform, int], None]

    def is_list(self, path: str) -> bool:
        return path.endswith(("/articles/me/all", "/statuses"))


PLATFORMS = (Platform("devto", 1000, _seed_devto), Platform("mastodon", 40, _seed_mastodon))


def measure(platform: Platform, count: int, folder: Path, *, one_by_one: bool) -> str:
    """One refresh; `one_by_one` looks each post up on its own (the baseline)."""
    handful = crosspost.lookups.HANDFUL
    if one_by_one:
        crosspost.lookups.HANDFUL = count  # never more than a handful: `find` for each post
    try:
        with Sandbox([platform.name], time_scale=0.01) as sandbox:
            root = write_blog(folder / f"{platform.name}-{count}", count, sandbox.toml())
            config = sandbox.configure(load_config(root / "crosspost.toml"))
            fake = sandbox.fakes[platform.name]
            platform.seed(fake, count)
            started = time.perf_counter()
            report = status([], config=config, refresh=True, write=True)
            elapsed = time.perf_counter() - started
            requests = list(fake.requests)
    finally:
        crosspost.lookups.HANDFUL = handful
    lists = sum(platform.is_list(r.path) for r in requests)
    goal = math.ceil(count / platform.page) + 10
    adopted = sum(f.verdict == "adopt" for f in report.findings)
    how = "find each" if one_by_one else "inventory"
    return (
        f"{platform.name:9} {count:6} {how:10} adopted {adopted:6}  requests {len(requests):6}  "
        f"lists {lists:5} (goal ≤ {goal})  {elapsed:7.2f} s"
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--sizes", default="250,1000,2000,10000")
    options.add_argument("--baseline-max", type=int, default=500)
    args = options.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="crosspost-adopt-"))
    try:
        for platform in PLATFORMS:
            for count in sizes:
                if count <= args.baseline_max:
                    print(measure(platform, count, folder, one_by_one=True), flush=True)
                print(measure(platform, count, folder, one_by_one=False), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
