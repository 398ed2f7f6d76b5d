"""Records files of formats 1 and 2, upgraded to format 3 as read (docs/records.md).

Format 1 (crosspost 0.1.0) is an indented document with every value in every entry; format 2
says a post's shared source hash (`sha`) and blob id (`blob`) once on its line, and per
platform the config fingerprint most entries have (`configs`). `upgraded` turns either into
the format-3 document with the same records, every entry an object of all its own values, so
that `crosspost.records_format` validates and decodes it as it does a file of its own (and the
next write writes format 3). Two values change on the way:

- an entry with a git blob id drops its sha256 (`source`): the blob is the one content
  identity; an entry without one keeps it, so its unchanged file is still recognised (and its
  record given its blob, `crosspost.plan.Refresh`);
- a payload `hash` of 256 bits becomes the 128 bits crosspost computes now (its first 32 hex
  digits), so that an unchanged post's payload still equals its record after the upgrade.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["upgraded"]

_PREFIX = "sha256:"
_FULL_HASH = len(_PREFIX) + 64
_SHORT_HASH = len(_PREFIX) + 32


def upgraded(data: dict[str, Any]) -> dict[str, Any]:
    """A document of format 1 or 2 (its version already read) as format 3; raises
    `ValueError` naming what is not a records document."""
    posts = data.get("posts", {})
    if type(posts) is not dict:
        raise ValueError("posts: expected an object")
    configs = data.get("configs", {})
    if type(configs) is not dict or not all(type(v) is str for v in configs.values()):
        raise ValueError("configs: expected an object of text")
    return {
        "accounts": data.get("accounts", {}),
        "posts": {url: _post(url, post, configs) for url, post in posts.items()},
    }


def _post(url: str, post: Any, configs: Mapping[str, str]) -> list[Any]:
    """One post of format 1 or 2 → `[source, null, {platform: entry object}]`."""
    if type(post) is not dict or type(post.get("platforms", {})) is not dict:
        raise ValueError(f"posts[{url!r}]: expected an object with platforms")
    entries = {}
    for name, entry in post.get("platforms", {}).items():
        if type(entry) is not dict:
            raise ValueError(f"posts[{url!r}].{name}: not a record")
        entries[name] = _entry(entry, post, configs.get(name))
    source = post.get("source")
    return [source if type(source) is str else None, None, entries]


def _entry(entry: dict[str, Any], post: dict[str, Any], config: str | None) -> dict[str, Any]:
    """An entry with the values its post line and the document say once written in again
    (`null`, an entry that has none where the others have one, is no value), as format 3 holds
    it (the module docstring says what changes)."""
    full = dict(entry)
    for key, shared in (
        ("source", post.get("sha")),
        ("blob", post.get("blob")),
        ("config", config),
    ):
        if key not in full and shared is not None:
            full[key] = shared
    full = {k: v for k, v in full.items() if v is not None}
    if "blob" in full:
        full.pop("source", None)
    digest = full.get("hash")
    if type(digest) is str and len(digest) == _FULL_HASH and digest.startswith(_PREFIX):
        full["hash"] = digest[:_SHORT_HASH]
    return full
