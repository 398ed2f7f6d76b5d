"""What a push changed: first push, ordinary push, rename, delete, merge, force-push, shallow
clone, manual runs. Only reported; what gets published never depends on it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from crosspost.action import ActionError, ActionRun, Change, ChangeKind
from crosspost.config import load_config
from crosspost.errors import SourceError
from crosspost.publisher import Report, Result, Status
from crosspost.records import Entry, Records

from .helpers import ZERO, Remote, actions_env, commit, event_file, git

TOML = '[site]\nurl = "https://blog.example.com"\ncontent = "posts"\nsince = 2024-01-01\n'


def post(title: str, body: str = "") -> str:
    """A post whose text is its own (git's rename detection pairs files by similarity)."""
    text = body or " ".join(f"{title}{i}" for i in range(40))
    return f"---\ntitle: {title}\npublished: 2024-05-01\n---\n\n{text}\n"


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    remote = Remote.create(tmp_path)
    blog = remote.author
    (blog / "crosspost.toml").write_text(TOML)
    (blog / "posts").mkdir()
    (blog / "posts" / "a.md").write_text(post("A"))
    (blog / "posts" / "b.md").write_text(post("B"))
    (blog / "README.md").write_text("my blog\n")
    remote.push("initial")
    return remote


def start(tmp: Path, workspace: Path, event: str = "push", **payload: object) -> ActionRun:
    env = actions_env(tmp, workspace, event=event, event_path=event_file(tmp, event, **payload))
    config = load_config(workspace / "crosspost.toml")
    return ActionRun.start(env, config, out=io.StringIO())


def report_for(run: ActionRun, *names: str) -> Report:
    """A report as the publisher gives it: one result per post file crosspost read."""
    return Report(
        tuple(
            Result(str(run.repo / name), "devto", Status.UNCHANGED, "unchanged") for name in names
        )
    )


def test_first_push_counts_every_post_at_head_as_added(tmp_path: Path, remote: Remote) -> None:
    workspace = remote.checkout(tmp_path / "ws")
    run = start(tmp_path, workspace, before=ZERO, after=remote.head(), commits=[{}])
    assert run.first_push
    changed = run.changed_posts(report_for(run, "posts/a.md", "posts/b.md"))
    assert changed == [
        Change(ChangeKind.ADDED, "posts/a.md"),
        Change(ChangeKind.ADDED, "posts/b.md"),
    ]


def test_push_reports_added_modified_deleted_posts_and_ignores_other_files(
    tmp_path: Path, remote: Remote
) -> None:
    blog = remote.author
    (blog / "posts" / "a.md").write_text(post("A", "Edited."))
    (blog / "posts" / "c.md").write_text(post("C"))
    (blog / "posts" / "b.md").unlink()
    (blog / "posts" / "diagram.png").write_bytes(b"\x89PNG")
    (blog / "README.md").write_text("my blog, now with a README change\n")
    before, after = remote.push("edit")
    workspace = remote.checkout(tmp_path / "ws")
    run = start(tmp_path, workspace, before=before, after=after, commits=[{}])
    assert run.changes is not None
    assert {c.path for c in run.changes} == {
        "posts/a.md",
        "posts/b.md",
        "posts/c.md",
        "posts/diagram.png",
        "README.md",
    }
    changed = run.changed_posts(report_for(run, "posts/a.md", "posts/c.md"))
    assert changed is not None
    assert sorted(changed, key=lambda c: c.path) == [
        Change(ChangeKind.MODIFIED, "posts/a.md"),
        Change(ChangeKind.DELETED, "posts/b.md"),
        Change(ChangeKind.ADDED, "posts/c.md"),
    ]


def test_rename_is_reported_with_its_old_path(tmp_path: Path, remote: Remote) -> None:
    blog = remote.author
    (blog / "posts" / "2024").mkdir()
    git(blog, "mv", "posts/a.md", "posts/2024/a.md")
    before, after = remote.push("move")
    workspace = remote.checkout(tmp_path / "ws")
    run = start(tmp_path, workspace, before=before, after=after, commits=[{}])
    changed = run.changed_posts(report_for(run, "posts/2024/a.md", "posts/b.md"))
    assert changed == [Change(ChangeKind.RENAMED, "posts/2024/a.md", "posts/a.md", 100)]


def test_a_rename_with_edits_is_told_to_the_records(tmp_path: Path, remote: Remote) -> None:
    """Only git knows that an edited file was renamed: the records learn the post's new file,
    so the publisher moves the post instead of posting it again (never in a dry run)."""
    blog, url = remote.author, "https://blog.example.com/posts/a/"
    with Records.open(blog / ".crosspost" / "records.json") as records:
        records.put(url, "devto", Entry("published", id="1"), source="posts/a.md")
    remote.push("records")
    git(blog, "mv", "posts/a.md", "posts/c.md")
    (blog / "posts" / "c.md").write_text(post("A") + "One more line.\n")
    before, after = remote.push("rename and edit")
    workspace = remote.checkout(tmp_path / "ws")
    env = actions_env(
        tmp_path,
        workspace,
        event="push",
        event_path=event_file(tmp_path, "push", before=before, after=after, commits=[{}]),
    )
    config = load_config(workspace / "crosspost.toml")
    dry = ActionRun.start(env, config, out=io.StringIO(), dry_run=True)
    assert dry.renamed_from == {}
    assert Records.read(config.records).source_of(url) == "posts/a.md"
    run = ActionRun.start(env, config, out=io.StringIO())
    assert run.renamed_from == {"posts/c.md": url}
    assert Records.read(config.records).source_of(url) == "posts/c.md"


def test_merge_commit_reports_what_the_merge_brought(tmp_path: Path, remote: Remote) -> None:
    blog = remote.author
    before = remote.head()
    git(blog, "checkout", "-q", "-b", "feature")
    (blog / "posts" / "d.md").write_text(post("D"))
    commit(blog, "new post on a branch")
    git(blog, "checkout", "-q", "main")
    (blog / "posts" / "b.md").write_text(post("B", "Fixed a typo."))
    commit(blog, "typo on main")
    git(blog, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    git(blog, "push", "-q", "origin", "main")
    workspace = remote.checkout(tmp_path / "ws")
    run = start(tmp_path, workspace, before=before, after=remote.head(), commits=[{}, {}, {}])
    changed = run.changed_posts(report_for(run, "posts/a.md", "posts/b.md", "posts/d.md"))
    assert changed is not None
    assert sorted(changed, key=lambda c: c.path) == [
        Change(ChangeKind.MODIFIED, "posts/b.md"),
        Change(ChangeKind.ADDED, "posts/d.md"),
    ]


def test_force_push_fetches_the_old_tip_to_compare(tmp_path: Path, remote: Remote) -> None:
    blog = remote.author
    (blog / "posts" / "c.md").write_text(post("C"))
    _, old_tip = remote.push("post C, soon rewritten")
    git(blog, "reset", "-q", "--hard", "HEAD~1")
    (blog / "posts" / "e.md").write_text(post("E"))
    new_tip = commit(blog, "post E instead")
    git(blog, "push", "-q", "-f", "origin", "main")
    workspace = remote.checkout(tmp_path / "ws")  # the clone never saw old_tip
    run = start(tmp_path, workspace, before=old_tip, after=new_tip, forced=True, commits=[{}])
    assert any("force-push" in note for note in run.notes)
    changed = run.changed_posts(report_for(run, "posts/a.md", "posts/b.md", "posts/e.md"))
    assert changed is not None
    assert sorted(changed, key=lambda c: c.path) == [
        Change(ChangeKind.DELETED, "posts/c.md"),
        Change(ChangeKind.ADDED, "posts/e.md"),
    ]


def test_unknown_before_falls_back_to_publishing_by_records(tmp_path: Path, remote: Remote) -> None:
    workspace = remote.checkout(tmp_path / "ws")
    gone = "1234567890abcdef1234567890abcdef12345678"  # garbage-collected on the server
    run = start(tmp_path, workspace, before=gone, after=remote.head(), forced=True, commits=[])
    assert run.changes is None
    assert run.changed_posts(report_for(run, "posts/a.md")) is None
    assert any("could not tell what this push changed" in note for note in run.notes)
    assert run.sources() == [workspace.resolve() / "posts"]


def test_shallow_clone_deepens_to_find_the_push_base(tmp_path: Path, remote: Remote) -> None:
    blog = remote.author
    before = remote.head()
    (blog / "posts" / "c.md").write_text(post("C"))
    commit(blog, "one")
    (blog / "posts" / "a.md").write_text(post("A", "Edited."))
    _, after = remote.push("two")
    workspace = remote.checkout(tmp_path / "ws", depth=1)
    assert git(workspace, "rev-parse", "--is-shallow-repository") == "true"
    run = start(tmp_path, workspace, before=before, after=after, commits=[{}, {}])
    assert run.changes is not None
    assert {(c.kind, c.path) for c in run.changes} == {
        (ChangeKind.ADDED, "posts/c.md"),
        (ChangeKind.MODIFIED, "posts/a.md"),
    }


def test_sources_are_every_post_at_head_not_the_pushed_files(
    tmp_path: Path, remote: Remote
) -> None:
    (remote.author / "README.md").write_text("only the README\n")
    before, after = remote.push("readme")
    workspace = remote.checkout(tmp_path / "ws")
    run = start(tmp_path, workspace, before=before, after=after, commits=[{}])
    assert run.sources() == [workspace.resolve() / "posts"]
    assert run.changed_posts(report_for(run, "posts/a.md", "posts/b.md")) == []


def test_workflow_dispatch_path_is_the_source(tmp_path: Path, remote: Remote) -> None:
    workspace = remote.checkout(tmp_path / "ws")
    run = start(tmp_path, workspace, "workflow_dispatch", inputs={"path": " posts/a.md "})
    assert run.sources() == [workspace.resolve() / "posts" / "a.md"]
    assert run.changes is None and not run.first_push
    everything = start(tmp_path, workspace, "workflow_dispatch", inputs={"path": ""})
    assert everything.sources() == [workspace.resolve() / "posts"]


@pytest.mark.parametrize("path", ["../outside.md", "posts/missing.md", "/etc/passwd"])
def test_workflow_dispatch_path_must_be_in_the_repository(
    tmp_path: Path, remote: Remote, path: str
) -> None:
    workspace = remote.checkout(tmp_path / "ws")
    run = start(tmp_path, workspace, "workflow_dispatch", inputs={"path": path})
    with pytest.raises(ActionError, match="not a file or folder in the repository"):
        run.sources()


def test_other_events_report_no_push(tmp_path: Path, remote: Remote) -> None:
    workspace = remote.checkout(tmp_path / "ws")
    run = start(tmp_path, workspace, "schedule", schedule="0 * * * *")
    assert run.changes is None
    assert run.notes == ["triggered by schedule: no push to report"]


def test_unreadable_posts_count_as_posts_of_the_push(tmp_path: Path, remote: Remote) -> None:
    (remote.author / "posts" / "broken.md").write_text("---\ntitle: [\n---\n")
    before, after = remote.push("a broken post")
    workspace = remote.checkout(tmp_path / "ws")
    run = start(tmp_path, workspace, before=before, after=after, commits=[{}])
    broken = SourceError("bad YAML", path=workspace / "posts" / "broken.md", line=2)
    changed = run.changed_posts(Report(errors=(broken,)))
    assert changed == [Change(ChangeKind.ADDED, "posts/broken.md")]


def test_a_broken_event_file_is_an_error(tmp_path: Path, remote: Remote) -> None:
    workspace = remote.checkout(tmp_path / "ws")
    env = actions_env(tmp_path, workspace, event="push", event_path=tmp_path / "nope.json")
    with pytest.raises(ActionError, match="cannot read the event file"):
        ActionRun.start(env, load_config(workspace / "crosspost.toml"), out=io.StringIO())


def test_a_new_post_git_pairs_with_a_deleted_one_is_not_taken_for_a_rename(
    tmp_path: Path, remote: Remote
) -> None:
    """Two release notes from one template share half their lines: git calls deleting one and
    adding the other a rename (R050+). Neither the text (under 90 %) nor the title agree, so
    the records of the old post stay where they are and the new one is a new post."""
    blog, url = remote.author, "https://blog.example.com/posts/release-1-2/"
    template = "---\ntitle: Release {v}\n---\n" + "".join(
        f"Line {n} of the notes.\n" for n in range(8)
    )
    (blog / "posts" / "release-1-2.md").write_text(template.format(v="1.2") + "Fixed A.\n")
    remote.push("1.2")
    with Records.open(blog / ".crosspost" / "records.json") as records:
        records.put(url, "devto", Entry("published", id="1"), source="posts/release-1-2.md")
    remote.push("records")
    git(blog, "rm", "-q", "posts/release-1-2.md")
    (blog / "posts" / "release-1-3.md").write_text(template.format(v="1.3") + "Fixed B.\n")
    before, after = remote.push("1.3 replaces 1.2")
    workspace = remote.checkout(tmp_path / "ws")
    run = start(tmp_path, workspace, before=before, after=after, commits=[{}])
    (change,) = [c for c in run.changes or () if c.kind is ChangeKind.RENAMED]
    assert change.similarity is not None and 50 <= change.similarity < 90
    assert run.renamed_from == {}
    assert Records.read(run.config.records).source_of(url) == "posts/release-1-2.md"
