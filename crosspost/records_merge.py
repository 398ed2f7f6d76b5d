"""How two writers' records become one: the merge policy every writer uses (DESIGN §7).

Two writers touch one records file: the CLI's locked write finds that a `git pull` or another
process changed the file since it read it; the Action's push races another run's and rebases.
Both settle it here, per post × platform, so no entry either side has is ever lost (losing one
means publishing that post again):

- a settled entry (`published`) beats `pending` and `unknown`;
- among entries of equal rank, the newer `at` wins; on a tie, `ours`;
- a post's source file is ours when we know it, else theirs;
- the account caches are merged key by key, ours winning.

The laws this gives (tests/test_records_merge.py proves each with hypothesis):
no loss (the result has every post × platform and account key of both sides); idempotent
(`merge(a, a) == a`); associative (`merge(merge(a, b), c) == merge(a, merge(b, c))`, since
each choice is "the first of the best"); and commutative on the settled result: both orders
choose, for every post × platform, an entry as settled (published or not) and of the same `at`
instant. Only ties differ by order (two entries equally settled at the same instant, such as
`pending` and `unknown`; two sources for one post; two values of one account key): there
`ours` wins by design, so without ties the merge is commutative byte for byte.

`rebase` is the locked write's three-way form: only the entries this writer changed since it
read the file are merged in; an entry nobody else touched takes our change as it is (including
a deliberate removal), one another writer changed meanwhile goes through `merge_entry`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .records_format import Entry, PostRecords, RecordsData

__all__ = ["Key", "merge", "merge_entry", "rebase", "when"]

Key = tuple[str, str]  # (canonical URL, platform)
_SETTLED = {"published": 1}


def when(entry: Entry) -> float:
    """An entry's `at` as a timestamp; an unreadable one is older than any other."""
    try:
        return datetime.fromisoformat(entry.at.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return float("-inf")


def merge_entry(ours: Entry, theirs: Entry) -> Entry:
    """The entry to keep for one post × platform both sides have."""
    rank_ours, rank_theirs = _SETTLED.get(ours.state, 0), _SETTLED.get(theirs.state, 0)
    if rank_ours != rank_theirs:
        return ours if rank_ours > rank_theirs else theirs
    return ours if when(ours) >= when(theirs) else theirs


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


def rebase(
    disk: RecordsData,
    ours: RecordsData,
    *,
    base: Mapping[Key, Entry | None],
    sources: set[str],
    base_accounts: Mapping[str, dict[str, Any] | None],
) -> RecordsData:
    """Our changes applied onto `disk`, what another writer left since we read the file.

    `base` holds, for each post × platform we changed, the entry as we read it (None: there was
    none); `sources` the posts whose source file we set; `base_accounts` each account cache we
    changed, as we read it. Everything else is theirs. `disk` is modified and returned.
    """
    for (url, platform), before in base.items():
        mine, theirs = ours.get(url, platform), disk.get(url, platform)
        if theirs == before or theirs is None:
            chosen = mine  # nobody else touched it (or they removed it): our change stands
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
