"""crosspost.http: what is retried, what is ambiguous, how errors read, how pacing waits.

In-process `httpx.MockTransport` is enough here: these are decisions about answers, not sockets.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Callable

import httpx
import pytest

from crosspost.config import RateLimit
from crosspost.credentials import Secret
from crosspost.errors import (
    AmbiguousError,
    AuthError,
    ConfigError,
    DeferredError,
    EndpointError,
    NotSentError,
    PlatformError,
    RejectedError,
    ServerError,
)
from crosspost.http import (
    Pacer,
    PlatformClient,
    RetryPolicy,
    error_message,
    is_loopback,
    retry_after,
    validate_base_url,
)
from crosspost.testing import FAST_RETRIES


def client(handler: Callable[[httpx.Request], httpx.Response], **options) -> PlatformClient:
    options.setdefault("policy", FAST_RETRIES)
    return PlatformClient(
        "demo", "https://api.example.com/v1", transport=httpx.MockTransport(handler), **options
    )


def call(c: PlatformClient, op: str = "read", method: str = "GET") -> httpx.Response:
    async def go() -> httpx.Response:
        async with c:
            return await c.request(method, "/things", op=op)  # type: ignore[arg-type]

    return asyncio.run(go())


def counting(*responses: httpx.Response | Exception):
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        item = responses[min(len(calls), len(responses)) - 1]
        if isinstance(item, Exception):
            raise item
        return item

    return handler, calls


def test_base_url_and_auth_are_applied():
    handler, calls = counting(httpx.Response(200, json={}))
    call(client(handler, token=Secret("tok-123456"), auth_header="api-key", auth_scheme=""))
    assert str(calls[0].url) == "https://api.example.com/v1/things"
    assert calls[0].headers["api-key"] == "tok-123456"
    assert calls[0].headers["user-agent"].startswith("crosspost/")


def test_an_empty_auth_header_sends_no_credential_and_hands_it_to_the_adapter():
    """`auth_header = ""`: the adapter signs in with `credential` (Bluesky); the client never
    sends the token by itself, and an absolute URL goes where it says, bare."""
    handler, calls = counting(httpx.Response(200, json={}), httpx.Response(200, json={}))
    token = Secret("handle.example:app-pass-1234")
    c = client(handler, token=token, auth_header="")
    assert c.credential == token

    async def go() -> None:
        async with c:
            await c.request("GET", "/things", op="read")
            await c.request("POST", "https://pds.example.net/xrpc/x", op="update", content=b"raw")

    asyncio.run(go())
    assert all("authorization" not in request.headers for request in calls)
    assert str(calls[1].url) == "https://pds.example.net/xrpc/x" and calls[1].content == b"raw"


def test_plain_http_is_refused_except_loopback():
    with pytest.raises(ConfigError, match="not https"):
        validate_base_url("demo", "http://api.example.com")
    assert validate_base_url("demo", "http://127.0.0.1:8080/api")
    assert validate_base_url("demo", "http://[::1]:8080/")
    assert validate_base_url("demo", "http://localhost:1/")


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.8.9.1",
        "::1",
        "0:0::1",
        "::ffff:127.0.0.1",
        "1.2.3.4",
        "10.0.0.1",
        "::2",
        "1password.com",
        "127.0.0.1.example.com",
        "dev.to",
        "localhost",
        "LOCALHOST",
        "",
        "fe80::1%lo",
    ],
)
def test_loopback_is_what_ipaddress_says_whatever_the_host_looks_like(host: str) -> None:
    """The check skips `ipaddress` for a host that cannot spell an address (no leading digit,
    no colon): the oracle is `ipaddress` asked of every host."""
    try:
        expected = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        expected = False
    assert is_loopback(host) is expected


def test_redirects_are_never_followed_with_the_token():
    handler, calls = counting(
        httpx.Response(301, headers={"Location": "https://elsewhere.example.net/"})
    )
    with pytest.raises(EndpointError, match=r"redirected .* to https://elsewhere\.example\.net"):
        call(client(handler, token=Secret("tok-123456")))
    assert len(calls) == 1


@pytest.mark.parametrize("op", ["read", "update", "create"])
def test_429_is_retried_for_every_operation(op):
    handler, calls = counting(
        httpx.Response(429, json={"error": "slow down"}, headers={"Retry-After": "0"}),
        httpx.Response(200, json={"ok": True}),
    )
    assert call(client(handler), op=op, method="POST").json() == {"ok": True}
    assert len(calls) == 2


def test_connect_errors_are_retried_even_for_creates():
    handler, calls = counting(httpx.ConnectError("refused"), httpx.Response(201, json={"id": 1}))
    assert call(client(handler), op="create", method="POST").status_code == 201
    assert len(calls) == 2


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(500, json={"error": "boom"}),
        httpx.Response(502, text="<html>bad gateway</html>", headers={"Content-Type": "text/html"}),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.Response(201, text="{not json", headers={"Content-Type": "application/json"}),
    ],
    ids=["500", "502-html", "read-timeout", "reset", "malformed"],
)
def test_a_create_that_may_have_happened_is_ambiguous_and_sent_once(failure):
    handler, calls = counting(failure, httpx.Response(201, json={"id": 1}))
    with pytest.raises(AmbiguousError):
        call(client(handler), op="create", method="POST")
    assert len(calls) == 1, "never blindly retried"


@pytest.mark.parametrize("op", ["read", "update"])
def test_reads_and_updates_retry_transient_failures(op):
    handler, calls = counting(
        httpx.ReadTimeout("slow"),
        httpx.Response(502, text="bad gateway"),
        httpx.Response(200, json={"ok": 1}),
    )
    assert call(client(handler), op=op).json() == {"ok": 1}
    assert len(calls) == 3


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ProxyError("407 Proxy Authentication Required"),
        httpx.UnsupportedProtocol("no such scheme"),
        httpx.LocalProtocolError("invalid header"),
    ],
    ids=["proxy", "protocol", "local"],
)
def test_a_create_refused_before_it_left_is_final_not_ambiguous(failure):
    """Nothing reached the platform: no lookup, no `unknown`, no --force for a human to give."""
    handler, calls = counting(failure)
    with pytest.raises(PlatformError) as refused:
        call(client(handler), op="create", method="POST")
    assert not isinstance(refused.value, AmbiguousError)
    assert "could not be sent" in refused.value.message and len(calls) == 1


def test_503_with_retry_after_is_retried_even_for_creates():
    handler, calls = counting(
        httpx.Response(503, json={"error": "maintenance"}, headers={"Retry-After": "0"}),
        httpx.Response(201, json={"id": 1}),
    )
    assert call(client(handler), op="create", method="POST").status_code == 201
    assert len(calls) == 2


def test_final_errors_are_classified():
    for status, error in (
        (401, AuthError),
        (403, AuthError),
        (422, RejectedError),
        (404, RejectedError),
    ):
        handler, calls = counting(httpx.Response(status, json={"error": f"nope {status}"}))
        with pytest.raises(error, match=f"nope {status}"):
            call(client(handler))
        assert len(calls) == 1


def test_retries_stop_and_name_the_problem():
    handler, calls = counting(httpx.ConnectError("refused"))
    with pytest.raises(NotSentError, match="could not connect"):
        call(client(handler, policy=RetryPolicy(max_attempts=3, initial=0.001, maximum=0.002)))
    assert len(calls) == 3


def test_rate_limit_beyond_the_deadline_is_deferred_at_once_with_the_wait():
    """A reset later than the run waits is not retried (issue 14): the platform's remaining
    posts go out on the next run, and the client sends nothing more until the reset."""
    handler, calls = counting(
        httpx.Response(429, json={"error": "later"}, headers={"Retry-After": "3600"})
    )
    api = client(handler, policy=RetryPolicy(deadline=5))
    with pytest.raises(DeferredError, match="next run") as info:
        call(api)
    assert info.value.retry_after == 3600 and len(calls) == 1
    with pytest.raises(DeferredError):
        call(api)
    assert len(calls) == 1, "nothing is sent while the platform's reset is that far away"


def test_server_error_on_read_after_retries_is_server_error():
    handler, calls = counting(httpx.Response(500, json={"error": "down"}))
    with pytest.raises(ServerError, match="down"):
        call(client(handler, policy=RetryPolicy(max_attempts=2, initial=0.001, maximum=0.002)))
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            httpx.Response(422, json={"error": "Title can't be blank", "status": 422}),
            "Title can't be blank",
        ),
        (httpx.Response(400, json={"errors": [{"message": "Bad tag", "code": 6026}]}), "Bad tag"),
        (
            httpx.Response(401, json={"error": "invalid_token", "error_description": "expired"}),
            "expired",
        ),
        (httpx.Response(502, text="<!DOCTYPE html><html></html>"), "HTML page"),
    ],
)
def test_error_messages_use_the_platforms_words(response, expected):
    assert expected in error_message(response)


def test_error_messages_are_scrubbed_of_tokens():
    Secret("leaky-token-value")
    response = httpx.Response(401, json={"error": "bad key leaky-token-value"})
    assert "leaky-token-value" not in error_message(response)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_pacer_keeps_a_sliding_window_under_the_limit():
    clock = FakeClock()
    pacer = Pacer([RateLimit("create", 10, 30.0)], clock=clock, sleep=clock.sleep, margin=0)
    stamps: list[float] = []

    async def go() -> None:
        for _ in range(25):
            await pacer.acquire("create")
            stamps.append(clock.now)

    asyncio.run(go())
    for i in range(len(stamps) - 10):
        assert stamps[i + 10] - stamps[i] >= 30.0
    assert stamps[-1] == pytest.approx(60.0), "full use of the limit, no slack"


def test_pacer_honours_ratelimit_headers():
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    pacer.observe(
        httpx.Response(200, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "12"})
    )
    asyncio.run(pacer.acquire("read"))
    assert clock.slept == [pytest.approx(12.0)]


def test_pacer_honours_the_unprefixed_ratelimit_headers_with_an_epoch_reset():
    """The AT Protocol's xrpc-server sends `RateLimit-Remaining` and `RateLimit-Reset` as Unix
    seconds (packages/xrpc-server/src/rate-limiter-http.ts), without the `X-` prefix."""
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    reset = f"{time.time() + 30:.0f}"
    pacer.observe(
        httpx.Response(200, headers={"RateLimit-Remaining": "0", "RateLimit-Reset": reset})
    )
    asyncio.run(pacer.acquire("read"))
    assert clock.slept == [pytest.approx(30.0, abs=1.5)]
    headers = httpx.Headers({"RateLimit-Reset": reset})
    assert retry_after(headers) == pytest.approx(30.0, abs=1.5)


def test_rate_limit_parsing():
    assert RateLimit.parse("create", "10/30s") == RateLimit("create", 10, 30.0)
    assert RateLimit.parse("*", "300/5m").per == 300.0
    assert RateLimit.parse("upload", "30/30min").per == 1800.0
    with pytest.raises(ValueError, match="COUNT/PERIOD"):
        RateLimit.parse("x", "fast")
