"""Throwaway blogs and posts for tests: Markdown files on disk, a crosspost.toml pointing at a
sandbox, documents built in memory, and in-process runs of the publisher with fast retries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..adapter import load_adapters
from ..api import collect
from ..config import Config, load_config
from ..document import Document
from ..http import RetryPolicy
from ..plan import PostSource
from ..publisher import Publisher, Report
from ..sandbox import Sandbox

__all__ = [
    "FAST_RETRIES",
    "TIME_SCALE",
    "describe",
    "publish_blog",
    "run_publish",
    "sample_document",
    "sandbox_blog",
    "set_platform_options",
    "write_posts",
]

TIME_SCALE = 0.01
"""Tests shrink every rate-limit window and read lag to 1 % (30 s → 0.3 s), in fakes and pacing."""

FAST_RETRIES = RetryPolicy(deadline=20.0, max_attempts=6, initial=0.01, maximum=0.2)
"""The core's retry rules with short waits: the same decisions, made quickly."""

POST = """---
title: "Post number {n}"
description: "What post {n} is about."
date: 2024-03-{day:02d}
tags: [Python, Social Media]
---

Text of post {n}, with a [link](../post-{other}/) and code:

```sh
#not-a-heading {n}
```
"""

HELD_POSTS = {
    "a-draft.md": '---\ntitle: "Not yet"\ndate: 2024-04-01\ndraft: true\n---\n\nUnfinished.\n',
    "too-old.md": '---\ntitle: "From before"\ndate: 2023-06-01\n---\n\nBefore `since`.\n',
}
"""Posts every platform must leave alone: a draft, and one dated before the site's `since`."""


def write_posts(folder: Path, count: int, *, start: int = 0) -> list[Path]:
    """`count` posts (post-000.md...) that link to each other and carry a code block."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        path = folder / f"post-{n:03d}.md"
        path.write_text(POST.format(n=n, day=1 + n % 28, other=(n + 1) % count), "utf-8")
        paths.append(path)
    return paths


def sandbox_blog(
    root: Path, sandbox: Sandbox, *, posts: int = 0, extra: str = "", held: bool = False
) -> Path:
    """A blog at `root` whose crosspost.toml points every platform at `sandbox`'s fakes, with
    `posts` posts; `held` adds a draft and a post older than `since`, which must stay unsent."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "crosspost.toml").write_text(
        # its records where a blog's are, named: a config pointing at the sandbox must (see
        # crosspost.destinations.refuse_sandbox_records)
        'records = ".crosspost/records.json"\n\n'
        '[site]\nurl = "https://blog.example.com"\ncontent = "posts"\n'
        'permalink = "/posts/{slug}/"\nsince = 2024-01-01\n\n' + sandbox.toml() + extra,
        "utf-8",
    )
    if posts:
        write_posts(root / "posts", posts)
    if held:
        for name, text in HELD_POSTS.items():
            (root / "posts" / name).write_text(text, "utf-8")
    return root


def set_platform_options(root: Path, platform: str, options: Mapping[str, Any]) -> None:
    """Set `options` in [platforms.<platform>] of the blog's crosspost.toml (JSON values are
    TOML values for strings, numbers and booleans)."""
    config = root / "crosspost.toml"
    header = f"[platforms.{platform}]\n"
    text = config.read_text("utf-8")
    assert header in text, f"{config} has no {header.strip()} table"
    before, table = text.split(header, 1)
    table, _, after = table.partition("\n[")
    kept = [line for line in table.splitlines() if line.split(" = ")[0] not in options]
    lines = [f"{key} = {json.dumps(value)}" for key, value in options.items()]
    rest = f"\n[{after}" if after else ""
    config.write_text(before + header + "\n".join(lines + kept) + "\n" + rest, "utf-8")


def run_publish(
    config: Config,
    sources: Sequence[PostSource],
    *,
    to: Sequence[str] | None = None,
    policy: RetryPolicy = FAST_RETRIES,
    **options: Any,
) -> Report:
    """One `crosspost publish` run in-process over every installed adapter, fast retries."""
    publisher = Publisher(config, adapters=load_adapters(), to=to, policy=policy, **options)
    return asyncio.run(publisher.run(sources))


def describe(report: Report) -> str:
    """One line per result, for assertion messages."""
    return "\n".join(f"{r.platform} {r.status.value} {r.post}: {r.message}" for r in report.results)


def publish_blog(root: Path) -> Report:
    """`crosspost publish` in the blog at `root`, in-process (tokens from the environment)."""
    config = load_config(root)
    sources, config = collect(config.content_dir, config)
    return run_publish(config, sources)


def sample_document(slug: str = "hello", **fields: Any) -> Document:
    """A post at https://blog.example.com/posts/<slug>/ with a description, two tags and a
    code block whose comment looks like a heading; `fields` override any `Document` field."""
    values: dict[str, Any] = {
        "title": f"Post {slug}",
        "body": f"Body of {slug}.\n\n```python\n# not a heading\nprint('{slug}')\n```\n",
        "canonical_url": f"https://blog.example.com/posts/{slug}/",
        "description": f"About {slug}",
        "tags": ("Python", "Social Media"),
        "slug": slug,
        "source_hash": f"sha256:{slug}",
    }
    values.update(fields)
    return Document(**values)
