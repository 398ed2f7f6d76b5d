"""No traceback reaches the terminal on any path (issue 13): a logged exception prints as one
line, and so does an error Python reports while shutting down (an asyncio transport closed
after its loop, a `__del__` that raised); CROSSPOST_DEBUG=1 keeps them for a developer."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import logging, sys
from crosspost import api
api.guard_output()
log = logging.getLogger("crosspost")
try:
    raise ValueError("boom secret-in-local")
except ValueError:
    log.exception("unexpected error in devto")

class Leaky:
    def __del__(self):
        raise RuntimeError("closed after the loop")

leak = Leaky()
del leak
"""


def _run(debug: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CROSSPOST_DEBUG": debug, "GITHUB_ACTIONS": "true"}
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False
    )


def test_logged_and_shutdown_errors_are_one_line_each() -> None:
    result = _run("0")
    assert "Traceback" not in result.stderr, result.stderr
    assert "unexpected error in devto (ValueError: boom secret-in-local)" in result.stderr
    assert "ignored while shutting down: RuntimeError: closed after the loop" in result.stderr


def test_crosspost_debug_keeps_the_tracebacks() -> None:
    assert "Traceback" in _run("1").stderr
