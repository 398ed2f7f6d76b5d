"""The records file: atomic, locked, merged, and never overwritten when it cannot be trusted."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from crosspost.errors import LockError, RecordsError
from crosspost.records import Entry, Records

from .conftest import recorded

URL = "https://blog.example.com/posts/a/"


def test_put_writes_through_sorted_and_readable(tmp_path):
    path = tmp_path / ".crosspost" / "records.json"
    with Records.open(path) as records:
        records.put(URL, "devto", Entry("pending", key="k"), source="posts/a.md")
        on_disk = json.loads(path.read_text("utf-8"))
        assert on_disk["posts"][URL]["platforms"]["devto"]["state"] == "pending"
        records.put(URL, "devto", Entry("published", id="1", url="https://dev.to/x"), source=None)
    data = json.loads(path.read_text("utf-8"))
    assert data["version"] == 2
    assert data["posts"][URL]["source"] == "posts/a.md"
    assert data["posts"][URL]["platforms"]["devto"]["id"] == "1"
    assert (path.parent / ".gitignore").read_text("utf-8").count("*.lock") == 1


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
        theirs = json.loads(path.read_text("utf-8"))
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


def test_format_1_is_read_and_written_back_as_format_2_with_nothing_lost(tmp_path):
    path = tmp_path / "records.json"
    path.write_text(json.dumps(FORMAT_1, indent=2), "utf-8")
    before = {name: Records.read(path).get(URL, name) for name in ("devto", "hashnode")}
    with Records.open(path) as records:
        records.save_account("devto", {"user": "me"})
    text = path.read_text("utf-8")
    assert json.loads(text)["version"] == 2
    assert {name: Records.read(path).get(URL, name) for name in before} == before
    assert Records.read(path).account("hashnode") == {"publication": "p1"}
    assert Records.read(path).source_of(URL) == "posts/a.md"


def test_format_2_has_a_line_per_post_and_says_shared_values_once(tmp_path):
    path = tmp_path / "records.json"
    with Records.open(path) as records, records.bulk():
        for n in range(3):
            for name in ("devto", "hashnode"):
                entry = Entry("published", id=f"{n}", source="sha256:f", blob="b1", config="c")
                records.put(f"{URL}{n}/", name, entry, source=f"posts/{n}.md")
        odd = Entry("published", id="x", source="sha256:g", config=None)
        records.put(f"{URL}0/", "devto", odd, source=None)
    lines = path.read_text("utf-8").splitlines()
    post_lines = [line for line in lines if line.startswith(f'"{URL}')]
    assert len(post_lines) == 3
    assert sum(line.count('"c"') for line in lines) == 2  # once per platform, in "configs"
    assert '"sha":"sha256:f"' in post_lines[1] and post_lines[1].count("sha256:f") == 1
    read = Records.read(path)
    assert read.get(f"{URL}0/", "devto") == odd
    assert read.get(f"{URL}0/", "hashnode") == Entry(
        "published",
        at=recorded(read, f"{URL}0/", "hashnode").at,
        id="0",
        source="sha256:f",
        blob="b1",
        config="c",
    )
    assert recorded(read, f"{URL}1/", "devto").config == "c"


def test_an_older_crosspost_reads_the_version_first_and_refuses_format_2(tmp_path):
    """Format 1 readers check `version` before anything else (`version > 1`: "written by a newer
    crosspost"); format 2 keeps that a plain JSON integer at the top of one JSON document."""
    path = tmp_path / "records.json"
    with Records.open(path) as records:
        records.put(URL, "devto", Entry("published", id="1"), source="posts/a.md")
    data = json.loads(path.read_text("utf-8"))
    assert type(data["version"]) is int and data["version"] > 1


def test_records_are_decoded_only_when_used(tmp_path):
    """A damaged entry of a post the run never touches costs nothing; one it touches is a
    clear error, and a run with something to send checks them all first."""
    path = tmp_path / "records.json"
    damaged = json.loads(json.dumps(FORMAT_1))
    damaged["posts"][f"{URL}other/"] = {"platforms": {"devto": {"state": "weird"}}}
    path.write_text(json.dumps(damaged), "utf-8")
    records = Records.read(path)
    assert recorded(records, URL, "devto").id == "devto-1"
    assert records.url_for_source("posts/a.md") == URL
    with pytest.raises(RecordsError, match="damaged"):
        records.get(f"{URL}other/", "devto")
    with pytest.raises(RecordsError, match="damaged"):
        Records.read(path).decode_all()


def test_unchanged_is_answered_without_decoding_and_never_from_a_damaged_value(tmp_path):
    path = tmp_path / "records.json"
    data = json.loads(json.dumps(FORMAT_1))
    data["posts"][URL]["platforms"]["devto"]["blob"] = "b1"
    data["posts"][URL]["platforms"]["hashnode"]["blob"] = "b1"
    path.write_text(json.dumps(data), "utf-8")
    prints = {"devto": "sha256:devto", "hashnode": "sha256:hashnode"}
    records = Records.read(path)
    assert records.unchanged("posts/a.md", prints, blob="b1") == URL
    assert records.unchanged("posts/a.md", prints, digest="sha256:file") == URL
    assert records.unchanged("posts/a.md", prints, blob="b2") is None
    assert records.unchanged("posts/a.md", {**prints, "devto": "sha256:new"}, blob="b1") is None
    assert records.unchanged("posts/a.md", {**prints, "medium": "m"}, blob="b1") is None
    assert records.unchanged("posts/b.md", prints, blob="b1") is None
    data["posts"][URL]["platforms"]["devto"]["blob"] = ["b1"]
    path.write_text(json.dumps(data), "utf-8")
    assert Records.read(path).unchanged("posts/a.md", prints, blob="b1") is None
