"""The core's API: `crosspost.publish`, `apublish`, `plan`, `load_post`, `load_text`, and what
front ends use.

Library calls never print, never exit, never prompt: they return values, raise `CrosspostError`
subclasses, report progress through an optional callback and log to the `crosspost` logger.
The CLI and the Action are built on these same functions, so all behave alike: a front end
imports only this module, `crosspost.errors` and the public types of `crosspost` (the layer
test, tests/test_layers.py, holds them to it), never a core module directly.

Most functions import their module when called: `import crosspost.api` (which every
`crosspost.publish` call does) stays cheap, and a run loads the HTTP client, the adapters and
the Markdown renderer only when it needs them.

It stays one module, a little over 600 lines, because it is the one door the layer test lets
front ends through: each function is a documented stand-in for its module's, and splitting the
door would make the public surface a list of modules instead of one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import credentials, redact
from .config import Config, confirmed_hosts, load_config, run_config
from .credentials import is_token_variable
from .discover import find_post_files, find_posts, is_post_name, no_posts_found
from .document import Document, Notice
from .errors import ConfigError, CrosspostError, SourceError
from .postfile import not_a_file
from .records_format import FormatError as RecordsFormatError
from .records_format import RecordsData
from .records_format import dump as dump_records
from .records_format import parse as parse_records
from .records_merge import merge as merge_records
from .records_merge import merge3 as merge3_records
from .redact import register as register_secret
from .suggest import allowed_hint

if TYPE_CHECKING:
    from .adapter import AdapterClass
    from .check import Checkup, OfflineRenderer
    from .doctor import Diagnosis
    from .plan import Kind, Plan, PostSource
    from .progress import Watch
    from .publisher import Report, Result, Status
    from .record_tools import Moved, RecordRow
    from .records import Entry, Records, check_records_path
    from .renames import follow_renames, same_post
    from .scaffold import Detected
    from .status import StatusReport
    from .terminal import Command

__all__ = [
    "Command",
    "Config",
    "Kind",
    "Notice",
    "Records",
    "RecordsData",
    "RecordsFormatError",
    "Report",
    "Result",
    "Status",
    "apublish",
    "check",
    "check_keyring",
    "check_records_path",
    "collect",
    "confirmed_hosts",
    "delete_token",
    "describe_platforms",
    "doctor",
    "doctor_status",
    "dump_records",
    "env_var",
    "follow_renames",
    "forget_records",
    "format_post",
    "guard_output",
    "hold_until_live",
    "is_post_name",
    "is_token_variable",
    "list_records",
    "load_config",
    "load_post",
    "load_text",
    "mark_known",
    "mask_environment_tokens",
    "merge3_records",
    "merge_records",
    "move_records",
    "no_posts_found",
    "offline_renderer",
    "orphan_hint",
    "parse_records",
    "plan",
    "platform_names",
    "publish",
    "redacted",
    "register_secret",
    "relative_source",
    "run_config",
    "same_post",
    "sample_address",
    "status",
    "store_token",
    "write_config",
]

# The types a front end needs at run time (the Action compares statuses, opens the records),
# imported on first use: importing the publisher here would load the adapters' machinery.
_LAZY = {
    "Kind": "crosspost.plan",
    "Records": "crosspost.records",
    "Command": "crosspost.terminal",
    "check_records_path": "crosspost.records",
    "Report": "crosspost.publisher",
    "Result": "crosspost.publisher",
    "Status": "crosspost.publisher",
    # The one rule for git's renames, shared by the CLI and the Action (crosspost.renames).
    "follow_renames": "crosspost.renames",
    "same_post": "crosspost.renames",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'crosspost.api' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


Posts = str | Path | Document | Iterable[str | Path | Document]
_File = TypeVar("_File", Path, str)  # a post file as `collect` gives it: `Path` or name
Platforms = str | Iterable[str]


def guard_output() -> None:
    """Route everything printed from now on through `crosspost.terminal.neutralize`: untrusted
    text (file names, posts, platform answers) never begins a GitHub workflow command nor
    carries a control character; and no traceback is printed, logged or at shutdown (see
    docs/threat-model.md)."""
    from .terminal import guard_streams, quiet_tracebacks

    guard_streams()
    quiet_tracebacks()


def load_post(path: str | Path, config: Config | None = None) -> Document:
    """Read one post file into a Document, exactly as `publish` would see it.

    Without `config`, the nearest crosspost.toml above the file is used (or the defaults), since
    the canonical URL and the link rewriting depend on the site's settings. Raises `SourceError`
    naming the file, line and field when the post cannot be read, `ConfigError` when the config
    found cannot.
    """
    from .sources import load_post as load  # the Markdown transforms: see the docstring

    return load(Path(path), config)


def load_text(
    text: str,
    *,
    path: str | Path | None = None,
    config: Config | None = None,
) -> Document:
    """A post that is not (or not yet) a file, read exactly as `load_post` reads one.

    For posts generated by a program (a newsletter, a build hook) and for a post's older text
    (from git, say). `config` gives the site's URL and permalink pattern, from which the
    canonical URL is built (default: the crosspost.toml nearest `path`, or the current folder,
    as for a file); with no site URL anywhere the front matter must give `canonical_url`.
    `path` names the post in messages and feeds the slug rule; the file itself is never read.
    Raises `SourceError` for bad front matter or a missing canonical URL, exactly as for a file.
    """
    from .sources import parse_text  # the Markdown transforms: see the module docstring

    return parse_text(text, path=Path(path) if path is not None else None, config=config)


def relative_source(path: Path, root: Path) -> str | None:
    """A post file as the records name it: relative to the blog root, or None outside it."""
    from .plan import relative_source as relative

    return relative(path, root)


def collect(posts: Posts, config: Config | None) -> tuple[list[Path | Document], Config]:
    """Expand folders into post files and settle the config (found from the first path).

    Shared by `plan`, `publish` and the CLI so that they all pick the same posts and config.
    Raises `ConfigError` when the config found cannot be read.
    """
    return _collect(posts, config, find_posts)


def _collect(
    posts: Posts, config: Config | None, find: Callable[[list[Path], Config], list[_File]]
) -> tuple[list[_File | Document], Config]:
    """`collect`, with the files `find` gives: `Path`s for callers, names for the planner."""
    items = [posts] if isinstance(posts, str | Path | Document) else list(posts)
    paths = [Path(p) for p in items if not isinstance(p, Document)]
    if config is None:
        config = run_config(paths)
    sources: list[_File | Document] = [item for item in items if isinstance(item, Document)]
    for path in paths:
        if not path.is_file() and not path.is_dir():
            raise not_a_file(path)  # a FIFO or broken link: say so, not "no such file"
    if paths:
        sources.extend(find(paths, config))
    return sources, config


def plan(
    posts: Posts | None = None,
    *,
    to: Platforms | None = None,
    config: Config | None = None,
    draft: bool = False,
    force: bool = False,
    adapters: Mapping[str, AdapterClass] | None = None,
) -> Plan:
    """What `publish` would do, per post and platform, without network or writes.

    For previews and build hooks that want to show or gate on the work before doing it. Takes
    the same `posts`, `to`, `config`, `draft`, `force` and `adapters` as `publish` (`posts`
    defaults to the config's content folder). Raises `ConfigError` for a bad config, an unknown
    platform or invalid platform settings; posts that cannot be read are in `Plan.errors`, so
    one bad post never hides the others.
    """
    from .adapter import load_adapters  # adapters and HTTP client: only when a run needs them
    from .publisher import Publisher

    sources, config = _sources(posts, config)
    installed = load_adapters(adapters)
    names = platform_names(to, installed, parameter="to")
    publisher = Publisher(config, adapters=installed, to=names, draft=draft, force=force)
    return publisher.plan(sources)


async def apublish(
    posts: Posts | None = None,
    *,
    to: Platforms | None = None,
    config: Config | None = None,
    draft: bool = False,
    force: bool = False,
    dry_run: bool = False,
    verify_new: bool = False,
    progress: Callable[[Result], None] | None = None,
    adapters: Mapping[str, AdapterClass] | None = None,
    watch: Watch | None = None,
    renames: Sequence[tuple[Path, Path]] = (),
    follow_git: bool = False,
) -> Report:
    """Publish posts to the configured platforms; never the same post twice on one platform.

    `posts`: post files, folders of posts or `Document`s (default: the config's content folder).
    `config`: default, the crosspost.toml nearest the first path. `to`: only this platform
    (a name) or these (a list of names); an unknown name is a `ConfigError`.
    `draft`: create platform drafts. `force`: post again where an earlier outcome is unknown.
    `dry_run`: plan only; every result is PLANNED. `verify_new`: look each post without records
    up on the platform before creating it (records lost, or posted by hand). `progress` is called
    with each `Result` as soon as it is known, `watch` with each `Started` and `Waiting` event
    (a platform starting on a post, a rate-limit or retry wait: `crosspost.progress`), for a
    live display. `adapters` replaces the installed adapters. `renames`: (old file, new file)
    renames of post files proven elsewhere (a push), followed instead of re-posted;
    `follow_git`: ask git too, in a checkout, about cross-posted posts whose file is gone (what
    the CLI does; see `crosspost.worktree`).

    Every (post, platform) gets a `Result` in the returned `Report`; platform failures are
    reported there, not raised, so one platform never blocks another. Raises `ConfigError`,
    `RecordsError` or `LockError` when nothing can safely be attempted at all.
    """
    from .gitindex import IndexReading

    walked = None
    if config is None:  # the config is found where the posts are: walk them first
        walked, config = _sources(posts, None)
    # git reads its index of the posts in its own processes while this one walks the folder and
    # loads the adapters (only where records are there to compare it with).
    early = config.records.is_file()
    reading = IndexReading(config.content_dir, config.root) if early else None
    with reading or contextlib.nullcontext() as index:
        sources = walked if walked is not None else _sources(posts, config)[0]
        from .adapter import load_adapters  # adapters and HTTP client: only when a run needs them
        from .publisher import Publisher

        installed = load_adapters(adapters)
        publisher = Publisher(
            config,
            adapters=installed,
            to=platform_names(to, installed, parameter="to"),
            draft=draft,
            force=force,
            dry_run=dry_run,
            verify_new=verify_new,
            progress=progress,
            watch=watch,
            renames=renames,
            follow_git=follow_git,
        )
        return await publisher.run(sources, index=index)


def publish(
    posts: Posts | None = None,
    *,
    to: Platforms | None = None,
    config: Config | None = None,
    draft: bool = False,
    force: bool = False,
    dry_run: bool = False,
    verify_new: bool = False,
    progress: Callable[[Result], None] | None = None,
    adapters: Mapping[str, AdapterClass] | None = None,
    watch: Watch | None = None,
    renames: Sequence[tuple[Path, Path]] = (),
    follow_git: bool = False,
) -> Report:
    """The blocking form of `apublish`, with the same arguments, result and errors.

    For scripts and build hooks that are not async. Safe from any thread, including a running
    event loop's thread pool (`loop.run_in_executor`) and a running loop's own thread (sync code
    called from async code): there `asyncio.run` would refuse, so the run gets a private loop in
    a helper thread, which also calls `progress`, and blocks this thread, loop included, until it
    is done. In async code, `await apublish(...)` instead.
    """
    import asyncio  # the event loop: `plan` and `load_post` never need it

    coroutine = apublish(
        posts,
        to=to,
        config=config,
        draft=draft,
        force=force,
        dry_run=dry_run,
        verify_new=verify_new,
        progress=progress,
        adapters=adapters,
        watch=watch,
        renames=renames,
        follow_git=follow_git,
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor  # only inside a running loop

    with ThreadPoolExecutor(1, thread_name_prefix="crosspost-publish") as helper:
        return helper.submit(asyncio.run, coroutine).result()


def platform_names(
    names: Platforms | None,
    installed: Mapping[str, AdapterClass] | None = None,
    *,
    parameter: str,
) -> list[str] | None:
    """`names` as a list of installed platforms; None stays None (the configured ones).

    `installed` defaults to the adapters of the registry (the `crosspost.adapters` entry points),
    the one list of platforms. A single string is one platform (`to="devto"`), not a sequence
    of one-letter names. An unknown name is a `ConfigError` naming `parameter`, the argument the
    caller wrote, and listing the installed platforms.
    """
    if names is None:
        return None
    if installed is None:
        from .adapter import load_adapters  # the entry points: only when not given

        installed = load_adapters()
    wanted = [names] if isinstance(names, str) else list(names)
    unknown = [name for name in wanted if name not in installed]
    if unknown:
        raise ConfigError(
            f"unknown platform {', '.join(map(repr, unknown))}",
            field=parameter,
            hint=allowed_hint(unknown[0], installed, label="installed"),
        )
    return wanted


async def hold_until_live(
    sources: Sequence[PostSource],
    *,
    config: Config,
    to: Sequence[str] | None,
    deadline: float,
) -> tuple[list[PostSource], list[Result]]:
    """Wait until the pages and images the pending posts reference answer 200.

    Posts whose URLs are still dead at the deadline are held back (the next run retries them),
    because a platform caches a broken image for a long time and a toot must not link to a 404.
    Returns the sources to publish now and a HELD result for each post held back.
    """
    from .links import payload_urls, wait_live  # httpx: only --wait-live needs it
    from .plan import Kind
    from .publisher import Result, Status

    planned = plan(sources, to=to, config=config)
    needs: dict[str, set[str]] = {}
    for action in planned.of_kind(Kind.CREATE, Kind.UPDATE, Kind.RECONCILE):
        urls = needs.setdefault(action.post, set())
        if action.canonical_url:
            urls.add(action.canonical_url)
        if action.payload is not None:
            urls |= payload_urls(action.payload)
    # A short wait polls more often than every 10 s, so a page going live within it is caught.
    statuses = await wait_live(
        {u for urls in needs.values() for u in urls},
        deadline=deadline,
        interval=min(10.0, deadline / 10),
        site=config.site.url,
        trust_site=config.confirmed_hosts is None,  # under the Action: see links.allowed_hosts
    )
    dead = {post: sorted(u for u in urls if statuses.get(u) != 200) for post, urls in needs.items()}
    held = [
        Result(
            post,
            "*",
            Status.HELD,
            "not live yet: " + ", ".join(f"{u} ({statuses.get(u)})" for u in urls),
        )
        for post, urls in sorted(dead.items())
        if urls
    ]
    blocked = {post for post, urls in dead.items() if urls}
    kept = [s for s in sources if _label(s) not in blocked]
    return kept, held


def _label(source: PostSource) -> str:
    return source.label if isinstance(source, Document) else str(source)


def check(
    paths: Sequence[Path] = (),
    *,
    config_file: Path | None = None,
    links: bool = False,
) -> Checkup:
    """What `crosspost check` reports, decided by the planner's rules (see `crosspost.check`)."""
    from .check import check as run_check  # adapters and transforms: see the docstring

    return run_check(paths, config_file=config_file, links=links)


def offline_renderer(
    config: Config, to: Sequence[str] | None = None
) -> contextlib.AbstractContextManager[OfflineRenderer]:
    """A context giving the configured (or `to`) platforms' adapters, built as publishing
    builds them but never connected, to render what each would be sent (see `crosspost.check`)."""
    from .check import offline_renderer as renderer  # see `check`

    return renderer(config, to)


def format_post(fields: Mapping[str, Any], body: str) -> str:
    """`fields` as YAML front matter followed by `body`: a post file's text."""
    from .front_matter import dumps  # PyYAML: only this needs it

    return dumps(dict(fields), body)


def status(
    paths: Sequence[Path],
    *,
    config: Config,
    to: Sequence[str] | None = None,
    refresh: bool = False,
    write: bool = False,
) -> StatusReport:
    """The records (of the posts under `paths` and the platforms `to`, when given; a record
    whose file is gone is ORPHANED); with `refresh`, each post of `paths` (default: the content
    folder) compared with what the platforms have, by canonical URL, and with `write` what that
    found saved in the records. See `crosspost.status`."""
    import asyncio  # lookups, adapters, records: see the docstring

    from . import status as lookups
    from .adapter import load_adapters
    from .records import Records
    from .sources import load_post as load

    if not refresh:
        if to:
            platform_names(to, parameter="to")
        found = lookups.recorded(Records.read(config.records), config, paths, to)
        return lookups.StatusReport(found, [])
    sources, config = collect(list(paths) or [config.content_dir], config)
    docs: list[Document] = []
    unreadable: list[CrosspostError] = []
    for source in sources:
        try:
            # Looking posts up needs their address, not their body: no body transforms.
            docs.append(load(source, config, body=False) if isinstance(source, Path) else source)
        except SourceError as exc:
            unreadable.append(exc)

    async def run(records: Records) -> list[lookups.Finding]:
        return await lookups.refresh(
            docs, config=config, adapters=load_adapters(), to=to or None, records=records
        )

    if not write:
        return lookups.StatusReport(asyncio.run(run(Records.read(config.records))), unreadable)
    with Records.open(config.records) as records:
        findings = asyncio.run(run(records))
        return lookups.StatusReport(findings, unreadable, lookups.apply(findings, records))


def doctor(config: Config, *, to: Sequence[str] | None = None) -> list[Diagnosis]:
    """Each configured (or `to`) platform's token: where it comes from, which account it is
    (one authenticated read), what to fix (see `crosspost.doctor`)."""
    from .doctor import diagnose  # adapters and the HTTP client: see the docstring

    return diagnose(config, to=to)


def doctor_status(found: Sequence[Diagnosis]) -> int:
    """The exit status of a `doctor` checkup: 2 for a missing token or bad settings, else 1 for
    a platform failing, 0 when all are ready (see `crosspost.doctor.exit_code`)."""
    from .doctor import exit_code  # see `doctor`

    return exit_code(found)


def describe_platforms(
    config: Config, *, warn: Callable[[str], None] | None = None
) -> list[dict[str, Any]]:
    """Every installed platform: configured or not, where its token would come from, what it
    can do (see `crosspost.platforms.describe_platforms`)."""
    from .platforms import describe_platforms as describe  # the adapters: see the docstring

    return describe(config, warn=warn)


def list_records(
    config: Config, paths: Sequence[Path] = (), to: Sequence[str] | None = None
) -> list[RecordRow]:
    """Every record (post, platform), with its canonical URL and file, optionally only the posts
    under `paths` and the platforms `to` (see `crosspost.record_tools`)."""
    from .record_tools import listing  # see the docstring

    return listing(config, paths, to)


def forget_records(config: Config, post: str, platforms: Sequence[str] = ()) -> list[str]:
    """Remove the records of `post` (canonical URL or file), or only `platforms`' (see
    `crosspost.record_tools.forget`); returns the platforms forgotten."""
    from .record_tools import forget  # see the docstring

    return forget(config, post, platforms)


def mark_known(
    config: Config, post: str, platform: str, *, remote_id: str | None, url: str | None
) -> Entry:
    """Record that `platform` has `post` as `remote_id` at `url` (see
    `crosspost.record_tools.mark_known`)."""
    from .record_tools import mark_known as mark  # see the docstring

    return mark(config, post, platform, remote_id=remote_id, url=url)


def orphan_hint(row: RecordRow) -> str:
    """What to do about a record whose file is gone (see `crosspost.record_tools`)."""
    from .record_tools import orphan_hint as hint  # see the docstring

    return hint(row)


def move_records(old: str, new: str, *, config: Config) -> Moved:
    """Move a post's records from `old` (its recorded canonical URL or file) to `new` (its file
    or canonical URL now), under the records' lock (see `crosspost.record_tools.move`)."""
    from .record_tools import move  # see the docstring

    return move(config, old, new)


def write_config(directory: Path, *, force: bool = False) -> tuple[Path, Detected]:
    """Write a commented crosspost.toml for the blog in `directory`; `force` even inside a blog
    that has one above (see `crosspost.scaffold`)."""
    from .scaffold import write_config as write  # only `crosspost init` needs it

    return write(directory, force=force)


def sample_address(config_path: Path) -> tuple[Path, str] | None:
    """One real post of the blog and the canonical URL crosspost computes for it (for `init`,
    to compare with the live page); None when no post can be read."""
    from .scaffold import sample_address as sample  # only `crosspost init` needs it

    return sample(config_path)


def store_token(platform: str, token: str, *, allow_plaintext: bool = False) -> None:
    """Save `platform`'s token in the system keyring (see `crosspost.credentials`)."""
    credentials.store_token(platform, token, allow_plaintext=allow_plaintext)


def check_keyring(platform: str, *, allow_plaintext: bool = False) -> None:
    """Raise `CredentialError` when the system keyring cannot store a token (see
    `crosspost.credentials.check_keyring`)."""
    credentials.check_keyring(platform, allow_plaintext=allow_plaintext)


def delete_token(platform: str) -> bool:
    """Remove `platform`'s token from the system keyring; False when there was none."""
    return credentials.delete_token(platform)


def env_var(platform: str) -> str:
    """`CROSSPOST_<PLATFORM>_TOKEN`, the variable that gives `platform` its token."""
    return credentials.env_var(platform)


def mask_environment_tokens() -> None:
    """Have every token in the environment masked in logs and errors before any is read."""
    credentials.mask_environment_tokens()


def redacted(text: str) -> str:
    """`text` with every known token, the environment's included, masked."""
    mask_environment_tokens()
    return redact.scrub(text)


def _sources(posts: Posts | None, config: Config | None) -> tuple[list[str | Document], Config]:
    """`collect` for `plan` and `publish`: the files as their names, which the planner turns
    into `Path`s only for the posts it reads."""
    if posts is None:
        config = config or load_config()
        return _collect(config.content_dir, config, find_post_files)
    return _collect(posts, config, find_post_files)
