"""The Action's trust boundary, end to end: a merged pull request is untrusted input.

Each test is one attack of issue 13 tried as an attacker would: the PR's files are committed by
the author, the job is action.yml run by the simulated runner, the sandbox's fakes are the
platforms, and the tokens are unique canaries that must never show (`Blog.job` checks them).
docs/threat-model.md links every promise to the test here that keeps it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from crosspost.sandbox import Sandbox

from ..records_view import records_view
from .helpers import git
from .test_action_e2e import POSTS, SITE, Blog, make_blog


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
    devto_host = blog.sandbox.fakes["devto"].url
    git(blog.author, "pull", "-q", "--rebase", "origin", "main")
    with FakeSite() as attacker:
        _point(blog, "devto", devto_host, attacker.url)
        blog.write(f"{POSTS}/new-post.md", "---\ntitle: New\npublished: 2024-06-02\n---\nx\n")
        refused = blog.push("point dev.to elsewhere")
        assert attacker.requests == [], "the token went to the pull request's server"
        assert refused.returncode == 2, refused.log
        assert _refused_for(refused, "devto", attacker.url), refused.stdout
        assert {p for _, p in _published(refused)} == {"bluesky", "hashnode", "medium", "mastodon"}

        # A maintainer confirms the new address in the workflow file: the token may go there.
        before, after = git(blog.author, "rev-parse", "HEAD~0", "HEAD").split()
        confirmed = blog.job(
            before, after, inputs={"api-hosts": blog.api_hosts(f"devto={attacker.url}")}
        )
        assert attacker.requests, "the confirmed address is used"
        assert not _refused_for(confirmed, "devto", attacker.url), confirmed.stdout


def test_a_host_confirmed_for_one_platform_never_receives_anothers_token(blog: Blog) -> None:
    """A confirmation is per platform: the Mastodon server in `api-hosts` (as
    `mastodon=https://…`) is no confirmation for dev.to, so a pull request that points
    `[platforms.devto] api_url` at it does not send the dev.to token there."""
    first = blog.push("my blog")
    assert first.returncode == 0, first.log
    git(blog.author, "pull", "-q", "--rebase", "origin", "main")
    mastodon = blog.sandbox.fakes["mastodon"]
    _point(blog, "devto", blog.sandbox.fakes["devto"].url, mastodon.url)
    blog.write(f"{POSTS}/new-post.md", "---\ntitle: New\npublished: 2024-06-02\n---\nx\n")
    refused = blog.push("point dev.to at the Mastodon server")
    devto_token = blog.sandbox.tokens["devto"]
    assert not [r for r in mastodon.requests if devto_token in str(r.headers)], "token sent"
    assert refused.returncode == 2, refused.log
    assert _refused_for(refused, "devto", mastodon.url), refused.stdout
    assert "devto" not in {p for _, p in _published(refused)}


def test_an_api_hosts_entry_without_its_platform_is_refused(blog: Blog) -> None:
    """A bare `https://host` would be a confirmation for every platform: refused, naming the
    input and the form to use, before any token goes anywhere."""
    result = blog.push("my blog", inputs={"api-hosts": blog.sandbox.fakes["mastodon"].url})
    assert result.returncode == 2, result.log
    assert any(
        line.startswith("::error ") and "api-hosts" in line and "NAME=https://host" in line
        for line in result.stdout.splitlines()
    ), result.stdout
    assert not any(fake.requests for fake in blog.sandbox.fakes.values())


def test_a_first_api_address_is_never_trusted_on_first_use(blog: Blog) -> None:
    """The very first run already holds every token: an address that is neither the platform's
    default nor in the workflow's api-hosts (a Mastodon server the pull request names, a
    Forem of its own) never receives one, first use included."""
    from ..site import FakeSite

    with FakeSite() as attacker:
        _point(blog, "mastodon", blog.sandbox.fakes["mastodon"].url, attacker.url)
        first = blog.push("my blog, with the pull request's server")
        assert attacker.requests == [], "the first address received the token"
        assert first.returncode == 2, first.log
        assert _refused_for(first, "mastodon", attacker.url), first.stdout
        assert "mastodon" not in {p for _, p in _published(first)}
        assert {p for _, p in _published(first)} == {"bluesky", "devto", "hashnode", "medium"}


def test_records_edited_to_remember_a_hostile_address_do_not_vouch_for_it(blog: Blog) -> None:
    """The records come from the pull request too: a `token_host` edited to the pull
    request's server, with api_url pointing there, is no confirmation."""
    from ..site import FakeSite

    first = blog.push("my blog")
    assert first.returncode == 0, first.log
    git(blog.author, "pull", "-q", "--rebase", "origin", "main")
    with FakeSite() as attacker:
        _point(blog, "devto", blog.sandbox.fakes["devto"].url, attacker.url)
        path = blog.author / ".crosspost" / "records.json"
        records = records_view(path.read_text("utf-8"))
        records["accounts"]["devto"]["token_host"] = attacker.url
        path.write_text(json.dumps(records, indent=2), "utf-8")
        blog.write(f"{POSTS}/new-post.md", "---\ntitle: New\npublished: 2024-06-02\n---\nx\n")
        refused = blog.push("records vouch for my server")
        assert attacker.requests == [], "the records vouched for the pull request's server"
        assert refused.returncode == 2, refused.log
        assert _refused_for(refused, "devto", attacker.url), refused.stdout


def test_a_forged_was_spelled_differently_overwrites_nothing(blog: Blog) -> None:
    """The pull request adds a post and, in the records, gives it another post's ids on every
    platform that updates, with a `was` (the URL before a move) that is the other post's URL
    without its trailing slash: the same page, so it vouches for nothing, and the job leaves
    the other post's copies as they were (attention, exit 3)."""
    first = blog.push("my blog")
    assert first.returncode == 0, first.log
    git(blog.author, "pull", "-q", "--rebase", "origin", "main")
    path = blog.author / ".crosspost" / "records.json"
    records = records_view(path.read_text("utf-8"))
    victim = f"{SITE}/posts/reaching-1000-followers/"
    platforms = ("devto", "hashnode", "mastodon")
    forged = {}
    for platform in platforms:
        stolen = records["posts"][victim]["platforms"][platform]
        forged[platform] = {
            "state": "published",
            "at": "2024-06-03T00:00:00Z",
            "id": stolen["id"],
            "url": stolen.get("url"),
            "hash": "sha256:forged",
            "was": victim.rstrip("/"),
        }
    records["posts"][f"{SITE}/posts/pwned/"] = {
        "source": f"{POSTS}/pwned.md",
        "platforms": forged,
    }
    path.write_text(json.dumps(records, indent=2), "utf-8")
    blog.write(f"{POSTS}/pwned.md", "---\ntitle: PWNED\npublished: 2024-06-02\n---\nAttacker.\n")
    before = {p: json.dumps(blog.sandbox.fakes[p].copies(victim)) for p in platforms}
    result = blog.push("a harmless new post")
    assert result.returncode == 3, result.log
    for platform in platforms:
        assert json.dumps(blog.sandbox.fakes[platform].copies(victim)) == before[platform], platform


def _point(blog: Blog, platform: str, old: str, new: str) -> None:
    """The pull request's edit: `platform`'s API address in crosspost.toml becomes `new`."""
    config = blog.author / "crosspost.toml"
    text = config.read_text("utf-8")
    assert old in text, text
    config.write_text(text.replace(old, new), "utf-8")


def _refused_for(result: object, platform: str, host: str) -> bool:
    """An `::error` annotation saying `platform`'s token is not sent to `host`."""
    return any(
        line.startswith("::error ") and f"{platform} token is not sent to {host}" in line
        for line in result.stdout.splitlines()  # type: ignore[attr-defined]
    )


def _published(result: object) -> set[tuple[str, str]]:
    from .test_action_e2e import published

    return published(result)  # type: ignore[arg-type]
