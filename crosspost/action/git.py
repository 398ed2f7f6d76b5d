"""`git` as the Action runs it: never prompting, messages in English for parsing, commits signed
by the github-actions bot, and without the platform tokens in its environment."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from crosspost.api import is_token_variable, redacted

from .errors import ActionError

__all__ = ["BOT", "BOT_EMAIL", "BOT_NAME", "Git", "is_race", "repo_root"]

BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
BOT = ("-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}")
# GIT_AUTHOR_*/GIT_COMMITTER_* beat `-c user.*`: a job that exports them must not sign our commits.
_BOT_ENV = {
    f"GIT_{role}_{part}": value
    for role in ("AUTHOR", "COMMITTER")
    for part, value in (("NAME", BOT_NAME), ("EMAIL", BOT_EMAIL))
}
# Rejections a fetch and rebase can cure; anything else (protected branch, no permission) cannot.
_RACE = ("non-fast-forward", "fetch first", "[rejected]", "stale info", "cannot lock ref")


class Git:
    """`git` in the repository: never prompting, messages in English for parsing, any commit it
    makes signed by the github-actions bot, and without the platform tokens in its environment
    (git, its hooks and credential helpers never need them, and a hook could leak them)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.env = {
            **{name: value for name, value in os.environ.items() if not is_token_variable(name)},
            **_BOT_ENV,
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            "GIT_EDITOR": "true",
        }

    def __call__(
        self,
        *args: str,
        check: bool = True,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(  # noqa: S603 - fixed executable, arguments never go to a shell
            ["git", *args],  # noqa: S607 - the runner's git, found on PATH like actions/checkout's
            cwd=self.cwd,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            env={**self.env, **(env or {})},
            check=False,
        )
        if check and result.returncode != 0:
            command = next((a for a in args if not a.startswith("-") and "=" not in a), "")
            detail = redacted(result.stderr.strip()) or f"exit {result.returncode}"
            raise ActionError(f"git {command} failed: {detail}")
        return result

    def ok(self, *args: str) -> bool:
        return self(*args, check=False).returncode == 0

    def has_commit(self, sha: str) -> bool:
        return self.ok("cat-file", "-e", f"{sha}^{{commit}}")

    def current_branch(self) -> str:
        """The checked-out branch's short name; empty on a detached HEAD."""
        return self("symbolic-ref", "--quiet", "--short", "HEAD", check=False).stdout.strip()

    def rebasing(self) -> bool:
        git_dir = Path(self("rev-parse", "--absolute-git-dir").stdout.strip())
        return (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply").exists()


def repo_root(start: Path) -> Path:
    try:
        top = Git(start)("rev-parse", "--show-toplevel").stdout.strip()
    except ActionError as exc:
        raise ActionError(
            f"{start} is not in a git checkout ({exc.message})",
            hint="run actions/checkout before crosspost",
        ) from None
    return Path(top).resolve()


def is_race(stderr: str) -> bool:
    return any(marker in stderr for marker in _RACE) and "protected branch" not in stderr
