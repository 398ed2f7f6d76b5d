"""How a run looks posts up on one platform: a `find` each for a handful, one listing for more.

No platform filters by canonical URL, so `find` pages through the account's posts; a run that
looks up every post (`status --refresh`, `--verify-new`, adoption, the ownership check before
an update) would read the whole list once per post, quadratic in the account's size. Where the
adapter can list (`capabilities.lists`), more than `HANDFUL` lookups share one inventory: the
listing read once, indexed by canonical URL (docs/architecture.md §7).

The inventory must never hide a copy. The run's own writes make the URL they wrote *stale*:
its lookups go back to `find` (a fresh read). A lookup that must see what the platform held
at a moment (the settle rule: after the wait for an unanswered create, docs/architecture.md §7)
passes `read_since`, and an inventory read before then is listed again.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from .adapter import Adapter, Listed, Listing
from .document import Document, RemotePost
from .urls import normalize_url

__all__ = ["HANDFUL", "Lookups"]

HANDFUL = 3
"""Up to this many lookups on a platform go one `find` each: a `find` stops at the page holding
the post, so a few of them cost less than a listing of a large account."""


class Lookups:
    """The lookups of one run on one platform, for the posts `expected` (those it may look up):
    the inventory needs no post older than the oldest of them (when all have dates)."""

    def __init__(self, adapter: Adapter, expected: Sequence[Document]) -> None:
        self._adapter = adapter
        lister = adapter if isinstance(adapter, Listing) else None
        many = len(expected) > HANDFUL
        self._lister = lister if adapter.capabilities.lists and many else None
        self._since = _oldest([doc.date for doc in expected])
        self._index: dict[str, list[Listed]] | None = None
        self._read_at = 0.0
        self._stale: set[str] = set()
        self._lock = asyncio.Lock()

    async def find(self, doc: Document, *, read_since: float | None = None) -> RemotePost | None:
        """`doc`'s copy on the platform, or None. `read_since` (epoch seconds): the answer must
        come from a read begun no earlier, so a write settled by then is in it."""
        key = _key(doc.canonical_url)
        if self._lister is None or key is None or key in self._stale:
            return await self._adapter.find(doc)
        async with self._lock:
            if self._index is None or (read_since is not None and self._read_at < read_since):
                self._index = await self._inventory(self._lister)
        for listed in self._index.get(key, ()):
            if self._lister.is_copy_of(doc, listed):
                return listed.post
        return None

    def wrote(self, canonical_url: str | None) -> None:
        """This run sent a write for `canonical_url`: the inventory no longer tells its copy."""
        key = _key(canonical_url)
        if key is not None:
            self._stale.add(key)

    async def _inventory(self, lister: Listing) -> dict[str, list[Listed]]:
        self._read_at = time.time()
        index: dict[str, list[Listed]] = defaultdict(list)
        async for listed in lister.list_posts(since=self._since):
            key = _key(listed.post.canonical_url)
            if key is not None:
                index[key].append(listed)
        return index


def _oldest(dates: Sequence[datetime | None]) -> datetime | None:
    """The oldest date, when every post has one with a time zone (else None: list them all)."""
    aware = [d for d in dates if d is not None and d.tzinfo is not None]
    return min(aware) if aware and len(aware) == len(dates) else None


def _key(url: str | None) -> str | None:
    """The index key of a canonical URL (`normalize_url`, as `same_url` compares); None for a
    URL that cannot be compared (a platform's answer is untrusted)."""
    if not url:
        return None
    try:
        return normalize_url(url)
    except ValueError:
        return None
