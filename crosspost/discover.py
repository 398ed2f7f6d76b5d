"""Which files are posts: the folder walk shared by `check`, `publish`, `status` and the Action.

Kept apart from `sources` (which parses posts and pulls in YAML and the Markdown tooling) so
that a run that finds every post unchanged never imports a parser.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SourceError, shown
from .postwalk import POST_SUFFIXES, is_post_name, post_files, stands_for_content

if TYPE_CHECKING:
    from .config import Config

__all__ = ["POST_SUFFIXES", "find_post_files", "find_posts", "is_post_name", "no_posts_found"]


def no_posts_found(paths: Sequence[str | Path], config: Config) -> SourceError:
    """The error of a run that found no post in `paths` (default: the content folder), as
    `publish` and `check` both say it."""
    where = ", ".join(map(str, paths)) or str(shown(config.content_dir))
    if config.path is None:  # without a config the content folder is only a guess
        hint = (
            "no crosspost.toml was found here or above: run `crosspost init` to write one for "
            "this blog, or pass post files or folders"
        )
    else:
        hint = f"set [site] content in {shown(config.path)}, or pass post files or folders"
    return SourceError(f"no posts found in {where}", hint=hint)


def find_posts(paths: Iterable[str | Path], config: Config) -> list[Path]:
    """Post files under `paths`, sorted: folders are searched recursively.

    Skipped inside folders: hidden folders and files, `node_modules`, README files and Hugo's
    `_index.md` list pages. A file named explicitly is always taken; the blog's root folder
    (where crosspost.toml lives) stands for its content folder.
    """
    return _paths(find_post_files(paths, config))


def find_post_files(paths: Iterable[str | Path], config: Config) -> list[str]:
    """`find_posts` as the files' names: what the planner takes, since a run that proves a post
    unchanged without reading it never needs its `Path` (10,000 of them cost more than the walk
    that found them)."""
    found: set[str] = set()  # strings: hashing and sorting 10,000 Paths is a noticeable cost
    for item in paths:
        target = Path(item)
        if target.is_file():
            found.add(str(target))
            continue
        if not target.is_dir():
            raise SourceError("no such file or folder", path=target, hint="check the path")
        if stands_for_content(str(target), str(config.root), str(config.content_dir)):
            content = config.content_dir
            inside = content.is_relative_to(target.resolve())
            target = target / content.relative_to(target.resolve()) if inside else content
        found.update(post_files(str(target)))
    # By path component, as a list of parts sorts; the separator mapped to NUL (which no file
    # name holds, and which sorts before every other character) gives that order at the cost
    # of a plain string comparison.
    return sorted(found, key=lambda name: name.replace(os.sep, "\0"))


def _paths(names: list[str]) -> list[Path]:
    """`Path(name)` of each name: made from its folder's Path, which is parsed once, and the
    file's name, since parsing 10,000 whole paths costs more than the walk that found them."""
    folders: dict[str, Path] = {}
    paths: list[Path] = []
    for name in names:
        file = name.rpartition(os.sep)[2]
        folder = name[: len(name) - len(file)]  # with its separator: "/" and "//" are roots
        parent = folders.get(folder)
        if parent is None:
            parent = folders[folder] = Path(folder)
        paths.append(parent.joinpath(file))
    return paths
