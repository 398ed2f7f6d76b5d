"""The publishing commands: publish, status, platforms, login, logout, sandbox, records move.

Registered on the `crosspost` group from `crosspost.commands`. Like the other commands they only
parse arguments, call the library and print; exit codes follow DESIGN §10 (0 done, 1 a platform
failed, 2 bad input or config, 3 needs attention).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .commands import (
    _config_option,
    console,
    fail,
    main,
    resolve_config,
    shown,
    with_shown_path,
)
from .errors import SourceError

if TYPE_CHECKING:
    from .config import Config
    from .document import Document
    from .publisher import Report, Result
    from .sandbox import Sandbox

__all__ = ["publish"]

_MARKS = {
    "created": "+",
    "updated": "~",
    "adopted": "=",
    "unchanged": " ",
    "held": "…",
    "unsupported": "!",
    "planned": "?",
    "invalid": "x",
    "failed": "x",
    "attention": "!",
}


# --------------------------------------------------------------------------- publish


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--to", "to", multiple=True, help="Only this platform (repeat for several).")
@click.option("--dry-run", is_flag=True, help="Show what would be done; send and write nothing.")
@click.option("--draft", is_flag=True, help="Create platform drafts instead of live posts.")
@click.option("--force", is_flag=True, help="Post again where an earlier outcome is unknown.")
@click.option("--sandbox", is_flag=True, help="Publish to built-in fake platforms (no account).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--wait-live",
    type=float,
    metavar="SECONDS",
    help="First wait (up to SECONDS) until each post's canonical URL and images answer 200.",
)
@click.option(
    "--github/--no-github",
    default=lambda: os.environ.get("GITHUB_ACTIONS") == "true",
    help="Run as the GitHub Action: every post at HEAD, step summary, outputs, annotations, "
    "records committed back (default: on inside GitHub Actions).",
)
@click.option(
    "--commit-records/--no-commit-records",
    default=True,
    help="With --github: commit .crosspost/records.json back after publishing.",
)
@click.option("--records-branch", metavar="BRANCH", help="With --github: keep the records there.")
@click.option("--records-message", metavar="TEXT", help="With --github: records commit message.")
@click.option(
    "--verify-new/--no-verify-new",
    default=None,
    help="Look each post without records up on the platform before creating it, in case the "
    "records were lost (default: on with --github).",
)
@_config_option
def publish(
    paths: tuple[Path, ...],
    to: tuple[str, ...],
    dry_run: bool,
    draft: bool,
    force: bool,
    sandbox: bool,
    as_json: bool,
    wait_live: float | None,
    github: bool,
    commit_records: bool,
    records_branch: str | None,
    records_message: str | None,
    verify_new: bool | None,
    config_file: Path | None,
) -> None:
    """Publish posts (files or folders; default: the content folder) to every platform.

    Each post goes to every configured platform at once; one platform failing never stops the
    others. Unchanged posts cost no request; a changed post is updated in place.
    """
    run = functools.partial(
        _publish,
        to=to,
        dry_run=dry_run,
        draft=draft,
        force=force,
        wait_live=wait_live,
        verify_new=github if verify_new is None else verify_new,
    )
    if github and not sandbox:
        from .action import ActionOptions
        from .action import run as run_action

        options = ActionOptions(
            paths=paths,
            dry_run=dry_run,
            commit_records=commit_records,
            records_branch=records_branch,
            records_message=records_message or "",
        )
        raise click.exceptions.Exit(
            run_action(
                os.environ,
                options,
                config=lambda: resolve_config(config_file, paths),
                publish=run,
                show=lambda report: _print_report(report, as_json=as_json),
            )
        )
    config = resolve_config(config_file, paths)
    try:
        if sandbox:
            with _sandbox_for(config) as box:
                report = run(box.configure(config), paths)
        else:
            report = run(config, paths)
    except KeyboardInterrupt:
        click.echo(
            "interrupted: what was published is in the records; run again to finish "
            "(interrupted creates are looked up first, never sent twice)",
            err=True,
        )
        raise click.exceptions.Exit(130) from None
    _print_report(report, as_json=as_json)
    raise click.exceptions.Exit(report.exit_code)


def _publish(
    config: Config,
    paths: Sequence[Path],
    *,
    to: Sequence[str],
    dry_run: bool,
    draft: bool,
    force: bool,
    wait_live: float | None,
    verify_new: bool,
) -> Report:
    import asyncio

    from .api import apublish

    sources: Sequence[Path | Document] = list(paths) or [config.content_dir]
    held: list[Result] = []
    if wait_live:
        from .api import collect
        from .links import hold_until_live

        found, config = collect(sources, config)
        sources, held = asyncio.run(
            hold_until_live(found, config=config, to=to or None, deadline=wait_live)
        )
    progress = _progress() if sys.stderr.isatty() and not dry_run else None
    report = asyncio.run(
        apublish(
            sources,
            to=to or None,
            config=config,
            draft=draft,
            force=force,
            dry_run=dry_run,
            progress=progress,
            verify_new=verify_new,
        )
    )
    if not report.results and not report.errors and not held:
        where = ", ".join(map(str, paths)) or str(config.content_dir)
        raise SourceError(f"no posts found in {where}", hint="pass post files or folders")
    if held:
        report = replace(report, results=report.results + tuple(held))
    return report


def _sandbox_for(config: Config) -> Sandbox:
    from .sandbox import Sandbox

    names = [n for n, pc in config.platforms.items() if pc.enabled] or None
    click.echo(
        "sandbox: publishing to fake platforms on 127.0.0.1; the blog's records are not "
        "touched (the sandbox keeps its own, discarded at the end)",
        err=True,
    )
    return Sandbox(names)


def _progress() -> Any:
    def show(result: Result) -> None:
        if result.status.value != "unchanged":
            mark = _MARKS.get(result.status.value, " ")
            where = result.url or result.message
            click.echo(f"{mark} {result.platform:<9} {_short(result.post)}  {where}", err=True)

    return show


def _print_report(report: Report, *, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report_data(report), indent=2, ensure_ascii=False))
        return
    for error in report.errors:
        click.echo(f"error: {with_shown_path(error)}", err=True)
    for notice in report.notices:
        where = shown(notice.path) if notice.path else None
        click.echo(f"warning: {replace(notice, path=where)}", err=True)
    rows = _rows(report)
    if rows:
        print_table(("post", "platform", "status", "url / reason"), rows)
    counts: dict[str, int] = {}
    for r in report.results:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to do"
    if report.errors:
        summary += f", {len(report.errors)} unreadable"
    prefix = "dry run: " if report.dry_run else ""
    click.echo(f"{prefix}{summary}")
    if report.exit_code == 3:
        click.echo(
            "needs attention: some posts may exist on a platform already; see the reasons above",
            err=True,
        )


def _rows(report: Report) -> list[tuple[str, ...]]:
    """One row per (post, platform) that did something, sorted; a post held or refused the
    same way everywhere is one row for "all" platforms."""
    by_post: dict[str, list[Result]] = {}
    for result in report.results:
        if result.status.value != "unchanged":
            by_post.setdefault(result.post, []).append(result)
    everywhere = len({r.platform for r in report.results} - {"*"})
    rows: list[tuple[str, ...]] = []
    for post, results in sorted(by_post.items()):
        outcomes = {(r.status.value, r.message) for r in results}
        if len(results) == everywhere > 1 and len(outcomes) == 1 and not results[0].url:
            status, message = outcomes.pop()
            rows.append((_short(post), "all", status, message))
            continue
        for r in sorted(results, key=lambda r: r.platform):
            done = r.status.value in ("created", "updated", "adopted")
            rows.append(
                (_short(post), r.platform, r.status.value, (r.url if done else r.message) or "")
            )
    return rows


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A table: rich on a terminal; plain, aligned and never truncated when piped or logged."""
    if sys.stdout.isatty():
        from rich.table import Table

        table = Table(*header, box=None, pad_edge=False)
        for row in rows:
            table.add_row(*row)
        console().print(table)
        return
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header) - 1)]
    for row in (header, *rows):
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, str(row[-1])]).rstrip())


def _short(post: str) -> str:
    """A post path as the user would type it: relative to the current folder when inside it."""
    return str(shown(Path(post)))


def report_data(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data (also the GitHub Action's outputs)."""
    return {
        "exit_code": report.exit_code,
        "dry_run": report.dry_run,
        "results": [
            {
                "post": r.post,
                "platform": r.platform,
                "status": r.status.value,
                "url": r.url,
                "canonical_url": r.canonical_url,
                "message": r.message,
            }
            for r in report.results
        ],
        "warnings": [str(n) for n in report.notices],
        "errors": [
            {
                "path": str(getattr(e, "path", "") or ""),
                "line": getattr(e, "line", None),
                "field": getattr(e, "field", None),
                "message": str(e),
            }
            for e in report.errors
        ],
    }


# --------------------------------------------------------------------------- status


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--to", "to", multiple=True, help="Only this platform (repeat for several).")
@click.option("--refresh", is_flag=True, help="Ask the platforms too (find by canonical URL).")
@click.option("--write", is_flag=True, help="With --refresh: save what it found in the records.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_config_option
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
    from .records import Records

    config = resolve_config(config_file, paths)
    if write and not refresh:
        fail(SourceError("--write only makes sense with --refresh", field="--write"))
    if not refresh:
        from .status import recorded

        findings = recorded(Records.read(config.records))
        _print_findings(findings, as_json=as_json, refreshed=False)
        return
    import asyncio

    from .adapter import load_adapters
    from .api import collect
    from .sources import load_post
    from .status import Verdict, apply
    from .status import refresh as refresh_findings

    sources, config = collect(list(paths) or [config.content_dir], config)
    docs, unreadable = [], []
    for source in sources:
        try:
            docs.append(load_post(source, config) if isinstance(source, Path) else source)
        except SourceError as exc:
            unreadable.append(exc)
    for problem in unreadable:
        click.echo(f"error: {problem}", err=True)

    async def run(records: Records) -> list[Any]:
        return await refresh_findings(
            docs, config=config, adapters=load_adapters(), to=to or None, records=records
        )

    if write:
        with Records.open(config.records) as records:
            findings = asyncio.run(run(records))
            changed = apply(findings, records)
    else:
        findings = asyncio.run(run(Records.read(config.records)))
        changed = 0
    _print_findings(findings, as_json=as_json, refreshed=True)
    changes = (Verdict.ADOPT, Verdict.FIX, Verdict.CLEAR, Verdict.SUSPECT)
    pending = sum(f.verdict in changes for f in findings)
    if write:
        click.echo(f"records updated: {changed} change(s) written to {config.records}")
    elif pending:
        click.echo(f"{pending} change(s) found; run again with --write to save them")
    if unreadable or any(f.verdict is Verdict.ERROR for f in findings):
        raise click.exceptions.Exit(2 if unreadable else 1)


def _print_findings(findings: Sequence[Any], *, as_json: bool, refreshed: bool) -> None:
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
    for f in findings:
        state = f.recorded.state if f.recorded else "-"
        url = (f.recorded.url if f.recorded else None) or ""
        last = f"{f.verdict.value}: {f.detail}" if refreshed else url
        lines.append((_short(f.post), f.platform, state, last))
    print_table(columns, lines)


# --------------------------------------------------------------------------- platforms


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_config_option
def platforms(as_json: bool, config_file: Path | None) -> None:
    """List the installed platforms, whether they are configured and where the token comes from."""
    from .adapter import load_adapters
    from .credentials import env_var

    config = resolve_config(config_file)
    rows = []
    for name, cls in sorted(
        load_adapters(warn=lambda m: click.echo(f"warning: {m}", err=True)).items()
    ):
        caps = cls.capabilities
        rows.append(
            {
                "name": name,
                "display_name": getattr(cls, "display_name", "") or name,
                "configured": name in config.platforms,
                "token": _token_source(name),
                "env": env_var(name),
                "update": caps.update,
                "drafts": caps.drafts,
                "find": caps.find,
                "announces": caps.announces,
                "max_tags": caps.max_tags,
                "sandbox": bool(getattr(cls, "fake", None)),
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    lines = [
        (
            f"{row['name']} ({row['display_name']})",
            "yes" if row["configured"] else "no",
            str(row["token"]),
            ", ".join(k for k in ("update", "drafts", "find", "announces") if row[k])
            or "create only",
        )
        for row in rows
    ]
    print_table(("platform", "configured", "token", "can"), lines)


def _token_source(name: str) -> str:
    """Where the token would come from, without reading its value into the output."""
    from .credentials import env_var

    if os.environ.get(env_var(name), "").strip():
        return f"env {env_var(name)}"
    try:
        import keyring

        return "keyring" if keyring.get_password("crosspost", name) else "none"
    except Exception:
        return "none (no keyring)"


# --------------------------------------------------------------------------- login / logout


@main.command()
@click.argument("platform")
@click.option("--token-stdin", is_flag=True, help="Read the token from standard input (scripts).")
@click.option(
    "--allow-plaintext",
    is_flag=True,
    help="Accept a keyring backend that stores tokens in a plain file.",
)
def login(platform: str, token_stdin: bool, allow_plaintext: bool) -> None:
    """Store PLATFORM's token in the system keyring (prompted, never echoed)."""
    from .credentials import env_var, store_token

    _known_platform(platform)
    if token_stdin:
        token = sys.stdin.read()
    else:
        token = click.prompt(f"{platform} token", hide_input=True, err=True)
    store_token(platform, token, allow_plaintext=allow_plaintext)
    click.echo(
        f"stored the {platform} token in the system keyring (service 'crosspost'); "
        f"{env_var(platform)} still takes precedence when set"
    )


@main.command()
@click.argument("platform")
def logout(platform: str) -> None:
    """Remove PLATFORM's token from the system keyring."""
    from .credentials import delete_token

    _known_platform(platform)
    removed = delete_token(platform)
    click.echo(f"removed the {platform} token" if removed else f"no {platform} token was stored")


def _known_platform(name: str) -> None:
    from .adapter import load_adapters

    known = load_adapters()
    if name not in known:
        fail(
            SourceError(
                f"unknown platform {name!r}",
                field="PLATFORM",
                hint=f"installed: {', '.join(sorted(known))}",
            )
        )


# --------------------------------------------------------------------------- sandbox


@main.command()
@click.option("--to", "to", multiple=True, help="Only this platform's fake.")
def sandbox(to: tuple[str, ...]) -> None:
    """Run the fake platforms in the foreground and print how to point crosspost at them."""
    import threading

    from .sandbox import Sandbox

    with Sandbox(to or None) as box:
        click.echo("# fake platforms on 127.0.0.1; press Ctrl-C to stop")
        click.echo("# 1. in another shell, export the sandbox tokens:")
        for key, value in box.env.items():
            click.echo(f"export {key}={value}")
        click.echo("# 2. and put these tables in crosspost.toml (or a copy of it):")
        click.echo(box.toml())
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopped", err=True)


# --------------------------------------------------------------------------- records


@main.group()
def records() -> None:
    """Maintain the records file (.crosspost/records.json)."""


@records.command("move")
@click.argument("old")
@click.argument("new")
@_config_option
def records_move(old: str, new: str, config_file: Path | None) -> None:
    """Re-key a post's records from canonical URL OLD to NEW (after a slug change).

    The platforms' copies are kept: the next publish updates them with the new canonical URL
    instead of creating new posts.
    """
    from .records import Records

    config = resolve_config(config_file)
    with Records.open(config.records) as store:
        store.move(old, new)
    click.echo(f"moved the records of {old} to {new}")
