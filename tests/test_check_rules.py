"""`check` and `publish` decide alike: what is held, what clashes, what is refused.

`crosspost.api.check` asks the planner's own rules (`plan.holds`, `plan.previous_url`,
`plan.render_for`), so each case here is run through both and the answers compared, including
the two cases where check used to have its own copy and answered differently: a post dated
before site.since that was cross-posted already (published posts are kept up to date, so it is
not "never cross-posted"), and a post whose canonical URL belongs to one already cross-posted
from another file (publish refuses it; check did not see it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosspost import api
from crosspost.cli.commands import main
from crosspost.errors import SourceError
from crosspost.plan import Hold, Kind, hold_reason
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
