"""A fake Hashnode that executes the published gql-beta schema, for tests and the sandbox.

Modelled on specs/hashnode/schema.graphql and gql-skill/*.md (NOTES.md §2). The schema shipped
beside this module (a verbatim copy) is built with graphql-core and every request is parsed,
validated (plus the depth limit of 10) and executed against it, so a query the real API would
reject fails here too, with a GraphQL error at HTTP 200 in Hashnode's shape
(`errors[].extensions.code`). Resolvers keep state: one user and one publication per token,
posts, drafts, tags (unknown slugs are created), 24-hex ObjectIds, `url` = https://<host>/<slug>,
`canonicalUrl` = originalArticleURL. A PAT (`Bearer ` optional, any case) is needed for `me`,
drafts and every mutation (`UNAUTHENTICATED`); a publication that is not on Pro answers every
write and the `publication` read with `FORBIDDEN` and the documented message. Requests over
100 KB get 413; `first` is clamped to 100 (drafts 50); post and draft lists lag writes by
`stale_seconds` (the ~25 s edge cache). `retired=True` answers like gql.hashnode.com since 2026:
301 to an HTML announcement. Rate limits are published but not enforced, so none are here.

It stays one module because a fake is one calibrated model of one platform: its resolvers share the
same state and the same error shapes, and a split would make the calibration harder to compare with
its sources.
"""

from __future__ import annotations

import base64
import functools
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    build_schema,
    parse,
    validate,
)
from graphql.execution import execute_sync

from crosspost.fake import FakePlatform, FakeRequest, FakeResponse, FaultKind, Route
from crosspost.urls import same_url

__all__ = ["PRO_REQUIRED", "FakeHashnode"]

SCHEMA_FILE = Path(__file__).with_name("schema.graphql")
PRO_REQUIRED = (
    "Publication does not have an active Pro plan. Upgrade in your dashboard to access this via "
    "the API."
)
RETIRED_PAGE = "https://hashnode.com/changelog/2026-05-13-graphql-api-paid-access"
MAX_BODY = 100 * 1024
MAX_DEPTH = 10
MAX_TAGS = 15
MAX_CO_AUTHORS = 4

# Draft inputs keep these post fields nested (CreateDraftInput/UpdateDraftInput).
_DRAFT_NESTED = {
    ("coverImageOptions", "coverImageURL"): "coverImage",
    ("settings", "delist"): "isDelisted",
    ("settings", "enableTableOfContent"): "enableToc",
    ("metaTags", "title"): "metaTitle",
    ("metaTags", "description"): "metaDescription",
    ("metaTags", "image"): "ogImage",
}


def _object_id() -> str:
    return f"{int(time.time()):08x}{secrets.token_hex(8)}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:250] or "post"


def _fail(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def _parse_object_id(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-fA-F]{24}", value):
        raise GraphQLError(f"ObjectId cannot represent value: {value!r}")
    return value


def _parse_object_id_literal(node: Any, _variables: Any = None) -> str:
    if not isinstance(node, StringValueNode):
        raise GraphQLError("ObjectId cannot represent a non-string value")
    return _parse_object_id(node.value)


@functools.cache
def hashnode_schema() -> GraphQLSchema:
    """The packaged SDL, with ObjectId checked as the server checks it (24 hex digits)."""
    schema = build_schema(SCHEMA_FILE.read_text("utf-8"))
    object_id = schema.type_map["ObjectId"]
    # graphql-core 3.2 coerces variables through parse_value, 3.3 through coerce_input_value.
    for attribute in ("parse_value", "coerce_input_value"):
        setattr(object_id, attribute, _parse_object_id)
    setattr(object_id, "parse_literal", _parse_object_id_literal)  # noqa: B010 - same style
    return schema


def _depth(selections: SelectionSetNode | None, fragments: Mapping[str, Any]) -> int:
    if selections is None:
        return 0
    deepest = 0
    for node in selections.selections:
        if isinstance(node, FieldNode):
            depth = 1 + _depth(node.selection_set, fragments)
        elif isinstance(node, InlineFragmentNode):
            depth = _depth(node.selection_set, fragments)
        elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments:
            depth = _depth(fragments[node.name.value].selection_set, fragments)
        else:
            depth = 0
        deepest = max(deepest, depth)
    return deepest


def _too_deep(document: DocumentNode) -> list[GraphQLError]:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return [
        GraphQLError(f"Query depth exceeds the maximum of {MAX_DEPTH}", [op])
        for op in document.definitions
        if isinstance(op, OperationDefinitionNode)
        and _depth(op.selection_set, fragments) > MAX_DEPTH
    ]


class FakeHashnode(FakePlatform):
    """State for tests to inspect: `posts` and `drafts` (dicts in PublishPostInput field names
    plus id, publicationId, timestamps), `publications`, `tags`."""

    name: ClassVar[str] = "hashnode"
    create_route: ClassVar[Route | None] = Route("POST", operation="publishPost")
    # GraphQL reports failures as `errors` in an HTTP 200 answer, which the client must not
    # take for success.
    platform_faults: ClassVar[Mapping[FaultKind, Mapping[str, Any]]] = {"graphql-error": {}}

    def __init__(
        self,
        *,
        tokens: tuple[str, ...] = ("sandbox-token",),
        latency: float = 0.0,
        time_scale: float = 1.0,
        host: str = "sandbox.hashnode.dev",
        pro: bool = True,
        stale_seconds: float = 25.0,
        retired: bool = False,
        username: str = "sandbox",
    ) -> None:
        super().__init__(tokens=tokens, latency=latency, time_scale=time_scale)
        self.host = host
        self.stale = stale_seconds * time_scale
        self.retired = retired
        self.users: dict[str, dict[str, Any]] = {}  # by token
        self.publications: dict[str, dict[str, Any]] = {}
        for n, token in enumerate(tokens):
            user = {"id": _object_id(), "username": username if n == 0 else f"{username}{n}"}
            self.users[token] = user
            pub_host = host if n == 0 else f"{user['username']}.hashnode.dev"
            pub: dict[str, Any] = {
                "id": _object_id(),
                "host": pub_host,
                "pro": pro,
                "owner": user["id"],
            }
            self.publications[pub["id"]] = pub
        self.posts: dict[str, dict[str, Any]] = {}
        self.drafts: dict[str, dict[str, Any]] = {}
        self.series: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, dict[str, Any]] = {}

    def settings(self) -> dict[str, Any]:
        return {"api_url": f"{self.url}/", "publication": self.host}

    def error(self, status: int, message: str) -> FakeResponse:
        code = "INTERNAL_SERVER_ERROR" if status >= 500 else "BAD_REQUEST"
        return FakeResponse.json(
            status, {"errors": [{"message": message, "extensions": {"code": code}}]}
        )

    def too_many(self, retry_after: float) -> FakeResponse:
        response = self.error(429, "Too many requests")
        response.headers["Retry-After"] = self.retry_after_header(retry_after)
        return response

    def graphql_error(self, code: str) -> FakeResponse:
        message = {
            "FORBIDDEN": PRO_REQUIRED,
            "UNAUTHENTICATED": "Invalid or missing access token",
            "NOT_FOUND": "Not found",
            "BAD_USER_INPUT": "Invalid input",
        }.get(code, "Internal server error")
        return FakeResponse.json(
            200, {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
        )

    # ----------------------------------------------------------------- for tests

    @property
    def publication(self) -> dict[str, Any]:
        """The first token's publication (the one `settings()` points at)."""
        return next(p for p in self.publications.values() if p["host"] == self.host)

    def add_series(self, name: str) -> str:
        with self.lock:
            series_id = _object_id()
            self.series[series_id] = {
                "id": series_id,
                "name": name,
                "slug": _slugify(name),
                "publicationId": self.publication["id"],
            }
        return series_id

    def seed(self, posts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Posts already in the first token's publication (written in Hashnode's editor or by
        another tool), from PublishPostInput fields (`title`, `originalArticleURL`, a unique
        `slug`…), without a request each. Listed exactly as published ones (newest first), and
        at once: they were made before the edge cache's `stale` seconds."""
        with self.lock:
            pub = self.publication
            made = [self.new_post(dict(fields), pub, pub["owner"]) for fields in posts]
            for post in made:
                post["created"] -= self.stale
            return made

    def by_canonical(self, url: str) -> list[dict[str, Any]]:
        """Posts (published) with this canonical URL."""
        with self.lock:
            return [p for p in self.posts.values() if same_url(p.get("originalArticleURL"), url)]

    def copies(self, url: str) -> list[dict[str, Any]]:
        return self.by_canonical(url) + self.live_drafts(url)

    def live_drafts(self, url: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                d
                for d in self.drafts.values()
                if d["deleted"] is None and same_url(d.get("originalArticleURL"), url)
            ]

    def operations(self) -> list[str]:
        """The operation name of every request, in order (`PublishPost`, `FindPosts`...)."""
        names = []
        for request in self.requests:
            match = re.match(r"\s*(?:query|mutation)\s+(\w+)", _query_of(request))
            names.append(match.group(1) if match else "")
        return names

    # ----------------------------------------------------------------- HTTP

    def handle(self, request: FakeRequest) -> FakeResponse:
        if self.retired:
            return FakeResponse(
                301,
                b"<html><body><h1>Moved</h1><p>The Hashnode API has moved.</p></body></html>",
                {"Location": RETIRED_PAGE, "Content-Type": "text/html; charset=utf-8"},
            )
        if request.path != "/" or request.method != "POST":
            return self.error(404, f"Cannot {request.method} {request.path}")
        if len(request.body) > MAX_BODY:
            return FakeResponse.html(
                413, "<pre>PayloadTooLargeError: request entity too large</pre>"
            )
        try:
            data = request.json()
        except ValueError:
            return self.error(
                400, "POST body missing, invalid Content-Type, or JSON object has no keys."
            )
        if not isinstance(data, dict) or not isinstance(data.get("query"), str):
            return self.error(400, "GraphQL operations must contain a non-empty `query`.")
        token = request.bearer()
        user = self.users.get(token or "") if token in self.tokens else None
        answer = self._execute(data, user)
        # Apollo answers 400, without `data`, for a request it refused before running it
        # (parse, validation, variable coercion): apollographql/apollo-server#7465.
        return FakeResponse.json(200 if "data" in answer else 400, answer)

    def _execute(self, data: Mapping[str, Any], user: dict[str, Any] | None) -> dict[str, Any]:
        schema = hashnode_schema()
        try:
            document = parse(data["query"])
        except GraphQLError as exc:
            return {"errors": [_formatted(exc, "GRAPHQL_PARSE_FAILED")]}
        problems = validate(schema, document) or _too_deep(document)
        if problems:
            return {"errors": [_formatted(e, "GRAPHQL_VALIDATION_FAILED") for e in problems]}
        with self.lock:
            result = execute_sync(
                schema,
                document,
                root_value=_Root(self, user),
                variable_values=data.get("variables") or {},
                operation_name=data.get("operationName"),
            )
        if result.data is None and result.errors and not any(e.path for e in result.errors):
            return {"errors": [_formatted(e, "BAD_USER_INPUT") for e in result.errors]}
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [
                _formatted(e, "INTERNAL_SERVER_ERROR" if e.path else "BAD_USER_INPUT")
                for e in result.errors
            ]
        return answer

    # ----------------------------------------------------------------- views

    def visible(self, item: Mapping[str, Any]) -> bool:
        """In list reads: created at least `stale` ago and not deleted longer than that."""
        now = time.monotonic()
        deleted = item.get("deleted")
        return item["created"] + self.stale <= now and (
            deleted is None or now < deleted + self.stale
        )

    def user_view(self, user_id: str) -> dict[str, Any]:
        token = next(t for t, u in self.users.items() if u["id"] == user_id)
        user = self.users[token]
        return {
            **user,
            "name": user["username"].title(),
            "email": f"{user['username']}@example.com",
            "followersCount": 0,
            "followingsCount": 0,
            "badges": [],
            "posts": lambda info, first, after=None: self.connection(
                [p for p in self._newest(self.posts) if p["author"] == user_id and self.visible(p)],
                self.post_view,
                first,
                after,
            ),
            "publications": lambda info, first, after=None: self.connection(
                [p for p in self.publications.values() if p["owner"] == user_id],
                self.publication_view,
                first,
                after,
            ),
        }

    def publication_view(self, pub: Mapping[str, Any]) -> dict[str, Any]:
        def drafts(info: Any, first: int, after: str | None = None) -> dict[str, Any]:
            viewer = info.root_value.viewer
            if viewer is None:
                raise _fail("UNAUTHENTICATED", "You must be logged in to read drafts")
            mine = [
                d
                for d in self._newest(self.drafts)
                if d["publicationId"] == pub["id"]
                and d["author"] == viewer["id"]
                and self.visible(d)
            ]
            return self.connection(mine, self.draft_view, first, after, cap=50)

        def posts(info: Any, first: int, after: str | None = None, filter: Any = None) -> Any:
            wanted = set((filter or {}).get("tagSlugs") or [])
            items = [
                p
                for p in self._newest(self.posts)
                if p["publicationId"] == pub["id"]
                and self.visible(p)
                and (not wanted or wanted & {t["slug"] for t in p["tags"]})
            ]
            return self.connection(items, self.post_view, first, after)

        return {
            "id": pub["id"],
            "title": f"{pub['host']} blog",
            "url": f"https://{pub['host']}",
            "author": self.user_view(pub["owner"]),
            "isTeam": False,
            "isHeadless": False,
            "isGitHubBackupEnabled": False,
            "isGithubAsSourceConnected": False,
            "allowContributorEdits": False,
            "totalRecommendedPublications": 0,
            "recommendedPublications": [],
            "redirectionRules": [],
            "customRules": [],
            "widgets": [],
            "features": {
                name: {"isEnabled": name == "proTeam" and pub["pro"]}
                for name in (
                    "proTeam",
                    "newsletter",
                    "viewCount",
                    "readTime",
                    "textSelectionSharer",
                    "gptBotCrawling",
                    "headlessCMS",
                )
            },
            "domainInfo": {"hashnodeSubdomain": pub["host"].split(".")[0]},
            "posts": posts,
            "drafts": drafts,
            "allDrafts": drafts,
            "post": lambda info, slug: next(
                (
                    self.post_view(p)
                    for p in self.posts.values()
                    if p["publicationId"] == pub["id"] and p["slug"] == slug
                ),
                None,
            ),
        }

    def post_view(self, post: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **self._content_view(post),
            "url": post["url"],
            "publishedAt": post["publishedAt"],
            "reactionCount": 0,
            "responseCount": 0,
            "replyCount": 0,
            "views": 0,
            "featured": False,
            "hasLatexInPost": False,
            "comments": lambda info, first, after=None: self.connection([], None, first, after),
            "preferences": {
                "pinnedToBlog": False,
                "stickCoverToBottom": False,
                "disableComments": bool(post.get("disableComments")),
                "isDelisted": bool(post.get("isDelisted")),
            },
        }

    def draft_view(self, draft: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **self._content_view(draft),
            "scheduledDate": None,
            "isSubmittedForReview": False,
            "settings": {
                "enableTableOfContents": bool(draft.get("enableToc")),
                "disableComments": bool(draft.get("disableComments")),
                "stickCoverToBottom": False,
                "isDelisted": bool(draft.get("isDelisted")),
            },
        }

    def _content_view(self, item: Mapping[str, Any]) -> dict[str, Any]:
        markdown = item.get("contentMarkdown") or ""
        text = re.sub(r"[#*_`>\[\]()!-]", "", markdown).strip()
        series = self.series.get(item.get("seriesId") or "")
        return {
            "id": item["id"],
            "title": item.get("title"),
            "subtitle": item.get("subtitle"),
            "slug": item.get("slug"),
            "content": {"markdown": markdown, "html": f"<p>{markdown}</p>", "text": text},
            "brief": text[:150],
            "coverImage": {"url": item["coverImage"]} if item.get("coverImage") else None,
            "author": self.user_view(item["author"]),
            "coAuthors": [],
            "publication": lambda info: self.publication_view(
                self.publications[item["publicationId"]]
            ),
            "tags": [{**t, "followersCount": 0, "postsCount": 0} for t in item.get("tags") or []],
            "readTimeInMinutes": max(1, len(markdown.split()) // 200),
            "updatedAt": item.get("updatedAt") or item.get("publishedAt") or _now(),
            "canonicalUrl": item.get("originalArticleURL"),
            "series": {**series, "author": self.user_view(item["author"])} if series else None,
            "seo": {"title": item.get("metaTitle"), "description": item.get("metaDescription")},
            "ogMetaData": {"image": item.get("ogImage")},
            "features": {
                "tableOfContents": {"isEnabled": bool(item.get("enableToc")), "items": []}
            },
        }

    def connection(
        self,
        items: Sequence[Mapping[str, Any]],
        view: Callable[[Mapping[str, Any]], Any] | None,
        first: int,
        after: str | None,
        *,
        cap: int = 100,
    ) -> dict[str, Any]:
        """A cursor connection; `first` above `cap` is clamped silently, as Hashnode does."""
        start = 0
        if after is not None:
            try:
                start = int(base64.b64decode(after).decode().removeprefix("cursor:")) + 1
            except ValueError:
                raise _fail("BAD_USER_INPUT", f"Invalid cursor: {after}") from None
        window = items[start : start + max(0, min(first, cap))]
        cursors = [
            base64.b64encode(f"cursor:{start + n}".encode()).decode() for n in range(len(window))
        ]
        return {
            "edges": [
                {"node": view(item) if view else item, "cursor": c}
                for item, c in zip(window, cursors, strict=True)
            ],
            "pageInfo": {
                "hasNextPage": start + len(window) < len(items),
                "endCursor": cursors[-1] if cursors else None,
            },
            "totalDocuments": len(items),
        }

    @staticmethod
    def _newest(items: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items.values(), key=lambda i: i["created"], reverse=True)

    # ----------------------------------------------------------------- writes

    def writable(self, user: dict[str, Any] | None, publication_id: str) -> dict[str, Any]:
        """The publication, if `user` may write to it: auth first, then membership, then Pro."""
        if user is None:
            raise _fail("UNAUTHENTICATED", "Invalid or missing access token")
        pub = self.publications.get(publication_id)
        if pub is None or pub["owner"] != user["id"]:
            raise _fail("NOT_FOUND", "Publication not found")
        if not pub["pro"]:
            raise _fail("FORBIDDEN", PRO_REQUIRED)
        return pub

    def content(self, fields: Mapping[str, Any], pub: Mapping[str, Any]) -> dict[str, Any]:
        """Validated post fields from an input (tags resolved, unknown ones created)."""
        out = {k: v for k, v in fields.items() if k not in ("id", "draftId", "publicationId")}
        if "title" in out and not str(out["title"] or "").strip():
            raise _fail("BAD_USER_INPUT", "Title cannot be empty")
        if len(out.get("coAuthors") or []) > MAX_CO_AUTHORS:
            raise _fail("BAD_USER_INPUT", f"A post can have at most {MAX_CO_AUTHORS} co-authors")
        series = out.get("seriesId")
        if series and self.series.get(series, {}).get("publicationId") != pub["id"]:
            raise _fail("BAD_USER_INPUT", "Series not found in this publication")
        if "tags" in out:
            out["tags"] = self._tags(out["tags"] or [])
        return out

    def _tags(self, given: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        given = list(given)
        if len(given) > MAX_TAGS:
            raise _fail("BAD_USER_INPUT", f"A post can have at most {MAX_TAGS} tags")
        tags = []
        for tag in given:
            slug = str(tag["slug"]).strip()
            if not slug:
                raise _fail("BAD_USER_INPUT", "Tag slug cannot be empty")
            known = self.tags.setdefault(
                slug, {"id": _object_id(), "slug": slug, "name": tag.get("name") or slug}
            )
            tags.append(dict(known))
        return tags

    def new_post(
        self, fields: Mapping[str, Any], pub: Mapping[str, Any], author: str
    ) -> dict[str, Any]:
        if not str(fields.get("title") or "").strip():
            raise _fail("BAD_USER_INPUT", "Title cannot be empty")
        slug = _slugify(str(fields.get("slug") or fields["title"]))
        if any(p["slug"] == slug and p["publicationId"] == pub["id"] for p in self.posts.values()):
            slug = f"{slug}-{secrets.token_hex(3)}"
        post = {
            "tags": [],
            **fields,
            "id": _object_id(),
            "slug": slug,
            "publicationId": pub["id"],
            "author": author,
            "url": f"https://{pub['host']}/{slug}",
            "publishedAt": fields.get("publishedAt") or _now(),
            "updatedAt": None,
            "created": time.monotonic(),
            "deleted": None,
        }
        self.posts[post["id"]] = post
        return post


def _flatten_draft(fields: Mapping[str, Any]) -> dict[str, Any]:
    """CreateDraftInput/UpdateDraftInput fields in PublishPostInput names."""
    out = {k: v for k, v in fields.items() if k not in {g for g, _ in _DRAFT_NESTED}}
    for (group, name), key in _DRAFT_NESTED.items():
        if name in (fields.get(group) or {}):
            out[key] = fields[group][name]
    return out


class _Root:
    """Query and Mutation resolvers: graphql-core calls `root.<field>(info, **args)`."""

    def __init__(self, fake: FakeHashnode, viewer: dict[str, Any] | None) -> None:
        self.fake = fake
        self.viewer = viewer  # the token's user; not `user`, which is a Query field

    def __getattr__(self, field: str) -> Callable[..., Any]:
        def missing(info: Any, **args: Any) -> Any:
            raise _fail("INTERNAL_SERVER_ERROR", f"the fake does not implement {field}")

        return missing

    # ----------------------------------------------------------------- queries

    def me(self, info: Any) -> dict[str, Any]:
        if self.viewer is None:
            raise _fail("UNAUTHENTICATED", "Invalid or missing access token")
        return self.fake.user_view(self.viewer["id"])

    def publication(self, info: Any, id: str | None = None, host: str | None = None) -> Any:
        pub = next(
            (
                p
                for p in self.fake.publications.values()
                if (id and p["id"] == id) or (host and p["host"] == host.lower())
            ),
            None,
        )
        if pub is None:
            return None
        if not pub["pro"]:
            raise _fail("FORBIDDEN", PRO_REQUIRED)
        return self.fake.publication_view(pub)

    def post(self, info: Any, id: str) -> Any:
        post = self.fake.posts.get(id)
        return self.fake.post_view(post) if post else None

    def user(self, info: Any, username: str) -> Any:
        found = next((u for u in self.fake.users.values() if u["username"] == username), None)
        return self.fake.user_view(found["id"]) if found else None

    def draft(self, info: Any, id: str) -> Any:
        draft = self._draft(id)
        return self.fake.draft_view(draft)

    # ----------------------------------------------------------------- mutations

    def publishPost(self, info: Any, input: dict[str, Any]) -> Any:
        pub = self.fake.writable(self.viewer, input["publicationId"])
        assert self.viewer is not None
        post = self.fake.new_post(self.fake.content(input, pub), pub, self.viewer["id"])
        return {"post": self.fake.post_view(post)}

    def updatePost(self, info: Any, input: dict[str, Any]) -> Any:
        if self.viewer is None:
            raise _fail("UNAUTHENTICATED", "Invalid or missing access token")
        post = self.fake.posts.get(input["id"])
        if post is None or post["author"] != self.viewer["id"]:
            raise _fail("NOT_FOUND", "Post not found")
        pub = self.fake.writable(self.viewer, post["publicationId"])
        post.update(self.fake.content(input, pub), updatedAt=_now())
        return {"post": self.fake.post_view(post)}

    def createDraft(self, info: Any, input: dict[str, Any]) -> Any:
        pub = self.fake.writable(self.viewer, input["publicationId"])
        assert self.viewer is not None
        draft = {
            "tags": [],
            **self.fake.content(_flatten_draft(input), pub),
            "id": _object_id(),
            "publicationId": pub["id"],
            "author": self.viewer["id"],
            "updatedAt": _now(),
            "created": time.monotonic(),
            "deleted": None,
        }
        self.fake.drafts[draft["id"]] = draft
        return {"draft": self.fake.draft_view(draft)}

    def updateDraft(self, info: Any, input: dict[str, Any]) -> Any:
        draft = self._draft(input["draftId"])
        pub = self.fake.publications[draft["publicationId"]]
        draft.update(self.fake.content(_flatten_draft(input), pub), updatedAt=_now())
        return {"draft": self.fake.draft_view(draft)}

    def publishDraft(self, info: Any, input: dict[str, Any]) -> Any:
        draft = self._draft(input["draftId"])
        fields = {
            k: v
            for k, v in draft.items()
            if k not in ("id", "publicationId", "author", "updatedAt", "created", "deleted")
        }
        pub = self.fake.publications[draft["publicationId"]]
        post = self.fake.new_post(fields, pub, draft["author"])
        draft["deleted"] = time.monotonic()
        return {"post": self.fake.post_view(post)}

    def deleteDraft(self, info: Any, input: dict[str, Any]) -> Any:
        draft = self._draft(input["draftId"])
        draft["deleted"] = time.monotonic()
        return {"draft": self.fake.draft_view(draft)}

    def _draft(self, draft_id: str) -> dict[str, Any]:
        """A live draft of this token's user: auth, then NOT_FOUND (never FORBIDDEN, for
        privacy), then the Pro check on its publication."""
        if self.viewer is None:
            raise _fail("UNAUTHENTICATED", "Invalid or missing access token")
        draft = self.fake.drafts.get(draft_id)
        if draft is None or draft["deleted"] is not None or draft["author"] != self.viewer["id"]:
            raise _fail("NOT_FOUND", "Draft not found")
        self.fake.writable(self.viewer, draft["publicationId"])
        return draft


def _formatted(error: GraphQLError, default_code: str) -> dict[str, Any]:
    out: dict[str, Any] = dict(error.formatted)
    extensions = dict(out.get("extensions") or {})
    extensions.setdefault("code", default_code)
    out["extensions"] = extensions
    return out


def _query_of(request: FakeRequest) -> str:
    try:
        data = request.json()
    except ValueError:
        return ""
    query = data.get("query") if isinstance(data, dict) else None
    return query if isinstance(query, str) else ""
