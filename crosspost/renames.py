"""Renamed post files: the one rule for when git's rename is the same post moved, telling the
records, and the likely renames nobody can prove.

A post file renamed *and edited* has new bytes, so the records (which know a moved file only by
its old path or its exact bytes) would take it for a new post and publish it again everywhere.
git knows better: `git diff -M` pairs a deleted file with an added one. The GitHub Action learns
the renames from the push, the CLI from the working tree (`crosspost.worktree`); both apply
`same_post` and hand the renames to `follow_renames`, which records each one
(`Records.rename_source`), so the publisher moves the post's copies instead of duplicating them.

What nobody can prove — a file gone from the records' view while a new post appears beside it —
is named by `likely`, with the `crosspost records move` command that settles it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath

from .config import Config
from .document import Document, Notice
from .errors import SourceError
from .plan import Action, Kind, relative_source
from .records import Records

__all__ = ["RENAME_SIMILARITY", "follow_renames", "likely", "same_post"]

RENAME_SIMILARITY = 90
"""Percent of a renamed file git must find unchanged to trust the rename on its own."""


def same_post(
    old_path: Path,
    new_path: Path,
    similarity: int | None,
    config: Config,
    *,
    old_text: Callable[[], str],
) -> bool:
    """Whether git's rename of `old_path` to `new_path` is the same post moved. git pairs a
    deleted file with an added one when half their lines match, which two posts made from one
    template can do; so a rename counts when nearly all the text stayed (`RENAME_SIMILARITY`),
    or the title did. `old_text` gives the old file's text (from git), asked only then."""
    if (similarity or 0) >= RENAME_SIMILARITY:
        return True
    try:
        # Here: a run where nothing was renamed never loads the parser (the no-op fast path).
        from .sources import load_post, parse_text

        old = parse_text(old_text(), path=old_path, config=config)
        new = load_post(new_path, config)
    except SourceError:
        return False
    return old.title == new.title


def follow_renames(
    renames: Iterable[tuple[Path, Path]], records: Records, config: Config
) -> dict[Path, str]:
    """Record each proven rename (old file, new file: paths on disk) whose old file is gone and
    was cross-posted; returns the new files with the canonical URL their post had. Renames the
    records cannot take (the new file is recorded already) are left alone."""
    followed: dict[Path, str] = {}
    for old_path, new_path in renames:
        old = relative_source(old_path, config.root)
        new = relative_source(new_path, config.root)
        if old is None or new is None or old_path.exists():
            continue
        url = records.url_for_source(old)
        if url is not None and records.rename_source(old, new):
            followed[new_path] = url
    return followed


def likely(actions: Sequence[Action], records: Records, config: Config) -> list[Notice]:
    """The renames a run cannot prove: a post about to be published as new while a cross-posted
    post's file is gone from the same folder, under a similar name (or as the only two of their
    kind there). Each notice names the `crosspost records move` command that makes it a move."""
    gone = {
        url: PurePosixPath(source)
        for url in records.urls()
        if (source := records.source_of(url)) and not (config.root / source).exists()
    }
    if not gone:
        return []
    from difflib import SequenceMatcher  # only when a cross-posted post's file is gone

    new_posts = {
        a.post: a.doc
        for a in actions
        if a.kind is Kind.CREATE and a.record is None and a.doc is not None and a.doc.source
    }
    notices = []
    for doc in new_posts.values():
        assert doc.source is not None
        rel = relative_source(doc.source, config.root)
        if rel is None:
            continue
        here = PurePosixPath(rel)
        beside = {url: old for url, old in gone.items() if old.parent == here.parent}
        alone = len(beside) == 1 and _new_in(new_posts.values(), here.parent, config) == 1
        for url, old in beside.items():
            close = SequenceMatcher(None, old.stem, here.stem).ratio() >= 0.5
            if close or alone:
                notices.append(
                    Notice(
                        f"looks like {old} renamed, which was cross-posted as {url}: it would "
                        f"be published again as a new post. If it is the same post, run "
                        f"`crosspost records move {url} {doc.canonical_url}` first",
                        "likely-rename",
                        path=doc.source,
                    )
                )
    return notices


def _new_in(docs: Iterable[Document], folder: PurePosixPath, config: Config) -> int:
    """How many of the new posts live in `folder` (relative to the blog root)."""
    places = (relative_source(doc.source, config.root) for doc in docs)
    return sum(rel is not None and PurePosixPath(rel).parent == folder for rel in places)
