"""Throwaway blogs for end-to-end tests: posts on disk, a crosspost.toml pointing at a sandbox."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from crosspost.sandbox import Sandbox

CROSSPOST = Path(sys.executable).with_name("crosspost")

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


def write_posts(folder: Path, count: int, *, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        path = folder / f"post-{n:03d}.md"
        path.write_text(POST.format(n=n, day=1 + n % 28, other=(n + 1) % count), "utf-8")
        paths.append(path)
    return paths


def sandbox_blog(root: Path, sandbox: Sandbox, *, posts: int = 0, extra: str = "") -> Path:
    """A blog at `root` whose crosspost.toml points every platform at `sandbox`'s fakes."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "crosspost.toml").write_text(
        '[site]\nurl = "https://blog.example.com"\ncontent = "posts"\n'
        'permalink = "/posts/{slug}/"\nsince = 2024-01-01\n\n' + sandbox.toml() + extra,
        "utf-8",
    )
    if posts:
        write_posts(root / "posts", posts)
    return root


def copy_example_blog(target: Path, sandbox: Sandbox) -> Path:
    """The repository's examples/blog, with its platform tables pointed at `sandbox`."""
    source = Path(__file__).resolve().parents[1] / "examples" / "blog"
    shutil.copytree(source, target)
    config = target / "crosspost.toml"
    head = config.read_text("utf-8").split("[platforms.", 1)[0]
    config.write_text(head + sandbox.toml(), "utf-8")
    return target


def crosspost_env(sandbox: Sandbox, **extra: str) -> dict[str, str]:
    """The environment of a `crosspost` subprocess using `sandbox`'s tokens, no colours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    env.update(sandbox.env)
    env.update({"NO_COLOR": "1", "COLUMNS": "200", "GITHUB_ACTIONS": "false"}, **extra)
    return env


def run_cli(
    *args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CROSSPOST), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
