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

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosspost.action.sync import dump as action_dump
from crosspost.action.sync import parse as action_parse
from crosspost.api import dump_records, merge_records, parse_records
from crosspost.errors import RecordsError
from crosspost.records import Entry, Records
from crosspost.records_format import PostRecords, RecordsData
from crosspost.records_merge import Key, _moves, merge3, merge_entry, when

from .records_view import records_view

URLS = [f"https://blog.example.com/posts/{slug}/" for slug in ("a", "b", "c")]
PLATFORMS = ["devto", "hashnode", "mastodon", "devto@http://127.0.0.1:34121"]  # and a kept one
A = URLS[0]


def stamp(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(1_700_000_000 + seconds)) + ".000Z"


def maybe(*values: str) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.sampled_from(values))


def entries(at: st.SearchStrategy[str]) -> st.SearchStrategy[Entry]:
    """Every field of an entry, every state (`gone` included)."""
    return st.builds(
        Entry,
        state=st.sampled_from(["pending", "published", "unknown", "gone"]),
        at=at,
        id=maybe("1", "2", "3"),
        url=maybe("https://dev.to/x/1", "https://dev.to/x/2", "https://mastodon.example/@x/2"),
        hash=maybe("h1", SHORT_HASH),
        key=maybe("k1", "k2"),
        draft=st.booleans(),
        source=maybe("s1", "s2"),
        config=maybe("c1", "c2"),
        was=maybe(*URLS),
        blob=maybe("b1", "b2"),
    )


SHORT_HASH = "sha256:" + "0f" * 16  # a payload hash as crosspost computes it (128 bits)


@st.composite
def common_entries(draw: st.DrawFn, at: st.SearchStrategy[str]) -> Entry:
    """Mostly the entry format 3 writes short (published, a payload hash of 128 bits, nothing
    else), sometimes any entry."""
    if draw(st.integers(0, 3)) == 0:
        return draw(entries(at))
    return Entry(
        "published",
        at=draw(at),
        id=draw(st.sampled_from(["1", "2"])),
        url=draw(st.sampled_from(["https://dev.to/x/1", "https://dev.to/x/2", "https://x/y://"])),
        hash=SHORT_HASH,
        config=draw(maybe("c1", "c2")),
        blob=draw(maybe("b1", "b2")),
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
        posts[url] = PostRecords(source, {name: draw(common_entries(at)) for name in names})
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


def is_settled(entry: Entry) -> bool:
    return entry.state in ("published", "gone")


def settled(data: RecordsData) -> dict[Key, tuple[bool, float]]:
    """Per post × platform: whether the entry is settled (published or gone), and its `at`."""
    return {
        (url, name): rank(entry)
        for url, post in data.posts.items()
        for name, entry in post.platforms.items()
    }


def rank(entry: Entry) -> tuple[bool, float]:
    return (is_settled(entry), when(entry.at))


def replace_file(path: Path, raw: bytes) -> None:
    """Another writer's write, as git and crosspost do it: a new file over the old one."""
    temp = path.with_name("other-writer.tmp")
    temp.write_bytes(raw)
    os.replace(temp, path)


def copy(data: RecordsData) -> RecordsData:
    return parse_records(dump_records(data))


PURE = settings(max_examples=100, deadline=None)


# --------------------------------------------------------------------------- the format


@PURE
@given(
    histories(),
    st.dictionaries(st.sampled_from(PLATFORMS), st.sampled_from(["c1", "c2"]), min_size=1),
    maybe("b1", "b2"),
    maybe("s1", "s2"),
)
def test_unchanged_answers_alike_from_the_post_as_read_and_decoded(
    data: RecordsData, prints: dict[str, str], blob: str | None, digest: str | None
) -> None:
    raw = dump_records(data)
    for url in data.posts:
        lazy, decoded = parse_records(raw, lazy=True), parse_records(raw)
        assert lazy.unchanged_test(prints)(url, blob, digest) == decoded.unchanged_test(prints)(
            url, blob, digest
        )


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
                assert not is_settled(entry) or is_settled(chosen)


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


def test_gone_is_settled_and_the_newer_settled_wins() -> None:
    """A copy deleted by hand (`gone`, issue 14) is as settled as `published`: a stale
    `published` from another writer must not bring it back, nor a newer `pending` replace it."""
    published, gone = Entry("published", at=stamp(0), id="1"), Entry("gone", at=stamp(60), id="1")
    assert merge_entry(published, gone) is gone
    assert merge_entry(gone, published) is gone
    assert merge_entry(Entry("gone", at=stamp(0)), Entry("published", at=stamp(60))).state == (
        "published"
    )
    assert merge_entry(Entry("unknown", at=stamp(99)), gone) is gone


# --------------------------------------------------------------------------- the CLI's locked write


def test_another_writers_entry_for_the_same_post_is_kept(tmp_path: Path) -> None:
    """Issue 12: another writer adds post A's mastodon entry while this run writes A's hashnode
    entry; the file must end with all three (it ended with devto and hashnode)."""
    path = tmp_path / ".crosspost" / "records.json"
    with Records.open(path) as records:
        records.put(A, "devto", Entry("published", id="d1"), source="posts/a.md")
        theirs = records_view(path.read_text("utf-8"))  # a git pull brings another machine's
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
        theirs = records_view(path.read_text("utf-8"))
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
        theirs = records_view(path.read_text("utf-8"))
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
        elif mine == read.get(url, name):
            expected = other  # we wrote back what we read: theirs is the only change
        else:
            expected = merge_entry(mine, other)
        assert result.get(url, name) == expected


@PURE
@given(histories())
def test_the_codec_round_trips_to_the_same_bytes(history: RecordsData) -> None:
    """Format 3 says shared values once and writes common entries short: nothing is lost, and
    the same data gives the same bytes."""
    raw = dump_records(history)
    assert parse_records(raw).posts == {u: p for u, p in history.posts.items() if p.platforms}
    assert dump_records(parse_records(raw)) == raw
    assert action_dump(action_parse(raw.decode(), "git")).encode() == raw


# --------------------------------------------------------------------------- moves and windows

OLD, NEW = URLS[1], URLS[2]


def test_a_move_carries_the_entry_another_writer_added_at_the_old_url(tmp_path: Path) -> None:
    """A slug change during a run while a git pull adds the post's mastodon entry at the old URL:
    the entry follows the post (it stayed behind at OLD, and the next run at NEW tooted again)."""
    path = tmp_path / "records.json"
    first = RecordsData({OLD: PostRecords("posts/b.md", {"devto": Entry("published", id="d")})})
    path.write_bytes(dump_records(first))
    with Records.open(path) as records:
        pulled = copy(first)
        pulled.posts[OLD].platforms["mastodon"] = Entry(
            "published", at=stamp(0), id="m", source="digest-of-b.md"
        )
        replace_file(path, dump_records(pulled))
        records.move(OLD, NEW, source="posts/b2.md")
    final = Records.read(path)
    assert final.urls() == [NEW]
    assert sorted(final.entries(NEW)) == ["devto", "mastodon"]
    # `was`: the toot still links OLD until the update that moves it lands (ownership.urls_of);
    # no file digest, as `Records.move` drops it: the fast path must not call the moved post
    # unchanged on its bytes alone, so the next run compares its URL and updates the toot.
    assert final.get(NEW, "mastodon") == Entry("published", at=stamp(0), id="m", was=OLD)
    assert final.source_of(NEW) == "posts/b2.md"


def test_an_entry_the_other_writer_moved_back_to_where_we_read_it_is_kept(
    tmp_path: Path,
) -> None:
    """The hypothesis counterexample of issue 12, by name. A post at A whose entry already
    carries `was=A` (moved away and back before) and no file digest: another writer moves it to
    C (a git pull), while this run, not seeing that, forgot A's devto entry, wrote C's hashnode
    entry and moved C to A. Our move carries the other writer's devto entry from C back to A,
    where it equals the entry we read there and removed: it is the other writer's change, and
    must outlive our removal (it was dropped, and the next run posted to dev.to again)."""
    path = tmp_path / "records.json"
    devto = Entry("published", at=stamp(0), id="d", was=A)
    first = RecordsData({A: PostRecords(None, {"devto": devto})})
    path.write_bytes(dump_records(first))
    with Records.open(path) as records:
        pulled = RecordsData({NEW: PostRecords(None, {"devto": devto})})  # they moved A → C
        replace_file(path, dump_records(pulled))
        with records.bulk():
            records.remove(A, "devto")
            records.put(NEW, "hashnode", Entry("pending", at=stamp(60), key="k"), source=None)
            records.move(NEW, A)
    final = Records.read(path)
    assert final.urls() == [A]
    assert final.get(A, "devto") == devto
    assert final.get(A, "hashnode") == Entry("pending", at=stamp(60), key="k", was=NEW)


def test_an_entry_carried_by_one_of_our_moves_follows_the_next(tmp_path: Path) -> None:
    """The same, with one more move of ours (A to B): the entry carried to A by our first move
    is not the one we read at A, so our second move carries it on to B (it was left behind as
    "the entry we moved", and dropped)."""
    path = tmp_path / "records.json"
    devto = Entry("published", at=stamp(0), id="d", was=A)
    path.write_bytes(dump_records(RecordsData({A: PostRecords(None, {"devto": devto})})))
    with Records.open(path) as records:
        replace_file(path, dump_records(RecordsData({NEW: PostRecords(None, {"devto": devto})})))
        with records.bulk():
            records.remove(A, "devto")
            records.put(NEW, "hashnode", Entry("pending", at=stamp(60), key="k"), source=None)
            records.move(NEW, A)
            records.move(A, OLD)
    final = Records.read(path)
    assert final.urls() == [OLD]
    assert final.get(OLD, "devto") == devto
    assert sorted(final.entries(OLD)) == ["devto", "hashnode"]


def test_a_move_carries_a_pending_entry_with_the_url_its_create_carried(tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    first = RecordsData({OLD: PostRecords(None, {"devto": Entry("published", id="d")})})
    path.write_bytes(dump_records(first))
    with Records.open(path) as records:
        pulled = copy(first)
        pulled.posts[OLD].platforms["devto"] = Entry("published", at=stamp(0), id="d", hash="h2")
        pulled.posts[OLD].platforms["medium"] = Entry("pending", at=stamp(0), key="k")
        replace_file(path, dump_records(pulled))
        records.move(OLD, NEW)
    final = Records.read(path)
    assert final.urls() == [NEW]
    assert final.get(NEW, "medium") == Entry("pending", at=stamp(0), key="k", was=OLD)
    devto = final.get(NEW, "devto")
    assert devto is not None and devto.id == "d"


def test_a_file_replaced_between_the_check_and_the_write_is_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other writer (a git pull) replaces the file while ours is being written: its entry
    is merged in, not overwritten."""
    path = tmp_path / "records.json"
    fsync, hits = os.fsync, list[int]()

    def pull_during_the_write(fd: int) -> None:
        fsync(fd)
        if not hits and os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).endswith(".tmp"):
            hits.append(fd)
            theirs = RecordsData({OLD: PostRecords(None, {"devto": Entry("published", id="t")})})
            replace_file(path, dump_records(theirs))

    with Records.open(path) as records:
        monkeypatch.setattr(os, "fsync", pull_during_the_write)
        records.put(A, "devto", Entry("published", id="ours"), source=None)
        monkeypatch.undo()
    assert hits
    final = Records.read(path)
    assert final.urls() == [A, OLD]


def test_a_file_replaced_right_after_ours_is_not_taken_for_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other writer replaces the file just after our `os.replace`: the next write sees a
    file that is not ours and merges it (it took theirs for ours and overwrote it)."""
    path = tmp_path / "records.json"
    replace, hits = os.replace, list[object]()

    def pull_right_after(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        replace(src, dst)
        if not hits and Path(dst) == path:
            hits.append(dst)
            theirs = parse_records(path.read_bytes())
            theirs.posts[OLD] = PostRecords(None, {"devto": Entry("published", id="t")})
            raw = dump_records(theirs)
            temp = path.with_name("other-writer.tmp")
            temp.write_bytes(raw)
            replace(temp, path)

    with Records.open(path) as records:
        monkeypatch.setattr(os, "replace", pull_right_after)
        records.put(A, "devto", Entry("published", id="ours"), source=None)
        monkeypatch.undo()
        records.put(A, "mastodon", Entry("published", id="m"), source=None)
    assert hits
    final = Records.read(path)
    assert final.urls() == [A, OLD]
    assert sorted(final.entries(A)) == ["devto", "mastodon"]


# --------------------------------------------------------------------------- three-way, any ops

Op = tuple[str, str, str, Entry | None]  # ("put" | "remove" | "move", url, platform or new URL)


@st.composite
def operations(draw: st.DrawFn) -> list[Op]:
    """A writer's changes: puts, removals and moves (slug changes), in order."""
    return draw(
        st.lists(
            st.one_of(
                st.tuples(
                    st.just("put"),
                    st.sampled_from(URLS),
                    st.sampled_from(PLATFORMS),
                    entries(UNIQUE_AT),
                ),
                st.tuples(
                    st.just("remove"), st.sampled_from(URLS), st.sampled_from(PLATFORMS), st.none()
                ),
                st.tuples(st.just("move"), st.sampled_from(URLS), st.sampled_from(URLS), st.none()),
            ),
            max_size=6,
        )
    )


def apply(records: Records, ops: list[Op]) -> list[tuple[str, str]]:
    """Apply a writer's operations through crosspost.records; the moves that took place."""
    moves = []
    for kind, url, other, entry in ops:
        if kind == "put" and entry is not None:
            records.put(url, other, entry, source=None)
        elif kind == "remove":
            records.remove(url, other)
        elif url != other:
            try:
                records.move(url, other)
            except RecordsError:
                continue  # nothing to move, or the target has records: refused
            moves.append((url, other))
    return moves


def written(read: RecordsData, ops: list[Op]) -> tuple[RecordsData, list[tuple[str, str]]]:
    """What one writer alone makes of `read` with `ops`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.json"
        path.write_bytes(dump_records(read))
        with Records.open(path) as records, records.bulk():
            moves = apply(records, ops)
        return parse_records(path.read_bytes()), moves


def follow(url: str, moves: list[tuple[str, str]]) -> str:
    for old, new in moves:
        if url == old:
            url = new
    return url


def assert_rebase_laws(
    read: RecordsData,
    ours: RecordsData,
    theirs: RecordsData,
    moves: list[tuple[str, str]],
    result: RecordsData,
) -> None:
    """The laws of `records_merge.rebase`, as its docstring states them."""
    moved_away = {old for old, _ in moves} - {new for _, new in moves}
    carried: set[Key] = set()
    for url, name in keys(theirs) | keys(read):
        if theirs.get(url, name) != read.get(url, name) and theirs.get(url, name) is not None:
            # Every entry the other writer changed or added is kept, at its post's URL after
            # our moves, at least as settled and as new.
            target = (follow(url, moves), name)
            carried.add(target)
            chosen = result.get(*target)
            entry = theirs.get(url, name)
            assert chosen is not None and entry is not None
            assert rank(chosen) >= rank(entry), (url, name)
    for key in keys(ours) | keys(read):
        mine, before, other = ours.get(*key), read.get(*key), theirs.get(*key)
        if mine == before:
            continue
        if other == before and key not in carried:
            assert result.get(*key) == mine, key  # ours stands where they did not touch it
        elif mine is not None:
            chosen = result.get(*key)
            assert chosen is not None and rank(chosen) >= rank(mine), key
    for key in keys(read):
        if ours.get(*key) == read.get(*key) == theirs.get(*key) and key[0] not in moved_away:
            assert result.get(*key) == read.get(*key), key  # nobody touched it
    for url in moved_away:
        # Nothing stays behind where we moved a post from (what another writer left there
        # followed the post), except what we wrote there since.
        for name in PLATFORMS:
            assert ours.get(url, name) is not None or result.get(url, name) is None, (url, name)


THREE_WAY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@THREE_WAY
@given(histories(UNIQUE_AT), operations(), operations())
def test_the_locked_write_keeps_both_writers_changes(
    read: RecordsData, our_ops: list[Op], their_ops: list[Op]
) -> None:
    """The CLI read `read`; another writer then put, removed and moved posts (a git pull), and
    the CLI did its own puts, removals and moves: `rebase`'s laws hold."""
    ours, moves = written(read, our_ops)
    theirs, _ = written(read, their_ops)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.json"
        path.write_bytes(dump_records(read))
        with Records.open(path) as records:
            replace_file(path, dump_records(theirs))
            with records.bulk():
                apply(records, our_ops)
        result = parse_records(path.read_bytes())
    assert_rebase_laws(read, ours, theirs, moves, result)


@THREE_WAY
@given(histories(UNIQUE_AT), operations(), operations())
def test_the_actions_three_way_merge_keeps_both_writers_changes(
    read: RecordsData, our_ops: list[Op], their_ops: list[Op]
) -> None:
    """The Action's rebase: git's stage 1 (`read`), 3 (`ours`) and 2 (`theirs`) through the same
    `rebase`, with our moves read off the documents: the same laws hold."""
    ours, _ = written(read, our_ops)
    theirs, _ = written(read, their_ops)
    result = merge3(copy(read), ours, theirs)
    assert_rebase_laws(read, ours, theirs, _moves(read, ours), result)
    assert pairs(merge3(read, read, theirs)) == pairs(theirs)
    assert pairs(merge3(read, ours, read)) == pairs(ours)


def pairs(data: RecordsData) -> dict[Key, Entry]:
    return {key: entry for key in keys(data) if (entry := data.get(*key)) is not None}


def test_the_action_reads_a_move_off_the_documents() -> None:
    read = RecordsData(
        {
            OLD: PostRecords(None, {"devto": Entry("published", at=stamp(0), id="d")}),
            A: PostRecords(None, {"devto": Entry("published", at=stamp(0), id="a")}),
        }
    )
    ours = copy(read)
    ours.posts[NEW] = ours.posts.pop(OLD)
    theirs = copy(read)
    theirs.posts[OLD].platforms["mastodon"] = Entry("published", at=stamp(5), id="m", source="s")
    merged = merge3(read, ours, theirs)
    assert sorted(merged.posts) == [A, NEW]
    assert sorted(merged.posts[NEW].platforms) == ["devto", "mastodon"]
    assert merged.get(NEW, "mastodon") == Entry("published", at=stamp(5), id="m", was=OLD)
    # Without the ancestor it is the two-way merge: the old URL comes back beside the new.
    assert sorted(merge3(None, ours, theirs).posts) == [A, OLD, NEW]
