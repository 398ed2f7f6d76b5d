"""The blog's own web server for link-health tests: pages and images on 127.0.0.1 that answer
404 until they are "deployed", so `check --links`, `publish --wait-live` and `after = "live"`
can be tested end to end without the internet."""

from __future__ import annotations

from typing import Any, ClassVar

from crosspost.fake import FakePlatform, FakeRequest, FakeResponse


class FakeSite(FakePlatform):
    """A static site that is still deploying: a path answers 200 only once `deploy`ed.

    `deploy(path, after=n)` makes the path answer 404 to its next `n` requests first, so a test
    can make a page go live in the middle of a wait without depending on the clock. Requests are
    logged in `requests` like any fake's; `hits(path)` counts them.
    """

    name: ClassVar[str] = "site"

    def __init__(self, **options: Any) -> None:
        super().__init__(tokens=(), **options)
        self._pending: dict[str, int] = {}

    def deploy(self, *paths: str, after: int = 0) -> None:
        with self.lock:
            for path in paths:
                self._pending[path] = after

    def page(self, path: str) -> str:
        """The absolute URL of `path` on this site."""
        return self.url + path

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path == path)

    def handle(self, request: FakeRequest) -> FakeResponse:
        with self.lock:
            left = self._pending.get(request.path)
            if left is None:
                return FakeResponse.html(404, "<h1>Not Found</h1>")
            if left > 0:
                self._pending[request.path] = left - 1
                return FakeResponse.html(404, "<h1>Not Found</h1>")
        return FakeResponse.html(200, f"<h1>{request.path}</h1>")
