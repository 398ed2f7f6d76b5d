"""Cancellation: the runner sends SIGINT, then SIGTERM 7.5 s later, to the step's process
(action.yml `exec`s crosspost so that is us). Until the posts are published, every one of those
interrupts like Ctrl-C, so the run reaches its `interrupted` path and saves its records; after,
`shield` ignores them so that the report and the records push always finish."""

from __future__ import annotations

import signal
import threading

__all__ = ["interrupt_on_termination", "shield"]


def interrupt_on_termination() -> None:
    """SIGTERM (and SIGHUP, which some runners send) interrupt like SIGINT, so that a cancelled
    run reaches `interrupted` and saves its records instead of dying silently."""
    if not _main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, signal.default_int_handler)


def shield() -> None:
    """Ignore SIGINT, SIGTERM and SIGHUP from now on. Once the posts are published, a cancel
    that interrupted the report or the records push would lose the records; the seconds the
    runner grants after its SIGINT are for saving them. Only the main thread may do this."""
    if not _main_thread():
        return
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, signal.SIG_IGN)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
