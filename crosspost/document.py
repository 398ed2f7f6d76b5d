"""The neutral Document every platform is rendered from, and the small value types around it.

Everything here is frozen: a Document is computed once from a post file and then only read, so it
can be cached and shared between concurrent platform tasks without copies. (A Document is not
hashable: `extra` is a read-only mapping; key caches on `canonical_url` or `source_hash`.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .notice import Notice

__all__ = ["Asset", "Document", "Notice", "RemotePost", "image_type"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def image_type(head: bytes) -> str | None:
    """The MIME type of an image from its first 16 bytes (JPEG, PNG, GIF, WebP, AVIF), or None:
    platforms check content, not file names, and so does crosspost before uploading."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return "image/avif"
    return None


@dataclass(frozen=True, slots=True)
class Asset:
    """An image the post refers to.

    `url` is where the site serves it (absolute http(s)); `path` is the local file, set only when
    it resolved to a regular file inside the blog root, so uploaders can never be tricked into
    reading outside the repository.
    """

    url: str | None = None
    path: Path | None = None
    alt: str = ""

    def read_bytes(self) -> bytes:
        """The local file's bytes; only files vetted at load time are ever read."""
        if self.path is None:
            raise FileNotFoundError("this asset has no local file")
        return self.path.read_bytes()


@dataclass(frozen=True)
class Document:
    """One post, in the terms every platform shares (docs/architecture.md §3).

    `body` is Markdown after the portable transforms (absolute links, SSG syntax removed);
    `excerpt` is plain text for summaries; `notices` are warnings found while loading (line numbers
    refer to the source file) and do not take part in equality.
    """

    title: str
    body: str
    canonical_url: str
    description: str = ""
    excerpt: str = ""
    tags: tuple[str, ...] = ()
    category: str | None = None
    cover: Asset | None = None
    date: datetime | None = None
    updated: datetime | None = None
    draft: bool = False
    scheduled: datetime | None = None
    expires: datetime | None = None
    unbuilt: str = ""
    lang: str | None = None
    slug: str = ""
    series: str | None = None
    source: Path | None = None
    source_hash: str = ""
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    notices: tuple[Notice, ...] = field(default=(), compare=False)
    source_blob: str = ""
    """git's blob id of the file's bytes (`crosspost.gitindex.blob_id`); "" without a file."""

    def to_html(self) -> str:
        """The body as HTML, rendered the way crosspost renders for HTML-only platforms."""
        from .transform import render_html  # the Markdown renderer: a no-op run never needs it

        return render_html(self.body)

    @property
    def label(self) -> str:
        """How to name this post in messages: its source path if it has one, else its URL."""
        return str(self.source) if self.source else self.canonical_url


@dataclass(frozen=True, slots=True)
class RemotePost:
    """A post as it exists on a platform: enough to update it and to show the user where it is."""

    id: str
    url: str | None = None
    draft: bool = False
    canonical_url: str | None = None
    mine: bool | None = None
    """From `Adapter.lookup`: whether the copy belongs to the token's account, where the
    platform tells (None: it does not say, or refuses to change another account's posts)."""
    notes: tuple[str, ...] = ()
    """What the platform kept against the request (a removal its API cannot make), for the
    report line of the update."""
