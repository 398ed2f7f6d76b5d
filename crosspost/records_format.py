"""The records file format in one place: parse and validate, dump (docs/architecture.md §7).

Every writer of `.crosspost/records.json` (the CLI's locked write in `crosspost.records`, the
Action's rebase-and-retry in `crosspost.action.sync`) reads and writes it through `parse` and
`dump`, so the same data always gives the same bytes: sorted keys, one line per post (its git
diff is the post's own line), UTF-8, one trailing newline, posts without entries and empty
account caches left out. How two writers' records are combined is `crosspost.records_merge`. A
change of format is a change here alone (with `crosspost.records_legacy`, which upgrades
formats 1 and 2 as they are read).

Format 3 (this one) is one JSON document, as formats 1 and 2 were, so a crosspost that knows
only those reads its version first and refuses it as "written by a newer crosspost". A large
archive's records are tens of thousands of entries, read whole by every run, so each value is
said once where it repeats (docs/records.md):

- per platform, the config fingerprint most entries have (`configs`) and the URL folder most
  copies live in (`urls`: `https://dev.to/me/`);
- a post is `[source file, git blob id, {platform: entry}]`: the blob id (the one content
  identity) once for all its entries, and no key a platform's name could collide with;
- the common entry, `published` with the document's config and the post's blob and nothing
  else, is `[at, id, url, hash]`: its URL relative to its platform's folder, its payload hash
  the 32 hex digits after an implied `sha256:`. Any other entry is an object of its fields,
  `state` left out when `published`, `config` and `blob` when they are the shared ones (`null`
  for none where the shared one is set).

A no-op run needs none of the entries as objects: `parse(raw, lazy=True)` checks the document's
shape and leaves each post as read, validated into `Entry` objects the first time it is used
(`RecordsData.post`), and `RecordsData.unchanged` answers the fast path's question from the
post as read. Nor does it check each object for a key written twice as it is parsed: it counts
the file's commas instead, and reads it again that careful way only when they say a key may
have been lost (`_quick`), so that a damaged file gets the same error either way.

It stays one module because its one job is the format: the bytes `dump` writes and the rules
`parse` reads them back by, down to the quick read, whose proof counts the separators the
format's shape puts in a file (a change of format is a change of both, here).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain, pairwise
from operator import itemgetter
from typing import Any, Literal

from .cycles import paused, settle
from .records_legacy import upgraded
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

FORMAT_VERSION = 3
State = Literal["pending", "published", "unknown", "gone"]
_STATES = ("pending", "published", "unknown", "gone")
_HASH_PREFIX = "sha256:"
_SHORT_HASH = re.compile(r"sha256:[0-9a-f]{32}")
"""A payload hash as crosspost computes it (`Payload.hash`): 128 bits, the prefix implied in a
short entry."""


def now_iso() -> str:
    """UTC with milliseconds: reconcile measures read lag from `at`, and whole seconds would make
    a just-written entry look up to 1 s older than it is (longer than a scaled-down lag)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Entry:
    """One post on one platform.

    `pending`: a create was about to be sent with idempotency `key` (crash-safe marker).
    `published`: the platform has it as `id` at `url`; `hash` is the payload sent, `blob` and
    `config` the fingerprints that let an unchanged post be skipped without parsing it.
    `unknown`: a create may or may not have happened and the platform cannot be asked.
    `gone`: the copy `id` at `url` was deleted on the platform (an update found it missing);
    it is left alone until `publish --force` creates it again. Its `at` is the copy's last
    write, not when it was found missing.
    `was`: on an entry whose post has moved since (`Records.move`), the canonical URL its create
    carried (where a lookup must search for it) or its published copy carries until an update
    moves it (cleared by that update).
    `blob`: git's blob id of the source file's bytes (`crosspost.gitindex.blob_id`), the one
    content identity: in a git checkout, the index proves an unchanged file without it being
    read; outside git, the planner computes it from the bytes it reads.
    `source`: only on an entry of format 1 or 2 that has no `blob`: the sha256 of the file those
    formats recorded, so that the file is still recognised unchanged (and its record given its
    blob, `crosspost.plan.Refresh`).
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
                f"posts[{url!r}].{platform}: not a record (needs a state of {', '.join(_STATES)})"
            )
        known = {k: v for k, v in data.items() if k in _FIELD_TYPES}
        for name, value in known.items():
            if type(value) is not _FIELD_TYPES[name]:
                raise ValueError(
                    f"posts[{url!r}].{platform}.{name}: expected "
                    f"{_FIELD_TYPES[name].__name__}, got {value!r}"
                )
        was = known.get("was")
        if was is not None and (problem := url_problem(was)):
            raise ValueError(f"posts[{url!r}].{platform}.was: {was!r} is not a URL ({problem})")
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

    Read lazily (`parse(raw, lazy=True)`), `raw` holds the posts not decoded yet, as read
    (`[source, blob, entries]`), with the document's shared values by platform (`configs`,
    `bases`) and its `text` (to name a damaged post's line); `post`, `urls` and `decode_all`
    see both. Everything that changes or merges posts works on `posts`, after `decode_all`."""

    posts: dict[str, PostRecords] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw: dict[str, list[Any]] = field(default_factory=dict, repr=False)
    configs: dict[str, str] = field(default_factory=dict, repr=False)
    bases: dict[str, str] = field(default_factory=dict, repr=False)
    text: bytes = field(default=b"", repr=False)

    def get(self, url: str, platform: str) -> Entry | None:
        post = self.post(url)
        return post.platforms.get(platform) if post else None

    def post(self, url: str) -> PostRecords | None:
        """The post's records, decoded now if they were not; raises `FormatError` when they
        are damaged."""
        if url in self.raw:
            try:
                self.posts[url] = _decoded(url, self.raw[url], self.configs, self.bases)
            except ValueError as exc:
                raise FormatError(
                    f"the records file is damaged: {exc}", line=_line_of(self.text, url)
                ) from None
            del self.raw[url]
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
        found.update((raw[0], url) for url, raw in self.raw.items() if raw[0])
        return found

    def unchanged_test(
        self, fingerprints: Mapping[str, str]
    ) -> Callable[[str, str | None, str | None], bool]:
        """Whether all platforms of `fingerprints` have the post `url` `published` from these
        bytes under that config fingerprint, as a function of (url, blob, digest), asked of
        many posts in a row (no write between): an entry's `blob` is compared with git's `blob`
        id of the bytes; one of format 1 or 2 without one, its sha256 with `digest` (None: not
        asked). A post as read whose entries are all short (`[at, id, url, hash]`, a no-op
        run's) is answered without being decoded; any other is decoded first, so that the rules
        of what an entry object means live in `_decoded` alone. Damage never matches."""
        names = tuple(fingerprints)
        configs = all(self.configs.get(name) == print_ for name, print_ in fingerprints.items())
        raw, posts = self.raw, self.posts
        lists = [list] * len(names)

        def unchanged(url: str, blob: str | None, digest: str | None) -> bool:
            if url in raw:
                _, shared, entries = raw[url]
                short = [entries.get(name) for name in names]
                if [*map(type, short)] == lists:  # all short: no loop in Python
                    return configs and _same_bytes(shared, None, blob, digest) and _short(short)
                try:
                    self.post(url)
                except FormatError:
                    return False
            post = posts.get(url)
            return post is not None and all(
                (entry := post.platforms.get(name)) is not None
                and entry.state == "published"
                and entry.config == fingerprint
                and _same_bytes(entry.blob, entry.source, blob, digest)
                for name, fingerprint in fingerprints.items()
            )

        return unchanged


def _same_bytes(
    recorded_blob: Any, recorded_digest: Any, blob: str | None, digest: str | None
) -> bool:
    """Whether a record's content identity is these bytes': its blob when it has one, else
    (format 1 or 2) its sha256."""
    if recorded_blob is not None:
        return blob is not None and recorded_blob == blob
    return digest is not None and recorded_digest == digest


class FormatError(ValueError):
    """The bytes are not a records document this crosspost may read (and so rewrite).

    `message` says what is wrong; `line` is the line of the JSON error or of the damaged post,
    if known; `newer` is set when the file comes from a newer crosspost (the cure is an
    upgrade, not a restore)."""

    def __init__(self, message: str, *, line: int | None = None, newer: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.newer = newer


def parse(raw: bytes, *, lazy: bool = False) -> RecordsData:
    """Decode and validate a records document; raises `FormatError` on anything else. With
    `lazy`, only its shape is checked now, and each post when it is first used. A file of
    format 1 or 2 is read as the format-3 document it becomes (`crosspost.records_legacy`), and
    written back as format 3 by the next write."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("the records file is not UTF-8 text") from None
    with paused():  # a tree, never a cycle, kept for the run (`crosspost.cycles`)
        records = _records(text, raw)
        settle()
    if not lazy:
        records.decode_all()
    return records


def _records(text: str, raw: bytes) -> RecordsData:
    """The document's records, its posts as read; raises `FormatError`."""
    data = _quick(text, raw)
    shaped = data is not None  # the quick read checked the posts' shape as it counted them
    if data is None:
        data = _careful(text, raw)
    if _spells_surrogate(raw) and not _unicode(data):
        raise FormatError(
            "the records file is damaged: it spells text that is not Unicode (a lone surrogate "
            "such as \\ud800), which no UTF-8 file can hold, so it could never be written back",
            line=_line_of_match(raw, _LONE_SURROGATE),
        )
    if not isinstance(data, dict) or type(data.get("version")) is not int:
        raise FormatError("the records file has no version number")
    if data["version"] > FORMAT_VERSION:
        raise FormatError(
            f"the records file was written by a newer crosspost (format {data['version']}, this "
            f"one knows {FORMAT_VERSION})",
            newer=True,
        )
    if data["version"] < FORMAT_VERSION:
        data, shaped = _checked(upgraded, data, raw), False
    return RecordsData(
        {},
        _checked(_parse_accounts, data, raw),
        data.get("posts", {}) if shaped else _checked(_parse_posts, data, raw),
        _checked(_parse_shared, data, raw, "configs"),
        _checked(_parse_shared, data, raw, "urls"),
        raw,
    )


def _quick(text: str, raw: bytes) -> dict[str, Any] | None:
    """The document read without a Python call per object, when that provably lost no key and
    its posts are shaped (`_shaped`); None when not, or when it is not an object (or not JSON):
    then `_careful` reads it, and says what is wrong.

    JSON keeps the last of two equal keys, and the text's commas tell when one went: there is
    one between each two members of an object and each two elements of an array, others only
    inside strings. An object read with a key written twice has fewer members than its text,
    so the text has more commas than the objects and arrays read need (`_Tally`, which may count
    only some of them: one not counted is commas the text has and the count lacks). So equal
    counts mean no key was lost. Every object must also have been counted (as many as the
    text's `{`): the careful read's call per object adds to the stack, and a document nested as
    deep as the parser allows must be refused by both reads alike."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if type(data) is not dict:
        return None
    posts = data.get("posts", {})
    if type(posts) is not dict or (entries := _shaped_entries(posts.values())) is None:
        return None
    try:
        tally = _tally(data, skip=posts)
    except RecursionError:
        return None
    counted = _posts_tally(entries)
    if counted is None:
        return None
    structure = raw.translate(None, _UNCOUNTED)  # one pass over the text, not two
    if (tally[0] + counted[0], tally[1] + counted[1]) != (
        structure.count(b","),
        structure.count(b"{"),
    ):
        return None
    return data


_UNCOUNTED = bytes(sorted(set(range(256)) - set(b",{")))


def _careful(text: str, raw: bytes) -> Any:
    """The document read with each object checked as it is built (`_unique`); raises
    `FormatError` saying what is wrong with it."""
    try:
        return json.loads(text, object_pairs_hook=_unique)
    except _Twice as exc:
        raise FormatError(
            f"the records file is damaged: {_compact(exc.key)} is written twice in one object "
            "(two lines of one post left by a merge?); JSON would keep only the second, and "
            "the copies the first records would be published again",
            line=_line_of_twice(raw, exc.key),
        ) from None
    except json.JSONDecodeError as exc:
        message = f"the records file is not valid JSON ({exc.msg})"
        raise FormatError(message, line=exc.lineno) from None
    except RecursionError:
        raise FormatError("the records file is nested too deeply to be crosspost's") from None
    except ValueError:  # a number of thousands of digits (Python refuses to convert it)
        raise FormatError(
            "the records file holds a number far too long to be crosspost's"
        ) from None


_Tally = tuple[int, int]
"""Of some objects and arrays of a document: the commas their text needs, and how many of them
are objects."""


def _tally(value: Any, *, skip: Any = None, depth: int = 0) -> _Tally:
    """The tally of a value and everything in it but the members of `skip` (the posts, counted
    by `_posts_tally`), one Python call per value: the small parts of the document. Raises
    `RecursionError` deeper than `_SHALLOW`: only the careful read tells when that is too deep."""
    if depth > _SHALLOW:
        raise RecursionError("deeper than a records document")
    if type(value) is dict:
        inner, objects = list(value.values()), 1
    elif type(value) is list:
        inner, objects = value, 0
    else:
        return 0, 0
    commas = max(len(inner) - 1, 0)
    if value is skip:
        return commas, objects
    for item in inner:
        more = _tally(item, skip=skip, depth=depth + 1)
        commas, objects = commas + more[0], objects + more[1]
    return commas, objects


_SHALLOW = 32
"""Deeper than any part of a records document goes (an account cache's ids by host: 4)."""


def _posts_tally(entries: list[dict[str, Any]]) -> _Tally | None:
    """The tally of the shaped posts (`_shaped`) whose entries these are, but for the posts
    object itself, counted in C loops (no Python call per post); None when an entry is neither
    a list nor an object. What an entry holds is not counted (text in a short entry, fields in
    an object)."""
    try:  # all short, as in a no-op run's records: type and size in one pass
        sizes, objects = [*map(list.__len__, chain.from_iterable(map(dict.values, entries)))], 0
    except TypeError:
        inner = [*chain.from_iterable(map(dict.values, entries))]
        kinds = [*map(type, inner)]
        objects = kinds.count(dict)
        if objects + kinds.count(list) != len(kinds):
            return None
        sizes = [*map(len, inner)]
    count = len(entries)
    commas = 2 * count + _separators([*map(len, entries)]) + _separators(sizes)
    return commas, count + objects


def _separators(sizes: list[int]) -> int:
    """The commas between the members or elements of objects and arrays of these sizes."""
    return sum(sizes) - len(sizes) + sizes.count(0)


class _Twice(ValueError):
    """An object of the document names `key` twice."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object of the document, refused when it names a key twice: JSON keeps the last, so
    a post (or a platform's entry) written twice would lose the first without a word. Checked
    as the careful read builds each object (`_careful`): a Python call per object costs a third
    of the parse, so a file whose commas prove that no key was lost is read without it
    (`_quick`)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Twice(key)
            seen.add(key)
    return found


def _line_of_twice(raw: bytes, key: str) -> int | None:
    """The line where `key` is written a second time: the first line holding it twice, else
    the line of its second occurrence (a post written on two lines)."""
    spelled = re.compile(re.escape(_compact(key).encode("utf-8")) + rb"\s*:")
    lines = [raw.count(b"\n", 0, match.start()) + 1 for match in spelled.finditer(raw)]
    if len(lines) < 2:
        return None
    twice = [line for line, after in pairwise(lines) if line == after]
    return twice[0] if twice else lines[1]


_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
"""A surrogate spelled as an escape, the only way one gets into a UTF-8 file's JSON (crosspost
writes none: a character outside the BMP is written as itself)."""


def _spells_surrogate(raw: bytes) -> bool:
    """Whether the file spells a surrogate (`_ESCAPED_SURROGATE`); a file without a backslash
    spells no escape at all, which a search for one byte tells at memory speed, where the
    pattern's own search takes a millisecond per 4 MB."""
    return b"\\" in raw and _ESCAPED_SURROGATE.search(raw) is not None


_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def _unicode(data: Any) -> bool:
    """Whether every text of the document can be written as UTF-8 (asked only when the file
    spells a surrogate: a pair of them is a character, one alone is not); a document too deep to
    be encoded again cannot be written back either."""
    try:
        _compact(data).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):  # as deep as the parser allows, and a level more
        return False
    return True


def _line_of_match(raw: bytes, pattern: re.Pattern[bytes]) -> int | None:
    match = pattern.search(raw)
    return raw.count(b"\n", 0, match.start()) + 1 if match else None


def _checked(read: Any, data: dict[str, Any], raw: bytes, *args: Any) -> Any:
    """`read(data, *args)`, its `ValueError` a `FormatError` (at the line it names, if any)."""
    try:
        return read(data, *args)
    except _Damaged as exc:
        raise FormatError(
            f"the records file is damaged: {exc}", line=_line_of(raw, exc.url)
        ) from None
    except ValueError as exc:
        raise FormatError(f"the records file is damaged: {exc}") from None


class _Damaged(ValueError):
    """A post whose shape is wrong: its URL names its line."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(message)
        self.url = url


def _parse_posts(data: dict[str, Any]) -> dict[str, list[Any]]:
    posts = data.get("posts", {})
    if type(posts) is not dict:
        raise ValueError("posts: expected an object")
    if _shaped_entries(posts.values()) is None:
        url = next(url for url, post in posts.items() if not _shaped(post))
        raise _Damaged(url, f"posts[{url!r}]: expected [source file, blob id, {{platform: entry}}]")
    return posts


def _shaped(post: Any) -> bool:
    """Whether a post is `[source, blob, {platform: entry}]`, source and blob text or null."""
    return (
        type(post) is list
        and len(post) == 3
        and type(post[0]) in _TEXT_OR_NULL
        and type(post[1]) in _TEXT_OR_NULL
        and type(post[2]) is dict
    )


def _shaped_entries(posts: Collection[Any]) -> list[dict[str, Any]] | None:
    """Each post's entries when every post is shaped (`_shaped`), else None; asked in C loops,
    a pass per question: a no-op run reads tens of thousands of posts, and a Python call for
    each (`_shaped`, which finds the damaged one) costs a sixth of parsing the whole file."""
    try:
        if not {*map(list.__len__, posts)} <= {3}:  # a TypeError when one is not a list
            return None
    except TypeError:
        return None
    if not (
        {*map(type, map(_SOURCE, posts))} <= _TEXT_OR_NULL
        and {*map(type, map(_BLOB, posts))} <= _TEXT_OR_NULL
    ):
        return None
    entries = [*map(_ENTRIES, posts)]
    return entries if {*map(type, entries)} <= {dict} else None


_TEXT_OR_NULL = {str, type(None)}
_SOURCE, _BLOB, _ENTRIES = itemgetter(0), itemgetter(1), itemgetter(2)


def _parse_shared(data: dict[str, Any], key: str) -> dict[str, str]:
    """A value per platform said once for the document (`configs`, `urls`)."""
    shared = data.get(key, {})
    if type(shared) is not dict or not all(type(v) is str for v in shared.values()):
        raise ValueError(f"{key}: expected an object of text")
    return shared


def _line_of(text: bytes, url: str) -> int | None:
    """The line of the post `url` in the file as written (one post a line), if it is found."""
    where = text.find(_compact(url).encode("utf-8") + b":")
    return text.count(b"\n", 0, where) + 1 if where >= 0 else None


def _decoded(
    url: str, raw: list[Any], configs: Mapping[str, str], bases: Mapping[str, str]
) -> PostRecords:
    """One post as read → its validated entries; raises `ValueError` naming the field."""
    source, blob, entries = raw
    platforms: dict[str, Entry] = {}
    for name, entry in entries.items():
        if type(entry) is list:
            fields = _short_fields(entry, url, name, bases.get(name))
            fields.update(config=configs.get(name), blob=blob)
        elif type(entry) is dict:
            fields = {"state": "published", "config": configs.get(name), "blob": blob, **entry}
        else:
            raise ValueError(f"posts[{url!r}].{name}: not a record")
        known = {k: v for k, v in fields.items() if v is not None}
        platforms[name] = Entry.from_json(known, url=url, platform=name)
    return PostRecords(source, platforms)


def _short(entries: list[list[Any]]) -> bool:
    """Whether each list entry is `[at, id, url, hash]`, all text (anything else is damage).
    Asked of a post's entries together, in C loops: the no-op run asks it of 30,000."""
    return [*map(len, entries)] == [4] * len(entries) and [
        *map(type, chain.from_iterable(entries))
    ] == [str] * (4 * len(entries))


def _short_fields(entry: list[Any], url: str, name: str, base: str | None) -> dict[str, Any]:
    """`[at, id, url, hash]` → the fields of the published entry it stands for."""
    if not _short([entry]):
        raise ValueError(f"posts[{url!r}].{name}: expected [at, id, url, hash], all text")
    at, copy_id, copy_url, digest = entry
    if "://" not in copy_url:
        if base is None:
            raise ValueError(
                f"posts[{url!r}].{name}: the URL {copy_url!r} is relative, and urls has no "
                f"folder for {name}"
            )
        copy_url = base + copy_url
    return {
        "state": "published",
        "at": at,
        "id": copy_id,
        "url": copy_url,
        "hash": _HASH_PREFIX + digest,
    }


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
    every = [(name, entry) for post in posts.values() for name, entry in post.platforms.items()]
    configs = _most_common((name, entry.config) for name, entry in every)
    bases = _most_common((name, _folder(entry.url)) for name, entry in every)
    lines = [
        "{",
        f'"version": {FORMAT_VERSION},',
        f'"accounts": {_compact({k: v for k, v in data.accounts.items() if v})},',
        f'"configs": {_compact(configs)},',
        f'"urls": {_compact(bases)},',
    ]
    if not posts:
        lines.append('"posts": {}')
    else:
        lines.append('"posts": {')
        rows = [
            f"{_compact(url)}: {_compact(_post_line(posts[url], configs, bases))}"
            for url in sorted(posts)
        ]
        lines.append(",\n".join(rows))
        lines.append("}")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _folder(url: str | None) -> str | None:
    """The folder of a copy's URL (up to its last `/`), where its platform's copies live."""
    if url is None or "://" not in url:
        return None
    return url[: url.rindex("/") + 1]


def _most_common(values: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """Per platform, the value most of its entries have (the smallest on a tie)."""
    counts: dict[str, Counter[str]] = {}
    for name, value in values:
        if value is not None:
            counts.setdefault(name, Counter())[value] += 1
    return {
        name: min(c, key=lambda value: (-c[value], value)) for name, c in sorted(counts.items())
    }


def _post_line(
    post: PostRecords, configs: Mapping[str, str], bases: Mapping[str, str]
) -> list[Any]:
    """One post as its line has it: `[source, blob, entries]`, shared values said once (see the
    module docstring)."""
    blobs = {entry.blob for entry in post.platforms.values()}
    blob = blobs.pop() if len(blobs) == 1 else None
    entries = {
        name: _entry_value(entry, blob, configs.get(name), bases.get(name))
        for name, entry in post.platforms.items()
    }
    return [post.source, blob, entries]


def _entry_value(entry: Entry, blob: str | None, config: str | None, base: str | None) -> Any:
    """`[at, id, url, hash]` for the common entry, else the object of its own fields."""
    if (
        entry.state == "published"
        and entry.id is not None
        and entry.url is not None
        and "://" in entry.url
        and entry.hash is not None
        and _SHORT_HASH.fullmatch(entry.hash)
        and (entry.config, entry.blob) == (config, blob)
        and (entry.key, entry.draft, entry.source, entry.was) == (None, False, None, None)
    ):
        url = entry.url
        if base is not None and url.startswith(base) and "://" not in url[len(base) :]:
            url = url[len(base) :]
        return [entry.at, entry.id, url, entry.hash[len(_HASH_PREFIX) :]]
    fields = entry.to_json()
    if entry.state == "published":
        del fields["state"]
    for key, shared in (("config", config), ("blob", blob)):
        if shared is None:
            continue
        if key not in fields:
            fields[key] = None
        elif fields[key] == shared:
            del fields[key]
    return fields
