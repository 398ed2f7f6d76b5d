"""Records files of formats 1 and 2, read for an upgrade (docs/records.md).

Format 1 (crosspost 0.1.0) is an indented document with every value in every entry; format 2
says a post's shared source hash (`sha`) and blob id (`blob`) once on its line, and per
platform the config fingerprint most entries have (`configs`). Both are decoded whole into the
data format 3 holds (`crosspost.records_format`), and the next write writes format 3:

- an entry with a git blob id drops its sha256 (`source`): the blob is the one content
  identity; an entry without one keeps it, so its unchanged file is still recognised (and its
  record given its blob, `crosspost.plan.Refresh`);
- a payload `hash` of 256 bits becomes the 128 bits crosspost computes now (its first 32 hex
  digits), so that an unchanged post's payload still equals its record after the upgrade.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .records_format import (
    Entry,
    FormatError,
    PostRecords,
    RecordsData,
    parse_accounts,
)

__all__ = ["parse_legacy"]

_FULL_HASH = len("sha256:") + 64
_SHORT_HASH = len("sha256:") + 32


def parse_legacy(data: dict[str, Any], raw: bytes) -> RecordsData:
    """A document of format 1 or 2 (its version already read) → its records; raises
    `FormatError`."""
    try:
        raw_posts = data.get("posts", {})
        if type(raw_posts) is not dict:
            raise ValueError("posts: expected an object")
        configs = data.get("configs", {})
        if type(configs) is not dict or not all(type(v) is str for v in configs.values()):
            raise ValueError("configs: expected an object of text")
        posts = {url: _decoded(url, post, configs) for url, post in raw_posts.items()}
        return RecordsData(posts, parse_accounts(data), text=raw)
    except ValueError as exc:
        raise FormatError(f"the records file is damaged: {exc}") from None


def _decoded(url: str, raw: Any, configs: Mapping[str, str]) -> PostRecords:
    """One post as read (format 1 or 2) → its validated entries; raises `ValueError`."""
    if type(raw) is not dict or type(raw.get("platforms", {})) is not dict:
        raise ValueError(f"posts[{url!r}]: expected an object with platforms")
    platforms: dict[str, Entry] = {}
    for name, entry in raw.get("platforms", {}).items():
        if type(entry) is dict:
            entry = _upgraded(_spelled_out(entry, raw, configs.get(name)))
        platforms[name] = Entry.from_json(entry, url=url, platform=name)
    source = raw.get("source")
    return PostRecords(source if isinstance(source, str) else None, platforms)


def _spelled_out(entry: dict[str, Any], post: dict[str, Any], config: str | None) -> dict[str, Any]:
    """An entry with the values its post line and the document say once written in again;
    `null` (an entry that has none where the others have one) is no value."""
    full = dict(entry)
    for key, shared in (
        ("source", post.get("sha")),
        ("blob", post.get("blob")),
        ("config", config),
    ):
        if key not in full and shared is not None:
            full[key] = shared
    return {k: v for k, v in full.items() if v is not None}


def _upgraded(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry of format 1 or 2 as format 3 holds it (the module docstring says why)."""
    if "blob" in entry:
        entry.pop("source", None)
    digest = entry.get("hash")
    if type(digest) is str and len(digest) == _FULL_HASH and digest.startswith("sha256:"):
        entry["hash"] = digest[:_SHORT_HASH]
    return entry
