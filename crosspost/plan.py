"""Document × platforms × records → what to do for each (post, platform) (docs/architecture.md §7).

Planning is pure apart from reading post files: it never talks to a platform. Its fast path
decides "unchanged" from the file's hash (or, in a git checkout, its index blob id) and the
config's fingerprint alone, before parsing, so a no-op run over a large archive reads no post it
can prove unchanged.

It stays one module: the verdicts (create, update, unchanged, held, unsupported) and the holds
that decide them are one decision table, and `check` reads the same rules; split, the table's
rows would live apart from the order in which they are tried.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from .adapter import Adapter, Payload
from .config import Config
from .cycles import paused
from .document import Document, Notice
from .errors import ContentError, CrosspostError, SourceError, shown
from .gitindex import GitIndex, blob_id, read_index
from .records import Entry, Records
from .urls import url_key

log = logging.getLogger("crosspost")

__all__ = [
    "Action",
    "Hold",
    "Kind",
    "Placed",
    "Plan",
    "PostSource",
    "Refresh",
    "RelativeNames",
    "Unread",
    "file_hash",
    "hold_reason",
    "holds",
    "make_plan",
    "place_posts",
    "previous_url",
    "record_of",
    "relative_source",
    "render_for",
    "sends_draft",
    "shared_url_error",
    "wants_draft",
]


class Kind(StrEnum):
    """What the publisher will do for one (post, platform)."""

    CREATE = "create"
    UPDATE = "update"
    SKIP = "skip"  # published and unchanged
    HOLD = "hold"  # not now: draft, future date, before site.since
    UNSUPPORTED = "unsupported"  # changed, but the platform cannot update
    RECONCILE = "reconcile"  # a create was interrupted: look the post up first
    ATTENTION = "attention"  # may exist already and cannot be checked: needs --force
    INVALID = "invalid"  # the post cannot be rendered for this platform
    GONE = "gone"  # its copy was deleted on the platform: left alone unless --force


@dataclass(frozen=True, slots=True)
class Action:
    """One (post, platform) of a plan: what to do, why, and what would be sent."""

    kind: Kind
    platform: str
    post: str
    reason: str = ""
    doc: Document | None = None
    payload: Payload | None = None
    record: Entry | None = None
    error: CrosspostError | None = None
    moved_from: str | None = None  # the post's previous canonical URL (see `previous_url`)
    hold: Hold | None = None  # why a HOLD holds the post, when it is one of `Hold`'s reasons

    @property
    def canonical_url(self) -> str | None:
        return self.doc.canonical_url if self.doc else None


@dataclass(frozen=True)
class Unread:
    """The posts the records prove unchanged on every planned platform without parsing them
    (the no-op fast path; in a git checkout most are not even read): (post, canonical URL)
    pairs, made `skip` actions only when someone asks, so that a no-op run over a large
    archive builds no object per post and platform, and reports no progress for each."""

    posts: tuple[tuple[str, str], ...] = ()
    platforms: tuple[str, ...] = ()
    records: Records | None = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        """How many (post, platform) pairs are unchanged."""
        return len(self.posts) * len(self.platforms)

    def actions(self) -> list[Action]:
        """The `skip` action of each pair, with its record (decoded now)."""
        records = self.records
        return [
            Action(
                Kind.SKIP,
                name,
                label,
                "unchanged",
                record=records.get(url, name) if records is not None else None,
            )
            for label, url in self.posts
            for name in self.platforms
        ]


@dataclass(frozen=True)
class Plan:
    """The actions for every (post, platform), plus the posts that could not be read.

    Each `Action` has `kind` (a `Kind`, a str: "create", "update", "skip", "hold",
    "unsupported", "reconcile", "attention", "invalid", "gone"), `platform`, `post`, `reason`
    and, for creates and updates, the exact `payload` the platform would receive; `moved_from`
    is the post's previous canonical URL when its URL changed (its copies are updated, not
    re-posted).
    `errors` are the `SourceError`s of posts that could not be read; `notices` what platforms
    will trim or drop. `actions` lists them all; `listed` are those of the posts that were
    parsed, and `unread` the posts proved unchanged without it (built into `actions` on first
    use).
    """

    listed: tuple[Action, ...] = ()
    errors: tuple[CrosspostError, ...] = ()
    notices: tuple[Notice, ...] = field(default=(), compare=False)
    refresh: tuple[Refresh, ...] = field(default=(), compare=False)
    unread: Unread = field(default_factory=Unread)

    @functools.cached_property
    def actions(self) -> tuple[Action, ...]:
        """Every (post, platform) action: the unread unchanged posts' first."""
        return (*self.unread.actions(), *self.listed)

    def of_kind(self, *kinds: Kind) -> list[Action]:
        """The actions of any of `kinds`, in plan order."""
        every = self.actions if Kind.SKIP in kinds else self.listed
        return [a for a in every if a.kind in kinds]

    @property
    def has_work(self) -> bool:
        """True when publishing would send anything (a create, an update or a lookup)."""
        return any(a.kind in _WORK for a in self.listed)


_WORK = {Kind.CREATE, Kind.UPDATE, Kind.RECONCILE}


class Refresh(NamedTuple):
    """A record of an unchanged post to bring up to date without sending anything: the file was
    read and proved unchanged by its sha256, but the record lacks its git blob id (format 1 or 2,
    written by an older crosspost), which the next run needs to skip it, unread in git."""

    url: str
    platform: str
    source: str | None
    entry: Entry


PostSource = Path | str | Document
"""A post to place: a file (a `str` is a file's name as the folder walk found it: a run that
proves a post unchanged unread never builds its `Path`) or a post already read."""


def relative_source(path: Path | str | None, root: Path) -> str | None:
    """How the records name a post file: relative to the blog root, with forward slashes.

    Plain string work first (the no-op scan does this for every post); symlinks are resolved
    only when the plain absolute path is not under the root.
    """
    if path is None:
        return None
    text = os.fspath(path)
    found = _plainly_under(text, root)
    if found is not None:
        return found
    try:
        return Path(text).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(text).resolve().as_posix()


def _plainly_under(text: str, root: Path) -> str | None:
    """`relative_source` of `text` by string work alone, or None when that cannot tell (a path
    that is not plain, or not under the root as written: symbolic links decide then)."""
    if _plainly_absolute(text):
        absolute = text
    elif _plainly_relative(text):  # a run in the blog's folder: `crosspost publish`
        absolute = os.path.join(os.getcwd(), text)
    else:
        absolute = os.path.abspath(text)
    for base in _root_forms(root):
        if absolute.startswith(base):
            return absolute[len(base) :].replace(os.sep, "/")
    return None


class RelativeNames:
    """`relative_source` of many files (the walk's names), each folder worked out once.

    The string rule names `FOLDER/NAME` by the folder's name plus `/NAME` whenever NAME is a
    plain file name (no separator, not starting with a dot: every name the walk yields):
    `_plain` and the root prefix test see the same characters either way, since a root form
    ends with a separator that NAME cannot match. A folder the string rule cannot place (None)
    has each file resolved by `relative_source` itself, symbolic links and all.
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._folders: dict[str, str | None] = {}

    def __call__(self, path: Path | str) -> str | None:
        text = os.fspath(path)
        folder, separator, name = text.rpartition(os.sep)
        if not separator or not name or name.startswith(".") or _has_altsep(name):
            return relative_source(text, self._root)
        try:
            prefix = self._folders[folder]
        except KeyError:
            probe = _plainly_under(folder + separator + _PROBE, self._root)
            prefix = self._folders[folder] = None if probe is None else probe[: -len(_PROBE)]
        return relative_source(text, self._root) if prefix is None else prefix + name


_PROBE = "x"
"""A plain file name: the folder's relative name is the probe's, the probe removed."""


def _has_altsep(name: str) -> bool:
    return os.altsep is not None and os.altsep in name


def _plainly_absolute(text: str) -> bool:
    """Whether `text` is an absolute path `os.path.abspath` would return unchanged: no `.` or
    `..` part (nor any name starting with a dot: those go the long way), no doubled or trailing
    separator. The posts a folder walk finds are, and normalising 10,000 of them costs more
    than the rest of placing them."""
    return os.path.isabs(text) and _plain(text)


def _plainly_relative(text: str) -> bool:
    """Whether `text` is a relative path that `os.path.abspath` only joins to the current
    folder: the same rule, and no name at its start beginning with a dot."""
    return bool(text) and not os.path.isabs(text) and not text.startswith(".") and _plain(text)


def _plain(text: str) -> bool:
    return (
        os.sep + "." not in text
        and os.sep * 2 not in text
        and not text.endswith(os.sep)
        and (os.altsep is None or os.altsep not in text)
    )


@functools.lru_cache(maxsize=8)
def _root_forms(root: Path) -> tuple[str, ...]:
    return tuple({os.path.join(os.path.abspath(root), ""), os.path.join(str(root.resolve()), "")})


def file_hash(data: bytes) -> str:
    """The sha256 that records of format 1 and 2 hold for a file without its git blob id
    (`crosspost.records_legacy`); the blob id is the content identity now."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


@paused()  # the posts placed, then what stays unread: no cycle (`crosspost.cycles`)
def make_plan(
    sources: Iterable[PostSource],
    *,
    config: Config,
    adapters: Mapping[str, Adapter],
    records: Records,
    draft: bool = False,
    force: bool = False,
    now: datetime | None = None,
    index: GitIndex | None = None,
) -> Plan:
    """Plan every source for every adapter in `adapters` (already filtered by `--to`).

    Two posts that would share a canonical URL are both refused: the records (and the
    platforms' duplicate checks) know a post by that URL, so publishing either would overwrite
    or duplicate the other.
    """
    moment = now or datetime.now(UTC)
    fingerprints = {name: config.fingerprint(name) for name in adapters}
    actions: list[Action] = []
    notices: list[Notice] = []
    refresh: list[Refresh] = []
    unread: list[tuple[str, str]] = []
    placed = place_posts(sources, config, records, fingerprints=fingerprints, index=index)
    for post in placed:
        if post.unchanged is None:
            continue
        unread.append((post.label, post.unchanged))
        if post.blob is None:
            continue
        for name in adapters:
            entry = records.get(post.unchanged, name)
            if entry is not None and entry.blob != post.blob:
                refresh.append(
                    Refresh(
                        post.unchanged, name, post.rel, entry.evolve(blob=post.blob, source=None)
                    )
                )
    for post in placed:
        if post.doc is None or post.refused is not None:
            continue
        notices.extend(post.doc.notices)
        for name, adapter in adapters.items():
            actions.append(
                _plan_one(
                    post.doc, name, adapter, config, records, draft, force, moment, post.moved_from
                )
            )
    errors = [post.error for post in placed if post.error is not None]
    errors += [post.refused for post in placed if post.refused is not None]
    return Plan(
        tuple(actions),
        tuple(errors),
        tuple(notices),
        tuple(refresh),
        Unread(tuple(unread), tuple(adapters), records),
    )


@dataclass(slots=True)
class Placed:
    """One post as the planner places it, before any platform is considered: read (`doc`) or
    not (`error`), refused because another post claims its canonical URL or its past (`refused`),
    moved from a URL it was cross-posted under (`moved_from`), or proved unchanged on every
    platform without being parsed (`unchanged`: the canonical URL its records are under)."""

    label: str
    file: Path | str | None  # as given: a `Path` is built only for a post that is read
    rel: str | None = None
    doc: Document | None = None
    error: SourceError | None = None
    refused: SourceError | None = None
    moved_from: str | None = None
    unchanged: str | None = None
    blob: str | None = None  # with `unchanged`, when its records lack the file's git blob id

    @property
    def path(self) -> Path | None:
        """The post's file, None for a post given as a `Document`."""
        return self.file if self.file is None or isinstance(self.file, Path) else Path(self.file)


@paused()  # thousands of posts placed in a row, no cycle among them (`crosspost.cycles`)
def place_posts(
    sources: Iterable[PostSource],
    config: Config,
    records: Records,
    *,
    fingerprints: Mapping[str, str] | None = None,
    index: GitIndex | None = None,
) -> list[Placed]:
    """Read every source once (in order) and settle which canonical URL each claims, which URL
    it moved from, and which posts are refused for a URL another post has: the steps `publish`
    (through `make_plan`) and `check` share, so they never disagree about a clash.

    With `fingerprints` (platform -> config fingerprint), a file whose records prove it
    unchanged on all those platforms is not parsed (the no-op fast path); `check` passes none,
    since it reports every post. In a git checkout, a file whose index blob is the recorded one
    and that git does not list as modified is not even read (`crosspost.gitindex`; `index`
    when the caller read it already).
    """
    placed: list[Placed] = []
    # The canonical URL each post claims, with its label: keyed by page below, and only when a
    # post was parsed (a no-op run of 10,000 unchanged posts has no clash to look for).
    claimed: list[tuple[str, str]] = []
    seen: set[str | None] = set()  # each file once, however often it was named
    if not fingerprints or not records.urls_known():
        index = GitIndex()
    elif index is None:
        index = read_index(config.content_dir, config.root)
    unchanged = records.unchanged_test(fingerprints) if fingerprints is not None else None
    # The files git vouches for and the records prove unchanged, found in one pass: not read.
    proven = records.unchanged_files(fingerprints, index.vouched()) if fingerprints else {}
    relative = RelativeNames(config.root)
    for source in sources:
        if isinstance(source, Document):
            placed.append(
                Placed(
                    source.label,
                    source.source,
                    relative_source(source.source, config.root),
                    doc=source,
                )
            )
            claimed.append((source.canonical_url, source.label))
            continue
        rel = relative(source)
        if rel in seen:
            continue
        seen.add(rel)
        post = Placed(str(source), source, rel)
        placed.append(post)
        if rel in proven:
            post.unchanged = proven[rel]
            claimed.append((post.unchanged, post.label))
            continue
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            post.error = SourceError(f"cannot read the post: {exc.strerror}", path=path)
            continue
        if unchanged is not None and rel is not None:
            blob = blob_id(data)
            post.unchanged = unchanged(rel, blob, None)
            if post.unchanged is None:
                # Records of format 1 or 2 without a blob: matched by the file's sha256 and
                # given its blob (`make_plan`'s refresh). Asked only when the blob did not
                # match, so a no-op run hashes each file it reads once.
                post.unchanged = unchanged(rel, blob, file_hash(data))
                post.blob = blob
            if post.unchanged is not None:
                claimed.append((post.unchanged, post.label))
                continue
        _parse(post, path, config)
        if post.doc is not None:
            claimed.append((post.doc.canonical_url, post.doc.label))
    if not any(post.doc is not None for post in placed):
        return placed
    # The page each post claims (`url_key`: two spellings of one page are one claim, as every
    # platform's `find` sees them) -> the labels of its posts.
    claims: dict[str, list[str]] = defaultdict(list)
    for url, label in claimed:
        claims[url_key(url)].append(label)
    heirs: dict[str, list[str]] = defaultdict(list)  # a previous URL -> the posts it moved to
    for post in placed:
        if post.doc is None:
            continue
        try:
            post.moved_from = previous_url(post.doc, post.rel, records, config.root, claims)
        except SourceError as exc:
            post.refused = exc
            continue
        if post.moved_from:
            heirs[post.moved_from].append(post.doc.label)
    for post in placed:
        if post.doc is not None and post.moved_from and len(heirs[post.moved_from]) > 1:
            post.refused = _two_heirs(post.doc, post.moved_from, heirs[post.moved_from])
    if heirs:
        _read_after_a_move(placed, config)
    return placed


def _read_after_a_move(placed: list[Placed], config: Config) -> None:
    """A link to another post's file (`./other.md`) renders as that post's URL, so a post that
    moved changes the payload of every post linking to it, whose own bytes did not change. Links
    are not traced to their targets: in a run where a post moved (rare), every post proved
    unchanged unread is read and rendered after all, and its payload hash decides whether it is
    sent again."""
    for post in placed:
        path = post.path
        if post.unchanged is not None and path is not None:
            post.unchanged = post.blob = None
            _parse(post, path, config)


def _parse(post: Placed, path: Path, config: Config) -> None:
    """Read the post file `path` into `post.doc` (its label with it), or its error into
    `post.error`.

    Imported here: the no-op fast path never parses, so a run with nothing to do never loads
    the Markdown transforms."""
    from .sources import load_post

    try:
        post.doc = load_post(path, config)
    except SourceError as exc:
        post.error = exc
        return
    post.label = post.doc.label


def previous_url(
    doc: Document,
    rel: str | None,
    records: Records,
    root: Path,
    claims: Mapping[str, list[str]],
) -> str | None:
    """The canonical URL this post was cross-posted under before its URL changed, or None.

    Raises `SourceError` when the post's URL belongs to another post: one in this run, or one
    already cross-posted from another file that still exists, however either spells the page
    (`claims` are keyed by `url_key`, the records asked by `Records.same_page`: a platform's
    `find` would hand the other post's copy to this one). A changed URL is recognised when
    it is certain: the same file now renders to another URL (a slug or permalink change, or
    the same page spelled otherwise), or the file was renamed (its old path is gone and the
    records hold exactly these bytes, or a rename was recorded by `Records.rename_source`). Its
    copies are then updated to point at the new URL instead of being posted a second time.
    """
    url = doc.canonical_url
    others = [label for label in claims[url_key(url)] if label != doc.label]
    if others:
        raise shared_url_error(doc.source, url, ", ".join(others))
    recorded = records.same_page(url)
    for spelling in recorded:
        owner = records.source_of(spelling)
        if owner and rel and owner != rel and (root / owner).exists():
            raise shared_url_error(doc.source, url, f"{owner}, already cross-posted")
    if recorded:
        return None if recorded[0] == url else recorded[0]
    candidates = [records.url_for_source(rel)] if rel else []
    if doc.source_blob:
        candidates += [
            old
            for old in records.urls_with_blob(doc.source_blob)
            if not (root / (records.source_of(old) or "")).is_file()
        ]
    for old in candidates:
        if old and old != url and records.entries(old) and url_key(old) not in claims:
            return old
    return None


def _two_heirs(doc: Document, old: str, heirs: list[str]) -> SourceError:
    """Several posts look like the one once published at `old` (a renamed file and a copy of
    it): which one keeps its copies is for the author to say."""
    return SourceError(
        f"{' and '.join(heirs)} both look like the post once cross-posted as {old}; crosspost "
        "cannot tell which of them it became",
        path=doc.source,
        field="canonical_url",
        hint=f"run `crosspost records move {old} NEW_URL` with the URL of the one that keeps "
        "the copies",
    )


def shared_url_error(path: Path | None, url: str, others: str) -> SourceError:
    """The refusal of a post whose canonical URL `others` have too (`check` says the same)."""
    return SourceError(
        f"the canonical URL {url} is also the URL of {others}; the platforms and the records "
        "know a post by its URL, so neither can be cross-posted",
        path=path,
        field="canonical_url",
        hint="give each post its own slug or canonical_url, or put {lang} in the permalink",
    )


def _plan_one(
    doc: Document,
    name: str,
    adapter: Adapter,
    config: Config,
    records: Records,
    draft: bool,
    force: bool,
    now: datetime,
    previous: str | None = None,
) -> Action:
    label = doc.label
    record = record_of(doc, name, records, previous)
    caps = adapter.capabilities
    as_draft = sends_draft(config, name, draft, record)

    def act(
        kind: Kind,
        reason: str = "",
        *,
        payload: Payload | None = None,
        error: CrosspostError | None = None,
        hold: Hold | None = None,
    ) -> Action:
        return Action(
            kind,
            name,
            label,
            reason,
            doc=doc,
            payload=payload,
            record=record,
            error=error,
            moved_from=previous,
            hold=hold,
        )

    held = holds(doc, config, now, recorded=record is not None)
    if held:
        return act(Kind.HOLD, hold_reason(held[0], doc, config), hold=held[0])
    if as_draft and not caps.drafts:
        return act(Kind.HOLD, f"{adapter.display_name or name} has no drafts")
    if record is not None and record.state == "gone" and not force:
        return act(Kind.GONE, gone_reason(adapter.display_name or name, name, label, record.url))
    if record is not None and record.state == "unknown" and not force:
        return act(
            Kind.ATTENTION,
            "an earlier create may or may not have succeeded and this platform cannot be "
            f"searched; check it by hand: if it is there, {settle_by_hand(label, name)}, if "
            "not, re-run with --force to post it again",
        )
    try:
        payload = render_for(adapter, name, doc, draft=as_draft)
    except ContentError as exc:
        return act(Kind.INVALID, exc.message, error=exc)
    if record is not None and record.state == "pending":
        return act(
            Kind.RECONCILE, "an earlier run was interrupted while creating it", payload=payload
        )
    if record is None or record.state in ("unknown", "gone"):
        return act(Kind.CREATE, "new" if record is None else "forced", payload=payload)
    if record.hash == payload.hash:
        return act(Kind.SKIP, "unchanged", payload=payload)
    changed = f"moved from {previous}" if previous else "changed"
    if not caps.update:
        shown_name = adapter.display_name or name
        if record.draft and not as_draft:
            return act(
                Kind.UNSUPPORTED,
                f"a draft on {shown_name}, which crosspost cannot publish: publish it there by "
                f"hand, then {settle_by_hand(label, name)}",
                payload=payload,
            )
        return act(
            Kind.UNSUPPORTED,
            f"{changed}; crosspost cannot update a copy on {shown_name} (change it there by hand "
            f"if it matters, then {settle_by_hand(label, name)}: until then each run says so)",
            payload=payload,
        )
    return act(Kind.UPDATE, changed, payload=payload)


def settle_by_hand(post: str, platform: str) -> str:
    """The way out of a state only a human can settle (a copy that may exist, a draft or a
    change a platform cannot take): the command that records the copy as it is, with the post's
    file named from the current folder."""
    return f"run `crosspost records set {named_post(post)} --to {platform} --url URL`"


def named_post(post: str) -> str:
    """`post` as a command in a message names it: a canonical URL as is, a file relative to the
    current folder (`shown`), the one rule of every hint that the user may copy and run."""
    return post if "://" in post else str(shown(Path(post)))


def gone_reason(display: str, platform: str, post: str, url: str | None) -> str:
    """The one line for a copy deleted on the platform, with both ways forward: leave it gone
    (nothing to do; no request is spent on it again) or post it again with --force."""
    where = f" ({url})" if url else ""
    return (
        f"deleted on {display}{where}; left alone from now on. To post it there again: "
        f"crosspost publish --force --to {platform} {named_post(post)}"
    )


def record_of(
    doc: Document, platform: str, records: Records, moved_from: str | None = None
) -> Entry | None:
    """`platform`'s record of the post: under the URL it moved from (see `previous_url`), else
    under its canonical URL. Holds (site.since) and drafts are decided from this record."""
    return records.get(moved_from or doc.canonical_url, platform)


def sends_draft(config: Config, platform: str, draft: bool, record: Entry | None) -> bool:
    """Whether `platform` is sent a draft: `wants_draft`, except that a post that is live stays
    live (--draft and `publish = "draft"` are for new posts)."""
    live = record is not None and record.state == "published" and record.draft is False
    return wants_draft(config, platform, draft) and not live


def wants_draft(config: Config, platform: str, draft: bool = False) -> bool:
    """Whether `platform` gets a draft: `--draft`, or `publish = "draft"` in its table."""
    platform_config = config.platforms.get(platform)
    return draft or (platform_config is not None and platform_config.publish == "draft")


def render_for(adapter: Adapter, platform: str, doc: Document, *, draft: bool) -> Payload:
    """`adapter.render`, with a `ContentError` located at the post and the platform, so that
    publishing, `check` and `preview` name a refused post the same way.

    Any other exception is a bug in the adapter (a plugin's, often): it becomes a `ContentError`
    for this post and platform, with the traceback logged, so the other platforms still run.
    """
    try:
        return adapter.render(doc, draft=draft)
    except ContentError as exc:
        exc.post = exc.post or doc.label
        exc.platform = exc.platform or platform
        raise
    except Exception as exc:
        log.exception("%s: rendering %s failed", platform, doc.label)
        raise ContentError(
            f"the adapter failed to render the post: {type(exc).__name__}: {exc}",
            platform=platform,
            post=doc.label,
            hint="this is a bug in the adapter; please report it",
        ) from exc


class Hold(StrEnum):
    """Why a post is not sent now, whatever the platform (`check` counts these too)."""

    DRAFT = "draft"  # draft: true in the source
    UNBUILT = "unbuilt"  # the generator never builds it (Document.unbuilt says why)
    SCHEDULED = "scheduled"  # dated (or Hugo's publishDate) in the future
    EXPIRED = "expired"  # Hugo's expiryDate has passed: the site no longer builds it
    BEFORE_SINCE = "before_since"  # dated before site.since and never cross-posted


def holds(doc: Document, config: Config, now: datetime, *, recorded: bool) -> tuple[Hold, ...]:
    """Every reason `doc` is held back from all platforms now, first the one a plan reports.

    `recorded`: the post has a record on the platform in question, which lifts site.since (a
    post cross-posted before the cut-off is still kept up to date).
    """
    since = config.site.since
    found = [Hold.DRAFT] if doc.draft else []
    if doc.unbuilt:
        found.append(Hold.UNBUILT)
    published = _publishes(doc)
    if published is not None and published > now:
        found.append(Hold.SCHEDULED)
    if doc.expires is not None and doc.expires <= now:
        found.append(Hold.EXPIRED)
    if not recorded and since is not None and doc.date is not None and doc.date.date() < since:
        found.append(Hold.BEFORE_SINCE)
    return tuple(found)


def since_notice(actions: Iterable[Action], config: Config) -> Notice | None:
    """One line for the posts a plan holds because they are dated before site.since, saying how
    to include them: after `crosspost init` (since = today) that is every post, and a first
    dry run that holds them all must say why."""
    dates = {
        a.post: a.doc.date
        for a in actions
        if a.hold is Hold.BEFORE_SINCE and a.doc is not None and a.doc.date is not None
    }
    if not dates:
        return None
    oldest = min(dates.values()).date()
    where = f" in {config.path.name}" if config.path else ""
    posts = "1 post is" if len(dates) == 1 else f"{len(dates)} posts are"
    return Notice(
        f"{posts} dated before site.since ({config.site.since}) and never cross-posted: they "
        f"stay home. To cross-post older posts too, set since earlier in [site]{where} "
        f"(since = {oldest.isoformat()} takes them all)",
        "since",
    )


def hold_reason(hold: Hold, doc: Document, config: Config) -> str:
    """A hold as a plan's reason says it."""
    if hold is Hold.DRAFT:
        return "draft in the source (draft: true)"
    if hold is Hold.UNBUILT:
        return doc.unbuilt
    if hold is Hold.SCHEDULED:
        published = _publishes(doc)
        assert published is not None
        return f"scheduled for {published:%Y-%m-%d %H:%M %Z}"
    if hold is Hold.EXPIRED:
        assert doc.expires is not None
        return f"expired on {doc.expires:%Y-%m-%d %H:%M %Z}: the site no longer builds it"
    return f"dated before site.since ({config.site.since})"


def _publishes(doc: Document) -> datetime | None:
    """When the site publishes the post: its date, or a later `publishDate` (Hugo builds a
    page only once both have passed)."""
    dates = [d for d in (doc.date, doc.scheduled) if d is not None]
    return max(dates) if dates else None
