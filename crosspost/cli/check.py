"""`crosspost check` and `crosspost preview`: what a post becomes, offline, printed.

What is held, clashing or refused is decided by the core (`crosspost.api.check`, built on the
planner), so `check` and `publish` can never disagree; these commands only print it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from crosspost import Notice, api
from crosspost.errors import ConfigError, ContentError, CrosspostError, shown, with_shown_path

from .group import config_option, main, resolve_config
from .output import count, document_data, error_data, notice_data, print_notices

if TYPE_CHECKING:
    from crosspost import Config
    from crosspost.check import Checked, Checkup

__all__ = ["check", "preview"]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report.")
@click.option(
    "--links",
    is_flag=True,
    help="Also check that each post's canonical URL and every image the platforms would fetch "
    "answer 200 (needs the network).",
)
@click.option(
    "--urls",
    is_flag=True,
    help="Show each post's canonical URL (and why it is held, if it is), to compare with the site.",
)
def check(
    paths: tuple[Path, ...], config_file: Path | None, as_json: bool, links: bool, urls: bool
) -> None:
    """Check the config and posts (default: the content folder) without publishing.

    Each post is rendered for every configured platform, offline. Problems that stop a post are
    errors (exit 2); what a platform will show differently, trim or drop is a warning, listed as
    file:line [platform] (exit 0). With --links, a dead link is an error (exit 1).
    """
    with _reported(as_json):
        checkup = api.check(paths, config_file=config_file, links=links)
    config = checkup.config
    for missing in checkup.tokens:
        click.echo(f"warning: {missing}; a real run would refuse to start", err=True)
    for notice in checkup.notices:
        click.echo(f"warning: {notice}", err=True)
    if checkup.placeholder_site:
        click.echo(
            f"warning: site.url is {config.site.url}, a placeholder: canonical URLs would point "
            "there; set your blog's address in [site] url",
            err=True,
        )
    if as_json:
        click.echo(json.dumps(_check_report(checkup, links=links), indent=2, ensure_ascii=False))
    else:
        _print_check(checkup, links=links, urls=urls)
    if any(item.errors for item in checkup.posts):
        raise click.exceptions.Exit(2)
    if any(item.dead for item in checkup.posts):
        raise click.exceptions.Exit(1)


@contextlib.contextmanager
def _reported(as_json: bool) -> Iterator[None]:
    """An error that stops `check` or `preview` names its file as `shown`; with --json it is
    also printed as a JSON report on stdout, so a script reading stdout is never left with
    nothing to parse. The group's handler then prints it on stderr and exits."""
    try:
        yield
    except CrosspostError as exc:
        if as_json:
            report = _stopped_report(with_shown_path(exc))
            click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        raise


def _stopped_report(exc: CrosspostError) -> dict[str, Any]:
    """The --json report of a check that could not start: no posts, one error."""
    config = getattr(exc, "path", None) if isinstance(exc, ConfigError) else None
    return {
        "config": str(config) if config else None,
        "posts": [],
        "errors": 1,
        "warnings": 0,
        "dead_links": 0,
        "error": error_data(exc),
    }


def _print_check(checkup: Checkup, *, links: bool, urls: bool = False) -> None:
    config, checked = checkup.config, checkup.posts
    if config.path is None:
        found = config.profile.name if config.profile else None
        defaults = f"the {found} profile, posts in {shown(config.content_dir)}"
        click.echo(
            f"warning: no crosspost.toml found; using {defaults if found else 'the defaults'} "
            "(run `crosspost init` to write one for this blog)",
            err=True,
        )
    warnings = drafts = old = 0
    if config.generator_notice is not None:
        warnings += print_notices([config.generator_notice])
    for item in checked:
        if item.error is not None:
            click.echo(f"{item.error} [error]")
            continue
        assert item.doc is not None
        if urls:
            click.echo(f"{item.path}: {item.address}")
        if item.clash is not None:
            click.echo(f"{item.clash} [error]")
        warnings += print_notices(item.notices)
        print_notices(
            Notice(_refusal(exc), "error", path=item.path, platform=name)
            for name, exc in item.refusals.items()
        )
        print_notices(
            Notice(_dead_link(url, status), "dead-link", path=item.path)
            for url, status in item.dead.items()
        )
        drafts += item.doc.draft
        old += item.before_since
    errors = sum(item.errors for item in checked)
    parts = [count(len(checked), "post") + " checked", count(errors, "error")]
    parts.append(count(warnings, "warning"))
    if links:
        parts.append(count(sum(len(item.dead) for item in checked), "dead link"))
    if drafts:
        parts.append(count(drafts, "draft"))
    if old:
        parts.append(f"{old} dated before site.since ({config.site.since}), never cross-posted")
    click.echo(", ".join(parts))


def _refusal(exc: ContentError) -> str:
    """A platform's refusal without the location (the notice prints file and platform)."""
    text = f"field '{exc.field}': {exc.message}" if exc.field else exc.message
    return f"{text} ({exc.hint})" if exc.hint else text


def _dead_link(url: str, status: int | str) -> str:
    if isinstance(status, int):
        return f"{url} answers HTTP {status}, not 200"
    return f"{url} cannot be fetched: {status}"


def _check_report(checkup: Checkup, *, links: bool) -> dict[str, Any]:
    checked = checkup.posts
    return {
        "config": str(checkup.config.path) if checkup.config.path else None,
        "posts": [_post_report(item, links=links) for item in checked],
        "errors": sum(item.errors for item in checked),
        "warnings": sum(len(item.notices) for item in checked),
        "dead_links": sum(len(item.dead) for item in checked),
        "config_warnings": [notice_data(n) for n in checkup.notices],
    }


def _post_report(item: Checked, *, links: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": str(item.path), "ok": not item.errors}
    doc, exc = item.doc, item.error or item.clash
    if doc is not None:
        entry |= {
            "title": doc.title,
            "canonical_url": doc.canonical_url,
            "date": doc.date.isoformat() if doc.date else None,
            "draft": doc.draft,
            "before_since": item.before_since,
            "held": item.why_held or None,
            "notices": [notice_data(n) for n in doc.notices],
            "platforms": {
                name: {"notices": [notice_data(n) for n in payload.notices], "error": None}
                for name, payload in item.payloads.items()
            }
            | {
                name: {"notices": [], "error": _content_error_data(refusal)}
                for name, refusal in item.refusals.items()
            },
        }
        if links:
            entry["links"] = dict(item.links)
    if exc is not None:
        entry["error"] = error_data(exc)
    return entry


def _content_error_data(exc: ContentError) -> dict[str, Any]:
    return {"message": exc.message, "field": exc.field, "hint": exc.hint, "text": str(exc)}


@main.command()
@click.argument("post", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html", "json"]),
    help="markdown (the default): front matter and portable body; html: the body rendered; "
    "json: all fields.",
)
@click.option(
    "--to",
    "platform",
    metavar="PLATFORM",
    help="Print instead the exact JSON body PLATFORM would receive (offline, no token needed).",
)
@click.option("--draft", is_flag=True, help="With --to: the body `publish --draft` would send.")
@config_option
def preview(
    post: Path, fmt: str | None, platform: str | None, draft: bool, config_file: Path | None
) -> None:
    """Show POST as crosspost reads it: the portable body and every field, or with --to the
    request body one platform would receive. Warnings go to stderr."""
    if platform is None and draft:
        raise click.UsageError("--draft only applies with --to PLATFORM")
    if platform is not None and fmt not in (None, "json"):
        raise click.UsageError("--to prints the platform's JSON body; leave out --format")
    post = shown(post)
    with _reported(as_json=False):
        config = resolve_config(config_file, [post])
        if platform is not None:
            _preview_payload(config, post, platform, draft=draft)
        else:
            _preview_document(config, post, fmt)


def _preview_document(config: Config, post: Path, fmt: str | None) -> None:
    """The Document of `post` as front matter and body, HTML or JSON."""
    doc = api.load_post(post, config)
    print_notices(doc.notices, err=True)
    if fmt == "json":
        click.echo(json.dumps(document_data(doc), indent=2, ensure_ascii=False))
    elif fmt == "html":
        click.echo(doc.to_html())
    else:
        fields = {k: v for k, v in document_data(doc).items() if k not in ("body", "notices")}
        click.echo(api.format_post(fields, doc.body), nl=False)


def _preview_payload(config: Config, post: Path, platform: str, *, draft: bool) -> None:
    """The request body `publish` would send `platform` for `post`, rendered offline."""
    with api.offline_renderer(config, [platform]) as renderer:
        doc = api.load_post(post, config)
        print_notices(doc.notices, err=True)
        payload = renderer.render(platform, doc, draft=draft)
    print_notices(payload.notices, err=True)
    for asset in payload.media:
        name = asset.path.name if asset.path else asset.url
        click.echo(f"note: {name} is uploaded first and attached to this body", err=True)
    click.echo(json.dumps(payload.body, indent=2, ensure_ascii=False, default=str))
