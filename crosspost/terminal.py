"""Everything crosspost prints, made safe to print: the one escaping function.

Post files, their names, front matter, Liquid includes and platform answers are untrusted, and
they reach crosspost's output. Under GitHub Actions the runner reads workflow commands on
stdout *and* stderr: a line that starts, after spaces, with `::` (`::add-mask::`,
`::stop-commands::`, `::error::`) and the older `##[command]` anywhere in a line; `\\r` ends a
line for it as `\\n` does. On any terminal, escape sequences repaint the screen.

`neutralize` turns text into text that cannot do either: control characters (but newline and
tab) become visible escapes (`\\x1b`, `\\r`, `\\u2028`), a line that would begin a command gets
a space between its two colons, and `##[` becomes `## [`. `guard_streams` routes sys.stdout and
sys.stderr through it, so no print site can forget; the only text let through verbatim is a
`Command`, a workflow command crosspost built itself with every value escaped.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Any, TextIO

__all__ = ["Command", "guard_streams", "neutralize", "printed", "quiet_tracebacks"]

# C0 but newline and tab, DEL, C1, and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_COMMAND_START = re.compile(r"^([ \t]*):(?=:)", re.M)
_LEGACY = "##["


class Command(str):
    """A workflow command line crosspost built, its values escaped (`crosspost.action`):
    the one text a guarded stream writes as it is."""

    __slots__ = ()


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def neutralize(text: str, *, line_start: bool = True) -> str:
    """`text` as it may be printed: no control character, no workflow command. `line_start`
    False says the text continues a line already begun (so its start is not a line's)."""
    safe = _CONTROL.sub(_escape, text).replace(_LEGACY, "## [")
    if not line_start and "\n" not in safe:
        return safe
    head, newline, rest = safe.partition("\n") if not line_start else ("", "", safe)
    return head + newline + _COMMAND_START.sub(r"\1: ", rest)


class _Guarded:
    """A text stream whose writes go through `neutralize` (a `Command` goes through as is).

    `written` counts the characters that went through: the up-to-date check
    (`crosspost.uptodate`) stamps a run only when it printed exactly its summary, so a warning
    from anywhere (a plugin, Python itself) keeps the next run the full one, which prints it
    again."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._line_start = True  # nothing but spaces written on the current line yet
        self.written = 0

    def write(self, text: str) -> int:
        if isinstance(text, Command):
            safe = str(text)
        else:
            safe = neutralize(text, line_start=self._line_start)
        if safe:
            last_line = safe.rsplit("\n", 1)[-1]
            ended = "\n" in safe
            self._line_start = (ended or self._line_start) and not last_line.strip(" \t")
        self._stream.write(safe)
        self.written += len(safe)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    @property
    def guarded(self) -> TextIO:
        return self._stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_streams() -> None:
    """Route sys.stdout and sys.stderr through `neutralize` from now on (idempotent): always
    under GitHub Actions, and wherever the output is not a terminal (a log, a pipe, a CI job).
    A terminal of a person's own keeps rich's colours, which are escape sequences too."""
    actions = os.environ.get("GITHUB_ACTIONS") == "true"
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None or isinstance(stream, _Guarded):
            continue
        if actions or not _is_terminal(stream):
            guarded = _Guarded(stream)
            setattr(sys, name, guarded)
            for handler in logging.getLogger().handlers:  # -v's handler, made before
                if isinstance(handler, logging.StreamHandler) and handler.stream is stream:
                    handler.setStream(guarded)


def printed() -> tuple[int, int] | None:
    """How many characters went to stdout and to stderr since `guard_streams`; None when either
    is not guarded (a terminal, where rich's live display writes what nobody counts)."""
    out, err = sys.stdout, sys.stderr
    if isinstance(out, _Guarded) and isinstance(err, _Guarded):
        return out.written, err.written
    return None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class _OneLine(logging.Formatter):
    """Log records as one line each: the exception's type and message, never its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_text = None
        saved, record.exc_info = record.exc_info, None
        try:
            text = super().format(record)
        finally:
            record.exc_info = saved
        if saved and saved[1] is not None:
            text += f" ({type(saved[1]).__name__}: {saved[1]})"
        return text


def quiet_tracebacks() -> None:
    """No traceback reaches the terminal (unless CROSSPOST_DEBUG=1): logged exceptions print
    as one line, and errors Python reports while shutting down (an asyncio transport closed
    after its loop, a `__del__` that raised) as one line too. A traceback can quote a token
    from a local variable or a header."""
    if os.environ.get("CROSSPOST_DEBUG") == "1":
        return
    one_line = _OneLine("%(message)s")
    last_resort = logging.lastResort
    if last_resort is not None:
        last_resort.setFormatter(one_line)
    for handler in logging.getLogger().handlers:  # -v's handler: ours, writing to a terminal
        if isinstance(handler, logging.StreamHandler) and isinstance(handler.stream, _Guarded):
            handler.setFormatter(
                _OneLine(getattr(handler.formatter, "_fmt", None) or "%(message)s")
            )
    sys.unraisablehook = _one_line_unraisable


def _one_line_unraisable(unraisable: Any) -> None:
    error = unraisable.exc_value
    what = f"{type(error).__name__}: {error}" if error is not None else "an error"
    sys.stderr.write(neutralize(f"crosspost: ignored while shutting down: {what}\n"))
