"""The machinery every fake platform shares: a real HTTP server on 127.0.0.1, faults, rate limits.

Each `adapters/<platform>/fake.py` subclasses `FakePlatform` and implements only the platform:
routes, state, validation and the platform's own error shapes. This module gives them a threaded
HTTP/1.1 server on an ephemeral port, a request log (for contract tests), fixed-window rate
limiting and fault injection, so that tests exercise the adapters over real sockets with the
failures real platforms produce: latency, 429s, 5xx, HTML error pages, timeouts before and after
the platform committed, connections dropped after a commit, refused connections, bodies that are
not JSON, redirects elsewhere and error bodies that quote the request's credentials.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import math
import re
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar, Literal, Self
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "FakePlatform",
    "FakeRequest",
    "FakeResponse",
    "Fault",
    "FaultKind",
    "FixedWindow",
    "Route",
]

FaultKind = Literal[
    "latency",  # wait `delay` seconds, then handle normally
    "status",  # answer `status` (429 → the platform's rate-limit answer) without acting
    "html",  # answer `status` with an HTML error page (a proxy or CDN in front), without acting
    "ratelimit-headers",  # 429 with only X-RateLimit-* headers, no Retry-After
    "drop-before",  # close the connection without acting or answering
    "drop-after",  # act (commit), then close the connection without answering
    "hang-before",  # wait `delay` seconds without acting, then close (client times out)
    "hang-after",  # act (commit), wait `delay` seconds, then close (client times out)
    "malformed",  # act (commit), answer with a truncated JSON body
    "graphql-error",  # answer HTTP 200 with a GraphQL error of code `code`, without acting
    "slow-media",  # media stays "processing" for `delay` seconds (platforms with uploads)
    "echo-token",  # answer `status` (say 401) with an error quoting the request's headers
    "redirect",  # answer `status` (say 301) with `Location: location`, without acting
    "cloudflare-1010",  # Cloudflare in front bans the client's signature: 403 text/plain
]


@dataclass
class Fault:
    """One injected fault: which requests it hits, how many times, and its parameters."""

    kind: FaultKind
    method: str | None = None
    path: str | None = None
    times: int | None = 1
    status: int = 503
    delay: float = 0.0
    retry_after: float = 1.0
    code: str = "INTERNAL_SERVER_ERROR"
    operation: str | None = None
    location: str = ""

    def matches(self, request: FakeRequest) -> bool:
        if self.method and request.method != self.method.upper():
            return False
        if self.path and not re.search(self.path, request.path):
            return False
        return not (
            self.operation and self.operation not in request.body.decode("utf-8", "replace")
        )


@dataclass(frozen=True)
class Route:
    """How one kind of request looks to a fake: what a fault aimed at it matches (`Fault`).

    `path` is a regular expression searched in the request path; `operation` a GraphQL
    operation name found in the body (one HTTP route carries every GraphQL mutation).
    """

    method: str = "POST"
    path: str | None = None
    operation: str | None = None

    def params(self) -> dict[str, str]:
        """The keyword arguments of `FakePlatform.inject` that aim a fault at this route."""
        given = {"method": self.method, "path": self.path, "operation": self.operation}
        return {key: value for key, value in given.items() if value is not None}


@dataclass
class FakeRequest:
    """A request as the fake saw it; kept in `FakePlatform.requests` for contract tests."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    at: float = field(default_factory=time.time)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def bearer(self) -> str | None:
        value = self.header("authorization")
        if value is None:
            return None
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token else value.strip()

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, list[Any]]:
        """Form fields from a urlencoded or multipart body (files come back as bytes)."""
        content_type = self.header("content-type") or ""
        if content_type.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + self.body
            )
            fields: dict[str, list[Any]] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                raw = part.get_payload(decode=True)
                payload = raw if isinstance(raw, bytes) else b""
                value: Any = payload if part.get_filename() else payload.decode("utf-8")
                fields.setdefault(str(name), []).append(value)
            return fields
        return {k: list(v) for k, v in parse_qs(self.body.decode("utf-8"), True).items()}


@dataclass
class FakeResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data: Any, headers: Mapping[str, str] | None = None) -> FakeResponse:
        body = json.dumps(data).encode("utf-8")
        return cls(
            status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        )

    @classmethod
    def text(cls, status: int, text: str) -> FakeResponse:
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/plain; charset=UTF-8"})

    @classmethod
    def html(cls, status: int, text: str) -> FakeResponse:
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


class FixedWindow:
    """A fixed-window counter, as Rack::Attack and most platforms count: `limit` per `window` s."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._counts: dict[tuple[str, int], int] = {}

    def hit(self, key: str) -> float | None:
        """Count one request; None if allowed, else the seconds until the window resets."""
        now = self._clock()
        bucket = int(now // self.window)
        count = self._counts.get((key, bucket), 0) + 1
        self._counts = {k: v for k, v in self._counts.items() if k[1] >= bucket}
        self._counts[(key, bucket)] = count
        if count > self.limit:
            return (bucket + 1) * self.window - now
        return None

    def remaining(self, key: str) -> tuple[int, float]:
        """Requests left in the current window and seconds until it resets."""
        now = self._clock()
        bucket = int(now // self.window)
        used = self._counts.get((key, bucket), 0)
        return max(0, self.limit - used), (bucket + 1) * self.window - now


_HTML_ERROR = (
    "<!DOCTYPE html><html><head><title>{status} Error</title></head>"
    "<body><h1>{status}</h1><p>The server is temporarily unavailable.</p></body></html>"
)


class FakePlatform:
    """Base of the fake platforms: subclass and implement `handle`, `error`, `settings`.

    Start with `start()` or as a context manager; `url` is `http://127.0.0.1:<port>`. State
    changes in `handle` must happen under `self.lock`. Faults are injected with `inject(...)`.
    `time_scale` multiplies every rate-limit window and delay the platform imposes (tests run
    at 0.01), `latency` is added to every answer.
    """

    name: ClassVar[str] = ""
    create_route: ClassVar[Route | None] = None
    """How the platform's create request looks: where the conformance kit (`crosspost.testing`)
    aims the faults of its matrix. A fake without one fails the kit's declaration check."""
    platform_faults: ClassVar[Mapping[FaultKind, Mapping[str, Any]]] = {}
    """The faults only some platforms can have ("graphql-error", "slow-media") that this one can,
    each with the [platforms.NAME] options under which the adapter meets it. Every fake has the
    faults any HTTP API can (refusals, timeouts, resets, 429, 5xx, HTML pages, bad JSON)."""

    def __init__(
        self,
        *,
        tokens: tuple[str, ...] = ("sandbox-token",),
        latency: float = 0.0,
        time_scale: float = 1.0,
    ) -> None:
        self.tokens = set(tokens)
        self.latency = latency
        self.time_scale = time_scale
        self.lock = threading.RLock()
        self.requests: list[FakeRequest] = []
        self._faults: list[Fault] = []
        self._listener: socket.socket | None = None
        self._port = 0
        self._thread: threading.Thread | None = None
        self._running = threading.Event()
        self._refuse_until = 0.0
        self._connections: set[socket.socket] = set()

    # ----------------------------------------------------------------- for subclasses

    def handle(self, request: FakeRequest) -> FakeResponse:
        raise NotImplementedError

    def error(self, status: int, message: str) -> FakeResponse:
        """An error in this platform's real shape."""
        return FakeResponse.json(status, {"error": message})

    def too_many(self, retry_after: float) -> FakeResponse:
        """This platform's answer at its rate limit."""
        return FakeResponse.json(
            429,
            {"error": "Too many requests"},
            {"Retry-After": self.retry_after_header(retry_after)},
        )

    def retry_after_header(self, seconds: float) -> str:
        """Whole seconds as HTTP says; under a shrunk time scale the exact fraction, else a
        scaled-down window would be answered with a wait longer than the window itself."""
        if self.time_scale < 1:
            return f"{max(seconds, 0.001):.3f}"
        return str(max(1, math.ceil(seconds)))

    def ratelimit_headers_only(self, retry_after: float) -> FakeResponse:
        reset = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + retry_after))
        return FakeResponse.json(
            429,
            {"error": "Too many requests"},
            {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
        )

    def graphql_error(self, code: str) -> FakeResponse:
        return self.error(500, code)

    def settings(self) -> dict[str, Any]:
        """The [platforms.NAME] options that point the adapter at this fake."""
        return {"api_url": self.url}

    def authorized(self, request: FakeRequest) -> bool:
        return request.bearer() in self.tokens

    def copies(self, url: str) -> list[dict[str, Any]]:
        """Every remote copy of the post with canonical URL `url` (live posts, drafts, toots):
        what never-twice tests count, the same way for every platform."""
        raise NotImplementedError

    # ----------------------------------------------------------------- faults

    def inject(self, kind: FaultKind, **params: Any) -> Fault:
        """Add a fault; by default it hits the next matching request once (`times=None`: all)."""
        fault = Fault(kind, **params)
        with self.lock:
            self._faults.append(fault)
        return fault

    def refuse(self, seconds: float) -> None:
        """Stop listening now, for `seconds`: connections are refused (the request provably
        never reaches the platform), as when a server restarts."""
        with self.lock:
            self._refuse_until = time.monotonic() + seconds
            if self._listener is not None:
                self._listener.close()
                self._listener = None

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def _take_fault(self, request: FakeRequest) -> Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.kind != "slow-media" and fault.matches(request):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def media_delay(self) -> float:
        """Seconds an upload stays processing, from a `slow-media` fault (used up on read)."""
        with self.lock:
            for fault in self._faults:
                if fault.kind == "slow-media":
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault.delay
        return 0.0

    # ----------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> Self:
        self._listener = self._listen(0)
        self._port = self._listener.getsockname()[1]
        self._running.set()
        self._thread = threading.Thread(
            target=self._accept_loop, name=f"fake-{self.name}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._running.clear()
        if self._thread:
            self._thread.join(timeout=5)
        for conn in list(self._connections):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @staticmethod
    def _listen(port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
        return sock

    def _accept_loop(self) -> None:
        while self._running.is_set():
            with self.lock:
                if self._listener is None and self._refuse_until <= time.monotonic():
                    self._listener = self._listen(self._port)
                listener = self._listener
            if listener is None:
                time.sleep(0.01)
                continue
            try:
                readable, _, _ = select.select([listener], [], [], 0.05)
                if not readable:
                    continue
                conn, address = listener.accept()
            except (OSError, ValueError):  # closed under us by refuse()
                continue
            self._connections.add(conn)
            threading.Thread(target=self._serve, args=(conn, address), daemon=True).start()
        with self.lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None

    def _serve(self, conn: socket.socket, address: Any) -> None:
        try:
            _Handler(conn, address, self)
        except OSError:
            pass
        finally:
            self._connections.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()

    # ----------------------------------------------------------------- one request

    def _respond(self, request: FakeRequest) -> FakeResponse | None:
        """Apply faults around `handle`; None means: close the connection without answering."""
        with self.lock:
            self.requests.append(request)
        if self.latency:
            time.sleep(self.latency)
        fault = self._take_fault(request)
        if fault is None:
            return self._handle_safely(request)
        kind = fault.kind
        if kind == "latency":
            time.sleep(fault.delay)
            return self._handle_safely(request)
        if kind == "status":
            if fault.status == 429:
                return self.too_many(fault.retry_after)
            response = self.error(fault.status, "injected failure")
            if fault.status == 503 and fault.retry_after:
                response.headers["Retry-After"] = self.retry_after_header(fault.retry_after)
            return response
        if kind == "echo-token":
            # A careless platform (or proxy) that quotes the credentials it refused: what the
            # client makes of this answer must never show them.
            quoted = "; ".join(f"{name}: {value}" for name, value in request.headers.items())
            return self.error(fault.status, f"invalid credentials ({quoted})")
        if kind == "redirect":
            return FakeResponse(fault.status, b"", {"Location": fault.location})
        if kind == "cloudflare-1010":
            # What Cloudflare answers for its error 1010 ("banned your access based on your
            # browser's signature"), seen by API clients as a bare text body.
            return FakeResponse.text(403, "error code: 1010")
        if kind == "html":
            return FakeResponse.html(fault.status, _HTML_ERROR.format(status=fault.status))
        if kind == "ratelimit-headers":
            return self.ratelimit_headers_only(fault.retry_after)
        if kind == "graphql-error":
            return self.graphql_error(fault.code)
        if kind == "drop-before":
            return None
        if kind == "hang-before":
            time.sleep(fault.delay)
            return None
        response = self._handle_safely(request)
        if kind == "drop-after":
            return None
        if kind == "hang-after":
            time.sleep(fault.delay)
            return None
        if kind == "malformed":
            return FakeResponse(
                response.status,
                response.body[: max(1, len(response.body) // 2)],
                {"Content-Type": "application/json"},
            )
        return response

    def _handle_safely(self, request: FakeRequest) -> FakeResponse:
        try:
            return self.handle(request)
        except Exception as exc:
            return self.error(500, f"fake {self.name} crashed: {exc!r}")

    @contextlib.contextmanager
    def faults(self, kind: FaultKind, **params: Any) -> Iterator[Fault]:
        """Inject a fault for the duration of a `with` block."""
        fault = self.inject(kind, **params)
        try:
            yield fault
        finally:
            with self.lock:
                if fault in self._faults:
                    self._faults.remove(fault)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the second waits for the client's
    # delayed ACK (~40 ms per request on a kept-alive connection).
    disable_nagle_algorithm = True
    fake: FakePlatform

    def __init__(self, conn: socket.socket, address: Any, fake: FakePlatform) -> None:
        self.fake = fake
        super().__init__(conn, address, None)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is `FakePlatform.requests`."""

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = FakeRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        response = self.fake._respond(request)
        if response is None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                # linger 0: the peer sees a reset, as when a proxy drops the connection
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch
