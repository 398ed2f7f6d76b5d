"""Publish a post that is not a file: generated in memory, here a release announcement.

`crosspost.load_text` reads front matter and Markdown exactly as a post file is read;
`apublish` is the async form of `publish`, and `progress` is called with each result as soon as
it is known. Runs against `crosspost.Sandbox`; for real, load your blog's config instead:
`config = crosspost.load_config("path/to/blog")`.

    python examples/publish_in_memory.py
"""

import asyncio

import crosspost


def release_post(version: str, changes: list[str]) -> str:
    """The announcement as a Markdown post; its slug (and so its URL) comes from `path`."""
    items = "\n".join(f"- {change}" for change in changes)
    return f"""---
title: "Release {version}"
description: "What changed in {version}."
date: 2024-06-01
tags: [Release, Python]
---

Version {version} is out. What changed:

{items}
"""


def show(result: crosspost.Result) -> None:
    print(f"  {result.platform}: {result.status}")


async def main() -> int:
    with crosspost.Sandbox() as sandbox:
        config = sandbox.config  # site https://blog.example.com, every platform's fake
        post = crosspost.load_text(
            release_post("2.0", ["Faster start-up", "A plugin API"]),
            path="releases/v2-0.md",  # names the post in messages and gives its slug
            config=config,
        )
        print(f"publishing {post.canonical_url}")
        report = await crosspost.apublish(post, config=config, progress=show)
    print(f"{len(report.published)} published, exit code {report.exit_code}")
    return report.exit_code


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
