"""Untrusted text never begins a GitHub workflow command (issue 13, attack 2).

The runner reads `::command::` lines (after trimming spaces) on stdout *and* stderr, and the
older `##[command]` form anywhere in a line; `\\r` ends a line for it too. A post's file name, a
Liquid include's name, a platform's error body all reach crosspost's output, so a pull request
could forge `::add-mask::`, `::error::` or `::stop-commands::`. Everything crosspost prints goes
through `crosspost.terminal`: the forged text shows, escaped, and no line of it is a command.
"""

from __future__ import annotations

import re

import pytest

from crosspost.terminal import neutralize

from ..blogs import crosspost_env, run_cli
from .conftest import HostileBlog, front_matter

FORGED = "::error title=forged::owned"


def forged_commands(text: str) -> list[str]:
    """Lines the runner would take as a command that crosspost did not mean to write."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [
        line
        for line in lines
        if (line.strip().startswith("::") and "forged" in line.split("::")[1]) or "##[" in line
    ]


@pytest.mark.parametrize("github", ["true", "false"])
def test_a_file_name_and_an_include_cannot_forge_workflow_commands(
    blog: HostileBlog, github: str
) -> None:
    blog.write(
        f"a\n{FORGED}\r::stop-commands::forged\n.md",
        front_matter("title: T", "date: 2024-03-01", body="Text.\n"),
    )
    blog.write(
        "include.md",
        front_matter(
            "title: I",
            "date: 2024-03-02",
            body='{% include "x\n::add-mask::forged\n##[error]x" %}\n',
        ),
    )
    env = crosspost_env(blog.sandbox, GITHUB_ACTIONS=github)
    for command in (["check"], ["publish", "--no-github"], ["publish", "--no-github", "--json"]):
        result = run_cli(*command, env=env, cwd=blog.root)
        assert "Traceback" not in result.stderr
        assert not forged_commands(result.stdout), result.stdout
        assert not forged_commands(result.stderr), result.stderr
        assert "\x1b" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "::add-mask::x",
        "  ::error::x",
        "\t::stop-commands::x",
        "a\n::warning::x",
        "a\r::warning::x",
        "##[error]x",
        "a ##[add-mask]x",
        "a\u2028::error::x",
        "\x1b[2J::error::x",
        "\x85::error::x",
    ],
)
def test_neutralize_leaves_no_command(text: str) -> None:
    safe = neutralize(text)
    assert not any(line.strip().startswith("::") for line in safe.split("\n"))
    assert "##[" not in safe and "\r" not in safe and "\x1b" not in safe
    assert "x" in safe


def test_neutralize_keeps_ordinary_text() -> None:
    assert neutralize("posts/a.md:3: a note\n\ttab") == "posts/a.md:3: a note\n\ttab"


def test_records_values_cannot_forge_workflow_commands(published: HostileBlog) -> None:
    """`.crosspost/records.json` comes with a pull request too: a copy's id and URL (its
    platform's `urls` folder and the part relative to it) are printed by `records list` and
    `status`, escaped like everything else."""
    forged = f"x\\n{FORGED}\\r::stop-commands::forged\\u001b[2J\\u0085::error::forged"
    text = published.records.read_text("utf-8")
    text = text.replace('"https://dev.to/sandbox/"', f'"https://dev.to/{forged}/"', 1)
    text = re.sub(
        r'"devto":\["([^"]+)","[^"]+","', lambda m: f'"devto":["{m[1]}","{forged}","{forged}', text
    )
    published.records.write_text(text, "utf-8")
    for command in (["records", "list"], ["status"], ["status", "--json"]):
        result = published.cli(*command)
        assert result.returncode in (0, 1), result.stderr
        assert not forged_commands(result.stdout), result.stdout
        assert not forged_commands(result.stderr), result.stderr
        assert "\x1b" not in result.stdout + result.stderr
