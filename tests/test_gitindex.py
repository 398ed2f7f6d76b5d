"""The no-op fast path in a git checkout (crosspost.gitindex): a post git's index vouches for is
skipped unread, and nothing git cannot vouch for is ever taken as unchanged.

Each end-to-end test publishes a post, changes it the way a writer would (committed, edited and
not staged, staged only, under a `.gitattributes` filter, renamed), and checks the next run
sends the change: were the index trusted where it must not be, the post would be "unchanged".
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crosspost.api import collect
from crosspost.config import load_config
from crosspost.errors import RecordsError
from crosspost.gitindex import IndexReading, blob_id, read_index
from crosspost.plan import file_hash
from crosspost.publisher import Report, Status
from crosspost.records import Records
from crosspost.sandbox import Sandbox
from crosspost.testing import run_publish

from .blogs import sandbox_blog
from .records_view import records_view

PLATFORMS = ["devto", "hashnode"]
URL = "https://blog.example.com/posts/{}/"


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def write(root: Path, name: str, body: str = "Some text.") -> Path:
    path = root / "posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'---\ntitle: "{name}"\ndate: 2024-05-01\n---\n\n{body}\n', "utf-8")
    return path


def commit(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", "posts")


@pytest.fixture
def sandboxed(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Sandbox]:
    sandbox = sandbox_factory(PLATFORMS)
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    root = sandbox_blog(tmp_path / "blog", sandbox)
    git(root, "init", "-q")
    git(root, "config", "core.autocrlf", "false")
    return root, sandbox


@pytest.fixture
def blog(sandboxed: tuple[Path, Sandbox]) -> Path:
    return sandboxed[0]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the post files read from now on."""
    seen: list[str] = []
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.suffix == ".md":
            seen.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    return seen


def publish(root: Path, **options: Any) -> Report:
    sources, config = collect([root / "posts"], load_config(root / "crosspost.toml"))
    return run_publish(config, sources, **options)


def statuses(report: Report) -> dict[str, set[Status]]:
    found: dict[str, set[Status]] = {}
    for result in report.results:
        found.setdefault(Path(result.post).name, set()).add(result.status)
    return found


def published(root: Path, *names: str) -> None:
    for name in names:
        write(root, name)
    first = publish(root)
    assert {s for r in statuses(first).values() for s in r} == {Status.CREATED}
    commit(root)


def test_unchanged_posts_in_a_git_checkout_are_not_read(blog: Path, reads: list[str]) -> None:
    published(blog, "a.md", "b.md")
    reads.clear()
    report = publish(blog)
    assert statuses(report) == {"a.md": {Status.UNCHANGED}, "b.md": {Status.UNCHANGED}}
    assert reads == []
    entry = Records.read(blog / ".crosspost" / "records.json").get(URL.format("a"), "devto")
    assert entry is not None
    assert entry.blob == blob_id((blog / "posts" / "a.md").read_bytes())


def test_a_changed_and_committed_post_is_sent(blog: Path, reads: list[str]) -> None:
    published(blog, "a.md", "b.md")
    reads.clear()
    write(blog, "a.md", "Edited text.")
    commit(blog)
    report = publish(blog)
    assert statuses(report) == {"a.md": {Status.UPDATED}, "b.md": {Status.UNCHANGED}}
    assert reads == ["a.md"]


def test_a_post_changed_but_not_staged_is_sent(blog: Path) -> None:
    published(blog, "a.md")
    write(blog, "a.md", "Other text")  # the same size as "Some text.": only the bytes differ
    assert git(blog, "status", "--porcelain") == " M posts/a.md\n"
    assert statuses(publish(blog)) == {"a.md": {Status.UPDATED}}


def test_a_post_changed_in_the_index_only_is_sent(blog: Path) -> None:
    """A dirty index: the change is staged, not committed."""
    published(blog, "a.md")
    write(blog, "a.md", "Staged text.")
    git(blog, "add", "posts/a.md")
    assert statuses(publish(blog)) == {"a.md": {Status.UPDATED}}


def test_a_post_whose_index_entry_was_set_by_hand_is_read(blog: Path) -> None:
    """A dirty index the other way round: the index names the recorded blob (set with
    `update-index --cacheinfo`, as tools do), the file on disk is another."""
    published(blog, "a.md")
    recorded = git(blog, "rev-parse", "HEAD:posts/a.md").strip()
    write(blog, "a.md", "Other text")
    git(blog, "update-index", "--cacheinfo", f"100644,{recorded},posts/a.md")
    assert statuses(publish(blog)) == {"a.md": {Status.UPDATED}}


def test_a_post_under_a_smudge_filter_is_read(blog: Path) -> None:
    """An LFS-like filter: the index keeps what `clean` gives (the recorded blob), the working
    tree what `smudge` made of it. git calls the checkout clean; the bytes are not the blob's."""
    published(blog, "a.md")
    git(blog, "config", "filter.demo.smudge", "sed s/Some/Changed/")
    git(blog, "config", "filter.demo.clean", "sed s/Changed/Some/")
    (blog / ".gitattributes").write_text("*.md filter=demo\n", "utf-8")
    (blog / "posts" / "a.md").unlink()
    git(blog, "checkout", "--", "posts/a.md")
    assert "Changed text." in (blog / "posts" / "a.md").read_text("utf-8")
    assert git(blog, "status", "--porcelain", "posts") == ""
    assert statuses(publish(blog)) == {"a.md": {Status.UPDATED}}


def test_a_post_under_crlf_conversion_is_read(blog: Path, reads: list[str]) -> None:
    """`eol=crlf`: the working tree has CRLF line ends, the blob LF ones."""
    published(blog, "a.md", "b.md")
    reads.clear()
    (blog / ".gitattributes").write_text("a.md text eol=crlf\n", "utf-8")
    (blog / "posts" / "a.md").unlink()
    git(blog, "checkout", "--", "posts/a.md")
    assert b"\r\n" in (blog / "posts" / "a.md").read_bytes()
    reads.clear()
    assert statuses(publish(blog)) == {"a.md": {Status.UNCHANGED}, "b.md": {Status.UNCHANGED}}
    assert reads == ["a.md"]


def test_core_autocrlf_makes_every_post_read(blog: Path, reads: list[str]) -> None:
    published(blog, "a.md")
    reads.clear()
    git(blog, "config", "core.autocrlf", "true")
    assert statuses(publish(blog)) == {"a.md": {Status.UNCHANGED}}
    assert reads == ["a.md"]


def test_two_posts_that_swapped_files_are_both_sent(blog: Path) -> None:
    """A rename that keeps every blob git has: each path now holds the other's bytes."""
    published(blog, "a.md", "b.md")
    write(blog, "a.md", "Text of one.")
    write(blog, "b.md", "Text of two.")
    commit(blog)
    assert {s for r in statuses(publish(blog)).values() for s in r} == {Status.UPDATED}
    git(blog, "mv", "posts/a.md", "posts/c.md")
    git(blog, "mv", "posts/b.md", "posts/a.md")
    git(blog, "mv", "posts/c.md", "posts/b.md")
    commit(blog)
    assert statuses(publish(blog)) == {"a.md": {Status.UPDATED}, "b.md": {Status.UPDATED}}


def test_a_renamed_post_is_moved_not_taken_as_unchanged(blog: Path) -> None:
    published(blog, "a.md")
    git(blog, "mv", "posts/a.md", "posts/renamed.md")
    commit(blog)
    report = publish(blog)
    assert statuses(report) == {"renamed.md": {Status.UPDATED}}
    assert all("moved from" in r.message or r.url for r in report.results)


def test_records_without_blob_ids_get_them_on_the_next_run(blog: Path, reads: list[str]) -> None:
    """Records of an older crosspost (format 1 or 2: the file's sha256, no blob id): the first
    run reads the file and proves it unchanged by its sha256 without parsing it, and records
    its blob id (`plan.Refresh`); the next reads nothing."""
    published(blog, "a.md")
    reads.clear()
    path = blog / ".crosspost" / "records.json"
    sha256 = file_hash((blog / "posts" / "a.md").read_bytes())
    with Records.open(path) as records, records.bulk():
        for name in PLATFORMS:
            entry = records.get(URL.format("a"), name)
            assert entry is not None
            old = entry.evolve(blob=None, source=sha256)
            records.put(URL.format("a"), name, old, source="posts/a.md")
    reads.clear()
    assert statuses(publish(blog)) == {"a.md": {Status.UNCHANGED}}
    assert reads == ["a.md"]  # read once, for its blob id and sha256, never parsed
    refreshed = Records.read(path)
    for name in PLATFORMS:
        entry = refreshed.get(URL.format("a"), name)
        assert entry is not None and (entry.blob, entry.source) == (
            blob_id((blog / "posts" / "a.md").read_bytes()),
            None,
        )
    reads.clear()
    assert statuses(publish(blog)) == {"a.md": {Status.UNCHANGED}}
    assert reads == []


def test_a_format_2_file_of_256_bit_payload_hashes_updates_nothing(blog: Path) -> None:
    """Format 2 recorded 256-bit payload hashes; crosspost computes 128 bits now. Read back, the
    longer hash keeps the bits that are the shorter one, so an unchanged post is unchanged:
    even parsed (its file digests dropped, as after a rename), nothing is sent."""
    published(blog, "a.md", "b.md")
    path = blog / ".crosspost" / "records.json"
    view = records_view(path.read_bytes())
    for post in view["posts"].values():
        for entry in post["platforms"].values():
            assert len(entry["hash"]) == len("sha256:") + 32
            # what format 2 held: the sha256 whose first 128 bits crosspost records now
            entry["hash"] += "5" * 32
            del entry["blob"]
    path.write_text(json.dumps({**view, "version": 2}), "utf-8")
    report = publish(blog)
    assert statuses(report) == {"a.md": {Status.UNCHANGED}, "b.md": {Status.UNCHANGED}}
    assert json.loads(path.read_text("utf-8"))["version"] == 3  # rewritten, with the blob ids
    entry = Records.read(path).get(URL.format("a"), "devto")
    assert entry is not None and entry.blob is not None and len(entry.hash or "") == 39


def test_without_git_every_post_is_read(blog: Path, reads: list[str], monkeypatch: Any) -> None:
    published(blog, "a.md")
    reads.clear()
    monkeypatch.setenv("PATH", "")
    assert statuses(publish(blog)) == {"a.md": {Status.UNCHANGED}}
    assert reads == ["a.md"]


def test_the_index_vouches_for_plain_tracked_unmodified_files_only(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    for name in ("plain.md", "assumed.md", "skipped.md", "edited.md", "untracked.md"):
        (posts / name).write_text(f"{name}\n", "utf-8")
    (posts / "link.md").symlink_to("plain.md")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "posts/plain.md", "posts/assumed.md", "posts/skipped.md")
    git(tmp_path, "add", "posts/edited.md", "posts/link.md")
    git(tmp_path, "update-index", "--assume-unchanged", "posts/assumed.md")
    git(tmp_path, "update-index", "--skip-worktree", "posts/skipped.md")
    (posts / "edited.md").write_text("other\n", "utf-8")
    index = read_index(posts, tmp_path)
    assert index.vouched().get("posts/plain.md") == blob_id(b"plain.md\n")
    for name in ("assumed.md", "skipped.md", "edited.md", "untracked.md", "link.md"):
        assert index.vouched().get(f"posts/{name}") is None, name


def _one_post(root: Path) -> Path:
    posts = root / "posts"
    posts.mkdir()
    (posts / "a.md").write_text("a\n", "utf-8")
    git(root, "init", "-q")
    git(root, "config", "core.autocrlf", "false")
    git(root, "add", "-A")
    return posts


def test_autocrlf_is_asked_of_git_with_includes_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings reach git from more than the repository's config file: an included file, and
    GIT_CONFIG_COUNT/KEY/VALUE in the environment (as `git -c` passes them to a hook)."""
    posts = _one_post(tmp_path)
    assert len(read_index(posts, tmp_path)) == 1
    included = tmp_path / "included.gitconfig"
    included.write_text("[core]\n\tautocrlf = input\n", "utf-8")
    git(tmp_path, "config", "include.path", str(included))
    assert len(read_index(posts, tmp_path)) == 0
    git(tmp_path, "config", "--unset", "include.path")
    assert len(read_index(posts, tmp_path)) == 1
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.autoCRLF")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "yes")
    assert len(read_index(posts, tmp_path)) == 0


def test_the_settings_are_the_ones_git_reads_whatever_git_config_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIT_CONFIG (the old `git config --file` in the environment) points `git config` alone at
    another file: the autocrlf asked must still be the one a checkout uses."""
    posts = _one_post(tmp_path)
    elsewhere = tmp_path / "elsewhere.gitconfig"
    elsewhere.write_text("[core]\n\tautocrlf = false\n", "utf-8")
    monkeypatch.setenv("GIT_CONFIG", str(elsewhere))
    git(tmp_path, "config", "--file", ".git/config", "core.autocrlf", "true")
    assert len(read_index(posts, tmp_path)) == 0


def test_core_autocrlf_without_a_value_is_true(tmp_path: Path) -> None:
    """`autocrlf` alone on its line is git's `true`: every text file may be converted."""
    posts = _one_post(tmp_path)
    with open(tmp_path / ".git" / "config", "a", encoding="utf-8") as config:
        config.write("[core]\n\tautocrlf\n")
    assert len(read_index(posts, tmp_path)) == 0


def _edited_behind_gits_back(posts: Path) -> None:
    """Edit `a.md` the way a stat check can miss: git took its stat data with the mtime an hour
    back and a ctime over a second ago; the edit is in place (same inode, same size) and sets the
    mtime back, so only the ctime tells (and the content)."""
    path = posts / "a.md"
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(path, ns=(hour_ago, hour_ago))
    git(posts.parent, "update-index", "--refresh")
    time.sleep(1.1)  # git compares ctimes by the second: the edit's is a later one
    with open(path, "r+b") as handle:
        handle.write(b"b")
    os.utime(path, ns=(hour_ago, hour_ago))


@pytest.mark.parametrize(
    "setting",
    [("core.trustctime", "false"), ("core.checkStat", "minimal")],
    ids=lambda setting: f"{setting[0]}={setting[1]}",
)
def test_a_repository_setting_that_weakens_gits_stat_check_vouches_for_nothing_edited(
    tmp_path: Path, setting: tuple[str, str]
) -> None:
    """With ctimes left out of git's stat check (core.trustctime off, core.checkStat minimal),
    git itself calls such an edit clean (`git status` shows nothing); crosspost asks git with
    its full stat check, so the edited post is read."""
    posts = _one_post(tmp_path)
    git(tmp_path, "commit", "-qm", "a")
    git(tmp_path, "config", *setting)
    _edited_behind_gits_back(posts)
    assert git(tmp_path, "status", "--porcelain") == ""  # git's own answer: fooled
    assert read_index(posts, tmp_path).vouched().get("posts/a.md") is None


def test_a_file_system_monitor_that_misses_an_edit_vouches_for_nothing(tmp_path: Path) -> None:
    """core.fsmonitor names a hook that tells git which files changed, and git then skips its
    stat of every other file: a hook that misses an edit (a daemon restarted, a network file
    system) has git call the file clean. crosspost asks git without the monitor."""
    posts = _one_post(tmp_path)
    git(tmp_path, "commit", "-qm", "a")
    hook = tmp_path / ".git" / "monitor"
    hook.write_text("#!/bin/sh\nprintf 'token\\0'\n", "utf-8")  # "nothing changed", always
    hook.chmod(0o755)
    git(tmp_path, "config", "core.fsmonitor", str(hook))
    git(tmp_path, "config", "core.fsmonitorHookVersion", "2")
    git(tmp_path, "update-index", "--fsmonitor")
    git(tmp_path, "status", "--porcelain")  # the index takes the monitor's token
    (posts / "a.md").write_text("b\n", "utf-8")
    assert git(tmp_path, "status", "--porcelain") == ""  # git's own answer: fooled
    assert read_index(posts, tmp_path).vouched().get("posts/a.md") is None


def test_a_converting_attribute_however_given_keeps_a_file_read(tmp_path: Path) -> None:
    """Set, unset (`-text`), valued, or through a macro (`binary` is `-diff -merge -text`, and
    one of the repository's own): git may convert the file. Other attributes convert nothing."""
    attributes = {
        "unset.md": "-text",
        "binary.md": "binary",
        "macro.md": "mine",
        "valued.md": "eol=crlf",
        "filtered.md": "filter=lfs",
        "other.md": "diff=markdown linguist-generated",
    }
    lines = ["[attr]mine ident"]
    lines += [f"{name} {value}" for name, value in attributes.items()]
    (tmp_path / ".gitattributes").write_text("\n".join(lines) + "\n", "utf-8")
    for name in attributes:
        (tmp_path / name).write_text(f"{name}\n", "utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", *attributes)
    index = read_index(tmp_path, tmp_path)
    assert {name for name in attributes if index.vouched().get(name)} == {"other.md"}


def test_a_conflicted_file_is_never_vouched_for(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "a.md").write_text("base\n", "utf-8")
    commit(tmp_path)
    git(tmp_path, "checkout", "-qb", "other")
    (tmp_path / "a.md").write_text("theirs\n", "utf-8")
    commit(tmp_path)
    git(tmp_path, "checkout", "-q", "main")
    (tmp_path / "a.md").write_text("ours\n", "utf-8")
    commit(tmp_path)
    merged = subprocess.run(["git", "merge", "-q", "other"], cwd=tmp_path, capture_output=True)
    assert merged.returncode != 0
    assert read_index(tmp_path, tmp_path).vouched().get("a.md") is None


def test_file_names_git_would_quote_are_vouched_for_by_their_own_name(tmp_path: Path) -> None:
    """The listing is read with one pattern over NUL-separated entries: a name holding a space,
    a tab, a newline or non-ASCII letters is still its own entry, vouched for as itself."""
    names = ["a b.md", "tab\there.md", "new\nline.md", "café 1\t.md", "ünï.md"]
    for name in names:
        (tmp_path / name).write_text(f"{name}\n", "utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    index = read_index(tmp_path, tmp_path)
    assert {name: index.vouched().get(name) for name in names} == {
        name: blob_id(f"{name}\n".encode()) for name in names
    }


def _children() -> set[str]:
    """This process's child processes (Linux: /proc lists them per thread)."""
    return {
        pid
        for task in Path("/proc/self/task").iterdir()
        for pid in (task / "children").read_text().split()
    }


def test_an_index_reading_leaves_no_git_process_behind(tmp_path: Path) -> None:
    """The publisher asks git before it loads the records and may never want the answer (the
    records turn out empty) or may fail meanwhile: leaving the reading stops git either way."""
    for number in range(3000):  # listings longer than a pipe holds: git blocks writing them
        (tmp_path / f"post-{number:04}.md").write_text(f"{number}\n", "utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    before = _children()
    with IndexReading(tmp_path, tmp_path):
        assert _children() - before  # git is at work
    assert _children() == before
    with IndexReading(tmp_path, tmp_path) as reading:
        assert len(reading.result()) == 3000
    assert _children() == before


def test_outside_git_the_index_is_empty(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("a\n", "utf-8")
    assert len(read_index(tmp_path, tmp_path)) == 0


def test_a_damaged_record_stops_a_run_with_work_before_any_request(
    sandboxed: tuple[Path, Sandbox],
) -> None:
    """Records are decoded lazily; a run that will send anything decodes them all first, so a
    damaged entry of another post is found before a request, never between a send and its
    record."""
    root, sandbox = sandboxed
    published(root, "a.md")
    path = root / ".crosspost" / "records.json"
    lines = path.read_text("utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith('"https://'))
    lines.insert(at, '"https://blog.example.com/posts/z/": {"platforms":{"devto":{"state":"?"}}},')
    path.write_text("\n".join(lines) + "\n", "utf-8")
    damaged = path.read_bytes()
    write(root, "a.md", "Edited text.")
    sent = {name: len(sandbox.fakes[name].requests) for name in PLATFORMS}
    with pytest.raises(RecordsError, match="damaged"):
        publish(root)
    assert {name: len(sandbox.fakes[name].requests) for name in PLATFORMS} == sent
    assert path.read_bytes() == damaged


def _alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting for its parent to reap it does not)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_git_that_hangs_is_given_up_and_stopped_with_what_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A git that never answers (a hook, a network file system, a wrapper script) costs the
    run its fast path, never the run: the reading gives up, reads every file instead, and
    leaves nothing running, not even what that git started."""
    pids = tmp_path / "pids"
    pids.mkdir()
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text(f"#!/bin/sh\nsleep 600 &\necho $! > {pids}/$$\nwait\necho done\n")
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr("crosspost.gitindex.PATIENCE", 0.5)
    (tmp_path / "a.md").write_text("a\n", "utf-8")
    before = _children()
    with IndexReading(tmp_path, tmp_path) as reading:
        _eventually(lambda: len([p for p in pids.iterdir() if p.read_text()]) == 5)  # all asked
        assert len(reading.result()) == 0
    assert _children() == before
    sleepers = [int(path.read_text()) for path in pids.iterdir()]
    _eventually(lambda: not any(_alive(pid) for pid in sleepers))  # SIGKILL lands at once


def _eventually(condition: Callable[[], bool]) -> None:
    """Wait for `condition` (other processes' doing, on a loaded machine); fail if it never
    holds."""
    for _ in range(600):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the condition never held")


@pytest.mark.parametrize("folder", [".", "posts"])
def test_git_is_asked_about_the_folders_own_checkout_whatever_the_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    """GIT_DIR and GIT_WORK_TREE left in the environment (a hook of another repository, a
    shell that manages dotfiles with them) would make git answer for that other checkout:
    its clean copy of a post would vouch for this one's edited file."""
    other, blog = tmp_path / "other", tmp_path / "blog"
    (other / "posts").mkdir(parents=True)
    (other / "posts" / "a.md").write_text("as published\n", "utf-8")
    git(other, "init", "-q")
    commit(other)
    subprocess.run(["cp", "-a", str(other), str(blog)], check=True)
    (blog / "posts" / "a.md").write_text("edited since\n", "utf-8")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    assert read_index(blog / folder, blog).vouched().get("posts/a.md") is None


def test_an_index_rewritten_while_git_answers_vouches_for_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git's questions are asked at once, each git reading the index for itself: a `git add`
    (or a checkout) landing between the listing and `diff-files` would pair the old blob id
    with the new file's clean bill. Here a wrapper stages an edit right after the listing
    answered, before `diff-files` reads the index: nothing is vouched for from such a mix."""
    real = subprocess.run(["which", "git"], capture_output=True, text=True).stdout.strip()
    (tmp_path / "a.md").write_text("as published\n", "utf-8")
    git(tmp_path, "init", "-q")
    commit(tmp_path)
    listed = tmp_path / "listed"
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text(
        "#!/bin/sh\n"
        'case "$*" in\n'
        f'  *"ls-files -s"*) "{real}" "$@"; code=$?; touch "{listed}"; exit $code;;\n'
        f'  *diff-files*) while [ ! -e "{listed}" ]; do sleep 0.01; done\n'
        f'    echo "edited since" > a.md; "{real}" add a.md; exec "{real}" "$@";;\n'
        f'  *) exec "{real}" "$@";;\n'
        "esac\n"
    )
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    assert read_index(tmp_path, tmp_path).vouched().get("a.md") is None
