"""Bluesky: a summary post announcing the article, with a link card, never posted twice.

Built only on the public adapter contract (`crosspost.adapter`), as a third-party plugin would
be. Facts it relies on are in specs/NOTES.md "Bluesky" and cited where used; how the text, the
facets and the record key are made is in `text.py`, signing in and XRPC calls in `session.py`.

Never twice, by construction: every post is written with `com.atproto.repo.putRecord` at a record
key derived from the canonical URL alone (`text.rkey_for`, a valid TID) with `swapRecord: null`,
which the PDS treats as "create only if nothing is there": if a record exists at that key, the
write is refused with 400 `InvalidSwap` (or, for a byte-identical record, is a no-op returning
it), inside the repository's write transaction (pds api/com/atproto/repo/putRecord.ts,
actor-store/repo/transactor.ts `formatCommit`). So a create whose answer was lost, resent by
this run, the next one or another machine, lands on the same key and can never make a second
post; the copy already there is read back and adopted. (`createRecord` with an existing rkey
answers 500 instead, atproto#3718, which is why it is not used.)

Edits: none. The protocol can rewrite a record, but the Bluesky app shows the text it first
indexed (social-app#673) and deleting and re-posting loses replies, likes and reposts
(social-app#8781), so an announcement is write-once: a changed post is reported as unsupported.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from crosspost import summary
from crosspost.adapter import Account as Whoami
from crosspost.adapter import AdapterContext, BaseAdapter, Capabilities, Payload, Settings
from crosspost.document import Asset, Document, Notice, RemotePost, image_type
from crosspost.errors import AlreadyExistsError, ConfigError, PlatformError
from crosspost.http import validate_base_url
from crosspost.urls import same_url

from .session import APP_PASSWORDS, EXAMPLE_HANDLES, Account, Session, xrpc_error
from .text import MAX_GRAPHEMES, facets, hashtag, post_fit, rkey_for

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_TEMPLATE", "Bluesky", "BlueskySettings", "post_links"]

log = logging.getLogger("crosspost")

DEFAULT_TEMPLATE = "{title}\n\n{description}\n\n{url}\n\n{hashtags}"
POST = "app.bsky.feed.post"
THUMB_MAX_BYTES = 1_000_000  # app.bsky.embed.external#external.thumb maxSize
CARD_DESCRIPTION_GRAPHEMES = 300  # the official app's card shows about three lines
MAX_HIDDEN_TAGS = 8  # app.bsky.feed.post#tags: hashtags beyond those in the text
_PAGE_SIZE = 100  # listRecords' maximum
_MAX_PAGES = 5  # the lookup reads the 500 newest posts at most
_HANDLE = re.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
# An at:// URI of a post (the id crosspost records): DID and record key syntax from the atproto
# specs (did.md, record-key.md).
_POST_URI = re.compile(
    r"at://(?P<did>did:[a-z]+:[A-Za-z0-9._:%-]+)/"
    + re.escape(POST)
    + r"/(?P<rkey>[A-Za-z0-9._:~-]{1,512})"
)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class BlueskySettings(Settings):
    """[platforms.bluesky]: where to sign in, whose account, and how the post looks.

    `service` is the server to sign in at: Bluesky's entryway for accounts it hosts, or a
    self-hosted PDS (an account hosted elsewhere is found from its handle either way).
    `handle` may also come with the token (`handle:app-password`). `max_characters` lowers the
    300-grapheme limit; `card_thumb` puts the cover on the link card.
    """

    service: str = "https://bsky.social"
    handle: str = ""
    template: str = DEFAULT_TEMPLATE
    max_characters: int | None = None
    card_thumb: bool = True
    plc_directory: str = "https://plc.directory"

    @property
    def base_url(self) -> str:
        return self.service

    def validate(self) -> None:
        for key in ("service", "plc_directory"):  # where the API is first, as the core says
            validate_base_url("bluesky", getattr(self, key), field=f"platforms.bluesky.{key}")
        handle = self.handle.lstrip("@")
        if handle.casefold() in EXAMPLE_HANDLES:
            raise ConfigError(
                f"{self.handle!r} is a placeholder from the example, not your handle",
                field="platforms.bluesky.handle",
                hint="put your own handle there, or comment the line out to take it from the "
                "token (handle:app-password)",
            )
        if handle and not _HANDLE.match(handle):
            raise ConfigError(
                f"{self.handle!r} is not a Bluesky handle",
                field="platforms.bluesky.handle",
                hint="a handle is a domain name, such as alice.bsky.social",
            )
        if self.max_characters is not None and not 0 < self.max_characters <= MAX_GRAPHEMES:
            raise ConfigError(
                f"max_characters must be between 1 and {MAX_GRAPHEMES}",
                field="platforms.bluesky.max_characters",
            )


class Bluesky(BaseAdapter):
    name: ClassVar[str] = "bluesky"
    display_name: ClassVar[str] = "Bluesky"
    capabilities: ClassVar[Capabilities] = Capabilities(
        announces=True,
        drafts=False,
        update=False,
        find=True,
        lookup=True,
        media=True,
        max_tag_length=64,
        # pds rate-limits.ts: 5,000 write points an hour per account, putRecord costs 2;
        # 3,000 requests per 5 minutes per IP (docs/bsky-docs/rate-limits.md).
        limits={"*": "3000/300s", "create": "2500/3600s"},
    )
    Settings: ClassVar[type[BlueskySettings]] = BlueskySettings
    fake: ClassVar[str | None] = "crosspost.adapters.bluesky.fake:FakeBluesky"
    auth_header: ClassVar[str] = ""  # the token signs in (session.py); sessions are sent
    credentials_page: ClassVar[str] = APP_PASSWORDS  # app passwords are made in the app
    settings: BlueskySettings

    def __init__(self, settings: BlueskySettings, context: AdapterContext) -> None:
        super().__init__(settings, context)
        self.session = Session(
            self.http,
            handle=self.settings.handle.lstrip("@"),
            plc_directory=self.settings.plc_directory,
        )

    async def prepare(self) -> None:
        """Sign in now: a refused app password or an unknown account is reported before any
        post is attempted."""
        await self.session.sign_in()

    async def whoami(self) -> Whoami:
        """Sign in, then `app.bsky.actor.getProfile` of the signed-in DID with the access token
        (the PDS requires one and answers from the AppView: pds api/app/bsky/actor/getProfile.ts,
        `auth: ctx.authVerifier.access`, pipethrough): the handle as the network sees it now,
        which also shows that the session works for more than signing in."""
        account = await self.session.sign_in()
        response = await self.session.call(
            "GET", "app.bsky.actor.getProfile", op="read", params={"actor": account.did}
        )
        profile = response.json()
        handle = profile.get("handle") if isinstance(profile, dict) else None
        if not isinstance(handle, str) or not _HANDLE.match(handle):  # printed: only a handle
            handle = account.handle
        return Whoami(f"@{handle}", f"https://bsky.app/profile/{handle}")

    # ----------------------------------------------------------------- render

    def render(self, doc: Document, *, draft: bool = False) -> Payload:
        tags, notices = self.map_tags(doc, hashtag)
        fit = post_fit(self.settings.max_characters or MAX_GRAPHEMES)
        text, gave_way = summary.compose(
            self.settings.template,
            {
                "title": doc.title,
                "description": doc.description,
                "excerpt": doc.excerpt,
                "url": doc.canonical_url,
            },
            tags,
            fit,
        )
        if gave_way:
            notices += (
                self.notice(doc, f"shortened to fit {fit.limit} graphemes: {', '.join(gave_way)}"),
            )
        record: dict[str, Any] = {"$type": POST, "text": text}
        found = facets(text, tags)
        if found:
            record["facets"] = found
        shown = {f["features"][0].get("tag") for f in found}
        hidden = [tag for tag in tags if tag not in shown][:MAX_HIDDEN_TAGS]
        if hidden:  # searchable though left out of the text (post.json `tags`)
            record["tags"] = hidden
        language = doc.lang or ""
        if _LANGUAGE.match(language):
            record["langs"] = [language]
        record["embed"] = _card(doc)
        media, thumb_notices = self._thumb(doc)
        return Payload(self.name, record, notices=notices + thumb_notices, media=media)

    def _thumb(self, doc: Document) -> tuple[tuple[Asset, ...], tuple[Notice, ...]]:
        """The cover as the card's thumbnail, if Bluesky will take it; else a notice.

        The one local read of `render`: the file's size and first bytes (no network), so that
        `check` and `preview` say ahead of a run that the card will have no thumbnail; the
        payload's hash reads the whole file anyway."""
        cover = doc.cover
        if not self.settings.card_thumb or cover is None:
            return (), ()
        if cover.path is None:
            why = "the cover is a remote image; crosspost uploads only local files"
            return (), (self.notice(doc, f"{why}; the link card has no thumbnail", "media"),)
        try:
            size = cover.path.stat().st_size
            with cover.path.open("rb") as handle:
                kind = image_type(handle.read(16))
        except OSError as exc:
            why = f"the cover cannot be read ({exc.strerror})"
            return (), (self.notice(doc, f"{why}; the link card has no thumbnail", "media"),)
        if kind is None:
            why = "the cover is not a JPEG, PNG, GIF, WebP or AVIF image"
            return (), (self.notice(doc, f"{why}; the link card has no thumbnail", "media"),)
        if size > THUMB_MAX_BYTES:
            why = f"the cover is {size:,} bytes; a card thumbnail holds {THUMB_MAX_BYTES:,}"
            return (), (self.notice(doc, f"{why}; the link card has no thumbnail", "media"),)
        return (cover,), ()

    # ----------------------------------------------------------------- write

    async def create(self, payload: Payload, *, key: str) -> RemotePost:
        """putRecord at the URL's own record key, only if nothing is there (`swapRecord: null`).

        `key` is not needed: the record key is the idempotency key, and it is the same for every
        attempt because only the canonical URL decides it.
        """
        account = await self.session.sign_in()
        url = _canonical(payload.body)
        rkey = rkey_for(url)
        record = dict(payload.body)
        record["createdAt"] = (
            datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
        if payload.media:
            thumb = await self._upload(payload.media[0])
            record["embed"] = {
                **record["embed"],
                "external": {**record["embed"]["external"], "thumb": thumb},
            }

        def lost_swap(response: httpx.Response) -> None:
            if response.status_code == 400 and xrpc_error(response)[0] == "InvalidSwap":
                raise _Taken

        try:
            response = await self.session.call(
                "POST",
                "com.atproto.repo.putRecord",
                op="create",
                json={
                    "repo": account.did,
                    "collection": POST,
                    "rkey": rkey,
                    "record": record,
                    "swapRecord": None,
                },
                check=lost_swap,
            )
        except _Taken:
            pass
        else:
            return _remote(account, str(response.json()["uri"]))
        found = await self._at_key(account, url)
        if found is None:
            raise AlreadyExistsError(
                f"another record holds this post's key ({rkey}) and does not link {url}",
                platform=self.name,
                status=400,
            )
        log.info("bluesky: the post was already there (an earlier attempt landed); adopted")
        return found

    async def _upload(self, asset: Asset) -> dict[str, Any]:
        """uploadBlob: the raw bytes, the image type as Content-Type; the blob ref to embed."""
        data = asset.read_bytes()
        response = await self.session.call(
            "POST",
            "com.atproto.repo.uploadBlob",
            op="upload",
            content=data,
            headers={"Content-Type": image_type(data[:16]) or "application/octet-stream"},
        )
        blob = response.json().get("blob")
        if not isinstance(blob, dict):
            raise PlatformError("uploadBlob answered without a blob", platform=self.name)
        return blob

    async def update(self, remote: RemotePost, payload: Payload) -> RemotePost:
        """Never called (`capabilities.update` is False): see the module's note on edits."""
        raise PlatformError(
            "Bluesky posts are not edited: the app keeps showing the first text",
            platform=self.name,
        )

    # ----------------------------------------------------------------- find

    async def find(self, doc: Document) -> RemotePost | None:
        """The post at the URL's own record key, else the newest own post linking the URL
        (by its card or a link facet) among the 500 newest: one made by hand, or by a tool
        that chose its own key."""
        account = await self.session.sign_in()
        found = await self._at_key(account, doc.canonical_url)
        if found is not None:
            return found
        cursor: str | None = None
        for _ in range(_MAX_PAGES):
            params: dict[str, Any] = {"repo": account.did, "collection": POST, "limit": _PAGE_SIZE}
            if cursor:
                params["cursor"] = cursor
            response = await self.session.public("com.atproto.repo.listRecords", params)
            page = response.json()
            records = page.get("records") or []
            for item in records:
                value = item.get("value")
                if isinstance(value, dict) and _links_to(value, doc.canonical_url):
                    return _remote(account, str(item["uri"]))
            cursor = page.get("cursor")
            if not records or not cursor:
                return None
        return None

    async def lookup(self, remote: RemotePost) -> RemotePost | None:
        """`com.atproto.repo.getRecord` at the recorded at:// URI's record key, in the signed-in
        account's repository: the post with the URL its card and link facets carry
        (`summary.link_of`), so a post that still links a moved article's old URL is alive, not
        gone. None only when the PDS answers 400 `RecordNotFound` (pds
        api/com/atproto/repo/getRecord.ts), or for an id that is not a post of this account's
        (a record key is unique within one repository and collection only)."""
        account = await self.session.sign_in()
        match = _POST_URI.fullmatch(remote.id)
        if match is None or match["did"] != account.did:
            return None
        answer = await self._record(account, match["rkey"])
        if answer is None:
            return None
        value = answer.get("value")
        links = post_links(value) if isinstance(value, dict) else []
        return replace(
            _remote(account, str(answer.get("uri") or remote.id)),
            canonical_url=summary.link_of(links),
            mine=True,
        )

    async def _at_key(self, account: Account, url: str) -> RemotePost | None:
        """The record at `url`'s own key, if there is one and it links `url`."""
        answer = await self._record(account, rkey_for(url))
        if answer is None:
            return None
        value = answer.get("value")
        if isinstance(value, dict) and _links_to(value, url):
            return _remote(account, str(answer["uri"]))
        return None

    async def _record(self, account: Account, rkey: str) -> dict[str, Any] | None:
        """getRecord of this account's post at `rkey`; None on 400 `RecordNotFound`."""

        def absent(response: httpx.Response) -> None:
            if response.status_code == 400 and xrpc_error(response)[0] == "RecordNotFound":
                raise _NotFound

        try:
            response = await self.session.public(
                "com.atproto.repo.getRecord",
                {"repo": account.did, "collection": POST, "rkey": rkey},
                check=absent,
            )
        except _NotFound:
            return None
        answer = response.json()
        if not isinstance(answer, dict):
            raise PlatformError("getRecord answered without a record", platform=self.name)
        return answer


class _NotFound(Exception):
    """getRecord: no record at that key."""


class _Taken(Exception):
    """putRecord with swapRecord null: a record is already at that key (400 InvalidSwap)."""


def _card(doc: Document) -> dict[str, Any]:
    """app.bsky.embed.external: the link card (URL, title, description). Nothing in the network
    builds it: the posting client does (docs/bsky-docs/posts.md "Website card embeds")."""
    description = summary.shorten(
        doc.description or doc.excerpt,
        lambda text: summary.grapheme_length(text) <= CARD_DESCRIPTION_GRAPHEMES,
    )
    return {
        "$type": "app.bsky.embed.external",
        "external": {"uri": doc.canonical_url, "title": doc.title, "description": description},
    }


def _canonical(body: Any) -> str:
    try:
        return str(body["embed"]["external"]["uri"])
    except (KeyError, TypeError):
        raise PlatformError(
            "the payload has no link card to take the canonical URL from", platform="bluesky"
        ) from None


def post_links(value: dict[str, Any]) -> list[str]:
    """Every link of a post record: its card's URL and its link facets' URIs."""
    links: list[str] = []
    embed = value.get("embed")
    if isinstance(embed, dict):
        external = embed.get("external")
        if isinstance(external, dict) and isinstance(external.get("uri"), str):
            links.append(external["uri"])
    for facet in value.get("facets") or []:
        for feature in (facet or {}).get("features") or []:
            if isinstance(feature, dict) and feature.get("$type") == (
                "app.bsky.richtext.facet#link"
            ):
                links.append(str(feature.get("uri")))
    return links


def _links_to(value: dict[str, Any], url: str) -> bool:
    return any(same_url(link, url) for link in post_links(value))


def _remote(account: Account, uri: str) -> RemotePost:
    """at://did/app.bsky.feed.post/rkey as the id, the bsky.app page as the URL."""
    rkey = uri.rsplit("/", 1)[-1]
    return RemotePost(id=uri, url=f"https://bsky.app/profile/{account.did}/post/{rkey}")
