"""`parse` gives every document the answer of a parser that checks each object as it builds it.

`crosspost.records_format` reads a large file without a Python call per object and reads it
again with one only when the first read may have lost a key; these properties hold that
shortcut to the careful read on documents of every kind: written by `dump`, then damaged the
ways a file gets damaged (a key written twice at any level, a post's line kept twice by a
merge, wrong types, lone surrogates, formats 1 and 2, commas and colons inside text, nesting)
and as arbitrary JSON. Two oracles: the careful read itself (`parse` with its shortcut turned
off), which must give the same `RecordsData` or the same `FormatError` (message, line, newer),
and `json.loads` with a hook of this test's own, which says whether a key is written twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosspost import records_format
from crosspost.records_format import Entry, FormatError, PostRecords, RecordsData, dump, parse

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Pairs:
    """A JSON object as written: its members in order, a key possibly twice."""

    members: tuple[tuple[str, Any], ...]


@st.composite
def separators(draw: st.DrawFn) -> tuple[str, str]:
    """How members are joined and keys set off: dump's, compact, or spaced out."""
    return draw(st.sampled_from([(",", ":"), (", ", ": "), (",\n", " : "), (" ,", "\t:")]))


def text(value: Any, seps: tuple[str, str] = (",", ":")) -> str:
    """`value` as JSON text, a `Pairs` with all its members (json.dumps would drop twins)."""
    comma, colon = seps
    if isinstance(value, Pairs):
        members = (f"{text(k, seps)}{colon}{text(v, seps)}" for k, v in value.members)
        return "{" + comma.join(members) + "}"
    if isinstance(value, list):
        return "[" + comma.join(text(v, seps) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


KEYS = st.sampled_from(["devto", "hashnode", "a", "a,b", 'q":', "version", "posts", "é"])
SCALARS = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=6)
JSON = st.recursive(
    SCALARS,
    lambda kids: (
        st.lists(kids, max_size=4)
        | st.lists(st.tuples(KEYS, kids), max_size=4).map(lambda m: Pairs(tuple(m)))
    ),
    max_leaves=12,
)


def _entry() -> st.SearchStrategy[Entry]:
    short = st.builds(
        Entry,
        state=st.just("published"),
        at=st.sampled_from(["2024-05-01T10:00:00.823Z", "2024-05-02T11:00:00.000Z"]),
        id=st.sampled_from(["1834", "x,y", "66"]),
        url=st.sampled_from(["https://dev.to/me/a", "https://h.dev/b", "https://m.com/@me/c,d"]),
        hash=st.just("sha256:" + "ab" * 16),
        config=st.sampled_from(["sha256:c1", "sha256:c2"]),
        blob=st.sampled_from(["b1", "b2"]),
    )
    other = st.builds(
        Entry,
        state=st.sampled_from(["pending", "unknown", "gone", "published"]),
        at=st.just("2024-05-01T10:00:00.000Z"),
        id=st.none() | st.just("9"),
        key=st.none() | st.just("k,1"),
        draft=st.booleans(),
        config=st.none() | st.just("sha256:c1"),
        blob=st.none() | st.just("b1"),
    )
    return short | other


URLS = st.sampled_from([f"https://blog.example/{n}/" for n in ("a", "b", "c", "d,e", "é")])
VALID = st.builds(
    RecordsData,
    posts=st.dictionaries(
        URLS,
        st.builds(
            PostRecords,
            source=st.none() | st.sampled_from(["posts/a.md", "posts/b,c.md", "p/\U0001f600.md"]),
            platforms=st.dictionaries(st.sampled_from(["devto", "hashnode"]), _entry()),
        ),
        max_size=4,
    ),
    accounts=st.dictionaries(
        st.sampled_from(["hashnode", "mastodon"]),
        st.dictionaries(st.sampled_from(["token_host", "ids"]), st.text(max_size=4)),
        max_size=2,
    ),
)


def _twice_a_line(raw: str, draw: st.DrawFn) -> str:
    """A post's line kept twice, as a merge that keeps both sides leaves it: the same line, or
    the other side's (fewer entries, none), before or after it."""
    lines = raw.split("\n")
    posts = [i for i, line in enumerate(lines) if line.startswith('"https://')]
    if not posts:
        return raw
    at = draw(st.sampled_from(posts))
    key = lines[at][: lines[at].index('": ') + 3]
    other = draw(st.sampled_from(["", '["x",null,{}]', '["x",null,{"devto":[]}]']))
    copy = (key + other if other else lines[at]).rstrip(",") + ","
    at += draw(st.sampled_from([0, 1]))
    if at == len(lines) or not lines[at - 1].endswith(","):
        return raw  # the last post: a copy after it would need the comma moved
    return "\n".join([*lines[:at], copy, *lines[at:]])


def _twice_a_key(raw: str, draw: st.DrawFn) -> str:
    """One key of any object of the document written again just after its own member."""
    keys = [m.start() for m in re.finditer(r'"[^"\\]*":', raw)]
    if not keys:
        return raw
    at = draw(st.sampled_from(keys))
    key = raw[at : raw.index(":", raw.index('"', at + 1)) + 1]
    value = draw(st.sampled_from(["1", "null", "[]", "{}", '"x"', '["a","b","c","d"]']))
    opening = raw.rfind("{", 0, at)
    return raw[: opening + 1] + key + value + "," + raw[opening + 1 :]


def _replace_a_value(raw: str, draw: st.DrawFn) -> str:
    """Some text, list or number of the document replaced by an arbitrary JSON value."""
    spots = [m.span() for m in re.finditer(r'"[^"\\:]*"(?!:)|\[\]|\d+', raw)]
    if not spots:
        return raw
    start, end = draw(st.sampled_from(spots))
    return raw[:start] + text(draw(JSON), draw(separators())) + raw[end:]


def _surrogate(raw: str, draw: st.DrawFn) -> str:
    escape = draw(st.sampled_from(["\\ud800", "\\udc80x", "\\ud83d\\ude00"]))
    return raw.replace('"posts/', '"' + escape, 1)


def _version(raw: str, draw: st.DrawFn) -> str:
    version = draw(st.sampled_from(["1", "2", "4", '"3"', "3.0", "null"]))
    return raw.replace('"version": 3', '"version": ' + version, 1)


def _nested(raw: str, draw: st.DrawFn) -> str:
    """An entry holding objects nested deep (one member each: no comma in them)."""
    depth = draw(st.sampled_from([3, 40, 980, 990, 995, 2000]))
    deep = '{"a":' * depth + "1" + "}" * depth
    return raw.replace('{"devto":', '{"devto":[' + deep + '],"x":', 1)


DAMAGE: list[Callable[[str, st.DrawFn], str]] = [
    _twice_a_line,
    _twice_a_key,
    _replace_a_value,
    _surrogate,
    _version,
    _nested,
]


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    """A records document: valid, damaged a few times over, or any JSON at all."""
    kind = draw(st.sampled_from(["valid", "damaged", "legacy", "json"]))
    if kind == "json":
        return text(draw(JSON), draw(separators())).encode("utf-8")
    if kind == "legacy":
        return _legacy(draw).encode("utf-8")
    raw = dump(draw(VALID)).decode("utf-8")
    if kind == "damaged":
        for damage in draw(st.lists(st.sampled_from(DAMAGE), min_size=1, max_size=3)):
            raw = damage(raw, draw)
    return raw.encode("utf-8")


def _legacy(draw: st.DrawFn) -> str:
    """A document of format 1 or 2, a key of its posts or platforms possibly written twice."""
    entry = Pairs((("state", "published"), ("id", "1"), ("at", "2024-05-01T10:00:00.000Z")))
    platforms = Pairs(tuple((draw(KEYS), entry) for _ in range(draw(st.integers(0, 3)))))
    post = Pairs((("platforms", platforms), ("source", "posts/a.md")))
    posts = Pairs(tuple((draw(URLS), post) for _ in range(draw(st.integers(0, 3)))))
    version = draw(st.sampled_from([1, 2]))
    return text(Pairs((("version", version), ("posts", posts))), draw(separators()))


class _Twice(Exception):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _Twice
    return dict(pairs)


def _twice(raw: bytes) -> bool | None:
    """Whether some object of the document writes a key twice (None: not JSON to Python)."""
    try:
        json.loads(raw.decode("utf-8"), object_pairs_hook=_unique)
    except _Twice:
        return True
    except (ValueError, RecursionError):
        return None
    return False


def outcome(raw: bytes, *, shortcut: bool = True) -> Any:
    """What `parse(raw, lazy=True)` gives, the data or the error's message, line and newer;
    without `shortcut`, with every object checked as it is built. Both ways run at the same
    depth of the stack, so that a document nested as deep as it allows meets the same limit."""
    quick = records_format._quick if shortcut else lambda text, raw: None
    with mock.patch.object(records_format, "_quick", quick):
        try:
            data = parse(raw, lazy=True)
        except FormatError as exc:
            return ("error", exc.message, exc.line, exc.newer)
    return ("data", data)


@PROPERTY
@given(documents())
def test_the_shortcut_never_changes_what_a_document_gives(raw: bytes) -> None:
    assert outcome(raw) == outcome(raw, shortcut=False)


@PROPERTY
@given(documents())
def test_a_key_written_twice_is_always_refused(raw: bytes) -> None:
    twice, got = _twice(raw), outcome(raw)
    if twice:
        assert got[0] == "error" and "is written twice in one object" in got[1], got
    elif twice is False and got[0] == "error":
        assert "written twice" not in got[1]


@PROPERTY
@given(VALID)
def test_a_valid_document_reads_back_as_written(data: RecordsData) -> None:
    raw = dump(data)
    read = parse(raw, lazy=True)
    assert read.raw == json.loads(raw)["posts"]
    assert dump(read) == raw


def test_an_entry_nested_as_deep_as_the_parser_allows_is_read_as_the_careful_read_does() -> None:
    """The careful read calls Python once per object, one frame more on the stack at the
    deepest: at the depth where only it runs out, the document is refused all the same (an
    object nested in an entry has no comma to tell, so its `{` must)."""
    head = '{"version": 3, "urls": {"devto": "https://dev.to/me/"},\n"posts": {\n'
    for depth in range(700, 1000):
        deep = '{"a":' * depth + "1" + "}" * depth
        post = f'"https://blog.example/a/": ["a.md", "b1", {{"devto": [{deep}]}}]'
        raw = (head + post + "\n}}\n").encode("utf-8")
        assert outcome(raw) == outcome(raw, shortcut=False), depth


def test_an_account_cache_nested_as_deep_as_the_parser_allows_is_read_carefully() -> None:
    """The small parts of the document are counted a value at a time: nested deeper than a
    records document goes, they are left to the careful read."""
    for depth in range(700, 1000):
        deep = '{"a":' * depth + "1" + "}" * depth
        raw = f'{{"version": 3, "accounts": {{"devto": {{"x": {deep}}}}}}}'.encode()
        assert outcome(raw) == outcome(raw, shortcut=False), depth
