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

_FRAGMENT = 8
"""Any run of this many characters of a secret is masked, not only the whole secret: a platform
may echo the start of a bad token, or a message may cut one."""

_secrets: set[str] = set()
_fragments: set[str] = set()
_lock = threading.Lock()
_installed = False


def register(value: str) -> None:
    """Mask `value` from now on in `scrub` and in every log record."""
    global _installed
    if len(value) < _MIN_LENGTH:
        return
    with _lock:
        _secrets.add(value)
        windows = (value[i : i + _FRAGMENT] for i in range(len(value) - _FRAGMENT + 1))
        _fragments.update(w for w in windows if not _plain_word(w))
        if not _installed:
            _install_record_factory()
            _installed = True


def _plain_word(window: str) -> bool:
    """A window that reads as an ordinary word ("internal", "SANDBOXES"): masking it would
    blank out ordinary text wherever it appears, so only the whole secret covers it."""
    return window.isalpha() and (window.islower() or window.isupper())


def scrub(text: str) -> str:
    """`text` with every registered secret, and every run of 8 or more characters of one,
    replaced by `***`."""
    if not _secrets or not text:
        return text
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return _mask_fragments(text) if _fragments else text


def _mask_fragments(text: str) -> str:
    """Mask each maximal run of `text` covered by 8-character windows found in a secret."""
    covered = bytearray(len(text))
    found = False
    for i in range(len(text) - _FRAGMENT + 1):
        if text[i : i + _FRAGMENT] in _fragments:
            covered[i : i + _FRAGMENT] = b"\x01" * _FRAGMENT
            found = True
    if not found:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if covered[i]:
            while i < len(text) and covered[i]:
                i += 1
            out.append(MASK)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


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
