"""Post files the push renamed, told to the records before publishing.

Only git knows a rename with edits (the publisher recognises identical bytes alone); told, the
publisher moves the post, updating its copies if its canonical URL changed, instead of posting
it again. Which renames count is the core's rule (`crosspost.api.same_post`), the same one the
CLI applies to the working tree; this module only reads them from the push.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from crosspost.api import Config, Records, same_post
from crosspost.api import follow_renames as record_renames

from .event import Change, ChangeKind, PushEvent
from .git import Git

__all__ = ["follow_renames"]


def follow_renames(
    changes: Sequence[Change], *, repo: Path, config: Config, event: PushEvent
) -> dict[str, str]:
    """Record the renamed posts' new source files; returns new path → the post's URL."""
    renames = [
        (repo / change.old_path, repo / change.path)
        for change in changes
        if change.kind is ChangeKind.RENAMED
        and change.old_path is not None
        and _same_post(change, repo=repo, config=config, event=event)
    ]
    if not renames or not config.records.exists():
        return {}
    with Records.open(config.records) as records:
        followed = record_renames(renames, records, config)
    return {new.relative_to(repo).as_posix(): url for new, url in followed.items()}


def _same_post(change: Change, *, repo: Path, config: Config, event: PushEvent) -> bool:
    assert change.old_path is not None
    old_path = change.old_path

    def old_text() -> str:
        return Git(repo)("show", f"{event.before}:{old_path}", check=False).stdout

    return same_post(
        repo / old_path, repo / change.path, change.similarity, config, old_text=old_text
    )
