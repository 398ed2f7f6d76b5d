"""Issue 17, moves that never duplicate from the CLI, end to end (the real script, fakes on
127.0.0.1, a real git checkout): a renamed and edited post is followed through git's rename
with the Action's rule (crosspost/renames.py), and a rename nobody can prove is named by the
dry run with the `crosspost records move` command that settles it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from crosspost.sandbox import Sandbox

from .blogs import crosspost_env, run_cli, sandbox_blog

ALL = ["devto", "hashnode", "medium", "mastodon"]
OLD_URL = "https://blog.example.com/posts/post-000/"
NEW_URL = "https://blog.example.com/posts/a-better-name/"


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def published(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> tuple[Path, Sandbox, dict[str, str]]:
    """A blog in a git checkout, its three posts published everywhere, records committed."""
    sandbox = sandbox_factory(ALL)
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=3)
    env = crosspost_env(sandbox)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "author@example.com")
    git(root, "config", "user.name", "Author")
    assert run_cli("publish", env=env, cwd=root).returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "posts and records")
    return root, sandbox, env


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
