"""A fake webhook endpoint, for `crosspost publish --sandbox`, `crosspost.Sandbox` and tests.

crosspost finds it through the adapter's `fake` attribute and runs it on 127.0.0.1; the base
class brings the HTTP server, the request log and fault injection (`inject("drop-after")`...),
so this class is only the endpoint: routes, validation, state.
"""

from __future__ import annotations

import re
import time
from typing import Any, ClassVar

from crosspost.fake import FakePlatform, FakeRequest, FakeResponse, Route
from crosspost.urls import same_url

__all__ = ["FakeWebhook"]

FEED_VERSION = "https://jsonfeed.org/version/1.1"
FIELDS = {
    "title",
    "external_url",
    "summary",
    "tags",
    "content_html",
    "content_text",
    "image",
    "date_published",
    "date_modified",
    "language",
    "_crosspost",
}
KEY_LIFETIME = 24 * 3600.0


class FakeWebhook(FakePlatform):
    """State: `items` (stored JSON Feed items, oldest first), for tests to inspect.

    `page_size` items per feed page. Idempotency keys are remembered for a day, scaled by
    `time_scale` like every other delay of the sandbox.
    """

    name: ClassVar[str] = "webhook"
    create_route: ClassVar[Route | None] = Route("POST", path=r"/items$")

    def __init__(self, *, page_size: int = 50, **options: Any) -> None:
        super().__init__(**options)
        self.page_size = page_size
        self.items: list[dict[str, Any]] = []
        self._keys: dict[str, tuple[float, FakeResponse]] = {}

    def handle(self, request: FakeRequest) -> FakeResponse:
        if not self.authorized(request):
            return self.error(401, "missing or unknown bearer token")
        if request.path == "/items" and request.method == "GET":
            return self._feed(int(request.query.get("page", ["1"])[0]))
        if request.path == "/items" and request.method == "POST":
            return self._create(request)
        m = re.fullmatch(r"/items/(\d+)", request.path)
        if m and request.method == "PUT":
            return self._update(int(m.group(1)), request)
        return self.error(404, f"no route for {request.method} {request.path}")

    def _feed(self, page: int) -> FakeResponse:
        with self.lock:
            newest = self.items[::-1]
        start = (page - 1) * self.page_size
        feed: dict[str, Any] = {
            "version": FEED_VERSION,
            "title": "crosspost sandbox",
            "items": newest[start : start + self.page_size],
        }
        if start + self.page_size < len(newest):
            feed["next_url"] = f"{self.url}/items?page={page + 1}"
        return FakeResponse.json(200, feed)

    def _create(self, request: FakeRequest) -> FakeResponse:
        key = request.header("idempotency-key")
        with self.lock:
            seen = self._keys.get(key or "")
            if seen is not None and time.monotonic() - seen[0] < KEY_LIFETIME * self.time_scale:
                return seen[1]
            item, problem = self._valid(request)
            if item is None:
                return self.error(400, problem)
            if self.copies(item["external_url"]):
                return self.error(409, "an item with this external_url exists")
            number = len(self.items) + 1
            item.update(id=str(number), url=f"{self.url}/items/{number}")
            self.items.append(item)
            response = FakeResponse.json(201, item)
            if key:
                self._keys[key] = (time.monotonic(), response)
            return response

    def _update(self, number: int, request: FakeRequest) -> FakeResponse:
        item, problem = self._valid(request)
        if item is None:
            return self.error(400, problem)
        with self.lock:
            if not 0 < number <= len(self.items):
                return self.error(404, f"no item {number}")
            stored = self.items[number - 1]
            stored.clear()
            stored.update(item, id=str(number), url=f"{self.url}/items/{number}")
            return FakeResponse.json(200, stored)

    @staticmethod
    def _valid(request: FakeRequest) -> tuple[dict[str, Any] | None, str]:
        """The item, or None and why the endpoint refuses it (400)."""
        try:
            item = request.json()
        except ValueError:
            return None, "the body is not JSON"
        if not isinstance(item, dict):
            return None, "the body must be a JSON object"
        unknown = sorted(set(item) - FIELDS)
        if unknown:
            return None, f"unknown fields: {', '.join(unknown)}"
        if not isinstance(item.get("title"), str) or not item["title"].strip():
            return None, "title is required"
        if not str(item.get("external_url", "")).startswith(("https://", "http://")):
            return None, "external_url must be an absolute URL"
        if not isinstance(item.get("content_html", item.get("content_text")), str):
            return None, "content_html or content_text is required"
        return item, ""

    def copies(self, url: str) -> list[dict[str, Any]]:
        with self.lock:
            return [i for i in self.items if same_url(i.get("external_url"), url)]
