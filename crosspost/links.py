"""Is a URL live? For `check --links`, `publish --wait-live` and announcements that wait for the
canonical page: a dead image on dev.to is cached for a long time, and a toot must not link to a
404 while the site is still deploying.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from .adapter import Payload
from .config import Config
from .document import Document
from .http import USER_AGENT

if TYPE_CHECKING:
    from .plan import PostSource
    from .publisher import Result

__all__ = ["check_urls", "hold_until_live", "payload_urls", "wait_live"]


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


async def hold_until_live(
    sources: Sequence[PostSource],
    *,
    config: Config,
    to: Sequence[str] | None,
    deadline: float,
) -> tuple[list[PostSource], list[Result]]:
    """Wait until the pages and images the pending posts reference answer 200.

    Posts whose URLs are still dead at the deadline are held back (the next run retries them),
    because a platform caches a broken image for a long time and a toot must not link to a 404.
    """
    from .api import plan
    from .plan import Kind
    from .publisher import Result, Status

    planned = plan(sources, to=to, config=config)
    needs: dict[str, set[str]] = {}
    for action in planned.of_kind(Kind.CREATE, Kind.UPDATE, Kind.RECONCILE):
        urls = needs.setdefault(action.post, set())
        if action.canonical_url:
            urls.add(action.canonical_url)
        if action.payload is not None:
            urls |= payload_urls(action.payload)
    # A short wait polls more often than every 10 s, so a page going live within it is caught.
    statuses = await wait_live(
        {u for urls in needs.values() for u in urls},
        deadline=deadline,
        interval=min(10.0, deadline / 10),
    )
    dead = {post: sorted(u for u in urls if statuses.get(u) != 200) for post, urls in needs.items()}
    held = [
        Result(
            post,
            "*",
            Status.HELD,
            "not live yet: " + ", ".join(f"{u} ({statuses.get(u)})" for u in urls),
        )
        for post, urls in sorted(dead.items())
        if urls
    ]
    blocked = {post for post, urls in dead.items() if urls}
    kept = [s for s in sources if _label(s) not in blocked]
    return kept, held


def _label(source: PostSource) -> str:
    return source.label if isinstance(source, Document) else str(source)
