"""Saving the records: commit and push back, races settled by a JSON-aware merge, a records
branch for protected default branches, an artifact when every push fails."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from crosspost.action import BOT_EMAIL, BOT_NAME, ActionError, ActionRun
from crosspost.api import dump_records, merge_records, parse_records
from crosspost.config import load_config
from crosspost.publisher import Report
from crosspost.records import Entry, Records, State

from ..records_view import records_view
from .helpers import Remote, actions_env, event_file, git, parse_outputs

TOML = '[site]\nurl = "https://blog.example.com"\ncontent = "posts"\nsince = 2024-01-01\n'
RECORDS = ".crosspost/records.json"
BRANCH = "crosspost-records"


def url(slug: str) -> str:
    return f"https://blog.example.com/posts/{slug}/"


def entry(state: str, at: str, **extra: Any) -> dict[str, Any]:
    return {"state": state, "at": at, **extra}


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    remote = Remote.create(tmp_path)
    (remote.author / "crosspost.toml").write_text(TOML)
    (remote.author / "posts").mkdir()
    (remote.author / "posts" / "a.md").write_text("---\ntitle: A\n---\nA\n")
    remote.push("initial")
    return remote


def start(tmp: Path, workspace: Path, **options: Any) -> tuple[ActionRun, io.StringIO]:
    event = event_file(tmp, "push", before="0" * 40, after=git(workspace, "rev-parse", "HEAD"))
    env = actions_env(tmp, workspace, event="push", event_path=event)
    out = io.StringIO()
    run = ActionRun.start(env, load_config(workspace / "crosspost.toml"), out=out, **options)
    run.sync.sleep = lambda seconds: None
    return run, out


def publish(
    workspace: Path, slug: str, platform: str = "devto", state: State = "published"
) -> None:
    """What the publisher leaves behind: an entry written through crosspost.records."""
    with Records.open(workspace / RECORDS) as records:
        records.put(url(slug), platform, Entry(state, id=f"id-{slug}"), source=f"posts/{slug}.md")


def origin_records(remote: Remote, ref: str = "main") -> dict[str, Any]:
    return records_view(git(remote.origin, "show", f"{ref}:{RECORDS}"))


# --------------------------------------------------------------------------- the merge


def merge_json(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """`merge_records` on two documents as JSON, through the one records codec."""
    both = (parse_records(json.dumps(side).encode()) for side in (ours, theirs))
    return records_view(dump_records(merge_records(*both)))


def test_merge_keeps_every_entry_and_prefers_published_then_newer() -> None:
    ours = {
        "version": 1,
        "accounts": {"hashnode": {"publication": "p1", "mine": 1}},
        "posts": {
            url("a"): {
                "source": "posts/a.md",
                "platforms": {
                    "devto": entry("published", "2024-05-01T10:00:00Z", id="1"),
                    "mastodon": entry("pending", "2024-05-01T10:00:00Z", key="k1"),
                },
            },
            url("b"): {"platforms": {"devto": entry("published", "2024-05-01T09:00:00Z", id="2")}},
        },
    }
    theirs = {
        "version": 1,
        "accounts": {"hashnode": {"publication": "p0", "theirs": 2}},
        "posts": {
            url("a"): {
                "source": "posts/old-a.md",
                "platforms": {
                    "devto": entry("pending", "2024-05-02T10:00:00Z", key="k0"),
                    "mastodon": entry("published", "2024-04-01T10:00:00Z", id="9"),
                    "hashnode": entry("published", "2024-04-01T10:00:00Z", id="h"),
                },
            },
            url("b"): {"platforms": {"devto": entry("published", "2024-05-01T09:30:00Z", id="3")}},
            url("c"): {"platforms": {"medium": entry("unknown", "2024-05-01T09:00:00Z")}},
        },
    }
    merged = merge_json(ours, theirs)
    a = merged["posts"][url("a")]
    assert a["source"] == "posts/a.md"
    assert a["platforms"]["devto"]["id"] == "1"  # published beats a newer pending
    assert a["platforms"]["mastodon"]["id"] == "9"  # …from either side
    assert a["platforms"]["hashnode"]["id"] == "h"  # only theirs had it
    assert merged["posts"][url("b")]["platforms"]["devto"]["id"] == "3"  # newer `at` wins
    assert merged["posts"][url("c")]["platforms"]["medium"]["state"] == "unknown"
    assert merged["accounts"]["hashnode"] == {"publication": "p1", "mine": 1, "theirs": 2}
    assert merge_json(theirs, ours)["posts"][url("a")]["platforms"]["devto"]["id"] == "1"


def test_merge_tie_keeps_ours() -> None:
    same = "2024-05-01T10:00:00Z"
    ours = {
        "version": 1,
        "posts": {url("a"): {"platforms": {"devto": entry("published", same, id="ours")}}},
    }
    theirs = {
        "version": 1,
        "posts": {url("a"): {"platforms": {"devto": entry("published", same, id="theirs")}}},
    }
    assert merge_json(ours, theirs)["posts"][url("a")]["platforms"]["devto"]["id"] == "ours"


# --------------------------------------------------------------------------- the checked-out branch


def test_records_are_committed_by_the_bot_and_pushed(tmp_path: Path, remote: Remote) -> None:
    workspace = remote.checkout(tmp_path / "ws")
    run, _ = start(tmp_path, workspace)
    publish(workspace, "a")
    assert run.finish(Report()) == 0
    log = git(remote.origin, "log", "-1", "--format=%an <%ae>|%s", "main")
    assert log == f"{BOT_NAME} <{BOT_EMAIL}>|chore(crosspost): update records [skip ci]"
    files = git(remote.origin, "show", "--name-only", "--format=", "main").split()
    assert sorted(files) == [".crosspost/.gitignore", RECORDS]
    assert origin_records(remote)["posts"][url("a")]["platforms"]["devto"]["id"] == "id-a"
    summary = Path(run.env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "**Records:** committed as " in summary and "to main" in summary

    again, _ = start(tmp_path, workspace)
    tip = remote.head()
    assert again.finish(Report()) == 0
    assert remote.head() == tip  # unchanged records: no empty commit
    assert "**Records:** unchanged" in Path(again.env["GITHUB_STEP_SUMMARY"]).read_text()


def test_no_commit_when_commit_records_is_off(tmp_path: Path, remote: Remote) -> None:
    workspace = remote.checkout(tmp_path / "ws")
    run, _ = start(tmp_path, workspace, commit_records=False)
    publish(workspace, "a")
    tip = remote.head()
    assert run.finish(Report()) == 0
    assert remote.head() == tip


def test_a_race_with_another_push_is_rebased(tmp_path: Path, remote: Remote) -> None:
    workspace = remote.checkout(tmp_path / "ws")
    run, _ = start(tmp_path, workspace, records_message="records [skip ci]")
    publish(workspace, "a")
    (remote.author / "posts" / "b.md").write_text("---\ntitle: B\n---\nB\n")
    remote.push("someone merged meanwhile")
    assert run.finish(Report()) == 0
    subjects = git(remote.origin, "log", "--format=%s", "main").splitlines()
    assert subjects[:2] == ["records [skip ci]", "someone merged meanwhile"]
    assert url("a") in origin_records(remote)["posts"]


def test_a_race_on_the_records_themselves_merges_the_json(tmp_path: Path, remote: Remote) -> None:
    workspace = remote.checkout(tmp_path / "ws")
    run, _ = start(tmp_path, workspace)
    publish(workspace, "a")
    publish(workspace, "shared", "mastodon", state="pending")
    # Meanwhile someone published elsewhere and pushed their records.
    publish(remote.author, "b")
    publish(remote.author, "shared", "mastodon")
    remote.push("records from a laptop")
    assert run.finish(Report()) == 0
    posts = origin_records(remote)["posts"]
    assert set(posts) == {url("a"), url("b"), url("shared")}
    assert posts[url("shared")]["platforms"]["mastodon"]["state"] == "published"
    assert not (workspace / ".git" / "rebase-merge").exists()


def test_a_rejected_push_keeps_the_records_as_an_artifact(tmp_path: Path, remote: Remote) -> None:
    hook = remote.origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'GH006: Protected branch update failed' >&2\nexit 1\n")
    hook.chmod(0o755)
    workspace = remote.checkout(tmp_path / "ws")
    run, out = start(tmp_path, workspace)
    publish(workspace, "a")
    assert run.finish(Report()) == 1
    kept = Path(run.env["RUNNER_TEMP"]) / "crosspost-records" / "records.json"
    assert records_view(kept.read_text())["posts"][url("a")]["platforms"]["devto"]["id"] == "id-a"
    outputs = parse_outputs(Path(run.env["GITHUB_OUTPUT"]).read_text())
    assert outputs["records-artifact"] == str(kept.parent)
    error = next(line for line in out.getvalue().splitlines() if "records not saved" in line)
    assert error.startswith("::error title=crosspost%3A records not saved::")
    assert "crosspost-records-4242-1" in error and "records-branch" in error
    summary = Path(run.env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "**Records:** **not saved**" in summary


def test_interrupted_run_saves_what_was_published(tmp_path: Path, remote: Remote) -> None:
    workspace = remote.checkout(tmp_path / "ws")
    run, out = start(tmp_path, workspace)
    publish(workspace, "a")
    publish(workspace, "b", state="pending")
    assert run.interrupted() == 130
    platforms = origin_records(remote)["posts"]
    assert platforms[url("b")]["platforms"]["devto"]["state"] == "pending"
    assert "cancelled" in out.getvalue()
    assert "### crosspost: cancelled" in Path(run.env["GITHUB_STEP_SUMMARY"]).read_text()


def test_records_wait_aside_until_the_push_succeeded(tmp_path: Path, remote: Remote) -> None:
    """A cancelled job is killed a few seconds after the cancel, maybe in the middle of the push:
    the records must already be where the cancelled-job artifact step uploads them from."""
    workspace = remote.checkout(tmp_path / "ws")
    run, _ = start(tmp_path, workspace)
    copy = Path(run.env["RUNNER_TEMP"]) / "crosspost-records" / "records.json"
    seen = tmp_path / "copy-seen-during-push"
    hook = remote.origin / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\ncat >/dev/null\ncp '{copy}' '{seen}'\n")
    hook.chmod(0o755)
    publish(workspace, "a")
    assert run.interrupted() == 130
    assert url("a") in json.loads(seen.read_text())["posts"]
    assert not copy.exists()  # pushed: nothing left for the artifact step to upload
    assert url("a") in origin_records(remote)["posts"]


def test_git_and_its_hooks_never_see_the_tokens(
    tmp_path: Path, remote: Remote, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = "tok-canary-7f3a91"
    monkeypatch.setenv("CROSSPOST_DEVTO_TOKEN", canary)
    dump = tmp_path / "hook-env"
    hook = remote.origin / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\ncat >/dev/null\nenv > '{dump}'\n")
    hook.chmod(0o755)
    workspace = remote.checkout(tmp_path / "ws")
    run, _ = start(tmp_path, workspace)
    publish(workspace, "a")
    assert run.finish(Report()) == 0
    seen = dump.read_text()
    assert "GIT_" in seen  # the hook ran, with git's environment
    assert canary not in seen and "CROSSPOST_DEVTO_TOKEN" not in seen


def rerun_checkout(remote: Remote, target: Path, sha: str) -> Path:
    """What actions/checkout does when an older run is re-run: main, at that run's commit."""
    workspace = remote.checkout(target)
    git(workspace, "checkout", "-q", "-B", "main", sha)
    return workspace


def test_a_rerun_of_an_older_commit_reads_the_newer_records(tmp_path: Path, remote: Remote) -> None:
    old = remote.head()
    first = remote.checkout(tmp_path / "ws1")
    run, _ = start(tmp_path, first)
    publish(first, "a")
    run.finish(Report())  # the bot's records commit now sits on top of `old`
    workspace = rerun_checkout(remote, tmp_path / "ws2", old)
    assert not (workspace / RECORDS).exists()
    rerun, _ = start(tmp_path, workspace)
    assert rerun.superseded is None
    assert url("a") in json.loads((workspace / RECORDS).read_text())["posts"]


def test_a_rerun_behind_changed_posts_is_skipped(tmp_path: Path, remote: Remote) -> None:
    old = remote.head()
    (remote.author / "posts" / "a.md").write_text("---\ntitle: A\n---\nEdited.\n")
    _, new = remote.push("edit a post")
    workspace = rerun_checkout(remote, tmp_path / "ws", old)
    run, out = start(tmp_path, workspace)
    assert run.superseded is not None and f"moved on to {new[:7]}" in run.superseded
    assert run.skip() == 0
    assert out.getvalue().splitlines()[-1].startswith("::notice title=crosspost%3A skipped::")
    outputs = parse_outputs(Path(run.env["GITHUB_OUTPUT"]).read_text())
    assert outputs["published"] == "[]"
    assert "### crosspost: skipped" in Path(run.env["GITHUB_STEP_SUMMARY"]).read_text()


def test_a_branch_that_cannot_be_fetched_stops_the_run(tmp_path: Path, remote: Remote) -> None:
    """Without the branch's newest records a queued run could post again what the run before it
    published: it must stop, not publish from stale records."""
    workspace = remote.checkout(tmp_path / "ws")
    git(workspace, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    with pytest.raises(ActionError, match="cannot fetch origin/main") as caught:
        start(tmp_path, workspace)
    assert caught.value.hint is not None and "post twice" in caught.value.hint


def test_a_first_run_without_since_is_refused(tmp_path: Path, remote: Remote) -> None:
    (remote.author / "crosspost.toml").write_text(TOML.replace("since = 2024-01-01\n", ""))
    remote.push("forgot site.since")
    workspace = remote.checkout(tmp_path / "ws")
    with pytest.raises(ActionError, match=r"site\.since is not set") as caught:
        start(tmp_path, workspace)
    assert caught.value.hint is not None and "1970-01-01" in caught.value.hint
    # A dry run may look at what would happen, with a warning.
    _, out = start(tmp_path, workspace, dry_run=True)
    assert out.getvalue().startswith("::warning title=crosspost::site.since is not set")
    # Once the records hold a post, it is no first run any more.
    publish(workspace, "a")
    start(tmp_path, workspace)


# --------------------------------------------------------------------------- a records branch


def test_records_branch_is_created_then_read_back(tmp_path: Path, remote: Remote) -> None:
    main_tip = remote.head()
    first = remote.checkout(tmp_path / "ws1")
    run, _ = start(tmp_path, first, records_branch=BRANCH)
    assert any("does not exist yet" in note for note in run.notes)
    assert not (first / RECORDS).exists()  # nothing created at start
    publish(first, "a")
    assert run.finish(Report()) == 0
    assert remote.head() == main_tip  # the protected branch is untouched
    tree = git(remote.origin, "ls-tree", "-r", "--name-only", BRANCH).split()
    assert tree == [RECORDS]
    assert git(remote.origin, "rev-list", "--count", BRANCH) == "1"  # an orphan branch
    assert url("a") in origin_records(remote, BRANCH)["posts"]

    second = remote.checkout(tmp_path / "ws2")
    run2, _ = start(tmp_path, second, records_branch=BRANCH)
    assert url("a") in json.loads((second / RECORDS).read_text())["posts"]
    publish(second, "b")
    assert run2.finish(Report()) == 0
    assert git(remote.origin, "rev-list", "--count", BRANCH) == "2"
    assert set(origin_records(remote, BRANCH)["posts"]) == {url("a"), url("b")}


def test_records_branch_race_is_merged(tmp_path: Path, remote: Remote) -> None:
    seed = remote.checkout(tmp_path / "seed")
    run, _ = start(tmp_path, seed, records_branch=BRANCH)
    publish(seed, "a")
    run.finish(Report())

    workspace = remote.checkout(tmp_path / "ws")
    slow, _ = start(tmp_path, workspace, records_branch=BRANCH)
    publish(workspace, "slow")
    other = remote.checkout(tmp_path / "other")
    fast, _ = start(tmp_path, other, records_branch=BRANCH)
    publish(other, "fast")
    assert fast.finish(Report()) == 0
    assert slow.finish(Report()) == 0
    assert set(origin_records(remote, BRANCH)["posts"]) == {url("a"), url("fast"), url("slow")}


@pytest.mark.parametrize(
    ("branch", "error"),
    [
        ("bad..name", "not a valid branch name"),
        ("main", "is the branch being published"),
        ("gh-pages", "holds other files than the records"),
    ],
)
def test_records_branch_must_be_a_branch_of_its_own(
    tmp_path: Path, remote: Remote, branch: str, error: str
) -> None:
    git(remote.author, "push", "-q", "origin", "HEAD:refs/heads/gh-pages")  # a real site branch
    workspace = remote.checkout(tmp_path / "ws")
    with pytest.raises(ActionError, match=error):
        start(tmp_path, workspace, records_branch=branch)


def test_ignored_records_are_committed_with_a_warning(tmp_path: Path, remote: Remote) -> None:
    (remote.author / ".gitignore").write_text(".crosspost/\n")
    remote.push("ignore the records (a mistake)")
    workspace = remote.checkout(tmp_path / "ws")
    run, out = start(tmp_path, workspace)
    publish(workspace, "a")
    assert run.finish(Report()) == 0
    assert url("a") in origin_records(remote)["posts"]
    assert f"::warning file={RECORDS},title=crosspost::" in out.getvalue()


def test_the_action_writes_the_records_as_the_cli_does(tmp_path: Path, remote: Remote) -> None:
    """Two runs race on a records branch and the Action merges them; the CLI's locked write,
    given the same two writers' records, writes the same bytes (one codec, one merge)."""
    workspace = remote.checkout(tmp_path / "ws")
    slow, _ = start(tmp_path, workspace, records_branch=BRANCH)
    publish(workspace, "a")
    publish(workspace, "shared", "mastodon", state="pending")
    ours = (workspace / RECORDS).read_bytes()
    other = remote.checkout(tmp_path / "other")
    fast, _ = start(tmp_path, other, records_branch=BRANCH)
    publish(other, "b")
    publish(other, "shared", "mastodon")
    theirs = (other / RECORDS).read_bytes()
    assert fast.finish(Report()) == 0
    assert slow.finish(Report()) == 0
    pushed = subprocess.run(
        ["git", "show", f"{BRANCH}:{RECORDS}"], cwd=remote.origin, capture_output=True, check=True
    ).stdout

    cli = tmp_path / "cli" / RECORDS
    with Records.open(cli) as records:
        cli.write_bytes(theirs)  # the other writer, after this one read the (absent) file
        with records.bulk():
            for url_, post in parse_records(ours).posts.items():
                for name, entry_ in post.platforms.items():
                    records.put(url_, name, entry_, source=post.source)
    assert cli.read_bytes() == pushed
    assert set(json.loads(pushed)["posts"]) == {url("a"), url("b"), url("shared")}


# --------------------------------------------------------------------------- three-way, as the CLI


def write_records(workspace: Path, posts: dict[str, Any]) -> None:
    (workspace / RECORDS).parent.mkdir(parents=True, exist_ok=True)
    (workspace / RECORDS).write_bytes(
        dump_records(parse_records(json.dumps({"version": 1, "posts": posts}).encode()))
    )


def seeded(tmp_path: Path, remote: Remote, posts: dict[str, Any]) -> Path:
    write_records(remote.author, posts)
    remote.push("records")
    return remote.checkout(tmp_path / "ws")


def test_a_race_after_a_move_brings_no_old_url_back(tmp_path: Path, remote: Remote) -> None:
    """This run moved a post (slug change) while another run added its mastodon entry at the
    old URL: the rebase merges three-way from git's common ancestor, so the old URL does not
    come back beside the new one and the other run's entry follows the post."""
    devto = entry("published", "2024-05-01T10:00:00Z", id="d")
    before = {"platforms": {"devto": devto}, "source": "posts/old.md"}
    workspace = seeded(tmp_path, remote, {url("old"): before})
    run, _ = start(tmp_path, workspace)
    updated = {**devto, "at": "2024-05-03T10:00:00Z"}  # both update devto: a text conflict
    write_records(workspace, {url("new"): {"platforms": {"devto": updated}}})
    toot = entry("published", "2024-05-01T11:00:00Z", id="m")
    theirs_devto = {**devto, "at": "2024-05-02T10:00:00Z"}
    theirs = {"platforms": {"devto": theirs_devto, "mastodon": toot}, "source": "posts/old.md"}
    write_records(remote.author, {url("old"): theirs})
    remote.push("records from a laptop")
    assert run.finish(Report()) == 0
    posts = origin_records(remote)["posts"]
    assert set(posts) == {url("new")}
    # The carried toot still links the old URL until its update lands (ownership.urls_of).
    carried = {**toot, "was": url("old")}
    assert posts[url("new")]["platforms"] == {"devto": updated, "mastodon": carried}


def test_a_newer_gone_is_not_turned_back_into_published(tmp_path: Path, remote: Remote) -> None:
    published = entry("published", "2024-05-01T10:00:00Z", id="d")
    workspace = seeded(tmp_path, remote, {url("a"): {"platforms": {"devto": published}}})
    run, _ = start(tmp_path, workspace)
    gone = entry("gone", "2024-05-02T10:00:00Z", id="d")
    write_records(workspace, {url("a"): {"platforms": {"devto": gone}}})
    updated = entry("published", "2024-05-01T12:00:00Z", id="d", hash="h2")
    write_records(remote.author, {url("a"): {"platforms": {"devto": updated}}})
    remote.push("records from a laptop")
    assert run.finish(Report()) == 0
    assert origin_records(remote)["posts"][url("a")]["platforms"]["devto"]["state"] == "gone"


def test_a_clean_text_merge_of_the_records_is_redone_as_json(
    tmp_path: Path, remote: Remote
) -> None:
    """Git merges two changes to one entry line by line when they touch lines apart: the result
    is a hybrid no writer wrote. After the pull the JSON merge is redone and our commit amended."""
    base = entry("published", "2024-05-01T10:00:00Z", id="d", url="https://dev.to/x/1")
    workspace = seeded(tmp_path, remote, {url("a"): {"platforms": {"devto": base}}})
    run, _ = start(tmp_path, workspace)
    ours = {**base, "at": "2024-05-03T10:00:00Z"}  # an update, newer
    write_records(workspace, {url("a"): {"platforms": {"devto": ours}}})
    theirs = {**base, "url": "https://dev.to/x/1-b"}  # an older change of another line
    write_records(remote.author, {url("a"): {"platforms": {"devto": theirs}}})
    remote.push("records from a laptop")
    assert run.finish(Report()) == 0
    assert origin_records(remote)["posts"][url("a")]["platforms"]["devto"] == ours


def test_records_the_action_cannot_read_are_named_with_their_line() -> None:
    """A post written twice (a conflict resolved by keeping both lines) in the records another
    run pushed: the error names where and at which line, as the CLI's does."""
    from crosspost.action.sync import parse

    text = '{"version": 3,\n"posts": {\n"https://b.example/a/": ["a.md",null,{}],\n'
    text += '"https://b.example/a/": ["a.md",null,{}]\n}}\n'
    with pytest.raises(ActionError, match=r"^origin/main:4: .*written twice"):
        parse(text, "origin/main")
