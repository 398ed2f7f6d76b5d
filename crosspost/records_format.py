"""The records file format in one place: parse and validate, dump (docs/architecture.md §7).

Every writer of `.crosspost/records.json` (the CLI's locked write in `crosspost.records`, the
Action's rebase-and-retry in `crosspost.action.sync`) reads and writes it through `parse` and
`dump`, so the same data always gives the same bytes: sorted keys, one line per post (its git
diff is the post's own line), UTF-8, one trailing newline, posts without entries and empty
account caches left out. How two writers' records are combined is `crosspost.records_merge`. A
change of format is a change here alone.

Format 2 (this one) is one JSON document, as format 1 was, so a crosspost that knows only
format 1 reads its version first and refuses it as "written by a newer crosspost". It keeps a
line per post and says each repeated value once: a post's source hash (`sha`) and git blob id
(`blob`) when every entry shares them, and per platform the config fingerprint most entries
have (`configs`); an entry that differs says its own (`null` for none). Format 1 (indented, every
value in every entry) is read as well and written back as format 2.

A large archive's records are tens of thousands of entries, and a no-op run needs none of them
as objects: `parse(raw, lazy=True)` checks the document's shape and leaves each post as read,
validated into `Entry` objects the first time it is used (`RecordsData.post`), and
`RecordsData.unchanged` answers the fast path's question from the post as read.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from .urls import url_problem

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

FORMAT_VERSION = 2
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
    `was`: on an entry whose post has moved since (`Records.move`), the canonical URL its create
    carried (where a lookup must search for it) or its published copy carries until an update
    moves it (cleared by that update).
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
        was = known.get("was")
        if was is not None and (problem := url_problem(was)):
            raise ValueError(
                f"posts[{url!r}].platforms.{platform}.was: {was!r} is not a URL ({problem})"
            )
        return cls(**known)

    def evolve(self, **changes: Any) -> Entry:
        return replace(self, **changes)

    def gone(self) -> Entry:
        """This copy, recorded deleted on the platform. `at` stays the copy's last write, so
        that `--force` can tell whether the platform's lists have caught up with it; `was`
        stays so that `--force` recognises the copy by its old URL when it reads it by id."""
        return Entry("gone", at=self.at, id=self.id, url=self.url, draft=self.draft, was=self.was)


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
    """A whole records document: posts by canonical URL, and the platforms' account caches.

    Read lazily (`parse(raw, lazy=True)`), `raw` holds the posts not decoded yet, as read, and
    `configs` the document's config fingerprints by platform; `post`, `urls` and `decode_all`
    see both. Everything that changes or merges posts works on `posts`, after `decode_all`."""

    posts: dict[str, PostRecords] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    configs: dict[str, str] = field(default_factory=dict, repr=False)

    def get(self, url: str, platform: str) -> Entry | None:
        post = self.post(url)
        return post.platforms.get(platform) if post else None

    def post(self, url: str) -> PostRecords | None:
        """The post's records, decoded now if they were not; raises `FormatError` when they
        are damaged."""
        if url in self.raw:
            self.posts[url] = _decoded(url, self.raw.pop(url), self.configs)
        return self.posts.get(url)

    def decode_all(self) -> None:
        """Decode and validate every post still as read; raises `FormatError`."""
        for url in list(self.raw):
            self.post(url)

    def urls(self) -> list[str]:
        return [*self.posts, *self.raw]

    def sources(self) -> dict[str, str]:
        """The canonical URL of each recorded source file, without decoding any post."""
        found = {p.source: url for url, p in self.posts.items() if p.source}
        found.update(
            (source, url)
            for url, raw in self.raw.items()
            if type(source := raw.get("source")) is str and source
        )
        return found

    def unchanged(
        self, url: str, fingerprints: Mapping[str, str], *, blob: str | None, digest: str | None
    ) -> bool:
        """Whether every platform in `fingerprints` has the post `published` from these bytes
        (git's `blob` id, else the content hash `digest`) under that config fingerprint; a post
        still as read is answered without being decoded (a damaged value never matches)."""
        if url not in self.raw:
            post = self.posts.get(url)
            return post is not None and all(
                (entry := post.platforms.get(name)) is not None
                and entry.state == "published"
                and entry.config == fingerprint
                and (entry.blob == blob if blob is not None else entry.source == digest)
                for name, fingerprint in fingerprints.items()
            )
        raw = self.raw[url]
        platforms = raw.get("platforms")
        if type(platforms) is not dict:
            return False
        key, shared, wanted = (
            ("blob", "blob", blob) if blob is not None else ("source", "sha", digest)
        )
        for name, fingerprint in fingerprints.items():
            entry = platforms.get(name)
            if type(entry) is not dict or entry.get("state") != "published":
                return False
            if (entry["config"] if "config" in entry else self.configs.get(name)) != fingerprint:
                return False
            if (entry[key] if key in entry else raw.get(shared)) != wanted:
                return False
        return True


class FormatError(ValueError):
    """The bytes are not a records document this crosspost may read (and so rewrite).

    `message` says what is wrong; `line` is the JSON error's line, if any; `newer` is set when
    the file comes from a newer crosspost (the cure is an upgrade, not a restore)."""

    def __init__(self, message: str, *, line: int | None = None, newer: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.newer = newer


def parse(raw: bytes, *, lazy: bool = False) -> RecordsData:
    """Decode and validate a records document; raises `FormatError` on anything else. With
    `lazy`, only its shape is checked now, and each post when it is first used."""
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
        raw_posts = data.get("posts", {})
        if type(raw_posts) is not dict:
            raise ValueError("posts: expected an object")
        for url, post in raw_posts.items():
            if type(post) is not dict or type(post.get("platforms", {})) is not dict:
                raise ValueError(f"posts[{url!r}]: expected an object with platforms")
        records = RecordsData({}, _parse_accounts(data), raw_posts, _parse_configs(data))
        if not lazy:
            records.decode_all()
    except FormatError:
        raise
    except ValueError as exc:
        raise FormatError(f"the records file is damaged: {exc}") from None
    return records


def _decoded(url: str, raw: dict[str, Any], configs: Mapping[str, str]) -> PostRecords:
    """One post as read (format 1 or 2) → its validated entries; raises `FormatError`."""
    platforms: dict[str, Entry] = {}
    try:
        for name, entry in raw.get("platforms", {}).items():
            if type(entry) is dict:
                entry = _spelled_out(entry, raw, configs.get(name))
            platforms[name] = Entry.from_json(entry, url=url, platform=name)
    except ValueError as exc:
        raise FormatError(f"the records file is damaged: {exc}") from None
    source = raw.get("source")
    return PostRecords(source if isinstance(source, str) else None, platforms)


def _spelled_out(entry: dict[str, Any], post: dict[str, Any], config: str | None) -> dict[str, Any]:
    """An entry with the values its post line and the document say once written in again;
    `null` (an entry that has none where the others have one) is no value."""
    full = dict(entry)
    for key, shared in (
        ("source", post.get("sha")),
        ("blob", post.get("blob")),
        ("config", config),
    ):
        if key not in full and shared is not None:
            full[key] = shared
    return {k: v for k, v in full.items() if v is not None}


def _parse_configs(data: dict[str, Any]) -> dict[str, str]:
    configs = data.get("configs", {})
    if type(configs) is not dict or not all(type(v) is str for v in configs.values()):
        raise ValueError("configs: expected an object of text")
    return configs


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
    """The file's bytes: sorted, a line per post, diff-friendly; the same data gives the same
    bytes. Raises `FormatError` when a post still as read is damaged."""
    data.decode_all()
    posts = {url: post for url, post in data.posts.items() if post.platforms}
    configs = _common_configs(posts.values())
    lines = [
        "{",
        f'"version": {FORMAT_VERSION},',
        f'"accounts": {_compact({k: v for k, v in data.accounts.items() if v})},',
        f'"configs": {_compact(configs)},',
    ]
    if not posts:
        lines.append('"posts": {}')
    else:
        lines.append('"posts": {')
        rows = [
            f"{_compact(url)}: {_compact(_post_line(posts[url], configs))}" for url in sorted(posts)
        ]
        lines.append(",\n".join(rows))
        lines.append("}")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _common_configs(posts: Any) -> dict[str, str]:
    """Per platform, the config fingerprint most entries have (the smallest on a tie)."""
    counts: dict[str, Counter[str]] = {}
    for post in posts:
        for name, entry in post.platforms.items():
            if entry.config is not None:
                counts.setdefault(name, Counter())[entry.config] += 1
    return {
        name: min(c, key=lambda fingerprint: (-c[fingerprint], fingerprint))
        for name, c in counts.items()
    }


def _post_line(post: PostRecords, configs: Mapping[str, str]) -> dict[str, Any]:
    """One post as its line has it: shared values said once (see the module docstring)."""
    entries = {name: e.to_json() for name, e in post.platforms.items()}
    line: dict[str, Any] = {"platforms": entries}
    if post.source:
        line["source"] = post.source
    for key, shared in (("source", "sha"), ("blob", "blob")):
        values = {entry.get(key) for entry in entries.values()}
        if len(values) == 1 and (value := values.pop()) is not None:
            line[shared] = value
            for entry in entries.values():
                del entry[key]
    for name, entry in entries.items():
        if name in configs:
            if "config" not in entry:
                entry["config"] = None
            elif entry["config"] == configs[name]:
                del entry["config"]
    return line
