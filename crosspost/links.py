"""Is a URL live? For `check --links`, `publish --wait-live` and announcements that wait for the
canonical page: a dead image on dev.to is cached for a long time, and a toot must not link to a
404 while the site is still deploying.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import httpx

from .adapter import Payload
from .http import USER_AGENT

__all__ = ["check_urls", "payload_urls", "wait_live"]


async def check_urls(
    urls: Iterable[str],
    *,
    timeout: float = 15.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, int | str]:
    """Each URL's final HTTP status after redirects, or the reason it could not be fetched.

    HEAD first (cheap); servers that refuse HEAD (405/501, some CDNs 403) get a GET.
    """
    unique = sorted(set(urls))
    async with httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
        transport=transport,
    ) as client:

        async def probe(url: str) -> tuple[str, int | str]:
            try:
                response = await client.head(url)
                if response.status_code in (403, 405, 501):
                    response = await client.get(url)
                return url, response.status_code
            except httpx.HTTPError as exc:
                return url, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

        return dict(await asyncio.gather(*(probe(u) for u in unique)))


async def wait_live(
    urls: Iterable[str],
    *,
    deadline: float,
    interval: float = 10.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, int | str]:
    """Poll until every URL answers 200 or `deadline` seconds pass; the last statuses."""
    pending = set(urls)
    statuses: dict[str, int | str] = {}
    waited = 0.0
    while True:
        statuses.update(await check_urls(pending, transport=transport))
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
