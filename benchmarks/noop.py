"""No-op publish over 10,000 already-published posts × 3 platforms (issue 16: in a git
checkout ≤ 1.0× the hashing floor and ≤ 0.5 s; outside git ≤ 3× the floor; ≤ 100 MB RSS;
records ≤ 5 MB). This is what the GitHub Action does on every push.

The records are filled first (offline, from the plan's rendered payloads), then
`crosspost publish BLOG` runs with nothing to do: outside git (every file read and hashed), then
with the blog committed to a git repository: in full, stamping (the index vouches for the files,
none is read by the plan; then the run reads each to leave the stamp of `crosspost.uptodate`, as
the first no-op after a change does; each run's stamp removed before the next), in full with no
stamp (an option: the GitHub Action's case, a fresh clone), and stamped (the measured runs find
their inputs unchanged and print the stamp's output).
The floor is a Python process that only finds, reads and hashes the same files, measured in the
same run. Prints figures; asserts nothing.

    python benchmarks/noop.py [--posts 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _blog import hashing_floor, run_measured, write_blog

from crosspost.adapter import load_adapters
from crosspost.api import collect, plan
from crosspost.config import load_config
from crosspost.plan import Kind, relative_source
from crosspost.records import Entry, Records
from crosspost.uptodate import MARGIN_NS

PLATFORMS = """
[platforms.devto]
api_url = "http://127.0.0.1:9/api"

[platforms.hashnode]
api_url = "http://127.0.0.1:9/"
publication = "bench.hashnode.dev"

[platforms.medium]
api_url = "http://127.0.0.1:9/v1"
"""


def mark_all_published(root: Path) -> int:
    """Record every post as published, with what a real run records: each platform's own id
    and URL shapes (`Copies`) and an `at` per entry, a few hundred ms after the one before."""
    config = load_config(root / "crosspost.toml")
    sources, config = collect(config.content_dir, config)
    planned = plan(sources, config=config, adapters=load_adapters())
    copies = Copies()
    with Records.open(config.records) as records, records.bulk():
        for action in planned.of_kind(Kind.CREATE):
            assert action.doc is not None
            assert action.payload is not None
            copy_id, url = copies.made(action.platform, action.doc.title)
            entry = Entry(
                "published",
                at=copies.tick(),
                id=copy_id,
                url=url,
                hash=action.payload.hash,
                config=config.fingerprint(action.platform),
                blob=action.doc.source_blob or None,
            )
            source = relative_source(action.doc.source, config.root)
            records.put(action.doc.canonical_url, action.platform, entry, source=source)
    return len(planned.actions)


class Copies:
    """Ids, URLs and times as the platforms and a real run give them (deterministic).

    The shapes, from /work/shared/specs (NOTES.md and the files it cites):
    - dev.to: an integer id (`"id": 251`, forem/api_v1.json ArticleIndex) and the URL
      `https://dev.to/<user>/<title slug>-<4 chars>` (forem/api_v0.yml's examples, e.g.
      `https://dev.to/bytesized/byte-sized-episode-2-the-creation-of-graph-theory-34g1`);
    - Hashnode: a 24-hex ObjectId (`id: 6a603fb103e2cb323e7851f6`, hashnode/gql-skill/SKILL.md)
      and the post's `url` on the blog, `https://<blog>.hashnode.dev/<slug>` (SKILL.md: "it
      already resolves the custom domain vs `<username>.hashnode.dev`");
    - Medium: a 12-hex id (as medium/README.md's `"id": "b969ac62a46b"`) and the URL
      `https://medium.com/@<user>/<title slug>-<id>` (medium/README.md §3.3, whose example's
      URL ends in its id: `https://medium.com/@majelbstoat/liverpool-fc-e6f36a`).
    Each entry's `at` is a few hundred ms after the previous one, as a run writes them.
    """

    def __init__(self) -> None:
        self._random = random.Random(16)
        self._devto = 1_834_219
        self._clock = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)

    def made(self, platform: str, title: str) -> tuple[str, str]:
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        if platform == "devto":
            self._devto += self._random.randint(1, 40)
            suffix = "".join(self._random.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=4))
            return str(self._devto), f"https://dev.to/benchauthor/{slug}-{suffix}"
        if platform == "hashnode":
            seconds = int(self._clock.timestamp())
            object_id = f"{seconds:08x}{self._random.getrandbits(64):016x}"
            return object_id, f"https://bench.hashnode.dev/{slug}"
        medium_id = f"{self._random.getrandbits(48):012x}"
        return medium_id, f"https://medium.com/@benchauthor/{slug}-{medium_id}"

    def tick(self) -> str:
        self._clock += timedelta(milliseconds=self._random.randint(150, 900))
        return self._clock.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def commit_blog(root: Path) -> None:
    """The blog as a fresh clone has it: committed, its index up to date."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com"}
    env.update(GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.com")
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "blog"], ["status", "-s"]):
        subprocess.run(["git", *command], cwd=root, env=env, check=True, capture_output=True)


def unstamped(root: Path, command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """A no-op run in full: the stamp of the run before removed first (the run stamps again)."""
    shutil.rmtree(root / ".git" / "crosspost", ignore_errors=True)
    return run_measured(command, env)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--posts", type=int, default=10_000)
    options.add_argument("--runs", type=int, default=3)
    args = options.parse_args()
    script = str(Path(sys.executable).with_name("crosspost"))
    folder = Path(tempfile.mkdtemp(prefix="crosspost-noop-"))
    try:
        root = write_blog(folder / "blog", args.posts, PLATFORMS)
        entries = mark_all_published(root)
        tokens = {f"CROSSPOST_{p}_TOKEN": "unused" for p in ("DEVTO", "HASHNODE", "MEDIUM")}
        # As installed: with bytecode (a run that compiles every module measures the compiler).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(tokens)
        floor_script = hashing_floor(root / "posts")
        run_measured([sys.executable, "-c", floor_script])  # warm the file cache
        command = [script, "publish", str(root)]
        run_measured(command, env)  # write the bytecode; records of the blob ids
        outside = [run_measured(command, env) for _ in range(args.runs)]
        commit_blog(root)
        time.sleep(MARGIN_NS / 1e9)  # every file old enough for a run to stamp it
        run_measured(command, env)  # warm git's own files
        inside = [unstamped(root, command, env) for _ in range(args.runs)]
        # Any option takes the full run and leaves no stamp: the Action's case (a fresh clone).
        full = [unstamped(root, [*command, "--no-github"], env) for _ in range(args.runs)]
        run_measured(command, env)  # the no-op run that stamps
        stamped = [run_measured(command, env) for _ in range(args.runs)]
        floors = [run_measured([sys.executable, "-c", floor_script]) for _ in range(args.runs)]
        floor = statistics.median(w for w, _ in floors)
        size = (root / ".crosspost" / "records.json").stat().st_size / 1e6
        print(f"posts: {args.posts}, platforms: 3, records: {entries} entries ({size:.1f} MB, ≤ 5)")
        print(f"hashing floor:     {floor:.3f} s (find + read + sha256 in a fresh Python)")
        lines = (
            ("in git, stamped", stamped, 1.0),
            ("in git, stamping", inside, 1.0),
            ("in git, no stamp", full, 1.0),
        )
        for name, runs, goal in (*lines, ("outside git", outside, 3.0)):
            wall = statistics.median(w for w, _ in runs)
            rss = max(r for _, r in runs)
            print(
                f"no-op {name + ':':<18} {wall:.3f} s wall, {wall / floor:.2f}× the floor "
                f"(goal ≤ {goal}×), peak RSS {rss:.0f} MB (≤ 100)"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
