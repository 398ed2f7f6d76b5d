"""The records file format in one place: parse and validate, dump (docs/architecture.md §7).

Every writer of `.crosspost/records.json` (the CLI's locked write in `crosspost.records`, the
Action's rebase-and-retry in `crosspost.action.sync`) reads and writes it through `parse` and
`dump`, so the same data always gives the same bytes: sorted keys, two-space indent, UTF-8, one
trailing newline, posts without entries and empty account caches left out. How two writers'
records are combined is `crosspost.records_merge`. A change of format is a change here alone.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "FORMAT_VERSION",
    "Entry",
    "FormatError",
    "PostRecords",
    "RecordsData",
    "State",
    "dump",
    "now_iso",
    "parse",
]

FORMAT_VERSION = 1
State = Literal["pending", "published", "unknown", "gone"]
_STATES = ("pending", "published", "unknown", "gone")


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
    `gone`: the copy `id` at `url` was deleted on the platform (an update found it missing);
    it is left alone until `publish --force` creates it again. Its `at` is the copy's last
    write, not when it was found missing.
    `was`: on a `pending` or `unknown` entry whose post has moved since (`Records.move`), the
    canonical URL its create carried, which is where a lookup must search for it.
    `blob`: git's blob id of the source file's bytes (`crosspost.gitindex.blob_id`), beside
    `source`: in a git checkout, the index proves an unchanged file without it being read.
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
    blob: str | None = None

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

    def gone(self) -> Entry:
        """This copy, recorded deleted on the platform. `at` stays the copy's last write, so
        that `--force` can tell whether the platform's lists have caught up with it."""
        return Entry("gone", at=self.at, id=self.id, url=self.url, draft=self.draft)


_FIELD_TYPES: dict[str, type] = {
    name: bool if name == "draft" else str for name in Entry.__dataclass_fields__
}


@dataclass
class PostRecords:
    """One post's entries by platform, and the source file it was last published from."""

    source: str | None
    platforms: dict[str, Entry]


@dataclass
class RecordsData:
    """A whole records document: posts by canonical URL, and the platforms' account caches."""

    posts: dict[str, PostRecords] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, url: str, platform: str) -> Entry | None:
        post = self.posts.get(url)
        return post.platforms.get(platform) if post else None


class FormatError(ValueError):
    """The bytes are not a records document this crosspost may read (and so rewrite).

    `message` says what is wrong; `line` is the JSON error's line, if any; `newer` is set when
    the file comes from a newer crosspost (the cure is an upgrade, not a restore)."""

    def __init__(self, message: str, *, line: int | None = None, newer: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.newer = newer


def parse(raw: bytes) -> RecordsData:
    """Decode and validate a records document; raises `FormatError` on anything else."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise FormatError("the records file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        message = f"the records file is not valid JSON ({exc.msg})"
        raise FormatError(message, line=exc.lineno) from None
    except RecursionError:
        raise FormatError("the records file is nested too deeply to be crosspost's") from None
    except ValueError:  # a number of thousands of digits (Python refuses to convert it)
        raise FormatError(
            "the records file holds a number far too long to be crosspost's"
        ) from None
    if not isinstance(data, dict) or type(data.get("version")) is not int:
        raise FormatError("the records file has no version number")
    if data["version"] > FORMAT_VERSION:
        raise FormatError(
            f"the records file was written by a newer crosspost (format {data['version']}, this "
            f"one knows {FORMAT_VERSION})",
            newer=True,
        )
    try:
        return RecordsData(_parse_posts(data.get("posts", {})), _parse_accounts(data))
    except ValueError as exc:
        raise FormatError(f"the records file is damaged: {exc}") from None


def _parse_posts(raw_posts: Any) -> dict[str, PostRecords]:
    if not isinstance(raw_posts, dict):
        raise ValueError("posts: expected an object")
    posts: dict[str, PostRecords] = {}
    for url, raw in raw_posts.items():
        if not isinstance(raw, dict) or not isinstance(raw.get("platforms", {}), dict):
            raise ValueError(f"posts[{url!r}]: expected an object with platforms")
        source = raw.get("source")
        platforms = {
            name: Entry.from_json(entry, url=url, platform=name)
            for name, entry in raw.get("platforms", {}).items()
        }
        posts[url] = PostRecords(source if isinstance(source, str) else None, platforms)
    return posts


def _parse_accounts(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The platforms' caches: objects whose values are text, true/false, null, numbers of a sane
    size, or objects of text (ids by host). Each adapter's own types are checked when it is
    built (`crosspost.platforms`)."""
    accounts = data.get("accounts", {})
    if not isinstance(accounts, dict) or not all(isinstance(v, dict) for v in accounts.values()):
        raise ValueError("accounts: expected an object of objects")
    for platform, cache in accounts.items():
        for key, value in cache.items():
            if not _cache_value(value):
                raise ValueError(
                    f"accounts.{platform}.{key}: expected text, true/false, null, a number or an "
                    "object of text"
                )
    return accounts


def _cache_value(value: Any) -> bool:
    if value is None or isinstance(value, str | bool):
        return True
    if isinstance(value, int | float):
        return math.isfinite(value) and abs(value) < _LARGEST
    return type(value) is dict and all(isinstance(v, str) for v in value.values())


_LARGEST = 10**15  # no id, count or time a platform caches comes near it


def dump(data: RecordsData) -> bytes:
    """The file's bytes: sorted, indented, diff-friendly; the same data gives the same bytes."""
    document = {
        "version": FORMAT_VERSION,
        "accounts": {k: v for k, v in data.accounts.items() if v},
        "posts": {
            url: {
                **({"source": post.source} if post.source else {}),
                "platforms": {name: e.to_json() for name, e in post.platforms.items()},
            }
            for url, post in data.posts.items()
            if post.platforms
        },
    }
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return text.encode("utf-8")
