"""What the run tells the user: annotations, the step summary and the step outputs.

Every text that leaves here goes through `crosspost.api.redacted` first. The outputs are JSON lists
a later step's `fromJSON()` must always be able to parse, whatever way the run ended.
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, urlsplit

from crosspost.api import Kind, Notice, Report, Result, Status, redacted
from crosspost.errors import SourceError

from .commands import command
from .event import Change, ChangeKind, PushEvent, looks_like_post

__all__ = [
    "NO_RESULTS",
    "SUMMARY_ROWS",
    "annotate",
    "append_outputs",
    "append_summary",
    "cell",
    "changed_posts",
    "outputs",
    "stop_item",
    "summary",
    "to_json",
]

SUMMARY_ROWS = 300  # the step summary is capped at 1 MiB; a backfill can have thousands of rows
NO_RESULTS = {name: "[]" for name in ("published", "failed", "needs-attention")}

Rel = Callable[[str | Path], str]  # a post path as annotations and summaries name it


def annotate(
    out: TextIO, notes: Iterable[str], report: Report, notices: Iterable[Notice], rel: Rel
) -> None:
    write = out.write
    for note in notes:
        write(command("notice", note, title="crosspost"))
    for error in report.errors:
        if isinstance(error, SourceError) and error.path is not None:
            text = f"{error.message} ({error.hint})" if error.hint else error.message
            if error.field:
                text = f"field '{error.field}': {text}"
            write(
                command(
                    "error",
                    text,
                    file=rel(error.path),
                    line=error.line,
                    title="crosspost: cannot read this post",
                )
            )
        else:
            write(command("error", str(error), title="crosspost"))
    for result in report.listed:  # an unchanged post is never annotated
        level = _annotation_level(result)
        if level is not None:
            title = f"crosspost {result.platform}: {result.status.value}"
            write(command(level, result.message, file=rel(result.post), title=title))
    for notice in notices:
        path = rel(notice.path) if notice.path else None
        title = f"crosspost {notice.platform}" if notice.platform else "crosspost"
        write(command("warning", notice.message, file=path, line=notice.line, title=title))
    out.flush()


def _annotation_level(result: Result) -> str | None:
    if result.status in (Status.FAILED, Status.INVALID):
        return "error"
    if result.status in (Status.ATTENTION, Status.UNSUPPORTED, Status.GONE, Status.DEFERRED):
        return "warning"
    if result.status is Status.HELD and result.planned is not Kind.HOLD:
        return "warning"  # held while publishing (page not live yet, waiting for an article)
    return None


def changed_posts(
    report: Report,
    changes: Sequence[Change] | None,
    *,
    first_push: bool,
    folders: Sequence[str],
    rel: Rel,
) -> list[Change] | None:
    """This push's changes, narrowed to posts (files crosspost read, or deleted posts under the
    scanned `folders`)."""
    posts = {rel(post) for post in report.posts()}
    posts |= {
        rel(e.path) for e in report.errors if isinstance(e, SourceError) and e.path is not None
    }
    if first_push:
        return [Change(ChangeKind.ADDED, p) for p in sorted(posts)]
    if changes is None:
        return None
    kept: list[Change] = []
    for change in changes:
        if change.kind is ChangeKind.DELETED:
            if looks_like_post(change.path, folders):
                kept.append(change)
        elif change.path in posts:
            kept.append(change)
    return kept


def summary(report: Report, records: str, rel: Rel, push: Sequence[str]) -> str:
    """The step summary: counts, a table of what happened, unreadable posts, the push (`push`,
    from `push_section`) and how the records were saved."""
    shown = [
        r
        for r in report.listed
        if r.status is not Status.UNCHANGED
        and not (r.status is Status.HELD and r.planned is Kind.HOLD)
    ]
    quiet = [r for r in report.listed if r.status is Status.HELD and r.planned is Kind.HOLD]
    unchanged = report.counts().get(Status.UNCHANGED.value, 0)
    counts = [f"{len(report.published)} published"]
    if report.failed or report.errors:
        counts.append(f"{len(report.failed) + len(report.errors)} failed")
    if report.needs_attention:
        counts.append(f"{len(report.needs_attention)} need attention")
    lines = [f"### crosspost{' (dry run)' if report.dry_run else ''}: {', '.join(counts)}", ""]
    if shown:
        lines += _table(shown[:SUMMARY_ROWS], rel)
        if len(shown) > SUMMARY_ROWS:
            lines.append(f"… and {len(shown) - SUMMARY_ROWS} more (see the job log)")
        lines.append("")
    lines.append(
        f"{unchanged} unchanged, {len(quiet)} held (drafts, scheduled, or dated before site.since)."
    )
    if quiet:
        lines += ["", f"<details><summary>{len(quiet)} held</summary>", ""]
        lines += [*_table(quiet[:SUMMARY_ROWS], rel), "", "</details>"]
    if report.errors:
        lines += ["", "#### Posts that could not be read", ""]
        for error in report.errors:
            where = ""
            if isinstance(error, SourceError) and error.path is not None:
                where = rel(error.path) + (f":{error.line}" if error.line else "")
                where = f"<code>{cell(where)}</code>: "
            lines.append(
                f"- {where}{cell(error.message)}" + (f" ({cell(error.hint)})" if error.hint else "")
            )
    lines += ["", *push]
    lines += ["", f"**Records:** {records}", ""]
    return redacted("\n".join(lines))


def push_section(
    event: PushEvent, changed: Sequence[Change] | None, rename_note: Callable[[str], str]
) -> list[str]:
    """The summary's part about the trigger; `rename_note` tells what became of a renamed post."""
    if event.name == "workflow_dispatch":
        return ["#### Manual run", "", "Every post at HEAD was checked against the records."]
    if event.name != "push":
        return []
    span = f"{(event.before or '')[:7]}..{(event.after or '')[:7]}"
    lines = [f"#### This push ({span})", ""]
    if changed is None:
        lines.append(
            "Could not tell which posts it changed; every post at HEAD was checked "
            "against the records anyway."
        )
        return lines
    if not changed:
        lines.append("No post changed.")
        return lines
    lines += ["| Change | Post |", "|---|---|"]
    for change in changed:
        name = f"<code>{cell(change.path)}</code>"
        note = ""
        if change.kind is ChangeKind.RENAMED:
            name = f"<code>{cell(change.old_path or '')}</code> → {name}"
            note = f" ({rename_note(change.path)})"
        elif change.kind is ChangeKind.DELETED:
            note = " (the cross-posted copies are left as they are)"
        lines.append(f"| {change.kind.value} | {name}{note} |")
    return lines


def rename_note(path: str, report: Report, rel: Rel, old_url: str | None) -> str:
    """What became of a renamed post's copies, by what the run did to it."""
    results = [r for r in report.listed if rel(r.post) == path]
    if any(r.status is Status.CREATED for r in results):
        return "published as a new post"
    updated = [r for r in results if r.status is Status.UPDATED]
    if not updated:
        return "nothing new"
    if old_url is not None and any(r.canonical_url != old_url for r in updated):
        return "its canonical URL changed: the copies were updated"
    return "the copies were updated"


def outputs(report: Report, artifact: Path | None, rel: Rel) -> dict[str, str]:
    def item(result: Result, *, url: bool) -> dict[str, Any]:
        entry: dict[str, Any] = {"post": rel(result.post), "platform": result.platform}
        if url:
            entry.update(url=result.url, canonical_url=result.canonical_url)
        else:
            entry.update(status=result.status.value, message=result.message)
        return entry

    unreadable = [
        {
            "post": rel(e.path) if isinstance(e, SourceError) and e.path else None,
            "platform": None,
            "status": "invalid",
            "message": e.message,
        }
        for e in report.errors
    ]
    return {
        "published": to_json([item(r, url=True) for r in report.published]),
        "failed": to_json([item(r, url=False) for r in report.failed] + unreadable),
        "needs-attention": to_json([item(r, url=False) for r in report.needs_attention]),
        "records-artifact": str(artifact or ""),
    }


def stop_item(post: str | None, status: str, message: str) -> dict[str, Any]:
    """A `failed` entry for a run that stopped as a whole (no platform)."""
    return {"post": post, "platform": None, "status": status, "message": message}


def append_summary(env: Mapping[str, str], text: str) -> None:
    target = env.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(redacted(text))


def append_outputs(env: Mapping[str, str], values: Mapping[str, str]) -> None:
    target = env.get("GITHUB_OUTPUT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        for name, value in values.items():
            handle.write(_output_line(name, redacted(value)))


def cell(text: str) -> str:
    """Text made safe for a Markdown table cell that GitHub renders as HTML."""
    return html.escape(" ".join(text.split())).replace("|", "&#124;")


def link_cell(url: str) -> str:
    """A platform's answer as a table cell: an http(s) link, percent-encoded so that no
    space, newline, pipe, bracket or parenthesis can end the link or the row; anything else as
    escaped text (a `javascript:` URL is never a link)."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return cell(url)
    return f"[open]({quote(url, safe=_URL_SAFE)})"


_URL_SAFE = ":/?#@!$&'*+,;=%~-._"


def _table(results: Sequence[Result], rel: Rel) -> list[str]:
    rows = ["| Post | Platform | Status | Link |", "|---|---|---|---|"]
    for r in results:
        link = link_cell(r.url) if r.url else ""
        status = r.status.value
        if r.message and r.message != status and r.status not in (Status.CREATED, Status.UPDATED):
            status = f"{status}: {r.message}"
        rows.append(
            f"| <code>{cell(rel(r.post))}</code> | {cell(r.platform)} | {cell(status)} | {link} |"
        )
    return rows


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _output_line(name: str, value: str) -> str:
    """`name<<DELIMITER` syntax: safe for any value, newlines included."""
    delimiter = f"ghadelimiter_{uuid.uuid4()}"
    while delimiter in value:
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"
