"""`crosspost publish`: parse the arguments, call `crosspost.api`, print the report.

Exit codes follow docs/architecture.md §10 (0 done, 1 a platform failed, 2 bad input or config,
3 needs attention). With --github the run is the GitHub Action's (`crosspost.action.run`).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crosspost import api
from crosspost.errors import ConfigError, with_shown_path
from crosspost.uptodate import record as stamp_no_op

from .group import config_option, fail, main, resolve_config, sandbox_for, to_option
from .live import RunDisplay
from .output import print_table, report_data, short, shown_notice

if TYPE_CHECKING:
    from crosspost import Config, Document, Report, Result

__all__ = ["publish"]

# --------------------------------------------------------------------------- publish


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@to_option
@click.option("--dry-run", is_flag=True, help="Show what would be done; send and write nothing.")
@click.option("--draft", is_flag=True, help="Create platform drafts instead of live posts.")
@click.option(
    "--force",
    is_flag=True,
    help="Post again where an earlier outcome is unknown or the copy was deleted.",
)
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
    "--api-host",
    "api_hosts",
    multiple=True,
    metavar="NAME=URL",
    help="With --github: an API address a platform's token may be sent to besides the "
    "platform's default, confirmed by a maintainer for that platform only, like "
    "mastodon=https://mastodon.social or devto=https://forem.example (repeat for several).",
)
@click.option(
    "--verify-new/--no-verify-new",
    default=None,
    help="Look each post without records up on the platform before creating it, in case the "
    "records were lost (default: on with --github).",
)
@config_option
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
    api_hosts: tuple[str, ...],
    verify_new: bool | None,
    config_file: Path | None,
) -> None:
    """Publish posts (files or folders; default: the content folder) to every platform.

    Each post goes to every configured platform at once; one platform failing never stops the
    others. Unchanged posts cost no request; a changed post is updated in place.
    """
    if github and not sandbox and os.environ.get("GITHUB_ACTIONS") != "true":
        # Outside Actions, ::add-mask:: would print every token in clear and the records commit
        # would be made as github-actions[bot]: refuse before anything is printed or sent.
        fail(
            ConfigError(
                "--github runs crosspost as the GitHub Action, and this is not GitHub Actions "
                "(GITHUB_ACTIONS is not 'true')",
                field="--github",
                hint="leave out --github to publish from here",
            )
        )
    display = RunDisplay.for_run(quiet=as_json or dry_run)
    run = functools.partial(
        _publish,
        to=to,
        dry_run=dry_run,
        draft=draft,
        force=force,
        wait_live=wait_live,
        verify_new=github if verify_new is None else verify_new,
        display=display,
    )
    if github and not sandbox:
        from crosspost import action

        options = action.ActionOptions(
            paths=paths,
            dry_run=dry_run,
            commit_records=commit_records,
            records_branch=records_branch,
            records_message=records_message or "",
            api_hosts=api_hosts,
        )
        raise click.exceptions.Exit(
            action.run(
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
            doing = "planning (a dry run: nothing is sent) against" if dry_run else "publishing to"
            with sandbox_for(config, doing) as box:
                report = run(box.configure(config), paths)
        else:
            report = run(config, paths)
    except KeyboardInterrupt:
        rows = _rows(display.results)
        if rows and not as_json:
            print_table(HEADER, rows, styles=[_style(row) for row in rows])
        click.echo(
            "interrupted: what was published is in the records; run again to finish "
            "(interrupted creates are looked up first, never sent twice)",
            err=True,
        )
        raise click.exceptions.Exit(130) from None
    _print_report(report, as_json=as_json)
    if not (as_json or sandbox):
        stamp_no_op(report, config, _summary(report))  # the next run may be quiet
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
    display: RunDisplay,
) -> Report:
    import asyncio  # here, not at the top: `crosspost check` and the others never need it

    sources: Sequence[Path | str | Document] = list(paths) or [config.content_dir]
    held: list[Result] = []
    if wait_live:
        found, config = api.collect(sources, config)
        sources, held = asyncio.run(
            api.hold_until_live(found, config=config, to=to or None, deadline=wait_live)
        )
    with display:
        report = asyncio.run(
            api.apublish(
                sources,
                to=to or None,
                config=config,
                draft=draft,
                force=force,
                dry_run=dry_run,
                progress=display.result,
                watch=display.event,
                verify_new=verify_new,
                follow_git=True,
            )
        )
    if not report.counts() and not report.errors and not held:
        raise api.no_posts_found(paths, config)
    if held:
        report = replace(report, listed=report.listed + tuple(held))
    return report


def _print_report(report: Report, *, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report_data(report), indent=2, ensure_ascii=False))
        return
    for error in report.errors:
        click.echo(f"error: {with_shown_path(error)}", err=True)
    for notice in report.notices:
        click.echo(f"warning: {shown_notice(notice)}", err=True)
    rows = _rows(report.listed, everywhere=_platforms(report))
    if rows:
        print_table(HEADER, rows, styles=[_style(row) for row in rows])
    click.echo(_summary(report))
    if report.exit_code == 3:
        click.echo(
            "needs attention: some posts may exist on a platform already; see the reasons above",
            err=True,
        )


def _summary(report: Report) -> str:
    """The run's last line on stdout: how many results of each status."""
    counts = report.counts()
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to do"
    if report.errors:
        summary += f", {len(report.errors)} unreadable"
    prefix = "dry run: " if report.dry_run else ""
    return f"{prefix}{summary}"


HEADER = ("post", "platform", "status", "url / reason")

_STYLES = {"failed": "red", "invalid": "red", "attention": "yellow"}
"""Row colours on a terminal: what failed, and what needs a human."""


def _style(row: Sequence[str]) -> str | None:
    return _STYLES.get(row[2])


def _platforms(report: Report) -> int:
    """How many platforms the run was for (a held post's "*" is none of them)."""
    names = {r.platform for r in report.listed} | set(report.unread.platforms)
    return len(names - {"*"})


def _rows(results: Sequence[Result], *, everywhere: int | None = None) -> list[tuple[str, ...]]:
    """One row per (post, platform) that did something, sorted; a post held or refused the
    same way on all `everywhere` platforms is one row for "all" platforms."""
    by_post: dict[str, list[Result]] = {}
    for result in results:
        if result.status.value != "unchanged":
            by_post.setdefault(result.post, []).append(result)
    if everywhere is None:
        everywhere = len({r.platform for r in results} - {"*"})
    rows: list[tuple[str, ...]] = []
    for post, results in sorted(by_post.items()):
        outcomes = {(r.status.value, r.message) for r in results}
        if len(results) == everywhere > 1 and len(outcomes) == 1 and not results[0].url:
            status, message = outcomes.pop()
            rows.append((short(post), "all", status, message))
            continue
        for r in sorted(results, key=lambda r: r.platform):
            done = r.status.value in ("created", "updated", "adopted")
            rows.append(
                (short(post), r.platform, r.status.value, (r.url if done else r.message) or "")
            )
    return rows
