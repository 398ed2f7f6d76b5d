"""The Action's trust boundary, end to end: a merged pull request is untrusted input.

Each test is one attack of issue 13 tried as an attacker would: the PR's files are committed by
the author, the job is action.yml run by the simulated runner, the sandbox's fakes are the
platforms, and the tokens are unique canaries that must never show (`Blog.job` checks them).
docs/threat-model.md links every promise to the test here that keeps it.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from .helpers import git
from .test_action_e2e import POSTS, Blog, blog  # noqa: F401 - `blog` is the fixture

SECRET_LINE = "AUTHORIZATION: basic {}\n"


def _workspace(blog: Blog) -> Path:
    """The checkout of the job being run (`after_checkout` runs once it exists)."""
    return blog.tmp / f"job{blog.jobs}"


def _everything_in_origin(blog: Blog) -> str:
    """Every blob reachable in origin, every branch: what a push could have leaked."""
    return git(blog.remote.origin, "log", "--all", "-p", "--format=%H %s")


def test_records_symlink_to_a_secret_is_never_committed_or_uploaded(blog: Blog) -> None:
    first = blog.push("my blog")
    assert first.returncode == 0, first.log
    git(blog.author, "pull", "-q", "--rebase", "origin", "main")
    canary = secrets.token_hex(16)
    for target in ("../.env", "../.git/config"):
        records = blog.author / ".crosspost" / "records.json"
        records.unlink()
        records.symlink_to(target)
        blog.write(f"{POSTS}/new-{target[-3:]}.md", "---\ntitle: N\npublished: 2024-06-02\n---\nx\n")

        def plant() -> None:
            (_workspace(blog) / ".env").write_text(SECRET_LINE.format(canary), "utf-8")
            config = _workspace(blog) / ".git" / "config"
            config.write_text(config.read_text("utf-8") + f"# {canary}\n", "utf-8")

        result = blog.push(f"records are a link to {target}", after_checkout=plant)
        assert result.returncode == 2, result.log
        assert "::error file=.crosspost/records.json" in result.stdout, result.log
        assert "symbolic link" in result.stdout
        assert canary not in result.log and canary not in result.summary
        assert canary not in _everything_in_origin(blog)
        aside = blog.tmp / "runner-temp" / "crosspost-records"
        for copy in aside.glob("*") if aside.exists() else ():
            assert canary not in copy.read_text("utf-8", "replace")
        assert result.json("published") == []
        git(blog.author, "reset", "-q", "--hard", "HEAD~1")
        git(blog.author, "push", "-q", "--force", "origin", "HEAD:main")
