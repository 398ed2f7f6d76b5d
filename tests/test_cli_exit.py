"""The console script (`crosspost.cli.run`) ends the process without the interpreter's teardown
(docs/architecture.md §13): whatever the command, it must print, exit and leave behind exactly
what `main` under a normal exit does, the oracle here (what the script ran before)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = (
    "import sys\nsys.argv[0] = 'crosspost'\n{before}\nfrom crosspost.cli import {entry}\n{call}"
)
RUN = {"entry": "run", "call": "run()"}
MAIN = {"entry": "main", "call": "sys.exit(main())"}  # the console script's body until now


# stdout as most users have it: a pipe's buffer, written out by a flush (PYTHONUNBUFFERED, set
# on some machines, would hide a missing one).
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}


def script(entry: dict[str, str], before: str = "") -> str:
    return SCRIPT.format(before=before, **entry)


def outcome(code: str, *args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    (tmp_path / "crosspost.toml").write_text('[site]\nurl = "https://b.example"\n')
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "good.md").write_text("---\ntitle: Good\ndate: 2024-02-01\n---\n\nHello.\n")
    (posts / "bad.md").write_text("---\ntitle: [unclosed\n---\n\nBody.\n")
    # A megabyte of output: more than any buffer between the process and its reader.
    paragraphs = "".join(
        f"Paragraph {n} of a long post, with [a link](./x-{n}/).\n\n" for n in range(20_000)
    )
    (posts / "long.md").write_text(f"---\ntitle: Long\ndate: 2024-02-02\n---\n\n{paragraphs}")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["publsh"],
        ["check", "content/posts/good.md"],
        ["check", "content/posts/bad.md"],
        ["preview", "content/posts/long.md"],
        ["preview", "--format", "json", "content/posts/long.md"],
    ],
    ids=lambda args: " ".join(args),
)
def test_the_script_prints_and_exits_as_a_normal_exit_does(blog: Path, args: list[str]) -> None:
    expected = outcome(script(MAIN), *args, cwd=blog)
    assert outcome(script(RUN), *args, cwd=blog) == expected
    assert len(expected[1]) > 1_000_000 or "long" not in args[-1]


def test_atexit_handlers_run_after_the_command() -> None:
    """Logging's flush and temporary folders' cleanup are `atexit` handlers: they run, after
    the command's output."""
    before = (
        "import atexit\n"
        "atexit.register(print, 'atexit ran', end='')\n"
        "atexit.register(print, 'atexit ran', end='', file=sys.stderr)"
    )
    code, out, err = outcome(script(RUN, before), "--version")
    assert (code, out, err) == outcome(script(MAIN, before), "--version")
    assert out.endswith("atexit ran") and err == "atexit ran"


def test_an_exit_with_a_message_is_the_normal_one() -> None:
    """`sys.exit("message")` prints the message and exits 1: the interpreter's own exit."""
    before = "import crosspost.cli as cli\ncli._Entry.__call__ = lambda *a, **k: sys.exit('bye')"
    assert outcome(script(RUN, before), "--version") == (1, "", "bye\n")


def test_a_thread_still_running_is_waited_for(tmp_path: Path) -> None:
    """A run that leaves a thread working (a plugin's, say) exits the normal way, which waits
    for it: its work is not cut short."""
    flag = tmp_path / "done"
    before = (
        "import threading, time\n"
        "def work():\n"
        "    time.sleep(0.5)\n"
        f"    open({str(flag)!r}, 'w').close()\n"
        "threading.Thread(target=work).start()"
    )
    code, _, _ = outcome(script(RUN, before), "--version")
    assert code == 0 and flag.exists()


def test_a_reader_gone_is_the_quiet_exit_it_always_was(blog: Path) -> None:
    """stdout closed by its reader before anything was written (`crosspost --version | true`):
    exit 141, nothing on stderr, as under a normal exit (`crosspost.cli.pipe`)."""
    for entry in (MAIN, RUN):
        reader = subprocess.Popen(
            [sys.executable, "-c", script(entry), "--version"],
            cwd=blog,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert reader.stdout is not None and reader.stderr is not None
        reader.stdout.close()  # long before the interpreter has started
        assert (reader.wait(timeout=120), reader.stderr.read()) == (141, b"")
        reader.stderr.close()


def test_the_installed_script_is_the_fast_exit() -> None:
    """The console script pip writes calls `run` (pyproject.toml's [project.scripts])."""
    script_file = Path(sys.executable).with_name("crosspost")
    assert "from crosspost.cli import run" in script_file.read_text("utf-8")
