"""A post is known by its canonical URL: two posts may not share one, and a post whose URL
changed (a renamed file, a new slug) keeps its copies instead of being posted a second time.
Also what --draft and --force may not do to posts that are already live. Over real sockets."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crosspost.adapter import load_adapters
from crosspost.api import collect
from crosspost.config import load_config
from crosspost.errors import SourceError
from crosspost.publisher import Report, Status
from crosspost.records import Entry, Records, now_iso
from crosspost.sandbox import Sandbox
from crosspost.sources import load_post
from crosspost.status import Verdict, apply, refresh
from crosspost.testing import installed_adapters, run_publish

from .blogs import sandbox_blog
from .conftest import recorded

INSTALLED = installed_adapters()
PLATFORMS = list(INSTALLED)
"""Every installed platform (the registry); dev.to stands for the article platforms where a
test reads a copy's fields or interrupts a create."""
URL = "https://blog.example.com/posts/{}/"


def post(folder: Path, name: str, *, slug: str | None = None, body: str = "Some text.") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    front = f'title: "{name}"\ndate: 2024-05-01\ntags: [python]\n'
    if slug:
        front += f"slug: {slug}\n"
    path.write_text(f"---\n{front}---\n\n{body}\n", "utf-8")
    return path


@pytest.fixture
def blog(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Sandbox]:
    sandbox = sandbox_factory(PLATFORMS)
    for name, value in sandbox.env.items():  # the tokens, as CI passes them
        monkeypatch.setenv(name, value)
    return sandbox_blog(tmp_path / "blog", sandbox), sandbox


def publish(root: Path, *paths: Path, **options: Any) -> Report:
    """`crosspost publish` of `paths` (default: the posts folder), in-process."""
    sources, config = collect(list(paths) or [root / "posts"], load_config(root / "crosspost.toml"))
    return run_publish(config, sources, **options)


def total_copies(sandbox: Sandbox, *slugs: str) -> dict[str, int]:
    return {
        name: sum(len(fake.copies(URL.format(slug))) for slug in slugs)
        for name, fake in sandbox.fakes.items()
    }


def test_two_posts_with_one_canonical_url_are_both_refused(blog: tuple[Path, Sandbox]) -> None:
    root, sandbox = blog
    post(root / "posts", "hello.md")
    post(root / "posts", "other.md", slug="hello")
    report = publish(root)
    assert report.exit_code == 2
    assert not report.results
    refused = sorted(Path(str(e.path)).name for e in report.errors if isinstance(e, SourceError))
    assert refused == ["hello.md", "other.md"]
    assert all(
        isinstance(e, SourceError) and "posts/" in e.message and e.field == "canonical_url"
        for e in report.errors
    )
    assert total_copies(sandbox, "hello") == dict.fromkeys(PLATFORMS, 0)


def test_a_new_file_cannot_take_over_a_published_posts_url(blog: tuple[Path, Sandbox]) -> None:
    root, sandbox = blog
    post(root / "posts", "hello.md", body="The original.")
    assert publish(root).exit_code == 0
    post(root / "posts", "other.md", slug="hello", body="An impostor.")
    alone = publish(root, root / "posts" / "other.md")  # even when named alone
    assert alone.exit_code == 2 and "already cross-posted" in alone.errors[0].message
    assert total_copies(sandbox, "hello") == dict.fromkeys(PLATFORMS, 1)
    assert "original" in sandbox.fakes["devto"].copies(URL.format("hello"))[0]["body_markdown"]


def test_the_same_file_named_twice_is_planned_once(blog: tuple[Path, Sandbox]) -> None:
    root, sandbox = blog
    path = post(root / "posts", "once.md")
    report = publish(root, root / "posts", path, Path(os.path.relpath(path)))
    assert report.exit_code == 0 and len(report.results) == len(PLATFORMS)
    assert total_copies(sandbox, "once") == dict.fromkeys(PLATFORMS, 1)


def test_a_renamed_file_moves_its_records_and_updates_its_copies(
    blog: tuple[Path, Sandbox],
) -> None:
    root, sandbox = blog
    old = post(root / "posts", "first-name.md")
    publish(root)
    shutil.move(old, root / "posts" / "second-name.md")  # same bytes, new file name and URL
    report = publish(root)
    statuses = {r.platform: r.status for r in report.results}
    assert statuses == {  # a platform that cannot update keeps the old canonical URL on its copy
        name: Status.UPDATED if adapter.capabilities.update else Status.UNSUPPORTED
        for name, adapter in INSTALLED.items()
    }
    for result in report.with_status(Status.UNSUPPORTED):
        assert "moved from https://blog.example.com/posts/first-name/" in result.message
    assert total_copies(sandbox, "first-name", "second-name") == dict.fromkeys(PLATFORMS, 1)
    (article,) = sandbox.fakes["devto"].copies(URL.format("second-name"))
    records = Records.read(root / ".crosspost" / "records.json")
    assert records.urls() == [URL.format("second-name")]
    assert records.source_of(URL.format("second-name")) == "posts/second-name.md"
    assert recorded(records, URL.format("second-name"), "devto").id == str(article["id"])
    again = publish(root)
    assert {r.status for r in again.results} <= {Status.UNCHANGED, Status.UNSUPPORTED}


def test_a_changed_slug_updates_the_copies_in_place(blog: tuple[Path, Sandbox]) -> None:
    root, sandbox = blog
    path = post(root / "posts", "story.md", slug="old-slug")
    publish(root)
    post(root / "posts", "story.md", slug="new-slug")
    dry = publish(root, dry_run=True)
    assert {r.message for r in dry.results if r.platform == "devto"} == {
        "would update: moved from https://blog.example.com/posts/old-slug/"
    }
    report = publish(root)
    assert {r.platform: r.status for r in report.results}["devto"] is Status.UPDATED
    assert total_copies(sandbox, "old-slug", "new-slug") == dict.fromkeys(PLATFORMS, 1)
    (article,) = sandbox.fakes["devto"].copies(URL.format("new-slug"))
    assert article["canonical_url"] == URL.format("new-slug")
    assert path.exists()


def test_a_copied_file_is_a_new_post_and_the_original_keeps_its_copies(
    blog: tuple[Path, Sandbox],
) -> None:
    """A copy is not a rename: the original keeps its records and the copy is its own post."""
    root, sandbox = blog
    original = post(root / "posts", "original.md")
    publish(root)
    shutil.copy(original, root / "posts" / "copy.md")
    report = publish(root)
    created = {r.platform for r in report.results if r.status is Status.CREATED}
    # Forem refuses the same title and body twice from one user (app/models/article.rb): the
    # copy is its own post everywhere else, and dev.to says why it is not there.
    assert created == set(PLATFORMS) - {"devto"}
    (refused,) = [r for r in report.results if r.platform == "devto" and r.post.endswith("copy.md")]
    assert (
        refused.status is Status.FAILED
        and "Body markdown has already been taken" in refused.message
    )
    assert total_copies(sandbox, "copy") == {**dict.fromkeys(PLATFORMS, 1), "devto": 0}
    assert total_copies(sandbox, "original") == dict.fromkeys(PLATFORMS, 1)


def test_draft_never_turns_a_live_post_back_into_a_draft(blog: tuple[Path, Sandbox]) -> None:
    root, sandbox = blog
    post(root / "posts", "live.md")
    publish(root)
    post(root / "posts", "live.md", body="Edited.")
    report = publish(root, to=["devto"], draft=True)
    assert [r.status for r in report.results] == [Status.UPDATED]
    (article,) = sandbox.fakes["devto"].copies(URL.format("live"))
    assert article["published"] is True and "Edited." in article["body_markdown"]


def test_force_leaves_published_unchanged_posts_alone(blog: tuple[Path, Sandbox]) -> None:
    root, sandbox = blog
    post(root / "posts", "steady.md")
    publish(root)
    sent = {name: len(fake.requests) for name, fake in sandbox.fakes.items()}
    report = publish(root, force=True)
    assert {r.status for r in report.results} == {Status.UNCHANGED}
    assert {name: len(fake.requests) for name, fake in sandbox.fakes.items()} == sent


def test_refresh_does_not_clear_a_pending_create_too_recent_to_judge(
    blog: tuple[Path, Sandbox],
) -> None:
    """A create interrupted a moment ago may not be visible yet: forgetting it would re-post."""
    root, _ = blog
    path = post(root / "posts", "recent.md")
    config = load_config(root / "crosspost.toml")
    records_path = config.records
    with Records.open(records_path) as records:
        entry = Entry("pending", key="k", at=now_iso())
        records.put(URL.format("recent"), "devto", entry, source="posts/recent.md")
    doc = load_post(path, config)
    with Records.open(records_path) as records:
        findings = asyncio.run(
            refresh([doc], config=config, adapters=load_adapters(), to=["devto"], records=records)
        )
        assert [f.verdict for f in findings] == [Verdict.WAIT]
        assert apply(findings, records) == 0
    assert recorded(Records.read(records_path), URL.format("recent"), "devto").state == "pending"


def test_refreshing_fingerprints_of_many_posts_writes_the_records_once(
    blog: tuple[Path, Sandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = blog
    for n in range(5):
        post(root / "posts", f"p{n}.md")
    publish(root)
    config_file = root / "crosspost.toml"
    text = config_file.read_text("utf-8")
    config_file.write_text(text.replace("since = 2024-01-01", "since = 2023-01-01"))
    writes: list[object] = []
    real_replace = os.replace

    def recording_replace(*a: Any) -> None:
        writes.append(a)
        real_replace(*a)

    monkeypatch.setattr("crosspost.records.os.replace", recording_replace)
    report = publish(root)
    assert {r.status for r in report.results} == {Status.UNCHANGED}
    assert len(writes) == 1


def test_an_unchanged_post_is_not_even_parsed(
    blog: tuple[Path, Sandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The no-op fast path: the file's hash and the config's fingerprint prove it unchanged."""
    root, _ = blog
    for n in range(3):
        post(root / "posts", f"p{n}.md")
    publish(root)

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged post was parsed")

    monkeypatch.setattr("crosspost.sources.load_post", no_parsing)
    report = publish(root)
    assert {r.status for r in report.results} == {Status.UNCHANGED}
    assert len(report.results) == 3 * len(PLATFORMS)


def test_a_renamed_file_and_a_copy_of_it_are_both_refused(blog: tuple[Path, Sandbox]) -> None:
    """Which of the two keeps the copies is for the author to say (`records move`)."""
    root, sandbox = blog
    original = post(root / "posts", "orig.md")
    publish(root)
    before = Records.read(root / ".crosspost" / "records.json").urls()
    shutil.move(original, root / "posts" / "a.md")
    shutil.copy(root / "posts" / "a.md", root / "posts" / "b.md")
    report = publish(root)
    assert report.exit_code == 2 and not report.results
    assert all("records move" in (e.hint or "") for e in report.errors)
    assert Records.read(root / ".crosspost" / "records.json").urls() == before
    assert total_copies(sandbox, "orig", "a", "b") == dict.fromkeys(PLATFORMS, 1)


def _interrupt_devto_create(root: Path, slug: str) -> None:
    """As if a run was killed after dev.to committed the create and before it was recorded."""
    records_path = root / ".crosspost" / "records.json"
    with Records.open(records_path) as records:
        records.put(
            URL.format(slug),
            "devto",
            Entry("pending", key="k", at="2020-01-01T00:00:00.000Z"),
            source=f"posts/{slug}.md",
        )


def test_an_interrupted_create_of_a_post_that_moved_since_is_found_under_its_old_url(
    blog: tuple[Path, Sandbox],
) -> None:
    root, sandbox = blog
    original = post(root / "posts", "orig.md")
    publish(root)
    _interrupt_devto_create(root, "orig")
    shutil.move(original, root / "posts" / "renamed.md")
    report = publish(root)
    devto = next(r for r in report.results if r.platform == "devto")
    assert devto.status is Status.ADOPTED and "old URL" in devto.message, devto
    assert total_copies(sandbox, "orig", "renamed") == dict.fromkeys(PLATFORMS, 1)
    (article,) = sandbox.fakes["devto"].copies(URL.format("renamed"))
    assert article["canonical_url"] == URL.format("renamed")


def test_a_move_made_by_a_run_for_other_platforms_still_finds_the_interrupted_create(
    blog: tuple[Path, Sandbox],
) -> None:
    """`--to mastodon` moves the whole post's records; dev.to's interrupted create keeps the URL
    it carried (`was`), where the next run looks for it."""
    root, sandbox = blog
    original = post(root / "posts", "orig.md")
    publish(root)
    _interrupt_devto_create(root, "orig")
    shutil.move(original, root / "posts" / "renamed.md")
    publish(root, to=["mastodon"])
    pending = Records.read(root / ".crosspost" / "records.json").get(URL.format("renamed"), "devto")
    assert pending is not None and pending.state == "pending" and pending.was == URL.format("orig")
    report = publish(root)
    assert {r.platform: r.status for r in report.results}["devto"] is Status.ADOPTED
    assert total_copies(sandbox, "orig", "renamed") == dict.fromkeys(PLATFORMS, 1)
