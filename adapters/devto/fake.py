"""A fake Forem (dev.to) that answers like the real one, for tests and `crosspost sandbox`.

Modelled on specs/forem/api_v1.json and api_v0.yml (NOTES.md §1): `api-key` auth with Forem's
401 body, the v1 `Accept` header, `{"article": {...}}` bodies, 422 errors in Forem's words (tags
over 4 or not alphanumeric, missing title), front matter in `body_markdown` overriding the JSON
fields, rate limits of 10 creates and 30 updates per 30 s answered with 429, Forem's body and
`Retry-After`, `/articles/me/all` paginated with unpublished articles first, and single-article
answers (create, update, show) without the `published` field that only lists carry.

Calibrated on Forem's source (forem/forem, issue 14; docs/platforms/facts.md):
- `tags` is permitted only as an array (articles_controller.rb strong parameters `tags: []`): a
  string is an unpermitted parameter, dropped without an error, so the article gets no tags.
- `series` leaves the series only on an explicit `null` (services/articles/attributes.rb); an
  omitted `series` keeps it.
- Rack::Attack (config/initializers/rack_attack.rb) throttles about 1 write and 3 reads per
  second per user and answers 429 `text/plain` "Retry later" with `Retry-After: 1`.
- app/models/article.rb: the canonical URL is unique site-wide, whichever account holds it
  ("Canonical url has already been taken"); the same title and body twice by one user is
  "Body markdown has already been taken"; an unpublished article's slug ends in
  `-temp-slug-<n>` and gets its real slug (and URL) when published.
Each token is one account: `/articles/me/*` lists only that account's articles.
- app/controllers/concerns/api/articles_controller.rb: `show` (`GET /articles/{id}`) finds only
  published articles (`Article.published...find`), so a draft is a 404 there, whoever asks;
  `update` finds the article among the key's user's own (`@user.articles.find`), so updating
  another user's article is a 404 and changes nothing.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import yaml

from crosspost.fake import FakePlatform, FakeRequest, FakeResponse, FixedWindow, Route
from crosspost.urls import same_url

__all__ = ["FakeDevTo"]

V1_ACCEPT = "application/vnd.forem.api-v1+json"
_ALNUM = re.compile(r"^\w+$")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "article"


def _slug(title: str, published: bool) -> str:
    """article.rb: an unpublished article is `<title>-temp-slug-<n>` until it is published."""
    if published:
        return f"{_slugify(title)}-{secrets.token_hex(2)}"
    return f"{_slugify(title)}-temp-slug-{secrets.randbelow(10**7)}"


class FakeDevTo(FakePlatform):
    """State: `articles` (dicts in Forem's Article shape), for tests to inspect."""

    name: ClassVar[str] = "devto"
    create_route: ClassVar[Route | None] = Route("POST", path=r"/api/articles$")

    def __init__(
        self,
        *,
        tokens: tuple[str, ...] = ("sandbox-token",),
        latency: float = 0.0,
        time_scale: float = 1.0,
        create_limit: tuple[int, float] = (10, 30.0),
        update_limit: tuple[int, float] = (30, 30.0),
        write_limit: tuple[int, float] = (1, 1.0),
        read_limit: tuple[int, float] = (3, 1.0),
        refuse_duplicate_canonical: bool = True,
        username: str = "sandbox",
    ) -> None:
        super().__init__(tokens=tokens, latency=latency, time_scale=time_scale)
        self.creates = FixedWindow(create_limit[0], create_limit[1] * time_scale)
        self.updates = FixedWindow(update_limit[0], update_limit[1] * time_scale)
        # rack_attack.rb: per-user throttles on every write and every read, besides the above.
        self.writes = FixedWindow(write_limit[0], write_limit[1] * time_scale)
        self.reads = FixedWindow(read_limit[0], read_limit[1] * time_scale)
        self.refuse_duplicate_canonical = refuse_duplicate_canonical
        self.username = username
        self._first_token = tokens[0] if tokens else ""
        self.articles: list[dict[str, Any]] = []
        self._ids = itertools.count(1001)
        self.rate_limited = 0

    def settings(self) -> dict[str, Any]:
        return {"api_url": f"{self.url}/api"}

    def authorized(self, request: FakeRequest) -> bool:
        return request.header("api-key") in self.tokens

    def owner(self, request: FakeRequest) -> str:
        """The account a key belongs to: the first token is `username`, any other a stranger."""
        key = request.header("api-key") or ""
        if key == self._first_token:
            return self.username
        return "user" + hashlib.sha256(key.encode()).hexdigest()[:8]  # never the key itself

    def throttled(self, retry_after: float) -> FakeResponse:
        """Rack::Attack's default throttled answer, as dev.to sends it (NOTES.md Gotchas)."""
        headers = {
            "Content-Type": "text/plain",
            "Retry-After": self.retry_after_header(retry_after),
        }
        return FakeResponse(429, b"Retry later\n", headers)

    def error(self, status: int, message: str) -> FakeResponse:
        return FakeResponse.json(status, {"error": message, "status": status})

    def too_many(self, retry_after: float) -> FakeResponse:
        seconds = max(1, math.ceil(retry_after))
        return FakeResponse.json(
            429,
            {"error": f"Rate limit reached, try again in {seconds} seconds", "status": 429},
            {"Retry-After": self.retry_after_header(retry_after)},
        )

    # ----------------------------------------------------------------- routing

    def handle(self, request: FakeRequest) -> FakeResponse:
        path = request.path
        if not path.startswith("/api/"):
            return self.error(404, "not found")
        if not self.authorized(request):
            return self.error(401, "unauthorized")
        if V1_ACCEPT not in (request.header("accept") or ""):
            # Without it Forem serves the deprecated v0 API; the fake insists on v1.
            return self.error(400, f"this fake only serves API v1: send Accept: {V1_ACCEPT}")
        route = path[len("/api") :]
        throttle = self.reads if request.method == "GET" else self.writes
        with self.lock:
            wait = throttle.hit(request.header("api-key") or "")
        if wait is not None:
            self.rate_limited += 1
            return self.throttled(wait)
        if request.method == "POST" and route == "/articles":
            return self._create(request)
        m = re.fullmatch(r"/articles/(\d+)", route)
        if m and request.method == "PUT":
            return self._update(request, int(m.group(1)))
        if m and request.method == "GET":
            article = self._get(int(m.group(1)))
            return (
                FakeResponse.json(200, self._show(article))
                if article and article["published"]
                else self.error(404, "not found")
            )
        m = re.fullmatch(r"/articles/me(?:/(all|published|unpublished))?", route)
        if m and request.method == "GET":
            return self._list(request, m.group(1) or "published")
        if route == "/users/me" and request.method == "GET":
            return FakeResponse.json(200, self._me())
        return self.error(404, "not found")

    def _me(self) -> dict[str, Any]:
        """The key's user, in the User schema's shape (specs/forem/api_v1.json
        components.schemas.User, served by GET /api/users/me)."""
        return {
            "type_of": "user",
            "id": 4242,
            "username": self.username,
            "name": "Sandbox",
            "summary": None,
            "twitter_username": "",
            "github_username": "",
            "website_url": None,
            "location": None,
            "joined_at": "Jan 1, 2024",
            "profile_image": "https://media.dev.to/sandbox.png",
        }

    # ----------------------------------------------------------------- articles

    def _fields(self, request: FakeRequest) -> dict[str, Any] | FakeResponse:
        try:
            data = request.json()
        except ValueError:
            return self.error(400, "invalid JSON")
        article = data.get("article") if isinstance(data, dict) else None
        if not isinstance(article, dict) or not article:
            return self.error(422, "param is missing or the value is empty: article")
        fields = dict(article)
        body = fields.get("body_markdown") or ""
        front = re.match(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", body, re.S)
        if front:  # Forem: front matter in the body wins over the JSON fields
            try:
                meta = yaml.safe_load(front.group(1)) or {}
            except yaml.YAMLError:
                meta = {}
            if isinstance(meta, dict):
                for key in ("title", "published", "tags", "series", "canonical_url", "description"):
                    if key in meta:
                        fields[key] = meta[key]
                if "cover_image" in meta:
                    fields["main_image"] = meta["cover_image"]
        return fields

    def _tags(self, raw: Any) -> list[str] | FakeResponse:
        if not isinstance(raw, list):
            return []  # strong parameters `tags: []`: anything but an array is dropped
        tags = [str(t).strip() for t in raw if str(t).strip()]
        if len(tags) > 4:
            return self.error(422, "Tag list exceed the maximum of 4 tags")
        for tag in tags:
            if not _ALNUM.match(tag) or "_" in tag:
                return self.error(
                    422, f'Tag "{tag}" contains non-alphanumeric or prohibited unicode characters'
                )
        return [t.lower() for t in tags]

    def _create(self, request: FakeRequest) -> FakeResponse:
        fields = self._fields(request)
        if isinstance(fields, FakeResponse):
            return fields
        key = request.header("api-key") or ""
        with self.lock:
            wait = self.creates.hit(key)
            if wait is not None:
                self.rate_limited += 1
                return self.too_many(wait)
            if not str(fields.get("title") or "").strip():
                return self.error(422, "Title can't be blank")
            if len(str(fields["title"])) > 128:
                return self.error(422, "Title is too long (maximum is 128 characters)")
            tags = self._tags(fields.get("tags"))
            if isinstance(tags, FakeResponse):
                return tags
            if self._canonical_taken(fields.get("canonical_url")):
                return self.error(422, "Canonical url has already been taken")
            owner = self.owner(request)
            if self._body_taken(fields, owner):
                return self.error(422, "Body markdown has already been taken")
            article = self._new_article(fields, tags, owner)
            self.articles.append(article)
        return FakeResponse.json(201, self._show(article), {"Location": article["url"]})

    def _body_taken(self, fields: dict[str, Any], owner: str) -> bool:
        """article.rb validates `body_markdown` unique per user and title. Lock held."""
        return any(
            a["user"]["username"] == owner
            and a["title"] == str(fields.get("title"))
            and a["body_markdown"] == str(fields.get("body_markdown") or "")
            for a in self.articles
        )

    def _canonical_taken(self, canonical: Any, *, besides: int | None = None) -> bool:
        """Forem's refusal of a canonical URL any article on the site has, whichever account
        wrote it (when the fake is told to refuse; self-hosted Forems may not). Lock held."""
        return (
            bool(canonical)
            and self.refuse_duplicate_canonical
            and any(
                same_url(a["canonical_url"], canonical) for a in self.articles if a["id"] != besides
            )
        )

    def _new_article(self, fields: dict[str, Any], tags: list[str], owner: str) -> dict[str, Any]:
        article_id = next(self._ids)
        published = bool(fields.get("published", False))
        slug = _slug(str(fields["title"]), published)
        url = f"https://dev.to/{owner}/{slug}"
        now = _now()
        return {
            "type_of": "article",
            "id": article_id,
            "title": str(fields["title"]),
            "description": str(fields.get("description") or ""),
            "body_markdown": str(fields.get("body_markdown") or ""),
            "cover_image": fields.get("main_image"),
            "social_image": fields.get("main_image") or "https://dev.to/social.png",
            "readable_publish_date": datetime.now(UTC).strftime("%b %d"),
            "published": published,
            "published_at": now if published else None,
            "published_timestamp": now if published else "",
            "created_at": now,
            "edited_at": None,
            "crossposted_at": None,
            "last_comment_at": now,
            "slug": slug,
            "path": f"/{owner}/{slug}",
            "url": url,
            "canonical_url": fields.get("canonical_url") or url,
            "series": fields.get("series"),
            "tags": tags,
            "tag_list": ", ".join(tags),
            "comments_count": 0,
            "positive_reactions_count": 0,
            "public_reactions_count": 0,
            "page_views_count": 0,
            "reading_time_minutes": 1,
            "user": {"name": "Sandbox", "username": owner},
        }

    def _update(self, request: FakeRequest, article_id: int) -> FakeResponse:
        fields = self._fields(request)
        if isinstance(fields, FakeResponse):
            return fields
        key = request.header("api-key") or ""
        with self.lock:
            wait = self.updates.hit(key)
            if wait is not None:
                self.rate_limited += 1
                return self.too_many(wait)
            article = self._get(article_id)
            if article is None or article["user"]["username"] != self.owner(request):
                return self.error(404, "not found")
            # Forem rebuilds the tag list from the request: a PUT without tags wipes them.
            tags = self._tags(fields.get("tags"))
            if isinstance(tags, FakeResponse):
                return tags
            if self._canonical_taken(fields.get("canonical_url"), besides=article_id):
                return self.error(422, "Canonical url has already been taken")
            for key_in, key_out in (
                ("title", "title"),
                ("body_markdown", "body_markdown"),
                ("description", "description"),
                ("main_image", "cover_image"),
                ("series", "series"),
                ("canonical_url", "canonical_url"),
            ):
                if key_in in fields:
                    article[key_out] = fields[key_in]
            article["tags"], article["tag_list"] = tags, ", ".join(tags)
            if "published" in fields:
                was = article["published"]
                article["published"] = bool(fields["published"])
                if article["published"] and not was:
                    article["published_at"] = article["published_timestamp"] = _now()
                    if "-temp-slug-" in article["slug"]:  # the real slug comes with publishing
                        self._reslug(article)
            article["edited_at"] = _now()
        return FakeResponse.json(200, self._show(article))

    @staticmethod
    def _reslug(article: dict[str, Any]) -> None:
        owner = article["user"]["username"]
        article["slug"] = _slug(article["title"], True)
        article["path"] = f"/{owner}/{article['slug']}"
        article["url"] = f"https://dev.to{article['path']}"
        if "-temp-slug-" in article["canonical_url"]:
            article["canonical_url"] = article["url"]

    def _get(self, article_id: int) -> dict[str, Any] | None:
        return next((a for a in self.articles if a["id"] == article_id), None)

    def _list(self, request: FakeRequest, which: str) -> FakeResponse:
        try:
            page = int(request.query.get("page", ["1"])[0])
            per_page = int(request.query.get("per_page", ["30"])[0])
        except ValueError:
            return self.error(400, "page and per_page must be integers")
        per_page = max(1, min(per_page, 1000))
        owner = self.owner(request)
        with self.lock:
            mine = [a for a in self.articles if a["user"]["username"] == owner]
            drafts = [a for a in reversed(mine) if not a["published"]]
            live = sorted(
                (a for a in mine if a["published"]),
                key=lambda a: a["published_at"] or "",
                reverse=True,
            )
            chosen = {"all": drafts + live, "published": live, "unpublished": drafts}[which]
            window = chosen[(page - 1) * per_page : page * per_page]
            items = [self._index(a) for a in window]
        return FakeResponse.json(200, items)

    @staticmethod
    def _show(article: dict[str, Any]) -> dict[str, Any]:
        """The single-article shape of create, update and show: Forem's `show` view has no
        `published` (only lists do); `published_timestamp` is "" while unpublished."""
        shown = {k: v for k, v in article.items() if k != "published"}
        if not article["published"]:
            shown["published_timestamp"] = ""
        return shown

    @staticmethod
    def _index(article: dict[str, Any]) -> dict[str, Any]:
        """The ArticleIndex shape: in lists `tag_list` is an array and `tags` a string."""
        item = {k: v for k, v in article.items() if k != "series"}
        item["tag_list"], item["tags"] = article["tags"], article["tag_list"]
        return item

    # ----------------------------------------------------------------- for tests

    def seed(self, articles: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Articles already on the account (written by hand or by another tool), from the
        fields a create takes (`title`, `canonical_url`, `published`…), without a request or a
        rate limit each: a benchmark holds 10,000 of them cheaply. Lists page through them
        exactly as through created ones."""
        with self.lock:
            made = [
                self._new_article(dict(fields), list(fields.get("tags") or []), self.username)
                for fields in articles
            ]
            self.articles.extend(made)
        return made

    def by_canonical(self, url: str) -> list[dict[str, Any]]:
        with self.lock:
            return [a for a in self.articles if same_url(a["canonical_url"], url)]

    copies = by_canonical
