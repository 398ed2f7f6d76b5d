"""Applies a plan: platforms concurrently, records transitions crash-safe, reconcile before retry.

The records protocol (docs/architecture.md §7): before a create, `pending` with an idempotency key
is on disk; after it, `published`. A create that failed ambiguously (timeout after sending, reset,
5xx) is never sent again blindly: the post is looked up by canonical URL first (after the platform's
read lag), adopted if found, created again only when the lookup proves it absent or the platform's
idempotency key makes a resend safe, and otherwise left for a human (exit 3). Announcement platforms
(a toot about the post) run after the article platforms, per post.

It stays one module because its one job is the records protocol above, and `Publisher`'s steps
(write pending, send, reconcile, settle) are that protocol in order; spreading them over modules
would split the one rule that makes a create never happen twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from .adapter import Adapter, AdapterClass, Payload
from .config import Config, PlatformConfig
from .credentials import missing_tokens
from .destinations import AddressChange, follow_addresses, is_kept, refuse_sandbox_records
from .document import Document, Notice, RemotePost
from .errors import (
    AlreadyExistsError,
    AmbiguousError,
    ConfigError,
    CredentialError,
    CrosspostError,
    DeferredError,
    GoneError,
    LockError,
    PlatformError,
    RetryableError,
    shown,
)
from .gitindex import GitIndex, IndexReading
from .http import RetryPolicy
from .lockfile import POLL, LockUnavailable, Patience
from .lookups import Lookups
from .ownership import foreign_copy, urls_of
from .plan import (
    Action,
    Kind,
    Plan,
    PostSource,
    Unread,
    gone_reason,
    make_plan,
    relative_source,
    settle_by_hand,
    since_notice,
)
from .platforms import Platforms, announce_only, settle_seconds
from .progress import Started, Watch
from .records import LOCK_TIMEOUT, Entry, Records, age, held_too_long, now_iso, say_waiting
from .renames import follow_renames
from .renames import likely as likely_renames
from .worktree import renamed_posts

__all__ = ["Publisher", "Report", "Result", "Status"]

log = logging.getLogger("crosspost")


class Status(StrEnum):
    """What happened to one post on one platform; a `str`, so it compares with "created".

    CREATED, UPDATED and ADOPTED (it existed already: recorded, not sent again) mean the
    platform has the post. UNCHANGED: nothing to send. HELD: not now (draft, future date, before
    site.since, not live yet). UNSUPPORTED: changed, but the platform cannot update. PLANNED: a
    dry run's. INVALID: the post cannot be rendered for this platform (exit 2). FAILED: the
    platform refused or failed (exit 1). ATTENTION: it may exist and could not be checked; a
    human decides (exit 3). DEFERRED: the platform's limit resets later than the run waits (a
    daily cap); nothing was sent, the next run sends it (exit 0). GONE: its copy was deleted
    on the platform by hand; left alone until `--force` posts it again (exit 0: a verdict
    with a way forward, not a failure).
    """

    CREATED = "created"
    UPDATED = "updated"
    ADOPTED = "adopted"  # it existed already (earlier run, or made by hand): recorded, not re-sent
    UNCHANGED = "unchanged"
    HELD = "held"
    UNSUPPORTED = "unsupported"
    GONE = "gone"  # deleted on the platform by hand: left alone unless --force re-creates it
    DEFERRED = "deferred"  # the platform's limit resets after this run: the next run sends it
    PLANNED = "planned"  # dry run
    INVALID = "invalid"
    FAILED = "failed"
    ATTENTION = "attention"


_DONE = {Status.CREATED, Status.UPDATED, Status.ADOPTED}


@dataclass(frozen=True, slots=True)
class Result:
    """What happened to one post on one platform.

    `post` names the post (its file as given or found, or its canonical URL for a Document
    without a file); `url` is the copy on the platform; `message` says why, for
    anything but a plain success; `error` is the exception behind FAILED, INVALID and
    ATTENTION, for callers that branch on its class; `planned` is what a dry run would do.
    """

    post: str
    platform: str
    status: Status
    message: str = ""
    url: str | None = None
    canonical_url: str | None = None
    planned: Kind | None = None
    error: CrosspostError | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        """False for FAILED, INVALID and ATTENTION: what makes the exit code non-zero."""
        return self.status not in (Status.FAILED, Status.ATTENTION, Status.INVALID)


@dataclass(frozen=True)
class Report:
    """Every (post, platform) result of a run, the posts that could not be read, and the
    warnings about the posts that were sent (what a platform will show differently or trim).

    `results` lists them all. A no-op run over a large archive proves most posts unchanged
    without parsing them (`unread`); their results are built only when `results` is first
    read, and `counts()` counts them without it. `listed` are the results of the posts that
    were parsed: everything that was sent, held, refused or failed."""

    listed: tuple[Result, ...] = ()
    errors: tuple[CrosspostError, ...] = ()
    dry_run: bool = False
    notices: tuple[Notice, ...] = field(default=(), compare=False)
    unread: Unread = field(default_factory=Unread)

    def __repr__(self) -> str:
        """Short: a run over a large archive holds tens of thousands of results, and asyncio
        formats the repr of a finished task's result when it restores its signal handler."""
        counts = self.counts()
        return (
            f"Report({', '.join(f'{k}={v}' for k, v in sorted(counts.items()))}, "
            f"errors={len(self.errors)}, exit_code={self.exit_code})"
        )

    @functools.cached_property
    def results(self) -> tuple[Result, ...]:
        """Every (post, platform) result, the unread unchanged posts' first."""
        return (*(_passive(a) for a in self.unread.actions()), *self.listed)

    def counts(self) -> dict[str, int]:
        """How many results have each status (by its value), without building a result per
        unchanged post."""
        counts = Counter(r.status.value for r in self.listed)
        if self.unread:
            counts[Status.UNCHANGED.value] += len(self.unread)
        return dict(counts)

    def posts(self) -> set[str]:
        """Every post with a result, as `Result.post` names it."""
        return {r.post for r in self.listed} | {label for label, _ in self.unread.posts}

    @property
    def exit_code(self) -> int:
        """3 needs attention, else 2 bad input, else 1 a platform failed, else 0
        (docs/architecture.md §10). Unchanged posts never change it."""
        statuses = {r.status for r in self.listed}
        if Status.ATTENTION in statuses:
            return 3
        if (
            self.errors
            or Status.INVALID in statuses
            or any(r.error is not None and r.error.exit_code == 2 for r in self.listed)
        ):
            return 2
        if Status.FAILED in statuses:
            return 1
        return 0

    def with_status(self, *statuses: Status) -> list[Result]:
        """The results with any of `statuses`, in run order."""
        every = self.results if Status.UNCHANGED in statuses else self.listed
        return [r for r in every if r.status in statuses]

    @property
    def published(self) -> list[Result]:
        """Created, updated or adopted: the platform has the post."""
        return self.with_status(*_DONE)

    @property
    def failed(self) -> list[Result]:
        """Refused or failed by the platform, or not renderable for it."""
        return self.with_status(Status.FAILED, Status.INVALID)

    @property
    def needs_attention(self) -> list[Result]:
        """May exist on the platform and could not be checked: look, then re-run (or --force)."""
        return self.with_status(Status.ATTENTION)


Progress = Callable[[Result], None]


class Publisher:
    """One publishing run over a blog's config and records.

    `adapters` are the registered adapter classes; `to` restricts the platforms; `transports`
    can route a platform's HTTP through a custom httpx transport (tests). `progress` is called
    with each `Result` as soon as it is known; `watch` with what happens meanwhile (a platform
    starting on a post, every wait: see `crosspost.progress`). `renames` are (old file, new
    file) renames someone proved (the Action's push), and with `follow_git` those git proves in
    the blog's checkout (`crosspost.worktree`); they are recorded before planning, so a renamed
    and edited post is moved, never posted again.
    """

    def __init__(
        self,
        config: Config,
        *,
        adapters: Mapping[str, AdapterClass],
        to: Sequence[str] | None = None,
        draft: bool = False,
        force: bool = False,
        dry_run: bool = False,
        verify_new: bool = False,
        progress: Progress | None = None,
        policy: RetryPolicy | None = None,
        transports: Mapping[str, Any] | None = None,
        now: datetime | None = None,
        watch: Watch | None = None,
        renames: Sequence[tuple[Path, Path]] = (),
        follow_git: bool = False,
    ) -> None:
        self.config = config
        self.draft = draft
        self.force = force
        self.dry_run = dry_run
        self.verify_new = verify_new
        self.progress = progress
        self.policy = policy or RetryPolicy()
        self.transports = transports or {}
        self.now = now
        self.watch = watch
        self.renames = renames
        self.follow_git = follow_git
        self.platforms = Platforms(
            config, adapters, to, policy=self.policy, transports=self.transports, watch=watch
        )
        self._announce_only = announce_only(config, adapters)
        self._records: Records | None = None
        self._sightings = _Sightings((), set())
        self._expected: dict[str, list[Document]] = {}
        self._lookups: dict[str, Lookups] = {}
        self._moved: list[AddressChange] = []

    # ----------------------------------------------------------------- entry points

    async def run(
        self, sources: Iterable[PostSource], *, index: IndexReading | None = None
    ) -> Report:
        """Plan `sources` and apply the plan. `index`: git's index of the content folder asked
        already (`apublish` starts git before the adapters load), else asked here."""
        if self.dry_run:
            records, index_read = await self._load(self._read(), index)
            self._follow_moves(records)
            plan = self._plan(sources, records, index_read)
            return self._planned(plan, likely_renames(plan.listed, records, self.config))
        self._refuse_sandbox_records()
        async with contextlib.AsyncExitStack() as held:  # the lock, let go last
            records, index_read = await self._load(self._locked(held), index)
            try:
                self._records = records
                self._follow_moves(records)
                plan = self._plan(sources, records, index_read)
                refuse_without_tokens(plan, self.config)
                if plan.has_work:
                    records.decode_all()  # a damaged record stops the run before any request
                return await self._apply(plan)
            finally:
                await self.platforms.close(records)

    async def _read(self) -> Records:
        """The records as they are on disk, unlocked (a dry run writes nothing)."""
        return Records.read(self.config.records)

    async def _locked(self, held: contextlib.AsyncExitStack) -> Records:
        """The records, locked until `held` exits: at once, in this thread, when no other run
        holds them (nearly every run; a thread's start waited up to 25 ms to be scheduled on a
        busy machine, on top of the load); else tried again every `POLL` seconds on this loop,
        so that whatever else runs on it (the holder, perhaps) goes on meanwhile, and a
        cancelled or interrupted run stops waiting there and then. (A wait in a thread went on
        after its run was cancelled: the thread took the lock later for nobody, and
        `asyncio.run` waited for it before returning.)"""
        path = self.config.records
        patience = Patience(path, timeout=LOCK_TIMEOUT, waiting=lambda: say_waiting(path))
        while True:
            try:
                return held.enter_context(Records.open(path, lock_timeout=0))
            except LockError:
                try:
                    patience.held()
                except LockUnavailable:
                    raise held_too_long(path, LOCK_TIMEOUT) from None
            await asyncio.sleep(POLL)

    async def _load(
        self, load: Awaitable[Records], index: IndexReading | None
    ) -> tuple[Records, GitIndex | None]:
        """The records (`load`), and meanwhile git's index of the content folder read by git in
        its own processes (`IndexReading`, `index` when the caller started it): a no-op run
        waits for the slower of the two, not for both. The index is wanted only where there
        are records to compare."""
        if not self.config.records.is_file():
            if index is not None:
                index.close()
            return await load, None
        with index or IndexReading(self.config.content_dir, self.config.root) as reading:
            records = await load
            return records, reading.result() if records.urls_known() else None

    def _refuse_sandbox_records(self) -> None:
        """`refuse_sandbox_records` for this run's platforms (raises `ConfigError`)."""
        origins = {name: self.platforms.origin(name) for name in self.platforms.names}
        refuse_sandbox_records(self.config, origins)

    def _sandbox_notice(self) -> tuple[Notice, ...]:
        """The dry run's line for what the real run would refuse (`refuse_sandbox_records`)."""
        try:
            self._refuse_sandbox_records()
        except ConfigError as exc:
            return (Notice(f"{exc.message}; a real run would refuse ({exc.hint})", "sandbox"),)
        return ()

    def _follow_moves(self, records: Records) -> None:
        origins = {name: self.platforms.origin(name) for name in self.platforms.names}
        self._moved = follow_addresses(records, origins)
        renames = list(self.renames)
        if self.follow_git:
            renames += renamed_posts(self.config, records)
        follow_renames(renames, records, self.config)

    def plan(self, sources: Iterable[PostSource]) -> Plan:
        """The plan alone, against the records as they are on disk (no lock, no network)."""
        return self._plan(sources, Records.read(self.config.records))

    def _plan(
        self, sources: Iterable[PostSource], records: Records, index: GitIndex | None = None
    ) -> Plan:
        return make_plan(
            sources,
            config=self.config,
            adapters=self.platforms.adapters(records),
            records=records,
            draft=self.draft,
            force=self.force,
            now=self.now,
            index=index,
        )

    # ----------------------------------------------------------------- applying

    def _planned(self, plan: Plan, likely: Sequence[Notice] = ()) -> Report:
        results = [
            _passive(a)
            if a.kind not in (Kind.CREATE, Kind.UPDATE, Kind.RECONCILE)
            else Result(
                a.post,
                a.platform,
                Status.PLANNED,
                f"would {a.kind.value}: {a.reason}",
                canonical_url=a.canonical_url,
                planned=a.kind,
            )
            for a in plan.listed
        ]
        notices = (
            _notices(plan.listed)
            + self._since(plan)
            + tuple(likely)
            + self._sandbox_notice()
            + tuple(
                Notice(
                    f"{exc.message}; a real run would refuse ({exc.hint})",
                    "no-token",
                    platform=exc.platform,
                )
                for exc in token_problems(plan, self.config)
            )
        )
        return Report(
            tuple(results), plan.errors, dry_run=True, notices=notices, unread=plan.unread
        )

    async def _apply(self, plan: Plan) -> Report:
        results: list[Result] = []
        work: list[Action] = []
        with self._records_or_fail().bulk():  # bookkeeping only: nothing is sent meanwhile
            self._move_records(plan.listed)
            for refresh in plan.refresh:
                self._records_or_fail().put(
                    refresh.url, refresh.platform, refresh.entry, source=refresh.source
                )
            for action in plan.listed:
                if action.kind in (Kind.CREATE, Kind.UPDATE, Kind.RECONCILE):
                    work.append(action)
                else:
                    if action.kind is Kind.SKIP:
                        self._refresh_fingerprints(action)
                    results.append(self._emit(_passive(action)))
        # Each platform gets ready (token, account facts) on its own, so a platform with a long
        # preparation never delays the others: the run lasts as long as the slowest chain.
        readiness = {
            name: asyncio.ensure_future(self.platforms.ready_one(name))
            for name in sorted({a.platform for a in work})
        }
        gates = _Gates(work, self._announcers())
        self._expected = defaultdict(list)
        for action in work:
            if action.doc is not None and self._may_look_up(action):
                self._expected[action.platform].append(action.doc)
        self._lookups = {}
        self._sightings = _Sightings(
            work,
            {n for n, a in self.platforms.built().items() if a.capabilities.find}
            - self._announcers(),
        )
        semaphores = {name: asyncio.Semaphore(1) for name in self.platforms.names}
        deferred: dict[str, DeferredError] = {}

        async def run_one(action: Action) -> Result:
            try:
                problem = await readiness[action.platform]
                if problem is not None:
                    raise problem
                action = self._rerender(action)
                if self.platforms[action.platform].capabilities.announces:
                    held = await self._announce_gate(action, gates)
                    if held is not None:
                        return self._emit(held)
                async with semaphores[action.platform]:
                    limit = deferred.get(action.platform)
                    if self.watch is not None and limit is None:
                        self.watch(Started(action.post, action.platform, len(work)))
                    result = await self._execute(action) if limit is None else _later(action, limit)
                if isinstance(result.error, DeferredError) and limit is None:
                    deferred[action.platform] = result.error
                    result = replace(result, status=Status.DEFERRED)
            except CrosspostError as exc:
                result = _failure(action, exc)
            except Exception as exc:
                log.exception("unexpected error in %s", action.platform)
                result = _failure(
                    action,
                    PlatformError(
                        f"unexpected error: {type(exc).__name__}: {exc}",
                        platform=action.platform,
                        hint="this is a bug in crosspost or the adapter; please report it",
                    ),
                )
            gates.done(action, result)
            self._sightings.done(action, result)
            return self._emit(result)

        results += await asyncio.gather(*(run_one(a) for a in work))
        return Report(
            tuple(results),
            plan.errors,
            notices=_notices(work) + self._since(plan),
            unread=plan.unread,
        )

    def _since(self, plan: Plan) -> tuple[Notice, ...]:
        """The run's own warnings: posts held as older than site.since, nothing to announce
        after (`announce_only`), the generator left unknown."""
        found = (
            since_notice(plan.listed, self.config),
            self._announce_only,
            self.config.generator_notice,
        )
        return self._addresses(plan) + tuple(n for n in found if n is not None)

    def _addresses(self, plan: Plan) -> tuple[Notice, ...]:
        """One line per platform whose address changed: a new destination
        (`crosspost.destinations`)."""
        creates = Counter(a.platform for a in plan.listed if a.kind is Kind.CREATE)
        return tuple(
            Notice(
                f"{c.platform}'s address changed from {c.old} to {c.new}: a new destination; "
                f"{creates[c.platform]} post{'' if creates[c.platform] == 1 else 's'} to create "
                f"there; the records of {c.old} are kept (as {c.key})",
                "new-address",
                platform=c.platform,
            )
            for c in self._moved
        )

    def _move_records(self, actions: Iterable[Action]) -> None:
        """Re-key the records of posts whose canonical URL changed, so their copies are updated
        (or, where a platform cannot update, left alone) instead of posted again."""
        records = self._records_or_fail()
        moved: dict[str, Action] = {}
        for action in actions:
            if action.moved_from and action.doc is not None:
                moved.setdefault(action.moved_from, action)
        for old, action in moved.items():
            assert action.doc is not None
            new = action.doc.canonical_url
            records.move(old, new, source=relative_source(action.doc.source, self.config.root))
            log.info("the post at %s moved to %s; its records follow it", old, new)

    def _may_look_up(self, action: Action) -> bool:
        """Whether `action` looks its post up on the platform whatever the answers: the
        ownership check before an update, a reconcile, a create checked first."""
        if action.kind is Kind.CREATE:
            return (self.verify_new and action.record is None) or self._recreating(action)
        return action.kind in (Kind.UPDATE, Kind.RECONCILE)

    def _lookup(self, platform: str) -> Lookups:
        """The platform's lookups for this run: one inventory when many posts need one."""
        if platform not in self._lookups:
            adapter = self.platforms[platform]
            self._lookups[platform] = Lookups(adapter, self._expected.get(platform, []))
        return self._lookups[platform]

    def _emit(self, result: Result) -> Result:
        if self.progress is not None:
            self.progress(result)
        return result

    def _rerender(self, action: Action) -> Action:
        """Render again after `prepare` (an adapter may have learned its limits online)."""
        if action.doc is None or action.payload is None:
            return action
        adapter = self.platforms[action.platform]
        payload = adapter.render(action.doc, draft=action.payload.draft)
        return replace(action, payload=payload)

    def _announcers(self) -> set[str]:
        return {n for n, a in self.platforms.built().items() if a.capabilities.announces}

    async def _announce_gate(self, action: Action, gates: _Gates) -> Result | None:
        pc = self.config.platforms.get(action.platform) or PlatformConfig(action.platform)
        url = action.canonical_url or ""
        if pc.after == "none":
            return None
        if pc.after == "live":
            from .links import check_urls  # imports httpx: only `after = "live"` waits

            # Under the Action (confirmed_hosts set) site.url is the pull request's to set.
            trust_site = self.config.confirmed_hosts is None
            checked = await check_urls([url], site=self.config.site.url, trust_site=trust_site)
            status = checked.get(url)
            if status == 200:
                return None
            return _held(action, f"the canonical page is not live yet ({status}); will retry")
        await gates.wait(url)
        records = self._records_or_fail()
        if any(
            entry.state == "published" and not entry.draft
            for name, entry in records.entries(url).items()
            if name not in self._announcers() and not is_kept(name)
        ):
            return None
        return _held(action, "waiting for an article platform to publish it first")

    async def _execute(self, action: Action) -> Result:
        if action.kind is Kind.UPDATE:
            return await self._unowned(action) or await self._update(action)
        if action.kind is Kind.RECONCILE:
            assert action.record is not None
            return await self._reconcile(action, action.record, cause=None)
        return await self._create(action, key=uuid.uuid4().hex)

    # ----------------------------------------------------------------- transitions

    def _records_or_fail(self) -> Records:
        assert self._records is not None, "records are open during apply"
        return self._records

    def _put(self, action: Action, entry: Entry) -> None:
        assert action.doc is not None
        self._records_or_fail().put(
            action.doc.canonical_url,
            action.platform,
            entry,
            source=relative_source(action.doc.source, self.config.root),
        )

    def _published(self, action: Action, remote: RemotePost, payload: Payload | None) -> Entry:
        assert action.doc is not None
        return Entry(
            "published",
            id=remote.id,
            url=remote.url,
            hash=payload.hash if payload else None,
            draft=remote.draft,
            config=self.config.fingerprint(action.platform),
            blob=action.doc.source_blob or None,
        )

    def _refresh_fingerprints(self, action: Action) -> None:
        """An unchanged post whose file, path or config fingerprint moved: record the new ones,
        so the next run skips it on the fast path without parsing it."""
        record, doc = action.record, action.doc
        if record is None or doc is None or record.state != "published":
            return
        fingerprint = self.config.fingerprint(action.platform)
        source = relative_source(doc.source, self.config.root)
        moved = (
            source is not None and self._records_or_fail().source_of(doc.canonical_url) != source
        )
        # the blob is the content identity; an older record's sha256 goes (records_legacy)
        hashes = {"source": None, "blob": doc.source_blob or None}
        if (
            moved
            or record.config != fingerprint
            or (record.source, record.blob) != tuple(hashes.values())
        ):
            self._put(action, record.evolve(config=fingerprint, **hashes))

    async def _create(self, action: Action, *, key: str) -> Result:
        assert action.payload is not None
        alive = await self._still_there(action)
        if alive is not None:
            return alive
        if (self.verify_new and action.record is None) or self._recreating(action):
            found = await self._already_there(action)
            if found is not None:
                return found
            left = self._settling(action, action.record) if action.record else 0.0
            if left > 0 and action.record is not None:
                adapter = self.platforms[action.platform]
                why = "not among the platform's posts"
                return _failure(action, _too_soon(adapter, action, action.record, left, why))
        previous = action.record
        pending = Entry("pending", key=key)
        self._put(action, pending)
        adapter = self.platforms[action.platform]
        self._lookup(action.platform).wrote(action.canonical_url)
        try:
            remote = await adapter.create(action.payload, key=key)
        except AlreadyExistsError as exc:
            return await self._adopt(action, pending, cause=exc)
        except AmbiguousError as exc:
            log.warning("%s", exc)
            # The write may have landed at any moment until now, so the read lag runs from now.
            return await self._reconcile(action, pending.evolve(at=now_iso()), cause=exc)
        except CrosspostError as exc:
            self._restore(action, previous)
            return _failure(action, exc)
        self._put(action, self._published(action, remote, action.payload))
        return _done(action, Status.CREATED, remote)

    def _settling(self, action: Action, copy: Entry) -> float:
        """Seconds until the platform's answers about the copy `copy` records can be trusted:
        its read lag since the copy was written (Hashnode's edge cache keeps serving the old
        state for about 25 s). A "not found" before then is not a deletion
        (docs/architecture.md §7)."""
        adapter = self.platforms[action.platform]
        lag = settle_seconds(self.config, action.platform, adapter, in_flight=False)
        return max(0.0, lag - age(copy.at))

    async def _still_there(self, action: Action) -> Result | None:
        """--force on a copy recorded gone: read it by its recorded id first, where the platform
        can (`capabilities.lookup`). A copy still there, this post's by `ownership` (it may link
        the post's URL before a move, which a search by the new URL misses), is recorded again
        and never doubled; None to go on to the search and the create."""
        record = action.record
        adapter = self.platforms[action.platform]
        if record is None or record.state != "gone" or not record.id:
            return None
        if not adapter.capabilities.lookup:
            return None
        try:
            copy = await adapter.lookup(
                RemotePost(id=record.id, url=record.url, draft=record.draft)
            )
        except CrosspostError as exc:
            return _failure(action, exc)
        assert action.doc is not None
        records = self._records_or_fail()
        urls = urls_of(
            action.doc, record, moved_from=action.moved_from, config=self.config, records=records
        )
        if copy is None or foreign_copy(copy, urls) is not None:
            return None
        said = "still on the platform at its recorded id; recorded again, not posted twice"
        if adapter.capabilities.update:
            return await self._adopt_and_update(
                action, copy, recorded=said, updated=f"{said}, and updated to match"
            )
        self._put(action, replace(self._published(action, copy, None), was=record.was))
        return _done(action, Status.ADOPTED, copy, said)

    def _recreating(self, action: Action) -> bool:
        """--force on a copy recorded gone: look first where the platform can be searched, so a
        copy restored by hand (or a refresh that missed it) is adopted, never doubled."""
        record = action.record
        searchable = self.platforms[action.platform].capabilities.find
        return record is not None and record.state == "gone" and searchable

    async def _already_there(self, action: Action) -> Result | None:
        """`verify_new`: look a post without records up before creating it.

        Records can be lost (a job killed before it pushed them, a deleted file); where the
        platform can be searched, the post is then adopted, and updated to match the source,
        instead of being created twice.
        """
        assert action.doc is not None
        adapter = self.platforms[action.platform]
        if not adapter.capabilities.find:
            await self._sightings.wait(action.doc.canonical_url)
            if not self._sightings.seen(action.doc.canonical_url):
                return None
            self._put(action, Entry("unknown"))
            return _attention(
                action,
                "the post is on other platforms but not in the records (were they lost?) and "
                f"{adapter.display_name or action.platform} cannot be searched; check the "
                f"account: if it is there, {settle_by_hand(action.post, action.platform)}, "
                "if not, re-run with --force",
                None,
            )
        remote = await self._lookup(action.platform).find(action.doc)
        if remote is None:
            return None
        return await self._adopt_and_update(
            action,
            remote,
            recorded="already on the platform; recorded",
            updated="already there; updated to match",
        )

    def _restore(self, action: Action, previous: Entry | None) -> None:
        """The create provably did not happen: put back what was recorded before it."""
        assert action.doc is not None
        if previous is None:
            self._records_or_fail().remove(action.doc.canonical_url, action.platform)
        else:
            self._put(action, previous)

    async def _update(self, action: Action) -> Result:
        assert action.payload is not None
        assert action.record is not None
        record = action.record
        remote = RemotePost(id=record.id or "", url=record.url, draft=record.draft)
        adapter = self.platforms[action.platform]
        self._lookup(action.platform).wrote(action.canonical_url)
        try:
            updated = await adapter.update(remote, action.payload)
        except GoneError as exc:
            left = self._settling(action, record)
            if left > 0:
                return _failure(action, _too_soon(adapter, action, record, left, exc.message))
            log.info("%s", exc)
            self._put(action, record.gone())
            reason = gone_reason(
                adapter.display_name or action.platform, action.platform, action.post, record.url
            )
            return replace(_failure(action, exc), status=Status.GONE, message=reason)
        except AmbiguousError as exc:
            # Updates are idempotent: the next run compares and sends it again if needed.
            return _attention(action, f"{exc.message}; the next run will check again", exc)
        except CrosspostError as exc:
            return _failure(action, exc)
        self._put(action, self._published(action, updated, action.payload))
        moved = [f"moved from {action.moved_from}"] if action.moved_from else []
        said = "; ".join(moved + list(updated.notes))
        return _done(action, Status.UPDATED, updated, f"updated; {said}" if said else "")

    async def _unowned(self, action: Action) -> Result | None:
        """Before overwriting the copy the records name, read it by its id: the records come
        from a pull request too, and an id edited to another copy's (another post's article, a
        personal toot) would overwrite it, which no platform can undo. The copy must carry this
        post's canonical URL (`ownership`), else the post needs attention and nothing is sent.
        None to go on, also when the platform has no copy at that id: the update is then
        refused by the platform, which makes the copy `gone` (or, for a Hashnode draft published
        since, finds the post by this post's canonical URL). A platform that cannot read a copy
        by id (`capabilities.lookup`) is updated unconfirmed (docs/threat-model.md)."""
        assert action.doc is not None
        assert action.record is not None
        adapter = self.platforms[action.platform]
        if not adapter.capabilities.lookup:
            return None
        record = action.record
        recorded = RemotePost(id=record.id or "", url=record.url, draft=record.draft)
        try:
            copy = await adapter.lookup(recorded)
        except CrosspostError as exc:
            return _failure(action, exc)
        if copy is None:
            return None
        records = self._records_or_fail()
        urls = urls_of(
            action.doc, record, moved_from=action.moved_from, config=self.config, records=records
        )
        why = foreign_copy(copy, urls)
        if why is None:
            return None
        return _attention(
            action,
            f"{shown(records.path)}: the {action.platform} record of this post names {why}; "
            "nothing was overwritten. Check the records file (was it edited?) and the account",
            None,
        )

    async def _adopt(self, action: Action, pending: Entry, *, cause: CrosspostError) -> Result:
        """The platform says the post exists: find it and record it, never re-send."""
        try:
            remote, _ = await self._find_settled(action, pending)
        except CrosspostError as exc:
            return _attention(action, f"{cause.message}, but looking it up failed: {exc}", exc)
        if remote is None:
            return _attention(
                action,
                f"{cause.message}, but it is not among this account's posts; check the account "
                "(another account or an old draft may hold the canonical URL)",
                cause,
            )
        self._put(action, self._published(action, remote, action.payload))
        return _done(action, Status.ADOPTED, remote, "already on the platform; recorded")

    async def _reconcile(
        self, action: Action, pending: Entry, *, cause: CrosspostError | None
    ) -> Result:
        """Settle a create whose outcome is unknown (this run's, or a crashed earlier run's)."""
        adapter = self.platforms[action.platform]
        caps = adapter.capabilities
        why = cause.message if cause else "an earlier run was interrupted while creating it"
        if caps.find:
            try:
                remote, old_url = await self._find_settled(
                    action, pending, in_flight=_in_flight(cause)
                )
            except CrosspostError as exc:
                return _attention(
                    action,
                    f"{why}; looking it up failed ({exc}); the next run will check again",
                    exc,
                )
            if remote is not None and old_url:
                return await self._adopt_and_update(
                    action,
                    remote,
                    recorded="found under its old URL; recorded",
                    updated="found under its old URL; updated to the new",
                )
            if remote is not None:
                self._put(action, self._published(action, remote, action.payload))
                note = "created (confirmed by lookup)" if cause else "found; recorded"
                return _done(
                    action, Status.ADOPTED if cause is None else Status.CREATED, remote, note
                )
            return await self._resend(action, pending, why)
        if caps.idempotency_window and age(pending.at) < caps.idempotency_window:
            return await self._resend(action, pending, why)
        self._put(action, Entry("unknown", key=pending.key))
        return _attention(
            action,
            f"{why}; {adapter.display_name or action.platform} cannot be searched, so it may or "
            "may not exist now. Check the account: if it is there, "
            f"{settle_by_hand(action.post, action.platform)}; if not, re-run with --force",
            cause,
        )

    async def _adopt_and_update(
        self, action: Action, remote: RemotePost, *, recorded: str, updated: str
    ) -> Result:
        """A copy found that the records did not know (lost records, or an interrupted create
        that landed under the post's old URL): record it, then update it to the post as it is
        now. Recorded without a payload hash first, so an update that fails is retried by the
        next run instead of being taken for done."""
        assert action.doc is not None
        adapter = self.platforms[action.platform]
        adopted = self._published(action, remote, None)
        self._put(action, adopted)
        if not adapter.capabilities.update:
            return _done(action, Status.ADOPTED, remote, recorded)
        if action.payload is not None and action.payload.draft and not remote.draft:
            # A live post stays live: the draft payload was planned before it was found.
            action = replace(action, payload=adapter.render(action.doc, draft=False))
        result = await self._update(replace(action, record=adopted))
        if result.status is not Status.UPDATED:
            return result
        return replace(result, status=Status.ADOPTED, message=updated)

    async def _resend(self, action: Action, pending: Entry, why: str) -> Result:
        """Create again with the same key: the lookup proved the post absent, or the server
        deduplicates by key. A second ambiguous answer is left for the next run."""
        assert action.payload is not None
        adapter = self.platforms[action.platform]
        key = pending.key or uuid.uuid4().hex
        if pending.key is None:
            self._put(action, pending.evolve(key=key))
        self._lookup(action.platform).wrote(action.canonical_url)
        try:
            remote = await adapter.create(action.payload, key=key)
        except AlreadyExistsError as exc:
            return await self._adopt(action, pending, cause=exc)
        except AmbiguousError as exc:
            return _attention(
                action,
                f"{why}; a second try was ambiguous too ({exc}); the next run will check",
                exc,
            )
        except CrosspostError as exc:
            self._records_or_fail().remove(
                action.doc.canonical_url if action.doc else "", action.platform
            )
            return _failure(action, exc)
        self._put(action, self._published(action, remote, action.payload))
        return _done(action, Status.CREATED, remote)

    async def _find_settled(
        self, action: Action, pending: Entry, *, in_flight: bool = False
    ) -> tuple[RemotePost | None, bool]:
        """`find`, once the platform's reads can be trusted to include a create made at
        `pending.at` (Hashnode's edge cache lags about 25 s behind writes; see
        `settle_seconds` for a create that got no answer). Only "not found" waits: a post that
        shows up is the answer whenever it shows up.

        A post that moved since the create was sent is looked for under the URL the create
        carried too; True then says the copy found still points there."""
        assert action.doc is not None
        adapter = self.platforms[action.platform]
        docs = [action.doc]
        old = pending.was or action.moved_from
        if old and old != action.doc.canonical_url:
            docs.insert(0, replace(action.doc, canonical_url=old))

        settle = settle_seconds(self.config, action.platform, adapter, in_flight=in_flight)
        # The moment the platform's reads include the create: an inventory read before then
        # is listed again (time.time(), the clock `age` reads).
        settled_at = time.time() - age(pending.at) + settle
        lookups = self._lookup(action.platform)

        async def look(read_since: float | None) -> tuple[RemotePost | None, bool]:
            for doc in docs:
                found = await lookups.find(doc, read_since=read_since)
                if found is not None:
                    return found, doc is not action.doc
            return None, False

        wait = settle - age(pending.at)
        if wait > 0:
            early = await look(None)  # a create that landed ends the wait at once
            if early[0] is not None:
                return early
            log.info(
                "%s: not found yet; waiting %.1fs for the platform to settle before believing it",
                action.platform,
                wait,
            )
            await self.policy.sleep(wait)
        return await look(settled_at)


# --------------------------------------------------------------------------- helpers


class _Gates:
    """Per post: released once one article platform has published it, or all have finished."""

    def __init__(self, actions: Sequence[Action], announcers: set[str]) -> None:
        self._events: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self._remaining: dict[str, int] = defaultdict(int)
        self._announcers = announcers
        for action in actions:
            if action.platform not in announcers and action.canonical_url:
                self._remaining[action.canonical_url] += 1

    def done(self, action: Action, result: Result) -> None:
        url = action.canonical_url
        if url is None or action.platform in self._announcers:
            return
        self._remaining[url] -= 1
        if result.status in _DONE or self._remaining[url] <= 0:
            self._events[url].set()

    async def wait(self, url: str) -> None:
        if self._remaining.get(url, 0) > 0:
            await self._events[url].wait()


class _Sightings:
    """verify_new: which posts without records the searchable article platforms already had.

    A platform that cannot be searched waits for those lookups: if the post was found anywhere,
    its records were lost and it is probably here too, so it is not created blindly.
    """

    def __init__(self, actions: Iterable[Action], searchable: set[str]) -> None:
        self._remaining: dict[str, int] = defaultdict(int)
        self._events: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self._seen: set[str] = set()
        self._searchable = searchable
        for action in actions:
            if self._counts(action):
                self._remaining[action.canonical_url or ""] += 1

    def _counts(self, action: Action) -> bool:
        return (
            action.kind is Kind.CREATE
            and action.record is None
            and action.platform in self._searchable
        )

    def done(self, action: Action, result: Result) -> None:
        if not self._counts(action):
            return
        url = action.canonical_url or ""
        if result.status is Status.ADOPTED:
            self._seen.add(url)
        self._remaining[url] -= 1
        if self._remaining[url] <= 0:
            self._events[url].set()

    async def wait(self, url: str) -> None:
        if self._remaining.get(url, 0) > 0:
            await self._events[url].wait()

    def seen(self, url: str) -> bool:
        return url in self._seen


def token_problems(plan: Plan, config: Config) -> list[CredentialError]:
    """Why a platform with work in `plan` has no usable token, one error per platform."""
    busy = {a.platform for a in plan.of_kind(Kind.CREATE, Kind.UPDATE, Kind.RECONCILE)}
    return missing_tokens(busy, config.credentials)


def refuse_without_tokens(plan: Plan, config: Config) -> None:
    """Raise one `CredentialError`, a line per platform, when a platform that has work in `plan`
    has no usable token: a run publishes everywhere or nowhere for want of a token, never to
    some platforms with the same error repeated for every post of the others."""
    missing = token_problems(plan, config)
    if missing:
        names = ", ".join(exc.platform for exc in missing)
        lines = "".join(f"\n  {exc}" for exc in missing)
        raise CredentialError(f"no usable token, nothing was sent:{lines}", platform=names)


def _notices(actions: Iterable[Action]) -> tuple[Notice, ...]:
    """Warnings about the posts that have work to do: the post's own, then each payload's."""
    seen: dict[str, Notice] = {}
    for action in actions:
        if action.kind not in (Kind.CREATE, Kind.UPDATE, Kind.RECONCILE):
            continue
        own = action.doc.notices if action.doc else ()
        trims = action.payload.notices if action.payload else ()
        for notice in (*own, *trims):
            seen.setdefault(str(notice), notice)
    return tuple(seen.values())


def _in_flight(cause: CrosspostError | None) -> bool:
    """Whether a create may still be running on the platform: no answer came back (an earlier
    run crashed while sending, or this one timed out or lost the connection)."""
    return cause is None or not isinstance(cause, PlatformError) or cause.status is None


def _passive(action: Action) -> Result:
    status = {
        Kind.SKIP: Status.UNCHANGED,
        Kind.HOLD: Status.HELD,
        Kind.UNSUPPORTED: Status.UNSUPPORTED,
        Kind.ATTENTION: Status.ATTENTION,
        Kind.INVALID: Status.INVALID,
        Kind.GONE: Status.GONE,
    }[action.kind]
    record = action.record
    return Result(
        action.post,
        action.platform,
        status,
        action.reason,
        url=record.url if record else None,
        canonical_url=action.canonical_url,
        planned=action.kind,
        error=action.error,
    )


def _done(action: Action, status: Status, remote: RemotePost, message: str = "") -> Result:
    return Result(
        action.post,
        action.platform,
        status,
        message or status.value,
        url=remote.url,
        canonical_url=action.canonical_url,
        planned=action.kind,
    )


def _failure(action: Action, error: CrosspostError) -> Result:
    return Result(
        action.post,
        action.platform,
        Status.FAILED,
        str(error),
        url=action.record.url if action.record else None,
        canonical_url=action.canonical_url,
        planned=action.kind,
        error=error,
    )


def _verdict(
    action: Action, status: Status, message: str, error: CrosspostError | None = None
) -> Result:
    """A result that has no copy on the platform to point at."""
    return Result(
        action.post,
        action.platform,
        status,
        message,
        canonical_url=action.canonical_url,
        planned=action.kind,
        error=error,
    )


def _attention(action: Action, message: str, error: CrosspostError | None) -> Result:
    return _verdict(action, Status.ATTENTION, message, error)


def _too_soon(
    adapter: Adapter, action: Action, copy: Entry, left: float, why: str
) -> RetryableError:
    """A copy not found moments after it was written: neither gone nor created again."""
    return RetryableError(
        f"{why}, but the copy was written {age(copy.at):.0f}s ago and "
        f"{adapter.display_name or action.platform}'s reads lag its writes; nothing recorded or "
        "sent",
        platform=action.platform,
        retry_after=left,
        hint=f"wait {max(left, 1):.0f}s, then run the same command again",
    )


def _later(action: Action, limit: DeferredError) -> Result:
    """A post not sent because its platform's limit was met earlier in this run: one short
    line, the reason having been said once, on the post that met it."""
    message = f"deferred to the next run ({action.platform}'s limit, see above)"
    return _verdict(action, Status.DEFERRED, message, limit)


def _held(action: Action, message: str) -> Result:
    return _verdict(action, Status.HELD, message)
