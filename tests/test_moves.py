"""Issue 17, moves that never duplicate from the CLI, end to end (the real script, fakes on
127.0.0.1, a real git checkout): a renamed and edited post is followed through git's rename
with the Action's rule (crosspost/renames.py), and a rename nobody can prove is named by the
dry run with the `crosspost records move` command that settles it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from crosspost.adapters.bluesky import Bluesky
from crosspost.records import Entry, Records
from crosspost.sandbox import Sandbox
from crosspost.status import Verdict, refresh
from crosspost.testing import TIME_SCALE, sample_document

from .blogs import crosspost_env, run_cli, sandbox_blog
from .records_view import records_view

ALL = ["devto", "hashnode", "medium", "mastodon"]
SUMMARIES = ["devto", "mastodon", "bluesky"]
OLD_URL = "https://blog.example.com/posts/post-000/"
NEW_URL = "https://blog.example.com/posts/a-better-name/"


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def _published(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], platforms: list[str]
) -> tuple[Path, Sandbox, dict[str, str]]:
    """A blog in a git checkout, its three posts published on `platforms`, records committed."""
    sandbox = sandbox_factory(platforms)
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=3)
    env = crosspost_env(sandbox)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "author@example.com")
    git(root, "config", "user.name", "Author")
    assert run_cli("publish", env=env, cwd=root).returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "posts and records")
    return root, sandbox, env


@pytest.fixture
def published(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> tuple[Path, Sandbox, dict[str, str]]:
    return _published(tmp_path, sandbox_factory, ALL)


@pytest.fixture
def published_summaries(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> tuple[Path, Sandbox, dict[str, str]]:
    return _published(tmp_path, sandbox_factory, SUMMARIES)


def _rename_and_edit(root: Path) -> None:
    """`git mv` the first post and change some of its text: a slug change, new bytes."""
    git(root, "mv", "posts/post-000.md", "posts/a-better-name.md")
    post = root / "posts" / "a-better-name.md"
    post.write_text(post.read_text().replace("Text of post 0", "Edited text of post 0"))


def _statuses(run: subprocess.CompletedProcess[str]) -> dict[tuple[str, str], str]:
    return {
        (Path(r["post"]).name, r["platform"]): r["status"]
        for r in json.loads(run.stdout)["results"]
        if r["status"] != "unchanged"
    }


@pytest.mark.parametrize("committed", [False, True], ids=["staged", "committed"])
def test_a_renamed_and_edited_post_is_moved_never_posted_again(published, committed: bool) -> None:
    root, sandbox, env = published
    _rename_and_edit(root)
    if committed:
        git(root, "commit", "-qam", "rename a post")
    dry = run_cli("publish", "--dry-run", "--json", env=env, cwd=root)
    assert dry.returncode == 0, dry.stderr
    planned = json.loads(dry.stdout)["results"]
    moved = [r for r in planned if Path(r["post"]).name == "a-better-name.md"]
    assert {r["platform"]: r["status"] for r in moved} == {
        "devto": "planned",
        "hashnode": "planned",
        "mastodon": "planned",
        "medium": "unsupported",
    }
    assert all("would update" in r["message"] for r in moved if r["status"] == "planned")
    run = run_cli("publish", "--json", env=env, cwd=root)
    assert run.returncode == 0, run.stderr
    assert _statuses(run) == {
        ("a-better-name.md", "devto"): "updated",
        ("a-better-name.md", "hashnode"): "updated",
        ("a-better-name.md", "mastodon"): "updated",
        ("a-better-name.md", "medium"): "unsupported",
    }
    for name in ALL:
        copies = sandbox.fakes[name].copies(NEW_URL) + sandbox.fakes[name].copies(OLD_URL)
        assert len(copies) == 1, name
    status = run_cli("status", "--json", env=env, cwd=root)
    posts = {Path(r["post"]).name for r in json.loads(status.stdout)}
    assert "post-000.md" not in posts and "a-better-name.md" in posts


@pytest.mark.parametrize("committed", [False, True], ids=["staged", "committed"])
def test_a_git_mv_that_changes_the_url_updates_the_copies(published, committed: bool) -> None:
    """A pure `git mv` (same bytes, a new slug): the fast path must not call it unchanged, since
    a post whose computed canonical URL differs from the recorded one never is; and a run that
    stops between the rename and the update must not leave it unchanged for ever."""
    root, sandbox, env = published
    git(root, "mv", "posts/post-000.md", "posts/a-better-name.md")
    if committed:
        git(root, "commit", "-qm", "rename a post")
    dry = run_cli("publish", "--dry-run", "--json", env=env, cwd=root)
    assert dry.returncode == 0, dry.stderr
    assert {p: s for (name, p), s in _statuses(dry).items() if name == "a-better-name.md"} == {
        "devto": "planned",
        "hashnode": "planned",
        "mastodon": "planned",
        "medium": "unsupported",
    }
    # Only mastodon first: the rename is recorded for every platform, the others stay to do.
    first = run_cli("publish", "--json", "--to", "mastodon", env=env, cwd=root)
    assert first.returncode == 0, first.stderr
    assert _statuses(first) == {("a-better-name.md", "mastodon"): "updated"}
    run = run_cli("publish", "--json", env=env, cwd=root)
    assert run.returncode == 0, run.stderr
    assert _statuses(run) == {
        ("a-better-name.md", "devto"): "updated",
        ("a-better-name.md", "hashnode"): "updated",
        ("a-better-name.md", "medium"): "unsupported",
    }
    for name in ALL:
        copies = sandbox.fakes[name].copies(NEW_URL) + sandbox.fakes[name].copies(OLD_URL)
        assert len(copies) == 1, name
    again = run_cli("publish", "--json", env=env, cwd=root)
    assert _statuses(again) == {("a-better-name.md", "medium"): "unsupported"}


def test_a_rename_git_cannot_prove_is_named_with_the_command_that_settles_it(published) -> None:
    root, sandbox, env = published
    old = root / "posts" / "post-000.md"
    new = root / "posts" / "a-better-name.md"
    text = old.read_text().replace('title: "Post number 0"', 'title: "A better name"')
    new.write_text(text.replace("Text of post 0", "Rewritten"))  # not added to git: unproven
    old.unlink()
    dry = run_cli("publish", "--dry-run", env=env, cwd=root)
    assert dry.returncode == 0, dry.stderr
    command = f"crosspost records move {OLD_URL} {NEW_URL}"
    (warning,) = [line for line in dry.stderr.splitlines() if "looks like" in line]
    assert warning.startswith(
        "warning: posts/a-better-name.md: looks like posts/post-000.md renamed"
    )
    assert f"run `{command}` first" in warning
    moved = run_cli(*command.split()[1:], env=env, cwd=root)
    assert moved.returncode == 0, moved.stderr
    after = run_cli("publish", "--dry-run", "--json", env=env, cwd=root)
    assert {s for (name, _), s in _statuses(after).items() if name == "a-better-name.md"} == {
        "planned",
        "unsupported",
    }
    assert "looks like" not in after.stderr
    assert all(len(sandbox.fakes[name].copies(OLD_URL)) == 1 for name in ALL)


def test_outside_git_nothing_is_proven_and_nothing_breaks(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(["devto"])
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=2)
    env = crosspost_env(sandbox)
    assert run_cli("publish", env=env, cwd=root).returncode == 0
    (root / "posts" / "post-001.md").rename(root / "posts" / "post-one.md")
    dry = run_cli("publish", "--dry-run", env=env, cwd=root)
    assert dry.returncode == 0, dry.stderr
    # Same bytes: the records recognise the move on their own, nothing to warn about.
    assert "looks like" not in dry.stderr
    assert "would update" in dry.stdout


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("posts/post-000.md", "posts/a-better-name.md"),
        (OLD_URL, NEW_URL),
        ("posts/post-000.md", NEW_URL),
    ],
    ids=["files", "urls", "file-then-url"],
)
def test_records_move_then_publish_updates_in_place(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], old: str, new: str
) -> None:
    """Outside git, a renamed and edited post is new to crosspost until `records move` says
    otherwise; named by files or canonical URLs, the move makes the next publish update every
    copy, with no duplicate on any platform."""
    sandbox = sandbox_factory(ALL)
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=2)
    env = crosspost_env(sandbox)
    assert run_cli("publish", env=env, cwd=root).returncode == 0
    (root / "posts" / "post-000.md").rename(root / "posts" / "a-better-name.md")
    post = root / "posts" / "a-better-name.md"
    post.write_text(post.read_text().replace("Text of post 0", "Edited text of post 0"))
    moved = run_cli("records", "move", old, new, env=env, cwd=root)
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.strip() == (
        f"moved the records of {OLD_URL} to {NEW_URL} (posts/a-better-name.md)"
    )
    run = run_cli("publish", "--json", env=env, cwd=root)
    assert run.returncode == 0, run.stderr
    assert _statuses(run) == {
        ("a-better-name.md", "devto"): "updated",
        ("a-better-name.md", "hashnode"): "updated",
        ("a-better-name.md", "mastodon"): "updated",
        ("a-better-name.md", "medium"): "unsupported",
    }
    for name in ALL:
        fake = sandbox.fakes[name]
        assert len(fake.copies(NEW_URL) + fake.copies(OLD_URL)) == 1, name
    status = run_cli("status", "--json", env=env, cwd=root)
    assert "post-000.md" not in {Path(r["post"]).name for r in json.loads(status.stdout)}


@pytest.mark.parametrize(
    ("new", "said"),
    [
        (
            "https://blog.example.com/posts/a-better-name",
            "no post of the blog has the canonical URL https://blog.example.com/posts/"
            f"a-better-name (did you mean {NEW_URL}?",
        ),
        ("posts/no-such-post.md", "posts/no-such-post.md is neither a post file nor a canonical"),
    ],
    ids=["url-without-its-slash", "missing-file"],
)
def test_records_move_to_no_post_is_refused_and_changes_nothing(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], new: str, said: str
) -> None:
    sandbox = sandbox_factory(["devto"])
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=2)
    env = crosspost_env(sandbox)
    assert run_cli("publish", env=env, cwd=root).returncode == 0
    (root / "posts" / "post-000.md").rename(root / "posts" / "a-better-name.md")
    records = (root / ".crosspost" / "records.json").read_bytes()
    moved = run_cli("records", "move", OLD_URL, new, env=env, cwd=root)
    assert moved.returncode == 2
    assert said in moved.stderr
    assert "Traceback" not in moved.stderr
    assert (root / ".crosspost" / "records.json").read_bytes() == records


@pytest.mark.parametrize("how", ["git-mv", "records-move"])
def test_a_moved_summary_is_never_called_gone_nor_posted_twice(
    published_summaries, how: str
) -> None:
    """Issue 17 trial: after a move that changes the URL, Bluesky keeps its first post (it
    cannot be edited: `unsupported`), which links the old URL. The refresh's search by the new
    URL misses it; read by its recorded id it is alive, so it is never `gone`, and `publish
    --force` (the way out a wrong `gone` used to suggest) adopts it instead of posting again."""
    root, sandbox, env = published_summaries
    if how == "git-mv":
        git(root, "mv", "posts/post-000.md", "posts/a-better-name.md")
    else:
        (root / "posts" / "post-000.md").rename(root / "posts" / "a-better-name.md")
        moved = run_cli("records", "move", OLD_URL, NEW_URL, env=env, cwd=root)
        assert moved.returncode == 0, moved.stderr
    run = run_cli("publish", "--json", env=env, cwd=root)
    assert run.returncode == 0, run.stderr
    assert _statuses(run)[("a-better-name.md", "bluesky")] == "unsupported"
    refresh = run_cli("status", "--refresh", "--json", env=env, cwd=root)
    assert refresh.returncode == 0, refresh.stderr
    (found,) = [
        r
        for r in json.loads(refresh.stdout)
        if r["platform"] == "bluesky" and r["canonical_url"] == NEW_URL
    ]
    assert found["verdict"] == "ok", found
    assert OLD_URL in found["detail"]
    assert "--force" not in refresh.stdout
    write = run_cli("status", "--refresh", "--write", env=env, cwd=root)
    assert write.returncode == 0, write.stderr
    # Records an older crosspost wrote `gone` from the search miss: --force reads the recorded
    # id first and records the copy again instead of posting a second one.
    path = root / ".crosspost" / "records.json"
    data = records_view(path.read_text())
    data["posts"][NEW_URL]["platforms"]["bluesky"]["state"] = "gone"
    path.write_text(json.dumps(data))
    forced = run_cli("publish", "--force", "--to", "bluesky", "--json", env=env, cwd=root)
    assert forced.returncode == 0, forced.stderr
    assert _statuses(forced) == {("a-better-name.md", "bluesky"): "adopted"}
    fake = sandbox.fakes["bluesky"]
    assert len(fake.copies(NEW_URL) + fake.copies(OLD_URL)) == 1
    again = run_cli("status", "--refresh", "--json", env=env, cwd=root)
    assert again.returncode == 0, again.stderr
    verdicts = {(r["canonical_url"], r["platform"]): r["verdict"] for r in json.loads(again.stdout)}
    assert verdicts[(NEW_URL, "bluesky")] == "ok"


class _BlueskyWithoutLookup(Bluesky):
    """Bluesky as a plugin without `lookup` would be: it searches, but reads no copy by id."""

    capabilities = dataclasses.replace(Bluesky.capabilities, lookup=False)


@pytest.mark.parametrize(
    ("adapter", "verdict"),
    [(Bluesky, Verdict.GONE), (_BlueskyWithoutLookup, Verdict.UNCONFIRMED)],
    ids=["read-by-id", "no-lookup"],
)
def test_a_search_miss_is_gone_only_when_the_read_by_id_finds_nothing(
    adapter: type[Bluesky], verdict: Verdict
) -> None:
    """The one rule of `gone`: the platform's read by id says there is no such copy. Without
    that read, a search miss is `unconfirmed`: nothing written, no `--force` hint."""
    with Sandbox(["bluesky"], time_scale=TIME_SCALE) as sandbox:
        did = sandbox.fakes["bluesky"].did  # type: ignore[attr-defined]
        doc = sample_document("deleted-by-hand")
        entry = Entry(
            "published",
            at="2020-01-01T00:00:00.000Z",
            id=f"at://{did}/app.bsky.feed.post/3jzfcijpj2z2a",
            url=f"https://bsky.app/profile/{did}/post/3jzfcijpj2z2a",
        )
        with Records.open(sandbox.config.records) as records:
            records.put(doc.canonical_url, "bluesky", entry, source=None)
            (found,) = asyncio.run(
                refresh(
                    [doc], config=sandbox.config, adapters={"bluesky": adapter}, records=records
                )
            )
    assert found.verdict is verdict, found.detail
    assert ("--force" in found.detail) is (verdict is Verdict.GONE)
    assert found.writes is (verdict is Verdict.GONE)
    if verdict is Verdict.UNCONFIRMED:
        assert f"crosspost records forget {doc.canonical_url} --to bluesky" in found.detail


def test_a_copy_deleted_on_the_platform_is_gone_with_the_post_named_from_here(
    published_summaries: tuple[Path, Sandbox, dict[str, str]],
) -> None:
    """Deleted by hand on Bluesky (the read by id finds nothing): `gone`, and the `--force` way
    out names the post's file relative to the current folder, as every other message does."""
    root, sandbox, env = published_summaries
    fake = sandbox.fakes["bluesky"]
    (copy,) = fake.copies(OLD_URL)
    with fake.lock:
        del fake.records[copy["uri"].rsplit("/", 1)[-1]]  # type: ignore[attr-defined]
    refresh = run_cli("status", "--refresh", "--json", env=env, cwd=root)
    assert refresh.returncode == 0, refresh.stderr
    (found,) = [
        r
        for r in json.loads(refresh.stdout)
        if r["platform"] == "bluesky" and r["canonical_url"] == OLD_URL
    ]
    assert found["verdict"] == "gone"
    assert "crosspost publish --force --to bluesky posts/post-000.md" in found["detail"]
    assert str(root) not in found["detail"]


def test_a_post_linking_to_a_moved_post_is_sent_again_with_its_new_url(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    """The fast path skips a post whose bytes and config did not change, but a link to another
    post's file (`./post-000.md`) is rendered as that post's URL: when that post moves, the post
    linking to it must be sent again with the new URL, not left pointing at the old one."""
    root, sandbox, env = _published(tmp_path, sandbox_factory, ["devto", "hashnode"])
    linking = root / "posts" / "post-001.md"
    linking.write_text(linking.read_text() + "\nSee [the first post](./post-000.md).\n")
    assert run_cli("publish", env=env, cwd=root).returncode == 0
    git(root, "commit", "-qam", "a link to the first post")
    assert _statuses(run_cli("publish", "--json", env=env, cwd=root)) == {}  # all unchanged
    moved = root / "posts" / "post-000.md"
    moved.write_text(moved.read_text().replace("\ndate:", "\nslug: a-better-name\ndate:", 1))
    run = run_cli("publish", "--json", env=env, cwd=root)
    assert run.returncode == 0, run.stderr
    assert _statuses(run) == {
        (post, name): "updated"
        for post in ("post-000.md", "post-001.md")
        for name in ("devto", "hashnode")
    }
    for name in ("devto", "hashnode"):
        (copy,) = sandbox.fakes[name].copies("https://blog.example.com/posts/post-001/")
        assert NEW_URL in json.dumps(copy) and OLD_URL not in json.dumps(copy), name
    assert _statuses(run_cli("publish", "--json", env=env, cwd=root)) == {}
