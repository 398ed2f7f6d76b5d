"""What git says about a blog's working tree: which post files were renamed since they were
cross-posted, for the CLI (the GitHub Action learns the same from the push it runs for).

Only posts whose recorded file is gone are looked up, so a run where nothing moved (the common
case) makes no git call at all, and a blog outside git one that fails quietly. For each such
file, git compares the last commit that had it with the working tree (`git diff -M`, staged and
committed renames alike); a rename it finds counts when `crosspost.renames.same_post` says it
is the same post. A file moved without git's knowledge (not added yet) is not proven here; the
dry run then names it as a likely rename (`crosspost.renames.likely`).
"""

from __future__ import annotations

import os
import subprocess
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from .config import Config
from .gitindex import git_environment
from .records import Records
from .renames import same_post

__all__ = ["renamed_posts"]


def renamed_posts(config: Config, records: Records) -> list[tuple[Path, Path]]:
    """The (old file, new file) renames git proves for cross-posted posts whose file is gone
    (`records` being the run's own)."""
    gone = [config.root / source for source in _missing(config.root, records.sources())]
    if not gone:
        return []
    top = _git(config.root, "rev-parse", "--show-toplevel")
    if top is None:
        return []
    repo = Path(top.strip())
    by_base: dict[str, set[str]] = defaultdict(set)
    for path in gone:
        try:
            rel = Path(os.path.abspath(path)).relative_to(repo).as_posix()
        except ValueError:
            continue
        base = _last_commit_with(repo, rel)
        if base is not None:
            by_base[base].add(rel)
    found = []
    for base, olds in sorted(by_base.items()):
        listing = _git(repo, "-c", "core.quotepath=off", "diff", "--name-status", "-z", "-M", base)
        for old, new, similarity in _renames(listing or ""):
            if old not in olds:
                continue

            def text(base: str = base, old: str = old) -> str:
                return _git(repo, "show", f"{base}:{old}") or ""

            if same_post(repo / old, repo / new, similarity, config, old_text=text):
                found.append((repo / old, repo / new))
    return found


def _missing(root: Path, sources: Iterable[str]) -> list[str]:
    """The recorded post files (relative to `root`) that are not there: one listing per folder,
    not a `stat` per post (a no-op run over a large archive asks this of every post). A name
    still listed counts as there, even a link whose target is gone (its post is not renamed)."""
    listings: dict[str, set[str] | None] = {}
    missing = []
    for source in sources:
        folder, _, name = source.rpartition("/")
        if folder not in listings:
            try:
                listings[folder] = set(os.listdir(os.path.join(root, folder)))
            except OSError:
                listings[folder] = None
        names = listings[folder]
        if names is None or name not in names:
            missing.append(source)
    return sorted(missing)


def _last_commit_with(repo: Path, rel: str) -> str | None:
    """The newest commit that still has `rel`: HEAD when only the working tree lost it, else the
    parent of the commit that removed it."""
    if _git(repo, "cat-file", "-e", f"HEAD:{rel}") is not None:
        return "HEAD"
    removed = (_git(repo, "log", "-1", "--format=%H", "--", rel) or "").strip()
    return f"{removed}^" if removed else None


def _renames(listing: str) -> list[tuple[str, str, int | None]]:
    """The renames of a `git diff --name-status -z -M` listing: (old, new, similarity)."""
    fields = listing.split("\0")
    found = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status[0] in "RC":
            if status[0] == "R":
                score = status[1:]
                found.append(
                    (fields[i + 1], fields[i + 2], int(score) if score.isdigit() else None)
                )
            i += 3
        else:
            i += 2
    return found


def _git(cwd: Path, *args: str) -> str | None:
    """git's output, or None when it fails (no git, not a checkout, no such commit), asked
    about the checkout `cwd` is in (`git_environment`)."""
    env = git_environment()
    try:
        done = subprocess.run(  # noqa: S603 - fixed executable, arguments never go to a shell
            ["git", *args],  # noqa: S607 - the user's git, found on PATH
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            env=env,
            check=False,
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None
