"""Where a folder's git repository keeps its own files (`.git`: a folder, or a file naming
one, as in a linked worktree or a submodule), found as git finds it, with nothing but `os`:
`gitindex` watches the index there, and the up-to-date check (`crosspost.uptodate`) keeps its
stamp there, out of every commit.
"""

import os

__all__ = ["git_dir"]


def git_dir(folder: str) -> str | None:
    """The git directory of the checkout the absolute path `folder` is in; None outside git."""
    here = folder
    while True:
        dot = os.path.join(here, ".git")
        if os.path.isdir(dot):
            return dot
        if os.path.isfile(dot):
            with open(dot, encoding="utf-8", errors="surrogateescape") as handle:
                line = handle.readline().strip()
            named = line.removeprefix("gitdir:").strip()
            return os.path.join(here, named) if line.startswith("gitdir:") else None
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
