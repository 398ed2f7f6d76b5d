"""Whether the copy at a recorded id is this post's: the one rule `publish` (before every update)
and `status --refresh` (before calling a copy gone or fine) share (docs/threat-model.md).

The records come from a pull request too. An entry edited to hold another copy's id (another
post's article, a personal toot) would make the next update overwrite that copy, which no
platform can undo; so the copy is read by its id (`Adapter.lookup`) and updated only when it
still carries this post's canonical URL and, where the platform tells, belongs to the token's
account. Adapters only answer lookups; what an answer means is decided here, once.
"""

from __future__ import annotations

from collections.abc import Sequence

from .config import Config
from .document import Document, RemotePost
from .records import Entry, Records
from .urls import same_url

__all__ = ["foreign_copy", "urls_of"]


def urls_of(
    doc: Document, record: Entry, *, moved_from: str | None, config: Config, records: Records
) -> list[str]:
    """The canonical URLs this post's copy may carry: its own, the one it moves from in this run,
    and `record.was`, the URL it had before a move whose update has not landed yet. `was` is in
    the records, which a pull request can edit, so it counts only for a URL that is the blog's
    own (`Config.owns`) and that no post holds records for now, under any spelling of the page
    (`Records.same_page`): never another post's URL, nor an article written by hand on the
    platform."""
    urls = [doc.canonical_url, *([moved_from] if moved_from else [])]
    was = record.was
    if (
        was
        and not any(same_url(was, url) for url in urls)
        and config.owns(was)
        and not records.same_page(was)  # however the records spell it
    ):
        urls.append(was)
    return urls


def foreign_copy(copy: RemotePost, urls: Sequence[str]) -> str | None:
    """Why `copy`, found at a recorded id, is not this post's copy (None: it is). It must carry
    one of `urls` (see `urls_of`) and must not be another account's."""
    if copy.mine is False:
        return f"the copy {copy.id} belongs to another account"
    if not any(same_url(copy.canonical_url, url) for url in urls):
        carried = f"carries {copy.canonical_url}" if copy.canonical_url else "carries no link"
        return f"the copy {copy.id} {carried}, not this post's canonical URL {urls[0]}"
    return None
