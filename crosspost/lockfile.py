"""The records' lock: one writing run at a time, across processes (docs/architecture.md §7).

On POSIX the lock is an `flock` of a file beside the records (`records.json.lock`), exclusive
and advisory, taken on the run's own open file: the system lets it go when the process ends,
however it ends (kill -9 included), so a crashed run never leaves a lock anyone must break. The
file stays after a run; `crosspost.uptodate` tries the same `flock` (without waiting) to tell
whether a run is under way, which is why the lock is this module's and not a library's private
detail. Each `acquire` opens the file anew, so two threads of one process exclude each other as
two processes do (flock locks an open file, not a process).

Windows has no `flock`: there the lock is filelock's (installed only there), whose
`msvcrt.locking` lock has the same meaning.

Only this rule is here, not the `filelock` package on POSIX: its import alone (`secrets`,
`decimal` and its own state machinery) cost about as much as the rest of a no-op run's records
handling (issue 16).
"""

from __future__ import annotations

import errno
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

if sys.platform != "win32":
    import fcntl

__all__ = ["POLL", "Held", "LockUnavailable", "Patience", "acquire"]

POLL = 0.05
"""Seconds between two tries of a lock another run holds: a waiting run starts within this of
the other's end, without spinning."""

_BUSY = (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK)
"""What `flock(LOCK_NB)` fails with while another open file holds the lock."""


class LockUnavailable(Exception):
    """The lock was held by another run for the whole `timeout`."""


class Patience:
    """How long a run waits for a lock another run holds, and what it says: every wait for the
    records (this module's, and a run's on its event loop, `Publisher._locked`) by one rule."""

    def __init__(self, path: Path, *, timeout: float, waiting: Callable[[], None]) -> None:
        self._path, self._timeout, self._waiting = path, timeout, waiting
        self._deadline: float | None = None

    def held(self) -> None:
        """A try found the lock held: `waiting` is called at the first (unless there is no time
        to wait at all), and `LockUnavailable` raised once `timeout` seconds have gone by since
        (at once with none); else the caller sleeps `POLL` seconds and tries again."""
        if self._timeout <= 0:
            raise LockUnavailable(str(self._path))
        if self._deadline is None:
            self._waiting()
            self._deadline = time.monotonic() + self._timeout
        if time.monotonic() >= self._deadline:
            raise LockUnavailable(str(self._path))


class Held(Protocol):
    """A lock this process holds until `release`."""

    def release(self) -> None: ...


def acquire(path: Path, *, timeout: float, waiting: Callable[[], None]) -> Held:
    """The lock at `path` (the file made when missing); `waiting` is called once if another run
    holds it, before waiting up to `timeout` seconds for it (then `LockUnavailable`; with no
    time to wait, at once and without `waiting`). A file system that cannot lock raises
    `OSError`."""
    if sys.platform == "win32":
        return _windows(path, timeout=timeout, waiting=waiting)
    # O_NOFOLLOW: a link planted as the lock file is refused before (`check_records_path`),
    # and never followed if it appears in between. The mode is the records' own (umask applied).
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    patience = Patience(path, timeout=timeout, waiting=waiting)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return _Flocked(fd)
            except OSError as exc:
                if exc.errno not in _BUSY:
                    raise
            patience.held()
            time.sleep(POLL)
    except BaseException:
        os.close(fd)
        raise


class _Flocked:
    """The open file whose flock is the lock: closing it lets the lock go."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def release(self) -> None:
        os.close(self._fd)


if sys.platform == "win32":

    def _windows(path: Path, *, timeout: float, waiting: Callable[[], None]) -> Held:
        """`acquire` where there is no flock: filelock's lock (a dependency on Windows only)."""
        from filelock import FileLock, Timeout

        lock = FileLock(str(path))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if timeout <= 0:
                raise LockUnavailable(str(path)) from None
            waiting()
            try:
                lock.acquire(timeout=timeout)
            except Timeout:
                raise LockUnavailable(str(path)) from None
        return lock
