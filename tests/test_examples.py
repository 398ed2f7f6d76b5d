"""The examples/ scripts and the library pages' Python blocks run, so that they never rot.

Each script runs as a user would run it: this venv's python, in an empty folder, no tokens in
the environment. The blocks of docs/library.md and docs/adapters.md either run (marked
`<!-- run -->`, in page order, in one namespace) or, marked `<!-- from: PATH -->`, appear
verbatim in that file, which another test runs (checked by tests/test_docs_samples.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.docs_samples import Sample, page_samples

EXAMPLES = REPO / "examples"
LIBRARY = REPO / "docs" / "library.md"
ADAPTERS = REPO / "docs" / "adapters.md"


def run_example(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CROSSPOST_", "PYTHON"))}
    env.update(PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_publish_post(tmp_path: Path) -> None:
    done = run_example(str(EXAMPLES / "publish_post.py"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line.split() for line in done.stdout.splitlines() if not line.startswith("warning")]
    assert sorted((words[0], words[1]) for words in lines) == [
        ("devto", "created"),
        ("hashnode", "created"),
        ("mastodon", "created"),
        ("medium", "created"),
    ]
    assert done.stderr == ""


def test_publish_in_memory(tmp_path: Path) -> None:
    done = run_example(str(EXAMPLES / "publish_in_memory.py"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "publishing https://blog.example.com/posts/v2-0/" in done.stdout
    assert done.stdout.count(": created") == 4  # the progress callback, once per platform
    assert done.stdout.rstrip().endswith("4 published, exit code 0")


def test_plan_only(tmp_path: Path) -> None:
    blog = EXAMPLES / "blog"
    before = {(p, p.stat().st_mtime_ns) for p in blog.rglob("*")}
    done = run_example(str(EXAMPLES / "plan_only.py"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^create devto\s+shell-comments-are-not-headings\.md", done.stdout, re.M)
    assert re.search(r"^hold\s+devto\s+half-finished-ideas\.md\s+\(draft", done.stdout, re.M)
    assert 'dev.to would receive: {"article": {"title": ' in done.stdout
    assert {(p, p.stat().st_mtime_ns) for p in blog.rglob("*")} == before  # writes nothing


def test_test_with_sandbox(tmp_path: Path) -> None:
    done = run_example(
        "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLES / "test_with_sandbox.py"),
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b3 passed\b", done.stdout), done.stdout


# --------------------------------------------------------------------------- docs


def library_pages() -> list[Sample]:
    """The fenced blocks of the library pages: the `run` ones run here, in page order, and the
    `from:` ones are compared with their files by tests/test_docs_samples.py."""
    return [*page_samples(LIBRARY), *page_samples(ADAPTERS)]


def test_library_pages_have_runnable_code_and_excerpts() -> None:
    kinds = {(block.kind, block.lang) for block in library_pages()}
    assert {("run", "python"), ("from", "python"), ("from", "toml")} <= kinds


def test_library_python_blocks_run(tmp_path: Path) -> None:
    """In a separate interpreter: the blocks configure logging, as a user's program would."""
    code = [block.code for block in library_pages() if block.kind == "run"]
    script = tmp_path / "library_blocks.py"
    script.write_text("\n".join(code), "utf-8")
    done = run_example(str(script), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^devto created https://dev\.to/", done.stdout, re.M)
    assert "content/posts/no-such-post.md: no such file" in done.stdout
    assert re.search(r"^mastodon: created$", done.stdout, re.M)
