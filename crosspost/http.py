"""One HTTP client per platform, one retry policy, one pacer (docs/architecture.md §7, §8).

Adapters call `PlatformClient.request(method, url, op=...)`. `op` says what the request does on
the platform, which decides what may be retried: a read or an update can be resent after any
transient failure; a create only when it provably never reached the platform (connect error) or
the platform said so (429, 503 with Retry-After). Anything else on a create is an
`AmbiguousError`, which the publisher reconciles instead of resending.

It stays one module because its one job is the rule of when a request may be sent again: the retry
policy, the pacer, Retry-After and rate-limit headers and the error texts all feed
`PlatformClient.request`'s single decision, and split apart that rule would be spread over modules
that must change together.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import re
import ssl
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from . import redact
from ._version import __version__
from .config import RateLimit
from .credentials import Secret, token_hint
from .errors import (
    AmbiguousError,
    AuthError,
    ConfigError,
    DeferredError,
    EndpointError,
    GoneError,
    NotSentError,
    PlatformError,
    RateLimitedError,
    RejectedError,
    RetryableError,
    ServerError,
)

if TYPE_CHECKING:
    import httpx
    from tenacity import RetryCallState

__all__ = [
    "USER_AGENT",
    "Op",
    "Pacer",
    "PlatformClient",
    "RetryPolicy",
    "api_origin",
    "error_message",
    "is_loopback",
    "retry_after",
    "validate_base_url",
]

log = logging.getLogger("crosspost")

Op = Literal["read", "create", "update", "upload"]
USER_AGENT = f"crosspost/{__version__} (+https://pypi.org/project/crosspost/)"
Check = Callable[["httpx.Response"], None]


def validate_base_url(
    platform: str, url: str, *, field: str | None = None, path: Path | None = None
) -> str:
    """Refuse anything but https, except plain http to a loopback address (the sandbox).

    Tokens travel in headers; over plain http anyone on the path could read them. `field` and
    `path` name the config key and file the URL came from, for the error.
    """
    where = field or f"platforms.{platform}"
    if not url:
        raise ConfigError(
            "the API URL is not set", path=path, field=where, hint=f"set {where} to its https URL"
        )
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return url
    raise ConfigError(
        f"API URL {url!r} is not https",
        path=path,
        field=where,
        hint="real platforms are only reached over https; plain http is allowed for 127.0.0.1",
    )


def is_loopback(host: str) -> bool:
    """`host` is this machine (localhost, 127.0.0.0/8, ::1): where only the sandbox's fake
    platforms listen, and plain http is allowed."""
    if host == "localhost":
        return True
    if not host[:1].isdigit() and ":" not in host:
        return False  # a name: no address is spelled so (`ipaddress` costs a run 1 ms to load)
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long and how often one call may be retried; `sleep` is injectable for tests."""

    deadline: float = 120.0
    max_attempts: int = 6
    initial: float = 0.5
    maximum: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


_GROUPS: Mapping[str, tuple[str, ...]] = {
    "create": ("write",),
    "update": ("write",),
    "upload": ("write",),
}
"""Limits that count several operations together (`limits = {write = "1/1s"}`)."""


class TooLongToWait(Exception):
    """Pacing would have to wait `seconds`, longer than the caller will."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"{seconds:.0f} s")
        self.seconds = seconds


class Pacer:
    """Keeps one platform's requests under its rate limits instead of bouncing off 429s.

    A sliding window per operation (`"write"` counts creates, updates and uploads together, as
    dev.to's per-second write throttle does; `"*"` counts every request): before sending, wait
    until the oldest of the last `count` requests is older than `per`. A request's time is when
    its answer came (`settle`), the latest moment the platform can have counted it, so network
    delays can never squeeze `count + 1` requests into one of the platform's windows.
    429s and `X-RateLimit-Remaining: 0` pause the pacer until the platform's reset time.
    """

    def __init__(
        self,
        limits: Iterable[RateLimit] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        margin: float = 0.005,
    ) -> None:
        self._limits = {limit.op: limit for limit in limits}
        self._sent: dict[str, deque[list[float]]] = {op: deque() for op in self._limits}
        self._locks: dict[str, asyncio.Lock] = {}
        self._paused_until = 0.0
        self._clock = clock
        self._sleep = sleep
        self._margin = margin
        self.on_wait: Callable[[float, str], None] | None = None
        """Told of every wait before it starts (seconds, why): a run's progress display."""

    @property
    def limits(self) -> Mapping[str, RateLimit]:
        return self._limits

    async def acquire(self, op: str, *, patience: float = math.inf) -> list[list[float]]:
        """Wait for a free slot for `op` (and for `"*"`), take it; give the slots to `settle`.

        A wait longer than `patience` (a daily cap that is used up) is not slept through:
        `TooLongToWait` says how long it would be, and no slot is taken."""
        taken: list[list[float]] = []
        for key in (op, *_GROUPS.get(op, ()), "*"):
            limit = self._limits.get(key)
            if limit is None:
                continue
            lock = self._locks.setdefault(key, asyncio.Lock())
            async with lock:
                await self._wait_pause()
                sent = self._sent[key]
                while len(sent) >= limit.count:
                    delay = sent[0][0] + limit.per * (1 + self._margin) - self._clock()
                    if delay <= 0:
                        sent.popleft()
                        continue
                    if delay > patience:
                        self._give_back(taken)
                        raise TooLongToWait(delay)
                    self._tell(delay, f"rate limit {key} {limit.count}/{limit.per:g}s")
                    await self._sleep(delay)
                slot = [self._clock()]
                sent.append(slot)
                taken.append(slot)
        if not taken:
            await self._wait_pause()
        return taken

    def _give_back(self, slots: list[list[float]]) -> None:
        for sent in self._sent.values():
            for slot in slots:
                if slot in sent:
                    sent.remove(slot)

    def settle(self, slots: list[list[float]]) -> None:
        """The request's answer (or failure) arrived: count it from now."""
        now = self._clock()
        for slot in slots:
            slot[0] = now

    async def _wait_pause(self) -> None:
        delay = self._paused_until - self._clock()
        if delay > 0:
            self._tell(delay, "the platform asked to back off")
            await self._sleep(delay)

    def _tell(self, seconds: float, why: str) -> None:
        if self.on_wait is not None:
            self.on_wait(seconds, why)

    def paused_for(self) -> float:
        """Seconds left of a pause the platform imposed (0 when none)."""
        return max(0.0, self._paused_until - self._clock())

    def pause(self, seconds: float) -> None:
        """Hold every request for `seconds` (the platform told us to back off)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def observe(self, response: httpx.Response) -> None:
        """Learn from rate-limit headers: remaining 0 means wait for the reset."""
        remaining = _ratelimit_header(response.headers, "remaining")
        if remaining is not None and remaining.strip() == "0":
            reset = _reset_delay(response.headers)
            if reset is not None:
                self.pause(reset)


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or an HTTP date), else from the rate-limit
    reset header; None when the answer gives neither."""
    value = headers.get("retry-after")
    if value is not None:
        value = value.strip()
        if re.fullmatch(r"\d+(\.\d+)?", value):
            return float(value)
        import email.utils  # random, socket, calendar: 12 ms of a no-op run, which never waits

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return _reset_delay(headers)


def _ratelimit_header(headers: httpx.Headers, field: str) -> str | None:
    """`X-RateLimit-<field>`, or the IETF draft's unprefixed `RateLimit-<field>` (the AT
    Protocol's xrpc-server sends those: packages/xrpc-server/src/rate-limiter-http.ts)."""
    value: str | None = headers.get(f"x-ratelimit-{field}") or headers.get(f"ratelimit-{field}")
    return value


def _reset_delay(headers: httpx.Headers) -> float | None:
    """Seconds until the rate limit's reset (an ISO timestamp on Mastodon, epoch seconds on
    Bluesky, seconds from now in the IETF draft)."""
    value = _ratelimit_header(headers, "reset")
    if not value:
        return None
    value = value.strip()
    now = datetime.now(UTC)
    if re.fullmatch(r"\d+(\.\d+)?", value):
        number = float(value)
        # Small numbers are "seconds from now"; large ones are epoch timestamps.
        return number if number < 10**8 else max(0.0, number - now.timestamp())
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def error_message(response: httpx.Response) -> str:
    """The platform's own words for an error, from any of the usual JSON shapes, scrubbed."""
    content_type = response.headers.get("content-type", "")
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    message: str | None = None
    if isinstance(body, dict):
        for key in ("error_description", "error", "message"):
            value = body.get(key)
            if isinstance(value, str) and value:
                message = value
                break
        errors = body.get("errors")
        if message is None and isinstance(errors, list) and errors:
            first = errors[0]
            message = str(first.get("message", first)) if isinstance(first, dict) else str(first)
    if message is None:
        if "html" in content_type or response.text.lstrip()[:1] == "<":
            message = f"an HTML page ({content_type or 'no content type'}), not the API's answer"
        else:
            # Scrubbed before it is cut: a token straddling the cut would keep its first half.
            message = redact.scrub(response.text.strip())[:200]
            message = message or response.reason_phrase or "no details"
    return redact.scrub(message)


def api_origin(url: str) -> str:
    """`scheme://host[:port]` of an API URL, lower-cased: where its token goes."""
    parts = urlsplit(url.strip() if "://" in url else f"https://{url.strip()}")
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.netloc else ""


class PlatformClient:
    """An httpx.AsyncClient bound to one platform: base URL, auth, timeouts, retries, pacing.

    Redirects are never followed: a moved API (Hashnode's retired endpoint answers 301 to an HTML
    page) is reported as such, and a token is never sent to another host.
    """

    def __init__(
        self,
        platform: str,
        base_url: str,
        *,
        token: Secret | None = None,
        auth_header: str = "Authorization",
        auth_scheme: str = "Bearer",
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        pacer: Pacer | None = None,
        policy: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        trusted_hosts: frozenset[str] | None = None,
        config_path: Path | None = None,
    ) -> None:
        self.platform = platform
        self.trusted_hosts = trusted_hosts
        self._config_path = config_path
        self.base_url = validate_base_url(platform, base_url.rstrip("/") + "/")
        self.pacer = pacer or Pacer()
        self.policy = policy or RetryPolicy()
        self._token = token
        self._auth_header = auth_header
        self._auth_scheme = auth_scheme
        self.requests_sent = 0
        import httpx  # here, not at the top: a run with nothing to send never pays for it

        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            verify=_tls_context(),
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
            follow_redirects=False,
            transport=transport,
        )

    def entrust(self, url: str, *, field: str) -> None:
        """Raise `ConfigError` (naming the config's `field`) unless the credential may be sent to
        `url`'s origin: anywhere when `trusted_hosts` is None (a person runs crosspost), else
        only to those origins (under the Action: the adapter's default and the addresses the
        workflow's `api-hosts` input confirms; docs/threat-model.md). Called before the token
        goes anywhere new, also by an adapter that signs in elsewhere (a Bluesky PDS)."""
        if self.trusted_hosts is None:
            return
        origin = api_origin(url)
        if origin in self.trusted_hosts:
            return
        raise ConfigError(
            f"the {self.platform} token is not sent to {origin}: it is not {self.platform}'s "
            "default API address, and no maintainer confirmed it",
            path=self._config_path,
            field=field,
            hint=f"if the address is yours, add {self.platform}={origin} to the action's "
            "api-hosts input in the workflow file (see docs/threat-model.md)",
        )

    def set_token(self, token: Secret) -> None:
        """Tokens are resolved only for platforms that have work, just before it starts."""
        self._token = token

    @property
    def credential(self) -> Secret | None:
        """The token as resolved, for an adapter that signs in with it (`auth_header = ""`:
        the client then never sends it by itself; Bluesky exchanges a handle and app password
        for a session)."""
        return self._token

    async def __aenter__(self) -> PlatformClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def _auth(self) -> dict[str, str]:
        if self._token is None or not self._auth_header:
            return {}
        value = self._token.reveal()
        return {self._auth_header: f"{self._auth_scheme} {value}" if self._auth_scheme else value}

    async def request(
        self,
        method: str,
        url: str,
        *,
        op: Op,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        check: Check | None = None,
        expect_json: bool = True,
    ) -> httpx.Response:
        """Send one logical request, retrying what `op` allows; raise a classified error.

        `url` is relative to the platform's base URL (a leading "/" is ignored, so "/articles"
        on "https://dev.to/api" is "https://dev.to/api/articles"; an absolute https URL is sent
        there, with no credential unless the adapter adds one). `content` is a raw body (an
        upload). `check` lets the adapter turn
        platform-specific answers (GraphQL errors at 200, Forem's duplicate refusal) into errors;
        it runs inside the retry loop, so what it raises is retried by the same rules.
        """

        def retryable(exc: BaseException) -> bool:
            if isinstance(exc, RetryableError):
                return True
            return op != "create" and isinstance(exc, ServerError)

        from .retrying import attempts  # tenacity: a run that sends nothing never loads it

        async for attempt in attempts(self.policy, retryable, self._before_sleep):
            with attempt:
                return await self._once(
                    method,
                    url.lstrip("/"),
                    op=op,
                    json=json,
                    data=data,
                    files=files,
                    content=content,
                    params=params,
                    headers=headers,
                    check=check,
                    expect_json=expect_json,
                )
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimitedError) and exc.retry_after:
            self.pacer.pause(exc.retry_after)
        if self.pacer.on_wait is not None and state.upcoming_sleep:
            self.pacer.on_wait(state.upcoming_sleep, f"retrying after: {exc}")
        log.info(
            "%s: retrying in %.1fs after: %s",
            self.platform,
            state.upcoming_sleep,
            exc,
        )

    async def _once(
        self,
        method: str,
        url: str,
        *,
        op: Op,
        check: Check | None,
        expect_json: bool,
        headers: Mapping[str, str] | None,
        **kwargs: Any,
    ) -> httpx.Response:
        import httpx  # see `PlatformClient.__init__`

        paused = self.pacer.paused_for()
        if paused > self.policy.deadline:
            raise self._deferred(paused, None, None)
        try:
            slots = await self.pacer.acquire(op, patience=self.policy.deadline)
        except TooLongToWait as wait:
            raise self._deferred(wait.seconds, "as declared; not asked", None) from None
        target = f"{method} {self.base_url}{url}"
        self.requests_sent += 1
        try:
            response = await self._client.request(
                method, url, headers={**self._auth(), **(headers or {})}, **kwargs
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise NotSentError(
                f"could not connect for {target}: {_describe(exc)}",
                platform=self.platform,
                hint="check the network and the API URL",
            ) from None
        except (httpx.ProxyError, httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            raise PlatformError(  # refused on our side: nothing reached the platform
                f"{target} could not be sent: {_describe(exc)}",
                platform=self.platform,
                hint="check the proxy settings (HTTPS_PROXY) and the API URL",
            ) from None
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise self._unsure(op, f"{target}: no answer ({_describe(exc)})", None) from None
        except httpx.HTTPError as exc:
            # Past the connect step the platform may have acted, whatever went wrong (a body
            # that cannot be decoded arrives after the platform committed): never final.
            raise self._unsure(op, f"{target} failed: {_describe(exc)}", None) from None
        finally:
            self.pacer.settle(slots)
        self.pacer.observe(response)
        if check is not None:
            check(response)
        self._raise_for_status(response, op, target)
        if expect_json and response.status_code != 204:
            try:
                response.json()
            except ValueError:
                raise self._unsure(
                    op,
                    f"{target} answered HTTP {response.status_code} with a body that is not JSON "
                    f"({response.headers.get('content-type', 'no content type')})",
                    response.status_code,
                ) from None
        return response

    def _deferred(
        self, seconds: float, detail: str | None, status: int | None = 429
    ) -> DeferredError:
        """A rate-limit reset further away than this run may wait for (`status` None: known
        before asking, from the platform's declared limits; nothing was sent)."""
        said = f" ({detail})" if detail else ""
        return DeferredError(
            f"rate limit{said} resets in {_duration(seconds)}, later than this run waits "
            f"({_duration(self.policy.deadline)}); the remaining posts go out on the next run",
            platform=self.platform,
            status=status,
            retry_after=seconds,
        )

    def _unsure(self, op: Op, message: str, status: int | None) -> PlatformError:
        if op == "create":
            return AmbiguousError(
                f"{message}; the post may or may not exist now",
                platform=self.platform,
                status=status,
                hint="crosspost will look it up before doing anything else",
            )
        return ServerError(message, platform=self.platform, status=status)

    def _raise_for_status(self, response: httpx.Response, op: Op, target: str) -> None:
        status = response.status_code
        if status < 300:
            return
        detail = error_message(response)
        if status < 400:
            location = response.headers.get("location", "nowhere")
            raise EndpointError(
                f"{target} redirected (HTTP {status}) to {location}; the API has moved or the "
                "URL is wrong",
                platform=self.platform,
                status=status,
                hint=f"check platforms.{self.platform}'s API URL",
            )
        if status == 429:
            wait = retry_after(response.headers)
            if wait is not None and wait > self.policy.deadline:
                self.pacer.pause(wait)
                raise self._deferred(wait, detail)
            raise RateLimitedError(
                f"rate limited: {detail}",
                platform=self.platform,
                status=status,
                retry_after=wait,
            )
        cdn = _cloudflare_code(response)
        if cdn is not None:
            raise EndpointError(
                f"{target} was refused by Cloudflare in front of the API (error code {cdn}), "
                "not by the platform: the token was never looked at",
                platform=self.platform,
                status=status,
                hint=_CLOUDFLARE_HINTS.get(cdn, "see Cloudflare's 1xxx error reference")
                + "; retrying from the same network will not help",
            )
        if status in (401, 403):
            raise AuthError(
                f"the token was refused: {detail}",
                platform=self.platform,
                status=status,
                hint=token_hint(self.platform, verb="check"),
            )
        if status == 503 and response.headers.get("retry-after"):
            raise RetryableError(
                f"unavailable: {detail}",
                platform=self.platform,
                status=status,
                retry_after=retry_after(response.headers),
            )
        if status >= 500:
            raise self._unsure(op, f"{target} failed with HTTP {status}: {detail}", status)
        if status in (404, 410) and op == "update":
            raise GoneError(
                f"{target} answered HTTP {status} ({detail}): the post is no longer there",
                platform=self.platform,
                status=status,
            )
        raise RejectedError(
            f"{target} was refused: {detail}", platform=self.platform, status=status
        )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client: building one costs ~50 ms each time.

    Same trust as httpx's default (SSL_CERT_FILE / SSL_CERT_DIR, else certifi's bundle);
    certificate verification is never turned off.
    """
    import httpx  # see `PlatformClient.__init__`

    return httpx.create_ssl_context(verify=True, trust_env=True)


_CLOUDFLARE = re.compile(r"\s*error code: (1\d{3})\s*")
_CLOUDFLARE_HINTS = {
    "1010": "Cloudflare error 1010: the site bans this client's signature (its network or "
    "TLS/HTTP fingerprint); run from another machine or network, or ask the platform",
    "1020": "Cloudflare error 1020: a firewall rule of the site blocks this request",
}
"""Cloudflare's 1xxx answers (developers.cloudflare.com/support/troubleshooting/
http-status-codes/cloudflare-1xxx-errors/): a bare `text/plain` "error code: NNNN"."""


def _cloudflare_code(response: httpx.Response) -> str | None:
    """The Cloudflare 1xxx code of a plain-text block page, if that is what this is."""
    if "text/plain" not in response.headers.get("content-type", ""):
        return None
    match = _CLOUDFLARE.fullmatch(response.text[:100])
    return match.group(1) if match else None


def _duration(seconds: float) -> str:
    """`45 s`, `12 min`, `3.5 h`: how long a wait is, for a human."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return redact.scrub(f"{type(exc).__name__}: {text}" if str(exc) else text)
