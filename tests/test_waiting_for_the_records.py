"""A run waiting for the records another run holds, found by an attacker: the lock taken on
the event loop (`Publisher._locked`), git read early (`apublish`), the stamp's lock check."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import crosspost
from crosspost.records import Records
from crosspost.sandbox import Sandbox

POST = """---
title: Library post
date: 2024-05-01
tags: [python]
---

Body of the post.
"""


def make_post(sandbox: Sandbox, slug: str = "library") -> crosspost.Document:
    return crosspost.load_text(POST, path=f"{slug}.md", config=sandbox.config)


def test_a_run_cancelled_while_it_waits_for_the_records_never_takes_them(
    sandbox: Sandbox,
) -> None:
    """asyncio.wait_for(apublish(...), timeout) while another run holds the records: the
    cancelled run must not leave a thread that takes the lock later and never lets it go."""
    post = make_post(sandbox)
    crosspost.publish(post, config=sandbox.config)  # the records exist
    path = sandbox.config.records
    loop = asyncio.new_event_loop()
    try:
        with Records.open(path):  # another run, holding the records
            with pytest.raises(asyncio.TimeoutError):
                loop.run_until_complete(
                    asyncio.wait_for(crosspost.apublish(post, config=sandbox.config), 0.5)
                )
        time.sleep(0.5)  # the holder is gone: any leftover waiter would take the lock now
        with Records.open(path, lock_timeout=1):  # the next run must get the records
            pass
    finally:
        loop.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_the_stamp_check_never_blocks_on_a_lock_file_that_is_a_fifo(tmp_path: Path) -> None:
    """`_no_other_run` runs before the digest is compared: a FIFO (or a link to one) planted
    as records.json.lock made a stamped `crosspost publish` hang forever in its open()."""
    from crosspost import uptodate

    os.mkfifo(tmp_path / "records.json.lock")
    outcome: list[str] = []

    def check() -> None:
        try:
            uptodate._no_other_run(str(tmp_path / "records.json"))
            outcome.append("no other run")
        except Exception as exc:  # _Unmodelled or OSError: the full run, which says why
            outcome.append(type(exc).__name__)

    worker = threading.Thread(target=check, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # let the blocked open() end
        os.close(os.open(tmp_path / "records.json.lock", os.O_WRONLY | os.O_NONBLOCK))
        worker.join(5)
        outcome.insert(0, "blocked")
    assert outcome and outcome[0] != "blocked", "the stamp check blocked opening a FIFO lock file"
    assert outcome != ["no other run"]


def test_the_stamp_check_never_follows_a_link_as_the_lock_file(tmp_path: Path) -> None:
    """The full run refuses a link as the lock file; the stamp check must not open through it."""
    from crosspost import uptodate

    target = tmp_path / "elsewhere"
    target.write_text("x")
    (tmp_path / "records.json.lock").symlink_to(target)
    with pytest.raises(Exception):
        uptodate._no_other_run(str(tmp_path / "records.json"))


async def two_runs_at_once(post: crosspost.Document, sandbox: Sandbox) -> list[crosspost.Report]:
    """Two runs of `post` gathered on one event loop."""
    runs = (crosspost.apublish(post, config=sandbox.config) for _ in range(2))
    return list(await asyncio.gather(*runs))


def test_two_runs_on_one_event_loop_take_turns_with_the_records(sandbox: Sandbox) -> None:
    """The second run finds the records locked by the first, on the same loop: it waits on the
    loop, trying again (a wait that blocked the loop's thread would stop the holder from ever
    finishing)."""
    post = make_post(sandbox)
    reports: list[list[crosspost.Report]] = []
    worker = threading.Thread(
        target=lambda: reports.append(asyncio.run(two_runs_at_once(post, sandbox))), daemon=True
    )
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "the two runs deadlocked on the records' lock"
    statuses = sorted(
        sorted(result.status.value for result in report.results) for report in reports[0]
    )
    assert statuses == [["created", "created"], ["unchanged", "unchanged"]]


def test_the_waiting_warning_is_said_once_by_a_run_that_waits_and_never_otherwise(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    post = make_post(sandbox)
    caplog.set_level(logging.WARNING, logger="crosspost")
    crosspost.publish(post, config=sandbox.config)
    crosspost.publish(post, config=sandbox.config)
    assert "waiting for another" not in caplog.text

    reports = asyncio.run(two_runs_at_once(post, sandbox))
    assert caplog.text.count("waiting for another crosspost run") == 1
    assert [[r.status.value for r in report.results] for report in reports] == [
        ["unchanged", "unchanged"]
    ] * 2


def test_a_run_waiting_on_the_loop_takes_the_records_once_the_holder_lets_go(
    sandbox: Sandbox,
) -> None:
    """Held by another open file meanwhile (a `crosspost records` command, another thread):
    the waiting run takes the records as soon as they are let go, and lets them go after."""
    post = make_post(sandbox)
    crosspost.publish(post, config=sandbox.config)
    path = sandbox.config.records
    holder = Records.open(path)
    holder.__enter__()
    threading.Timer(0.3, holder.__exit__, (None, None, None)).start()
    started = time.monotonic()
    report = crosspost.publish(post, config=sandbox.config)
    assert 0.25 < time.monotonic() - started < 5
    assert [r.status.value for r in report.results] == ["unchanged", "unchanged"]
    with Records.open(path, lock_timeout=0):
        pass


CHILD = """\
import sys
import crosspost
from crosspost.testing import TIME_SCALE
with crosspost.Sandbox(["devto"], time_scale=TIME_SCALE) as box:
    post = crosspost.load_text(sys.argv[1], path="p.md", config=box.config)
    crosspost.publish(post, config=box.config)
    print(box.config.records, flush=True)
    sys.stdin.readline()
    try:
        crosspost.publish(post, config=box.config)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child")
def test_ctrl_c_stops_a_run_that_waits_for_the_records_at_once(tmp_path: Path) -> None:
    """Ctrl-C while another run holds the records: the waiting run stops there and then (its
    wait in a thread made asyncio.run, then the interpreter's exit, wait for the lock)."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, POST],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    try:
        records = Path(child.stdout.readline().strip())
        with Records.open(records, lock_timeout=5):
            child.stdin.write("go\n")
            child.stdin.flush()
            assert "waiting for another crosspost run" in child.stderr.readline()
            child.send_signal(signal.SIGINT)
            started = time.monotonic()
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=10)
            took = time.monotonic() - started
        assert took < 5, f"the interrupted run went on waiting for the records ({took:.1f}s)"
        assert child.stdout.read() == "interrupted\n"
    finally:
        child.kill()
        child.wait()


def test_a_records_folder_that_cannot_be_written_is_a_records_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only records folder without its .gitignore (or without the folder: mkdir fails):
    the CLI said "internal error (PermissionError)" instead of naming the records."""
    from crosspost.errors import RecordsError

    records = tmp_path / ".crosspost" / "records.json"
    records.parent.mkdir()
    original = Path.write_text

    def refused(self: Path, *args: object, **kwargs: object) -> int:
        if self.name == ".gitignore":
            raise PermissionError(13, "Permission denied", str(self))
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", refused)
    with pytest.raises(RecordsError, match="records"), Records.open(records, lock_timeout=0):
        pass
