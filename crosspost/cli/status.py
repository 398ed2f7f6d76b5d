"""`crosspost status`: the records, and with --refresh what the platforms say, printed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crosspost import api
from crosspost.errors import SourceError

from .group import config_option, fail, main, resolve_config, to_option
from .output import print_table, short

if TYPE_CHECKING:
    from crosspost.status import Finding

__all__ = ["status"]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@to_option
@click.option("--refresh", is_flag=True, help="Ask the platforms too (find by canonical URL).")
@click.option("--write", is_flag=True, help="With --refresh: save what it found in the records.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@config_option
def status(
    paths: tuple[Path, ...],
    to: tuple[str, ...],
    refresh: bool,
    write: bool,
    as_json: bool,
    config_file: Path | None,
) -> None:
    """Show the records; with --refresh compare them with the platforms.

    --refresh rebuilds lost records and adopts posts cross-posted before crosspost was used
    (matched by canonical URL). It shows what it would change and writes only with --write.
    """
    config = resolve_config(config_file, paths)
    if write and not refresh:
        fail(SourceError("--write only makes sense with --refresh", field="--write"))
    found = api.status(paths, config=config, to=to, refresh=refresh, write=write)
    for problem in found.unreadable:
        click.echo(f"error: {problem}", err=True)
    _print_findings(found.findings, as_json=as_json, refreshed=refresh)
    if not refresh:
        return
    if write:
        click.echo(
            f"records updated: {found.changed} change(s) written to {config.records}",
            err=as_json,  # stdout holds only the JSON
        )
    elif found.pending:
        click.echo(
            f"{found.pending} change(s) found; run again with --write to save them", err=as_json
        )
    if found.unreadable or found.failed:
        raise click.exceptions.Exit(2 if found.unreadable else 1)


def _print_findings(findings: Sequence[Finding], *, as_json: bool, refreshed: bool) -> None:
    if as_json:
        rows = [
            {
                "post": f.post,
                "platform": f.platform,
                "canonical_url": f.canonical_url,
                "verdict": f.verdict.value,
                "state": f.recorded.state if f.recorded else None,
                "recorded_url": f.recorded.url if f.recorded else None,
                "remote_url": f.remote.url if f.remote else None,
                "detail": f.detail,
            }
            for f in findings
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not findings:
        click.echo("no records yet" if not refreshed else "no posts found")
        return
    columns = ("post", "platform", "records", "platform says" if refreshed else "url")
    lines = []
    orphans: dict[str, str] = {}
    for f in findings:
        state: str = f.recorded.state if f.recorded else "-"
        url = (f.recorded.url if f.recorded else None) or ""
        last = f"{f.verdict.value}: {f.detail}" if refreshed else url
        if f.verdict.value == "orphaned":
            state, orphans[f.canonical_url] = "orphaned", f.detail
        lines.append((short(f.post), f.platform, state, last))
    print_table(columns, lines)
    for url, detail in orphans.items():
        click.echo(f"orphaned: {url}: {detail}", err=True)
