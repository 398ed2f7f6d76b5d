"""The library entry points behind `crosspost.publish`, `apublish`, `plan`, `load_post`.

Library calls never print, never exit, never prompt: they return values, raise `CrosspostError`
subclasses, report progress through an optional callback and log to the `crosspost` logger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config, load_config
from .document import Document

if TYPE_CHECKING:
    from .adapter import AdapterClass
    from .plan import Plan, PostSource
    from .publisher import Report, Result

__all__ = ["apublish", "collect", "load_post", "plan", "publish"]

Posts = str | Path | Document | Iterable[str | Path | Document]


def load_post(path: str | Path, config: Config | None = None) -> Document:
    """Read one post file into a Document.

    Without `config`, the nearest crosspost.toml above the file is used (or defaults). Raises
    `SourceError` naming the file, line and field when the post cannot be read.
    """
    from .sources import load_post as load

    return load(Path(path), config)


def collect(posts: Posts, config: Config | None) -> tuple[list[PostSource], Config]:
    """Expand folders into post files and settle the config (found from the first path)."""
    from .sources import find_posts

    items = [posts] if isinstance(posts, str | Path | Document) else list(posts)
    paths = [Path(p) for p in items if not isinstance(p, Document)]
    if config is None:
        config = load_config(start=paths[0]) if paths else load_config()
    sources: list[PostSource] = [item for item in items if isinstance(item, Document)]
    if paths:
        sources.extend(find_posts(paths, config))
    return sources, config


def plan(
    posts: Posts | None = None,
    *,
    to: Sequence[str] | None = None,
    config: Config | None = None,
    draft: bool = False,
    force: bool = False,
    adapters: Mapping[str, AdapterClass] | None = None,
) -> Plan:
    """What `publish` would do, per post and platform, without network or writes.

    `posts` defaults to the config's content folder. Raises `ConfigError` for a bad config or
    an unknown platform; posts that cannot be read are in `Plan.errors`.
    """
    from .adapter import load_adapters
    from .publisher import Publisher

    sources, config = _sources(posts, config)
    publisher = Publisher(config, adapters=load_adapters(adapters), to=to, draft=draft, force=force)
    return publisher.plan(sources)


async def apublish(
    posts: Posts | None = None,
    *,
    to: Sequence[str] | None = None,
    config: Config | None = None,
    draft: bool = False,
    force: bool = False,
    dry_run: bool = False,
    progress: Callable[[Result], None] | None = None,
    adapters: Mapping[str, AdapterClass] | None = None,
    **options: Any,
) -> Report:
    """Publish posts (paths, folders or Documents) to the configured platforms.

    Every (post, platform) gets a `Result` in the returned `Report`; platform failures are
    reported there, not raised, so one platform never blocks another. Raises `ConfigError`,
    `RecordsError` or `LockError` when nothing can safely be attempted at all.
    """
    from .adapter import load_adapters
    from .publisher import Publisher

    sources, config = _sources(posts, config)
    publisher = Publisher(
        config,
        adapters=load_adapters(adapters),
        to=to,
        draft=draft,
        force=force,
        dry_run=dry_run,
        progress=progress,
        **options,
    )
    return await publisher.run(sources)


def publish(
    posts: Posts | None = None,
    *,
    to: Sequence[str] | None = None,
    config: Config | None = None,
    draft: bool = False,
    force: bool = False,
    dry_run: bool = False,
    progress: Callable[[Result], None] | None = None,
    adapters: Mapping[str, AdapterClass] | None = None,
    **options: Any,
) -> Report:
    """The blocking form of `apublish`, with the same arguments and result.

    Safe to call from any thread, including from inside a running event loop's thread (it then
    runs on a private loop in a helper thread instead of failing).
    """
    import asyncio
    import threading

    coroutine = apublish(
        posts,
        to=to,
        config=config,
        draft=draft,
        force=force,
        dry_run=dry_run,
        progress=progress,
        adapters=adapters,
        **options,
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["report"] = asyncio.run(coroutine)
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="crosspost-publish")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    report: Report = outcome["report"]
    return report


def _sources(posts: Posts | None, config: Config | None) -> tuple[list[PostSource], Config]:
    if posts is None:
        config = config or load_config()
        return collect(config.content_dir, config)
    return collect(posts, config)
