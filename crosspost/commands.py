"""The `crosspost` commands (DESIGN §10): parse arguments, call the library, print.

Shared by every command: `console()` (rich, plain when not a terminal), `print_notices()`
(`file:line: message`), `resolve_config()` (--config or the nearest crosspost.toml) and the
group itself, which turns any `CrosspostError` into one line on stderr and its exit code, and any
other exception into one scrubbed "internal error" line and exit 1: a user never sees a traceback
(CROSSPOST_DEBUG=1 shows it). Heavy modules (rich, PyYAML, the Markdown renderer) are imported
inside the commands that need them.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from ._version import __version__
from .document import Notice
from .errors import ConfigError, ContentError, CrosspostError, SourceError

if TYPE_CHECKING:
    from rich.console import Console

    from .adapter import Adapter, Payload
    from .config import Config
    from .document import Document

__all__ = [
    "console",
    "fail",
    "main",
    "offline_adapters",
    "print_notices",
    "resolve_config",
    "shown",
    "with_shown_path",
]


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
    """Report `exc` as one line on stderr (its file named as `shown`) and exit with its code."""
    click.echo(f"error: {with_shown_path(exc)}", err=True)
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
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise  # click's own ways out (exit codes, usage errors, Ctrl-C at a prompt)
        except Exception as exc:
            if os.environ.get("CROSSPOST_DEBUG") == "1":
                raise
            internal_error(exc)


def internal_error(exc: Exception) -> NoReturn:
    """A bug, not a user's mistake: one scrubbed line and exit 1, never a traceback (which could
    quote a token from a local variable or an HTTP header)."""
    from . import redact

    _mask_environment_tokens()
    text = " ".join(redact.scrub(str(exc)).split()) or "(no message)"
    click.echo(
        f"crosspost: internal error ({type(exc).__name__}): {text} — please report it; "
        "set CROSSPOST_DEBUG=1 for the traceback",
        err=True,
    )
    raise click.exceptions.Exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crosspost")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log to stderr: -v what crosspost does, -vv every HTTP request too (tokens masked).",
)
def main(verbose: int) -> None:
    """Cross-post Markdown blog posts to dev.to, Hashnode, Medium-style APIs and Mastodon."""
    if verbose:
        _log_to_stderr(verbose)


def _mask_environment_tokens() -> None:
    """Tokens not resolved yet are not registered with `redact`; the environment's are known."""
    from . import redact
    from .credentials import is_token_variable

    for name, value in os.environ.items():
        if is_token_variable(name):
            redact.register(value.strip())


def _log_to_stderr(verbose: int) -> None:
    """-v: crosspost's INFO records; -vv: its DEBUG records and every HTTP exchange (httpx,
    httpcore). Tokens are masked in every record by `crosspost.redact`'s record factory,
    whoever logs them."""
    import logging

    _mask_environment_tokens()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("crosspost").setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    for transport in ("httpx", "httpcore"):
        logging.getLogger(transport).setLevel(logging.DEBUG if verbose > 1 else logging.WARNING)


_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="crosspost.toml (or pyproject.toml) to use instead of the nearest one.",
)


# --------------------------------------------------------------------------- check


@dataclass
class _Checked:
    """One post as `check` saw it: the Document or why it cannot be read (or why it cannot be
    published: `clash`, another post has its canonical URL), each configured platform's payload
    or refusal, and (with --links) the status of each URL it references."""

    path: Path
    doc: Document | None = None
    error: SourceError | None = None
    clash: SourceError | None = None
    payloads: dict[str, Payload] = field(default_factory=dict)
    refusals: dict[str, ContentError] = field(default_factory=dict)
    links: dict[str, int | str] = field(default_factory=dict)

    @property
    def notices(self) -> list[Notice]:
        """The post's own warnings, then what each platform will trim or drop."""
        own = list(self.doc.notices) if self.doc else []
        return own + [n for payload in self.payloads.values() for n in payload.notices]

    @property
    def errors(self) -> int:
        return (self.error is not None) + (self.clash is not None) + len(self.refusals)

    @property
    def dead(self) -> dict[str, int | str]:
        return {url: status for url, status in self.links.items() if status != 200}

    def urls(self) -> set[str]:
        """The canonical page and every image the platforms would be made to fetch."""
        from .links import payload_urls

        found = {self.doc.canonical_url} if self.doc else set()
        for payload in self.payloads.values():
            found |= payload_urls(payload)
        return found


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_config_option
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
        config, files = _check_inputs(paths, config_file)
        checked = _load_all(files, config)
        _render_platforms(config, checked)
        if links:
            _check_links(config, checked)
    if _placeholder_site(config):
        click.echo(
            f"warning: site.url is {config.site.url}, a placeholder: canonical URLs would point "
            "there; set your blog's address in [site] url",
            err=True,
        )
    if as_json:
        report = _check_report(config, checked, links=links)
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print_check(config, checked, links=links, urls=urls)
    if any(item.errors for item in checked):
        raise click.exceptions.Exit(2)
    if any(item.dead for item in checked):
        raise click.exceptions.Exit(1)


def _check_inputs(paths: Sequence[Path], config_file: Path | None) -> tuple[Config, list[Path]]:
    """The config and the post files `check` reads, named relative to the current folder.

    A `.toml` among `paths` is a config to validate, not a post: the first one is the config
    used (unless --config names another), and alone it stands for its blog's content folder.
    """
    from .config import load_config
    from .discover import find_posts
    from .sources import not_a_file

    configs = [load_config(path) for path in paths if path.suffix == ".toml"]
    posts = [path for path in paths if path.suffix != ".toml"]
    for path in posts:
        if not path.is_file() and not path.is_dir():
            raise not_a_file(path)
    if config_file is not None or not configs:
        config = resolve_config(config_file, posts)
    else:
        config = configs[0]
    if not posts and configs and not config.content_dir.is_dir():
        return config, []
    files = find_posts(posts or [config.content_dir], config)
    if not files and (posts or not configs):
        where = ", ".join(map(str, posts)) or str(shown(config.content_dir))
        raise SourceError(f"no posts found in {where}", hint="pass post files or folders")
    return config, [shown(path) for path in files]


def _load_all(files: Sequence[Path], config: Config) -> list[_Checked]:
    """Every post read (or its error), then posts sharing a canonical URL marked as errors."""
    from .sources import load_post

    checked: list[_Checked] = []
    for path in files:
        try:
            checked.append(_Checked(path, doc=load_post(path, config)))
        except SourceError as exc:
            checked.append(_Checked(path, error=exc))
    _mark_clashes(checked)
    return checked


def _mark_clashes(checked: Sequence[_Checked]) -> None:
    """Two posts with one canonical URL would be published as one page on every platform (the
    second update overwriting the first, or refused as a duplicate): an error on each, naming
    the others, so the author can give them distinct addresses before anything is sent."""
    by_url: dict[str, list[_Checked]] = {}
    for item in checked:
        if item.doc is not None:
            by_url.setdefault(item.doc.canonical_url, []).append(item)
    from .plan import shared_url_error

    for url, items in by_url.items():
        for item in items if len(items) > 1 else ():
            others = ", ".join(str(other.path) for other in items if other is not item)
            item.clash = shared_url_error(item.path, url, others)


def with_shown_path(exc: CrosspostError) -> CrosspostError:
    """`exc`, its file (if it names one) renamed as `shown`."""
    path = getattr(exc, "path", None)
    if isinstance(path, Path):
        exc.path = shown(path)  # type: ignore[attr-defined]
    return exc


def shown(path: Path) -> Path:
    """`path` relative to the current folder when it is under it, as the user would type it."""
    absolute = Path(os.path.abspath(path))
    for here in {Path.cwd(), Path(os.path.realpath(Path.cwd()))}:
        if absolute.is_relative_to(here):
            return absolute.relative_to(here)
    return path


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
        "error": _error_data(exc),
    }


def _error_data(exc: CrosspostError) -> dict[str, Any]:
    path = getattr(exc, "path", None)
    return {
        "file": str(path) if path else None,
        "line": getattr(exc, "line", None),
        "field": getattr(exc, "field", None),
        "message": exc.message,
        "hint": exc.hint,
        "text": str(exc),
    }


def _placeholder_site(config: Config) -> bool:
    """site.url left at a documentation address: every canonical URL would point at it."""
    from urllib.parse import urlsplit

    host = urlsplit(config.site.url or "").hostname or ""
    return host.removeprefix("www.") in ("example.com", "example.org", "example.net")


@contextlib.contextmanager
def offline_adapters(
    config: Config, to: Sequence[str] | None = None
) -> Iterator[dict[str, Adapter]]:
    """The platforms' adapters built exactly as publishing builds them (settings validated,
    [tags] applied, account facts cached in the records) but never connected: rendering needs
    no network and no token."""
    import asyncio

    from .adapter import load_adapters
    from .platforms import Platforms
    from .records import Records

    platforms = Platforms(config, load_adapters(), to)
    try:
        yield dict(platforms.adapters(Records.read(config.records)))
    finally:
        asyncio.run(platforms.close(None))


def _render_platforms(config: Config, checked: Sequence[_Checked]) -> None:
    """Render every post that can still be cross-posted for every configured platform."""
    from .plan import render_for, wants_draft

    if not any(pc.enabled for pc in config.platforms.values()):
        return
    with offline_adapters(config) as adapters:
        for item in checked:
            if item.doc is None or _before_since(item.doc, config):
                continue
            for name, adapter in adapters.items():
                try:
                    item.payloads[name] = render_for(
                        adapter, name, item.doc, draft=wants_draft(config, name)
                    )
                except ContentError as exc:
                    item.refusals[name] = exc


def _check_links(config: Config, checked: Sequence[_Checked]) -> None:
    """Fetch the URLs of the posts a publish would send now (not drafts, scheduled or archived
    ones, whose pages are not expected to be live), each URL once."""
    import asyncio

    from .links import check_urls

    due = [(item, item.urls()) for item in checked if item.doc and _due(item.doc, config)]
    statuses = asyncio.run(check_urls({url for _, urls in due for url in urls}))
    for item, urls in due:
        item.links = {url: statuses[url] for url in sorted(urls)}


def _print_check(
    config: Config, checked: Sequence[_Checked], *, links: bool, urls: bool = False
) -> None:
    from .plan import post_address

    if config.path is None:
        click.echo("warning: no crosspost.toml found; using the defaults", err=True)
    warnings = drafts = old = 0
    for item in checked:
        if item.error is not None:
            click.echo(f"{item.error} [error]")
            continue
        assert item.doc is not None
        if urls:
            click.echo(f"{item.path}: {post_address(item.doc)}")
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
        old += _before_since(item.doc, config)
    errors = sum(item.errors for item in checked)
    parts = [_count(len(checked), "post") + " checked", _count(errors, "error")]
    parts.append(_count(warnings, "warning"))
    if links:
        parts.append(_count(sum(len(item.dead) for item in checked), "dead link"))
    if drafts:
        parts.append(_count(drafts, "draft"))
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


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _before_since(doc: Document, config: Config) -> bool:
    since = config.site.since
    return since is not None and doc.date is not None and doc.date.date() < since


def _due(doc: Document, config: Config) -> bool:
    """Whether a publish now would send the post (not a draft, not scheduled, not archived)."""
    future = doc.date is not None and doc.date > datetime.now(UTC)
    return not (doc.draft or future or _before_since(doc, config))


def _check_report(config: Config, checked: Sequence[_Checked], *, links: bool) -> dict[str, Any]:
    posts = []
    for item in checked:
        entry: dict[str, Any] = {"path": str(item.path), "ok": not item.errors}
        doc, exc = item.doc, item.error or item.clash
        if doc is not None:
            entry |= {
                "title": doc.title,
                "canonical_url": doc.canonical_url,
                "date": doc.date.isoformat() if doc.date else None,
                "draft": doc.draft,
                "before_since": _before_since(doc, config),
                "notices": [_notice_data(n) for n in doc.notices],
                "platforms": {
                    name: {
                        "notices": [_notice_data(n) for n in payload.notices],
                        "error": None,
                    }
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
            entry["error"] = _error_data(exc)
        posts.append(entry)
    return {
        "config": str(config.path) if config.path else None,
        "posts": posts,
        "errors": sum(item.errors for item in checked),
        "warnings": sum(len(item.notices) for item in checked),
        "dead_links": sum(len(item.dead) for item in checked),
    }


def _content_error_data(exc: ContentError) -> dict[str, Any]:
    return {"message": exc.message, "field": exc.field, "hint": exc.hint, "text": str(exc)}


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
@_config_option
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
    from .sources import load_post

    doc = load_post(post, config)
    print_notices(doc.notices, err=True)
    if fmt == "json":
        click.echo(json.dumps(document_data(doc), indent=2, ensure_ascii=False))
    elif fmt == "html":
        click.echo(doc.to_html())
    else:
        from .front_matter import dumps

        fields = {k: v for k, v in document_data(doc).items() if k not in ("body", "notices")}
        click.echo(dumps(fields, doc.body), nl=False)


def _preview_payload(config: Config, post: Path, platform: str, *, draft: bool) -> None:
    """The request body `publish` would send `platform` for `post`, rendered offline."""
    from .plan import render_for, wants_draft
    from .sources import load_post

    with offline_adapters(config, [platform]) as adapters:
        doc = load_post(post, config)
        print_notices(doc.notices, err=True)
        payload = render_for(
            adapters[platform], platform, doc, draft=wants_draft(config, platform, draft)
        )
    print_notices(payload.notices, err=True)
    for asset in payload.media:
        name = asset.path.name if asset.path else asset.url
        click.echo(f"note: {name} is uploaded first and attached to this body", err=True)
    click.echo(json.dumps(payload.body, indent=2, ensure_ascii=False, default=str))


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
    from .scaffold import sample_address, write_config

    path, found = write_config(directory)
    generator = (
        f"detected {found.profile.description}" if found.profile else "no generator detected"
    )
    todo = "check [site] url" if found.url else "set [site] url (it was not found)"
    click.echo(f"wrote {path} ({generator}); {todo}, then uncomment your platforms")
    sample = sample_address(path)
    if sample is not None:
        click.echo(
            f"{sample[0]} would be cross-posted as {sample[1]}: compare it with the live page"
        )
