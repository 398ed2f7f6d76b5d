"""The library entry points behind `crosspost.publish`, `apublish`, `plan`, `load_post`.

Library calls never print, never exit, never prompt: they return values, raise `CrosspostError`
subclasses, report progress through an optional callback and log to the `crosspost` logger.
The CLI is built on these same functions, so both behave alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config, load_config
from .credentials import is_token_variable
from .discover import is_post_name
from .document import Document, Notice
from .errors import ConfigError
from .records_format import FormatError as RecordsFormatError
from .records_format import RecordsData
from .records_format import dump as dump_records
from .records_format import parse as parse_records
from .records_merge import merge as merge_records
from .redact import register as register_secret
from .redact import scrub

if TYPE_CHECKING:
    from .adapter import AdapterClass
    from .plan import Kind, Plan, PostSource
    from .publisher import Report, Result, Status
    from .records import Records

__all__ = [
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
    "collect",
    "dump_records",
    "is_post_name",
    "is_token_variable",
    "load_post",
    "merge_records",
    "parse_post_text",
    "parse_records",
    "plan",
    "platform_names",
    "publish",
    "register_secret",
    "relative_source",
    "scrub",
]

# The types front ends need at run time, imported on first use: importing the publisher here
# would load the adapters' machinery for every `crosspost --version`.
_LAZY = {
    "Kind": "crosspost.plan",
    "Records": "crosspost.records",
    "Report": "crosspost.publisher",
    "Result": "crosspost.publisher",
    "Status": "crosspost.publisher",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'crosspost.api' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


Posts = str | Path | Document | Iterable[str | Path | Document]
Platforms = str | Iterable[str]


def load_post(path: str | Path, config: Config | None = None) -> Document:
    """Read one post file into a Document, exactly as `publish` would see it.

    Without `config`, the nearest crosspost.toml above the file is used (or the defaults), since
    the canonical URL and the link rewriting depend on the site's settings. Raises `SourceError`
    naming the file, line and field when the post cannot be read, `ConfigError` when the config
    found cannot.
    """
    from .sources import load_post as load

    return load(Path(path), config)


def parse_post_text(text: str, *, path: Path, config: Config) -> Document:
    """A post's text (an older version from git, say) read as `load_post` reads the file at
    `path`; raises `SourceError` like it."""
    from .sources import parse_text

    return parse_text(text, path=path, config=config)


def relative_source(path: Path, root: Path) -> str | None:
    """A post file as the records name it: relative to the blog root, or None outside it."""
    from .plan import relative_source as relative

    return relative(path, root)


def collect(posts: Posts, config: Config | None) -> tuple[list[PostSource], Config]:
    """Expand folders into post files and settle the config (found from the first path).

    Shared by `plan`, `publish` and the CLI so that they all pick the same posts and config.
    Raises `ConfigError` when the config found cannot be read.
    """
    from .discover import find_posts

    items = [posts] if isinstance(posts, str | Path | Document) else list(posts)
    paths = [Path(p) for p in items if not isinstance(p, Document)]
    if config is None:
        config = load_config(start=paths[0]) if paths else load_config()
    sources: list[PostSource] = [item for item in items if isinstance(item, Document)]
    for path in paths:
        if not path.is_file() and not path.is_dir():
            from .sources import not_a_file

            raise not_a_file(path)  # a FIFO or broken link: say so, not "no such file"
    if paths:
        sources.extend(find_posts(paths, config))
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
    from .adapter import load_adapters
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
) -> Report:
    """Publish posts to the configured platforms; never the same post twice on one platform.

    `posts`: post files, folders of posts or `Document`s (default: the config's content folder).
    `config`: default, the crosspost.toml nearest the first path. `to`: only this platform
    (a name) or these (a list of names); an unknown name is a `ConfigError`.
    `draft`: create platform drafts. `force`: post again where an earlier outcome is unknown.
    `dry_run`: plan only; every result is PLANNED. `verify_new`: look each post without records
    up on the platform before creating it (records lost, or posted by hand). `progress` is called
    with each `Result` as soon as it is known. `adapters` replaces the installed adapters.

    Every (post, platform) gets a `Result` in the returned `Report`; platform failures are
    reported there, not raised, so one platform never blocks another. Raises `ConfigError`,
    `RecordsError` or `LockError` when nothing can safely be attempted at all.
    """
    from .adapter import load_adapters
    from .publisher import Publisher

    sources, config = _sources(posts, config)
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
    )
    return await publisher.run(sources)


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
) -> Report:
    """The blocking form of `apublish`, with the same arguments, result and errors.

    For scripts and build hooks that are not async. Safe from any thread, including a running
    event loop's thread pool (`loop.run_in_executor`) and a running loop's own thread (sync code
    called from async code): there `asyncio.run` would refuse, so the run gets a private loop in
    a helper thread, which also calls `progress`, and blocks this thread, loop included, until it
    is done. In async code, `await apublish(...)` instead.
    """
    import asyncio

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
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="crosspost-publish") as helper:
        return helper.submit(asyncio.run, coroutine).result()


def platform_names(
    names: Platforms | None, installed: Mapping[str, AdapterClass], *, parameter: str
) -> list[str] | None:
    """`names` as a list of installed platforms; None stays None (the configured ones).

    A single string is one platform (`to="devto"`), not a sequence of one-letter names. An
    unknown name is a `ConfigError` naming `parameter`, the argument the caller wrote, and
    listing the installed platforms.
    """
    if names is None:
        return None
    wanted = [names] if isinstance(names, str) else list(names)
    unknown = [name for name in wanted if name not in installed]
    if unknown:
        raise ConfigError(
            f"unknown platform {', '.join(map(repr, unknown))}",
            field=parameter,
            hint=f"installed: {', '.join(sorted(installed)) or 'none'}",
        )
    return wanted


def _sources(posts: Posts | None, config: Config | None) -> tuple[list[PostSource], Config]:
    if posts is None:
        config = config or load_config()
        return collect(config.content_dir, config)
    return collect(posts, config)
