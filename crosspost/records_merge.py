"""How two writers' records become one: the merge policy every writer uses
(docs/architecture.md §7).

Two writers touch one records file: the CLI's locked write finds that a `git pull` or another
process changed the file since it read it; the Action's push races another run's and rebases.
Both settle it here, per post × platform, so no entry either side has is ever lost (losing one
means publishing that post again).

`merge_entry`, for one post × platform both sides have:

- a settled entry (`published`, or `gone`: its copy was deleted by hand) beats `pending` and
  `unknown`;
- among entries of equal rank, the newer `at` wins (so a newer `gone` beats an older
  `published`, and the reverse); on a tie, `ours`.

`merge` (two-way, when nothing tells what either side started from): every post × platform of
both sides, both-sided ones through `merge_entry`; a post's source file is ours when we know it,
else theirs; the account caches key by key, ours winning. Its laws (tests/test_records_merge.py
proves each with hypothesis): no loss (the result has every post × platform and account key of
both sides, each entry at least as settled and as new as either side's); idempotent;
associative; commutative on the settled result (both orders choose, for every post × platform,
an entry of the same rank and `at` instant), and byte for byte when no two entries tie.

`rebase` (three-way: what we read, ours, and what is there now, `disk`), which every writer uses
when it knows what it started from (the CLI's locked write; the Action's rebase, whose ancestor
is git's stage 1, through `merge3`). Our changes are the post × platform pairs we changed since
we read, the posts whose source we set, and the posts we moved (slug changes, in order). Then:

1. a move carries to its new URL every entry the other writer left changed or added at the old
   one (an entry there as we read it is the one we moved, unless an earlier move of ours
   carried it there), without its file digest, as `Records.move` drops it;
2. a pair we did not change is theirs; a pair they did not change (or removed) is ours, a
   deliberate removal of ours included. An entry a move carried is their change, even when it
   equals the one we read at its new URL (their move of A to C, then ours of C back to A);
3. a pair both changed goes through `merge_entry`; if one side removed it, the other's changed
   entry outlives the removal (it is news that side has not seen).

So no change either side made is lost: every entry the other writer changed or added is in the
result at its post's URL after our moves, at least as settled and as new; every entry we wrote
is there unless they changed the same pair, and then the merge's choice is; nothing we moved is
left at the old URL. What `rebase` cannot know is a move made by the other writer: our change
at its old URL then comes back as a post of its own (the other writer's move looks like a
removal, which our change outlives).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .records_format import Entry, PostRecords, RecordsData

__all__ = ["Key", "merge", "merge3", "merge_entry", "moved_entry", "rebase", "when"]

Key = tuple[str, str]  # (canonical URL, platform)
_SETTLED = {"published": 1, "gone": 1}


def when(at: str | None) -> float:
    """An `at` timestamp as seconds since the epoch; an unreadable one is older than any other."""
    try:
        return datetime.fromisoformat((at or "").replace("Z", "+00:00")).timestamp()
    except ValueError:
        return float("-inf")


def merge_entry(ours: Entry, theirs: Entry) -> Entry:
    """The entry to keep for one post × platform both sides have."""
    rank_ours, rank_theirs = _SETTLED.get(ours.state, 0), _SETTLED.get(theirs.state, 0)
    if rank_ours != rank_theirs:
        return ours if rank_ours > rank_theirs else theirs
    return ours if when(ours.at) >= when(theirs.at) else theirs


def moved_entry(entry: Entry, old: str) -> Entry:
    """An entry after its post moved away from `old` keeps `was`, the canonical URL its copy
    (or the create in flight) carried: where a lookup must search for a create, and what a
    published copy still carries until the update that moves it lands (`ownership.urls_of`).
    A gone copy needs neither. The file digests (`source`, and git's `blob`) go: the copies
    still carry the old URL, so the fast path must not call the post unchanged on its bytes alone
    before a run has compared its URL and recorded it again. One rule for `Records.move` and a
    move's replay."""
    was = entry.was if entry.state == "gone" or entry.was is not None else old
    return entry.evolve(was=was, source=None, blob=None)


def merge(ours: RecordsData, theirs: RecordsData) -> RecordsData:
    """Both records documents in one, losing no entry (new objects; the inputs are untouched)."""
    posts: dict[str, PostRecords] = {}
    for url in sorted(set(theirs.posts) | set(ours.posts)):
        mine, other = ours.posts.get(url), theirs.posts.get(url)
        platforms = dict(other.platforms) if other else {}
        for name, entry in (mine.platforms if mine else {}).items():
            platforms[name] = merge_entry(entry, platforms[name]) if name in platforms else entry
        source = (mine.source if mine else None) or (other.source if other else None)
        posts[url] = PostRecords(source, platforms)
    return RecordsData(posts, _merge_accounts(ours.accounts, theirs.accounts))


def _merge_accounts(
    ours: Mapping[str, Mapping[str, Any]], theirs: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    accounts: dict[str, dict[str, Any]] = {}
    for side in (theirs, ours):
        for name, values in side.items():
            accounts[name] = {**accounts.get(name, {}), **values}
    return accounts


def merge3(ancestor: RecordsData | None, ours: RecordsData, theirs: RecordsData) -> RecordsData:
    """`rebase` when all three documents are at hand (git's stages 1, 3 and 2); without an
    ancestor (both sides created the file) the two-way `merge`. The inputs are untouched.

    Our moves are read off the documents: a post we no longer have whose copies (same `id`,
    same idempotency `key`, or `was` naming it) all turn up at one post that is new in ours."""
    if ancestor is None:
        return merge(ours, theirs)
    keys = {(u, n) for data in (ancestor, ours) for u, p in data.posts.items() for n in p.platforms}
    return rebase(
        merge(theirs, RecordsData()),  # a copy: rebase changes `disk` in place
        ours,
        base={key: ancestor.get(*key) for key in keys if ours.get(*key) != ancestor.get(*key)},
        sources={
            url
            for url, post in ours.posts.items()
            if post.source != (ancestor.posts[url].source if url in ancestor.posts else None)
        },
        base_accounts={
            name: ancestor.accounts.get(name)
            for name in set(ours.accounts) | set(ancestor.accounts)
            if ours.accounts.get(name) != ancestor.accounts.get(name)
        },
        moves=_moves(ancestor, ours),
    )


def _moves(read: RecordsData, ours: RecordsData) -> list[tuple[str, str]]:
    moves = []
    for old, post in read.posts.items():
        if not post.platforms or ours.posts.get(old, PostRecords(None, {})).platforms:
            continue
        targets = [
            new
            for new, now in ours.posts.items()
            if new not in read.posts
            and all(
                name in now.platforms and _same_copy(entry, now.platforms[name], old)
                for name, entry in post.platforms.items()
            )
        ]
        if len(targets) == 1:
            moves.append((old, targets[0]))
    return moves


def _same_copy(before: Entry, after: Entry, old: str) -> bool:
    """Whether `after` records the same remote copy (or create) as `before`, recorded at `old`."""
    return (
        after.was == old
        or (before.id is not None and after.id == before.id)
        or (before.key is not None and after.key == before.key)
    )


def rebase(
    disk: RecordsData,
    ours: RecordsData,
    *,
    base: Mapping[Key, Entry | None],
    sources: set[str],
    base_accounts: Mapping[str, dict[str, Any] | None],
    moves: Iterable[tuple[str, str]] = (),
) -> RecordsData:
    """Our changes applied onto `disk`, what another writer left since we read the file.

    `base` holds, for each post × platform we changed, the entry as we read it (None: there was
    none); `sources` the posts whose source file we set; `base_accounts` each account cache we
    changed, as we read it; `moves` the (old, new) canonical URLs of the posts we moved, in
    order. Everything else is theirs. `disk` is modified and returned.
    """
    carried: set[Key] = set()  # where our moves put the other writer's entries: their changes
    for old, new in moves:
        left = disk.posts.pop(old, None)
        for platform, entry in (left.platforms if left else {}).items():
            if entry == base.get((old, platform)) and (old, platform) not in carried:
                continue  # the entry we moved
            carried.discard((old, platform))
            carried.add((new, platform))
            moved = moved_entry(entry, old)
            post = disk.posts.setdefault(new, PostRecords(left.source if left else None, {}))
            there = post.platforms.get(platform)
            post.platforms[platform] = moved if there is None else merge_entry(there, moved)
    for (url, platform), before in base.items():
        mine, theirs = ours.get(url, platform), disk.get(url, platform)
        if (theirs == before and (url, platform) not in carried) or theirs is None:
            chosen = mine  # nobody else touched it (or they removed it): our change stands
        elif mine == before:
            chosen = theirs  # we wrote back what we read: theirs is the only change
        elif mine is None:
            chosen = theirs  # changed by another writer since: their entry outlives our removal
        else:
            chosen = merge_entry(mine, theirs)
        post = disk.posts.setdefault(url, PostRecords(None, {}))
        if chosen is None:
            post.platforms.pop(platform, None)
        else:
            post.platforms[platform] = chosen
    for url in sources:
        source = ours.posts[url].source if url in ours.posts else None
        if source and url in disk.posts:
            disk.posts[url].source = source
    for name, values_before in base_accounts.items():
        mine_values = ours.accounts.get(name, {})
        theirs_values = disk.accounts.get(name)
        if theirs_values == values_before or theirs_values is None:
            disk.accounts[name] = dict(mine_values)
        else:
            disk.accounts[name] = {**theirs_values, **mine_values}
    for url in [url for url, post in disk.posts.items() if not post.platforms]:
        del disk.posts[url]
    return disk
