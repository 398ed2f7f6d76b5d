"""A fake Medium API that answers like the real one, for tests and `crosspost sandbox`.

Modelled on specs/medium/README.md §3 and NOTES.md §3: `GET /v1/me`; `POST /v1/users/{authorId}/
posts` (only as the token's own user) and `POST /v1/publications/{id}/posts` (writers may only
create drafts); `title`, `contentFormat` ("html" | "markdown") and `content` required; only the
first 3 tags kept and tags over 25 characters ignored (applied, not refused); `publishStatus`,
`license` and `notifyFollowers` validated; `canonicalUrl` echoed only when set; `publishedAt`
absent for drafts; a title over 100 characters ignored and one synthesized from the content.
Errors are `{"errors": [{"message", "code"}]}`: 6000 for a missing or unknown token (seen from
Medium for a bad token), 6004/6005 for revoked tokens, 6007 "Unexpected field (x) specified" for
undocumented fields (seen on /v1/tokens). Other codes are not documented anywhere; the fake uses
`UNDOCUMENTED` for them. No update, list or delete endpoint exists.

Calibrated on Medium's answers to its users (issue 14): no rate limit is documented, but an
account may create 10 posts, then every create is refused with 429 "User has reached the rate
limit for publishing today." until 24 h after the first of them (Medium/medium-api-docs#105,
where a Medium engineer confirms the 10 and the reset; #28 quotes the message). The answer's
`code` was never published, so the fake's is `UNDOCUMENTED`; no Retry-After is documented.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from crosspost.fake import FakePlatform, FakeRequest, FakeResponse, Route
from crosspost.urls import same_url

__all__ = ["FakeMedium"]

UNDOCUMENTED = 6099
"""Error code for answers whose code Medium never documented (validation, permission, 404)."""

FIELDS = {
    "title",
    "contentFormat",
    "content",
    "tags",
    "canonicalUrl",
    "publishStatus",
    "license",
    "notifyFollowers",
}
FORMATS = {"html", "markdown"}
STATUSES = {"public", "draft", "unlisted"}
LICENSES = {
    "all-rights-reserved",
    "cc-40-by",
    "cc-40-by-sa",
    "cc-40-by-nd",
    "cc-40-by-nc",
    "cc-40-by-nc-nd",
    "cc-40-by-nc-sa",
    "cc-40-zero",
    "public-domain",
}
LICENSE_URL = "https://medium.com/policy/9db0094a1e0f"  # the README's; other licences unshown
MAX_TITLE = 100
MAX_TAGS = 3
MAX_TAG_LENGTH = 25


def _slug(title: str) -> str:
    return re.sub(r"[\W_]+", "-", title.lower()).strip("-")[:60] or "untitled"


def _first_text(content: str, content_format: str) -> str:
    """What Medium synthesizes a title from: the first line of text in the content."""
    text = re.sub(r"<[^>]+>", "\n", content) if content_format == "html" else content
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:MAX_TITLE]
    return "Untitled"


class FakeMedium(FakePlatform):
    """State: `posts` (dicts in Medium's Post shape), for tests to inspect.

    `publications` maps a publication id to the user's role there ("editor" or "writer");
    `revoked` makes every known token answer `revoked_code` (6004 or 6005), as Medium does for
    integration tokens that were revoked or never valid.
    """

    name: ClassVar[str] = "medium"
    create_route: ClassVar[Route | None] = Route("POST", path=r"/users/[^/]+/posts$")

    def __init__(
        self,
        *,
        tokens: tuple[str, ...] = ("sandbox-token",),
        latency: float = 0.0,
        time_scale: float = 1.0,
        username: str = "sandbox",
        user_id: str = "5303d74c64f66366f00cb9b2a94f3251bf5",
        publications: Mapping[str, Literal["editor", "writer"]] | None = None,
        revoked: bool = False,
        revoked_code: Literal[6004, 6005] = 6005,
        daily_limit: tuple[int, float] = (10, 86_400.0),
    ) -> None:
        super().__init__(tokens=tokens, latency=latency, time_scale=time_scale)
        self.username = username
        self.user_id = user_id
        self.publications = dict(publications or {})
        self.revoked = revoked
        self.revoked_code = revoked_code
        self.posts: list[dict[str, Any]] = []
        self.daily_limit = daily_limit[0]
        self.day = daily_limit[1] * time_scale
        self._day_started: float | None = None  # the day's first post
        self._day_count = 0

    def settings(self) -> dict[str, Any]:
        return {"api_url": f"{self.url}/v1"}

    def error(self, status: int, message: str, code: int = UNDOCUMENTED) -> FakeResponse:
        return FakeResponse.json(status, {"errors": [{"message": message, "code": code}]})

    def too_many(self, retry_after: float) -> FakeResponse:
        return FakeResponse.json(
            429,
            {"errors": [{"message": "Too many requests", "code": UNDOCUMENTED}]},
            {"Retry-After": self.retry_after_header(retry_after)},
        )

    # ----------------------------------------------------------------- routing

    def handle(self, request: FakeRequest) -> FakeResponse:
        if not self.authorized(request):
            return self.error(401, "An access token is required.", 6000)
        if self.revoked:
            message = "User not found" if self.revoked_code == 6004 else "Application not found"
            return self.error(401, message, self.revoked_code)
        if request.method == "GET" and request.path == "/v1/me":
            return FakeResponse.json(200, {"data": self._me()})
        m = re.fullmatch(r"/v1/(users|publications)/([^/]+)/posts", request.path)
        if m and request.method == "POST":
            return self._create(request, m.group(1), m.group(2))
        return self.error(404, "Not found")

    def _me(self) -> dict[str, str]:
        return {
            "id": self.user_id,
            "username": self.username,
            "name": "Sandbox",
            "url": f"https://medium.com/@{self.username}",
            "imageUrl": "https://images.medium.com/0*fkfQiTzT7TlUGGyI.png",
        }

    # ----------------------------------------------------------------- posts

    def _create(self, request: FakeRequest, owner: str, owner_id: str) -> FakeResponse:
        try:
            fields = request.json()
        except ValueError:
            return self.error(400, "Body must be valid JSON")
        if not isinstance(fields, dict):
            return self.error(400, "Body must be a JSON object")
        problem = self._invalid(fields)
        if problem is not None:
            return problem
        status = fields.get("publishStatus", "public")
        if owner == "users" and owner_id != self.user_id:
            return self.error(403, "You do not have permission to publish as this user.")
        if owner == "publications":
            role = self.publications.get(owner_id)
            if role is None:
                return self.error(403, "You cannot publish into this publication.")
            if role == "writer" and status != "draft":
                return self.error(403, "Writers can only create draft posts in this publication.")
        post = self._new_post(fields, status)
        if owner == "publications":
            post["publicationId"] = owner_id
        with self.lock:
            if not self._count_towards_today():
                message = "User has reached the rate limit for publishing today."
                return self.error(429, message)
            self.posts.append(post)
        return FakeResponse.json(201, {"data": post})

    def _count_towards_today(self) -> bool:
        """One more post today, if the cap allows; the day starts at its first post. Lock held."""
        now = time.monotonic()
        if self._day_started is None or now - self._day_started >= self.day:
            self._day_started, self._day_count = now, 0
        if self._day_count >= self.daily_limit:
            return False
        self._day_count += 1
        return True

    def _invalid(self, fields: dict[str, Any]) -> FakeResponse | None:
        """Medium's 400 for a body it cannot take (messages are the fake's own words)."""
        for name in fields:
            if name not in FIELDS:
                return self.error(400, f"Unexpected field ({name}) specified", 6007)
        for name in ("title", "content"):
            if not isinstance(fields.get(name), str) or not fields[name].strip():
                return self.error(400, f"{name} is required")
        if fields.get("contentFormat") not in FORMATS:
            return self.error(400, "contentFormat must be one of: html, markdown")
        tags = fields.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            return self.error(400, "tags must be an array of strings")
        if "canonicalUrl" in fields and not isinstance(fields["canonicalUrl"], str):
            return self.error(400, "canonicalUrl must be a string")
        if fields.get("publishStatus", "public") not in STATUSES:
            return self.error(400, "publishStatus must be one of: public, draft, unlisted")
        if fields.get("license", "all-rights-reserved") not in LICENSES:
            return self.error(400, f"license must be one of: {', '.join(sorted(LICENSES))}")
        if not isinstance(fields.get("notifyFollowers", False), bool):
            return self.error(400, "notifyFollowers must be a boolean")
        return None

    def _new_post(self, fields: dict[str, Any], status: str) -> dict[str, Any]:
        post_id = secrets.token_hex(6)
        title = fields["title"]
        if len(title) > MAX_TITLE:
            title = _first_text(fields["content"], fields["contentFormat"])
        tags = [t for t in fields.get("tags", []) if len(t) <= MAX_TAG_LENGTH][:MAX_TAGS]
        post: dict[str, Any] = {
            "id": post_id,
            "title": title,
            "authorId": self.user_id,
            "tags": tags,
            "url": f"https://medium.com/@{self.username}/{_slug(title)}-{post_id}",
            "publishStatus": status,
            "license": fields.get("license", "all-rights-reserved"),
            "licenseUrl": LICENSE_URL,
        }
        if fields.get("canonicalUrl"):
            post["canonicalUrl"] = fields["canonicalUrl"]
        if status != "draft":
            post["publishedAt"] = int(time.time() * 1000)
        return post

    # ----------------------------------------------------------------- for tests

    def by_canonical(self, url: str) -> list[dict[str, Any]]:
        with self.lock:
            return [p for p in self.posts if same_url(p.get("canonicalUrl"), url)]

    copies = by_canonical
