"""Medium and any service that copies its API (REST, `Authorization: Bearer`, create-only).

Facts this adapter relies on (specs/medium/README.md §3, NOTES.md §3): the user id comes from
`GET /me`; posts are created with `POST /users/{authorId}/posts` or, into a publication,
`POST /publications/{publicationId}/posts`, answered 201 `{"data": Post}`. There is no update,
no delete and no way to list one's posts, so a changed post is reported, never re-sent, and an
ambiguous create needs a human. The `title` field is not displayed, so the title also opens the
content; there is no cover field, so the cover becomes the first image (Medium side-loads
images from their URLs). Only the first 3 tags are used and tags over 25 characters are ignored.
Errors come as `{"errors": [{"message", "code"}]}`; 6004 "User not found" and 6005
"Application not found" answer tokens that were revoked or never valid. Medium stopped issuing
integration tokens, so only an existing token can work.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from crosspost.adapter import Account, ApiSettings, BaseAdapter, Capabilities, Payload
from crosspost.credentials import env_var, token_hint
from crosspost.document import Document, RemotePost
from crosspost.errors import (
    AuthError,
    ContentError,
    DeferredError,
    EndpointError,
    PlatformError,
    RejectedError,
)
from crosspost.http import Op, error_message

if TYPE_CHECKING:
    import httpx

__all__ = ["Medium", "MediumSettings"]

MAX_TITLE = 100
MAX_TAGS = 3
MAX_TAG_LENGTH = 25
REVOKED_CODES = frozenset({6004, 6005})  # "User not found", "Application not found"
DAILY_CAP = re.compile(r"rate limit for publishing today", re.I)
"""Medium's 429 once an account has created 10 posts; it resets 24 h after the first of them
(Medium/medium-api-docs#105, answered by a Medium engineer; also #28)."""

PublishStatus = Literal["public", "draft", "unlisted"]
License = Literal[
    "all-rights-reserved",
    "cc-40-by",
    "cc-40-by-sa",
    "cc-40-by-nd",
    "cc-40-by-nc",
    "cc-40-by-nc-nd",
    "cc-40-by-nc-sa",
    "cc-40-zero",
    "public-domain",
]

_HEADING_SPECIALS = re.compile(r"([\\`*_\[\]#])")


@dataclass(frozen=True)
class MediumSettings(ApiSettings):
    """[platforms.medium]: where the API lives and how posts are published.

    `publication_id` posts into a publication instead of the user's profile. Medium lets a
    publication's writers create drafts only (editors approve them); editors may publish.
    """

    api_url: str = "https://api.medium.com/v1"
    publish_status: PublishStatus = "public"
    notify_followers: bool = False
    license: License = "all-rights-reserved"
    publication_id: str | None = None


def medium_tag(tag: str) -> str | None:
    """Medium tags are free text; only runs of whitespace are collapsed."""
    return " ".join(tag.split()) or None


def _heading(title: str) -> str:
    """The title as a Markdown h1 that shows its text verbatim (no emphasis, links or HTML)."""
    return "# " + _HEADING_SPECIALS.sub(r"\\\1", title).replace("<", "&lt;")


def _image(url: str, alt: str) -> str:
    """A Markdown image; characters that would end the alt text or the URL early are escaped."""
    safe_url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    safe_alt = re.sub(r"([\\\[\]])", r"\\\1", alt)
    return f"![{safe_alt}]({safe_url})"


class Medium(BaseAdapter):
    name: ClassVar[str] = "medium"
    display_name: ClassVar[str] = "Medium-style"
    capabilities: ClassVar[Capabilities] = Capabilities(
        update=False,
        find=False,
        lists=False,  # the API has no read of one's own posts at all (hence find=False too)
        drafts=True,
        max_tags=MAX_TAGS,
        max_tag_length=MAX_TAG_LENGTH,
        # 10 posts, then 429 until 24 h after the first (Medium/medium-api-docs#105): the 11th
        # of a run is deferred without asking.
        limits={"create": "10/24h"},
    )
    cache_fields: ClassVar[Mapping[str, type | tuple[type, ...]]] = {"user_id": str, "api_url": str}
    Settings: ClassVar[type[MediumSettings]] = MediumSettings
    fake: ClassVar[str | None] = "crosspost.adapters.medium.fake:FakeMedium"
    default_headers: ClassVar[Mapping[str, str]] = {"Accept": "application/json"}
    # "You can find your access token on your account settings page" (specs/medium/README.md
    # §2.1); NOTES.md §3: no longer self-served, existing integration tokens may still work.
    credentials_page: ClassVar[str] = (
        "https://medium.com/me/settings (existing integration tokens only)"
    )
    settings: MediumSettings

    async def whoami(self) -> Account:
        """`GET /me` → `{"data": {"id", "username", "name", "url", "imageUrl"}}` (README §3.1)."""
        response = await self.http.request("GET", "/me", op="read", check=self._check("read"))
        data = response.json()["data"]
        return Account(str(data["username"]), data.get("url"))

    async def prepare(self) -> None:
        """The user id, fetched once and kept in the records (for this API URL only)."""
        if self.cache.get("api_url") == self.settings.api_url and self.cache.get("user_id"):
            return
        response = await self.http.request("GET", "/me", op="read", check=self._check("read"))
        self.cache["user_id"] = str(response.json()["data"]["id"])
        self.cache["api_url"] = self.settings.api_url

    def render(self, doc: Document, *, draft: bool = False) -> Payload:
        title = " ".join(doc.title.split())
        if not title:
            raise ContentError("a Medium post needs a title", field="title")
        tags, notices = self.map_tags(doc, medium_tag)
        if len(title) > MAX_TITLE:
            notices += (
                self.notice(
                    doc,
                    f"title longer than {MAX_TITLE} characters: Medium ignores the title field "
                    "and takes the heading at the top of the post instead",
                    code="ignored",
                ),
            )
        parts = [_heading(title)]
        if doc.cover is not None and doc.cover.url:
            parts.append(_image(doc.cover.url, doc.cover.alt))
        elif doc.cover is not None:
            notices += (self.notice(doc, "the cover has no URL Medium could load; left out"),)
        parts.append(doc.body)
        status = "draft" if draft else self.settings.publish_status
        body: dict[str, Any] = {
            "title": title,
            "contentFormat": "markdown",
            "content": "\n\n".join(parts),
            "tags": tags,
            "canonicalUrl": doc.canonical_url,
            "publishStatus": status,
            "license": self.settings.license,
            "notifyFollowers": self.settings.notify_followers,
        }
        return Payload(self.name, body, draft=status == "draft", notices=notices)

    async def create(self, payload: Payload, *, key: str) -> RemotePost:
        publication = self.settings.publication_id
        if publication:
            path = f"/publications/{publication}/posts"
        else:
            path = f"/users/{self.cache['user_id']}/posts"
        response = await self.http.request(
            "POST", path, op="create", json=payload.body, check=self._check("create")
        )
        post = response.json()["data"]
        return RemotePost(
            id=str(post["id"]),
            url=post.get("url"),
            draft=post.get("publishStatus") == "draft",
            canonical_url=post.get("canonicalUrl"),
        )

    async def update(self, remote: RemotePost, payload: Payload) -> RemotePost:
        raise PlatformError(
            "Medium-style APIs have no endpoint to change a post",
            platform=self.name,
            hint=f"edit it by hand at {remote.url or 'the platform'}",
        )

    async def find(self, doc: Document) -> RemotePost | None:
        raise PlatformError(
            "Medium-style APIs cannot list an account's posts, so none can be looked up",
            platform=self.name,
            hint="check the account by hand",
        )

    def _check(self, op: Op) -> Callable[[httpx.Response], None]:
        """Medium's own error answers, in words that say what to do."""

        def check(response: httpx.Response) -> None:
            status = response.status_code
            try:
                body = response.json()
            except ValueError:
                # A 2xx create that is not JSON stays ambiguous (the client's rule), since the
                # post may exist; 429 and 5xx pages are the client's too (retried or ambiguous).
                if (status < 300 and op != "create") or (400 <= status < 500 and status != 429):
                    raise self._not_the_api(response) from None
                return
            if status < 400:
                return
            message = error_message(response)
            code = _error_code(body)
            said = f"{message} (code {code})" if code is not None else message
            target = f"{response.request.method} {response.request.url.path}"
            if status == 429 and DAILY_CAP.search(message):
                raise DeferredError(
                    f"Medium's daily publishing limit is reached ({message}); it resets 24 h "
                    "after the day's first post: the remaining posts go out on the next run",
                    platform=self.name,
                    status=status,
                )
            if code in REVOKED_CODES:
                raise AuthError(
                    f"Medium answered {said} to {target}",
                    platform=self.name,
                    status=status,
                    hint="Medium gives this answer for an integration token that was revoked or "
                    "never was a valid one; Medium no longer issues new tokens, so check "
                    f"{env_var(self.name)} against the token you already have",
                )
            if status == 401:
                raise AuthError(
                    f"the token was refused: {said}",
                    platform=self.name,
                    status=status,
                    hint=f"{token_hint(self.name, verb='check')}; "
                    "Medium no longer issues integration tokens, so only an existing one works",
                )
            if status == 403 and op == "create" and self.settings.publication_id:
                raise RejectedError(
                    f"Medium refused a post into publication {self.settings.publication_id}: "
                    f"{said}",
                    platform=self.name,
                    status=status,
                    hint="check publication_id and your role there: writers may only create "
                    'drafts (publish_status = "draft"), editors may publish',
                )
            if status == 403 and op == "create":
                # The user id cached from an earlier run may belong to another token's account.
                self.cache.pop("user_id", None)
                raise AuthError(
                    f"Medium refused to publish as this user: {said}",
                    platform=self.name,
                    status=status,
                    hint="the account may not be allowed to publish, or the token changed "
                    "account; the user id will be looked up again on the next run",
                )
            if status == 400:
                raise RejectedError(
                    f"Medium refused the post: {said}", platform=self.name, status=status
                )

        return check

    def _not_the_api(self, response: httpx.Response) -> EndpointError:
        kind = response.headers.get("content-type", "no content type")
        return EndpointError(
            f"{response.request.method} {response.request.url} answered HTTP "
            f"{response.status_code} with {kind}, not Medium's JSON API",
            platform=self.name,
            status=response.status_code,
            hint=f"check platforms.{self.name}.api_url (for Medium: https://api.medium.com/v1)",
        )


def _error_code(body: Any) -> int | None:
    """The `code` of Medium's first error, if the body has that shape."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code = errors[0].get("code")
        return code if isinstance(code, int) else None
    return None
