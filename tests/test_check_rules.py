"""`check` and `publish` decide alike: what is held, what clashes, what is refused.

`crosspost.api.check` places posts with the planner's own step (`plan.place_posts`) and holds
and renders them per platform as `make_plan` does, so each case here is run through both and
the answers compared, including the cases where check used to have its own copy and answered
differently: a post dated before site.since that was cross-posted already, under its URL or
under the one it moved from (published posts are kept up to date, so it is not "never
cross-posted"); a post whose canonical URL belongs to one already cross-posted from another
file, or two files that both look like one published post (publish refuses them); and a live
post under `publish = "draft"` (it stays live).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosspost import api
from crosspost.adapter import load_adapters
from crosspost.cli import main  # the natural import: mypy sees the click group
from crosspost.errors import ConfigError, SourceError
from crosspost.gitindex import blob_id
from crosspost.plan import Hold, Kind, hold_reason
from crosspost.platforms import select_platforms
from crosspost.records import Entry, Records

SITE = "https://b.example"


@pytest.fixture
def blog(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "crosspost.toml").write_text(
        f'[site]\nurl = "{SITE}"\nsince = 2024-01-01\n\n[platforms.devto]\n'
    )
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    for name, front in {
        "good": "date: 2024-02-01",
        "draft": "date: 2024-02-01\ndraft: true",
        "scheduled": "date: 2999-01-01",
        "old": "date: 2023-05-01",
        "old-published": "date: 2023-06-01",
    }.items():
        (posts / f"{name}.md").write_text(f"---\ntitle: {name}\n{front}\n---\n\nBody.\n")
    with Records.open(tmp_path / ".crosspost" / "records.json") as records:
        records.put(
            f"{SITE}/posts/old-published/",
            "devto",
            Entry("published", id="1", url="https://dev.to/b/old", hash="sha256:0"),
            source="content/posts/old-published.md",
        )
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(here)


def _planned(blog: Path) -> dict[str, tuple[Kind, str]]:
    planned = api.plan(blog / "content", config=api.load_config(blog / "crosspost.toml"))
    return {Path(a.post).stem: (a.kind, a.reason) for a in planned.actions}


def test_check_holds_exactly_what_the_planner_holds(blog: Path) -> None:
    checkup = api.check([Path("content")])
    checked = {item.path.stem: item for item in checkup.posts}
    planned = _planned(blog)
    assert set(checked) == set(planned)
    for name, item in checked.items():
        kind, reason = planned[name]
        assert item.doc is not None
        if item.held:
            assert (kind, reason) == (
                Kind.HOLD,
                hold_reason(item.held[0], item.doc, checkup.config),
            )
        else:
            assert kind is not Kind.HOLD, name
    assert checked["draft"].held == (Hold.DRAFT,)
    assert checked["scheduled"].held == (Hold.SCHEDULED,)
    assert checked["old"].held == (Hold.BEFORE_SINCE,)
    assert checked["old-published"].held == ()  # cross-posted already: kept up to date
    assert planned["old-published"][0] is Kind.UPDATE
    # rendered for every platform unless before site.since, as before
    assert {name for name, item in checked.items() if item.payloads} == set(checked) - {"old"}


def test_check_counts_only_the_posts_publish_never_sends_as_before_since(blog: Path) -> None:
    result = CliRunner().invoke(main, ["check", "content"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "5 posts checked, 0 errors, 0 warnings, 1 draft, "
        "1 dated before site.since (2024-01-01), never cross-posted"
    )


def test_check_refuses_a_url_already_cross_posted_from_another_file_as_publish_does(
    blog: Path,
) -> None:
    copy = blog / "content" / "posts" / "copy.md"
    copy.write_text(
        f"---\ntitle: copy\ndate: 2024-03-01\ncanonical_url: {SITE}/posts/old-published/\n"
        "---\n\nBody.\n"
    )
    config = api.load_config(blog / "crosspost.toml")
    refused = [
        e
        for e in api.plan(copy, config=config).errors
        if isinstance(e, SourceError) and e.field == "canonical_url"
    ]
    checked = api.check([Path("content/posts/copy.md")]).posts
    assert [item.clash for item in checked if item.clash] != []
    (clash,) = [item.clash for item in checked if item.clash]
    assert [e.message for e in refused] == [clash.message]
    assert "content/posts/old-published.md, already cross-posted" in clash.message
    result = CliRunner().invoke(main, ["check", "content/posts/copy.md"])
    assert result.exit_code == 2
    assert result.stdout.startswith(
        f"content/posts/copy.md: field 'canonical_url': the canonical URL {SITE}/posts/"
        "old-published/ is also the URL of content/posts/old-published.md, already cross-posted"
    )


def _cross_posted(blog: Path, name: str, url: str, *, draft: bool = False) -> None:
    """Record `name`'s post as published on dev.to at `url`, from exactly its current bytes."""
    post = blog / "content" / "posts" / f"{name}.md"
    with Records.open(blog / ".crosspost" / "records.json") as records:
        records.put(
            url,
            "devto",
            Entry(
                "published",
                id="9",
                url="https://dev.to/b/x",
                hash="sha256:0",
                draft=draft,
                blob=blob_id(post.read_bytes()),
            ),
            source=f"content/posts/{name}.md",
        )


def test_check_refuses_two_files_that_both_look_like_one_published_post(blog: Path) -> None:
    posts = blog / "content" / "posts"
    (posts / "a.md").write_text("---\ntitle: a\ndate: 2024-03-01\n---\n\nBody.\n")
    _cross_posted(blog, "a", f"{SITE}/posts/a/")
    (posts / "a.md").rename(posts / "b.md")  # mv a.md b.md; cp b.md c.md
    (posts / "c.md").write_bytes((posts / "b.md").read_bytes())
    config = api.load_config(blog / "crosspost.toml")
    refused = sorted(e.message for e in api.plan(Path("content"), config=config).errors)
    assert len(refused) == 2 and "both look like the post once cross-posted as" in refused[0]
    checked = {item.path.stem: item for item in api.check([Path("content")]).posts}
    assert (
        sorted(item.clash.message for item in (checked["b"], checked["c"]) if item.clash) == refused
    )
    assert not checked["b"].payloads and not checked["c"].payloads  # refused, as publish does
    result = CliRunner().invoke(main, ["check", "content"])
    assert result.exit_code == 2, result.output


def test_check_keeps_a_moved_post_before_since_up_to_date_as_publish_does(blog: Path) -> None:
    posts = blog / "content" / "posts"
    (posts / "moved.md").write_text("---\ntitle: moved\ndate: 2023-07-01\nslug: first\n---\n\nB.\n")
    _cross_posted(blog, "moved", f"{SITE}/posts/first/")
    (posts / "moved.md").write_text("---\ntitle: moved\ndate: 2023-07-01\nslug: later\n---\n\nB.\n")
    planned = _planned(blog)
    assert planned["moved"] == (Kind.UPDATE, f"moved from {SITE}/posts/first/")
    (item,) = [item for item in api.check([Path("content")]).posts if item.path.stem == "moved"]
    assert item.held == () and not item.before_since
    assert set(item.payloads) == {"devto"}
    assert item.payloads["devto"] == _action(blog, "moved").payload


def test_check_renders_a_live_post_live_as_publish_does(blog: Path) -> None:
    toml = blog / "crosspost.toml"
    toml.write_text(toml.read_text() + 'publish = "draft"\n')
    _cross_posted(blog, "good", f"{SITE}/posts/good/")  # live on dev.to (draft = false)
    (item,) = [item for item in api.check([Path("content")]).posts if item.path.stem == "good"]
    assert item.payloads["devto"].draft is False
    assert item.payloads["devto"] == _action(blog, "good").payload
    (new,) = [item for item in api.check([Path("content")]).posts if item.path.stem == "draft"]
    assert new.payloads["devto"].draft is True  # a new post still goes as a draft


def _action(blog: Path, stem: str) -> api.Action:
    planned = api.plan(blog / "content", config=api.load_config(blog / "crosspost.toml"))
    (action,) = [a for a in planned.actions if Path(a.post).stem == stem]
    return action


def test_no_platform_configured_names_every_installed_adapter_plugins_included(
    tmp_path: Path,
) -> None:
    (tmp_path / "crosspost.toml").write_text(f'[site]\nurl = "{SITE}"\n')
    config = api.load_config(tmp_path / "crosspost.toml")
    installed = load_adapters()
    plugin = {**installed, "bluesky": installed["devto"]}  # a plugin registered as "bluesky"
    with pytest.raises(ConfigError, match="no platform is configured") as raised:
        select_platforms(config, plugin, None)
    first, *others = plugin
    assert raised.value.hint == (
        f"add a [platforms.{first}] (or {', '.join(others)}) table, or pass --to"
    )
    assert "bluesky" in raised.value.hint and "mastodon" in raised.value.hint
