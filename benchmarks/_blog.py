"""Shared by the benchmarks: generate a blog of N posts and read a child process's peak RSS."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

POST = """---
title: "Benchmark post {n}"
description: "Post {n} of a large archive."
date: 2024-{month:02d}-{day:02d}
tags: [python, benchmarks]
---

Paragraph of post {n} with a [relative link](../post-{prev}/) and an image ![x](./img-{n}.png).

```python
# comment in code {n}
print({n})
```

{filler}
"""


def write_blog(root: Path, count: int, platforms_toml: str) -> Path:
    (root / "posts").mkdir(parents=True, exist_ok=True)
    (root / "crosspost.toml").write_text(
        # a config pointing at the sandbox names its records (crosspost.destinations)
        'records = ".crosspost/records.json"\n\n'
        '[site]\nurl = "https://blog.example.com"\ncontent = "posts"\n'
        'permalink = "/posts/{slug}/"\n\n' + platforms_toml,
        "utf-8",
    )
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 30
    for n in range(count):
        text = POST.format(n=n, prev=max(0, n - 1), month=1 + n % 12, day=1 + n % 28, filler=filler)
        (root / "posts" / f"post-{n:05d}.md").write_text(text, "utf-8")
    return root


def run_measured(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process (run alone: RUSAGE_CHILDREN is a max
    over all children, so each measurement is taken in its own helper process)."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "w = time.perf_counter() - t\n"
        "if r.returncode: sys.stderr.write(r.stderr.decode()); sys.exit(r.returncode)\n"
        "print(w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1])


def hashing_floor(folder: Path) -> str:
    """The Python program that only finds, reads and hashes the same files: the floor."""
    return (
        "import hashlib, pathlib, sys\n"
        f"for p in sorted(pathlib.Path({str(folder)!r}).rglob('*.md')):\n"
        "    hashlib.sha256(p.read_bytes()).hexdigest()\n"
    )


def elapsed(started: float) -> float:
    return time.perf_counter() - started


__all__ = ["hashing_floor", "resource", "run_measured", "write_blog"]
