"""The installed adapters, as the kit tests them: the entry-point registry is the one list.

Tests iterate `installed_adapters()` instead of naming platforms, so a fifth built-in or a
plugin installed in the environment is put through the contract, the fault matrix and the
canaries without anyone editing a test; `conformance_problems` says what an adapter lacks for
that (a fake, a create route), and the kit's first test fails on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import get_args

from ..adapter import AdapterClass, load_adapters
from ..config import RateLimit
from ..fake import FakePlatform, FaultKind
from ..sandbox import load_fake

__all__ = ["conformance_problems", "fake_of", "installed_adapters", "installed_platforms"]


def installed_adapters() -> dict[str, AdapterClass]:
    """Every adapter registered in the `crosspost.adapters` entry-point group, by name (each
    imported and checked: the kit puts them all through the contract)."""
    return dict(load_adapters())


def installed_platforms() -> list[str]:
    """The names of the installed adapters, sorted."""
    return sorted(installed_adapters())


def fake_of(adapter: AdapterClass) -> type[FakePlatform]:
    """The adapter's fake class; `AssertionError` naming what is wrong when there is none."""
    problems = conformance_problems(adapter)
    assert not problems, f"{adapter.name}: " + "; ".join(problems)
    fake = load_fake(adapter)
    assert fake is not None
    return fake


def conformance_problems(adapter: AdapterClass) -> list[str]:
    """What keeps the kit from testing `adapter`, one sentence each; empty when nothing does.

    An adapter needs a `fake` ("module:Class" of a `FakePlatform` subclass) named like the
    adapter, whose `create_route` says how a create looks (where the fault matrix strikes), whose
    `platform_faults` are known fault kinds, and limits that parse as the config's would.
    """
    problems: list[str] = []
    if not getattr(adapter, "fake", None):
        return ['declares no fake (set `fake = "module:FakeClass"` on the adapter class)']
    fake = load_fake(adapter)
    if fake is None:
        return [f"its fake {adapter.fake!r} cannot be imported or is not a FakePlatform"]
    if fake.name != adapter.name:
        problems.append(f"its fake calls itself {fake.name!r}, not {adapter.name!r}")
    if fake.create_route is None:
        problems.append(
            f"its fake {fake.__name__} declares no `create_route` (how a create request looks)"
        )
    elif fake.create_route.path is not None:
        try:
            re.compile(fake.create_route.path)
        except re.error as exc:
            problems.append(f"its create_route path is not a regular expression: {exc}")
    unknown = sorted(set(fake.platform_faults) - set(get_args(FaultKind)))
    if unknown:
        problems.append(f"its fake declares unknown faults: {', '.join(unknown)}")
    problems += _limit_problems(adapter.capabilities.limits)
    return problems


def _limit_problems(limits: Mapping[str, str]) -> list[str]:
    problems = []
    for op, text in limits.items():
        try:
            RateLimit.parse(op, text)
        except ValueError as exc:
            problems.append(f"its limit {op} = {text!r} does not parse: {exc}")
    return problems
