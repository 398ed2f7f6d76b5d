"""Mastodon: a summary toot announcing the post, on any Mastodon server (REST, Bearer token).

Facts this adapter relies on (specs/NOTES.md §4; specs/mastodon/methods_statuses.md,
methods_media.md, methods_instance.md, entities_Instance.md, api_guidelines.md,
api_rate-limits.md; contract: specs/mastodon/schema.json): `POST /api/v1/statuses` takes an
`Idempotency-Key` the server remembers for one hour, so resending a create after an ambiguous
failure returns the same status; `PUT /api/v1/statuses/:id` edits text, spoiler, language and
media (the toot's media become exactly the `media_ids` sent: none sent, none kept) but never
visibility; the length limit and the fixed length of a URL come from `GET /api/v2/instance`;
`POST /api/v2/media` answers 202 with `url: null` while processing, then `GET /api/v1/media/:id`
answers 206 until it is done; own statuses are listed newest first, paginated by `Link` headers.
How the text is counted and composed is in `compose.py`.
"""

from __future__ import annotations

import logging
import re
import string
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import urljoin, urlsplit

from crosspost import summary
from crosspost.adapter import (
    Account,
    BaseAdapter,
    Cache,
    Capabilities,
    Listed,
    Payload,
    Settings,
    list_pages,
)
from crosspost.credentials import token_hint
from crosspost.document import Asset, Document, Notice, RemotePost
from crosspost.errors import AuthError, ConfigError, EndpointError, PlatformError, RejectedError
from crosspost.http import error_message
from crosspost.urls import same_url

from .compose import hashtag, status_fit

if TYPE_CHECKING:
    import httpx

    from .hrefs import Hrefs

__all__ = [
    "DEFAULT_TEMPLATE",
    "Mastodon",
    "MastodonSettings",
    "parse_link_header",
    "status_links",
    "summary_link",
]

log = logging.getLogger("crosspost")

DEFAULT_TEMPLATE = "{title}\n\n{description}\n\n{url}\n\n{hashtags}"
DEFAULT_MAX_CHARACTERS = 500
DEFAULT_URL_LENGTH = 23
_REFRESH_AFTER = 86400.0  # instance limits rarely change; look again after a day
# api/v1/accounts/statuses_controller.rb: limit_param(DEFAULT_STATUSES_LIMIT = 20) takes at most
# twice the default, 40 (specs/mastodon/methods_statuses.md: "Max 40 statuses").
_PAGE_SIZE = 40
_FIND_WINDOW = 200  # find looks at the 200 newest statuses at most: the announcement is recent
_MAX_LIST_PAGES = 1000  # 40,000 statuses: small pages, so more of them than list_pages' default
_MAX_POLL_INTERVAL = 5.0
_DESCRIPTION_LIMIT = 1500  # configuration.media_attachments.description_limit on mastodon.social
_LANGUAGE = re.compile(r"([A-Za-z]{2})(?:[-_][A-Za-z0-9-]*)?")
_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]*)*)")
_LINK_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.I)
_STATUS_ID = re.compile(r"[0-9]{1,20}")
_SCOPES = "read:accounts, read:statuses, write:statuses and write:media"

Visibility = Literal["public", "unlisted", "private", "direct"]


@dataclass(frozen=True)
class MastodonSettings(Settings):
    """[platforms.mastodon]: the server (`instance`), how the toot looks and who sees it.

    `max_characters` caps the length below the server's own limit (it never raises it: the
    server would refuse the toot); `upload_cover` attaches the post's local cover image.
    """

    instance: str = ""
    visibility: Visibility = "public"
    template: str = DEFAULT_TEMPLATE
    max_characters: int | None = None
    upload_cover: bool = False
    spoiler_text: str | None = None

    @property
    def base_url(self) -> str:
        if not self.instance:
            raise ConfigError(
                "no Mastodon server is set",
                field="platforms.mastodon.instance",
                hint='set instance = "https://your.server" (where your account lives)',
            )
        return self.instance


class Mastodon(BaseAdapter):
    name: ClassVar[str] = "mastodon"
    display_name: ClassVar[str] = "Mastodon"
    capabilities: ClassVar[Capabilities] = Capabilities(
        announces=True,
        drafts=False,
        update=True,
        find=True,
        lookup=True,
        lists=True,
        media=True,
        idempotency_window=3600,
        max_tags=None,
        # rack_attack.rb: 300 requests / 5 min per token, 30 uploads / 30 min; rate_limiter.rb:
        # 300 status creates and edits / 3 h per account ("write" also counts the uploads).
        limits={"*": "300/300s", "upload": "30/1800s", "write": "300/3h"},
    )
    cache_fields: ClassVar[Mapping[str, type | tuple[type, ...]]] = {
        "instance": str,
        "account_id": str,
        "max_characters": int,
        "characters_reserved_per_url": int,
        "limits_at": (int, float),
    }
    Settings: ClassVar[type[MastodonSettings]] = MastodonSettings
    fake: ClassVar[str | None] = "crosspost.adapters.mastodon.fake:FakeMastodon"
    # Preferences → Development → New application (mastodon config/routes/settings.rb:
    # `resources :applications` under the settings namespace).
    credentials_page: ClassVar[str] = "{origin}/settings/applications"
    settings: MastodonSettings

    async def whoami(self) -> Account:
        """`GET /api/v1/accounts/verify_credentials` (scope read:accounts): the token's
        CredentialAccount, whose `acct` is the handle and `url` the profile page."""
        response = await self.http.request(
            "GET",
            "/api/v1/accounts/verify_credentials",
            op="read",
            check=_token_check("read:accounts"),
        )
        account = response.json()
        self._facts()["account_id"] = str(account["id"])
        return Account(f"@{account['acct']}", account.get("url"))

    # ----------------------------------------------------------------- account facts

    def _facts(self) -> Cache:
        """The cache, emptied if it describes another server than the configured one."""
        if self.cache.get("instance") != self.settings.instance:
            self.cache.clear()
            self.cache["instance"] = self.settings.instance
        return self.cache

    async def prepare(self) -> None:
        """Learn the server's length limits (refreshed daily). The account id, which only `find`
        needs, is looked up there, so a plain create costs one request less."""
        facts = self._facts()
        if time.time() - float(facts.get("limits_at", 0)) > _REFRESH_AFTER:
            statuses = await self._instance_limits()
            for key in ("max_characters", "characters_reserved_per_url"):
                value = statuses.get(key)
                if isinstance(value, int) and value > 0:
                    facts[key] = value
            facts["limits_at"] = round(time.time())

    async def _instance_limits(self) -> dict[str, Any]:
        try:
            response = await self.http.request("GET", "/api/v2/instance", op="read")
        except RejectedError as exc:
            if exc.status != 404:
                raise
            log.info("mastodon: the server has no /api/v2/instance (before 4.0); using defaults")
            return {}
        statuses = (response.json().get("configuration") or {}).get("statuses") or {}
        return statuses if isinstance(statuses, dict) else {}

    async def _account_id(self) -> str:
        facts = self._facts()
        if "account_id" not in facts:
            response = await self.http.request(
                "GET",
                "/api/v1/accounts/verify_credentials",
                op="read",
                check=_token_check("read:accounts"),
            )
            facts["account_id"] = str(response.json()["id"])
        return str(facts["account_id"])

    def _limits(self) -> tuple[int, int]:
        facts = self.cache if self.cache.get("instance") == self.settings.instance else {}
        limit = int(facts.get("max_characters", DEFAULT_MAX_CHARACTERS))
        if self.settings.max_characters is not None:
            limit = min(limit, self.settings.max_characters)
        return limit, int(facts.get("characters_reserved_per_url", DEFAULT_URL_LENGTH))

    # ----------------------------------------------------------------- render

    def render(self, doc: Document, *, draft: bool = False) -> Payload:
        tags, notices = self.map_tags(doc, hashtag)
        limit, url_length = self._limits()
        spoiler = (self.settings.spoiler_text or "").strip()
        text, gave_way = summary.compose(
            self.settings.template,
            {
                "title": doc.title,
                "description": doc.description,
                "excerpt": doc.excerpt,
                "url": doc.canonical_url,
            },
            [t.lstrip("#") for t in tags],
            status_fit(limit, url_length=url_length, spoiler=spoiler),
        )
        if gave_way:
            notices += (
                self.notice(doc, f"shortened to fit {limit} characters: {', '.join(gave_way)}"),
            )
        body: dict[str, Any] = {"status": text, "visibility": self.settings.visibility}
        language = _language(doc.lang)
        if language:
            body["language"] = language
        if spoiler:
            body["spoiler_text"] = spoiler
        media, media_notices = self._media(doc)
        return Payload(self.name, body, notices=notices + media_notices, media=media)

    def _media(self, doc: Document) -> tuple[tuple[Asset, ...], tuple[Notice, ...]]:
        cover = doc.cover
        if not self.settings.upload_cover or cover is None:
            return (), ()
        if cover.path is None:
            message = "the cover is a remote image; crosspost uploads only local files, skipped"
            return (), (self.notice(doc, message, code="media"),)
        return (replace(cover, alt=cover.alt or doc.title),), ()

    # ----------------------------------------------------------------- write

    async def create(self, payload: Payload, *, key: str) -> RemotePost:
        body = dict(payload.body)
        media_ids = await self._upload_all(payload)
        if media_ids:
            body["media_ids"] = media_ids
        response = await self.http.request(
            "POST",
            "/api/v1/statuses",
            op="create",
            json=body,
            headers={"Idempotency-Key": key},
            check=_token_check("write:statuses"),
        )
        return _remote(response.json())

    async def _upload_all(self, payload: Payload) -> list[str]:
        """The payload's images uploaded, in order: their media ids for `media_ids`."""
        return [await self._upload(asset) for asset in payload.media]

    async def _upload(self, asset: Asset) -> str:
        """Upload one image; wait (with backoff, bounded) until the server has processed it."""
        name = asset.path.name if asset.path else "cover"
        response = await self.http.request(
            "POST",
            "/api/v2/media",
            op="upload",
            files={"file": (name, asset.read_bytes())},
            data={"description": asset.alt[:_DESCRIPTION_LIMIT]},
            check=_token_check("write:media"),
        )
        media = response.json()
        policy = self.http.policy
        waited, delay = 0.0, policy.initial
        while response.status_code != 200 or media.get("url") is None:
            if waited >= policy.deadline:
                raise PlatformError(
                    f"the cover image was still processing after {waited:.0f}s",
                    platform=self.name,
                    hint="run crosspost again later, or set upload_cover = false",
                )
            await policy.sleep(delay)
            waited += delay
            delay = min(delay * 2, _MAX_POLL_INTERVAL, policy.maximum)
            response = await self.http.request(
                "GET", f"/api/v1/media/{media['id']}", op="read", expect_json=False
            )
            if response.status_code == 200:
                media = response.json()
        return str(media["id"])

    async def update(self, remote: RemotePost, payload: Payload) -> RemotePost:
        """Edit text, spoiler, language and media; Mastodon cannot change a toot's visibility.

        An edit sets the toot's media to exactly its `media_ids` (none sent: every image is
        removed), and crosspost does not keep the ids of earlier uploads, so the cover is
        uploaded again with every edit: a changed cover replaces the old one, an unchanged one
        stays attached.
        """
        body: dict[str, Any] = {
            k: v for k, v in payload.body.items() if k in ("status", "language")
        }
        body["spoiler_text"] = payload.body.get("spoiler_text", "")
        body["media_ids"] = await self._upload_all(payload)
        response = await self.http.request(
            "PUT",
            f"/api/v1/statuses/{remote.id}",
            op="update",
            json=body,
            check=_token_check("write:statuses"),
        )
        status = response.json()
        wanted = payload.body.get("visibility")
        if wanted and status.get("visibility") not in (None, wanted):
            log.warning(
                "mastodon: status %s stays %s: Mastodon cannot change the visibility of a toot "
                "(wanted %s); delete and re-post it by hand if it matters",
                remote.id,
                status.get("visibility"),
                wanted,
            )
        return _remote(status)

    # ----------------------------------------------------------------- find

    async def find(self, doc: Document) -> RemotePost | None:
        """The newest own status that is the post's summary, among recent ones (bounded)."""
        async with aclosing(self.list_posts(since=doc.date)) as listing:
            seen = 0
            async for listed in listing:
                if self.is_copy_of(doc, listed):
                    return listed.post
                seen += 1
                if seen >= _FIND_WINDOW:
                    return None
        return None

    async def list_posts(self, *, since: datetime | None = None) -> AsyncGenerator[Listed, None]:
        """The account's own statuses, newest first (`max_id` paging through the `Link`
        header), each under the one URL it links to; it stops at statuses older than `since`
        (a day's grace), which cannot announce a post written later."""
        account = await self._account_id()
        url: str | None = f"/api/v1/accounts/{account}/statuses"
        params: dict[str, Any] | None = {
            "limit": _PAGE_SIZE,
            "exclude_replies": "true",
            "exclude_reblogs": "true",
        }
        for _ in list_pages(self.name, _MAX_LIST_PAGES):
            if url is None:
                return
            response = await self.http.request(
                "GET", url, op="read", params=params, check=_token_check("read:statuses")
            )
            statuses = response.json()
            for status in statuses:
                yield Listed(replace(_remote(status), canonical_url=summary_link(status)), status)
            if not statuses or _older_than(statuses[-1], since):
                return
            url, params = self._next_page(response), None

    def is_copy_of(self, doc: Document, listed: Listed) -> bool:
        return is_summary_of(dict(listed.item), doc, self.settings.template)

    async def lookup(self, remote: RemotePost) -> RemotePost | None:
        """`GET /api/v1/statuses/:id`: the toot with its link (`summary_link`) as the URL it
        carries, and whether it is the token's account's. A toot deleted, or one this token may
        not see, is a 404 "Record not found" (Mastodon's StatusesController `show` through
        `Status.find` and the visibility policy); ids are numbers (snowflakes)."""
        if not _STATUS_ID.fullmatch(remote.id):
            return None
        try:
            response = await self.http.request(
                "GET",
                f"/api/v1/statuses/{remote.id}",
                op="read",
                check=_token_check("read:statuses"),
            )
        except RejectedError as exc:
            if exc.status != 404:
                raise
            return None
        status = response.json()
        author = str((status.get("account") or {}).get("id"))
        return replace(
            _remote(status),
            canonical_url=summary_link(status),
            mine=author == await self._account_id(),
        )

    def _next_page(self, response: httpx.Response) -> str | None:
        """The `rel="next"` link, relative to the API; never another host (the token goes
        with every request)."""
        base = urlsplit(self.http.base_url)
        for target, rels in parse_link_header(response.headers.get("link", "")):
            if "next" in rels:
                link = urlsplit(urljoin(self.http.base_url, target))
                same_origin = (link.scheme, link.netloc.lower()) == (
                    base.scheme,
                    base.netloc.lower(),
                )
                if not same_origin or not link.path.startswith(base.path):
                    raise EndpointError(
                        f"the next page is on another server ({target}); not following it",
                        platform=self.name,
                    )
                path = link.path[len(base.path) - 1 :]
                return f"{path}?{link.query}" if link.query else path
        return None


def parse_link_header(value: str) -> list[tuple[str, set[str]]]:
    """RFC 8288 `Link` values as (target, relation types): `<url>; rel="next prev", <url>…`."""
    links: list[tuple[str, set[str]]] = []
    for match in _LINK.finditer(value):
        rels: set[str] = set()
        for rel in _LINK_REL.finditer(match.group(2)):
            rels.update((rel.group(1) or rel.group(2) or "").lower().split())
        links.append((match.group(1).strip(), rels))
    return links


def is_summary_of(status: dict[str, Any], doc: Document, template: str) -> bool:
    """Whether `status` is recognisably crosspost's summary of `doc`: its one link (hashtags
    and mentions aside) and its card are the canonical URL, and its text has the shape of
    `template` with the post's title and URL in their places and only hashtags for
    `{hashtags}`. A toot that merely mentions the URL (a reader's "loved this: …") is someone's
    own words, never adopted and then edited."""
    url = doc.canonical_url
    parser = _parsed(status)
    if not same_url(_one_link(parser, status), url):
        return False
    pattern = _template_pattern(template, doc.title, url)
    return pattern.fullmatch("".join(parser.text).strip()) is not None


def summary_link(status: dict[str, Any]) -> str | None:
    """The one URL a summary toot points at: its links (hashtags and mentions aside) and its
    preview card all name it; None when it has none, or several that differ. The rule that
    adoption (`is_summary_of`), the listing and a lookup by id (what the toot carries) share."""
    return _one_link(_parsed(status), status)


def _parsed(status: dict[str, Any]) -> Hrefs:
    from .hrefs import Hrefs  # html.parser: only when a status is read

    parser = Hrefs()
    parser.feed(str(status.get("content") or ""))
    parser.close()
    return parser


def _one_link(parser: Hrefs, status: dict[str, Any]) -> str | None:
    card = status.get("card")
    links = list(parser.plain_links)
    if isinstance(card, dict) and card.get("url"):
        links.append(str(card["url"]))
    return summary.link_of(links)


def _template_pattern(template: str, title: str, url: str) -> re.Pattern[str]:
    """`template` as a pattern: its own words as written (spaces as any spaces), `{url}` as
    `url`, `{title}` as the title (or a cut one, ending in "…"), `{hashtags}` as hashtags only,
    the other fields as any text (descriptions are cut to fit, fields may be empty)."""
    fields = {
        "url": re.escape(url),
        "title": rf"(?:{_spaced(title)}|[^\n]*{summary.ELLIPSIS})",
        "hashtags": r"(?:#\w+\s*)*",
    }
    pattern = ""
    for literal, field, _, _ in string.Formatter().parse(template):
        pattern += _spaced(literal) + r"\s*"
        if field is not None:
            pattern += fields.get(field, ".*?") + r"\s*"
    return re.compile(pattern, re.S)


def _spaced(text: str) -> str:
    return r"\s*".join(re.escape(word) for word in text.split())


def status_links(status: dict[str, Any]) -> list[str]:
    """Every link of a status: the `href`s of its HTML content, and its preview card's URL."""
    parser = _parsed(status)
    card = status.get("card")
    if isinstance(card, dict) and card.get("url"):
        parser.hrefs.append(str(card["url"]))
    return parser.hrefs


def _older_than(status: dict[str, Any], when: datetime | None) -> bool:
    """True when `status` predates the post: the toot cannot be further down the timeline."""
    if when is None or when.tzinfo is None:
        return False
    try:
        created = datetime.fromisoformat(str(status.get("created_at", "")).replace("Z", "+00:00"))
    except ValueError:
        return False
    return created.tzinfo is not None and created < when - timedelta(days=1)


def _language(lang: str | None) -> str | None:
    """ISO 639-1 from a locale (`en-US` → `en`); anything else is not sent."""
    match = _LANGUAGE.fullmatch(lang or "")
    return match.group(1).lower() if match else None


def _token_check(scope: str) -> Callable[[httpx.Response], None]:
    """Name the variable and the OAuth scope on a refused token (the generic hint cannot)."""

    def check(response: httpx.Response) -> None:
        if response.status_code in (401, 403):
            raise AuthError(
                f"the token was refused: {error_message(response)}",
                platform="mastodon",
                status=response.status_code,
                hint=f"{token_hint('mastodon', verb='check')}; crosspost "
                f"needs a token with the scopes {_SCOPES} (this request: {scope})",
            )

    return check


def _remote(status: dict[str, Any]) -> RemotePost:
    return RemotePost(id=str(status["id"]), url=status.get("url") or status.get("uri"))
