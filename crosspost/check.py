"""What `crosspost check` finds, decided by the planner's own rules, offline.

`check` and `publish` must never disagree about a post: what holds it back (a draft, a date in
the future, a date before site.since), which posts clash over a canonical URL (with each other or
with a post already cross-posted from another file), and which platform refuses it. So this
module places the posts with the planner's own step (`plan.place_posts`: read, URL claims, the
URL a post moved from, two files claiming one past), holds each post per platform from that
platform's record (`plan.record_of`, `plan.holds`), and renders with the same adapters, built
as publishing builds them but never connected, in draft or live as publishing would
(`plan.sends_draft`). Front ends only print the result.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from .adapter import Adapter, Payload, load_adapters
from .config import Config, load_config, run_config
from .credentials import missing_tokens
from .discover import find_posts, no_posts_found
from .document import Document, Notice
from .errors import ContentError, CredentialError, SourceError, shown
from .plan import Hold, hold_reason, holds, place_posts, record_of, render_for, sends_draft
from .platforms import Platforms, announce_only
from .postfile import not_a_file
from .records import Entry, Records

__all__ = ["Checked", "Checkup", "OfflineRenderer", "check", "offline_renderer"]


@dataclass
class Checked:
    """One post as `check` saw it: the Document or why it cannot be read (or why it cannot be
    published: `clash`, another post has its canonical URL), what holds it back now, each
    configured platform's payload or refusal, and (with links) the status of each URL it
    references."""

    path: Path
    doc: Document | None = None
    error: SourceError | None = None
    clash: SourceError | None = None
    held: tuple[Hold, ...] = ()
    why_held: str = ""
    """The first hold as the plan would say it ("" when nothing holds the post back)."""
    payloads: dict[str, Payload] = field(default_factory=dict)
    refusals: dict[str, ContentError] = field(default_factory=dict)
    links: dict[str, int | str] = field(default_factory=dict)
    moved_from: str | None = None
    """The canonical URL the post was cross-posted under before its URL changed, if it was."""

    @property
    def notices(self) -> list[Notice]:
        """The post's own warnings, then what each platform will trim or drop."""
        own = list(self.doc.notices) if self.doc else []
        return own + [n for payload in self.payloads.values() for n in payload.notices]

    @property
    def errors(self) -> int:
        return (self.error is not None) + (self.clash is not None) + len(self.refusals)

    @property
    def dead(self) -> dict[str, int | str]:
        return {url: status for url, status in self.links.items() if status != 200}

    @property
    def before_since(self) -> bool:
        """Dated before site.since and never cross-posted: never sent, not even rendered."""
        return Hold.BEFORE_SINCE in self.held

    @property
    def live(self) -> bool:
        """Read and published on the blog: nothing but site.since holds it back (no draft, nor
        a scheduled, expired or unbuilt post), so a live page exists to compare with."""
        return self.doc is not None and set(self.held) <= {Hold.BEFORE_SINCE}

    @property
    def address(self) -> str:
        """The canonical URL, with why the post is held if it is (`check --urls`)."""
        if self.doc is None:
            return ""
        url = self.doc.canonical_url
        return f"{url} (held: {self.why_held})" if self.why_held else url

    @property
    def due(self) -> bool:
        """Whether a publish now would send the post (read, and nothing holds it back)."""
        return self.doc is not None and not self.held

    def urls(self) -> set[str]:
        """The canonical page and every image the platforms would be made to fetch."""
        from .links import payload_urls  # links imports httpx: only `check --links` needs it

        found = {self.doc.canonical_url} if self.doc else set()
        for payload in self.payloads.values():
            found |= payload_urls(payload)
        return found


@dataclass
class Checkup:
    """The outcome of `check`: the config used, every post in order, and why a configured
    platform has no usable token (a real run would refuse before sending anything)."""

    config: Config
    posts: list[Checked]
    tokens: list[CredentialError] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    """Warnings about the config as a whole (`platforms.announce_only`)."""

    @property
    def placeholder_site(self) -> bool:
        """site.url left at a documentation address: every canonical URL would point at it."""
        host = urlsplit(self.config.site.url or "").hostname or ""
        return host.removeprefix("www.") in ("example.com", "example.org", "example.net")


def check(
    paths: Sequence[Path] = (),
    *,
    config_file: Path | None = None,
    links: bool = False,
    now: datetime | None = None,
) -> Checkup:
    """Read, plan and render every post of `paths` (default: the content folder) offline.

    A `.toml` among `paths` is a config to validate, not a post: the first one is the config
    used (unless `config_file` names another), and alone it stands for its blog's content folder.
    Files are named relative to the current folder. With `links`, the canonical page and every
    image of each post a publish would send now are fetched (each URL once). Raises
    `ConfigError`, `SourceError` (a path that is not a post, or no posts at all) or
    `RecordsError`, which stop the whole check; a post that cannot be read is in its `Checked`.
    """
    config, files = _inputs(paths, config_file)
    records = Records.read(config.records)
    moment = now or datetime.now(UTC)
    checked = _place_all(files, config, records, moment)
    _render_platforms(config, records, moment, checked)
    if links:
        _check_links(checked, config.site.url)
    enabled = [name for name, pc in config.platforms.items() if pc.enabled]
    notice = announce_only(config, load_adapters()) if enabled else None
    notices = [notice] if notice else []
    return Checkup(config, checked, missing_tokens(enabled, config.credentials), notices)


def _inputs(paths: Sequence[Path], config_file: Path | None) -> tuple[Config, list[Path]]:
    """The config and the post files `check` reads, named relative to the current folder."""
    configs = [load_config(path) for path in paths if path.suffix == ".toml"]
    posts = [path for path in paths if path.suffix != ".toml"]
    for path in posts:
        if not path.is_file() and not path.is_dir():
            raise not_a_file(path)
    config = configs[0] if configs and config_file is None else run_config(posts, config_file)
    if not posts and configs and not config.content_dir.is_dir():
        return config, []
    files = find_posts(posts or [config.content_dir], config)
    if not files and (posts or not configs):
        raise no_posts_found(posts, config)
    return config, [shown(path) for path in files]


def _place_all(
    files: Sequence[Path], config: Config, records: Records, now: datetime
) -> list[Checked]:
    """Every post placed by the planner (`place_posts`: read, clashing or moved, exactly as
    publishing places it), then what holds it back on the configured platforms."""
    platforms = [name for name, pc in config.platforms.items() if pc.enabled]
    checked: list[Checked] = []
    for post in place_posts(files, config, records):
        item = Checked(post.path or Path(post.label), doc=post.doc, error=post.error)
        item.clash = post.refused
        item.moved_from = post.moved_from
        checked.append(item)
        if post.doc is None:
            continue
        if platforms:
            recorded = any(
                record_of(post.doc, name, records, post.moved_from) for name in platforms
            )
        else:  # nothing would be sent anywhere: "never cross-posted" is what the records say
            recorded = bool(records.entries(post.moved_from or post.doc.canonical_url))
        item.held = holds(post.doc, config, now, recorded=recorded)
        item.why_held = hold_reason(item.held[0], post.doc, config) if item.held else ""
    return checked


class OfflineRenderer:
    """The configured (or chosen) platforms' adapters, rendering exactly as publishing does."""

    def __init__(self, config: Config, adapters: Mapping[str, Adapter]) -> None:
        self.config = config
        self.adapters = adapters

    def render(
        self, platform: str, doc: Document, *, draft: bool = False, record: Entry | None = None
    ) -> Payload:
        """The body `publish` (or `publish --draft`) would send `platform` for `doc`, whose
        record there is `record` (a live post stays live); raises `ContentError`, located at
        the post and platform, when the platform refuses it."""
        as_draft = sends_draft(self.config, platform, draft, record)
        return render_for(self.adapters[platform], platform, doc, draft=as_draft)


@contextlib.contextmanager
def offline_renderer(config: Config, to: Sequence[str] | None = None) -> Iterator[OfflineRenderer]:
    """The platforms' adapters built exactly as publishing builds them (settings validated,
    [tags] applied, account facts cached in the records) but never connected: rendering needs
    no network and no token. Raises `ConfigError` for an unknown platform or bad settings."""
    platforms = Platforms(config, load_adapters(), to)
    try:
        yield OfflineRenderer(config, dict(platforms.adapters(Records.read(config.records))))
    finally:
        asyncio.run(platforms.close(None))


def _render_platforms(
    config: Config, records: Records, now: datetime, checked: Sequence[Checked]
) -> None:
    """Render every post publishing would plan for every configured platform, as the planner
    decides per platform: not a refused post, nor one held on that platform as dated before
    site.since (the platform's own record lifts that hold, as it does for the planner)."""
    if not any(pc.enabled for pc in config.platforms.values()):
        return
    with offline_renderer(config) as renderer:
        for item in checked:
            if item.doc is None or item.clash is not None:
                continue
            for name in renderer.adapters:
                record = record_of(item.doc, name, records, item.moved_from)
                if Hold.BEFORE_SINCE in holds(item.doc, config, now, recorded=record is not None):
                    continue
                try:
                    item.payloads[name] = renderer.render(name, item.doc, record=record)
                except ContentError as exc:
                    item.refusals[name] = exc


def _check_links(checked: Sequence[Checked], site: str | None) -> None:
    """Fetch the URLs of the posts a publish would send now (not drafts, scheduled or archived
    ones, whose pages are not expected to be live), each URL once."""
    from .links import check_urls  # links imports httpx: only `check --links` needs it

    due = [(item, item.urls()) for item in checked if item.due]
    statuses = asyncio.run(check_urls({url for _, urls in due for url in urls}, site=site))
    for item, urls in due:
        item.links = {url: statuses[url] for url in sorted(urls)}
