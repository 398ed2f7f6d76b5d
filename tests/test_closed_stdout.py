"""Issue 17 trial: `crosspost status | head -1` said "internal error (BrokenPipeError)" and
exited 1. Whoever reads the output may close it early; every command then exits quietly with
141 (128 + SIGPIPE, as a shell reports for any tool stopped that way; docs/commands.md), from
the one place in the CLI's entry (`crosspost.cli.pipe.reader_gone`). The real script, its stdout a
pipe whose reading end is closed before it starts (the race `| head` loses only sometimes,
made certain)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from crosspost.cli.pipe import READER_GONE
from crosspost.sandbox import Sandbox

from .blogs import CROSSPOST, crosspost_env, run_cli, sandbox_blog


def _closed_stdout(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [str(CROSSPOST), *args],
            env=env,
            cwd=cwd,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("status", "--json"),
        ("records", "list"),
        ("platforms",),
        ("check",),
        ("--help",),
        ("--version",),
        ("publish", "--help"),
    ],
    ids=lambda args: "-".join(args),
)
def test_a_closed_stdout_ends_every_command_quietly(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], args: tuple[str, ...]
) -> None:
    sandbox = sandbox_factory(["devto"])
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=3)
    env = crosspost_env(sandbox)
    assert run_cli("publish", env=env, cwd=root).returncode == 0
    run = _closed_stdout(*args, env=env, cwd=root)
    assert run.stderr == ""
    assert run.returncode == READER_GONE
