"""The GitHub Action front end: `crosspost publish --github` (action.yml) calls `run` once.

What a run publishes never depends on the push that triggered it: every post at HEAD is planned
and the records decide (missing or stale → publish, unchanged → skip). Actions' `concurrency`
replaces queued runs and a run can fail or be cancelled, so the next run must catch up on
everything, and the no-op fast path keeps that full scan cheap. The push's `before`..`after` is
only *reported* (which posts it added, changed, renamed or deleted).

One module per job: `commands` (workflow commands and their escaping), `event` (the push and
what it changed), `renames` (renamed posts told to the records), `git`, `sync` (the records and
the branch: read back, committed with rebase-and-retry or to a records branch, an artifact copy
when every push fails), `report` (annotations, step summary, outputs), `signals` (a cancel saves
the records), and `run` (the lifecycle, in one function). It imports only the core's public API
(`crosspost.api`, `crosspost.errors`) and itself; no core module imports it.
"""

from __future__ import annotations

from .commands import mask_tokens
from .errors import ActionError
from .event import Change, ChangeKind, PushEvent
from .git import BOT_EMAIL, BOT_NAME
from .run import ActionOptions, ActionRun, report_stop, run
from .sync import ARTIFACT_FOLDER, DEFAULT_RECORDS_MESSAGE

__all__ = [
    "ARTIFACT_FOLDER",
    "BOT_EMAIL",
    "BOT_NAME",
    "DEFAULT_RECORDS_MESSAGE",
    "ActionError",
    "ActionOptions",
    "ActionRun",
    "Change",
    "ChangeKind",
    "PushEvent",
    "mask_tokens",
    "report_stop",
    "run",
]
