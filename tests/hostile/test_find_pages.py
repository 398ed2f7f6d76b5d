"""`find` pages through an account's posts, and a platform (or anyone answering in its name)
that always says "there is another page" must not keep it going for ever (issue 13): after
`MAX_LIST_PAGES` pages it stops with an error. Never "not found", which would create the post
a second time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest

from crosspost.adapter import MAX_LIST_PAGES, AdapterContext
from crosspost.adapters.devto import DevTo, DevToSettings
from crosspost.adapters.hashnode import Hashnode, HashnodeSettings
from crosspost.credentials import Secret
from crosspost.errors import PlatformError
from crosspost.http import PlatformClient
from crosspost.testing import sample_document

Answer = Callable[[httpx.Request, int], httpx.Response]


def _client(name: str, base: str, answer: Answer, seen: list[int]) -> PlatformClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        return answer(request, len(seen))

    client = PlatformClient(name, base, transport=httpx.MockTransport(handler))
    client.set_token(Secret("not-a-real-token"))
    return client


def test_devto_find_gives_up_after_the_last_allowed_page() -> None:
    seen: list[int] = []

    def full_page(request: httpx.Request, n: int) -> httpx.Response:
        articles = [
            {"id": n * 10_000 + i, "canonical_url": "https://else.example/"} for i in range(1000)
        ]
        return httpx.Response(200, json=articles)

    client = _client("devto", "https://dev.to/api", full_page, seen)
    adapter = DevTo(DevToSettings(), AdapterContext(http=client, tags={}))
    with pytest.raises(PlatformError, match="pages"):
        asyncio.run(adapter.find(sample_document("endless")))
    assert len(seen) == MAX_LIST_PAGES


def test_hashnode_find_gives_up_after_the_last_allowed_page() -> None:
    seen: list[int] = []

    def next_page(request: httpx.Request, n: int) -> httpx.Response:
        body = json.loads(request.content)
        connection = "drafts" if "drafts" in body["query"] else "posts"
        page = {
            "edges": [
                {"node": {"id": f"p{n}", "url": "https://x/", "canonicalUrl": "https://else/"}}
            ],
            "pageInfo": {"hasNextPage": True, "endCursor": f"cursor-{n}"},
        }
        return httpx.Response(200, json={"data": {"publication": {"id": "pub", connection: page}}})

    client = _client("hashnode", "https://gql.hashnode.com/", next_page, seen)
    adapter = Hashnode(
        HashnodeSettings(publication="blog.hashnode.dev"), AdapterContext(http=client, tags={})
    )
    with pytest.raises(PlatformError, match="pages"):
        asyncio.run(adapter.find(sample_document("endless")))
    assert len(seen) <= MAX_LIST_PAGES + 2  # plus the publication's id, looked up once
