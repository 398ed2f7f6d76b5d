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
checkout, an error) gives an empty index: the run reads every file, as it always did.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from .credentials import is_token_variable

__all__ = ["GitIndex", "blob_id", "read_index"]

_CONVERTING = ("filter", "text", "eol", "crlf", "ident", "working-tree-encoding")
"""The attributes under which git's stored blob may differ from the working-tree bytes."""

_PLAIN_MODES = (b"100644", b"100755")
"""Regular files; a symbolic link (120000) or a submodule (160000) is never vouched for."""


def blob_id(data: bytes) -> str:
    """git's blob id of these bytes (SHA-1 object format), as `git hash-object` prints it for
    a file git stores unconverted. Recorded beside the content hash when a post is published."""
    header = b"blob %d\0" % len(data)
    return hashlib.sha1(header + data, usedforsecurity=False).hexdigest()


class GitIndex:
    """The blob id of each post file git vouches for, by its path as the records name it
    (relative to the blog root, with forward slashes: `crosspost.plan.relative_source`)."""

    def __init__(self, blobs: dict[str, str] | None = None) -> None:
        self._blobs = blobs or {}

    def blob(self, source: str) -> str | None:
        """The blob id whose bytes are the file `source`'s on disk, or None: read the file."""
        return self._blobs.get(source)

    def __len__(self) -> int:
        return len(self._blobs)


def read_index(folder: Path, root: Path) -> GitIndex:
    """What git's index vouches for under `folder` (the content folder), named relative to the
    blog `root`; empty outside git, or when `folder` is not inside `root`."""
    inside = os.path.relpath(os.path.abspath(folder), os.path.abspath(root))
    if inside == os.pardir or inside.startswith(os.pardir + os.sep):
        return GitIndex()
    prefix = "" if inside == os.curdir else inside.replace(os.sep, "/") + "/"
    try:
        return GitIndex(_vouched(os.path.abspath(folder), prefix))
    except (OSError, ValueError, UnicodeError, subprocess.SubprocessError):
        return GitIndex()


def _vouched(folder: str, prefix: str) -> dict[str, str]:
    if not os.path.isdir(folder):
        return {}
    # git's start-up is most of what each call costs, and `diff-files` (a stat of every file)
    # the longest: the settings and the modified files are asked for while the index is read
    # and its files' attributes are checked.
    settings = _start(folder, "config", "--get", "core.autocrlf")
    modified = _start(folder, "diff-files", "--name-only", "--relative", "-z", "--", ".")
    try:
        entries = _finish(_start(folder, "ls-files", "-s", "-v", "-z", "--", "."))
        vouched = _listed(entries) if entries is not None else {}
        if vouched:
            for name in _converted(folder, list(vouched)):
                del vouched[name]
        changed = _finish(modified)
        autocrlf = (_finish(settings) or b"").strip().lower()
    finally:
        for process in (settings, modified):
            if process.poll() is None:
                process.kill()
                process.wait()
    if changed is None or autocrlf not in (b"", b"false", b"0", b"no", b"off"):
        return {}  # cannot tell what changed, or every text file may be converted on checkout
    stale = set(changed.split(b"\0"))
    return {
        prefix + os.fsdecode(name): blob.decode("ascii")
        for name, blob in vouched.items()
        if name not in stale
    }


def _listed(entries: bytes) -> dict[bytes, bytes]:
    """The plain, merged, tracked files of a `git ls-files -s -v -z` listing and their blob ids;
    empty when the listing is not the one this reader knows (vouch for nothing then)."""
    vouched: dict[bytes, bytes] = {}
    seen: set[bytes] = set()
    for record in entries.split(b"\0"):
        if not record:
            continue
        head, _, name = record.partition(b"\t")
        fields = head.split(b" ")
        if len(fields) != 4:
            return {}
        tag, mode, blob, stage = fields
        if name in seen:  # a conflict's stages: never vouched for
            vouched.pop(name, None)
            continue
        seen.add(name)
        if tag == b"H" and stage == b"0" and mode in _PLAIN_MODES:
            vouched[name] = blob
    return vouched


def _converted(folder: str, names: list[bytes]) -> set[bytes]:
    """The files among `names` (relative to `folder`) that some attribute has git convert
    (from any `.gitattributes`, the repository's `info/attributes` or a global one)."""
    out = _git_bytes(
        folder,
        "check-attr",
        "-z",
        "--stdin",
        *_CONVERTING,
        stdin=b"".join(name + b"\0" for name in names),
    )
    if out is None:
        return set(names)  # cannot tell: read them all
    fields = out.split(b"\0")
    found: set[bytes] = set()
    for i in range(0, len(fields) - 2, 3):
        if fields[i + 2] != b"unspecified":
            found.add(fields[i])
    return found


def _environment() -> dict[str, str]:
    """git's environment: without the platform tokens (git and its hooks never need them)."""
    env = {name: value for name, value in os.environ.items() if not is_token_variable(name)}
    env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_OPTIONAL_LOCKS="0")
    return env


def _start(cwd: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - fixed executable, arguments never go to a shell
        ["git", "-c", "core.quotepath=off", *args],  # noqa: S607 - the user's git, on PATH
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=_environment(),
    )


def _finish(process: subprocess.Popen[bytes]) -> bytes | None:
    out, _ = process.communicate()
    return out if process.returncode == 0 else None


def _git_bytes(cwd: str, *args: str, stdin: bytes | None = None) -> bytes | None:
    done = subprocess.run(  # noqa: S603 - fixed executable, arguments never go to a shell
        ["git", *args],  # noqa: S607 - the user's git, on PATH
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=_environment(),
        check=False,
    )
    return done.stdout if done.returncode == 0 else None
