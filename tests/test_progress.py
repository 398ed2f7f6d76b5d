"""Issue 17, long runs, end to end: the real script against fakes on 127.0.0.1.

Piped or in CI, one line per finished result and per wait, as they happen; Ctrl-C prints the
table of what was done, piped too; on a terminal (a pty here), a live display gives way to the
table, so each result is printed once, failed and attention rows are coloured and an 80-column
table cuts no path or URL; shell completion works as docs/getting-started.md says.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import crosspost
from crosspost.adapters.devto.fake import FakeDevTo
from crosspost.config import load_config
from crosspost.progress import Started, Waiting
from crosspost.sandbox import Sandbox

from .blogs import CROSSPOST, crosspost_env, run_cli, sandbox_blog
from .conftest import fake_of
from .records_view import records_view

SLOW_LIMIT = "1/4s"
"""One create per 4 s on dev.to: a run of a few posts waits before each create after its first.
(With 1.5 s, a first create that took that long on a loaded CI machine left no wait to show.)"""
SLOW_WHY = f"rate limit create {SLOW_LIMIT}"


def _blog(tmp_path: Path, sandbox: Sandbox, posts: int, create_limit: str = "") -> Path:
    """A blog over `sandbox`, with dev.to's create limit set to `create_limit` if given."""
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=posts)
    if create_limit:
        config = root / "crosspost.toml"
        text = re.sub(r'"create" = "[^"]*"', f'"create" = "{create_limit}"', config.read_text())
        config.write_text(text)
    return root


def _piped_publish(root: Path, sandbox: Sandbox) -> subprocess.Popen[str]:
    """`crosspost publish` in `root`, its stdout and stderr pipes to read while it runs."""
    return subprocess.Popen(
        [str(CROSSPOST), "publish"],
        cwd=root,
        env=crosspost_env(sandbox),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_piped_each_result_and_each_wait_is_a_line_as_it_happens(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(["devto"])
    root = _blog(tmp_path, sandbox, posts=3, create_limit=SLOW_LIMIT)
    process = _piped_publish(root, sandbox)
    assert process.stderr is not None
    first = process.stderr.readline()
    assert process.poll() is None, "the first result is shown while the run goes on"
    assert first.startswith("+ devto     created     posts/post-000.md  https://")
    out, rest = process.communicate(timeout=60)
    lines = [first, *rest.splitlines()]
    waits = [line for line in lines if line.startswith("… devto     waiting ")]
    waits = [line for line in waits if line.endswith(f": {SLOW_WHY}")]
    assert len(waits) == 2, lines
    assert "(posts/post-001.md)" in waits[0] or "(posts/post-000.md)" in waits[0]
    assert sum(line.startswith("+ devto ") for line in lines) == 3
    assert process.returncode == 0
    assert out.splitlines()[-1] == "3 created"


def test_ctrl_c_while_piped_prints_the_table_of_what_was_done(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(["devto"])
    root = _blog(tmp_path, sandbox, posts=4, create_limit="1/30s")
    process = _piped_publish(root, sandbox)
    assert process.stderr is not None
    while not process.stderr.readline().startswith("… devto     waiting"):
        pass
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["post", "platform", "status", "url", "/", "reason"]
    assert [row[:3] for row in rows[1:]] == [["posts/post-000.md", "devto", "created"]]
    assert "interrupted: what was published is in the records" in err
    records = records_view((root / ".crosspost" / "records.json").read_text())["posts"]
    states = {url: post["platforms"]["devto"]["state"] for url, post in records.items()}
    assert states.pop("https://blog.example.com/posts/post-000/") == "published"
    assert set(states.values()) <= {"pending"}, "the waiting create is marked, never lost"


def _in_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run `crosspost args` with a pseudo-terminal as stdout and stderr; everything it wrote."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [str(CROSSPOST), *args], cwd=cwd, env=env, stdout=follower, stderr=follower
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_on_a_terminal_each_result_is_printed_once_in_colour_and_never_cut(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(["devto", "mastodon"])
    root = _blog(tmp_path, sandbox, posts=2)
    sandbox.fakes["mastodon"].inject(
        "status", method="POST", path="/statuses", status=422, times=None
    )
    env = crosspost_env(sandbox, COLUMNS="80", TERM="xterm-256color")
    del env["NO_COLOR"]
    shown = _in_a_terminal(["publish"], root, env)
    urls = [a["url"] for a in fake_of(sandbox, "devto", FakeDevTo).articles]
    assert len(urls) == 2
    plain = _without_ansi(shown)
    for url in urls:
        assert plain.replace("\r\n", "\n").replace("\n", "").count(url) == 1, plain
    assert "…" not in plain.split("post ")[-1], "no cell is cut short"
    rows = [line for line in shown.splitlines() if _without_ansi(line).startswith("posts/")]
    failed = [line for line in rows if " failed " in _without_ansi(line)]
    assert len(failed) == 2 and all("\x1b[31m" in line for line in failed), failed
    assert not any("\x1b[31m" in line for line in rows if " created " in _without_ansi(line))
    assert all(len(_without_ansi(line).rstrip("\r")) <= 80 for line in plain.splitlines())


def _without_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07", "", text)


def test_the_library_reports_starts_and_waits(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = sandbox_factory(["devto"])
    root = _blog(tmp_path, sandbox, posts=2, create_limit=SLOW_LIMIT)
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    events: list[Started | Waiting] = []
    report = crosspost.publish(
        root / "posts", config=load_config(root / "crosspost.toml"), watch=events.append
    )
    assert report.exit_code == 0, report
    started = [e for e in events if isinstance(e, Started)]
    assert [(Path(e.post).name, e.platform, e.total) for e in started] == [
        ("post-000.md", "devto", 2),
        ("post-001.md", "devto", 2),
    ]
    waits = [e for e in events if isinstance(e, Waiting) and e.seconds > 0.05]
    (wait,) = [e for e in waits if e.why == SLOW_WHY]
    assert wait.platform == "devto"
    assert 0.5 < wait.seconds <= 4.1


def test_a_retry_after_wait_is_reported(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(["devto"])
    root = _blog(tmp_path, sandbox, posts=1)
    sandbox.fakes["devto"].inject("status", method="POST", status=429, retry_after=1.5)
    run = run_cli("publish", env=crosspost_env(sandbox), cwd=root)
    assert run.returncode == 0, run.stderr
    (wait,) = [line for line in run.stderr.splitlines() if line.startswith("… devto     waiting")]
    assert "retrying after: " in wait and "(posts/post-000.md)" in wait


@pytest.mark.parametrize(
    ("shell", "marker"), [("bash", "complete -o nosort -F"), ("zsh", "#compdef crosspost")]
)
def test_shell_completion_as_documented(tmp_path: Path, shell: str, marker: str) -> None:
    env = {**os.environ, "_CROSSPOST_COMPLETE": f"{shell}_source"}
    script = subprocess.run([str(CROSSPOST)], env=env, capture_output=True, text=True, check=False)
    assert script.returncode == 0 and marker in script.stdout
    words = {**os.environ, "_CROSSPOST_COMPLETE": "bash_complete", "COMP_WORDS": "crosspost do"}
    words["COMP_CWORD"] = "1"
    found = subprocess.run([str(CROSSPOST)], env=words, capture_output=True, text=True, check=False)
    assert "plain,doctor" in found.stdout.splitlines()
