"""The retry loop of one logical request (`PlatformClient.request`), on tenacity.

Apart from `crosspost.http` so that tenacity loads at a run's first request: a run with nothing
to send (the no-op of docs/architecture.md §7) never imports it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
)
from tenacity.wait import wait_base

if TYPE_CHECKING:
    from .http import RetryPolicy

__all__ = ["attempts"]


def attempts(
    policy: RetryPolicy,
    retryable: Callable[[BaseException], bool],
    before_sleep: Callable[[RetryCallState], None],
) -> AsyncRetrying:
    """The attempts of one request: what `retryable` accepts is tried again after `_Wait`'s
    delay (`before_sleep` told first), until `policy`'s attempts or deadline run out; then the
    last error is raised as it was."""
    return AsyncRetrying(
        retry=retry_if_exception(retryable),
        wait=_Wait(policy),
        stop=stop_after_attempt(policy.max_attempts) | stop_before_delay(policy.deadline),
        sleep=policy.sleep,
        reraise=True,
        before_sleep=before_sleep,
    )


class _Wait(wait_base):
    """Retry-After when the platform gave one, else exponential backoff with jitter."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        hinted = getattr(exc, "retry_after", None)
        if hinted is not None:
            return float(hinted) + random.uniform(0, 0.1)  # noqa: S311 - jitter, not crypto
        ceiling = min(
            self.policy.maximum, self.policy.initial * 2 ** (retry_state.attempt_number - 1)
        )
        # "Equal jitter": spread clients out while guaranteeing the backoff still grows.
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311
