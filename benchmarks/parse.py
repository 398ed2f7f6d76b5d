"""Posts per second for reading post files into Documents, and the memory it takes.

Writes a blog of 10,000 generated posts (mixed YAML/TOML/JSON front matter, code blocks, links,
images, admonitions, a few kilobytes each) into a temporary folder, then times `find_posts` +
`load_post` over all of it. Prints figures; asserts nothing.

    python benchmarks/parse.py [--posts 10000] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from crosspost.config import load_config
from crosspost.discover import find_posts
from crosspost.errors import SourceError
from crosspost.sources import load_post

_TEXT = """
the of and to in is that for it as with was be by this are from at or an have not they which
one you were all we when there can been has more if will their so about markdown static site post
blog python rust deploy build cache config feed image link
"""
WORDS = _TEXT.split()


def paragraph(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(30, 90))]
    if rng.random() < 0.5:
        words.insert(rng.randint(0, len(words)), "[a link](../other-post/)")
    if rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), "`inline code`")
    return " ".join(words).capitalize() + "."


def body(rng: random.Random) -> str:
    blocks = []
    for index in range(rng.randint(4, 14)):
        roll = rng.random()
        if roll < 0.15:
            blocks.append(f"## Section {index}")
        elif roll < 0.3:
            blocks.append("```python\n# a comment\nprint('[x](./y)')\n```")
        elif roll < 0.38:
            blocks.append(f"![figure {index}](./figure-{index}.png)")
        elif roll < 0.42:
            blocks.append(":::note[Remember]\nKeep the records file in git.\n:::")
        elif roll < 0.44:
            blocks.append("#hashtag line that other renderers read as a heading")
        else:
            blocks.append(paragraph(rng))
    return "\n\n".join(blocks) + "\n"


def post(rng: random.Random, number: int) -> str:
    title = f"Post number {number}: {' '.join(rng.choice(WORDS) for _ in range(5))}"
    day = f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    tags = rng.sample(WORDS, 3)
    kind = rng.random()
    if kind < 0.8:
        front = (
            f'---\ntitle: "{title}"\npublished: {day}\ndescription: A post.\n'
            f"tags: [{', '.join(tags)}]\ncategory: Notes\ndraft: false\n---\n"
        )
    elif kind < 0.95:
        front = f'+++\ntitle = "{title}"\ndate = {day}\ntags = {tags!r}\n+++\n'.replace("'", '"')
    else:
        quoted = ", ".join(f'"{t}"' for t in tags)
        front = f'{{\n  "title": "{title}",\n  "date": "{day}",\n  "tags": [{quoted}]\n}}\n'
    return front + "\n" + body(rng)


def write_blog(root: Path, count: int) -> None:
    rng = random.Random(20240111)
    (root / "crosspost.toml").write_text(
        '[site]\nurl = "https://bench.example"\nprofile = "fuwari"\n'
    )
    content = root / "src" / "content" / "posts"
    for number in range(count):
        folder = content / f"{number // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"post-{number:05d}.md").write_text(post(rng, number), encoding="utf-8")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--posts", type=int, default=10_000)
    options.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    args = options.parse_args()
    with tempfile.TemporaryDirectory(prefix="crosspost-bench-") as folder:
        root = Path(folder)
        started = time.perf_counter()
        write_blog(root, args.posts)
        size = sum(p.stat().st_size for p in root.rglob("*.md"))
        took = time.perf_counter() - started
        print(f"wrote {args.posts} posts ({size / 1e6:.1f} MB) in {took:.1f} s")
        config = load_config(root / "crosspost.toml")
        load_post(next(root.rglob("*.md")), config)  # imports and caches outside the timing
        if args.tracemalloc:
            tracemalloc.start()
        started = time.perf_counter()
        paths = find_posts([root], config)
        notices = errors = 0
        for path in paths:
            try:
                notices += len(load_post(path, config).notices)
            except SourceError:
                errors += 1
        elapsed = time.perf_counter() - started
        print(f"loaded {len(paths)} posts in {elapsed:.2f} s: {len(paths) / elapsed:,.0f} posts/s")
        print(f"  {elapsed / len(paths) * 1000:.2f} ms per post, {size / 1e6 / elapsed:.1f} MB/s")
        print(f"  {notices} notices, {errors} errors")
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
        print(f"peak RSS: {peak_rss * scale / 1e6:.0f} MB")
        if args.tracemalloc:
            _, peak = tracemalloc.get_traced_memory()
            print(f"peak traced Python allocations: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
