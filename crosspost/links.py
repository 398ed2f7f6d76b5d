"""Is a URL live? For `check --links`, `publish --wait-live` and announcements that wait for the
canonical page: a dead image on dev.to is cached for a long time, and a toot must not link to a
404 while the site is still deploying.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from .adapter import Payload
from .http import USER_AGENT

__all__ = ["ALLOW_PRIVATE", "check_urls", "payload_urls", "wait_live"]

ALLOW_PRIVATE = "CROSSPOST_ALLOW_PRIVATE_LINKS"
"""Set to 1 (by a person, or the workflow file: never by the repository's content) to let link
checks fetch private, loopback and link-local addresses other than the site's own."""

Resolver = Callable[[str], Awaitable[list[str]]]
Origin = tuple[str, int | None]
"""(host, port) with the scheme's default port filled in: what the site's exemption covers."""

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Cloud metadata services that sit on public-looking addresses (the link-local 169.254.0.0/16,
# where most are, is refused as link-local already).
_METADATA = {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}


def is_internal(address: str) -> bool:
    """A private, loopback, link-local, cloud-metadata or otherwise non-public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip in _METADATA or not ip.is_global or ip.is_multicast


async def _resolve(host: str) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


class _Refused(httpx.TransportError):
    """A link check that would reach an internal address."""


class _PublicOnly(httpx.AsyncBaseTransport):
    """Every request (each redirect is one) goes out only if its host resolves to public
    addresses alone, or is one of `allowed` (the site's own host and port). A page of a pull request
    must not turn a link check into a scan of the runner's network or its metadata service.

    The request then goes to the address that was vetted, never to the name: letting the
    connection resolve the name again would let a DNS server answer a public address to the
    check and a private one to the connection (DNS rebinding). The `Host` header and, for
    https, the TLS server name (SNI, and the name the certificate is checked against) stay the
    original name, through httpcore's `sni_hostname` request extension."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, allowed: frozenset[Origin], resolve: Resolver
    ) -> None:
        self._inner = inner
        self._allowed = allowed
        self._resolve = resolve

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host.lower()
        if _origin(request.url.scheme, host, request.url.port) not in self._allowed:
            try:
                addresses = await self._resolve(host)
            except (OSError, UnicodeError) as exc:
                raise _Refused(f"cannot resolve {host}: {exc}", request=request) from None
            internal = [a for a in addresses if is_internal(a)]
            if internal:
                raise _Refused(
                    f"not fetched: {host} is a private, loopback or link-local address "
                    f"({internal[0]}); set {ALLOW_PRIVATE}=1 to allow it",
                    request=request,
                )
            if not addresses:
                raise _Refused(f"cannot resolve {host}: no address", request=request)
            request = _pinned(request, addresses[0])
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _pinned(request: httpx.Request, address: str) -> httpx.Request:
    """`request` sent to `address` (vetted) instead of its host name: same method, headers
    (`Host` included), body and extensions, with the name kept for TLS (`sni_hostname`)."""
    extensions = dict(request.extensions)
    if request.url.scheme == "https":
        extensions["sni_hostname"] = request.url.host
    return httpx.Request(
        request.method,
        request.url.copy_with(host=address.split("%", 1)[0]),
        headers=request.headers,
        stream=request.stream,
        extensions=extensions,
    )


def _origin(scheme: str, host: str, port: int | None) -> Origin:
    return host.lower(), port if port is not None else _DEFAULT_PORTS.get(scheme.lower())


def allowed_hosts(site: str | None, *, trust_site: bool = True) -> frozenset[Origin] | None:
    """What a link check may fetch whatever it resolves to: the site's own host and port (a
    blog served on 127.0.0.1 or an intranet is checked as it is), nothing else; None
    (everything) when ALLOW_PRIVATE is 1. The port counts: site.url comes from the pull request,
    and `http://127.0.0.1` must not open every port of the runner's loopback.

    `trust_site` False (under the Action): the site gets no exemption at all, since site.url is
    the pull request's to set and a real blog's site is public; a workflow file whose site is
    private sets ALLOW_PRIVATE."""
    if os.environ.get(ALLOW_PRIVATE) == "1":
        return None
    parts = urlsplit(site or "")
    try:
        port = parts.port
    except ValueError:  # a port out of range or not a number: nothing is exempt
        return frozenset()
    if not trust_site or not parts.hostname:
        return frozenset()
    return frozenset({_origin(parts.scheme, parts.hostname, port)})


MAX_REDIRECTS = 10


async def _status(client: httpx.AsyncClient, method: str, url: str) -> int:
    """The final status of `method url`, redirects followed by hand: each response is closed
    as soon as its headers are in, its body never read. httpx's own redirect following reads
    every redirect's whole body, and a GET would read the page's: a server that streams an
    endless body would fill the memory (a link check needs the status alone)."""
    request = client.build_request(method, url)
    for _ in range(MAX_REDIRECTS + 1):
        response = await client.send(request, stream=True)
        await response.aclose()  # closes the connection without reading what is left
        if response.next_request is None:
            return response.status_code
        request = response.next_request
    raise httpx.TooManyRedirects("more than 10 redirects", request=request)


async def check_urls(
    urls: Iterable[str],
    *,
    site: str | None = None,
    trust_site: bool = True,
    timeout: float = 15.0,
    transport: httpx.AsyncBaseTransport | None = None,
    resolve: Resolver = _resolve,
) -> dict[str, int | str]:
    """Each URL's final HTTP status after redirects, or the reason it could not be fetched
    (a URL that cannot even be parsed, an internal address: see `allowed_hosts`, no answer
    within `timeout` seconds).

    HEAD first (cheap); servers that refuse HEAD (405/501, some CDNs 403) get a GET. `timeout`
    bounds each URL as a whole, redirects and the GET included: httpx's timeouts are per read,
    and a server that trickles one header line at a time never trips them.
    """
    unique = sorted(set(urls))
    allowed = allowed_hosts(site, trust_site=trust_site)
    inner = transport or httpx.AsyncHTTPTransport()
    guarded = inner if allowed is None else _PublicOnly(inner, allowed, resolve)
    async with httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
        transport=guarded,
    ) as client:

        async def probe(url: str) -> tuple[str, int | str]:
            try:
                async with asyncio.timeout(timeout):
                    status = await _status(client, "HEAD", url)
                    if status in (403, 405, 501):
                        status = await _status(client, "GET", url)
                return url, status
            except TimeoutError:
                return url, f"no complete answer within {timeout:g} s"
            except _Refused as exc:
                return url, str(exc)
            except (httpx.HTTPError, httpx.InvalidURL, UnicodeError, ValueError) as exc:
                # `https://xn--/x.png` fails in the IDNA codec, not in httpx: still one URL's
                # answer, never an error that stops the run.
                return url, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

        return dict(await asyncio.gather(*(probe(u) for u in unique)))


async def wait_live(
    urls: Iterable[str],
    *,
    deadline: float,
    interval: float = 10.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    transport: httpx.AsyncBaseTransport | None = None,
    site: str | None = None,
    trust_site: bool = True,
) -> dict[str, int | str]:
    """Poll until every URL answers 200 or `deadline` seconds pass; the last statuses."""
    pending = set(urls)
    statuses: dict[str, int | str] = {}
    waited = 0.0
    while True:
        statuses.update(
            await check_urls(pending, transport=transport, site=site, trust_site=trust_site)
        )
        pending = {u for u in pending if statuses[u] != 200}
        if not pending or waited >= deadline:
            return statuses
        step = min(interval, deadline - waited)
        await sleep(step)
        waited += step


_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?(https?://[^\s)>]+)>?")
_HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"'](https?://[^\"']+)", re.I)


def payload_urls(payload: Payload) -> set[str]:
    """Every image URL a payload makes the platform fetch: Markdown and HTML images in any
    text field, and any absolute URL in a field named like an image or cover."""
    found: set[str] = set()

    def walk(key: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(str(k), v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(key, v)
        elif isinstance(value, str):
            found.update(_MARKDOWN_IMAGE.findall(value))
            found.update(_HTML_IMAGE.findall(value))
            lowered = key.lower()
            if ("image" in lowered or "cover" in lowered) and value.startswith(
                ("http://", "https://")
            ):
                found.add(value)

    walk("", payload.body)
    found.update(a.url for a in payload.media if a.url)
    return found
