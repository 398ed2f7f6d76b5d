"""What git's index already knows about the post files: their blob ids, without opening them
(docs/architecture.md §7, the no-op fast path).

In a git checkout, `git ls-files -s` lists every file's blob id (the SHA-1 of its content as
git stores it) from the index in milliseconds, and `git diff-files` names the files whose
working-tree copy no longer matches the index (changed, staged or not). A post whose index blob
is the one recorded when it was last published, and which git does not list as modified, has
the recorded bytes on disk: the planner skips it without reading it.

Only when git's blob is the file's bytes exactly. Anything git converts between the index and
the working tree (a `filter` such as Git LFS, `text`/`eol`/`crlf` line-end conversion, `ident`,
`working-tree-encoding`, or `core.autocrlf`) makes the index blob something else than the
bytes on disk, so those files, conflicted, symlinked, skip-worktree and assume-unchanged
entries are never vouched for: they are read, as outside git. Any failure of git (absent, not a
checkout, an error, no answer within `PATIENCE`) gives an empty index: the run reads every
file, as it always did.

git checks a file's attributes when it converts it, never again while the file's stat data
holds: a file converted at checkout under attributes or an autocrlf since removed is one git
still calls clean, its index blob not its bytes. What vouches for a file is only ever a reason
to skip reading it in one run (the up-to-date stamp reads every post it stamps,
`crosspost.uptodate`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import IO

from .credentials import is_token_variable
from .cycles import paused
from .gitdir import git_dir

__all__ = ["GitIndex", "IndexReading", "blob_id", "git_environment", "read_index"]

_CONVERTING = ("filter", "text", "eol", "crlf", "ident", "working-tree-encoding")
"""The attributes under which git's stored blob may differ from the working-tree bytes."""

PATIENCE = 20.0
"""Seconds git may take to answer all its questions (it takes milliseconds, seconds on a huge
checkout). One that hangs (a hook, a wrapper, a network file system) is given up: reading the
files is slower than git's answer, never slower than a git that never answers."""

_PLAIN_MODES = ("100644", "100755")
"""Regular files; a symbolic link (120000) or a submodule (160000) is never vouched for."""


def blob_id(data: bytes) -> str:
    """git's blob id of these bytes (SHA-1 object format), as `git hash-object` prints it for
    a file git stores unconverted. Recorded beside the content hash when a post is published."""
    header = b"blob %d\0" % len(data)
    return hashlib.sha1(header + data, usedforsecurity=False).hexdigest()


_SETTINGS = re.escape("core.autocrlf")
"""The setting that decides whether git's blob is every text file's bytes, asked with `git config
--get-regexp` (includes and GIT_CONFIG_* as git itself reads them, every value of it)."""


class GitIndex:
    """The blob id of each post file git vouches for, by its path as the records name it
    (relative to the blog root, with forward slashes: `crosspost.plan.relative_source`)."""

    def __init__(self, blobs: dict[str, str] | None = None) -> None:
        self._blobs = blobs or {}

    def vouched(self) -> Mapping[str, str]:
        """Every file git vouches for, with the blob id whose bytes are the file's on disk
        (a file it does not vouch for is read)."""
        return MappingProxyType(self._blobs)

    def __len__(self) -> int:
        return len(self._blobs)


def read_index(folder: Path, root: Path) -> GitIndex:
    """What git's index vouches for under `folder` (the content folder), named relative to the
    blog `root`; empty outside git, or when `folder` is not inside `root`."""
    with IndexReading(folder, root) as reading:
        return reading.result()


class IndexReading:
    """`read_index` asked now and answered later: git works in its own processes while this
    one does something else (the publisher loads the records meanwhile), and `result` collects
    the answers. Used as a context manager, or `close`d, so that no git process outlives it."""

    def __init__(self, folder: Path, root: Path) -> None:
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._result: GitIndex | None = None
        self._prefix = ""
        self._deadline = time.monotonic() + PATIENCE
        self._index: str | None = None  # the index file, to tell whether it was rewritten
        self._before: tuple[int, int, int] | None = None
        inside = os.path.relpath(os.path.abspath(folder), os.path.abspath(root))
        if inside == os.pardir or inside.startswith(os.pardir + os.sep):
            self._result = GitIndex()
            return
        self._prefix = "" if inside == os.curdir else inside.replace(os.sep, "/") + "/"
        try:
            self._index = _index_file(os.path.abspath(folder))
            self._before = _signature(self._index)
            self._start(os.path.abspath(folder))
        except (OSError, ValueError, subprocess.SubprocessError):
            self.close()
            self._result = GitIndex()

    def _start(self, folder: str) -> None:
        if not os.path.isdir(folder):
            raise OSError(f"not a folder: {folder}")
        # git's start-up is most of what each call costs: every question is asked at once, the
        # attributes of every listed file through a pipe from a second listing, so the whole
        # takes about as long as the slowest of them (`diff-files`, a stat of every file).
        env = git_environment()
        started = self._processes
        started["settings"] = _start(folder, env, "config", "-z", "--get-regexp", f"^{_SETTINGS}$")
        started["modified"] = _start(
            folder, env, "diff-files", "--name-only", "--relative", "-z", "--", "."
        )
        names = started["names"] = _start(folder, env, "ls-files", "-z", "--", ".")
        # `--all` lists only the attributes a file has (set, unset or valued), macros expanded:
        # none for most posts, where naming `_CONVERTING` lists six per file.
        started["attributes"] = _start(
            folder, env, "check-attr", "-z", "--stdin", "--all", stdin=names.stdout
        )
        if names.stdout is not None:
            names.stdout.close()  # check-attr holds the pipe now; ls-files sees its reader leave
        started["listing"] = _start(folder, env, "ls-files", "-s", "-v", "-z", "--", ".")

    def result(self) -> GitIndex:
        """The blob ids git vouches for (empty when git cannot say)."""
        if self._result is None:
            try:
                self._result = self._collect()
            except (OSError, ValueError, UnicodeError, subprocess.SubprocessError):
                self._result = GitIndex()
            finally:
                self.close()
        return self._result

    @paused()  # 10,000 entries taken apart, most likely just after the records were loaded
    def _collect(self) -> GitIndex:
        started, deadline = self._processes, self._deadline
        entries = _finish(started["listing"], deadline)
        converted = _finish(started["attributes"], deadline)
        listed = started["names"].wait(_left(deadline))
        changed = _finish(started["modified"], deadline)
        settings = _settings(_finish(started["settings"], deadline) or b"")
        if entries is None or converted is None or listed != 0 or changed is None:
            return GitIndex()  # cannot tell what git vouches for: read every file
        if _flag(settings.get("core.autocrlf", "false")) is not False:
            return GitIndex()  # every text file may be converted on checkout
        if _signature(self._index) != self._before:
            # Rewritten meanwhile (a `git add`, a checkout): each git read the index for itself,
            # and an old blob id paired with a new file's clean bill would vouch for the wrong
            # bytes.
            return GitIndex()
        vouched = _listed(os.fsdecode(entries))
        for name in _converted_names(os.fsdecode(converted)):
            vouched.pop(name, None)
        for name in os.fsdecode(changed).split("\0"):
            vouched.pop(name, None)
        blobs = {self._prefix + name: blob for name, blob in vouched.items()}
        return GitIndex(blobs)

    def close(self) -> None:
        """Stop whatever git is still doing (the answers are not wanted), with whatever it
        started: each git leads a process group of its own (`_start`)."""
        for process in self._processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                    os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
        self._processes = {}

    def __enter__(self) -> IndexReading:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _index_file(folder: str) -> str | None:
    """The index git reads for `folder`; None outside git."""
    found = git_dir(folder)
    return os.path.join(found, "index") if found is not None else None


def _signature(path: str | None) -> tuple[int, int, int] | None:
    """What tells that the index was rewritten (git writes a new file and renames it)."""
    try:
        info = os.stat(path) if path is not None else None
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size) if info is not None else None


def _settings(listing: bytes) -> dict[str, str | None]:
    """The settings of a `git config -z --get-regexp` listing, the last of each name winning (as
    git reads them); None for a name without a value (`[core] autocrlf` alone: git's true)."""
    found: dict[str, str | None] = {}
    for item in os.fsdecode(listing).split("\0")[:-1]:
        name, newline, value = item.partition("\n")
        found[name.lower()] = value if newline else None
    return found


_TRUE = ("true", "yes", "on")
_FALSE = ("false", "no", "off", "")


def _flag(value: str | None) -> bool | None:
    """A boolean setting as git reads it (None: no value, git's true); None when it is not one
    (autocrlf's `input`, a hook's path)."""
    if value is None or value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    try:
        return int(value) != 0
    except ValueError:
        return None


_ENTRY = re.compile(r"([A-Za-z]) ([0-7]{6}) ([0-9a-f]+) ([0-3])\t([^\0]*)\0")
"""One entry of `git ls-files -s -v -z`: tag, mode, blob id, stage, name."""


def _listed(entries: str) -> dict[str, str]:
    """The plain, merged, tracked files of a `git ls-files -s -v -z` listing and their blob ids;
    empty when the listing is not the one this reader knows (vouch for nothing then).

    One regular expression over the whole listing: 10,000 entries split and taken apart one by
    one in Python cost more than git takes to list them."""
    found = _ENTRY.findall(entries)
    if len(found) != entries.count("\0"):
        return {}  # an entry of another shape: this is not the listing this reader knows
    vouched = {
        name: blob
        for tag, mode, blob, stage, name in found
        if tag == "H" and stage == "0" and mode in _PLAIN_MODES
    }
    if _CONFLICT.search(entries):  # a merge conflict's stages: never vouched for
        for _, _, _, stage, name in found:
            if stage != "0":
                vouched.pop(name, None)
    return vouched


_CONFLICT = re.compile(r" [1-3]\t")
"""A stage other than 0 somewhere in the listing (a merge conflict), or a name that looks so."""


def _converted_names(listing: str) -> set[str]:
    """The files a `git check-attr -z --all` listing shows with any converting attribute set,
    unset or valued (from any `.gitattributes`, the repository's `info/attributes` or a global
    one)."""
    fields = listing.split("\0")
    return {
        fields[i]
        for i in range(0, len(fields) - 2, 3)
        if fields[i + 1] in _CONVERTING and fields[i + 2] != "unspecified"
    }


_ELSEWHERE = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_PREFIX",
    "GIT_NAMESPACE",
    "GIT_CONFIG",
)
"""The variables that point git at another repository, work tree or index than the one the
folder it runs in belongs to (a subset of `git rev-parse --local-env-vars`), and GIT_CONFIG,
which points `git config` alone at another file than the settings every other git command
reads (the settings asked would not be those `diff-files` and a checkout use)."""


def git_environment() -> dict[str, str]:
    """git's environment for a question about the blog's own checkout: without the platform
    tokens (git and its hooks never need them), and without the variables that would make git
    answer for another checkout (`_ELSEWHERE`: a hook of another repository, a shell that keeps
    dotfiles with GIT_DIR), whose clean copy of a post would vouch for this one's edited file,
    or `git config` for another file."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not is_token_variable(name) and name not in _ELSEWHERE
    }
    env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_OPTIONAL_LOCKS="0")
    return env


_FULL_STAT_CHECK = (
    *("-c", "core.quotepath=off"),
    *("-c", "core.trustctime=true"),
    *("-c", "core.checkStat=default"),
    *("-c", "core.fsmonitor=false"),
)
"""Settings for every question: names unquoted, and git's full stat check whatever the
repository says. With ctimes left out (core.trustctime off, core.checkStat minimal) an edit in
place that sets the mtime back is one git calls clean; with a file system monitor
(core.fsmonitor) git stats only the files the monitor names, and a monitor that missed an edit
(restarted, on a network file system) has git call it clean. Either way git would vouch for
bytes no longer on disk. A file git then lists as modified for its ctime alone is read: the
cost of a slower run, never a missed change."""


def _start(
    cwd: str, env: dict[str, str], *args: str, stdin: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - fixed executable, arguments never go to a shell
        ["git", *_FULL_STAT_CHECK, *args],  # noqa: S607 - the user's git, on PATH
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL if stdin is None else stdin,
        env=env,
        process_group=0,  # `close` stops it with whatever it started (a hook, a wrapper's child)
    )


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _finish(process: subprocess.Popen[bytes], deadline: float) -> bytes | None:
    """Its output, None when it failed; raises `subprocess.TimeoutExpired` past `deadline`."""
    out, _ = process.communicate(timeout=_left(deadline))
    return out if process.returncode == 0 else None
