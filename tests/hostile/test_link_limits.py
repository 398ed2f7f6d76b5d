"""A link check costs a bounded amount of memory and time whatever the server does (issue 13):
`check --links`, `--wait-live` and `after = "live"` fetch URLs a pull request chose, so the
server at the other end may be the attacker's. It refuses HEAD (403, as some CDNs do) so the
check falls back to GET, then streams an endless body (`flood`) or trickles one header line at a
time, each well inside httpx's per-read timeout (`trickle`). The server below is a plain socket
server on 127.0.0.1 (the site's own host, so the private-address guard lets it through); it
stops on its own after a bounded amount, so a check that reads everything or waits for
everything ends and fails the assertions instead of hanging the suite."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from crosspost.links import check_urls

CHUNK = b"A" * 0x10000
FLOOD_LIMIT = 64 * 1024 * 1024
"""What the flood sends at most: far more than any socket buffer holds, so a check that stops
reading after the headers leaves most of it unsent."""

TRICKLE_LINES = 40
TRICKLE_PAUSE = 0.1
"""40 header lines, one every 0.1 s: each read well inside the check's per-read timeout."""


@dataclass
class Misbehaving:
    """One connection's worth of hostility per request: `mode` is "flood" (200 with an endless
    chunked body), "redirect-flood" (a 302 whose body is endless, to a page that answers 200) or
    "trickle" (headers one line at a time)."""

    mode: str
    sent: int = 0
    finished: bool = False
    closed_by_client: bool = False
    threads: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"

    def stop(self) -> None:
        """Stop listening for good. `close` alone does not wake the thread blocked in `accept`,
        whose call keeps the listening socket alive: it went on answering, with this server's
        302, connections meant for a fake platform of a later test in the same process."""
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)  # wakes `accept` (Linux: EINVAL)
        self.server.close()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                while request := _read_request(conn):
                    if request.startswith(b"HEAD "):
                        conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                    elif b" /landed " in request.split(b"\r\n", 1)[0]:
                        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                    else:
                        self._misbehave(conn)
                        return
            except OSError:
                self.closed_by_client = True

    def _misbehave(self, conn: socket.socket) -> None:
        if self.mode == "trickle":
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            for n in range(TRICKLE_LINES):
                conn.sendall(b"X-Line-%d: y\r\n" % n)
                time.sleep(TRICKLE_PAUSE)
            conn.sendall(b"Content-Length: 0\r\n\r\n")
        else:
            head = (
                b"HTTP/1.1 302 Found\r\nLocation: /landed\r\n"
                if self.mode == "redirect-flood"
                else b"HTTP/1.1 200 OK\r\n"
            )
            conn.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")
            while self.sent < FLOOD_LIMIT:
                conn.sendall(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
                self.sent += len(CHUNK)
            conn.sendall(b"0\r\n\r\n")
        self.finished = True

    def wait(self) -> None:
        """Until every connection's handler is done (the client closed, or all was sent)."""
        for thread in self.threads:
            thread.join(timeout=60)


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(65536)
        if not more:
            return b""
        data += more
    return data


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[Misbehaving]:
    hostile = Misbehaving(request.param)
    serving = threading.Thread(target=hostile.serve, daemon=True)
    serving.start()
    yield hostile
    hostile.stop()
    serving.join(timeout=10)
    assert not serving.is_alive(), "the server still accepts connections"


def _check(server: Misbehaving, timeout: float) -> int | str:
    url = server.url + "/page/"
    statuses = asyncio.run(check_urls([url], site=server.url, timeout=timeout))
    server.wait()
    return statuses[url]


@pytest.mark.parametrize("server", ["flood", "redirect-flood"], indirect=True)
def test_an_endless_body_is_never_read(server: Misbehaving) -> None:
    """The status is all a link check needs: the response is closed once its headers are in,
    on a redirect as on the final page (httpx's own redirect following reads every redirect's
    body), so the server cannot send more than the socket buffers hold."""
    status = _check(server, timeout=30)
    assert status == 200
    assert server.closed_by_client and not server.finished, "the check read the whole body"
    assert server.sent < FLOOD_LIMIT // 4, f"{server.sent} bytes went out before the close"


@pytest.mark.parametrize("server", ["trickle"], indirect=True)
def test_a_trickling_server_ends_with_that_urls_error(server: Misbehaving) -> None:
    """httpx's timeout is per read; the check's `timeout` bounds the whole URL (redirects and
    the GET fallback included), and running out of it is that URL's answer, never an error."""
    status = _check(server, timeout=TRICKLE_LINES * TRICKLE_PAUSE / 8)
    assert isinstance(status, str) and "within 0.5 s" in status, status
    assert not server.finished, "the check waited for the whole trickle"
