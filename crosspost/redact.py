"""Process-wide scrubbing of secrets from text and log records.

httpx masks only `Authorization` when it prints headers and puts full URLs in its INFO logs;
dev.to sends its key in `api-key`, and a platform may echo a token in an error body. So every
token crosspost resolves is registered here, and once one is, every log record created in the
process (crosspost's, httpx's, httpcore's, anyone's) has its message scrubbed at creation time,
whatever handler the application configured.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

__all__ = ["MASK", "register", "scrub"]

MASK = "***"
_MIN_LENGTH = 4  # shorter "secrets" would mask ordinary words

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def register(value: str) -> None:
    """Mask `value` from now on in `scrub` and in every log record."""
    global _installed
    if len(value) < _MIN_LENGTH:
        return
    with _lock:
        _secrets.add(value)
        if not _installed:
            _install_record_factory()
            _installed = True


def scrub(text: str) -> str:
    """`text` with every registered secret replaced by `***`."""
    if not _secrets or not text:
        return text
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _install_record_factory() -> None:
    previous = logging.getLogRecordFactory()

    def scrubbing_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:
            return record
        cleaned = scrub(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return record

    logging.setLogRecordFactory(scrubbing_factory)
