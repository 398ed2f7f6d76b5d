"""Shared fixtures: the sandbox over real sockets, a publisher runner, spec locations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crosspost.sandbox import Sandbox
from crosspost.testing import TIME_SCALE

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SPECS = SHARED / "specs"
CORPUS = SHARED / "corpus"
SEED_POST = SHARED / "examples" / "000_338e842b2dd29ad0.txt"
EXAMPLE_BLOG = REPO / "examples" / "blog"


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
