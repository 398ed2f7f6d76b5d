"""The entry points of one group, as `importlib.metadata.entry_points(group=…)` finds them, read
without importing `importlib.metadata` where the answer is plainly the same.

Importing `importlib.metadata` (zipfile, email, csv and its own modules) and letting it scan every
installed distribution cost a no-op publish run about 45 ms of 300 (issue 16), more than loading
its records: a tenth of the run, spent finding five adapters. Yet on an ordinary installation
(a virtualenv, site-packages, an editable checkout) what it does is short: in each folder of
`sys.path`, in order, each `NAME-….dist-info` or `NAME-….egg-info` entry (in `os.listdir`
order, grouped by normalised name), the first distribution of each normalised name wins, and its
`entry_points.txt` is read as INI-like sections of `name = value` lines (`#` comments; lines
before the first section ignored).

`entry_points` does exactly that, and hands over to `importlib.metadata` itself whenever the
installation is anything else, so that the answer is never a guess: another finder on
`sys.meta_path` that finds distributions, a `sys.path` entry that is a file (a zip or egg) or an
`.egg` folder, a `sys.path` entry that is not text (a `Path`, bytes), no `PathFinder` on
`sys.meta_path`, a distribution folder whose suffix is not lower case or whose name is empty
(`-1.0.dist-info`, `.dist-info`: its name would then come from its metadata), an
`entry_points.txt` that is not UTF-8 or holds a line that is not `name = value`.
tests/test_entrypoints.py compares the two on the test environment and on generated
installations.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import reduce
from importlib import import_module
from importlib.machinery import BuiltinImporter, FrozenImporter, PathFinder
from typing import Any

__all__ = ["EntryPoint", "entry_points"]

_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
"""An entry point's value, `module:attr.path [extras]` (the packaging spec's syntax, as
`importlib.metadata.EntryPoint.pattern` reads it)."""

_STANDARD_FINDERS = (BuiltinImporter, FrozenImporter, PathFinder)
"""The finders of a plain interpreter: only `PathFinder` finds distributions, from `sys.path`."""


@dataclass(frozen=True)
class EntryPoint:
    """One `name = value` line of a distribution's `entry_points.txt`, in `group`."""

    name: str
    value: str
    group: str

    def load(self) -> Any:
        """Import the module the value names and return the attribute it names."""
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"{self.value!r} is not `module` or `module:attribute`")
        module = import_module(match["module"])
        return reduce(getattr, filter(None, (match["attr"] or "").split(".")), module)


class _Unusual(Exception):
    """Something this reader does not model: `importlib.metadata` answers instead."""


def entry_points(group: str) -> list[EntryPoint]:
    """The entry points registered in `group` by the installed distributions, in the order and
    with the de-duplication `importlib.metadata.entry_points(group=group)` gives."""
    try:
        return _read(group)
    except _Unusual:
        from importlib.metadata import entry_points as standard

        return [EntryPoint(ep.name, ep.value, ep.group) for ep in standard(group=group)]


def _read(group: str) -> list[EntryPoint]:
    if PathFinder not in sys.meta_path or any(
        getattr(finder, "find_distributions", None) is not None and finder not in _STANDARD_FINDERS
        for finder in sys.meta_path
    ):
        raise _Unusual  # another finder finds some; without PathFinder, none is found in folders
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for entry in sys.path:
        if not isinstance(entry, str):
            raise _Unusual  # a Path is the folder it names; bytes, importlib.metadata's error
        for name, folder in _distributions(entry):
            if name in seen:
                continue
            seen.add(name)
            found += _group_of(folder, group)
    return found


def _distributions(entry: str) -> list[tuple[str, str]]:
    """The distribution folders of one `sys.path` entry, as (normalised name, path), grouped by
    name in the order their first member is listed (`importlib.metadata`'s `Lookup`)."""
    root = entry or "."
    if os.path.basename(entry).lower().endswith(".egg"):
        raise _Unusual  # an egg: its EGG-INFO is named by its metadata
    try:
        children = os.listdir(root)
    except NotADirectoryError:
        raise _Unusual from None  # a zip file
    except OSError:
        if os.path.isfile(root):
            raise _Unusual from None
        return []
    grouped: dict[str, list[str]] = {}
    for child in children:
        low = child.lower()
        if not low.endswith((".dist-info", ".egg-info")):
            continue
        stem, suffix = os.path.splitext(child)
        if suffix not in (".dist-info", ".egg-info") or not stem.partition("-")[0]:
            raise _Unusual  # its name would be read from its metadata (`_name_from_stem`)
        key = _normalised(stem.partition("-")[0])
        grouped.setdefault(key, []).append(os.path.join(entry, child))
    return [(name, folder) for name, folders in grouped.items() for folder in folders]


_SEPARATORS = re.compile(r"[-_.]+")


def _normalised(name: str) -> str:
    """A distribution name as PEP 503 compares them (`Prepared.normalize`)."""
    return _SEPARATORS.sub("_", name).lower()


def _group_of(folder: str, group: str) -> list[EntryPoint]:
    """The entry points of `group` in the distribution at `folder` (none when it has no
    readable `entry_points.txt`, as `Distribution.read_text` answers then)."""
    try:
        with open(os.path.join(folder, "entry_points.txt"), "rb") as file:
            raw = file.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Unusual from None
    found: list[EntryPoint] = []
    section: str | None = None
    for line in map(str.strip, text.splitlines()):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if section is None:
            continue
        name, equals, value = line.partition("=")
        if not equals:
            raise _Unusual  # importlib.metadata raises for it; let it
        if section == group:
            found.append(EntryPoint(name.strip(), value.strip(), group))
    return found
