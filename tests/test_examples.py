"""The examples/ scripts and the README's Python sections run, so that they never rot.

Each script runs as a user would run it: this venv's python, in an empty folder, no tokens in
the environment. README code blocks under "Use it from Python" and "Write an adapter" either
run (plain ```python blocks, in order, in one namespace) or, when marked
`<!-- from: PATH -->`, must appear verbatim in that file, which another test runs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

EXAMPLES = REPO / "examples"
SECTIONS = ("Use it from Python", "Write an adapter")
FENCE = re.compile(
    r"(?:<!-- from: (?P<source>\S+) -->\n)?```(?P<lang>\w*)\n(?P<code>.*?)^```$", re.S | re.M
)


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
        ("bluesky", "created"),
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
    assert done.stdout.count(": created") == 5  # the progress callback, once per platform
    assert done.stdout.rstrip().endswith("5 published, exit code 0")


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


# --------------------------------------------------------------------------- README


def readme_blocks() -> list[tuple[str | None, str, str]]:
    """(source, language, code) of every fenced block in the library sections of README.md."""
    text = (REPO / "README.md").read_text("utf-8")
    blocks = []
    for title in SECTIONS:
        section = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
        blocks += [(m["source"], m["lang"], m["code"]) for m in FENCE.finditer(section)]
    return blocks


def test_readme_sections_have_runnable_code_and_excerpts() -> None:
    kinds = {(source is not None, lang) for source, lang, _ in readme_blocks()}
    assert {(False, "python"), (True, "python"), (True, "toml")} <= kinds


@pytest.mark.parametrize(
    ("source", "code"),
    [(source, code) for source, _, code in readme_blocks() if source is not None],
    ids=lambda value: str(value).splitlines()[0][:40],
)
def test_readme_excerpts_are_verbatim(source: str, code: str) -> None:
    assert code in (REPO / source).read_text("utf-8"), f"README block differs from {source}"


def test_readme_python_blocks_run(tmp_path: Path) -> None:
    """In a separate interpreter: the blocks configure logging, as a user's program would."""
    code = [code for source, lang, code in readme_blocks() if lang == "python" and not source]
    script = tmp_path / "readme_blocks.py"
    script.write_text("\n".join(code), "utf-8")
    done = run_example(str(script), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^devto created https://dev\.to/", done.stdout, re.M)
    assert "content/posts/no-such-post.md: no such file" in done.stdout
    assert re.search(r"^mastodon: created$", done.stdout, re.M)
