"""Hashnode (GraphQL at gql-beta.hashnode.com, `Authorization: Bearer <PAT>`).

Facts this adapter relies on (specs/hashnode/schema.graphql, specs/hashnode/gql-skill/*.md,
NOTES.md §2): gql.hashnode.com was retired in 2026 and answers 301 to an HTML page; errors come at
HTTP 200 as `errors[].extensions.code`; every write and the `publication` read need the
publication on the Pro plan (`FORBIDDEN`, never worth retrying); `publishPost` is always live, a
draft is `createDraft` then `publishDraft` (which soft-deletes the draft); draft inputs nest the
cover, delisting and table of contents (`coverImageOptions`, `settings`) where post inputs have
`coverImage`, `isDelisted`, `enableToc`; `updatePost` replaces the tags it is given; at most 15
tags; requests over 100 KB are refused; list reads may be edge-cached for about 25 s; there is no
idempotency and no filter by canonical URL, so `find` pages through `canonicalUrl`s. One copy is
read by id with `post(id:)` (null when there is none) and `draft(id:)` (`NOT_FOUND` for a draft
that is gone or not the token's); each names its publication, which must be the configured one.
The 150-character subtitle cap is the editor's (UNVERIFIED: the schema states none).
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote, urlsplit

from crosspost.adapter import (
    Account,
    ApiSettings,
    BaseAdapter,
    Capabilities,
    Listed,
    Payload,
    list_pages,
)
from crosspost.credentials import token_hint
from crosspost.document import Document, RemotePost
from crosspost.errors import (
    AmbiguousError,
    AuthError,
    ConfigError,
    ContentError,
    EndpointError,
    GoneError,
    PlatformError,
    RejectedError,
    ServerError,
)
from crosspost.http import Op, error_message
from crosspost.urls import same_url

if TYPE_CHECKING:
    import httpx

__all__ = ["Hashnode", "HashnodeSettings", "hashnode_slug"]

LIVE_API = "https://gql-beta.hashnode.com/"
MAX_SUBTITLE = 150
MAX_REQUEST_BYTES = 100_000  # "100 KB"; read as 1000-byte KB so that no reading is exceeded
_OBJECT_ID = re.compile(r"[0-9a-f]{24}")

WHOAMI = "query Me { me { username } }"
PUBLICATION_ID = "query PublicationId($host: String!) { publication(host: $host) { id } }"
PUBLISH_POST = """mutation PublishPost($input: PublishPostInput!) {
  publishPost(input: $input) { post { id url canonicalUrl } }
}"""
UPDATE_POST = """mutation UpdatePost($input: UpdatePostInput!) {
  updatePost(input: $input) { post { id url canonicalUrl coverImage { url } } }
}"""
CREATE_DRAFT = """mutation CreateDraft($input: CreateDraftInput!) {
  createDraft(input: $input) { draft { id canonicalUrl } }
}"""
UPDATE_DRAFT = """mutation UpdateDraft($input: UpdateDraftInput!) {
  updateDraft(input: $input) { draft { id canonicalUrl } }
}"""
PUBLISH_DRAFT = """mutation PublishDraft($input: PublishDraftInput!) {
  publishDraft(input: $input) { post { id url canonicalUrl } }
}"""
LOOKUP_POST = "query Post($id: ID!) { post(id: $id) { id url canonicalUrl publication { id } } }"
LOOKUP_DRAFT = """query Draft($id: ObjectId!) {
  draft(id: $id) { id canonicalUrl publication { id } }
}"""
FIND_POSTS = """query FindPosts($host: String!, $after: String) {
  publication(host: $host) {
    posts(first: 100, after: $after) {
      edges { node { id url canonicalUrl } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""
FIND_DRAFTS = """query FindDrafts($host: String!, $after: String) {
  publication(host: $host) {
    drafts(first: 50, after: $after) {
      edges { node { id canonicalUrl } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""
"""Page sizes are the documented caps (specs/hashnode/gql-skill/errors-and-limits.md "Limits":
`first` at most 100, draft connections 50; above the cap Hashnode clamps silently)."""

_REFUSED = {"BAD_USER_INPUT", "BAD_REQUEST", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}
"""Codes of requests that were not carried out: final, never ambiguous."""

_STATUS_SAYS_ENOUGH = {413, 429}
"""Too large, rate limited: what the client makes of these needs no body from Hashnode."""

# PublishPostInput field → where CreateDraftInput/UpdateDraftInput keep the same value.
_DRAFT_PLACES = {
    "coverImage": ("coverImageOptions", "coverImageURL"),
    "isDelisted": ("settings", "delist"),
    "enableToc": ("settings", "enableTableOfContent"),
}


@dataclass(frozen=True)
class HashnodeSettings(ApiSettings):
    """[platforms.hashnode]: `publication` host (required), optional `series_id`, `delisted`
    (keep posts out of Hashnode's feeds) and `enable_toc` (a table of contents)."""

    api_url: str = LIVE_API
    publication: str = ""
    series_id: str | None = None
    delisted: bool = False
    enable_toc: bool = False

    @property
    def host(self) -> str:
        """`myblog.hashnode.dev`, also when written as `https://myblog.hashnode.dev/`."""
        text = self.publication.strip()
        return (urlsplit(text).hostname or "") if "://" in text else text.strip("/").lower()

    def validate(self) -> None:
        super().validate()
        if not self.host:
            raise ConfigError(
                "Hashnode needs the publication to post to",
                field="platforms.hashnode.publication",
                hint='set publication = "yourblog.hashnode.dev" (the blog\'s host)',
            )
        if self.series_id is not None and not _OBJECT_ID.fullmatch(self.series_id):
            raise ConfigError(
                f"series_id {self.series_id!r} is not a Hashnode id (24 hex digits)",
                field="platforms.hashnode.series_id",
            )


def hashnode_slug(text: str) -> str | None:
    """Lowercase ASCII words joined by '-': `Social Media` → `social-media`, `Café` → `cafe`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower())) or None


def _canonical_slug(canonical_url: str) -> str | None:
    """The copy's slug: the canonical URL's last segment (`/posts/hello/`, `/hello.html` →
    `hello`), so that the Hashnode URL follows the post's own address and a file renamed
    without changing its URL sends nothing new (the file name is not the post's identity).
    A segment without letters (`/posts/42/`) gives none: Hashnode then derives it from the
    title when the post is created, and an update leaves it as it is."""
    segments = [s for s in unquote(urlsplit(canonical_url).path).split("/") if s]
    if segments and re.fullmatch(r"index(\.\w+)?", segments[-1]):
        segments.pop()
    slug = hashnode_slug(re.sub(r"\.(html?|php|aspx?)$", "", segments[-1])) if segments else None
    return slug if slug and re.search("[a-z]", slug) else None


def _as_draft(fields: Mapping[str, Any]) -> dict[str, Any]:
    """PublishPostInput fields in CreateDraftInput/UpdateDraftInput form."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in _DRAFT_PLACES:
            group, name = _DRAFT_PLACES[key]
            out.setdefault(group, {})[name] = value
        else:
            out[key] = value
    return out


def _as_post(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `_as_draft`."""
    groups = {group for group, _ in _DRAFT_PLACES.values()}
    out = {k: v for k, v in fields.items() if k not in groups}
    for key, (group, name) in _DRAFT_PLACES.items():
        if name in (fields.get(group) or {}):
            out[key] = fields[group][name]
    return out


class _NotFound(GoneError):
    """`NOT_FOUND`: the post or draft is gone (or hidden from this token). Drafts are looked
    for as posts first (`_published_since`); a post not found was deleted on Hashnode."""


class Hashnode(BaseAdapter):
    name: ClassVar[str] = "hashnode"
    display_name: ClassVar[str] = "Hashnode"
    capabilities: ClassVar[Capabilities] = Capabilities(
        lookup=True,
        lists=True,
        max_tags=15,
        read_lag=25.0,
        limits={"create": "500/60s", "update": "500/60s"},
    )
    cache_fields: ClassVar[Mapping[str, type | tuple[type, ...]]] = {"publication_ids": dict}
    Settings: ClassVar[type[HashnodeSettings]] = HashnodeSettings
    fake: ClassVar[str | None] = "crosspost.adapters.hashnode.fake:FakeHashnode"
    # Personal access tokens are made under Account settings → Developer (gql-skill
    # auth-and-roles.md: a PAT is required for `me` and every mutation).
    credentials_page: ClassVar[str] = "https://hashnode.com/settings/developer"
    settings: HashnodeSettings

    async def whoami(self) -> Account:
        """`me { username }` (schema.graphql type MyUser); the profile is hashnode.com/@username."""
        data = await self._call(WHOAMI, None, op="read")
        username = str(data["me"]["username"])
        return Account(username, f"https://hashnode.com/@{username}")

    def render(self, doc: Document, *, draft: bool = False) -> Payload:
        if not doc.title.strip():
            raise ContentError("Hashnode needs a title", field="title")
        names: dict[str | None, str] = {}
        for tag in reversed(doc.tags):  # the first spelling of a tag names it
            names[self.tag_names.get(tag.casefold()) or hashnode_slug(tag)] = tag
        slugs, notices = self.map_tags(doc, hashnode_slug)
        fields: dict[str, Any] = {
            "title": doc.title,
            "contentMarkdown": doc.body,
            "originalArticleURL": doc.canonical_url,
            "tags": [{"slug": slug, "name": names.get(slug, slug)} for slug in slugs],
            "isDelisted": self.settings.delisted,
            "enableToc": self.settings.enable_toc,
        }
        subtitle = " ".join(doc.description.split())
        if len(subtitle) > MAX_SUBTITLE:
            subtitle = subtitle[: MAX_SUBTITLE - 1].rstrip() + "…"
            notices += (self.notice(doc, f"subtitle longer than {MAX_SUBTITLE} characters; cut"),)
        if subtitle:
            fields["subtitle"] = subtitle
        if doc.cover and doc.cover.url:
            fields["coverImage"] = doc.cover.url
        slug = _canonical_slug(doc.canonical_url)
        if slug:
            fields["slug"] = slug
        if self.settings.series_id:
            fields["seriesId"] = self.settings.series_id
        body = _as_draft(fields) if draft else fields
        size = max(_request_size(query, body) for query in _queries(draft))
        if size > MAX_REQUEST_BYTES:
            raise ContentError(
                f"the request would be {size / 1000:.0f} KB; Hashnode refuses requests over 100 KB",
                field="body",
                hint="shorten the post or split it into parts",
            )
        return Payload(self.name, body, draft=draft, notices=notices)

    async def create(self, payload: Payload, *, key: str) -> RemotePost:
        fields = {"publicationId": await self._publication_id(), **payload.body}
        if payload.draft:
            data = await self._call(CREATE_DRAFT, fields, op="create")
            return _remote(data["createDraft"]["draft"], draft=True)
        data = await self._call(PUBLISH_POST, fields, op="create")
        return _remote(data["publishPost"]["post"])

    async def update(self, remote: RemotePost, payload: Payload) -> RemotePost:
        if remote.draft and payload.draft:
            try:
                data = await self._call(UPDATE_DRAFT, {"draftId": remote.id, **payload.body})
            except _NotFound:  # published by hand on Hashnode since (or by a lost answer)
                return await self._published_since(remote.id, _as_post(payload.body))
            return _remote(data["updateDraft"]["draft"], draft=True)
        if remote.draft:
            return await self._publish_draft(remote.id, payload.body)
        # A published post cannot go back to being a draft: its content is updated in place.
        fields = _as_post(payload.body) if payload.draft else payload.body
        return await self._update_post(remote.id, fields)

    async def list_posts(self, *, since: datetime | None = None) -> AsyncGenerator[Listed, None]:
        """The publication's posts, then its drafts (no filter by canonical URL exists, so
        `find` scans this too and stops at the first match)."""
        async for node in self._nodes(FIND_POSTS, "posts"):
            yield Listed(_remote(node))
        async for node in self._nodes(FIND_DRAFTS, "drafts"):
            yield Listed(_remote(node, draft=True))

    async def lookup(self, remote: RemotePost) -> RemotePost | None:
        """The post or draft with `remote.id`, the recorded kind first; `mine` says whether it
        is in the configured publication. Ids are ObjectIds (24 hex digits): anything else is
        no copy of Hashnode's, and is never sent."""
        if not _OBJECT_ID.fullmatch(remote.id):
            return None
        kinds = (True, False) if remote.draft else (False, True)
        for draft in kinds:
            node = await (self._draft(remote.id) if draft else self._post(remote.id))
            if node is not None:
                pub = (node.get("publication") or {}).get("id")
                mine = pub is not None and str(pub) == await self._publication_id()
                return replace(_remote(node, draft=draft), mine=mine)
        return None

    async def _post(self, post_id: str) -> dict[str, Any] | None:
        node: dict[str, Any] | None = (await self._call(LOOKUP_POST, None, op="read", id=post_id))[
            "post"
        ]
        return node

    async def _draft(self, draft_id: str) -> dict[str, Any] | None:
        """`draft(id:)`: a draft that is gone, or not the token's, is `NOT_FOUND` (never
        FORBIDDEN, for privacy: gql-skill/queries.md)."""
        try:
            data = await self._call(LOOKUP_DRAFT, None, op="read", id=draft_id)
        except _NotFound:
            return None
        node: dict[str, Any] | None = data["draft"]
        return node

    # ----------------------------------------------------------------- steps

    async def _update_post(self, post_id: str, fields: Mapping[str, Any]) -> RemotePost:
        """Update the post in place. `UpdatePostInput.coverImage` only sets a URL: the schema
        has no way to remove a cover, so one the source dropped stays, and the update says so."""
        data = await self._call(UPDATE_POST, {"id": post_id, **fields})
        post = data["updatePost"]["post"]
        remote = _remote(post)
        if "coverImage" not in fields and (post.get("coverImage") or {}).get("url"):
            kept = (
                "the post has no cover any more, but Hashnode keeps its old one: its API cannot "
                "remove a cover; remove it in Hashnode's editor",
            )
            remote = replace(remote, notes=kept)
        return remote

    async def _publish_draft(self, draft_id: str, fields: Mapping[str, Any]) -> RemotePost:
        """Bring the draft up to date, then publish it: `publishDraft` goes last, so an
        interruption before it leaves a draft that the next run can still publish.

        Resending `publishDraft` cannot duplicate (the first one deletes the draft), so it is
        retried like an update; a draft that is gone was published by an earlier attempt whose
        answer was lost (or deleted by hand), and the post is looked up by its canonical URL.
        """
        try:
            await self._call(UPDATE_DRAFT, {"draftId": draft_id, **_as_draft(fields)})
            data = await self._call(PUBLISH_DRAFT, {"draftId": draft_id})
        except _NotFound:
            return await self._published_since(draft_id, fields)
        return _remote(data["publishDraft"]["post"])

    async def _published_since(self, draft_id: str, fields: Mapping[str, Any]) -> RemotePost:
        """The draft is gone: it became a post (published by hand on Hashnode, or by an earlier
        `publishDraft` whose answer was lost), found by canonical URL and updated with `fields`
        (post-shaped: it stays live), or it was deleted, which is a final error."""
        canonical = str(fields.get("originalArticleURL") or "")
        post = await self._find_after_write(canonical)
        if post is None:
            raise GoneError(
                f"draft {draft_id} no longer exists and no post has the canonical URL "
                f"{canonical}, also after {self.read_lag:g} s for Hashnode's "
                "reads to catch up: it was deleted on Hashnode",
                platform=self.name,
            )
        return await self._update_post(post.id, fields)

    async def _find_after_write(self, canonical: str) -> RemotePost | None:
        """The post with `canonical`, where a miss is believed only once Hashnode's lists have
        caught up (`read_lag`): a `publishDraft` that landed a moment ago, whose answer was
        lost, is not listed yet, and "gone" would be the wrong conclusion. Looked for again
        with backoff until then, so a post that shows up early ends the wait early."""
        policy = self.http.policy
        deadline = time.monotonic() + self.read_lag
        delay = policy.initial
        while (post := await self._find_post(canonical)) is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            await policy.sleep(min(delay, left))
            delay = min(delay * 2, policy.maximum)
        return post

    async def _publication_id(self) -> str:
        """The publication's id, looked up once per host and kept in the records' cache."""
        host = self.settings.host
        known: dict[str, str] = dict(self.cache.get("publication_ids") or {})
        if host in known:
            return known[host]
        data = await self._call(PUBLICATION_ID, None, op="read", host=host)
        if not data.get("publication"):
            raise ConfigError(
                f"Hashnode has no publication at {host}",
                field=f"platforms.{self.name}.publication",
                hint="use the blog's host as shown in the Hashnode dashboard",
            )
        known[host] = str(data["publication"]["id"])
        self.cache["publication_ids"] = known
        return known[host]

    async def _find_post(self, canonical: str) -> RemotePost | None:
        """The published post with `canonical` (drafts aside), through the one paging loop."""
        async for node in self._nodes(FIND_POSTS, "posts"):
            if same_url(node.get("canonicalUrl"), canonical):
                return _remote(node)
        return None

    async def _nodes(self, query: str, connection: str) -> AsyncIterator[Mapping[str, Any]]:
        """The nodes of one of the publication's connections, following `endCursor` within
        `list_pages`; a publication Hashnode does not know has none."""
        after: str | None = None
        for _ in list_pages(self.name):
            data = await self._call(query, None, op="read", host=self.settings.host, after=after)
            if not data.get("publication"):
                return
            page = data["publication"][connection]
            for edge in page["edges"]:
                yield edge["node"]
            cursor = page["pageInfo"].get("endCursor")
            if not page["pageInfo"]["hasNextPage"] or not cursor or cursor == after:
                return
            after = cursor

    async def _call(
        self, query: str, fields: Mapping[str, Any] | None, *, op: Op = "update", **variables: Any
    ) -> dict[str, Any]:
        """One GraphQL operation; `fields` is the mutation's `input`. Returns `data`."""
        if fields is not None:
            variables["input"] = dict(fields)
        response = await self.http.request(
            "POST", "", op=op, json={"query": query, "variables": variables}, check=self._check(op)
        )
        data: dict[str, Any] = response.json()["data"]
        return data

    def _check(self, op: Op) -> Callable[[httpx.Response], None]:
        """Hashnode's answers as errors: a moved endpoint, a page that is not JSON, GraphQL
        errors."""

        def check(response: httpx.Response) -> None:
            status = response.status_code
            if 300 <= status < 400:
                location = response.headers.get("location", "nowhere")
                raise self._not_the_api(f"redirected (HTTP {status}) to {location}", status)
            content_type = response.headers.get("content-type", "")
            if "json" not in content_type:
                self._check_not_json(status, content_type)
            elif status in (200, 400):
                self._check_graphql(response, op)

        return check

    def _check_not_json(self, status: int, content_type: str) -> None:
        """Hashnode answers JSON, so any other body came from something in front of it (a CDN
        page, a retired endpoint) and says nothing about the token or the post: an endpoint
        error, whatever its status. Except where the status alone tells what happened (413, 429,
        5xx): the client's generic handling, which keeps a 5xx on a create ambiguous."""
        if status in _STATUS_SAYS_ENOUGH or status >= 500:
            return
        kind = "an HTML page" if "html" in content_type else "something else"
        raise self._not_the_api(
            f"answered HTTP {status} with {kind} ({content_type or 'no content type'})", status
        )

    def _check_graphql(self, response: httpx.Response, op: Op) -> None:
        """GraphQL errors, which Hashnode sends at HTTP 200 (and 400 for refused requests)."""
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            return  # cut short: ambiguous for a create, retried otherwise, by the client
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            first = errors[0] if isinstance(errors[0], dict) else {}
            # Apollo answers 400 only for requests it refused before running them.
            unknown = "INTERNAL_SERVER_ERROR" if status == 200 else "BAD_REQUEST"
            code = str((first.get("extensions") or {}).get("code", unknown))
            raise self._error(code, error_message(response), op)
        if status == 200 and not isinstance(body.get("data"), dict):
            raise self._error("INTERNAL_SERVER_ERROR", "an answer without data", op)

    def _not_the_api(self, what: str, status: int) -> EndpointError:
        return EndpointError(
            f"{self.http.base_url} {what}: it is not the Hashnode GraphQL API",
            platform=self.name,
            status=status,
            hint=f"gql.hashnode.com was retired in 2026; set platforms.{self.name}.api_url "
            f'= "{LIVE_API}", and check any proxy between here and Hashnode',
        )

    def _error(self, code: str, message: str, op: Op) -> PlatformError:
        """Hashnode's error codes (errors-and-limits.md) as crosspost errors."""
        name = self.name
        if code == "UNAUTHENTICATED":
            return AuthError(
                f"the token was refused: {message}",
                platform=name,
                hint=token_hint(name, verb="check"),
            )
        if code == "FORBIDDEN" and "pro plan" in message.lower():
            return AuthError(
                f"the publication {self.settings.host} is not on Hashnode's Pro plan, which the "
                f"API needs for publishing: {message}",
                platform=name,
                hint="upgrade the publication to Pro in the Hashnode dashboard; retrying will "
                "not help",
            )
        if code == "FORBIDDEN":
            return AuthError(
                f"not allowed: {message}",
                platform=name,
                hint=f"the token's user needs to own or edit {self.settings.host}",
            )
        if code == "NOT_FOUND":
            return _NotFound(f"not found: {message}", platform=name)
        if code in _REFUSED:
            return RejectedError(f"refused ({code}): {message}", platform=name)
        if op == "create":
            return AmbiguousError(
                f"Hashnode failed ({code}): {message}; the post may or may not exist now",
                platform=name,
                hint="crosspost will look it up before doing anything else",
            )
        return ServerError(f"Hashnode failed ({code}): {message}", platform=name)


def _queries(draft: bool) -> tuple[str, ...]:
    return (CREATE_DRAFT, UPDATE_DRAFT) if draft else (PUBLISH_POST, UPDATE_POST)


def _request_size(query: str, body: Mapping[str, Any]) -> int:
    """Bytes on the wire, encoded as httpx encodes JSON, with a 24-character id added."""
    request = {"query": query, "variables": {"input": {"publicationId": "0" * 24, **body}}}
    return len(json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _remote(node: Mapping[str, Any], *, draft: bool = False) -> RemotePost:
    return RemotePost(
        id=str(node["id"]),
        url=None if draft else node.get("url"),
        draft=draft,
        canonical_url=node.get("canonicalUrl"),
    )
