"""The neutral Document every platform is rendered from, and the small value types around it.

Everything here is frozen: a Document is computed once from a post file and then only read, so it
can be hashed, cached and shared between concurrent platform tasks without copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Config

__all__ = ["Asset", "Document", "Notice", "RemotePost"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


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


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning about a post: something a platform will show differently, trim or drop."""

    message: str
    code: str
    path: Path | None = None
    line: int | None = None
    field: str | None = None
    platform: str | None = None

    def __str__(self) -> str:
        where = str(self.path) if self.path else ""
        if self.line is not None:
            where = f"{where}:{self.line}"
        if self.platform:
            where = f"{where} [{self.platform}]" if where else f"[{self.platform}]"
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Document:
    """One post, in the terms every platform shares (DESIGN §3).

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
    lang: str | None = None
    slug: str = ""
    series: str | None = None
    source: Path | None = None
    source_hash: str = ""
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    notices: tuple[Notice, ...] = field(default=(), compare=False)

    def to_html(self) -> str:
        """The body as HTML, rendered the way crosspost renders for HTML-only platforms."""
        from .transform import render_html

        return render_html(self.body)

    @property
    def label(self) -> str:
        """How to name this post in messages: its source path if it has one, else its URL."""
        return str(self.source) if self.source else self.canonical_url

    @classmethod
    def from_markdown(
        cls,
        text: str,
        *,
        path: str | Path | None = None,
        config: Config | None = None,
    ) -> Document:
        """Build a Document from Markdown with front matter that is not (or not yet) a file.

        `path` only names the post in messages and feeds the slug rule; nothing is read from it.
        Raises `SourceError` for bad front matter, exactly as for a file.
        """
        from .sources import parse_text

        return parse_text(text, path=Path(path) if path is not None else None, config=config)


@dataclass(frozen=True, slots=True)
class RemotePost:
    """A post as it exists on a platform: enough to update it and to show the user where it is."""

    id: str
    url: str | None = None
    draft: bool = False
    canonical_url: str | None = None
