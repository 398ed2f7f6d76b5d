"""A records file that cannot be trusted: crosspost stops before sending anything.

Truncated, not JSON, not UTF-8, from a newer crosspost, world-writable, nested to exhaust the
parser, a folder, or with values of the wrong type: each is a RecordsError (exit 2) naming the
file and what to do, nothing is sent to any platform, and the file is left exactly as it was
(bytes and permissions): records are what prevents a second copy, so a guess is never written
over them.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from crosspost.errors import RecordsError

from .conftest import HostileBlog


def _rewrite(change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def rewrite(path: Path) -> None:
        path.write_bytes(change(path.read_bytes()))

    return rewrite


def _link(path: Path) -> None:
    """records.json -> ../secret: a pull request's way to make the Action commit a secret."""
    secret = path.parent.parent / "secret"
    secret.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to("../secret")


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


CASES: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "truncated": (_rewrite(lambda b: b[: len(b) // 2]), "not valid JSON", "restore it from git"),
    "empty": (_rewrite(lambda b: b""), "not valid JSON", "restore it from git"),
    "not-json": (_rewrite(lambda b: b"<<<<<<< HEAD\n" + b), "not valid JSON", "restore it"),
    "not-utf8": (_rewrite(lambda b: b.replace(b"{", b"{\xff", 1)), "not UTF-8", "restore it"),
    "a-list": (_rewrite(lambda b: b"[" + b + b"]"), "no version number", "restore it"),
    "newer-version": (
        _rewrite(lambda b: re.sub(rb'"version": \d+', b'"version": 99', b)),
        "written by a newer crosspost",
        "the crosspost version that wrote it, or a newer one",
    ),
    "wrong-type": (
        _rewrite(lambda b: re.sub(rb'(\n"[^"]+": )\[', rb"\1[1,", b, count=1)),  # a post of 4
        "damaged",
        "restore it",
    ),
    "deeply-nested": (_rewrite(lambda b: b"[" * 200_000 + b"]" * 200_000), "nested", "restore"),
    "a-post-twice": (  # a merge resolved by keeping both lines of one post
        _rewrite(lambda b: re.sub(rb'\n("[^"]+": )\[', rb'\n\1["x",null,{}],\n\1[', b, count=1)),
        "written twice",
        "restore it",
    ),
    "a-lone-surrogate": (
        _rewrite(lambda b: re.sub(rb'(\n"[^"]+": \[")', rb"\1\\udc80", b, count=1)),
        "not Unicode",
        "restore it",
    ),
    "a-folder": (_folder, "is a folder", "restore it"),
    "a-symlink": (_link, "is a symbolic link", "restore it from git"),
    "world-writable": (lambda path: path.chmod(0o666), "world-writable", "chmod o-w"),
}


def _state(path: Path) -> tuple[bytes | None, int]:
    mode = path.stat().st_mode
    return (None if stat.S_ISDIR(mode) else path.read_bytes()), stat.S_IMODE(mode)


@pytest.mark.parametrize(("damage", "what", "todo"), CASES.values(), ids=list(CASES))
def test_an_untrustworthy_records_file_stops_everything(
    published: HostileBlog, damage: Callable[[Path], None], what: str, todo: str
) -> None:
    published.write("new.md", "---\ntitle: New\ndate: 2024-03-02\n---\nNew post.\n")
    damage(published.records)
    before, writes = _state(published.records), len(published.writes())
    with pytest.raises(RecordsError) as info:
        published.publish()
    assert info.value.path == published.records
    assert what in str(info.value) and todo in str(info.value), str(info.value)
    assert len(published.writes()) == writes, "nothing may be sent without trusted records"
    assert _state(published.records) == before, "the records file is never rewritten"


@pytest.mark.skipif(os.name != "posix", reason="permissions are POSIX")
def test_the_script_refuses_and_leaves_the_file_alone(published: HostileBlog) -> None:
    published.write("new.md", "---\ntitle: New\ndate: 2024-03-02\n---\nNew post.\n")
    writes = len(published.writes())
    for name in ("truncated", "newer-version", "world-writable", "deeply-nested", "a-post-twice"):
        damage, what, _ = CASES[name]
        original = published.records.read_bytes()
        damage(published.records)
        before = _state(published.records)
        for command in (["publish"], ["status"]):
            result = published.cli(*command)
            published.assert_refused(result, published.records, what)
            assert _state(published.records) == before
        published.records.chmod(0o644)
        published.records.write_bytes(original)
    assert len(published.writes()) == writes


@pytest.mark.parametrize("name", ["records.json.lock", ".gitignore"])
def test_a_linked_lock_or_gitignore_never_writes_through_the_link(
    published: HostileBlog, tmp_path: Path, name: str
) -> None:
    """Found attacking issue 13's fix: the lock file is opened with O_TRUNC and the folder's
    .gitignore written when missing, both through any link a pull request commits there."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", "utf-8")
    missing = tmp_path / "created-outside.txt"
    sibling = published.records.parent / name
    sibling.unlink(missing_ok=True)
    sibling.symlink_to(victim if name.endswith(".lock") else missing)
    published.write("new.md", "---\ntitle: New\ndate: 2024-03-02\n---\nNew post.\n")
    result = published.cli("publish")
    assert victim.read_text("utf-8") == "precious\n"
    assert not missing.exists()
    published.assert_refused(result, published.records, "symbolic link")


def test_a_records_folder_that_is_a_file_is_one_error(published: HostileBlog) -> None:
    folder = published.records.parent
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    folder.write_text("not a folder\n", "utf-8")
    result = published.cli("publish")
    published.assert_refused(result, published.records, "is not a folder")
