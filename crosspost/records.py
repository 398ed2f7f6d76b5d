"""The records file: what was published where, so that nothing is ever published twice
(docs/architecture.md §7).

`.crosspost/records.json` is sorted, a line per post, so that its git diffs are readable. Every
change is written through at once, atomically (temp file in the same folder, fsync, `os.replace`,
fsync of the folder) and under a file lock held for the whole run, so a crash at any instant leaves
either the old or the new file, and two runs never interleave. A file we cannot trust (corrupt,
from a newer crosspost, world-writable) is an error and is never overwritten.

The bytes are `crosspost.records_format`'s, the one codec every writer uses. When the file was
changed behind our back (a `git pull` during the run), a write merges only the entries this run
changed into what is on disk, with the one policy of `crosspost.records_merge`: no entry another
writer added is ever lost.

It stays one module because its one job is the file's life under its lock: read, answered from
(what a run asks of it, the fast path's `unchanged_files` included), changed and written back;
split, the lock's rules and the writes they guard would be in two places.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .config import SANDBOX_RECORDS
from .errors import LockError, RecordsError, shown
from .lockfile import LockUnavailable, acquire
from .records_format import (
    FORMAT_VERSION,
    Entry,
    FormatError,
    PostRecords,
    RecordsData,
    State,
    dump,
    now_iso,
    parse,
)
from .records_merge import Key, moved_entry, rebase, when
from .urls import url_key

__all__ = ["FORMAT_VERSION", "Entry", "Records", "State", "check_records_path", "now_iso"]

log = logging.getLogger("crosspost")

_TEMP_PREFIX = ".records."
_TEMP_SUFFIX = ".tmp"
_GITIGNORE = (
    "# crosspost's lock and temporary files; records.json itself is committed\n*.lock\n*.tmp\n"
    "# the records of the sandbox's fake copies (`crosspost sandbox`): never the blog's\n"
    f"{Path(SANDBOX_RECORDS).name}\n"
)
_MERGE_ATTEMPTS = 10  # merges with a file that keeps changing before giving up

LOCK_TIMEOUT = 600.0
"""Seconds a run waits for another that holds the records."""


def say_waiting(path: Path) -> None:
    """The warning of a run that waits for another holding the records (once a run)."""
    log.warning("waiting for another crosspost run to release %s", path)


def held_too_long(path: Path, timeout: float) -> LockError:
    """The error of a run that waited `timeout` seconds for the records in vain."""
    return LockError(
        f"another crosspost run has held {path} for {timeout:.0f}s",
        hint="wait for it to finish; if none is running, delete the .lock file",
    )


_RESTORE_HINT = (
    "it was left untouched; restore it from git (git checkout -- {name}) or move it away and run "
    "`crosspost status --refresh --write` to rebuild it from the platforms"
)


def age(at: str | None) -> float:
    """Seconds since an entry's `at` (infinite when unknown: old enough for anything)."""
    return time.time() - when(at)


class Records:
    """The records of one blog, loaded, locked and written through.

    Use `Records.open(path)` as a context manager; `Records.read(path)` gives a read-only view
    (dry runs, `status`) without taking the lock.
    """

    def __init__(self, path: Path, *, writable: bool) -> None:
        self.path = path
        self.writable = writable
        self._data = RecordsData()
        # What changed since the file was read, with each entry as it was read: a write merges
        # exactly these into whatever another writer left on disk meanwhile.
        self._base: dict[Key, Entry | None] = {}
        self._dirty_sources: set[str] = set()
        self._base_accounts: dict[str, dict[str, Any] | None] = {}
        self._moves: list[tuple[str, str]] = []  # (old, new) canonical URLs, in order
        self._by_source: dict[str, str] | None = None
        self._by_blob: defaultdict[str, list[str]] | None = None
        self._by_page: defaultdict[str, set[str]] | None = None  # url_key -> recorded URLs
        self._seen: tuple[int, int, int] | None = None
        self._deferred = False

    # ----------------------------------------------------------------- opening

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path, *, lock_timeout: float = LOCK_TIMEOUT) -> Iterator[Records]:
        """Lock, clean leftovers of a crashed run, load; release the lock on exit."""
        check_records_path(path)
        gitignore = path.parent / ".gitignore"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not gitignore.exists():
                gitignore.write_text(_GITIGNORE, "utf-8")
        except OSError as exc:
            raise RecordsError(
                f"the records folder cannot be written ({exc.strerror})", path=path
            ) from None

        try:
            lock = acquire(
                path.with_name(path.name + ".lock"),
                timeout=lock_timeout,
                waiting=lambda: say_waiting(path),
            )
        except LockUnavailable:
            raise held_too_long(path, lock_timeout) from None
        except OSError as exc:
            raise RecordsError(
                f"the records' lock file cannot be locked ({exc.strerror})", path=path
            ) from None
        try:
            cls._clean_temp_files(path)
            records = cls(path, writable=True)
            records._load()
            yield records
        finally:
            lock.release()

    @classmethod
    def read(cls, path: Path) -> Records:
        """A read-only snapshot; raises `RecordsError` exactly like `open`."""
        records = cls(path, writable=False)
        records._load()
        return records

    @staticmethod
    def _clean_temp_files(path: Path) -> None:
        for leftover in path.parent.glob(f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                leftover.unlink()
                log.info("removed %s, left behind by an interrupted run", leftover)

    def _load(self) -> None:
        self._data = _parse(self.path, lazy=True)
        self._by_source = None
        self._by_blob = None
        self._by_page = None
        self._seen = _signature(self.path)

    # ----------------------------------------------------------------- reading

    def _post(self, url: str) -> PostRecords | None:
        """A post's records, decoded on first use (the file is read lazily: a no-op run over a
        large archive never builds most entries); a damaged post is a `RecordsError`."""
        try:
            return self._data.post(url)
        except FormatError as exc:
            raise RecordsError(
                exc.message, path=self.path, line=exc.line, hint=_hint(self.path)
            ) from None

    def decode_all(self) -> None:
        """Decode and validate every post now. A run that will send anything calls it first, so
        that a damaged record stops it before a request, never between a send and its record."""
        try:
            self._data.decode_all()
        except FormatError as exc:
            raise RecordsError(
                exc.message, path=self.path, line=exc.line, hint=_hint(self.path)
            ) from None

    @property
    def _posts(self) -> dict[str, PostRecords]:
        """Every post, decoded: for the changes and merges that see them all."""
        self.decode_all()
        return self._data.posts

    def get(self, url: str, platform: str) -> Entry | None:
        post = self._post(url)
        return post.platforms.get(platform) if post else None

    def entries(self, url: str) -> dict[str, Entry]:
        post = self._post(url)
        return dict(post.platforms) if post else {}

    def same_page(self, url: str) -> list[str]:
        """The recorded URLs that are the page `url` names, spelled as recorded (`url` itself
        first), of posts that hold records. The records are keyed by the URL as written, but a
        platform's `find` matches a page however it is spelled (`crosspost.urls.same_url`), so
        whether a URL is another post's is asked here, never by its spelling
        (docs/threat-model.md)."""
        if self._by_page is None:
            self._by_page = defaultdict(set)
            for recorded in self._data.urls():
                self._by_page[url_key(recorded)].add(recorded)
        spellings = sorted(self._by_page.get(url_key(url), ()), key=lambda u: (u != url, u))
        return [recorded for recorded in spellings if self.entries(recorded)]

    def has_destination(self, name: str) -> bool:
        """Whether any post has an entry under the records name `name`."""
        return any(name in post.platforms for post in self._posts.values())

    def urls_known(self) -> bool:
        """Whether any post has records (a first run has none to skip by)."""
        return bool(self._data.posts or self._data.raw)

    def urls(self) -> list[str]:
        return sorted(self._data.urls())

    def source_of(self, url: str) -> str | None:
        post = self._post(url)
        return post.source if post else None

    def sources(self) -> list[str]:
        """Every recorded source file (relative to the blog root), without decoding a post."""
        return list(self._urls_by_source())

    def url_for_source(self, source: str) -> str | None:
        """The canonical URL recorded for a source path (relative to the blog root)."""
        return self._urls_by_source().get(source)

    def _urls_by_source(self) -> dict[str, str]:
        if self._by_source is None:
            self._by_source = self._data.sources()
        return self._by_source

    def urls_with_blob(self, blob: str) -> list[str]:
        """The canonical URLs of posts recorded as published from a file with these bytes (git's
        blob id of them, the records' one content identity)."""
        if self._by_blob is None:
            self._by_blob = defaultdict(list)
            for url, post in self._posts.items():
                for blob_of in {e.blob for e in post.platforms.values() if e.blob}:
                    self._by_blob[blob_of].append(url)
        return list(self._by_blob.get(blob, ()))

    def unchanged_test(
        self, fingerprints: Mapping[str, str]
    ) -> Callable[[str, str | None, str | None], str | None]:
        """(source, blob, digest) -> the canonical URL recorded for the file `source` when every
        platform of `fingerprints` (name -> config fingerprint) has it published from these
        bytes (git's `blob` id; `digest`, their sha256, for entries of format 1 or 2 without a
        blob) under that config, else None; asked of many files with no write between, no entry
        decoded (`crosspost.records_format`). The fingerprint covers all the canonical URL is
        computed from besides the file and its path: the same bytes, path and config give the
        recorded URL and payloads."""
        test = self._data.unchanged_test(fingerprints)
        recorded = self._urls_by_source()

        def unchanged(source: str, blob: str | None, digest: str | None) -> str | None:
            url = recorded.get(source)
            if url is None or (blob is None and digest is None):
                return None
            return url if test(url, blob, digest) else None

        return unchanged

    def unchanged_files(
        self, fingerprints: Mapping[str, str], blobs: Mapping[str, str]
    ) -> dict[str, str]:
        """{path: canonical URL} of the files of `blobs` (path -> git's blob id: what git
        vouches for) that `unchanged_test` proves unchanged."""
        unchanged = self.unchanged_test(fingerprints)
        return {
            source: url
            for source, blob in blobs.items()
            if (url := unchanged(source, blob, None)) is not None
        }

    def account(self, platform: str) -> dict[str, Any]:
        """The platform's cache (ids looked up once); changes are saved by `save_account`."""
        return dict(self._data.accounts.get(platform, {}))

    # ----------------------------------------------------------------- writing

    def put(self, url: str, platform: str, entry: Entry, *, source: str | None) -> None:
        """Record `entry` and write the file through before returning."""
        self._touch(url, platform)
        post = self._posts.setdefault(url, PostRecords(source, {}))
        if self._by_page is not None:
            self._by_page[url_key(url)].add(url)
        if source:
            post.source = source
            self._dirty_sources.add(url)
            self._by_source = None
        self._by_blob = None
        post.platforms[platform] = entry
        self._flush()

    def remove(self, url: str, platform: str) -> None:
        post = self._posts.get(url)
        if post and platform in post.platforms:
            self._touch(url, platform)
            del post.platforms[platform]
            self._flush()

    def rename_source(self, old: str, new: str) -> bool:
        """Record that the post file `old` is now `new` (paths relative to the blog root), as
        git reports a rename; the next publish then treats the post as moved, not as new.
        False when no post was recorded from `old`, or one already is from `new`. On a
        read-only view (a dry run) the rename is kept in memory only.

        The file digests (content hash and git blob id) are dropped: the no-op fast path trusts
        "same file, same bytes" to mean "same canonical URL", which a rename breaks (the slug
        often comes from the file name), so the post is parsed again and its URL compared until
        a run records it anew."""
        url = self.url_for_source(old)
        if url is None or self.url_for_source(new) is not None:
            return False
        post = self._posts[url]
        post.source = new
        for name, entry in post.platforms.items():
            if entry.source is not None or entry.blob is not None:
                self._touch(url, name)
                post.platforms[name] = entry.evolve(source=None, blob=None)
        self._by_source = None
        self._by_blob = None
        if self.writable:
            self._dirty_sources.add(url)
            self._flush()
        return True

    def move(self, old: str, new: str, *, source: str | None = None) -> None:
        """Re-key a post whose canonical URL changed (slug change), keeping its remote copies;
        `source` is its file now, when that changed too. The file digests are dropped, as in
        `rename_source`: the copies still carry the old URL, so the fast path must not call
        the post unchanged before a run has compared and recorded it again."""
        if old not in self._posts:
            raise RecordsError(f"no records for {old}", path=self.path)
        if new in self._posts and self._posts[new].platforms:
            raise RecordsError(f"{new} already has records", path=self.path)
        for name in self._posts[old].platforms:
            self._touch(old, name)
            self._touch(new, name)
        post = self._posts[new] = self._posts.pop(old)
        for name, entry in post.platforms.items():
            post.platforms[name] = moved_entry(entry, old)
        if self._by_page is not None:
            self._by_page[url_key(new)].add(new)
        self._moves.append((old, new))  # carries what another writer leaves at `old` meanwhile
        if source:
            post.source = source
        self._dirty_sources.add(new)
        self._by_source = None
        self._by_blob = None
        self._flush()

    def rekey(self, old: str, new: str, account: dict[str, Any]) -> int:
        """Keep every entry recorded under the destination `old` under `new` instead, with its
        account cache; `old` starts again with `account` (docs/records.md, "Destinations").
        An entry already under `new` is kept when it is the later write. On a read-only view
        (a dry run) the change is kept in memory only. The number of posts moved."""
        moved = 0
        for url, post in self._posts.items():
            if old not in post.platforms:
                continue
            self._touch(url, old)  # as read, before the change: a merge must see it moved
            self._touch(url, new)
            entry = post.platforms.pop(old)
            there = post.platforms.get(new)
            if there is None or when(there.at) <= when(entry.at):
                post.platforms[new] = entry
            moved += 1
        caches = self._data.accounts
        for name, values in ((new, caches.get(old, {})), (old, account)):
            if caches.get(name, {}) != values:
                self._base_accounts.setdefault(name, dict(caches[name]) if name in caches else None)
                caches[name] = dict(values)
        self._by_blob = None
        if self.writable:
            self._flush()
        return moved

    def save_account(self, platform: str, values: dict[str, Any]) -> None:
        if self._data.accounts.get(platform) != values:
            if platform not in self._base_accounts:
                before = self._data.accounts.get(platform)
                self._base_accounts[platform] = dict(before) if before is not None else None
            self._data.accounts[platform] = dict(values)
            self._flush()

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """Write once at the end instead of after every change (rebuilding many records).

        Only for changes that need no crash-safety ordering: nothing may be sent inside it,
        because `pending` must be on disk before each create is sent.
        """
        self._deferred = True
        try:
            yield
        finally:
            self._deferred = False
        self._flush()

    def _touch(self, url: str, platform: str) -> None:
        """Remember an entry as it was read, before its first change since the last write."""
        if (url, platform) not in self._base:
            self._base[url, platform] = self.get(url, platform)

    def _flush(self) -> None:
        """Merge our changes into what is on disk now, then replace the file atomically.

        Another writer that takes no lock (git, a hand edit) can replace the file at any
        instant. Before the replace, the file is checked to be the one our data was merged
        with, else merged again; after it, what we remember as ours is the temp file's own
        `fstat`, so a file replaced in between is never taken for ours (the next write merges
        it). What is left is the instant between the last check and `os.replace`: only a lock
        the other writer honours could close it, and git takes none.
        """
        if not self.writable:
            raise RecordsError("records opened read-only", path=self.path)
        if self._deferred or not (
            self._base or self._dirty_sources or self._base_accounts or self._moves
        ):
            return
        for _ in range(_MERGE_ATTEMPTS):
            disk = _signature(self.path)
            if disk != self._seen:
                # Someone wrote the file behind our back (a git pull, another process): merge our
                # changes into theirs, per post × platform (crosspost.records_merge).
                theirs = _parse(self.path)
                if _signature(self.path) != disk:
                    continue  # replaced while we read it
                self.decode_all()
                self._data = rebase(
                    theirs,
                    self._data,
                    base=self._base,
                    sources=self._dirty_sources,
                    base_accounts=self._base_accounts,
                    moves=self._moves,
                )
                self._by_source = None
                self._by_blob = None
                self._by_page = None
                self._seen = disk  # our changes stay listed: a retry merges them again
            for url in [url for url, post in self._posts.items() if not post.platforms]:
                del self._posts[url]
            temp, written = _write_temp(self.path, dump(self._data))
            if _signature(self.path) != disk:
                _discard(temp)
                continue  # replaced while we wrote: merge with that one
            _install(temp, self.path)
            self._seen = written
            self._base.clear()
            self._dirty_sources.clear()
            self._base_accounts.clear()
            self._moves.clear()
            return
        raise RecordsError(
            f"the records file kept changing while crosspost wrote it ({_MERGE_ATTEMPTS} tries)",
            path=self.path,
            hint="stop whatever rewrites it (a loop of git pulls?) and run again",
        )


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What tells that another writer replaced the file: git and crosspost write a new file
    (a new inode) even when the size and the coarse clock tick are the same."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def check_records_path(path: Path) -> None:
    """The records are only ever a regular file at their configured path: a symbolic link (a
    pull request can commit `records.json -> ../.env`), a link as their folder, lock file or
    .gitignore (each is written), a folder or a device is refused, in every mode. Reading,
    rewriting or committing through a link would read, overwrite or publish whatever it points
    to; nothing is followed, so the check is about the path itself (`lstat`), never what it
    resolves to."""
    steps = (
        (path.parent, "the records folder"),
        (path, "the records file"),
        (path.with_name(path.name + ".lock"), "the records' lock file"),
        (path.parent / ".gitignore", "the records folder's .gitignore"),
    )
    for step, what in steps:
        try:
            info = step.lstat()
        except FileNotFoundError:
            if step == path.parent:
                return
            continue
        except OSError as exc:
            raise RecordsError(f"{what} cannot be read ({exc.strerror})", path=path) from None
        if stat.S_ISLNK(info.st_mode):
            raise RecordsError(
                f"{what} is a symbolic link (to {os.readlink(step)!r}); crosspost never reads, "
                "writes or commits records through a link",
                path=path,
                hint=f"replace {step.name} with the real file or folder (restore it from git)",
            )
        if step == path.parent and not stat.S_ISDIR(info.st_mode):
            raise RecordsError(
                f"the records folder {step.name} is not a folder",
                path=path,
                hint=f"restore {step.name} from git (git checkout -- {step.name})",
            )
        if step is path and not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise RecordsError(
                f"the records file is {kind}",
                path=path,
                hint=_RESTORE_HINT.format(name=path.name),
            )


def _hint(path: Path) -> str:
    return _RESTORE_HINT.format(name=shown(path))  # the path git needs, from the current folder


def _parse(path: Path, *, lazy: bool = False) -> RecordsData:
    check_records_path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return RecordsData()
    hint = _hint(path)
    if info.st_mode & stat.S_IWOTH and os.name == "posix":
        raise RecordsError(
            "the records file is world-writable: anyone on this machine could make crosspost "
            "skip or re-publish posts",
            path=path,
            hint=f"run chmod o-w {path}",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:  # a folder, or unreadable
        raise RecordsError(
            f"the records file cannot be read ({exc.strerror})", path=path, hint=hint
        ) from None
    try:
        return parse(raw, lazy=lazy)
    except FormatError as exc:
        if exc.newer:
            hint = (
                "use the crosspost version that wrote it, or a newer one (see CHANGELOG.md); "
                "the file was left untouched"
            )
        raise RecordsError(exc.message, path=path, line=exc.line, hint=hint) from None


def _write_temp(path: Path, content: bytes) -> tuple[Path, tuple[int, int, int]]:
    """The new file, complete and on disk beside `path`, and its signature (`os.replace` keeps
    the inode, the mtime and the size, so it is the signature `path` has once replaced)."""
    import tempfile  # with shutil and random: 8 ms of a run that writes nothing (a no-op)

    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.chmod(temp, 0o644)  # before the fstat: it changes no part of the signature
            os.fsync(handle.fileno())
            info = os.fstat(handle.fileno())
    except BaseException:
        _discard(Path(temp))
        raise
    return Path(temp), (info.st_ino, info.st_mtime_ns, info.st_size)


def _install(temp: Path, path: Path) -> None:
    """Replace `path` with `temp` atomically, and make the rename itself durable."""
    try:
        os.replace(temp, path)
    except BaseException:
        _discard(temp)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _discard(temp: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temp)
