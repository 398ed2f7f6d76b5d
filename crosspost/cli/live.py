"""What `crosspost publish` shows while it runs: on a terminal, a live display (how many sends
are done, what each platform is on, each wait with the time left) that gives way to the table
at the end, so each result is printed once; elsewhere (a pipe, a CI log), one line per finished
result and per wait as they happen, on stderr, while stdout keeps the table.

The results seen so far are kept, so an interrupted run can still print the table of what was
done.
"""

from __future__ import annotations

import sys
import time
from contextlib import AbstractContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any

import click

from .output import console, short

if TYPE_CHECKING:
    from crosspost import Result
    from crosspost.progress import Event

__all__ = ["RunDisplay"]

_MARKS = {
    "created": "+",
    "updated": "~",
    "adopted": "=",
    "unchanged": " ",
    "held": "…",
    "unsupported": "!",
    "planned": "?",
    "invalid": "x",
    "failed": "x",
    "attention": "!",
    "gone": "-",
    "deferred": "»",
}

_SHORTEST_WAIT = 0.05
"""Waits shorter than this (a pacer's rounding) are not worth a line."""


class RunDisplay(AbstractContextManager["RunDisplay"]):
    """The progress of one run: `result` and `event` are the publisher's `progress` and
    `watch` callbacks; `results` is everything that finished."""

    def __init__(self, *, live: bool, lines: bool) -> None:
        self.live = live
        self.lines = lines and not live
        self.results: list[Result] = []
        self.total = 0
        self.done = 0  # results of sends: those after the first Started (the rest came first)
        self._doing: dict[str, str] = {}  # platform -> the post it is on
        self._waits: dict[str, tuple[float, str]] = {}  # platform -> (until, why)
        self._screen: Any = None

    @classmethod
    def for_run(cls, *, quiet: bool) -> RunDisplay:
        """Live on a terminal, lines elsewhere; nothing at all when `quiet` (--json, a dry
        run: nothing waits)."""
        if quiet:
            return cls(live=False, lines=False)
        return cls(live=sys.stderr.isatty(), lines=True)

    def __enter__(self) -> RunDisplay:
        if self.live:
            from rich.live import Live  # rich: only a terminal run needs the live display

            self._screen = Live(
                get_renderable=self._render,
                console=console(stderr=True),
                transient=True,
                refresh_per_second=4,
            )
            self._screen.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._screen is not None:
            self._screen.__exit__(kind, exc, tb)
            self._screen = None

    # ----------------------------------------------------------------- callbacks

    def result(self, result: Result) -> None:
        self.results.append(result)
        self.done += self.total > 0
        self._waits.pop(result.platform, None)
        if self._doing.get(result.platform) == result.post:
            del self._doing[result.platform]
        if self.lines and result.status.value != "unchanged":
            mark = _MARKS.get(result.status.value, " ")
            where = result.url or result.message
            click.echo(
                f"{mark} {result.platform:<9} {result.status.value:<11} {short(result.post)}  "
                f"{where}",
                err=True,
            )

    def event(self, event: Event) -> None:
        from crosspost.progress import Started  # the event types: only a real run sends them

        if isinstance(event, Started):
            self.total = max(self.total, event.total)
            self._doing[event.platform] = event.post
            self._waits.pop(event.platform, None)
            return
        if event.seconds < _SHORTEST_WAIT:
            return
        self._waits[event.platform] = (time.monotonic() + event.seconds, event.why)
        if self.lines:
            post = self._doing.get(event.platform)
            on = f" ({short(post)})" if post else ""
            click.echo(
                f"… {event.platform:<9} waiting {event.seconds:.0f}s{on}: {event.why}", err=True
            )

    # ----------------------------------------------------------------- the live display

    def _render(self) -> Any:
        from rich.text import Text  # see `__enter__`

        failed = sum(r.status.value in ("failed", "invalid") for r in self.results)
        head = f"publishing: {self.done} of {self.total or '?'} done"
        if failed:
            head += f", {failed} failed"
        text = Text(head, style="bold")
        now = time.monotonic()
        for platform in sorted(set(self._doing) | set(self._waits)):
            text.append(f"\n  {platform:<9} ")
            until, why = self._waits.get(platform, (0.0, ""))
            if until > now:
                text.append(f"waiting {until - now:.0f}s: {why}", style="yellow")
            elif platform in self._doing:
                text.append(short(self._doing[platform]))
        return text
