"""`crosspost status`: what the records say, and with `--refresh`, what the platforms say.

A refresh looks every post up by canonical URL on every platform that can be searched (from one
listing of the account's posts where the platform can list, `lookups`). It is how
lost records are rebuilt and how posts cross-posted by hand before crosspost was used are adopted:
matched by canonical URL, recorded as published, and updated in place by the next publish.
A recorded copy that the search misses is read by its id where the platform can
(`Adapter.lookup`) before it is called gone: a copy that still carries an earlier URL, or an
older title the search does not recognise, is alive, and `publish --force` on a wrong `gone`
would post it twice. Nothing is written unless the caller asks (`apply`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .adapter import Adapter, AdapterClass
from .config import Config
from .destinations import follow_addresses
from .document import Document, RemotePost
from .errors import CrosspostError, shown
from .lookups import Lookups
from .ownership import foreign_copy, urls_of
from .plan import gone_reason, relative_source
from .platforms import Platforms, settle_seconds
from .record_tools import orphan_hint, rows_of
from .records import Entry, Records, age

__all__ = ["Finding", "StatusReport", "Verdict", "apply", "recorded", "refresh"]


class Verdict(StrEnum):
    OK = "ok"  # records and platform agree
    ADOPT = "adopt"  # on the platform, not (or only pending) in the records
    FIX = "fix"  # recorded under another id or URL than the platform shows
    GONE = "gone"  # recorded, and read by its id the platform says there is no such copy
    UNCONFIRMED = "unconfirmed"  # recorded, the search misses it, and it cannot be read by id
    CLEAR = "clear"  # a pending create that never happened: safe to forget
    WAIT = "wait"  # a pending create too recent to judge: the platform may not show it yet
    ABSENT = "absent"  # neither recorded nor on the platform
    UNSEARCHABLE = "unsearchable"  # the platform cannot be searched (Medium-style)
    SUSPECT = "suspect"  # unsearchable and unrecorded, but published elsewhere: may exist here
    ERROR = "error"  # the lookup failed
    MISMATCH = "mismatch"  # the recorded id holds a copy that is not this post's (records edited?)
    ORPHANED = "orphaned"  # recorded, but the post's file is gone (deleted or renamed)


@dataclass(frozen=True)
class Finding:
    """One (post, platform) compared between the records and the platform."""

    post: str
    platform: str
    canonical_url: str
    verdict: Verdict
    recorded: Entry | None = None
    remote: RemotePost | None = None
    detail: str = ""
    source: str | None = None

    @property
    def writes(self) -> bool:
        """Whether `apply` changes the records for this finding (`--write` saves it)."""
        if self.verdict in (Verdict.ADOPT, Verdict.FIX):
            return self.remote is not None
        if self.verdict is Verdict.GONE:
            return self.recorded is not None and self.recorded.state == "published"
        return self.verdict in (Verdict.SUSPECT, Verdict.CLEAR)


@dataclass(frozen=True)
class StatusReport:
    """What `status` found: a finding per (post, platform), the posts that could not be read
    (a refresh only) and how many record changes were written (with `write`)."""

    findings: list[Finding]
    unreadable: list[CrosspostError]
    changed: int = 0

    @property
    def pending(self) -> int:
        """How many findings a write would change in the records."""
        return sum(f.writes for f in self.findings)

    @property
    def failed(self) -> bool:
        """A lookup failed, or a recorded id holds another copy than the post's."""
        return any(f.verdict in (Verdict.ERROR, Verdict.MISMATCH) for f in self.findings)


def recorded(
    records: Records,
    config: Config,
    paths: Sequence[Path] = (),
    to: Sequence[str] | None = None,
) -> list[Finding]:
    """The records alone, as findings (no network): only the posts under `paths` and the
    platforms `to` when given. A record whose file is gone is ORPHANED, never "published", with
    the commands that settle it in its detail."""
    findings = []
    for row in rows_of(records, config, paths, to):
        entry = row.entry
        verdict = _RECORDED.get(entry.state, Verdict.ERROR)
        detail: str = entry.state
        if row.orphaned:
            verdict, detail = Verdict.ORPHANED, orphan_hint(row)
        post = str(row.file(config)) if row.source else row.canonical_url
        findings.append(
            Finding(
                post,
                row.platform,
                row.canonical_url,
                verdict,
                recorded=entry,
                detail=detail,
                source=row.source,
            )
        )
    return findings


_RECORDED = {"published": Verdict.OK, "gone": Verdict.GONE}


async def refresh(
    docs: Iterable[Document],
    *,
    config: Config,
    adapters: Mapping[str, AdapterClass],
    to: Sequence[str] | None = None,
    records: Records,
) -> list[Finding]:
    """Compare each post's records with what each platform has, by canonical URL."""
    platforms = Platforms(config, adapters, to)
    # The copies at the configured address only: those of an earlier one are kept aside.
    follow_addresses(records, {name: platforms.origin(name) for name in platforms.names})
    built = platforms.adapters(records)
    searchable = [n for n, a in built.items() if a.capabilities.find]
    problems = await platforms.ready(searchable)
    posts = list(docs)
    lookups = {name: Lookups(built[name], posts) for name in searchable}
    findings: list[Finding] = []
    try:
        for doc in posts:
            rel = relative_source(doc.source, config.root)
            for name, adapter in built.items():
                entry = records.get(doc.canonical_url, name)
                base = Finding(doc.label, name, doc.canonical_url, Verdict.OK, entry, source=rel)
                if not adapter.capabilities.find:
                    findings.append(_with(base, Verdict.UNSEARCHABLE, "cannot be searched"))
                elif name in problems:
                    findings.append(_with(base, Verdict.ERROR, str(problems[name])))
                else:
                    settle = (
                        settle_seconds(config, name, adapter, in_flight=True),
                        settle_seconds(config, name, adapter, in_flight=False),
                    )
                    gone = gone_reason(adapter.display_name or name, name, doc.label, None)
                    finding = await _compare(base, lookups[name].find(doc), settle, gone)
                    if finding.verdict is Verdict.GONE:
                        finding = await _by_id(finding, adapter, doc, config, records)
                    findings.append(finding)
    finally:
        await platforms.close(records if records.writable else None)
    return _suspects(findings)


def _suspects(findings: list[Finding]) -> list[Finding]:
    """Lost records and a platform that cannot be searched: if the post is on any other
    platform, it was published before and probably here too, so it must not be re-posted
    without a human's word (`unknown` needs --force)."""
    seen_elsewhere = {f.canonical_url for f in findings if f.remote is not None}
    return [
        _with(f, Verdict.SUSPECT, "not recorded, and published elsewhere: may exist here too")
        if f.verdict is Verdict.UNSEARCHABLE
        and f.recorded is None
        and f.canonical_url in seen_elsewhere
        else f
        for f in findings
    ]


async def _compare(
    base: Finding, lookup: Awaitable[RemotePost | None], settle: tuple[float, float], gone: str
) -> Finding:
    """`settle`: how old an entry must be before "not found" is believed
    (docs/architecture.md §7), for a create that got no answer (`pending`) and for a copy the
    platform confirmed; younger, the platform's lists may not show it yet (Hashnode's edge
    cache), which is `wait`, never `gone`."""
    in_flight, answered = settle
    try:
        remote = await lookup
    except CrosspostError as exc:
        return _with(base, Verdict.ERROR, str(exc))
    entry = base.recorded
    if remote is None:
        if entry is None:
            return _with(base, Verdict.ABSENT, "not published")
        if entry.state == "pending" and age(entry.at) < in_flight:
            return _with(
                base,
                Verdict.WAIT,
                f"interrupted create too recent to judge; retry in {in_flight:.0f}s",
            )
        if entry.state == "pending":
            return _with(base, Verdict.CLEAR, "interrupted create that never landed")
        if age(entry.at) < answered:
            left = answered - age(entry.at)
            return _with(
                base,
                Verdict.WAIT,
                f"recorded {entry.state} moments ago and not listed yet: the platform's reads "
                f"lag its writes; retry in {max(left, 1):.0f}s",
            )
        return _with(base, Verdict.GONE, f"recorded, but not found on the platform: {gone}")
    found = Finding(**{**base.__dict__, "remote": remote})
    if entry is None or entry.state != "published":
        return _with(found, Verdict.ADOPT, f"on the platform as {remote.url or remote.id}")
    if entry.id != remote.id:
        return _with(found, Verdict.FIX, f"recorded as {entry.id}, platform has {remote.id}")
    return _with(found, Verdict.OK, "in sync")


async def _by_id(
    finding: Finding, adapter: Adapter, doc: Document, config: Config, records: Records
) -> Finding:
    """A recorded copy the search missed, read by its id: gone only when the platform says
    there is no copy there; alive when it carries this post's URL (or the one it had before a
    move); a mismatch when it is another post's (`ownership`, the rule `publish` applies).

    A search miss alone never makes `gone`: a copy that links the post's old URL (a summary
    after a move, which cannot be edited) is not found by the new one, and the way out of
    `gone` (`publish --force`) would post it twice. Where the copy cannot be read by its id,
    the verdict says so (`unconfirmed`) and writes nothing."""
    entry = finding.recorded
    assert entry is not None
    if not adapter.capabilities.lookup or not entry.id:
        display = adapter.display_name or finding.platform
        return _with(finding, Verdict.UNCONFIRMED, _unconfirmed(display, finding))
    try:
        copy = await adapter.lookup(RemotePost(id=entry.id or "", url=entry.url, draft=entry.draft))
    except CrosspostError as exc:
        return _with(finding, Verdict.ERROR, str(exc))
    if copy is None:
        return finding
    urls = urls_of(doc, entry, moved_from=None, config=config, records=records)
    why = foreign_copy(copy, urls)
    if why is not None:
        return _with(
            finding, Verdict.MISMATCH, f"{shown(records.path)} names {why}; check the records"
        )
    carried = copy.canonical_url or copy.url or copy.id
    return _with(
        finding,
        Verdict.OK,
        f"not found by its URL, but alive at its recorded id (carrying {carried})",
    )


def _unconfirmed(display: str, finding: Finding) -> str:
    """The safe way forward for a recorded copy nobody can confirm: nothing while it is there;
    forgetting the record (then publishing) only for someone who has seen it is deleted."""
    return (
        f"recorded, but not found by its URL, and {display} cannot read a copy by its id: "
        "whether it still exists cannot be told (a copy that links the post's old URL is not "
        "found this way). If it is there, nothing to do; if you deleted it there, run "
        f"`crosspost records forget {finding.canonical_url} --to {finding.platform}`, then publish"
    )


def _with(finding: Finding, verdict: Verdict, detail: str) -> Finding:
    return Finding(**{**finding.__dict__, "verdict": verdict, "detail": detail})


def apply(findings: Iterable[Finding], records: Records) -> int:
    """Write what a refresh found: adopt and fix records, clear dead pending entries, mark
    suspects `unknown` and copies deleted on the platform `gone`.

    Adopted posts are recorded without a payload hash, so the next publish updates them to
    match the source. A `gone` entry is never removed (that would re-post on the next run): it
    is left alone until `publish --force`, which looks for the copy again before creating one.
    """
    changed = 0
    with records.bulk():
        for f in findings:
            if not f.writes:
                continue
            changed += 1
            if f.verdict in (Verdict.ADOPT, Verdict.FIX) and f.remote is not None:
                entry = Entry("published", id=f.remote.id, url=f.remote.url, draft=f.remote.draft)
                records.put(f.canonical_url, f.platform, entry, source=f.source)
            elif f.verdict is Verdict.SUSPECT:
                records.put(f.canonical_url, f.platform, Entry("unknown"), source=f.source)
            elif f.verdict is Verdict.GONE and f.recorded is not None:
                entry = f.recorded.gone()
                records.put(f.canonical_url, f.platform, entry, source=f.source)
            else:  # CLEAR
                records.remove(f.canonical_url, f.platform)
    return changed
