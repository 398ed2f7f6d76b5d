"""Post files the push renamed, told to the records before publishing.

Only git knows a rename with edits (the publisher recognises identical bytes alone); told, the
publisher moves the post, updating its copies if its canonical URL changed, instead of posting
it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from crosspost.api import Config, Records, load_post, parse_post_text, relative_source
from crosspost.errors import SourceError

from .event import Change, ChangeKind, PushEvent
from .git import Git

__all__ = ["RENAME_SIMILARITY", "follow_renames"]

RENAME_SIMILARITY = 90  # percent of a renamed file git must find unchanged to trust the rename


def follow_renames(
    changes: Sequence[Change], *, repo: Path, config: Config, event: PushEvent
) -> dict[str, str]:
    """Record the renamed posts' new source files; returns new path → the post's URL."""
    renames = [
        (change.old_path, change.path)
        for change in changes
        if change.kind is ChangeKind.RENAMED
        and change.old_path is not None
        and _same_post(change, repo=repo, config=config, event=event)
    ]
    renamed_from: dict[str, str] = {}
    if not renames or not config.records.exists():
        return renamed_from
    with Records.open(config.records) as records:
        for old_path, new_path in renames:
            old = relative_source(repo / old_path, config.root)
            new = relative_source(repo / new_path, config.root)
            if old is None or new is None or (repo / old_path).exists():
                continue
            url = records.url_for_source(old)
            if url is not None and records.rename_source(old, new):
                renamed_from[new_path] = url
    return renamed_from


def _same_post(change: Change, *, repo: Path, config: Config, event: PushEvent) -> bool:
    """Whether git's rename is the same post moved. git pairs a deleted file with an added
    one when half their lines match, which two posts made from one template can do; so a
    rename counts when nearly all the text stayed (90 %), or the title did."""
    if (change.similarity or 0) >= RENAME_SIMILARITY:
        return True
    old_text = Git(repo)("show", f"{event.before}:{change.old_path}", check=False).stdout
    try:
        old = parse_post_text(old_text, path=repo / (change.old_path or ""), config=config)
        new = load_post(repo / change.path, config)
    except SourceError:
        return False
    return old.title == new.title
