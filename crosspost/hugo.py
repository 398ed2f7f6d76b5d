"""Hugo's site configuration, read as Hugo merges it, and what Hugo does with a `ref` or
`relref` to a page that does not exist. `crosspost init` reads the settings (scaffold); the
ref rule is the post's (sources).

A broken ref: by default `hugo` stops with `REF_NOT_FOUND: Ref "x.md": "<file>:<line>:<col>":
page not found` and builds nothing, so such a post never goes live and must not be cross-posted
with a link to nowhere; with `refLinksErrorLevel = "warning"` in the site's configuration it
only logs the same line and builds the page with an empty link (checked with the pinned hugo
0.152: tests/generators/test_hugo.py). Which targets Hugo finds, observed there: a path
relative to the page's folder or to the content folder, with or without its extension, a
bundle's or a section's folder (a top-level folder, or one with `_index.md`), and a bare name
found anywhere in the content (`deep` → `content/posts/sub/deep.md`); matching ignores case, as
Hugo's page paths do. A site whose content comes through module mounts is not checked: its
pages are unknown here.
"""

from __future__ import annotations

import json
import posixpath
import tomllib
from pathlib import Path
from typing import Any, Literal

__all__ = ["broken_ref", "hugo_settings", "settings_files"]


def broken_ref(root: Path, page: Path | None, target: str) -> Literal["error", "warning"] | None:
    """How Hugo reports a `ref` to `target` (its path, without the `#anchor`) from the page
    file `page` of the site at `root` when no page is there: "error" (the build fails) or
    "warning" (`refLinksErrorLevel`); None when the target is a page, or when the site's pages
    cannot be known."""
    settings = hugo_settings(root)
    level = str(settings.get("reflinkserrorlevel", "error")).lower()
    module = settings.get("module")
    if isinstance(module, dict) and module.get("mounts"):
        return None
    key = _key(target)
    if not key:
        return None
    for content in _content_folders(root, settings):
        pages, names = _pages(content)
        here = _folder_key(content, page)
        near = posixpath.normpath(posixpath.join(here, key)) if here is not None else None
        if key in pages or near in pages or ("/" not in key and key in names):
            return None
    return "warning" if level == "warning" else "error"


def _content_folders(root: Path, settings: dict[str, Any]) -> list[Path]:
    folders = [str(settings.get("contentdir") or "content")]
    languages = settings.get("languages")
    if isinstance(languages, dict):
        for language in languages.values():
            if isinstance(language, dict) and language.get("contentdir"):
                folders.append(str(language["contentdir"]))
    return [root / folder for folder in dict.fromkeys(folders) if (root / folder).is_dir()]


def _key(path: str) -> str:
    """A page's path as Hugo looks it up: no leading or trailing slash, no content extension,
    lower case."""
    key = path.strip().strip("/").lower()
    stem, dot, suffix = key.rpartition(".")
    if dot and "/" not in suffix and suffix in _CONTENT_SUFFIXES:
        key = stem
    return key


_CONTENT_SUFFIXES = {"md", "markdown", "mdown", "html", "htm", "adoc", "asciidoc", "org", "rst"}
_CONTENT_SUFFIXES |= {"pandoc", "pdc", "ad"}


def _pages(content: Path) -> tuple[set[str], set[str]]:
    """The keys of every page under `content` (a bundle's and a section's by their folder) and
    the bare names of its page files."""
    pages: set[str] = set()
    names: set[str] = set()
    for path in content.rglob("*"):
        relative = path.relative_to(content).as_posix().lower()
        if path.is_dir():
            if "/" not in relative:
                pages.add(relative)  # a top-level folder is a section
            continue
        key = _key(relative)
        if key == relative:
            continue  # not a content file
        folder, _, name = key.rpartition("/")
        if name in ("index", "_index"):
            pages.add(folder)
        else:
            pages.add(key)
            names.add(name)
    return pages, names


def _folder_key(content: Path, page: Path | None) -> str | None:
    if page is None:
        return None
    try:
        return page.parent.resolve().relative_to(content.resolve()).as_posix().lower()
    except (ValueError, OSError):
        return None


_HUGO_FILES = tuple(
    f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json")
)


def hugo_settings(directory: Path) -> dict[str, Any]:
    """Hugo's site configuration, merged as Hugo merges it: the root `hugo.*` or `config.*`
    file over `config/_default/`, where a file named for a key (`permalinks.toml`,
    `languages.yaml`) holds that key's table. Keys are lower-cased: Hugo's are case-insensitive.
    Empty when the folder has no Hugo configuration."""
    merged: dict[str, Any] = {}
    folder = directory / "config" / "_default"
    parts = sorted(folder.iterdir()) if folder.is_dir() else []
    for path in parts:
        data = _data_file(path)
        if data is None:
            continue
        merged.update(data if path.name in _HUGO_FILES else {path.stem.lower(): data})
    for name in _HUGO_FILES:
        data = _data_file(directory / name)
        if data is not None:
            merged.update(data)
            break
    return merged


def settings_files(directory: Path) -> list[Path]:
    """Every path `hugo_settings` looks at for `directory` (folders and files, there or not):
    its answer changes only when one of these does."""
    folder = directory / "config" / "_default"
    parts = sorted(folder.iterdir()) if folder.is_dir() else []
    return [directory / "config", folder, *parts, *(directory / name for name in _HUGO_FILES)]


def _data_file(path: Path) -> dict[str, Any] | None:
    """A TOML, YAML or JSON table with lower-cased keys; None if unreadable or not a table."""
    if not path.is_file():
        return None
    text = path.read_text("utf-8", "replace")
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            import yaml  # here: only a YAML file pays for PyYAML (a no-op run reads none)

            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError:
                return None
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            return None
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    return _lowered(data) if isinstance(data, dict) else None


def _lowered(data: dict[Any, Any]) -> dict[str, Any]:
    return {str(k).lower(): _lowered(v) if isinstance(v, dict) else v for k, v in data.items()}
