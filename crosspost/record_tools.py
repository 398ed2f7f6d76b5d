"""The records by hand: list them, move a post's records to its new URL, forget a post (or one
platform's copy of it), and mark a copy as known — what `crosspost records
list|move|forget|set` and `crosspost status` do with them.

The records are what keeps a post from being published twice, so a hand edit is always one post
named exactly (its canonical URL, or its file), written under the records' lock, and nothing is
sent anywhere. A record whose file is gone is *orphaned*: the post was deleted or renamed, and
the commands to settle it (`records move` to follow a rename, `records forget` to let it go) are
named with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .adapter import load_adapters
from .check import offline_renderer
from .config import Config
from .discover import find_posts
from .errors import RecordsError, SourceError, shown
from .plan import relative_source, render_for
from .records import Entry, Records
from .sources import load_post
from .suggest import allowed_hint, closest

__all__ = [
    "Moved",
    "RecordRow",
    "forget",
    "listing",
    "mark_known",
    "move",
    "orphan_hint",
    "rows_of",
]


@dataclass(frozen=True)
class RecordRow:
    """One post on one platform as the records have it: `source` is the post's file relative to
    the blog root (None when the records never knew it); `orphaned` when that file is gone."""

    canonical_url: str
    platform: str
    entry: Entry
    source: str | None = None
    orphaned: bool = False

    def file(self, config: Config) -> Path | None:
        """The post's file as the user would type it (relative to the current folder)."""
        return shown(config.root / self.source) if self.source else None


def rows_of(
    records: Records,
    config: Config,
    paths: Sequence[Path] = (),
    to: Sequence[str] | None = None,
) -> list[RecordRow]:
    """Every record, by canonical URL then platform; only the posts whose file is under one of
    `paths` (a file or a folder) when given, and only the platforms `to` when given."""
    under = [relative_source(Path(p), config.root) or "" for p in paths]
    rows = []
    for url in records.urls():
        source = records.source_of(url)
        if under and not any(_within(source, place) for place in under):
            continue
        orphaned = source is not None and not (config.root / source).exists()
        for platform, entry in sorted(records.entries(url).items()):
            if to and platform not in to:
                continue
            rows.append(RecordRow(url, platform, entry, source, orphaned))
    return rows


def _within(source: str | None, place: str) -> bool:
    if source is None:
        return False
    place = place.rstrip("/")
    return place in ("", ".") or source == place or source.startswith(place + "/")


def listing(
    config: Config, paths: Sequence[Path] = (), to: Sequence[str] | None = None
) -> list[RecordRow]:
    """`rows_of` the records on disk (no lock, no network)."""
    return rows_of(Records.read(config.records), config, paths, to)


def orphan_hint(row: RecordRow) -> str:
    """What to do about a record whose file is gone, as commands to run."""
    return (
        f"its file {row.source} is gone: if the post moved, run `crosspost records move "
        f"{row.canonical_url} NEW_FILE`; if it was deleted, run `crosspost records "
        f"forget {row.canonical_url}` (the copies on the platforms stay)"
    )


def _post(records: Records, config: Config, target: str) -> tuple[str, str | None]:
    """The canonical URL and recorded source of `target`: a canonical URL in the records, or a
    post file (recorded by its path, else by the canonical URL it computes)."""
    if target in records.urls():
        return target, records.source_of(target)
    path = Path(target)
    source = relative_source(path, config.root)  # a file gone since is still known by its path
    url = records.url_for_source(source) if source else None
    if url is None and path.is_file():
        url = load_post(path, config).canonical_url
    if url is None or url not in records.urls():
        raise RecordsError(
            f"no records for {target}",
            path=shown(config.records),
            hint="name a post by its canonical URL or its file; `crosspost records list` "
            "shows both",
        )
    return url, records.source_of(url) or source


@dataclass(frozen=True)
class Moved:
    """What `move` did: the post's records went from canonical URL `old` to `new`, and are
    now known by the file `source` (relative to the blog root)."""

    old: str
    new: str
    source: str


def move(config: Config, old: str, new: str) -> Moved:
    """Move the records of the post `old` (a recorded canonical URL, or its file, even one gone
    since) to the post `new` (its file, or the canonical URL one of the blog's posts has now),
    so that the next publish updates its copies instead of posting it again. Nothing is sent.

    The destination must be a post of the blog as crosspost computes it: records moved to a
    URL no post has (a typo, a missing trailing slash) would leave the copies behind while the
    post is published again under its real URL."""
    new_url, source = _destination(config, new)  # reads posts: before the records' lock
    with Records.open(config.records) as records:
        old_url, _ = _post(records, config, old)
        if new_url == old_url:
            raise RecordsError(
                f"{new} already has the canonical URL {old_url}: there is nothing to move",
                path=shown(config.records),
            )
        records.move(old_url, new_url, source=source)
    return Moved(old_url, new_url, source)


def _destination(config: Config, target: str) -> tuple[str, str]:
    """The canonical URL and file (relative to the blog root) of the post `target` names: a
    post file, or a canonical URL that one of the blog's posts computes."""
    path = Path(target)
    if path.is_file():
        return load_post(path, config).canonical_url, _source(path, config)
    hint = "name the post by its file (the new one), or by the canonical URL it has now"
    if urlsplit(target).scheme not in ("http", "https"):
        raise RecordsError(f"{target} is neither a post file nor a canonical URL", hint=hint)
    urls: dict[str, Path] = {}
    for post in find_posts([config.root], config):
        try:
            urls.setdefault(load_post(post, config).canonical_url, post)
        except SourceError:
            continue  # `crosspost check` reports it; it cannot be the post named here
    if target in urls:
        return target, _source(urls[target], config)
    near = closest(target, urls)
    raise RecordsError(
        f"no post of the blog has the canonical URL {target}",
        hint=f"did you mean {near}? ({hint})" if near else hint,
    )


def _source(path: Path, config: Config) -> str:
    source = relative_source(path, config.root)
    assert source is not None  # only None for no path
    return source


def forget(config: Config, target: str, platforms: Sequence[str] = ()) -> list[str]:
    """Remove the records of the post `target` (a canonical URL or a file): all of them, or only
    `platforms`'. The copies on the platforms are left alone; a post forgotten is published
    again by the next run, so this is for a copy deleted on the platform, or a post deleted
    from the blog. Returns the platforms whose record was removed."""
    with Records.open(config.records) as records:
        url, _ = _post(records, config, target)
        entries = records.entries(url)
        unknown = [p for p in platforms if p not in entries]
        if unknown:
            raise RecordsError(
                f"{url} has no record for {', '.join(unknown)}",
                path=shown(config.records),
                hint=f"recorded: {', '.join(sorted(entries)) or 'none'}",
            )
        gone = sorted(platforms or entries)
        with records.bulk():
            for platform in gone:
                records.remove(url, platform)
    return gone


def mark_known(
    config: Config,
    target: str,
    platform: str,
    *,
    remote_id: str | None,
    url: str | None,
) -> Entry:
    """Record that `platform` has the post `target` (a file, or a recorded canonical URL) as
    `remote_id` at `url`: a copy posted by hand, found after a records rebuild, or a draft
    published by hand. Nothing is sent.

    On a platform that can update, the copy is recorded without a payload hash, so the next
    publish brings it up to date. On one that cannot (Medium-style), it is recorded as
    matching the post as it is now, so no run reports it again until the post changes.
    """
    adapters = load_adapters()
    if platform not in adapters:
        raise RecordsError(
            f"unknown platform {platform!r}",
            hint=allowed_hint(platform, adapters, label="installed"),
        )
    can_update = adapters[platform].capabilities.update
    if can_update and not remote_id:
        raise RecordsError(
            f"{platform} updates its copies by id: give the copy's --id",
            hint="the id is in the platform's URL or API; `crosspost status --refresh` finds "
            "copies by canonical URL",
        )
    if not remote_id and not url:
        raise RecordsError("give the copy's --url (or --id)")
    with Records.open(config.records) as records:
        try:
            canonical, source = _post(records, config, target)
        except RecordsError:
            canonical, source = _new_post(config, target)
        digest = None if can_update else _current_hash(config, source, platform)
        entry = Entry("published", id=remote_id, url=url, hash=digest)
        records.put(canonical, platform, entry, source=source)
    return entry


def _new_post(config: Config, target: str) -> tuple[str, str | None]:
    """A post file the records do not know yet (a copy made by hand before crosspost)."""
    path = Path(target)
    if not path.is_file():
        raise RecordsError(
            f"no records for {target}, and it is not a post file",
            hint="name the post by its file to record a first copy of it",
        )
    return load_post(path, config).canonical_url, relative_source(path, config.root)


def _current_hash(config: Config, source: str | None, platform: str) -> str | None:
    """The hash of what `platform` would be sent for the post now: recorded with a copy that
    cannot be updated, it makes the post count as unchanged there."""
    if source is None or not (config.root / source).is_file():
        return None
    doc = load_post(config.root / source, config)
    with offline_renderer(config, [platform]) as renderer:  # a live copy: never a draft body
        return render_for(renderer.adapters[platform], platform, doc, draft=False).hash
