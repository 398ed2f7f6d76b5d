"""The exception tree: one root, context as keyword-only attributes, exit codes as data.

Callers branch on the class, never on the message: `RetryableError` subclasses may be retried by
`crosspost.http`, `AmbiguousError` means the platform may have acted and must be reconciled, every
other `PlatformError` is final. `exit_code` is what the CLI returns for an error of that class
(DESIGN §10: 1 a platform failed, 2 bad input or config, 3 needs attention).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "AlreadyExistsError",
    "AmbiguousError",
    "AuthError",
    "ConfigError",
    "ContentError",
    "CredentialError",
    "CrosspostError",
    "DeferredError",
    "EndpointError",
    "GoneError",
    "LockError",
    "NotSentError",
    "PlatformError",
    "RateLimitedError",
    "RecordsError",
    "RejectedError",
    "RetryableError",
    "ServerError",
    "SourceError",
]


class CrosspostError(Exception):
    """Root of every error crosspost raises on purpose.

    `hint` tells the user what to do; `str()` joins the location, the message and the hint so that
    a CLI or a log line can print it as is.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def location(self) -> str:
        """Where the problem is, as `file:line` or `platform` context; empty when unknown."""
        return ""

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class _FileError(CrosspostError):
    """An error tied to a file, and where known a line and a field in it."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = Path(path) if path is not None else None
        self.line = line
        self.field = field

    def location(self) -> str:
        parts = [str(self.path)] if self.path is not None else []
        if self.line is not None:
            parts.append(str(self.line))
        where = ":".join(parts)
        if self.field:
            where = f"{where}: field '{self.field}'" if where else f"field '{self.field}'"
        return where


class SourceError(_FileError):
    """A post file cannot be turned into a Document (front matter, encoding, required field)."""


class ConfigError(_FileError):
    """crosspost.toml (or [tool.crosspost]) is missing, malformed or has a wrong key or value."""


class RecordsError(_FileError):
    """The records file cannot be trusted (corrupt, newer version, unsafe permissions)."""


class ContentError(CrosspostError):
    """A Document cannot be rendered for a platform (for example a title that cannot fit)."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        platform: str | None = None,
        post: str | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.platform = platform
        self.post = post
        self.field = field

    def location(self) -> str:
        parts = [p for p in (self.post, self.platform) if p]
        where = " → ".join(parts)
        if self.field:
            where = f"{where}: field '{self.field}'" if where else f"field '{self.field}'"
        return where


class CredentialError(CrosspostError):
    """No usable token for a platform; the hint names the environment variable and the command."""

    exit_code = 2

    def __init__(self, message: str, *, platform: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.platform = platform

    def location(self) -> str:
        return self.platform


class LockError(CrosspostError):
    """Another crosspost run holds the records lock for longer than we are willing to wait."""

    exit_code = 1


class PlatformError(CrosspostError):
    """A platform refused or failed a request. Final unless a subclass says otherwise."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        post: str | None = None,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.platform = platform
        self.post = post
        self.status = status

    def location(self) -> str:
        parts = [p for p in (self.post, self.platform) if p]
        where = " → ".join(parts)
        return f"{where} (HTTP {self.status})" if self.status else where


class _WaitError(PlatformError):
    """A platform error that may say how long to wait (`retry_after`, seconds)."""

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        post: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, platform=platform, post=post, status=status, hint=hint)
        self.retry_after = retry_after


class RetryableError(_WaitError):
    """The platform did not act on the request; sending it again is safe."""


class NotSentError(RetryableError):
    """The request provably never reached the platform (connection refused, connect timeout)."""


class RateLimitedError(RetryableError):
    """HTTP 429: the platform refused the request because of its rate limit."""


class DeferredError(_WaitError):
    """The platform's limit resets later than this run may wait (a daily cap, or a reset past
    the retry deadline): nothing was done, and the platform's remaining posts wait for the next
    run instead of failing one by one. Never retried within the run."""


class ServerError(PlatformError):
    """A 5xx answer. Safe to resend for reads and updates; ambiguous for creates."""


class AmbiguousError(PlatformError):
    """The platform may have acted (timeout after sending, reset, 5xx on a create).

    Never retried blindly: the publisher reconciles by looking the post up, or reports it as
    needing attention (exit 3).
    """

    exit_code = 3


class AuthError(PlatformError):
    """The token was refused (401/403 or the platform's equivalent)."""


class RejectedError(PlatformError):
    """The platform refused the content (4xx validation error); nothing was created."""


class GoneError(RejectedError):
    """The platform no longer has the post (an update answered 404 or NOT_FOUND): it was
    deleted there by hand. The publisher records it as `gone` instead of failing every run."""


class AlreadyExistsError(RejectedError):
    """The platform says this post exists already (e.g. Forem's canonical URL refusal).

    The publisher adopts the existing post through `find`; it is never reported as a failure.
    """


class EndpointError(PlatformError):
    """The endpoint answered something that is not this platform's API (redirect, HTML page)."""


def shown(path: Path) -> Path:
    """`path` relative to the current folder when it is under it, as the user would type it:
    how every front end names a file in a message."""
    absolute = Path(os.path.abspath(path))
    for here in {Path.cwd(), Path(os.path.realpath(Path.cwd()))}:
        if absolute.is_relative_to(here):
            return absolute.relative_to(here)
    return path


def with_shown_path(exc: CrosspostError) -> CrosspostError:
    """`exc`, its file (if it names one) renamed as `shown`."""
    path = getattr(exc, "path", None)
    if isinstance(path, Path):
        exc.path = shown(path)  # type: ignore[attr-defined]
    return exc
