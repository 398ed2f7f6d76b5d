"""How the commands print: a rich console on a terminal, plain aligned text when piped, notices
as `file:line: message`, and the JSON shapes of notices, errors, documents and reports."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from crosspost.errors import CrosspostError, shown, with_shown_path

if TYPE_CHECKING:
    from rich.console import Console

    from crosspost import Document, Notice, Report

__all__ = [
    "console",
    "count",
    "document_data",
    "error_data",
    "notice_data",
    "print_notices",
    "print_table",
    "report_data",
    "short",
    "shown_notice",
]


def console(*, stderr: bool = False) -> Console:
    """A rich console on stdout (or stderr): colours only on a terminal, honours NO_COLOR."""
    from rich.console import Console  # rich costs more than the rest of a command's start-up

    stream: TextIO = sys.stderr if stderr else sys.stdout
    plain = not stream.isatty()
    return Console(
        file=stream,
        no_color=plain or None,
        highlight=False,
        emoji=False,
        soft_wrap=True,
        force_terminal=False if plain else None,
    )


def print_notices(notices: Iterable[Notice], *, err: bool = False) -> int:
    """Print each notice as `file:line: message`; returns how many there were."""
    number = 0
    for notice in notices:
        click.echo(f"{notice} [{notice.code}]", err=err)
        number += 1
    return number


def print_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    styles: Sequence[str | None] = (),
) -> None:
    """A table: rich on a terminal (each row in its `styles` colour, if any; a long path or URL
    folds onto the next line, never cut, so a narrow terminal still shows all of it); plain,
    aligned and never truncated when piped or logged."""
    if sys.stdout.isatty():
        from rich.table import Table  # see `console`

        table = Table(box=None, pad_edge=False)
        for name in header:
            table.add_column(name, overflow="fold")
        for number, row in enumerate(rows):
            table.add_row(*row, style=styles[number] if number < len(styles) else None)
        console().print(table)
        return
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header) - 1)]
    for row in (header, *rows):
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, str(row[-1])]).rstrip())


def short(post: str) -> str:
    """A post path as the user would type it: relative to the current folder when inside it.
    A label that is no path (a canonical URL, "*") is left as it is."""
    return post if "://" in post or post == "*" else str(shown(Path(post)))


def shown_notice(notice: Notice) -> Notice:
    """`notice` with its file named as `shown`."""
    return replace(notice, path=shown(notice.path)) if notice.path else notice


def count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def error_data(exc: CrosspostError) -> dict[str, Any]:
    path = getattr(exc, "path", None)
    return {
        "file": str(path) if path else None,
        "line": getattr(exc, "line", None),
        "field": getattr(exc, "field", None),
        "message": exc.message,
        "hint": exc.hint,
        "text": str(exc),
    }


def notice_data(notice: Notice) -> dict[str, Any]:
    return {
        "path": str(notice.path) if notice.path else None,
        "line": notice.line,
        "code": notice.code,
        "field": notice.field,
        "message": notice.message,
    }


def document_data(doc: Document) -> dict[str, Any]:
    """Every field of `doc` as JSON-ready data."""
    cover = None
    if doc.cover is not None:
        path = str(doc.cover.path) if doc.cover.path else None
        cover = {"url": doc.cover.url, "path": path, "alt": doc.cover.alt}
    return {
        "title": doc.title,
        "description": doc.description,
        "excerpt": doc.excerpt,
        "canonical_url": doc.canonical_url,
        "slug": doc.slug,
        "date": doc.date.isoformat() if doc.date else None,
        "updated": doc.updated.isoformat() if doc.updated else None,
        "draft": doc.draft,
        "lang": doc.lang,
        "tags": list(doc.tags),
        "category": doc.category,
        "series": doc.series,
        "cover": cover,
        "source": str(doc.source) if doc.source else None,
        "source_hash": doc.source_hash,
        "extra": dict(doc.extra),
        "notices": [notice_data(n) for n in doc.notices],
        "body": doc.body,
    }


def report_data(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data, every file named as the table names it (`shown`:
    relative to the current folder when under it)."""
    errors = [with_shown_path(e) for e in report.errors]
    return {
        "exit_code": report.exit_code,
        "dry_run": report.dry_run,
        "results": [
            {
                "post": short(r.post),
                "platform": r.platform,
                "status": r.status.value,
                "url": r.url,
                "canonical_url": r.canonical_url,
                "message": r.message,
            }
            for r in report.results
        ],
        "warnings": [str(shown_notice(n)) for n in report.notices],
        "errors": [
            {
                "path": str(getattr(e, "path", "") or ""),
                "line": getattr(e, "line", None),
                "field": getattr(e, "field", None),
                "message": str(e),
            }
            for e in errors
        ],
    }
