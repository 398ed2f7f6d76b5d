"""What a run reports while it works, besides each finished `Result`: which post a platform has
started on, and every wait (a rate limit's window, a platform's Retry-After, a retry's backoff)
with how long it lasts.

The publisher emits these to an optional `watch` callback (`crosspost.publish(..., watch=...)`);
the waits come from the HTTP client (`crosspost.http`), which is the only one that knows it is
about to sleep. A front end shows them as a live display, or as one line each in a log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Event", "Started", "Waiting", "Watch"]


@dataclass(frozen=True, slots=True)
class Started:
    """`platform` has started on `post`; `total` is how many (post, platform) sends the run has."""

    post: str
    platform: str
    total: int


@dataclass(frozen=True, slots=True)
class Waiting:
    """`platform` waits `seconds` before its next request, and why ("rate limit create
    10/30s", "the platform asked to back off", "retrying after: …")."""

    platform: str
    seconds: float
    why: str


Event = Started | Waiting
Watch = Callable[[Event], None]
