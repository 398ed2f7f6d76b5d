"""Canary tokens: run a scenario with unique tokens, then prove none of them leaked anywhere.

`Canaries` hands out one unique token per platform (for `Sandbox(tokens=...)`; by default one
per installed adapter, so a newly installed platform is watched too), records every log
record of every logger at DEBUG (httpx and httpcore included) while active, and `assert_clean`
fails if any canary appears in the given texts (stdout, stderr, exception str/repr, tracebacks),
files (records, Action outputs and step summary) or the captured log records.
"""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .registry import installed_platforms

__all__ = ["Canaries", "exception_texts"]


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(logging.Formatter("%(name)s %(levelname)s %(message)s").format(record))


class Canaries:
    """One unique token per platform, and the checks that none of them shows anywhere."""

    def __init__(self, platforms: Iterable[str] | None = None) -> None:
        names = installed_platforms() if platforms is None else platforms
        self.tokens = {p: f"canary-{p}-{secrets.token_hex(12)}" for p in names}
        self._capture = _Capture()

    @contextmanager
    def watching(self) -> Iterator[Canaries]:
        """Capture every log record (all loggers, DEBUG and up) for the duration."""
        root = logging.getLogger()
        noisy = [logging.getLogger(n) for n in ("httpx", "httpcore", "crosspost")]
        saved = [(root.level, root.handlers[:])] + [(lg.level, None) for lg in noisy]
        root.addHandler(self._capture)
        root.setLevel(logging.DEBUG)
        for logger in noisy:
            logger.setLevel(logging.DEBUG)
        try:
            yield self
        finally:
            root.removeHandler(self._capture)
            root.setLevel(saved[0][0])
            for logger, (level, _) in zip(noisy, saved[1:], strict=True):
                logger.setLevel(level)

    @property
    def log_lines(self) -> list[str]:
        return list(self._capture.lines)

    def leaks(self, texts: Iterable[str] = (), files: Iterable[Path] = ()) -> list[str]:
        """Where a canary appears: '<source>: <platform>' for each leak."""
        sources = [("log", line) for line in self._capture.lines]
        sources += [("text", text) for text in texts]
        for path in files:
            if path.is_file():
                sources.append((str(path), path.read_text("utf-8", "replace")))
        return [
            f"{where}: {platform}"
            for where, text in sources
            for platform, token in self.tokens.items()
            if token in text
        ]

    def assert_clean(self, texts: Iterable[str] = (), files: Iterable[Path] = ()) -> None:
        """Fail naming every place a canary showed up in `texts`, `files` or the logs."""
        leaks = self.leaks(texts, files)
        assert not leaks, f"token leaked: {leaks}"


def exception_texts(exc: BaseException) -> list[str]:
    """str, repr and the full traceback of an exception, for `assert_clean`."""
    return [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
