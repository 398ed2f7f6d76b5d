"""A closed stdout (`crosspost status | head -1`): whoever reads the output went away, which is
no error of crosspost's. The CLI's entry and its click group both end that way through
`reader_gone`, the one rule (no click here: the fast entry point imports it)."""

import os
import sys

TYPE_CHECKING = False  # `typing` itself costs a tenth of the start-up budget
if TYPE_CHECKING:
    from typing import NoReturn

__all__ = ["READER_GONE", "reader_gone"]

READER_GONE = 141
"""The exit status when whoever reads the output closed it early (`crosspost status | head`):
128 + SIGPIPE, what a shell reports for any Unix tool stopped that way."""


def reader_gone() -> "NoReturn":
    """Exit quietly with `READER_GONE`: the reader of stdout went away, which is no error of
    crosspost's (never "internal error", never a traceback). Whatever is still buffered goes to
    the null device, so the interpreter's last flush does not complain on stderr either."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file behind stdout (a test runner's capture)
        pass
    raise SystemExit(READER_GONE)
