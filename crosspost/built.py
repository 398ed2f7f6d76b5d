"""The built site as the source of truth (`[site] build = "dist"`).

Some URLs no rule on the source side can predict: Astro and Docusaurus publish a post's images
under hashed names (`/_astro/x.<hash>.webp`, `/assets/images/x-<hash>.jpeg`), plugins rewrite
permalinks. Given the generator's output folder, each post's built page is found (at the URL
computed from the source, else by its title) and its `<link rel="canonical">`, `og:image` and
`<img>` sources replace what was computed, with a warning wherever they differ. A post the build
has no page for is held: the site does not publish it.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit

from .config import Config
from .errors import SourceError
from .notice import Notice

if TYPE_CHECKING:
    from .document import Document  # documents are built in sources, which calls this module

__all__ = ["BuiltPage", "build_folder", "from_build", "pages", "served"]

_IMAGE = re.compile(r"(!\[([^\]]*)\]\(\s*<?)([^\s)>]+)")


@dataclass(frozen=True, slots=True)
class BuiltPage:
    """What one HTML file of the build says about itself."""

    file: Path
    url: str
    canonical: str | None = None
    title: str = ""
    og_image: str | None = None
    images: tuple[tuple[str, str], ...] = ()
    """(src, alt) of every `<img>`, absolute, in page order."""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.canonical: str | None = None
        self.og_image: str | None = None
        self.images: list[tuple[str, str]] = []
        self.title = ""
        self.h1 = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        if tag == "link" and "canonical" in a.get("rel", "").lower().split():
            self.canonical = self.canonical or a.get("href") or None
        elif tag == "meta" and a.get("property", a.get("name", "")).lower() == "og:image":
            self.og_image = self.og_image or a.get("content") or None
        elif tag == "img" and a.get("src"):
            self.images.append((a["src"], a.get("alt", "")))
        elif tag in ("title", "h1"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.h1 += data


def _read_page(file: Path, url: str) -> BuiltPage:
    reader = _Reader()
    reader.feed(file.read_text("utf-8", "replace"))
    absolute = functools.partial(urljoin, url)
    return BuiltPage(
        file=file,
        url=url,
        canonical=absolute(reader.canonical) if reader.canonical else None,
        title=" ".join((reader.h1 or reader.title).split()),
        og_image=absolute(reader.og_image) if reader.og_image else None,
        images=tuple((absolute(src), alt) for src, alt in reader.images),
    )


@functools.lru_cache(maxsize=4)
def _index(folder: Path, site: str, stamp: float) -> tuple[BuiltPage, ...]:
    """Every HTML page of the build; `stamp` (the folder's mtime) renews it after a rebuild."""
    found = []
    for file in sorted(folder.rglob("*.html")):
        if not file.resolve().is_relative_to(folder):
            continue  # a link out of the build: crosspost reads nothing outside the blog
        relative = file.relative_to(folder).as_posix()
        path = relative.removesuffix("index.html") if file.name == "index.html" else relative
        found.append(_read_page(file, f"{site}/{path}"))
    return tuple(found)


def pages(config: Config) -> tuple[BuiltPage, ...]:
    """The built pages of the site, or () when `[site] build` is unset or not a folder."""
    folder = build_folder(config)
    if folder is None or not config.site.url:
        return ()
    return _index(folder, config.site.url.rstrip("/"), folder.stat().st_mtime)


def build_folder(config: Config) -> Path | None:
    if not config.site.build:
        return None
    folder = (config.root / config.site.build).resolve()
    return folder if folder.is_dir() else None


def served(config: Config, url: str) -> Path | None:
    """The file of the build that answers `url`, if any."""
    folder = build_folder(config)
    site = urlsplit(config.site.url or "")
    parts = urlsplit(url)
    if folder is None or (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    prefix = site.path.rstrip("/") + "/"
    path = unquote(parts.path)
    if not path.startswith(prefix) and path != prefix.rstrip("/"):
        return None
    relative = PurePosixPath(path[len(prefix) :]) if path.startswith(prefix) else PurePosixPath()
    if ".." in relative.parts:
        return None
    base = folder / relative
    candidates = [base / "index.html", base, base.with_name(base.name + ".html")]
    return next((c for c in candidates if c.is_file()), None)


def _page_of(config: Config, doc: Document) -> BuiltPage | None:
    file = served(config, doc.canonical_url)
    built = pages(config)
    if file is not None and file.suffix == ".html":
        return next((p for p in built if p.file == file), None)
    same = [p for p in built if p.title == doc.title]
    return same[0] if len(same) == 1 else None


def from_build(doc: Document, config: Config) -> Document:
    """`doc` with the URLs its built page uses, a notice for each difference; held (with the
    reason) when the build has no page for it. Unchanged without `[site] build`."""
    folder = build_folder(config)
    if folder is None:
        if config.site.build:
            return _noted(doc, f"[site] build: {config.site.build} is not a folder; build first")
        return doc
    page = _page_of(config, doc)
    if page is None:
        reason = f"no page for it in the build ({config.site.build}): the site does not publish it"
        return dataclasses.replace(doc, unbuilt=doc.unbuilt or reason)
    notes: list[str] = []
    canonical = page.canonical or page.url
    if not config.owns(canonical):
        # The rule front matter's canonical_url follows: crosspost adopts and updates copies by
        # canonical URL, so a committed page claiming someone else's would take over theirs.
        raise SourceError(
            f"the built page {page.file.relative_to(folder)} gives the canonical URL "
            f"{canonical!r}, which is not on the site (site.url {config.site.url!r})",
            path=doc.source,
            field="canonical_url",
            hint="a post's canonical URL is its page on this site; list another host of "
            "yours in [site] hosts = [...] if the post lives there",
        )
    if canonical != doc.canonical_url:
        notes.append(f"the built page's canonical URL is {canonical}, not {doc.canonical_url}")
    body = _IMAGE.sub(lambda m: _built_image(m, config, page, notes), doc.body)
    cover = doc.cover
    if cover is not None and cover.url and served(config, cover.url) is None and page.og_image:
        notes.append(f"cover image {cover.url} is served as {page.og_image} (from the build)")
        cover = dataclasses.replace(cover, url=page.og_image)
    changed = dataclasses.replace(doc, canonical_url=canonical, body=body, cover=cover)
    return _noted(changed, *notes)


def _built_image(m: re.Match[str], config: Config, page: BuiltPage, notes: list[str]) -> str:
    """A Markdown image's URL, replaced by the built page's when the build has no file there:
    the `<img>` with the same alt text, else the one whose name starts with the same stem."""
    url, alt = m.group(3), m.group(2)
    if not url.startswith(("http://", "https://")) or served(config, url) is not None:
        return m.group()
    stem = PurePosixPath(urlsplit(url).path).stem
    candidates = [src for src, text in page.images if alt and text == alt]
    candidates += [
        src for src, _ in page.images if PurePosixPath(urlsplit(src).path).name.startswith(stem)
    ]
    found = next((src for src in candidates if served(config, src) is not None), None)
    if found is None:
        notes.append(f"image {url} is not in the build and the built page has no match for it")
        return m.group()
    notes.append(f"image {url} is served as {found} (from the build)")
    return m.group(1) + found


def _name(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).name


def _noted(doc: Document, *messages: str) -> Document:
    extra = tuple(Notice(text, "build", path=doc.source) for text in messages)
    return dataclasses.replace(doc, notices=(*doc.notices, *extra)) if extra else doc
