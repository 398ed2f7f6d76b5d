"""The records' lock across processes (`crosspost.lockfile`): exclusion, waiting, and a lock
that goes with its process however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crosspost.errors import RecordsError
from crosspost.lockfile import LockUnavailable, acquire
from crosspost.records import Records

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the flock half of the module")


def holder(lock: Path) -> subprocess.Popen[str]:
    """Another process holding the lock until its stdin closes (it says "held" once it does)."""
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from crosspost.lockfile import acquire
        held = acquire(Path({str(lock)!r}), timeout=5, waiting=lambda: None)
        print("held", flush=True)
        sys.stdin.read()
        held.release()
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "held\n"
    return process


def test_a_lock_held_by_another_process_is_waited_for_then_refused(tmp_path: Path) -> None:
    lock = tmp_path / "records.json.lock"
    other = holder(lock)
    waits: list[str] = []
    try:
        with pytest.raises(LockUnavailable):
            acquire(lock, timeout=0.2, waiting=lambda: waits.append("waiting"))
    finally:
        other.communicate("")
    assert waits == ["waiting"]  # said once, however many tries
    acquire(lock, timeout=0, waiting=lambda: waits.append("again")).release()
    assert waits == ["waiting"]


def test_a_waiting_run_takes_the_lock_when_the_other_lets_it_go(tmp_path: Path) -> None:
    lock = tmp_path / "records.json.lock"
    other = holder(lock)
    assert other.stdin is not None
    other.stdin.close()  # it releases and ends
    held = acquire(lock, timeout=10, waiting=lambda: None)
    held.release()
    assert other.wait(10) == 0


def test_a_killed_run_leaves_no_lock_and_the_file_stays(tmp_path: Path) -> None:
    lock = tmp_path / "records.json.lock"
    other = holder(lock)
    os.kill(other.pid, signal.SIGKILL)
    other.wait(10)
    acquire(lock, timeout=0, waiting=pytest.fail).release()
    # The file stays: `crosspost.uptodate` tries the same flock to tell whether a run is on.
    assert lock.is_file()


def test_two_threads_of_one_process_exclude_each_other(tmp_path: Path) -> None:
    lock = tmp_path / "records.json.lock"
    first = acquire(lock, timeout=0, waiting=pytest.fail)
    try:
        with pytest.raises(LockUnavailable):
            acquire(lock, timeout=0, waiting=lambda: None)
    finally:
        first.release()


def test_a_link_as_the_lock_file_is_never_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("not a lock", "utf-8")
    lock = tmp_path / "records.json.lock"
    lock.symlink_to(target)
    with pytest.raises(OSError):
        acquire(lock, timeout=0, waiting=pytest.fail)
    assert target.read_text("utf-8") == "not a lock"


def test_records_say_which_run_holds_them_and_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / ".crosspost" / "records.json"
    with Records.open(path):
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "from pathlib import Path\nfrom crosspost.records import Records\n"
                f"with Records.open(Path({str(path)!r}), lock_timeout=0.1): pass\n",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    assert other.returncode != 0
    assert "LockError: another crosspost run has held" in other.stderr
    assert "waiting for another crosspost run to release" in other.stderr


def test_a_lock_file_that_cannot_be_locked_is_a_records_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / ".crosspost" / "records.json"

    def unsupported(fd: int, operation: int) -> None:  # a file system without flock (some NFS)
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr("crosspost.lockfile.fcntl.flock", unsupported)
    with pytest.raises(RecordsError, match="cannot be locked \\(Function not implemented\\)"):
        with Records.open(path):
            pass
