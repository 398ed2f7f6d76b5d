"""crosspost-webhook: publish posts to any endpoint that speaks a small JSON Feed-style API.

The endpoint contract (README.md has the details):

- `POST {api_url}/items` with a JSON Feed 1.1 item → 201 and the stored item, with the `id` and
  `url` the endpoint gave it; 409 when it already holds an item with that `external_url`; an
  `Idempotency-Key` header it has seen in the last 24 hours gets the first answer again;
- `PUT {api_url}/items/{id}` with the item → 200 and the stored item;
- `GET {api_url}/items?page=N` → a JSON Feed of the stored items, with `next_url` while more
  pages follow.

Every request carries `Authorization: Bearer <token>`; crosspost finds the token in
CROSSPOST_WEBHOOK_TOKEN or the keyring (`crosspost login webhook`). Retries, pacing, records and
"never twice" are crosspost's job: this module only says what the endpoint receives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import httpx

from crosspost.adapter import ApiSettings, BaseAdapter, Capabilities, Payload
from crosspost.document import Document, RemotePost
from crosspost.errors import AlreadyExistsError
from crosspost.urls import same_url

__all__ = ["Webhook", "WebhookSettings"]


@dataclass(frozen=True)
class WebhookSettings(ApiSettings):
    """[platforms.webhook]: `api_url` (required) and what to send as the item's content.

    `content = "html"` sends `content_html` (rendered as crosspost renders for HTML platforms);
    `"markdown"` sends the Markdown itself as `content_text`, for endpoints that render it.
    """

    content: Literal["html", "markdown"] = "html"


class Webhook(BaseAdapter):
    """A JSON Feed item per post: created once, updated in place, found by `external_url`."""

    name: ClassVar[str] = "webhook"
    display_name: ClassVar[str] = "JSON webhook"
    capabilities: ClassVar[Capabilities] = Capabilities(
        idempotency_window=24 * 3600, limits={"*": "60/60s"}
    )
    Settings: ClassVar[type[WebhookSettings]] = WebhookSettings
    fake: ClassVar[str | None] = "crosspost_webhook.fake:FakeWebhook"
    settings: WebhookSettings

    def render(self, doc: Document, *, draft: bool = False) -> Payload:
        """The JSON Feed item for `doc`; pure, so `crosspost preview --to webhook` shows it."""
        tags, notices = self.map_tags(doc, lambda tag: tag.strip() or None)
        item: dict[str, Any] = {
            "title": doc.title,
            "external_url": doc.canonical_url,
            "summary": doc.description or doc.excerpt,
            "tags": tags,
            "_crosspost": {"draft": draft},
        }
        if self.settings.content == "html":
            item["content_html"] = doc.to_html()
        else:
            item["content_text"] = doc.body
        if doc.cover is not None and doc.cover.url:
            item["image"] = doc.cover.url
        if doc.date is not None:
            item["date_published"] = doc.date.isoformat()
        if doc.updated is not None:
            item["date_modified"] = doc.updated.isoformat()
        if doc.lang:
            item["language"] = doc.lang
        return Payload(self.name, item, draft=draft, notices=notices)

    async def create(self, payload: Payload, *, key: str) -> RemotePost:
        """POST the item. `key` is the same for every attempt at this post, so a create whose
        answer was lost can be sent again without making a second item."""
        response = await self.http.request(
            "POST",
            "/items",
            op="create",
            json=payload.body,
            headers={"Idempotency-Key": key},
            check=_duplicate,
        )
        return _remote(response.json())

    async def update(self, remote: RemotePost, payload: Payload) -> RemotePost:
        """PUT the whole item: the endpoint replaces it, so nothing of the old one lingers."""
        response = await self.http.request(
            "PUT", f"/items/{remote.id}", op="update", json=payload.body
        )
        return _remote(response.json())

    async def find(self, doc: Document) -> RemotePost | None:
        """Page through the feed; `next_url` only says that a page follows, and is never
        requested itself, so the token only ever goes to the configured `api_url`."""
        page = 1
        while True:
            response = await self.http.request("GET", "/items", op="read", params={"page": page})
            feed = response.json()
            items = feed.get("items") or []
            for item in items:
                if same_url(item.get("external_url"), doc.canonical_url):
                    return _remote(item)
            if not items or not feed.get("next_url"):  # an empty page ends a feed that says "more"
                return None
            page += 1


def _duplicate(response: httpx.Response) -> None:
    """409 means the endpoint holds this post already: crosspost adopts it through `find`."""
    if response.status_code == 409:
        raise AlreadyExistsError(
            "the endpoint already has an item with this external_url",
            platform="webhook",
            status=409,
        )


def _remote(item: dict[str, Any]) -> RemotePost:
    return RemotePost(
        id=str(item["id"]),
        url=item.get("url"),
        draft=bool(item.get("_crosspost", {}).get("draft", False)),
        canonical_url=item.get("external_url"),
    )
