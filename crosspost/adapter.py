"""The adapter contract and the registry that finds adapters through entry points
(docs/architecture.md §6).

An adapter is one small class per platform. It declares what the platform can do and its limits
as data (`Capabilities`), turns a `Document` into the exact request body (`render`, pure), and
speaks the platform's API for `create`, `update` and `find` (and, optionally, `list_posts`: the
account's posts in one pass, the inventory). Everything else (credentials,
retries, pacing, records, ordering, reconciliation) is the core's job, so no adapter repeats it.

Writing one (see examples/plugin/ for a complete package)::

    from dataclasses import dataclass
    from typing import ClassVar
    from crosspost.adapter import ApiSettings, BaseAdapter, Capabilities, Payload
    from crosspost.document import Document, RemotePost

    @dataclass(frozen=True)
    class HookSettings(ApiSettings):
        api_url: str = "https://hooks.example.com"

    class Hook(BaseAdapter):
        name: ClassVar[str] = "hook"
        display_name: ClassVar[str] = "Webhook"
        capabilities: ClassVar[Capabilities] = Capabilities(update=False, find=False)
        Settings: ClassVar[type[HookSettings]] = HookSettings

        def render(self, doc: Document, *, draft: bool = False) -> Payload:
            return Payload(self.name, {"title": doc.title, "url": doc.canonical_url})

        async def create(self, payload: Payload, *, key: str) -> RemotePost:
            answer = await self.http.request("POST", "/posts", op="create", json=payload.body)
            return RemotePost(id=str(answer.json()["id"]))

        async def update(self, remote: RemotePost, payload: Payload) -> RemotePost:
            raise NotImplementedError  # never called: capabilities.update is False

        async def find(self, doc: Document) -> RemotePost | None:
            return None  # never called: capabilities.find is False

and register it in your package's `pyproject.toml`::

    [project.entry-points."crosspost.adapters"]
    hook = "my_package:Hook"
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping, MutableMapping
from contextlib import aclosing
from dataclasses import dataclass, field, is_dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from .document import Asset, Document, Notice, RemotePost
from .entrypoints import entry_points
from .errors import PlatformError
from .urls import same_url

if TYPE_CHECKING:
    from .http import PlatformClient

__all__ = [
    "MAX_LIST_PAGES",
    "Account",
    "Adapter",
    "AdapterClass",
    "AdapterContext",
    "ApiSettings",
    "BaseAdapter",
    "Cache",
    "Capabilities",
    "Listed",
    "Listing",
    "Payload",
    "Registry",
    "RemotePost",
    "Settings",
    "load_adapters",
    "third_party_plugins",
]

log = logging.getLogger("crosspost")

Cache = MutableMapping[str, Any]
"""Per-platform values kept between runs (user id, publication id), saved in the records."""


MAX_LIST_PAGES = 200
"""How many pages of an account's posts a listing (`list_posts`, and `find`, which scans it) reads
at most, unless the adapter gives its own bound. A platform, or anyone answering in its name, that
always says "there is another page" must not keep a run going for ever."""


def list_pages(platform: str, limit: int = MAX_LIST_PAGES) -> Iterator[int]:
    """Page numbers of a listing (0, 1, …); past `limit` it raises `PlatformError`, never ends
    quietly: "not found" would make the caller create the post a second time. Every adapter
    pages through this one rule; a platform with small pages may allow more of them."""
    yield from range(limit)
    raise PlatformError(
        f"looked through {limit} pages of the account's posts without reaching the end",
        platform=platform,
        hint="the platform kept answering with another page; try again later",
    )


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform can do, declared as data so the core decides before calling.

    `update`: posts can be changed in place (else a changed post is reported UNSUPPORTED).
    `drafts`: the platform keeps drafts (else `--draft` holds the post). `find`: the account's
    posts can be searched by canonical URL (else an unknown outcome needs a human or `--force`).
    `media`: the adapter uploads `Payload.media` itself; informational. `lookup`: one copy can
    be read by its id (`Adapter.lookup`), so the core confirms a recorded id still holds this
    post before updating it, and a refresh tells a copy deleted from one whose URL changed.
    `lists`: `list_posts` gives all of the account's posts in one pass, so a run that looks many
    posts up reads the list once (an inventory) instead of paging through it for each post.

    `read_lag`: seconds a read may miss a write that just succeeded (edge caches); reconcile
    waits this long after a create before trusting "not found". `idempotency_window`: seconds
    the server remembers an idempotency key; within it, resending a create with the same key is
    safe. `announces`: the platform posts a summary that points at the article platforms'
    copies, so the publisher runs it after them. `limits`: default pacing, e.g.
    `{"create": "10/30s"}` (`"*"` counts every request), overridable in the config.
    `max_tag_length`: longer tags are dropped (with a notice) before `max_tags` is applied, for
    platforms that ignore or refuse them.
    """

    update: bool = True
    drafts: bool = True
    find: bool = True
    lookup: bool = False
    lists: bool = False
    media: bool = False
    announces: bool = False
    idempotency_window: float = 0.0
    read_lag: float = 0.0
    max_tags: int | None = None
    max_tag_length: int | None = None
    limits: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """Base of every adapter's settings dataclass: the keys of its [platforms.NAME] table.

    Subclasses add fields with defaults; `crosspost.tables.build_settings` validates the user's
    table against them. `base_url` is where the platform's API lives.
    """

    @property
    def base_url(self) -> str:
        raise NotImplementedError

    def validate(self) -> None:
        """Raise `ConfigError` (with `field`) for a value that can never work, such as a missing
        required key. Called when the config is loaded, so `check` and `--dry-run` report it
        with its file and line instead of the first real publish; the default asks `base_url`."""
        _ = self.base_url


@dataclass(frozen=True)
class ApiSettings(Settings):
    """Settings of a platform reached at one configurable API URL."""

    api_url: str = ""

    @property
    def base_url(self) -> str:
        return self.api_url


@dataclass(frozen=True)
class Payload:
    """Exactly what a platform will receive, token-free, plus what was trimmed on the way.

    `body` is JSON-able and is what `crosspost preview --to P` prints; `hash` identifies it, so an
    unchanged post costs no request; `media` lists local or remote images uploaded first.
    """

    platform: str
    body: Mapping[str, Any]
    draft: bool = False
    notices: tuple[Notice, ...] = ()
    media: tuple[Asset, ...] = ()

    @property
    def hash(self) -> str:
        blob = json.dumps(
            {
                "body": self.body,
                "draft": self.draft,
                "media": [[a.url, _content_digest(a), a.alt] for a in self.media],
            },
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        ).encode("utf-8")
        # 128 bits, as the config fingerprints: ample to tell one post's payloads apart, and
        # half the size in a records file of tens of thousands of entries (docs/records.md)
        return "sha256:" + hashlib.sha256(blob).hexdigest()[:32]


def _content_digest(asset: Asset) -> str | None:
    """What a local file holds, not where: the same cover hashes alike in every checkout."""
    if asset.path is None:
        return None
    try:
        return hashlib.sha256(asset.read_bytes()).hexdigest()
    except OSError:
        return f"unreadable:{asset.path.name}"


@dataclass(frozen=True)
class AdapterContext:
    """What the core hands an adapter: a ready HTTP client, its cache and the user's tag names.

    `tags` maps a site tag (case-folded) to this platform's name for it, from the [tags] table;
    tags not in it go through the adapter's automatic rule. `read_lag` is how long the
    platform's lists may trail its writes: `read_lag` from the config, else the capability.
    """

    http: PlatformClient
    cache: Cache = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    read_lag: float = 0.0


@dataclass(frozen=True, slots=True)
class Account:
    """Who a token belongs to, as the platform says it: `handle` ("@jane", "jane"), `url` of the
    profile when the platform gives one. `crosspost doctor` prints it so a user sees which
    account a run would publish as before it does."""

    handle: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Listed:
    """One of the account's posts as a listing shows it. `post.canonical_url` is the URL it is
    indexed under (None: no post of the blog's). `item` is the platform's own record of it, for
    an adapter whose `is_copy_of` needs more than the URL (Mastodon compares the toot's text)."""

    post: RemotePost
    item: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Listing(Protocol):
    """The optional inventory part of the contract (`capabilities.lists`): see `Adapter`."""

    def list_posts(self, *, since: datetime | None = None) -> AsyncGenerator[Listed, None]: ...

    def is_copy_of(self, doc: Document, listed: Listed) -> bool: ...


@runtime_checkable
class Adapter(Protocol):
    """One platform, as the core sees it. Subclassing `BaseAdapter` provides the optional parts.

    Class attributes: `name` (the [platforms.NAME] key and the entry-point name),
    `display_name`, `capabilities`, `Settings` (a frozen dataclass of the [platforms.NAME] keys,
    validated by the core, whose `base_url` is where the API lives), `fake` ("module:Class" of a
    `crosspost.fake.FakePlatform` subclass that `crosspost publish --sandbox` and
    `crosspost.Sandbox` run, or None) and how the token is sent (`auth_header`, `auth_scheme`:
    by default `Authorization: Bearer <token>`; `default_headers`). An empty `auth_header` means
    the token is not sent as is: the adapter reads it from `self.http.credential` and signs in
    with it (Bluesky: a handle and an app password for a session), sending what that returned
    in `headers=`.

    `prepare` may fetch account facts once per run (limits, user id) before rendering. `render`
    is pure (no I/O): the exact request body as a `Payload`, raising `ContentError` for a post
    the platform cannot take; `draft=True` asks for a platform draft. `create` gets a `key` that
    stays the same for every attempt at one post; platforms with idempotency keys send it.
    `update` replaces the post in place (called only if `capabilities.update`). `find` looks the
    post up by canonical URL among the account's own posts (only if `capabilities.find`), so a
    lost answer or lost records never make a second copy. `lookup` reads one copy by its id
    (only if `capabilities.lookup`): the copy as the platform shows it now, with the
    `canonical_url` it carries (a summary: its link) and, where the platform tells, `mine`
    (whether it belongs to the token's account); None only when the platform says there is
    no such copy. The core, not the adapter, decides what a lookup means: before every update
    the copy must carry the post's canonical URL, or the records were edited to aim the update
    at another copy (docs/threat-model.md).

    Optional inventory (only if `capabilities.lists`; `BaseAdapter` builds `find` on it):
    `list_posts(since=...)` yields every post of the account, each a `Listed` whose
    `post.canonical_url` is the URL it is indexed under, page by page within `list_pages`; a
    platform that lists newest first may stop at posts older than `since`. `is_copy_of(doc,
    listed)` confirms that a listed post under `doc`'s URL is its copy (by default: same URL).
    The core lists once per run when more than a handful of lookups are needed.

    Optional (`BaseAdapter` gives the defaults): `whoami()` makes one authenticated read and
    returns the token's `Account`, or None when the platform has no such call (`crosspost
    doctor` then says "not supported"); `credentials_page` is where a user makes a token, with
    `{origin}` standing for the origin of the settings' `base_url` (a Mastodon server).

    Errors: send requests through the context's client (`self.http.request(...)`), which turns
    answers into `crosspost.errors` exceptions (AuthError, RejectedError, RateLimitedError,
    AmbiguousError...) and retries what is safe to retry. Raise `AlreadyExistsError` when the
    platform says the post exists (a `check=` callback can), and the core adopts it through
    `find`. Never return success booleans.
    """

    name: ClassVar[str]
    display_name: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    Settings: ClassVar[type[Any]]
    fake: ClassVar[str | None]
    auth_header: ClassVar[str]
    auth_scheme: ClassVar[str]
    default_headers: ClassVar[Mapping[str, str]]

    def __init__(self, settings: Any, context: AdapterContext) -> None: ...

    async def prepare(self) -> None: ...

    def render(self, doc: Document, *, draft: bool = False) -> Payload: ...

    async def create(self, payload: Payload, *, key: str) -> RemotePost: ...

    async def update(self, remote: RemotePost, payload: Payload) -> RemotePost: ...

    async def find(self, doc: Document) -> RemotePost | None: ...

    async def lookup(self, remote: RemotePost) -> RemotePost | None: ...


class BaseAdapter:
    """Defaults for the optional parts of the protocol, and the helpers every platform needs.

    Not required: any class that satisfies `Adapter` works. Subclasses set the class attributes
    and implement `render`, `create`, `update` (if `capabilities.update`) and either `find` or,
    with `capabilities.lists`, `list_posts`: `find` then scans the listing, so one paging loop
    serves both.
    """

    display_name: ClassVar[str] = ""
    fake: ClassVar[str | None] = None
    auth_header: ClassVar[str] = "Authorization"
    auth_scheme: ClassVar[str] = "Bearer"
    default_headers: ClassVar[Mapping[str, str]] = {}
    credentials_page: ClassVar[str] = ""
    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    cache_fields: ClassVar[Mapping[str, type | tuple[type, ...]]] = {}
    """The types of what the adapter keeps in the records' account cache: the records come from
    a pull request too, so the core checks them before the adapter reads them back."""

    def __init__(self, settings: Any, context: AdapterContext) -> None:
        self.settings = settings
        self.http = context.http
        self.cache = context.cache
        self.tag_names = context.tags
        self.read_lag = context.read_lag

    async def prepare(self) -> None:
        """Nothing to fetch ahead of rendering by default."""

    async def lookup(self, remote: RemotePost) -> RemotePost | None:
        """Never called: `capabilities.lookup` is False unless the adapter reads copies by id."""
        raise NotImplementedError(f"{self.name} cannot read a copy by its id")

    def list_posts(self, *, since: datetime | None = None) -> AsyncGenerator[Listed, None]:
        """Every post of the account (see `Adapter`); only called if `capabilities.lists`."""
        raise NotImplementedError(f"{self.name} cannot list its posts")

    def is_copy_of(self, doc: Document, listed: Listed) -> bool:
        """Whether `listed` is `doc`'s copy: by default, it carries `doc`'s canonical URL."""
        return same_url(listed.post.canonical_url, doc.canonical_url)

    async def find(self, doc: Document) -> RemotePost | None:
        """The first listed post that is `doc`'s copy, reading no further pages than needed."""
        async with aclosing(self.list_posts(since=doc.date)) as listing:
            async for listed in listing:
                if self.is_copy_of(doc, listed):
                    return listed.post
        return None

    async def whoami(self) -> Account | None:
        """The token's account, from one authenticated read; None: the platform has no such
        call (or the adapter does not make it), and `crosspost doctor` says so."""
        return None

    def map_tags(
        self, doc: Document, rule: Callable[[str], str | None]
    ) -> tuple[list[str], tuple[Notice, ...]]:
        """The post's tags in this platform's form: [tags] table first, then `rule`.

        Duplicates (case-insensitive) are dropped quietly; empty results, names longer than
        `capabilities.max_tag_length` and tags beyond `capabilities.max_tags` are dropped with a
        notice naming them, so `check` can warn.
        """
        out: list[str] = []
        seen: set[str] = set()
        notices: list[Notice] = []
        longest = self.capabilities.max_tag_length
        for tag in doc.tags:
            mapped = self.tag_names.get(tag.casefold())
            name = mapped or rule(tag)
            if not name:
                notices.append(self.notice(doc, f"tag {tag!r} has no valid form here; dropped"))
                continue
            if not mapped and _spelling(name) != _spelling(tag):
                notices.append(
                    self.notice(
                        doc,
                        f"tag {tag!r} becomes {name!r} here, losing characters; to name it "
                        f'yourself, add [tags] "{tag}" = {{ {self.name} = "..." }} to '
                        "crosspost.toml",
                    )
                )
            if longest is not None and len(name) > longest:
                notices.append(
                    self.notice(doc, f"tag {name!r} is longer than {longest} characters; dropped")
                )
                continue
            if name.casefold() in seen:
                continue
            seen.add(name.casefold())
            out.append(name)
        limit = self.capabilities.max_tags
        if limit is not None and len(out) > limit:
            dropped = ", ".join(out[limit:])
            notices.append(self.notice(doc, f"takes at most {limit} tags; dropped: {dropped}"))
            out = out[:limit]
        return out, tuple(notices)

    def notice(self, doc: Document, message: str, code: str = "trimmed") -> Notice:
        """A warning about `doc` on this platform, for `check` and the publish report."""
        return Notice(message, code, path=doc.source, platform=self.name)


def _spelling(tag: str) -> str:
    """What a tag's automatic form must keep: its letters, digits and signs, whatever the case
    and the word separators (spaces, hyphens, underscores), which every platform's rule may
    change (`Social Media` → `socialmedia`, `#SocialMedia`); a leading `#` is the hashtag's."""
    return "".join(c for c in tag.casefold().removeprefix("#") if c not in " -_")


AdapterClass = type[Adapter]

ENTRY_POINT_GROUP = "crosspost.adapters"

_BUILTIN = f"{__package__}.adapters."
"""Where the adapters shipped with crosspost live: an entry point naming any other is a plugin."""


def third_party_plugins() -> list[str]:
    """The registered adapter entry points that are not crosspost's own (`name = module:Class`):
    their code runs in every run that loads the adapters, and may read anything."""
    return [
        f"{ep.name} = {ep.value}"
        for ep in entry_points(group=ENTRY_POINT_GROUP)
        if not ep.value.startswith(_BUILTIN)
    ]


def load_adapters(
    explicit: Mapping[str, AdapterClass] | None = None,
    *,
    warn: Callable[[str], None] | None = None,
) -> Mapping[str, AdapterClass]:
    """All adapters: those registered in the `crosspost.adapters` entry-point group
    (`Registry`, which imports each when it is first asked for).

    Built-ins register exactly like third-party packages. A plugin that fails to import or does
    not look like an adapter is skipped with a warning naming it, never a crash. `explicit`
    replaces discovery (tests, embedding applications).
    """
    if explicit is not None:
        return dict(explicit)
    return Registry(warn or _warn_once)


class Registry(Mapping[str, AdapterClass]):
    """The registered adapters by name, each imported and checked when first looked up.

    A run looks up the platforms it uses (`Platforms`), so it imports their adapters and not
    every installed one: the two announce-only built-ins alone cost a no-op run that publishes
    to three article platforms 30 ms of 300 (issue 16). Listing the registry (`crosspost
    platforms`, an error's list of installed names) imports them all, in name order, with the
    same warnings in the same order as a complete load. A name registered twice keeps the
    built-in adapter, whatever order packages install in; a plugin that is broken is skipped
    with its warning when its name is looked up, so a run that does not use it says nothing."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self._report = report
        self._registered: dict[str, list[Any]] | None = None
        self._loaded: dict[str, AdapterClass | None] = {}

    def __getitem__(self, name: str) -> AdapterClass:
        if name not in self._loaded:
            self._loaded[name] = self._load(name)
        cls = self._loaded[name]
        if cls is None:
            raise KeyError(name)
        return cls

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._names() if name in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def _names(self) -> dict[str, list[Any]]:
        """Each registered name's entry points, names sorted, the built-in first among its own."""
        if self._registered is None:
            ranked = sorted(
                entry_points(group=ENTRY_POINT_GROUP),
                key=lambda e: (e.name, not e.value.startswith(_BUILTIN)),
            )
            # Filed in a dict of its own, then kept: a registry two threads share never shows
            # one of them the names filed so far (it would call a platform not installed).
            registered: dict[str, list[Any]] = {}
            for ep in ranked:
                registered.setdefault(ep.name, []).append(ep)
            self._registered = registered
        return self._registered

    def _load(self, name: str) -> AdapterClass | None:
        found: AdapterClass | None = None
        for ep in self._names().get(name, ()):
            try:
                cls = ep.load()
            except Exception as exc:
                self._report(
                    f"adapter plugin {ep.name!r} ({ep.value}) failed to load: {exc!r}; skipped"
                )
                continue
            problem = _contract_problem(cls) or _name_problem(cls, ep.name)
            if problem:
                self._report(f"adapter plugin {ep.name!r} ({ep.value}) {problem}; skipped")
                continue
            if found is not None:
                self._report(f"adapter plugin {ep.name!r} is registered twice; keeping {found!r}")
                continue
            found = cls
        return found


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    """A broken plugin, logged once per process: one command discovers the adapters more than
    once (the sandbox, then the run; `doctor` and `check` too), and says so once."""
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)


def _name_problem(cls: object, registered: str) -> str | None:
    """The entry point's name is the [platforms.NAME] key; the class's `name` must agree, or its
    records and tokens would be filed under another platform."""
    name = getattr(cls, "name", None)
    if name != registered:
        return f"calls itself {name!r}, not {registered!r}"
    return None


def _contract_problem(cls: object) -> str | None:
    """What keeps `cls` from working as an adapter, checked at load time so that a broken
    plugin is a warning naming it, not a traceback in the middle of a run."""
    required = ("name", "capabilities", "Settings", "render", "create", "update", "find")
    missing = [attr for attr in required if not hasattr(cls, attr)]
    if missing:
        return f"does not implement the Adapter protocol (missing {', '.join(missing)})"
    if not isinstance(getattr(cls, "capabilities", None), Capabilities):
        return "has no Capabilities instance in `capabilities`"
    settings = getattr(cls, "Settings", None)
    if not (isinstance(settings, type) and is_dataclass(settings)):
        return "has a `Settings` that is not a dataclass"
    return _listing_problem(cls, cls.capabilities)  # type: ignore[attr-defined]


def _listing_problem(cls: object, caps: Capabilities) -> str | None:
    """`BaseAdapter` gives `find` (a scan of `list_posts`) and `list_posts` (an error), so a
    searchable adapter must implement one of them for real, and `lists` the listing."""
    if caps.lists and not caps.find:
        return "declares `lists` without `find` (a listing is a search)"
    if caps.lists and getattr(cls, "list_posts", None) is BaseAdapter.list_posts:
        return "declares `lists` but does not implement `list_posts`"
    if caps.find and not caps.lists and getattr(cls, "find", None) is BaseAdapter.find:
        return "can be searched (`find`) but implements neither `find` nor `list_posts`"
    return None
