"""A post file's bytes, read as untrusted input: what may be read, and how it becomes text.

A pull request can put anything where a post is expected: a link to a secret outside the blog, a
FIFO that blocks forever, a 2 GB file, UTF-16 or binary data. Each is refused before it is
parsed, with a `SourceError` that says what the thing is (a broken link and where it points, a
named pipe), never a traceback. `crosspost.sources` turns the text into a Document.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import SourceError

__all__ = ["MAX_BYTES", "UTF8_HINT", "decode", "not_a_file", "read_bytes", "refuse_outside"]

MAX_BYTES = 5 * 1024 * 1024
"""Larger files are refused unread: no blog post is 5 MB of text, a hostile or wrong file can be."""

UTF8_HINT = "posts must be UTF-8 text; re-save the file as UTF-8"


def read_bytes(path: Path) -> bytes:
    """The bytes of the post file at `path`: a regular file of at most `MAX_BYTES`, read once;
    anything else (a folder, a FIFO, a broken link, a file that grows) is a `SourceError`."""
    try:
        info = path.stat()
    except OSError:
        raise not_a_file(path) from None
    if stat.S_ISDIR(info.st_mode):
        raise SourceError(
            "this is a folder, not a post",
            path=path,
            hint="pass a .md file, or check a whole folder with `crosspost check FOLDER`",
        )
    if not stat.S_ISREG(info.st_mode):
        raise not_a_file(path)
    if info.st_size > MAX_BYTES:
        raise SourceError(
            f"the file is {info.st_size / 1e6:.1f} MB; posts are limited to 5 MB",
            path=path,
            hint="is this really a blog post?",
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise not_a_file(path) from None
    except OSError as exc:
        raise SourceError(f"cannot read the post: {exc.strerror}", path=path) from None
    if len(data) > MAX_BYTES:
        raise SourceError("the file grew past 5 MB while being read", path=path)
    return data


def not_a_file(path: Path) -> SourceError:
    """The error for a post path that is neither a regular file nor a folder, saying what it is.

    "No such file" for a FIFO or a broken link sends the user looking for a typo in a path
    that is right there in `ls`; naming the thing (and where a link points) is the fix.
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        return SourceError("no such file or folder", path=path, hint="check the path")
    except OSError as exc:
        return SourceError(f"cannot read the path: {exc.strerror}", path=path)
    if stat.S_ISLNK(info.st_mode):
        return _broken_link(path)
    kinds = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket"}
    kind = kinds.get(stat.S_IFMT(info.st_mode), "a device or special file")
    return SourceError(f"this is {kind}, not a post file", path=path, hint="pass a .md file")


def _broken_link(path: Path) -> SourceError:
    """A symbolic link that cannot be followed: one that loops, or one to nothing."""
    try:
        path.resolve(strict=True)
    except (RuntimeError, OSError) as exc:
        if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
            return SourceError(
                "this symbolic link loops (it leads back to itself through other links)",
                path=path,
                hint="fix or remove the link",
            )
        return SourceError(
            f"this symbolic link points to {os.readlink(path)}, which does not exist",
            path=path,
            hint="fix the link, or pass the post file itself",
        )
    return SourceError("this symbolic link cannot be followed", path=path, hint="fix the link")


def refuse_outside(path: Path, root: Path) -> None:
    """A post that resolves outside the blog folder (a link, or a link among its folders) is
    never read: in a pull request it could point at a secret of the machine that runs the
    Action. Links are resolved first, then the place is checked."""
    try:
        real = path.resolve()
    except (RuntimeError, OSError):  # a link loop (RuntimeError before Python 3.13)
        raise not_a_file(path) from None
    if real.is_relative_to(root.resolve()):
        return
    raise SourceError(
        "the post is a link to a file outside the blog folder",
        path=path,
        hint="copy the post into the blog; crosspost never publishes files from outside it",
    )


def decode(data: bytes, path: Path) -> str:
    """A post file's bytes as text: UTF-8 only, a NUL byte or UTF-16 named with its line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError("the file is UTF-16 text", path=path, line=1, hint=UTF8_HINT)
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise SourceError("binary data: a NUL byte", path=path, line=line, hint=UTF8_HINT)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})", path=path, line=line, hint=UTF8_HINT
        ) from None
