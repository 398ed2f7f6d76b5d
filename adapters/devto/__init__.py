"""dev.to and any other Forem instance (REST, `api-key` header, Forem API v1).

Facts this adapter relies on (specs/forem/api_v1.json, NOTES.md §1, docs/platforms/facts.md):
articles are created with `POST /articles` and updated with `PUT /articles/{id}`; `tags` is an
array (Forem's strong parameters drop a string; api_v1.json's "string" is a doc bug,
forem/forem#4073); an update without `tags` wipes them, so tags are always sent; `series` and
`main_image` are sent as null to remove them (an omitted key leaves them in place); front matter
inside `body_markdown` overrides the JSON fields, so the body must never start with one; at most
4 tags, alphanumeric; a canonical URL already used on the site is refused with 422, which means
"already there" and is adopted (or, held by another account, left for a human), never retried
under another URL; besides 10 creates / 30 s, Rack::Attack allows about 1 write and 3 reads per
second, which pacing keeps under. One article is read by id with `GET /articles/{id}`, which
answers only published articles (Forem's `show`: `Article.published...find(id)`), so a draft is
looked for among `/articles/me/unpublished`; an update of another user's article is refused
(`update`: `@user.articles.find(id)`, 404), so a lookup need not say whose an article is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from crosspost.adapter import (
    Account,
    ApiSettings,
    BaseAdapter,
    Capabilities,
    Listed,
    Payload,
    list_pages,
)
from crosspost.document import Document, RemotePost
from crosspost.errors import AlreadyExistsError, RejectedError

if TYPE_CHECKING:
    import httpx

__all__ = ["DevTo", "DevToSettings"]

MAX_TITLE = 128
# Forem's articles_controller#me caps `per_page` at ApplicationConfig["API_PER_PAGE_MAX"] || 1000
# (specs/forem/api_v1.json perPageParam30to1000: maximum 1000, default 30; NOTES.md §1).
_PAGE_SIZE = 1000
_ARTICLE_ID = re.compile(r"[0-9]{1,20}")
_TAKEN = re.compile(r"canonical url has already been taken", re.I)


@dataclass(frozen=True)
class DevToSettings(ApiSettings):
    """[platforms.devto]: `api_url` of the Forem instance, optional `organization_id`."""

    api_url: str = "https://dev.to/api"
    organization_id: int | None = None


def forem_tag(tag: str) -> str | None:
    """Forem tags are lowercase and alphanumeric (Unicode letters allowed): `Social Media` →
    `socialmedia`."""
    folded = unicodedata.normalize("NFKC", tag).casefold()
    return "".join(ch for ch in folded if ch.isalnum()) or None


def _without_front_matter(body: str) -> str:
    """Forem reads a leading `---` block as front matter that overrides the JSON fields; a
    leading thematic break is rewritten as `***`, which renders the same and cannot be one."""
    first, sep, rest = body.lstrip("\n").partition("\n")
    if re.fullmatch(r"-{3,}\s*", first):
        return "***" + sep + rest
    return body


class DevTo(BaseAdapter):
    name: ClassVar[str] = "devto"
    display_name: ClassVar[str] = "dev.to"
    capabilities: ClassVar[Capabilities] = Capabilities(
        lookup=True,
        lists=True,
        max_tags=4,
        # api_v0.yml: 10 creates and 30 updates per 30 s; rack_attack.rb: about 1 write and
        # 3 reads per second per user besides (forem/forem#12737), else 429 "Retry later".
        limits={"create": "10/30s", "update": "30/30s", "write": "1/1s", "read": "3/1s"},
    )
    Settings: ClassVar[type[DevToSettings]] = DevToSettings
    fake: ClassVar[str | None] = "crosspost.adapters.devto.fake:FakeDevTo"
    auth_header: ClassVar[str] = "api-key"
    auth_scheme: ClassVar[str] = ""
    default_headers: ClassVar[Mapping[str, str]] = {"Accept": "application/vnd.forem.api-v1+json"}
    # Keys are made at dev.to/settings/extensions (specs/forem/api_v1.json securitySchemes).
    credentials_page: ClassVar[str] = "{origin}/settings/extensions"
    settings: DevToSettings

    async def whoami(self) -> Account:
        """`GET /users/me` (specs/forem/api_v1.json, schema User): the key's `username`; the
        profile lives at the instance's origin + `/username`."""
        response = await self.http.request("GET", "/users/me", op="read")
        username = str(response.json()["username"])
        origin = self.settings.api_url.rstrip("/").removesuffix("/api")
        return Account(username, f"{origin}/{username}")

    def render(self, doc: Document, *, draft: bool = False) -> Payload:
        tags, notices = self.map_tags(doc, forem_tag)
        title = doc.title
        if len(title) > MAX_TITLE:
            title = title[: MAX_TITLE - 1].rstrip() + "…"
            notices += (self.notice(doc, f"title longer than {MAX_TITLE} characters; shortened"),)
        article: dict[str, Any] = {
            "title": title,
            "body_markdown": _without_front_matter(doc.body),
            "published": not draft,
            "tags": tags,  # an array: Forem drops a string (strong parameters `tags: []`)
            "canonical_url": doc.canonical_url,
            "description": doc.description,
            "main_image": doc.cover.url if doc.cover else None,  # null removes a cover
            "series": doc.series or None,  # null takes it out of a series; omitted keeps it
        }
        if self.settings.organization_id is not None:
            article["organization_id"] = self.settings.organization_id
        return Payload(self.name, {"article": article}, draft=draft, notices=notices)

    async def create(self, payload: Payload, *, key: str) -> RemotePost:
        response = await self.http.request(
            "POST", "/articles", op="create", json=payload.body, check=_refused_as_duplicate
        )
        return _remote(response.json())

    async def update(self, remote: RemotePost, payload: Payload) -> RemotePost:
        """PUT the article. A draft payload leaves `published` out: an update may take a draft
        live, never take a live article back (the author may have published it by hand since
        crosspost last looked, and `published: false` would silently unpublish it)."""
        body = payload.body
        if payload.draft:
            article = {k: v for k, v in body["article"].items() if k != "published"}
            body = {**body, "article": article}
        response = await self.http.request("PUT", f"/articles/{remote.id}", op="update", json=body)
        return _remote(response.json())

    async def list_posts(self, *, since: datetime | None = None) -> AsyncGenerator[Listed, None]:
        """`GET /articles/me/all` page by page (drafts first, then live posts newest first; no
        filter by canonical URL exists, so `find` scans this too)."""
        async for article in self._articles("all"):
            yield Listed(_remote(article))

    async def lookup(self, remote: RemotePost) -> RemotePost | None:
        """The article with `remote.id`: `GET /articles/{id}` for a published one (Forem's
        `show` finds only published articles, 404 otherwise), then the account's unpublished
        ones, where a draft (or an article unpublished by hand) is. Article ids are numbers
        (Forem's `find` of anything else is a 404), and an id from the records is sent in no
        other shape."""
        if not _ARTICLE_ID.fullmatch(remote.id):
            return None
        try:
            response = await self.http.request("GET", f"/articles/{remote.id}", op="read")
        except RejectedError as exc:
            if exc.status != 404:
                raise
        else:
            return _remote(response.json())
        async for article in self._articles("unpublished"):
            if str(article.get("id")) == remote.id:
                return _remote(article)
        return None

    async def _articles(self, which: str) -> AsyncGenerator[dict[str, Any], None]:
        """The account's articles (`/articles/me/{which}`), page by page within the one listing
        bound; a short page is the last."""
        for page in list_pages(self.name):
            response = await self.http.request(
                "GET",
                f"/articles/me/{which}",
                op="read",
                params={"page": page + 1, "per_page": _PAGE_SIZE},
            )
            articles = response.json()
            for article in articles:
                yield article
            if len(articles) < _PAGE_SIZE:
                return


def _refused_as_duplicate(response: httpx.Response) -> None:
    if response.status_code == 422 and _TAKEN.search(response.text):
        raise AlreadyExistsError(
            "dev.to already has an article with this canonical URL",
            platform="devto",
            status=422,
        )


def _remote(article: dict[str, Any]) -> RemotePost:
    return RemotePost(
        id=str(article["id"]),
        url=article.get("url"),
        draft=not _is_published(article),
        canonical_url=article.get("canonical_url"),
    )


def _is_published(article: Mapping[str, Any]) -> bool:
    """Lists of one's articles say `published`; the single article that create, update and show
    answer does not, and its `published_timestamp` is "" exactly while it is unpublished.
    Reading a missing `published` as "draft" would record every live article as a draft, and a
    later `--draft` run would then unpublish it."""
    if "published" in article:
        return bool(article["published"])
    return bool(article.get("published_timestamp"))
