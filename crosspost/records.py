"""The records file: what was published where, so that nothing is ever published twice (DESIGN §7).

`.crosspost/records.json` is sorted and indented so that its git diffs are readable. Every change
is written through at once, atomically (temp file in the same folder, fsync, `os.replace`, fsync
of the folder) and under a file lock held for the whole run, so a crash at any instant leaves
either the old or the new file, and two runs never interleave. A file we cannot trust (corrupt,
from a newer crosspost, world-writable) is an error and is never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from .errors import LockError, RecordsError

__all__ = ["FORMAT_VERSION", "Entry", "Records", "State", "now_iso"]

log = logging.getLogger("crosspost")

FORMAT_VERSION = 1
State = Literal["pending", "published", "unknown"]
_STATES = ("pending", "published", "unknown")
_TEMP_PREFIX = ".records."
_TEMP_SUFFIX = ".tmp"
_GITIGNORE = (
    "# crosspost's lock and temporary files; records.json itself is committed\n*.lock\n*.tmp\n"
)
_RESTORE_HINT = (
    "it was left untouched; restore it from git (git checkout -- {name}) or move it away and run "
    "`crosspost status --refresh --write` to rebuild it from the platforms"
)


def age(at: str | None) -> float:
    """Seconds since an entry's `at` (infinite when unknown: old enough for anything)."""
    try:
        then = datetime.fromisoformat((at or "").replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    return (datetime.now(UTC) - then).total_seconds()


def now_iso() -> str:
    """UTC with milliseconds: reconcile measures read lag from `at`, and whole seconds would make
    a just-written entry look up to 1 s older than it is (longer than a scaled-down lag)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Entry:
    """One post on one platform.

    `pending`: a create was about to be sent with idempotency `key` (crash-safe marker).
    `published`: the platform has it as `id` at `url`; `hash` is the payload sent, `source` and
    `config` the fingerprints that let an unchanged post be skipped without parsing it.
    `unknown`: a create may or may not have happened and the platform cannot be asked.
    `was`: on a `pending` or `unknown` entry whose post has moved since (`Records.move`), the
    canonical URL its create carried, which is where a lookup must search for it.
    """

    state: State
    at: str = field(default_factory=now_iso)
    id: str | None = None
    url: str | None = None
    hash: str | None = None
    key: str | None = None
    draft: bool = False
    source: str | None = None
    config: str | None = None
    was: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None and v is not False}

    @classmethod
    def from_json(cls, data: Any, *, url: str, platform: str) -> Entry:
        """Validate one record; the hot loop of loading a large records file, so it checks
        exact types and only formats its location when something is wrong."""
        if type(data) is not dict or data.get("state") not in _STATES:
            raise ValueError(
                f"posts[{url!r}].platforms.{platform}: not a record "
                f"(needs a state of {', '.join(_STATES)})"
            )
        known = {k: v for k, v in data.items() if k in _FIELD_TYPES}
        for name, value in known.items():
            if type(value) is not _FIELD_TYPES[name]:
                raise ValueError(
                    f"posts[{url!r}].platforms.{platform}.{name}: expected "
                    f"{_FIELD_TYPES[name].__name__}, got {value!r}"
                )
        return cls(**known)

    def evolve(self, **changes: Any) -> Entry:
        return replace(self, **changes)


_FIELD_TYPES: dict[str, type] = {
    name: bool if name == "draft" else str for name in Entry.__dataclass_fields__
}


@dataclass
class _Post:
    source: str | None
    platforms: dict[str, Entry]


class Records:
    """The records of one blog, loaded, locked and written through.

    Use `Records.open(path)` as a context manager; `Records.read(path)` gives a read-only view
    (dry runs, `status`) without taking the lock.
    """

    def __init__(self, path: Path, *, writable: bool) -> None:
        self.path = path
        self.writable = writable
        self._posts: dict[str, _Post] = {}
        self._accounts: dict[str, dict[str, Any]] = {}
        self._dirty_posts: set[str] = set()
        self._dirty_accounts: set[str] = set()
        self._by_source: dict[str, str] | None = None
        self._by_hash: defaultdict[str, list[str]] | None = None
        self._seen: tuple[int, int] | None = None
        self._deferred = False

    # ----------------------------------------------------------------- opening

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path, *, lock_timeout: float = 600.0) -> Iterator[Records]:
        """Lock, clean leftovers of a crashed run, load; release the lock on exit."""
        from filelock import FileLock, Timeout  # only a writer locks; readers never pay

        path.parent.mkdir(parents=True, exist_ok=True)
        gitignore = path.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text(_GITIGNORE, "utf-8")
        lock = FileLock(str(path.with_name(path.name + ".lock")))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.warning("waiting for another crosspost run to release %s", path)
            try:
                lock.acquire(timeout=lock_timeout)
            except Timeout:
                raise LockError(
                    f"another crosspost run has held {path} for {lock_timeout:.0f}s",
                    hint="wait for it to finish; if none is running, delete the .lock file",
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
        posts, accounts = _parse(self.path)
        self._posts, self._accounts = posts, accounts
        self._by_source = None
        self._by_hash = None
        self._seen = _signature(self.path)

    # ----------------------------------------------------------------- reading

    def get(self, url: str, platform: str) -> Entry | None:
        post = self._posts.get(url)
        return post.platforms.get(platform) if post else None

    def entries(self, url: str) -> dict[str, Entry]:
        post = self._posts.get(url)
        return dict(post.platforms) if post else {}

    def urls(self) -> list[str]:
        return sorted(self._posts)

    def source_of(self, url: str) -> str | None:
        post = self._posts.get(url)
        return post.source if post else None

    def url_for_source(self, source: str) -> str | None:
        """The canonical URL recorded for a source path (relative to the blog root)."""
        if self._by_source is None:
            self._by_source = {p.source: url for url, p in self._posts.items() if p.source}
        return self._by_source.get(source)

    def urls_with_source_hash(self, digest: str) -> list[str]:
        """The canonical URLs of posts recorded as published from a file with these bytes."""
        if self._by_hash is None:
            self._by_hash = defaultdict(list)
            for url, post in self._posts.items():
                for digest_of in {e.source for e in post.platforms.values() if e.source}:
                    self._by_hash[digest_of].append(url)
        return list(self._by_hash.get(digest, ()))

    def account(self, platform: str) -> dict[str, Any]:
        """The platform's cache (ids looked up once); changes are saved by `save_account`."""
        return dict(self._accounts.get(platform, {}))

    # ----------------------------------------------------------------- writing

    def put(self, url: str, platform: str, entry: Entry, *, source: str | None) -> None:
        """Record `entry` and write the file through before returning."""
        post = self._posts.setdefault(url, _Post(source, {}))
        if source:
            post.source = source
            self._by_source = None
        self._by_hash = None
        post.platforms[platform] = entry
        self._dirty_posts.add(url)
        self._flush()

    def remove(self, url: str, platform: str) -> None:
        post = self._posts.get(url)
        if post and platform in post.platforms:
            del post.platforms[platform]
            self._dirty_posts.add(url)
            self._flush()

    def rename_source(self, old: str, new: str) -> bool:
        """Record that the post file `old` is now `new` (paths relative to the blog root), as
        git reports a rename; the next publish then treats the post as moved, not as new.
        False when no post was recorded from `old`, or one already is from `new`."""
        url = self.url_for_source(old)
        if url is None or self.url_for_source(new) is not None:
            return False
        self._posts[url].source = new
        self._dirty_posts.add(url)
        self._by_source = None
        self._by_hash = None
        self._flush()
        return True

    def move(self, old: str, new: str, *, source: str | None = None) -> None:
        """Re-key a post whose canonical URL changed (slug change), keeping its remote copies;
        `source` is its file now, when that changed too."""
        if old not in self._posts:
            raise RecordsError(f"no records for {old}", path=self.path)
        if new in self._posts and self._posts[new].platforms:
            raise RecordsError(f"{new} already has records", path=self.path)
        post = self._posts[new] = self._posts.pop(old)
        for name, entry in post.platforms.items():
            if entry.state != "published" and entry.was is None:  # its create carried `old`
                post.platforms[name] = entry.evolve(was=old)
        if source:
            post.source = source
        self._dirty_posts.update({old, new})
        self._by_source = None
        self._by_hash = None
        self._flush()

    def save_account(self, platform: str, values: dict[str, Any]) -> None:
        if self._accounts.get(platform) != values:
            self._accounts[platform] = dict(values)
            self._dirty_accounts.add(platform)
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

    def _flush(self) -> None:
        """Merge our changes into what is on disk now, then replace the file atomically."""
        if not self.writable:
            raise RecordsError("records opened read-only", path=self.path)
        if self._deferred or not (self._dirty_posts or self._dirty_accounts):
            return
        if _signature(self.path) == self._seen:
            disk_posts, disk_accounts = self._posts, self._accounts
        else:  # someone wrote the file behind our back (a git pull): merge into theirs
            disk_posts, disk_accounts = _parse(self.path)
        for url in self._dirty_posts:
            if url in self._posts and self._posts[url].platforms:
                disk_posts[url] = self._posts[url]
            else:
                disk_posts.pop(url, None)
        for platform in self._dirty_accounts:
            disk_accounts[platform] = self._accounts[platform]
        self._posts, self._accounts = disk_posts, disk_accounts
        _write_atomic(self.path, _serialize(disk_posts, disk_accounts))
        self._seen = _signature(self.path)
        self._dirty_posts.clear()
        self._dirty_accounts.clear()


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_mtime_ns, info.st_size


def _parse(path: Path) -> tuple[dict[str, _Post], dict[str, dict[str, Any]]]:
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}, {}
    hint = _RESTORE_HINT.format(name=path.name)
    if info.st_mode & stat.S_IWOTH and os.name == "posix":
        raise RecordsError(
            "the records file is world-writable: anyone on this machine could make crosspost "
            "skip or re-publish posts",
            path=path,
            hint=f"run chmod o-w {path}",
        )
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:  # a folder, or unreadable
        raise RecordsError(
            f"the records file cannot be read ({exc.strerror})", path=path, hint=hint
        ) from None
    except UnicodeDecodeError:
        raise RecordsError("the records file is not UTF-8 text", path=path, hint=hint) from None
    except json.JSONDecodeError as exc:
        raise RecordsError(
            f"the records file is not valid JSON ({exc.msg})", path=path, line=exc.lineno, hint=hint
        ) from None
    except RecursionError:
        raise RecordsError(
            "the records file is nested too deeply to be crosspost's", path=path, hint=hint
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("version"), int):
        raise RecordsError("the records file has no version number", path=path, hint=hint)
    if data["version"] > FORMAT_VERSION:
        raise RecordsError(
            f"the records file was written by a newer crosspost (format {data['version']}, this "
            f"one knows {FORMAT_VERSION})",
            path=path,
            hint="upgrade crosspost (pip install -U crosspost); the file was left untouched",
        )
    posts: dict[str, _Post] = {}
    try:
        raw_posts = data.get("posts", {})
        if not isinstance(raw_posts, dict):
            raise ValueError("posts: expected an object")
        for url, raw in raw_posts.items():
            if not isinstance(raw, dict) or not isinstance(raw.get("platforms", {}), dict):
                raise ValueError(f"posts[{url!r}]: expected an object with platforms")
            source = raw.get("source")
            platforms = {
                name: Entry.from_json(entry, url=url, platform=name)
                for name, entry in raw.get("platforms", {}).items()
            }
            posts[url] = _Post(source if isinstance(source, str) else None, platforms)
        accounts = data.get("accounts", {})
        if not isinstance(accounts, dict) or not all(
            isinstance(v, dict) for v in accounts.values()
        ):
            raise ValueError("accounts: expected an object of objects")
    except ValueError as exc:
        raise RecordsError(f"the records file is damaged: {exc}", path=path, hint=hint) from None
    return posts, accounts


def _serialize(posts: dict[str, _Post], accounts: dict[str, dict[str, Any]]) -> bytes:
    data = {
        "version": FORMAT_VERSION,
        "accounts": {k: v for k, v in accounts.items() if v},
        "posts": {
            url: {
                **({"source": post.source} if post.source else {}),
                "platforms": {name: e.to_json() for name, e in post.platforms.items()},
            }
            for url, post in posts.items()
            if post.platforms
        },
    }
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return text.encode("utf-8")


def _write_atomic(path: Path, content: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
