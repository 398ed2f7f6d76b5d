"""The records file: atomic, locked, merged, and never overwritten when it cannot be trusted."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from crosspost.errors import LockError, RecordsError
from crosspost.records import Entry, Records

from .conftest import recorded
from .records_view import records_view

URL = "https://blog.example.com/posts/a/"


def test_put_writes_through_sorted_and_readable(tmp_path):
    path = tmp_path / ".crosspost" / "records.json"
    with Records.open(path) as records:
        records.put(URL, "devto", Entry("pending", key="k"), source="posts/a.md")
        on_disk = records_view(path.read_text("utf-8"))
        assert on_disk["posts"][URL]["platforms"]["devto"]["state"] == "pending"
        records.put(URL, "devto", Entry("published", id="1", url="https://dev.to/x"), source=None)
    assert json.loads(path.read_text("utf-8"))["version"] == 3
    data = records_view(path.read_text("utf-8"))
    assert data["posts"][URL]["source"] == "posts/a.md"
    assert data["posts"][URL]["platforms"]["devto"]["id"] == "1"
    ignored = (path.parent / ".gitignore").read_text("utf-8").splitlines()
    assert ignored.count("*.lock") == 1
    assert "sandbox-records.json" in ignored  # the sandbox's fake copies are never committed


def test_leftover_temp_files_are_cleaned(tmp_path):
    path = tmp_path / "records.json"
    leftover = tmp_path / ".records.abc.tmp"
    leftover.write_text("half", "utf-8")
    with Records.open(path):
        pass
    assert not leftover.exists()


def test_writes_merge_with_changes_made_on_disk(tmp_path):
    """A `git pull` during a run must not be undone by our next write."""
    path = tmp_path / "records.json"
    with Records.open(path) as records:
        records.put(URL, "devto", Entry("published", id="1"), source="a.md")
        theirs = records_view(path.read_text("utf-8"))
        theirs["posts"]["https://blog.example.com/posts/b/"] = {
            "source": "b.md",
            "platforms": {
                "hashnode": {"state": "published", "id": "h1", "at": "2024-01-01T00:00:00Z"}
            },
        }
        time.sleep(0.01)
        path.write_text(json.dumps(theirs), "utf-8")
        records.put(URL, "medium", Entry("published", id="m1"), source="a.md")
    final = Records.read(path)
    assert recorded(final, "https://blog.example.com/posts/b/", "hashnode").id == "h1"
    assert recorded(final, URL, "devto").id == "1"
    assert recorded(final, URL, "medium").id == "m1"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"version": 1, "posts": {', "not valid JSON"),
        ("", "not valid JSON"),
        ("[1, 2]", "no version"),
        ('{"version": 7, "posts": {}}', "newer crosspost"),
        ('{"version": 1, "posts": {"u": {"platforms": {"devto": {"state": "weird"}}}}}', "damaged"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
    ids=["truncated", "empty", "not-an-object", "newer", "bad-state", "binary"],
)
def test_untrustworthy_files_are_errors_and_left_untouched(tmp_path, content, message):
    path = tmp_path / "records.json"
    raw = content if isinstance(content, bytes) else content.encode()
    path.write_bytes(raw)
    with pytest.raises(RecordsError, match=message) as info:
        with Records.open(path) as records:
            records.put(URL, "devto", Entry("published"), source=None)
    assert str(path) in str(info.value)
    assert path.read_bytes() == raw


@pytest.mark.skipif(os.name != "posix", reason="permission bits")
def test_world_writable_file_is_refused(tmp_path):
    path = tmp_path / "records.json"
    path.write_text('{"version": 1, "posts": {}}', "utf-8")
    path.chmod(0o666)
    with pytest.raises(RecordsError, match="world-writable"):
        Records.read(path)


def test_the_lock_serialises_runs(tmp_path):
    path = tmp_path / "records.json"
    order: list[str] = []

    def second() -> None:
        with Records.open(path):
            order.append("second")

    with Records.open(path):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.2)
        order.append("first")
    thread.join(5)
    assert order == ["first", "second"]


def test_lock_timeout_is_a_clear_error(tmp_path):
    path = tmp_path / "records.json"
    failures: list[Exception] = []

    def impatient() -> None:
        try:
            with Records.open(path, lock_timeout=0.1):
                pass
        except LockError as exc:
            failures.append(exc)

    with Records.open(path):
        thread = threading.Thread(target=impatient)
        thread.start()
        thread.join(5)
    assert failures and "another crosspost run" in str(failures[0])


def test_move_rekeys_a_post(tmp_path):
    path = tmp_path / "records.json"
    new = "https://blog.example.com/posts/renamed/"
    with Records.open(path) as records:
        records.put(URL, "devto", Entry("published", id="1"), source="a.md")
        records.move(URL, new)
        with pytest.raises(RecordsError, match="no records"):
            records.move(URL, new)
    after = Records.read(path)
    assert recorded(after, new, "devto").id == "1"
    assert after.get(URL, "devto") is None
    assert after.url_for_source("a.md") == new


def test_account_cache_round_trips(tmp_path):
    path = tmp_path / "records.json"
    with Records.open(path) as records:
        records.save_account("hashnode", {"publication_id": "abc"})
    assert Records.read(path).account("hashnode") == {"publication_id": "abc"}


FORMAT_1 = {
    "version": 1,
    "accounts": {"hashnode": {"publication": "p1"}},
    "posts": {
        URL: {
            "source": "posts/a.md",
            "platforms": {
                name: {
                    "state": "published",
                    "at": "2026-01-01T00:00:00.000Z",
                    "id": f"{name}-1",
                    "hash": "sha256:payload",
                    "source": "sha256:file",
                    "config": f"sha256:{name}",
                }
                for name in ("devto", "hashnode")
            },
        }
    },
}


def test_format_1_is_read_and_written_back_as_format_3_with_nothing_lost(tmp_path):
    path = tmp_path / "records.json"
    path.write_text(json.dumps(FORMAT_1, indent=2), "utf-8")
    before = {name: Records.read(path).get(URL, name) for name in ("devto", "hashnode")}
    with Records.open(path) as records:
        records.save_account("devto", {"user": "me"})
    text = path.read_text("utf-8")
    assert json.loads(text)["version"] == 3
    assert {name: Records.read(path).get(URL, name) for name in before} == before
    assert recorded(Records.read(path), URL, "devto").source == "sha256:file"  # no blob: kept
    assert Records.read(path).account("hashnode") == {"publication": "p1"}
    assert Records.read(path).source_of(URL) == "posts/a.md"


FULL = "sha256:" + "0123456789abcdef" * 4  # a payload hash of 256 bits, as format 2 wrote it


def test_format_2_is_upgraded_to_one_content_identity_and_payload_hashes_of_128_bits(tmp_path):
    """The blob id replaces the sha256 beside it; a 256-bit payload hash keeps its first 128
    bits, the hash crosspost computes now (`Payload.hash`), so the two stay equal."""
    path = tmp_path / "records.json"
    entries = {"devto": {"state": "published", "at": "2026-01-01T00:00:00.000Z", "hash": FULL}}
    post = {"blob": "b1", "sha": "sha256:file", "platforms": entries, "source": "posts/a.md"}
    path.write_text(json.dumps({"version": 2, "posts": {URL: post}}), "utf-8")
    entry = recorded(Records.read(path), URL, "devto")
    assert (entry.blob, entry.source, entry.hash) == ("b1", None, FULL[: len("sha256:") + 32])


def test_format_3_has_a_line_per_post_and_says_shared_values_once(tmp_path):
    path = tmp_path / "records.json"
    digest = "sha256:" + "ab" * 16
    with Records.open(path) as records, records.bulk():
        for n in range(3):
            for name in ("devto", "hashnode"):
                entry = Entry(
                    "published",
                    at=f"2026-01-01T00:00:0{n}.000Z",
                    id=f"{n}",
                    url=f"https://{name}.example/me/post-{n}",
                    hash=digest,
                    blob="b1",
                    config="c",
                )
                records.put(f"{URL}{n}/", name, entry, source=f"posts/{n}.md")
        odd = Entry("published", id="x", source="sha256:g", config=None)
        records.put(f"{URL}0/", "devto", odd, source=None)
    lines = path.read_text("utf-8").splitlines()
    post_lines = [line for line in lines if line.startswith(f'"{URL}')]
    assert len(post_lines) == 3
    assert sum(line.count('"c"') for line in lines) == 2  # once per platform, in "configs"
    assert '"urls": {"devto":"https://devto.example/me/"' in lines[4]
    assert post_lines[1] == (
        f'"{URL}1/": ["posts/1.md","b1",{{'
        f'"devto":["2026-01-01T00:00:01.000Z","1","post-1","{"ab" * 16}"],'
        f'"hashnode":["2026-01-01T00:00:01.000Z","1","post-1","{"ab" * 16}"]}}],'
    )
    read = Records.read(path)
    assert read.get(f"{URL}0/", "devto") == odd
    assert recorded(read, f"{URL}0/", "hashnode").blob == "b1"
    assert recorded(read, f"{URL}1/", "devto").config == "c"
    assert recorded(read, f"{URL}1/", "devto").url == "https://devto.example/me/post-1"
    assert recorded(read, f"{URL}1/", "devto").hash == digest


def test_an_older_crosspost_reads_the_version_first_and_refuses_format_3(tmp_path):
    """Format 1 and 2 readers check `version` before anything else (`version > 2`: "written by
    a newer crosspost"); format 3 keeps that a plain JSON integer at the top of one JSON
    document."""
    path = tmp_path / "records.json"
    with Records.open(path) as records:
        records.put(URL, "devto", Entry("published", id="1"), source="posts/a.md")
    data = json.loads(path.read_text("utf-8"))
    assert type(data["version"]) is int and data["version"] > 2


def format_3(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """FORMAT_1 written as format 3, with a second post (`URL`other/, on line 4), and the
    document, to damage."""
    path = tmp_path / "records.json"
    path.write_text(json.dumps(FORMAT_1), "utf-8")
    with Records.open(path) as records:
        for name in ("devto", "hashnode"):
            entry = recorded(records, URL, name).evolve(source=None, blob="b1")
            records.put(URL, name, entry, source="posts/a.md")
        records.put(f"{URL}other/", "devto", Entry("published", id="o"), source="posts/o.md")
    return path, json.loads(path.read_text("utf-8"))


def dump_like(data: dict[str, Any]) -> str:
    """A format-3 document, a post a line as crosspost writes it (so lines can be named)."""
    head = {k: v for k, v in data.items() if k != "posts"}
    rows = ",\n".join(f"{json.dumps(u)}: {json.dumps(p)}" for u, p in data["posts"].items())
    return json.dumps(head)[:-1] + ',\n"posts": {\n' + rows + "\n}}\n"


def test_records_are_decoded_only_when_used(tmp_path):
    """A damaged entry of a post the run never touches costs nothing; one it touches is a
    clear error naming its line, and a run with something to send checks them all first."""
    path, data = format_3(tmp_path)
    data["posts"][f"{URL}other/"][2]["devto"] = {"state": "weird"}
    path.write_text(dump_like(data), "utf-8")
    records = Records.read(path)
    assert recorded(records, URL, "hashnode").id == "hashnode-1"
    assert records.url_for_source("posts/o.md") == f"{URL}other/"
    with pytest.raises(RecordsError, match="damaged") as caught:
        records.get(f"{URL}other/", "devto")
    assert caught.value.line == 4 and f"posts['{URL}other/'].devto" in caught.value.message
    with pytest.raises(RecordsError, match="damaged"):
        Records.read(path).decode_all()


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"posts/x.md": 1}, "expected [source file, blob id, {platform: entry}]"),
        (["posts/x.md", 7, {}], "expected [source file, blob id, {platform: entry}]"),
        (["posts/x.md", None, {"devto": ["at", "1", "x"]}], "expected [at, id, url, hash]"),
        (["posts/x.md", None, {"devto": ["at", "1", "x", "h"]}], "urls has no folder"),
        (["posts/x.md", None, {"devto": "published"}], "not a record"),
        (["posts/x.md", None, {"devto": {"at": 5}}], "at: expected str"),
    ],
    ids=["object", "blob-type", "short-entry", "relative-url", "string-entry", "at-type"],
)
def test_a_damaged_format_3_post_is_an_error_naming_its_line(tmp_path, post, message):
    path, data = format_3(tmp_path)
    data["urls"] = {}
    data["posts"][f"{URL}zz/"] = post
    path.write_text(dump_like(data), "utf-8")
    before = path.read_bytes()
    with pytest.raises(RecordsError, match="damaged") as caught:
        with Records.open(path) as records:
            records.decode_all()
    assert message in caught.value.message
    assert caught.value.line == 5
    assert path.read_bytes() == before


def unchanged(
    records: Records,
    source: str,
    fingerprints: dict[str, str],
    *,
    blob: str | None = None,
    digest: str | None = None,
) -> str | None:
    """The planner's question about one file (`Records.unchanged_test`)."""
    return records.unchanged_test(fingerprints)(source, blob, digest)


def test_unchanged_is_answered_without_decoding_and_never_from_a_damaged_value(tmp_path):
    path, data = format_3(tmp_path)
    prints = {"devto": "sha256:devto", "hashnode": "sha256:hashnode"}
    records = Records.read(path)
    assert unchanged(records, "posts/a.md", prints, blob="b1") == URL
    assert unchanged(records, "posts/a.md", prints, digest="sha256:file") is None  # blob there
    assert unchanged(records, "posts/a.md", prints, blob="b2") is None
    assert unchanged(records, "posts/a.md", {**prints, "devto": "sha256:new"}, blob="b1") is None
    assert unchanged(records, "posts/a.md", {**prints, "medium": "m"}, blob="b1") is None
    assert unchanged(records, "posts/b.md", prints, blob="b1") is None
    assert records._data.raw  # answered from the posts as read
    data["posts"][URL][2]["devto"] = {"blob": ["b1"]}
    path.write_text(dump_like(data), "utf-8")
    assert unchanged(Records.read(path), "posts/a.md", prints, blob="b1") is None


def test_a_record_of_format_2_without_a_blob_is_matched_by_its_sha256(tmp_path):
    path = tmp_path / "records.json"
    path.write_text(json.dumps(FORMAT_1), "utf-8")
    prints = {"devto": "sha256:devto", "hashnode": "sha256:hashnode"}
    records = Records.read(path)
    assert unchanged(records, "posts/a.md", prints, blob="b1") is None
    assert unchanged(records, "posts/a.md", prints, blob="b1", digest="sha256:file") == URL
    assert unchanged(records, "posts/a.md", prints, blob="b1", digest="sha256:other") is None


def test_a_post_written_twice_is_an_error_naming_the_second_line_never_one_lost(tmp_path):
    """JSON keeps the last of two equal keys: a merge resolved by keeping both lines of a post
    would silently lose the first line's copies (and publish them again). Refused instead."""
    path, data = format_3(tmp_path)
    lines = dump_like(data).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f'"{URL}":'))
    lines.insert(at + 1, f'"{URL}": ["posts/a.md","b1",{{"medium":{{"id":"m"}}}}],')
    path.write_text("\n".join(lines) + "\n", "utf-8")
    before = path.read_bytes()
    with pytest.raises(RecordsError, match="twice") as caught:
        with Records.open(path) as records:
            records.put(URL, "mastodon", Entry("published", id="x"), source=None)
    assert caught.value.line == at + 2 and URL in caught.value.message
    assert path.read_bytes() == before


def test_a_platform_written_twice_in_one_post_is_an_error_naming_its_line(tmp_path):
    path, data = format_3(tmp_path)
    post = '"b1", {"devto": '
    text = dump_like(data).replace(post, post + '{"state": "pending"}, "devto": ')
    path.write_text(text, "utf-8")
    with pytest.raises(RecordsError, match="twice") as caught:
        Records.read(path)
    assert caught.value.line == 3 and '"devto"' in caught.value.message


@pytest.mark.parametrize("value", ["\\ud800", "a\\udce9.md", "\\udfff\\ud800"])
def test_text_that_is_not_unicode_is_refused_as_read_never_a_traceback_on_write(tmp_path, value):
    r"""JSON can spell a lone surrogate (`\ud800`); Python reads it, but no UTF-8 file can hold
    it, so the first write would fail with a traceback (after the run had started sending)."""
    path, data = format_3(tmp_path)
    text = dump_like(data).replace('"posts/o.md"', f'"{value}"')
    path.write_text(text, "utf-8")
    with pytest.raises(RecordsError, match="not Unicode") as caught:
        with Records.open(path) as records:
            records.put(URL, "mastodon", Entry("published", id="x"), source=None)
    assert caught.value.line == 4


def test_a_valid_surrogate_pair_spelled_as_escapes_is_read(tmp_path):
    path, data = format_3(tmp_path)
    path.write_text(dump_like(data).replace('"posts/o.md"', '"\\ud83d\\ude00.md"'), "utf-8")
    with Records.open(path) as records:
        records.put(URL, "mastodon", Entry("published", id="x"), source=None)
    assert Records.read(path).source_of(f"{URL}other/") == "\U0001f600.md"


@pytest.mark.parametrize("short", [[], ["at"], ["at", "1", "x", 5], ["at", "1", "x", "h", "more"]])
def test_a_damaged_short_entry_is_never_taken_for_an_unchanged_post(tmp_path, short):
    """The fast path answers from the post as read; a short entry it cannot decode is not a
    published copy, so the post is read and the damage found, not skipped."""
    path, data = format_3(tmp_path)
    data["configs"] = {"devto": "sha256:devto"}
    data["posts"][URL][2] = {"devto": short}
    path.write_text(dump_like(data), "utf-8")
    assert unchanged(Records.read(path), "posts/a.md", {"devto": "sha256:devto"}, blob="b1") is None


def test_a_damaged_entry_object_is_never_taken_for_an_unchanged_post(tmp_path):
    """An entry written as an object (its own config or blob, a draft, …) is checked as its
    post is decoded: one whose fields do not validate is not a published copy."""
    path, data = format_3(tmp_path)
    prints = {"devto": "sha256:devto"}
    data["posts"][URL][2] = {"devto": {"at": 5, "draft": True}}
    path.write_text(dump_like(data), "utf-8")
    assert unchanged(Records.read(path), "posts/a.md", prints, blob="b1") is None
    data["posts"][URL][2] = {"devto": {"draft": True}}
    path.write_text(dump_like(data), "utf-8")
    assert unchanged(Records.read(path), "posts/a.md", prints, blob="b1") == URL


def test_a_deep_document_that_spells_a_surrogate_is_an_error_at_every_depth(tmp_path):
    """The text is checked by encoding the document again, one level deeper than the parser
    went: at the depth where only the second runs out of stack, still an error, no traceback."""
    path = tmp_path / "records.json"
    for depth in range(850, 1010):
        nested = b"[" * depth + b"]" * depth
        path.write_bytes(b'{"version": 3, "x": "\\ud800", "y": ' + nested + b"}")
        with pytest.raises(RecordsError):
            Records.read(path)
