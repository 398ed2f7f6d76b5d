"""One records merge for every writer (crosspost.records_merge), held to its stated laws.

The laws, exactly as the module's docstring states them: no loss, idempotent, associative, and
commutative on the settled result (for every post × platform, an entry as settled and of the
same `at` instant, whichever side is `ours`); commutative byte for byte when no tie exists.
Then the two writers: the CLI's locked write keeps another writer's entries (the lost-entry
scenario of issue 12), and the CLI and the Action write the same bytes for the same records.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosspost.action.sync import dump as action_dump
from crosspost.action.sync import parse as action_parse
from crosspost.api import dump_records, merge_records, parse_records
from crosspost.records import Entry, Records
from crosspost.records_format import PostRecords, RecordsData
from crosspost.records_merge import Key, merge_entry, when

URLS = [f"https://blog.example.com/posts/{slug}/" for slug in ("a", "b", "c")]
PLATFORMS = ["devto", "hashnode", "mastodon"]
A = URLS[0]


def stamp(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(1_700_000_000 + seconds)) + ".000Z"


def entries(at: st.SearchStrategy[str]) -> st.SearchStrategy[Entry]:
    return st.builds(
        Entry,
        state=st.sampled_from(["pending", "published", "unknown"]),
        at=at,
        id=st.one_of(st.none(), st.sampled_from(["1", "2", "3"])),
        key=st.one_of(st.none(), st.sampled_from(["k1", "k2"])),
    )


# Few instants, so that ties (equal state and `at`) are common; one `at` nobody can read.
TIED_AT = st.one_of(st.sampled_from([stamp(0), stamp(60), stamp(120)]), st.just("yesterday"))
UNIQUE_AT = st.integers(0, 10**9).map(stamp)


@st.composite
def histories(draw: st.DrawFn, at: st.SearchStrategy[str] = TIED_AT) -> RecordsData:
    posts: dict[str, PostRecords] = {}
    for url in draw(st.lists(st.sampled_from(URLS), unique=True)):
        names = draw(st.lists(st.sampled_from(PLATFORMS), min_size=1, unique=True))
        source = draw(st.one_of(st.none(), st.sampled_from(["posts/a.md", "posts/b.md"])))
        posts[url] = PostRecords(source, {name: draw(entries(at)) for name in names})
    accounts = draw(
        st.dictionaries(
            st.sampled_from(PLATFORMS),
            st.dictionaries(
                st.sampled_from(["publication", "user"]), st.text(max_size=3), min_size=1
            ),
        )
    )
    return RecordsData(posts, accounts)


def keys(data: RecordsData) -> set[Key]:
    return {(url, name) for url, post in data.posts.items() for name in post.platforms}


def account_keys(data: RecordsData) -> set[tuple[str, str]]:
    return {(name, key) for name, values in data.accounts.items() for key in values}


def settled(data: RecordsData) -> dict[Key, tuple[bool, float]]:
    """Per post × platform: whether the entry is settled (published), and its `at` instant."""
    return {
        (url, name): (entry.state == "published", when(entry))
        for url, post in data.posts.items()
        for name, entry in post.platforms.items()
    }


def rank(entry: Entry) -> tuple[int, float]:
    return (entry.state == "published", when(entry))


def replace_file(path: Path, raw: bytes) -> None:
    """Another writer's write, as git and crosspost do it: a new file over the old one."""
    temp = path.with_name("other-writer.tmp")
    temp.write_bytes(raw)
    os.replace(temp, path)


def copy(data: RecordsData) -> RecordsData:
    return parse_records(dump_records(data))


PURE = settings(max_examples=100, deadline=None)


# --------------------------------------------------------------------------- the laws


@PURE
@given(histories(), histories())
def test_no_entry_is_ever_lost(ours: RecordsData, theirs: RecordsData) -> None:
    merged = merge_records(ours, theirs)
    assert keys(merged) == keys(ours) | keys(theirs)
    assert account_keys(merged) == account_keys(ours) | account_keys(theirs)
    for key in keys(merged):
        chosen = merged.get(*key)
        assert chosen is not None
        for side in (ours, theirs):
            entry = side.get(*key)
            if entry is not None:
                assert rank(chosen) >= rank(entry)  # never an older or less settled one
                assert entry.state != "published" or chosen.state == "published"


@PURE
@given(histories())
def test_merge_is_idempotent(history: RecordsData) -> None:
    assert dump_records(merge_records(history, copy(history))) == dump_records(history)


@PURE
@given(histories(), histories(), histories())
def test_merge_is_associative(a: RecordsData, b: RecordsData, c: RecordsData) -> None:
    left = merge_records(merge_records(a, b), c)
    right = merge_records(a, merge_records(b, c))
    assert dump_records(left) == dump_records(right)


@PURE
@given(histories(), histories())
def test_merge_is_commutative_on_the_settled_result(a: RecordsData, b: RecordsData) -> None:
    assert settled(merge_records(a, b)) == settled(merge_records(b, a))


@PURE
@given(histories(), histories(), histories())
def test_any_order_of_three_settles_alike_and_loses_nothing(
    a: RecordsData, b: RecordsData, c: RecordsData
) -> None:
    results = [
        merge_records(merge_records(x, y), z) for x, y, z in itertools.permutations((a, b, c))
    ]
    assert all(keys(result) == keys(a) | keys(b) | keys(c) for result in results)
    assert all(settled(result) == settled(results[0]) for result in results)


@PURE
@given(histories(UNIQUE_AT), histories(UNIQUE_AT))
def test_without_ties_the_merge_is_commutative_byte_for_byte(
    a: RecordsData, b: RecordsData
) -> None:
    # Ties are where `ours` wins by design: the same post with two sources, the same account
    # key with two values, two entries of one state at one instant. Remove them from `b`.
    for url, post in b.posts.items():
        if url in a.posts:
            post.source = a.posts[url].source
    for name, values in b.accounts.items():
        values.update({k: v for k, v in a.accounts.get(name, {}).items() if k in values})
    for url, name in keys(a) & keys(b):
        mine, other = a.posts[url].platforms[name], b.posts[url].platforms[name]
        if rank(mine) == rank(other):
            b.posts[url].platforms[name] = mine
    assert dump_records(merge_records(a, b)) == dump_records(merge_records(b, a))


def test_a_tie_keeps_ours() -> None:
    ours, theirs = Entry("published", at=stamp(0), id="ours"), Entry("published", at=stamp(0))
    assert merge_entry(ours, theirs) is ours
    assert merge_entry(Entry("pending", at=stamp(9)), ours) is ours  # settled beats newer


# --------------------------------------------------------------------------- the CLI's locked write


def test_another_writers_entry_for_the_same_post_is_kept(tmp_path: Path) -> None:
    """Issue 12: another writer adds post A's mastodon entry while this run writes A's hashnode
    entry; the file must end with all three (it ended with devto and hashnode)."""
    path = tmp_path / ".crosspost" / "records.json"
    with Records.open(path) as records:
        records.put(A, "devto", Entry("published", id="d1"), source="posts/a.md")
        theirs = json.loads(path.read_text("utf-8"))  # a git pull brings another machine's
        theirs["posts"][A]["platforms"]["mastodon"] = {
            "state": "published",
            "id": "m1",
            "at": stamp(0),
        }
        replace_file(path, json.dumps(theirs).encode())
        records.put(A, "hashnode", Entry("published", id="h1"), source="posts/a.md")
    final = Records.read(path)
    assert sorted(final.entries(A)) == ["devto", "hashnode", "mastodon"]
    assert final.get(A, "mastodon") == Entry("published", at=stamp(0), id="m1")


def test_a_removal_takes_only_the_entry_we_read(tmp_path: Path) -> None:
    """Our removal of an entry nobody else touched stands; an entry another writer changed
    since we read it outlives our removal (it is news we have not seen)."""
    path = tmp_path / "records.json"
    with Records.open(path) as records:
        records.put(A, "devto", Entry("pending", key="k"), source="posts/a.md")
        records.put(A, "medium", Entry("pending", key="m"), source="posts/a.md")
        theirs = json.loads(path.read_text("utf-8"))
        published = {"state": "published", "id": "9", "at": stamp(0)}
        theirs["posts"][A]["platforms"]["devto"] = published
        replace_file(path, json.dumps(theirs).encode())
        records.remove(A, "devto")
        records.remove(A, "medium")
    final = Records.read(path)
    assert final.entries(A) == {"devto": Entry("published", at=stamp(0), id="9")}


def test_our_newer_state_replaces_the_one_we_read(tmp_path: Path) -> None:
    """A successor is not a rival: when the file changed elsewhere, an entry we read as
    published and then marked pending (a re-create) is written as pending, not merged away."""
    path = tmp_path / "records.json"
    other = "https://blog.example.com/posts/b/"
    with Records.open(path) as records:
        records.put(A, "devto", Entry("published", id="1"), source="posts/a.md")
        theirs = json.loads(path.read_text("utf-8"))
        theirs["posts"][other] = {"platforms": {"devto": {"state": "published", "at": stamp(0)}}}
        replace_file(path, json.dumps(theirs).encode())
        records.put(A, "devto", Entry("pending", key="again"), source="posts/a.md")
    final = Records.read(path)
    assert final.entries(A) == {
        "devto": Entry("pending", at=final.entries(A)["devto"].at, key="again")
    }
    assert final.get(other, "devto") == Entry("published", at=stamp(0))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), histories())
def test_the_cli_and_the_action_write_the_same_bytes(
    ours: RecordsData, theirs: RecordsData
) -> None:
    """The CLI writes `ours` while another writer puts `theirs` on disk behind its back; the
    Action merges the two documents: the files are identical, byte for byte."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.json"
        with Records.open(path) as records:
            replace_file(path, dump_records(theirs))  # after we read: a concurrent writer
            with records.bulk():
                for url, post in ours.posts.items():
                    for name, entry in post.platforms.items():
                        records.put(url, name, entry, source=post.source)
                for name, values in ours.accounts.items():
                    records.save_account(name, values)
        cli = path.read_bytes()
    mine = action_parse(dump_records(ours).decode(), "this run's records")
    other = action_parse(dump_records(theirs).decode(), "origin/main")
    assert cli == action_dump(merge_records(mine, other)).encode()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), histories(), histories())
def test_the_locked_write_merges_only_what_changed_since_it_read(
    read: RecordsData, ours: RecordsData, added: RecordsData
) -> None:
    """The three-way form: the CLI read `read`, another writer then added `added` to it, and
    the CLI writes `ours`. Every entry of both writers is kept; an entry the other writer left
    as it was read takes our write as it is (a successor), one it changed is merged."""
    theirs = merge_records(added, copy(read))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.json"
        path.write_bytes(dump_records(read))
        with Records.open(path) as records:
            replace_file(path, dump_records(theirs))
            with records.bulk():
                for url, post in ours.posts.items():
                    for name, entry in post.platforms.items():
                        records.put(url, name, entry, source=None)
        result = Records.read(path)
    assert {(url, name) for url in result.urls() for name in result.entries(url)} == keys(
        ours
    ) | keys(theirs)
    for url, name in keys(ours) | keys(theirs):
        mine, other = ours.get(url, name), theirs.get(url, name)
        if mine is None:
            expected = other
        elif other is None or other == read.get(url, name):
            expected = mine
        else:
            expected = merge_entry(mine, other)
        assert result.get(url, name) == expected


@PURE
@given(histories())
def test_the_codec_round_trips_to_the_same_bytes(history: RecordsData) -> None:
    raw = dump_records(history)
    assert dump_records(parse_records(raw)) == raw
    assert action_dump(action_parse(raw.decode(), "git")).encode() == raw
