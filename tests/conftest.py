"""Shared fixtures: the sandbox over real sockets, a publisher runner, spec locations."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from crosspost.adapter import load_adapters
from crosspost.config import Config
from crosspost.document import Document
from crosspost.http import RetryPolicy
from crosspost.plan import PostSource
from crosspost.publisher import Publisher, Report
from crosspost.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SPECS = SHARED / "specs"
CORPUS = SHARED / "corpus"
SEED_POST = SHARED / "examples" / "000_338e842b2dd29ad0.txt"
EXAMPLE_BLOG = REPO / "examples" / "blog"

TIME_SCALE = 0.01
"""Tests shrink every rate-limit window and read lag to 1 % (30 s → 0.3 s), in fakes and pacing."""


async def _no_sleep(seconds: float) -> None:
    await asyncio.sleep(min(seconds, 0.05))


FAST_RETRIES = RetryPolicy(deadline=20.0, max_attempts=6, initial=0.01, maximum=0.2)


def needs_shared(path: Path) -> None:
    if not path.exists():
        pytest.skip(
            f"{path} is not available (the shared specs/corpus folder sits beside the repo)"
        )


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes (closed at the end of the test): `sandbox_factory(["devto"], ...)`."""
    started: list[Sandbox] = []

    def start(platforms: Iterable[str] | None = None, **options: Any) -> Sandbox:
        options.setdefault("time_scale", TIME_SCALE)
        sandbox = Sandbox(platforms, **options).__enter__()
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.__exit__()


def run_publish(
    config: Config,
    sources: Sequence[PostSource],
    *,
    to: Sequence[str] | None = None,
    policy: RetryPolicy = FAST_RETRIES,
    **options: Any,
) -> Report:
    """One `crosspost publish` run in-process, with fast retries."""
    publisher = Publisher(config, adapters=load_adapters(), to=to, policy=policy, **options)
    return asyncio.run(publisher.run(sources))


def make_doc(slug: str = "hello", **fields: Any) -> Document:
    values: dict[str, Any] = {
        "title": f"Post {slug}",
        "body": f"Body of {slug}.\n\n```python\n# not a heading\nprint('{slug}')\n```\n",
        "canonical_url": f"https://blog.example.com/posts/{slug}/",
        "description": f"About {slug}",
        "tags": ("Python", "Social Media"),
        "slug": slug,
        "source_hash": f"sha256:{slug}",
    }
    values.update(fields)
    return Document(**values)


def announce_now(config: Config, platform: str, **options: Any) -> Config:
    """The sandbox's config for one summary platform alone, posting without waiting for an
    article platform (`after = "none"`), with `options` added to its table."""
    pc = config.platforms[platform]
    merged = MappingProxyType({**pc.options, **options})
    return dataclasses.replace(
        config, platforms={platform: dataclasses.replace(pc, after="none", options=merged)}
    )
