"""Shared fixtures: the sandbox over real sockets, a publisher runner, spec locations."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import pytest

from crosspost.config import Config
from crosspost.fake import FakePlatform
from crosspost.records import Entry, Records
from crosspost.sandbox import Sandbox
from crosspost.testing import TIME_SCALE

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SPECS = SHARED / "specs"
CORPUS = SHARED / "corpus"
SEED_POST = SHARED / "examples" / "000_338e842b2dd29ad0.txt"
EXAMPLE_BLOG = REPO / "examples" / "blog"

FakeT = TypeVar("FakeT", bound=FakePlatform)


def fake_of(sandbox: Sandbox, name: str, kind: type[FakeT]) -> FakeT:
    """`sandbox.fakes[name]` as its concrete class: `Sandbox.fakes` holds the base type, and a
    test reading the platform's own state (articles, statuses, media) needs the real one."""
    fake = sandbox.fakes[name]
    assert isinstance(fake, kind), f"{name}'s fake is a {type(fake).__name__}, not {kind.__name__}"
    return fake


def recorded(records: Records, url: str, platform: str) -> Entry:
    """The records' entry for (url, platform), failing the test when there is none."""
    entry = records.get(url, platform)
    assert entry is not None, f"no record for {url} on {platform}"
    return entry


def needs_shared(path: Path) -> None:
    if not path.exists():
        pytest.skip(
            f"{path} is not available (the shared specs/corpus folder sits beside the repo)"
        )


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """The sandbox of dev.to and Mastodon fakes the library's tests publish to."""
    with Sandbox(["devto", "mastodon"], time_scale=TIME_SCALE) as box:
        yield box


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


def announce_now(config: Config, platform: str, **options: Any) -> Config:
    """The sandbox's config for one summary platform alone, posting without waiting for an
    article platform (`after = "none"`), with `options` added to its table."""
    pc = config.platforms[platform]
    merged = MappingProxyType({**pc.options, **options})
    return dataclasses.replace(
        config, platforms={platform: dataclasses.replace(pc, after="none", options=merged)}
    )
