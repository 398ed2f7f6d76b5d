"""The push that triggered the run: `$GITHUB_EVENT_PATH`, and the files it changed.

What a run publishes never depends on the push (see `crosspost.action`); what it changed is only
*reported*, and tells the records which post files git saw renamed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from crosspost.api import is_post_name

from .errors import ActionError
from .git import Git

__all__ = ["Change", "ChangeKind", "PushChanges", "PushEvent", "detect_changes", "looks_like_post"]

ZERO_SHA = "0" * 40


class ChangeKind(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    RENAMED = "renamed"
    DELETED = "deleted"


@dataclass(frozen=True)
class Change:
    """One file the push changed; paths are relative to the repository root, with `/`."""

    kind: ChangeKind
    path: str
    old_path: str | None = None
    similarity: int | None = None  # a rename's: how much of the old file git found (percent)


@dataclass(frozen=True)
class PushEvent:
    """What `$GITHUB_EVENT_PATH` says about the run's trigger."""

    name: str
    before: str | None = None
    after: str | None = None
    forced: bool = False
    commits: int = 0
    dispatch_path: str | None = None

    @classmethod
    def read(cls, env: Mapping[str, str]) -> PushEvent:
        """Parse the event file; a run without one (a local `--github` try) has no push."""
        name = env.get("GITHUB_EVENT_NAME", "")
        path = env.get("GITHUB_EVENT_PATH")
        if not path:
            return cls(name)
        try:
            payload = json.loads(Path(path).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ActionError(
                f"cannot read the event file {path}: {exc}",
                hint="GITHUB_EVENT_PATH must name the runner's event JSON",
            ) from None
        if not isinstance(payload, dict):
            raise ActionError(f"the event file {path} is not a JSON object")
        if name == "workflow_dispatch":
            inputs = payload.get("inputs")
            wanted = inputs.get("path") if isinstance(inputs, dict) else None
            chosen = wanted.strip() if isinstance(wanted, str) else ""
            return cls(name, dispatch_path=chosen or None)
        if name != "push":
            return cls(name)
        commits = payload.get("commits")
        return cls(
            name,
            before=_sha(payload.get("before")),
            after=_sha(payload.get("after")),
            forced=payload.get("forced") is True,
            commits=len(commits) if isinstance(commits, list) else 0,
        )


def _sha(value: Any) -> str | None:
    return value if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{40}", value) else None


@dataclass
class PushChanges:
    """What the push changed: `changes` is None when git cannot tell; `notes` say why."""

    changes: tuple[Change, ...] | None = None
    first_push: bool = False
    notes: list[str] = field(default_factory=list)


def detect_changes(git: Git, event: PushEvent) -> PushChanges:
    found = PushChanges()
    if event.name != "push":
        if event.name and event.name != "workflow_dispatch":
            found.notes.append(f"triggered by {event.name}: no push to report")
        return found
    if event.before is None or event.after is None:
        found.notes.append("the push event has no before/after commits: changes not reported")
        return found
    if event.before == ZERO_SHA:
        found.first_push = True
        found.notes.append("first push of this branch: every post at HEAD counts as added")
        return found
    if event.forced:
        found.notes.append(
            "force-push: the changes are the difference between the old and the new tip"
        )
    after = event.after if git.has_commit(event.after) else "HEAD"
    if not git.has_commit(event.before) and not _fetch_before(git, event):
        found.notes.append(
            f"could not tell what this push changed: {event.before[:12]} is not in the "
            "clone (shallow clone or force-push); publishing by the records as always. "
            "Use actions/checkout with fetch-depth: 0 to see the changes."
        )
        return found
    listing = git(
        "-c",
        "core.quotepath=off",
        "diff",
        "--name-status",
        "-z",
        "-M",
        "--no-ext-diff",
        event.before,
        after,
    ).stdout
    found.changes = tuple(_parse_name_status(listing))
    return found


def _fetch_before(git: Git, event: PushEvent) -> bool:
    """Bring the push's `before` commit into a shallow clone (or after a force-push)."""
    assert event.before is not None
    shallow = git("rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    if shallow:
        git(
            "fetch",
            "--quiet",
            "--no-tags",
            f"--deepen={max(event.commits, 1)}",
            "origin",
            event.after or "HEAD",
            check=False,
        )
        if git.has_commit(event.before):
            return True
    depth = ("--depth=1",) if shallow else ()
    git("fetch", "--quiet", "--no-tags", *depth, "origin", event.before, check=False)
    return git.has_commit(event.before)


def _parse_name_status(listing: str) -> Iterator[Change]:
    """`git diff --name-status -z -M` → Changes (copies count as added, type changes as edits)."""
    fields = listing.split("\0")
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status[0] in "RC":
            old, new = fields[i + 1], fields[i + 2]
            i += 3
            if status[0] == "R":
                yield Change(ChangeKind.RENAMED, new, old, int(status[1:] or 100))
            else:
                yield Change(ChangeKind.ADDED, new)
            continue
        path = fields[i + 1]
        i += 2
        kind = {"A": ChangeKind.ADDED, "D": ChangeKind.DELETED}.get(status[0], ChangeKind.MODIFIED)
        yield Change(kind, path)


def looks_like_post(path: str, folders: Sequence[str]) -> bool:
    """A deleted file was a post if it had a post's name under a scanned folder."""
    if not is_post_name(path.rsplit("/", 1)[-1]):
        return False
    return any(
        folder in (".", "") or path == folder or path.startswith(folder.rstrip("/") + "/")
        for folder in folders
    )
