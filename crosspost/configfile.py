"""Which file is a blog's config: the nearest crosspost.toml (or pyproject.toml with
[tool.crosspost]) at or above a starting point.

On plain strings with nothing but `os`, because two callers need the same answer: `config`
(which then parses the file) and the up-to-date check (`crosspost.uptodate`), which runs before
anything heavier than `os` is imported and must find the very file a full run would read.
"""

import errno
import os

__all__ = ["CONFIG_FILE", "find_config_file", "folder_of"]

CONFIG_FILE = "crosspost.toml"


def find_config_file(start: str) -> str | None:
    """The nearest crosspost.toml, or pyproject.toml with [tool.crosspost], at or above `start`."""
    folder = folder_of(start)
    while True:
        candidate = os.path.join(folder, CONFIG_FILE)
        if os.path.isfile(candidate):
            return candidate
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(pyproject):
            with open(pyproject, encoding="utf-8", errors="replace") as handle:
                if "[tool.crosspost" in handle.read():
                    return pyproject
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def folder_of(start: str) -> str:
    """`start` resolved if a folder, else the folder holding it.

    A `start` that cannot be resolved (a symbolic link loop) stands for the folder it sits in:
    the config is still found, and reading the post then says what is wrong with it.
    """
    here = _resolved(start)
    if here is None:
        return _resolved(os.path.dirname(os.path.abspath(start))) or os.path.abspath(start)
    return os.path.dirname(here) if os.path.isfile(here) else here


def _resolved(path: str) -> str | None:
    """`Path(path).resolve()` as a string, None where it raises (a link loop)."""
    here = os.path.realpath(path)
    try:
        os.stat(here)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # realpath leaves a loop unresolved, resolve() refuses it
            return None
    return here
