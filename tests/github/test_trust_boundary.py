"""The Action's trust boundary, end to end: a merged pull request is untrusted input.

Each test is one attack of issue 13 tried as an attacker would: the PR's files are committed by
the author, the job is action.yml run by the simulated runner, the sandbox's fakes are the
platforms, and the tokens are unique canaries that must never show (`Blog.job` checks them).
docs/threat-model.md links every promise to the test here that keeps it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from crosspost.sandbox import Sandbox

from .helpers import git
from .test_action_e2e import POSTS, Blog, make_blog


@pytest.fixture
def blog(tmp_path: Path, sandbox_factory: Callable[..., Sandbox]) -> Blog:
    return make_blog(tmp_path, sandbox_factory)


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
        blog.write(
            f"{POSTS}/new-{target[-3:]}.md", "---\ntitle: N\npublished: 2024-06-02\n---\nx\n"
        )

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


def test_a_changed_api_address_never_receives_the_token(blog: Blog) -> None:
    """Attack 6: a PR that edits api_url would send the token to any https host next run."""
    from ..site import FakeSite

    first = blog.push("my blog")
    assert first.returncode == 0, first.log
    records = blog.origin_records()
    devto_host = records["accounts"]["devto"]["token_host"]
    assert devto_host.startswith("http://127.0.0.1:")
    git(blog.author, "pull", "-q", "--rebase", "origin", "main")
    with FakeSite() as attacker:
        config = blog.author / "crosspost.toml"
        text = config.read_text("utf-8")
        moved = text.replace(f'api_url = "{devto_host}/api"', f'api_url = "{attacker.url}/api"')
        config.write_text(moved, "utf-8")
        assert attacker.url in config.read_text("utf-8")
        blog.write(f"{POSTS}/new-post.md", "---\ntitle: New\npublished: 2024-06-02\n---\nx\n")
        refused = blog.push("point dev.to elsewhere")
        assert attacker.requests == [], "the token went to the pull request's server"
        assert refused.returncode == 2, refused.log
        assert any(
            line.startswith("::error ") and "API address of devto changed" in line
            for line in refused.stdout.splitlines()
        ), refused.stdout
        assert {p for _, p in _published(refused)} == {"bluesky", "hashnode", "medium", "mastodon"}
        assert blog.origin_records()["accounts"]["devto"]["token_host"] == devto_host

        # A maintainer confirms the new address in the workflow file: the token may go there.
        before, after = git(blog.author, "rev-parse", "HEAD~0", "HEAD").split()
        confirmed = blog.job(before, after, inputs={"api-hosts": attacker.url})
        assert attacker.requests, "the confirmed address is used"
        assert "API address of devto changed" not in confirmed.stdout


def _published(result: object) -> set[tuple[str, str]]:
    from .test_action_e2e import published

    return published(result)  # type: ignore[arg-type]
