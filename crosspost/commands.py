"""The `crosspost` commands (DESIGN §10): parse arguments, call the library, print.

Shared by every command: `console()` (rich, plain when not a terminal), `print_notices()`
(`file:line: message`), `resolve_config()` (--config or the nearest crosspost.toml) and the
group itself, which turns any `CrosspostError` into one line on stderr and its exit code: a user
never sees a traceback for a problem crosspost recognised. Heavy modules (rich, PyYAML, the
Markdown renderer) are imported inside the commands that need them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from ._version import __version__
from .errors import CrosspostError, SourceError

if TYPE_CHECKING:
    from rich.console import Console

    from .config import Config
    from .document import Document, Notice

__all__ = ["console", "fail", "main", "print_notices", "resolve_config"]


def console(*, stderr: bool = False) -> Console:
    """A rich console on stdout (or stderr): colours only on a terminal, honours NO_COLOR."""
    from rich.console import Console

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
    count = 0
    for notice in notices:
        click.echo(f"{notice} [{notice.code}]", err=err)
        count += 1
    return count


def fail(exc: CrosspostError) -> NoReturn:
    """Report `exc` as one line on stderr and exit with its exit code."""
    click.echo(f"error: {exc}", err=True)
    raise click.exceptions.Exit(exc.exit_code)


def resolve_config(config_file: Path | None, paths: Sequence[Path] = ()) -> Config:
    """--config FILE if given, else the crosspost.toml nearest the first path (or the cwd)."""
    from .config import load_config

    if config_file is not None:
        return load_config(config_file)
    return load_config(start=paths[0]) if paths else load_config()


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CrosspostError as exc:
            fail(exc)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crosspost")
def main() -> None:
    """Cross-post Markdown blog posts to dev.to, Hashnode, Medium-style APIs and Mastodon."""


_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="crosspost.toml (or pyproject.toml) to use instead of the nearest one.",
)


# --------------------------------------------------------------------------- check


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report.")
def check(paths: tuple[Path, ...], config_file: Path | None, as_json: bool) -> None:
    """Check the config and posts (default: the content folder) without publishing.

    Problems that stop a post are errors (exit 2); what a platform will show differently is a
    warning, listed as file:line (exit 0).
    """
    from .sources import find_posts, load_post

    config = resolve_config(config_file, paths)
    files = find_posts(paths or [config.content_dir], config)
    if not files:
        where = ", ".join(map(str, paths)) or str(config.content_dir)
        fail(SourceError(f"no posts found in {where}", hint="pass post files or folders"))
    results: list[tuple[Path, Document | None, SourceError | None]] = []
    for path in files:
        try:
            results.append((path, load_post(path, config), None))
        except SourceError as exc:
            results.append((path, None, exc))
    errors = sum(1 for _, _, exc in results if exc is not None)
    if as_json:
        click.echo(json.dumps(_check_report(config, results), indent=2, ensure_ascii=False))
    else:
        _print_check(config, results)
    if errors:
        raise click.exceptions.Exit(2)


def _print_check(
    config: Config, results: list[tuple[Path, Document | None, SourceError | None]]
) -> None:
    if config.path is None:
        click.echo("warning: no crosspost.toml found; using the defaults", err=True)
    warnings = errors = drafts = old = 0
    for _, doc, exc in results:
        if exc is not None:
            click.echo(f"{exc} [error]")
            errors += 1
            continue
        assert doc is not None
        warnings += print_notices(doc.notices)
        drafts += doc.draft
        old += _before_since(doc, config)
    parts = [_count(len(results), "post") + " checked", _count(errors, "error")]
    parts.append(_count(warnings, "warning"))
    if drafts:
        parts.append(_count(drafts, "draft"))
    if old:
        parts.append(f"{old} dated before site.since ({config.site.since}), never cross-posted")
    click.echo(", ".join(parts))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _before_since(doc: Document, config: Config) -> bool:
    since = config.site.since
    return since is not None and doc.date is not None and doc.date.date() < since


def _check_report(
    config: Config, results: list[tuple[Path, Document | None, SourceError | None]]
) -> dict[str, Any]:
    posts = []
    for path, doc, exc in results:
        entry: dict[str, Any] = {"path": str(path), "ok": exc is None}
        if doc is not None:
            entry |= {
                "title": doc.title,
                "canonical_url": doc.canonical_url,
                "date": doc.date.isoformat() if doc.date else None,
                "draft": doc.draft,
                "before_since": _before_since(doc, config),
                "notices": [_notice_data(n) for n in doc.notices],
            }
        if exc is not None:
            entry["error"] = {
                "message": exc.message,
                "line": exc.line,
                "field": exc.field,
                "hint": exc.hint,
                "text": str(exc),
            }
        posts.append(entry)
    return {
        "config": str(config.path) if config.path else None,
        "posts": posts,
        "errors": sum(1 for p in posts if not p["ok"]),
        "warnings": sum(len(p.get("notices", [])) for p in posts),
    }


def _notice_data(notice: Notice) -> dict[str, Any]:
    return {
        "path": str(notice.path) if notice.path else None,
        "line": notice.line,
        "code": notice.code,
        "field": notice.field,
        "message": notice.message,
    }


# --------------------------------------------------------------------------- preview


@main.command()
@click.argument("post", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html", "json"]),
    default="markdown",
    show_default=True,
    help="markdown: front matter and portable body; html: the body rendered; json: all fields.",
)
@_config_option
def preview(post: Path, fmt: str, config_file: Path | None) -> None:
    """Show POST as crosspost reads it: the portable body and every field. Warnings go to stderr."""
    from .sources import load_post

    doc = load_post(post, resolve_config(config_file, [post]))
    print_notices(doc.notices, err=True)
    if fmt == "json":
        click.echo(json.dumps(document_data(doc), indent=2, ensure_ascii=False))
    elif fmt == "html":
        click.echo(doc.to_html())
    else:
        from .front_matter import dumps

        fields = {k: v for k, v in document_data(doc).items() if k not in ("body", "notices")}
        click.echo(dumps(fields, doc.body), nl=False)


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
        "notices": [_notice_data(n) for n in doc.notices],
        "body": doc.body,
    }


# --------------------------------------------------------------------------- init


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Write a commented crosspost.toml for the blog in DIRECTORY (default: here).

    The generator (Astro, Hugo, Jekyll, Docusaurus, Eleventy, Zola, Gatsby) and the site's
    address are read from the files there. An existing crosspost.toml is never overwritten.
    """
    from .scaffold import write_config

    path, profile = write_config(directory)
    found = f"detected {profile.description}" if profile else "no generator detected"
    click.echo(f"wrote {path} ({found}); check [site] url, then uncomment your platforms")
