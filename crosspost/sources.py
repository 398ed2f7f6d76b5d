"""Post file → Document: front matter of every generator, one neutral shape
(docs/architecture.md §3).

Generators disagree on key names (`pubDate`, `published`, `lastmod`, `cover_image`…) but rarely
on meaning, so each Document field has an ordered list of aliases and the first present wins
(`ALIASES`); profiles never change this, so a Hugo post moved into an Astro blog still loads.
Everything that goes wrong is a `SourceError` naming the file, the line, the key and the fix.

It stays one module because its one job is that every field of a Document is read from front matter
by the same aliases and fails with the same file/line/key error: the field rules share one `_Post`
(its lookups, its notes, its errors), and split apart they would scatter the one place where a
post's fields are trusted. Reading the file's bytes safely, a job of its own, is
`crosspost.postfile`.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import logging
import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn
from urllib.parse import unquote

from . import built, permalinks
from .config import Config, load_config
from .dates import parse_date
from .discover import POST_SUFFIXES, is_post_name
from .document import Asset, Document, Notice, image_type
from .errors import ConfigError, ContentError, CrosspostError, SourceError
from .gitindex import blob_id
from .hugo import broken_ref
from .mdlines import MissingPost
from .permalinks import FileName, Place, file_name, github_slug, hugo_urlize
from .postfile import MAX_BYTES, UTF8_HINT, decode, read_bytes, refuse_outside
from .syntax import BrokenRef
from .transform import Transformed, absolute_url, transform, url_scheme

if TYPE_CHECKING:
    from .front_matter import Matter

__all__ = ["ALIASES", "load_post", "parse_text"]

log = logging.getLogger("crosspost")

ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "title": ("title",),
        "description": ("description", "summary", "excerpt", "subtitle", "seoDescription"),
        "tags": ("tags", "keywords", "taxonomies.tags"),
        "categories": ("category", "categories", "taxonomies.categories"),
        "canonical_url": ("canonical_url", "canonicalURL", "canonical", "metadata.canonical"),
        "cover": (
            "image",
            "cover",
            "cover_image",
            "heroImage",
            "featured_image",
            "banner",
            "coverImage",
            "images",
        ),
        "date": ("published", "date", "pubDate", "publishDate", "pubDatetime", "datePublished"),
        "scheduled": ("publishDate", "publishdate"),
        "expires": ("expiryDate", "expirydate", "unpublishdate", "unpublishDate"),
        "updated": ("updated", "updatedDate", "lastmod", "last_modified_at", "modDatetime"),
        "draft": ("draft", "published"),
        "lang": ("lang", "language", "locale"),
        "slug": ("slug",),
        "series": ("series",),
    }
)
"""Front matter keys per Document field, first present wins. `published` is the date when it is a
date and the draft flag (dev.to: `published: false`) when it is true/false. A dotted alias is a
key inside a table (Zola's `[taxonomies]`); every alias is also looked up in Zola's `[extra]`."""

_KNOWN = {alias for aliases in ALIASES.values() for alias in aliases if "." not in alias}
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def load_post(path: str | Path, config: Config | None = None, *, body: bool = True) -> Document:
    """Read one post file. Without `config`, the nearest crosspost.toml above it is used.

    `body=False` reads the front matter and the post's address only (body, excerpt and a
    description drawn from the body left empty): what looking a post up on the platforms needs
    (`status --refresh`), without the body transforms that cost most of a read."""
    path = Path(path)
    config = config if config is not None else load_config(start=path)
    refuse_outside(path, config.root)
    data = read_bytes(path)
    text = decode(data, path)
    digest = hashlib.sha256(data).hexdigest()
    document = _safely_built(text, path=path, config=config, digest=digest, body=body)
    return dataclasses.replace(document, source_blob=blob_id(data))


def _safely_built(
    text: str, *, path: Path | None, config: Config, digest: str, body: bool = True
) -> Document:
    """`_build`, where anything but a `SourceError` (a bug this post runs into, in a transform
    or a parser) becomes this post's `SourceError`: one post never stops the others, whoever
    reads it (publish, check, status, the Action). The traceback is logged at DEBUG only."""
    try:
        return _build(text, path=path, config=config, digest=digest, body=body)
    except CrosspostError:
        raise  # the project's own errors say what is wrong already (a SourceError, a config's)
    except Exception as exc:
        log.debug("reading %s failed", path, exc_info=exc)
        raise SourceError(
            f"crosspost could not read this post ({type(exc).__name__}: {exc})",
            path=path,
            hint="this is a bug in crosspost; please report it with the post",
        ) from None


def parse_text(text: str, *, path: Path | None = None, config: Config | None = None) -> Document:
    """Build a Document from a post's text; `path` names it in messages and feeds the slug rule.

    Without `config`, the nearest crosspost.toml above `path` (or the current folder) is used.
    """
    if config is None:
        config = load_config(start=path) if path is not None else load_config()
    if len(text) > MAX_BYTES:
        raise SourceError("the post is larger than 5 MB", path=path, hint="split it up")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise SourceError("binary data: a NUL character", path=path, line=line, hint=UTF8_HINT)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    try:
        return _safely_built(text, path=path, config=config, digest=digest)
    except SourceError as exc:
        if exc.path is None:  # name the text, or the location reads as a bare "1:"
            exc.path = Path("<text>")
        raise


# --------------------------------------------------------------------------- building


def _build(
    text: str, *, path: Path | None, config: Config, digest: str, body: bool = True
) -> Document:
    # Imported here: python-frontmatter pulls in PyYAML, which `import crosspost` must not pay.
    from . import front_matter

    text = _normalized(text)
    try:
        matter = front_matter.read(text, path=path)
        document = _Post(matter, path, config).document(f"sha256:{digest}", with_body=body)
        return built.from_build(document, config) if config.site.build else document
    except RecursionError:
        raise SourceError("the post is nested too deeply to read", path=path) from None


def _normalized(text: str) -> str:
    """Without a BOM, with Unix line ends: line numbers and front matter fences as written."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


class _Post:
    """One post's front matter, read field by field with errors that point at the key."""

    def __init__(self, matter: Matter, path: Path | None, config: Config) -> None:
        self.matter = matter
        self.data = matter.data
        self.path = path
        self.config = config
        self.notices: list[Notice] = []

    # -- lookup

    def get(self, key: str) -> Any:
        value: Any = self.data
        for part in key.split("."):
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value

    def first(
        self, field: str, *, accept: Callable[[Any], bool] = lambda value: True
    ) -> tuple[str, Any] | None:
        """(key, value) of the first alias of `field` with a value; "", [] and {} are unset."""
        for prefix in ("", "extra."):
            for alias in ALIASES[field]:
                value = self.get(prefix + alias)
                if value not in (None, "", [], {}) and accept(value):
                    return prefix + alias, value
        return None

    def line(self, key: str) -> int | None:
        return self.matter.key_lines.get(key) or self.matter.key_lines.get(key.split(".")[0])

    def fail(self, key: str, message: str, hint: str | None = None) -> NoReturn:
        raise SourceError(message, path=self.path, line=self.line(key), field=key, hint=hint)

    def note(self, key: str, code: str, message: str) -> None:
        self.notices.append(Notice(message, code, path=self.path, line=self.line(key), field=key))

    # -- the Document

    def address(self) -> _Address:
        """Where the post lives: what its URL is built from, and the URL itself."""
        title = self.title()
        name = file_name(self.path)
        slug = self.slug() or self.file_slug(name) or _slugify(title)
        lang = self.lang() or name.lang
        published = self.date("date") or self.file_date(name)
        categories = self.categories()
        place = Place(
            slug=slug,
            title=self.slug() or hugo_urlize(title),
            file=name.stem,
            dir=self.folder(name),
            when=published,
            categories=tuple(categories),
            lang=lang,
        )
        canonical = self.canonical(place)
        return _Address(title, slug, lang, published, categories, canonical)

    def file_slug(self, name: FileName) -> str:
        """The slug the file's name and place give when front matter has none (profile.ids)."""
        profile = self.config.profile
        ids = profile.ids if profile is not None else "file"
        if ids == "astro":
            segments = [*self.folder(name).split("/"), name.stem]
            return "/".join(github_slug(s) for s in segments if s)
        if ids == "docusaurus" and name.date is not None:
            return f"{name.date:%Y/%m/%d}/{name.slug}"
        return name.slug

    def file_date(self, name: FileName) -> datetime | None:
        """The date a file name carries, or a Jekyll draft's modification time (Jekyll dates a
        draft by it); None for any other dateless post."""
        if name.date is not None:
            return parse_date(name.date, self.config.site.tz)
        if self.path is not None and "_drafts" in self.path.parts:
            try:
                return datetime.fromtimestamp(self.path.stat().st_mtime, self.config.site.tz)
            except OSError:
                return None
        return None

    def folder(self, name: FileName) -> str:
        """The post's folder under the content folder ("" at its top): Hugo and Eleventy keep
        it in the URL. A bundle's own folder (`post/index.md`) is the post, not a folder."""
        if self.path is None:
            return ""
        parent = self.path.parent.parent if name.bundle else self.path.parent
        try:
            inside = parent.resolve().relative_to(self.config.content_dir)
        except (ValueError, OSError, RuntimeError):
            return ""
        return "" if inside == Path(".") else inside.as_posix()

    def document(self, source_hash: str, *, with_body: bool = True) -> Document:
        """The post; without its body, its address and front matter only (see `load_post`)."""
        title, slug, lang, published, categories, canonical = self.address()
        site = self.config.site.url
        try:
            body = (
                transform(
                    self.matter.body,
                    page_url=canonical,
                    site_url=site,
                    title=title,
                    path=self.path,
                    first_line=self.matter.body_line,
                    ref_url=self.ref_resolver(lang),
                    post_link=self.post_link,
                    generator=self.config.generator,
                )
                if with_body
                else Transformed("", (), "", "")
            )
        except ContentError as exc:  # the post's own error, never one that stops the run
            raise SourceError(exc.message, path=self.path, hint=exc.hint) from None
        described = self.first("description")
        description = self.text(*described) if described else body.description_hint
        return Document(
            title=title,
            body=body.body,
            canonical_url=canonical,
            description=" ".join(description.split()),
            excerpt=body.excerpt,
            tags=self.tags(),
            category=categories[0] if categories else None,
            cover=self.cover(canonical),
            date=published,
            updated=self.date("updated"),
            draft=self.draft(),
            scheduled=self.date("scheduled"),
            expires=self.date("expires"),
            unbuilt=self.unbuilt(),
            lang=lang,
            slug=slug,
            series=self.series(),
            source=self.path,
            source_hash=source_hash,
            extra=MappingProxyType(
                {k: _jsonable(v) for k, v in self.data.items() if k not in _KNOWN}
            ),
            notices=(*self.notices, *body.notices),
        )

    def text(self, key: str, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.fail(key, f"must be text, not {_kind(value)}", f'write {key}: "…" with quotes')

    def title(self) -> str:
        found = self.first("title", accept=lambda v: True)
        if found is None and (derived := _jekyll_title(self.path)):
            self.note(
                "title",
                "title-from-file-name",
                f"no title; using {derived!r} from the file name, as Jekyll does",
            )
            return derived
        if found is None or (isinstance(found[1], str) and not found[1].strip()):
            raise SourceError(
                "the post has no title",
                path=self.path,
                line=self.line("title") or 1,
                field="title",
                hint='add a line like title: "My post" to the front matter',
            )
        key, value = found
        if not isinstance(value, str):
            self.fail(key, f"the title must be text, not {_kind(value)}", 'quote it: title: "…"')
        spaced = re.sub(r"[\t\n\r]+", " ", value)
        cleaned = _INVISIBLE.sub("", spaced)
        if cleaned != spaced:
            self.note(
                key,
                "title-cleaned",
                "invisible control or text-direction characters were removed from the title",
            )
        title = " ".join(cleaned.split())
        if not title:
            self.fail(
                key,
                "the title is empty once control characters are removed",
                "write the title in visible characters",
            )
        return title

    def slug(self) -> str | None:
        found = self.first("slug")
        return self.text(*found).strip().strip("/") or None if found else None

    def lang(self) -> str | None:
        found = self.first("lang")
        return self.text(*found).strip() or None if found else None

    def series(self) -> str | None:
        found = self.first("series")
        if found is None:
            return None
        key, value = found
        if isinstance(value, list):
            value = value[0]
        return self.text(key, value).strip() or None

    def draft(self) -> bool:
        """`draft: true`, or dev.to's `published: false` (only when it is true/false)."""
        for prefix in ("", "extra."):
            key = prefix + "draft"
            value = self.get(key)
            if isinstance(value, str) and value.strip():
                lowered = value.strip().lower()
                if lowered not in ("true", "false", "yes", "no"):
                    self.fail(key, f"cannot read {value!r} as true or false", f"write {key}: true")
                return lowered in ("true", "yes")
            if value is not None and value != "":
                if not isinstance(value, bool):
                    self.fail(key, f"must be true or false, not {_kind(value)}")
                return value
            published = self.get(prefix + "published")
            if isinstance(published, bool):
                return not published
        return False

    def unbuilt(self) -> str:
        """Why the generator never builds this post whatever the date, or "" if it does."""
        if self.path is not None and "_drafts" in self.path.parts:
            return "a Jekyll draft (in _drafts/): the site publishes it once it moves to _posts/"
        if self.get("permalink") is False:
            return "permalink: false: the generator writes no page for it"
        for key in ("build", "_build"):
            settings = self.get(key)
            if isinstance(settings, Mapping) and settings.get("render") in ("never", False):
                return f"{key}.render is {settings['render']!r}: Hugo does not render this page"
        return ""

    def date(self, field: str) -> datetime | None:
        found = self.first(field, accept=lambda v: not _is_flag(v))
        if found is None:
            return None
        key, value = found
        try:
            return parse_date(value, self.config.site.tz)
        except (ValueError, OverflowError):
            shown = value if isinstance(value, str) else str(value)
            self.fail(
                key,
                f"cannot read {shown!r} as a date",
                "use YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS+01:00",
            )

    def tags(self) -> tuple[str, ...]:
        found = self.first("tags")
        if found is None:
            return ()
        key, value = found
        items = value.split(",") if isinstance(value, str) else self.items(key, value)
        if any(_INVISIBLE.search(item.strip()) for item in items):
            self.note(
                key,
                "tags-cleaned",
                "invisible control or text-direction characters were removed from the tags",
            )
        unique: dict[str, str] = {}
        for item in (" ".join(_INVISIBLE.sub("", i).split()) for i in items):
            if item:
                unique.setdefault(item.casefold(), item)
        return tuple(unique.values())

    def categories(self) -> list[str]:
        found = self.first("categories")
        if found is None:
            return []
        key, value = found
        if isinstance(value, str):
            # Jekyll: `categories: a b` is two categories; `category: Web Dev` is one.
            split = "," in value or key.endswith("categories")
            parts = re.split(r"," if "," in value else r"\s+", value) if split else [value]
            return [p.strip() for p in parts if p.strip()]
        return [i.strip() for i in self.items(key, value) if i.strip()]

    def items(self, key: str, value: Any) -> list[str]:
        if not isinstance(value, list):
            value = [value]
        out = []
        for number, item in enumerate(value, start=1):
            if item is None:
                continue
            if isinstance(item, date | time):
                out.append(item.isoformat())
            elif isinstance(item, str) or (
                isinstance(item, int | float) and not isinstance(item, bool)
            ):
                out.append(str(item))
            elif isinstance(item, bool):
                self.fail(
                    key,
                    f"item {number} reads as {str(item).lower()} (YAML takes yes/no/on/off "
                    "for true/false)",
                    'quote it, like ["on", "off"]',
                )
            else:
                self.fail(
                    key,
                    f"item {number} is {_kind(item)}; each entry must be a word or phrase",
                    "write the list as [one, two] or as a comma-separated string",
                )
        return out

    # -- URLs

    def canonical(self, place: Place) -> str:
        site = self.config.site.url
        found = self.first("canonical_url")
        if found is not None:
            key, value = found
            url = self.text(key, value).strip()
            if url.startswith("/") and not url.startswith("//") and site:
                url = site.rstrip("/") + url
            if not re.match(r"https?://[^/\s]+\S*$", url):
                self.fail(
                    key,
                    f"{url!r} is not an absolute http(s) URL",
                    "write the full address, like https://example.com/posts/my-post/",
                )
            if not self.config.owns(url):
                self.fail(
                    key,
                    f"{url!r} is not on the site (site.url {site!r})",
                    "a post's canonical URL is its page on this site; list another host of "
                    "yours in [site] hosts = [...] if the post lives there",
                )
            return url
        if not site:
            raise SourceError(
                "cannot build the post's canonical URL: the site's address is unknown",
                path=self.path,
                field="canonical_url",
                hint="set url in the [site] table of crosspost.toml, or canonical_url in the "
                "front matter",
            )
        fixed = self.fixed_path()
        if fixed is not None:
            return permalinks.under_site(self.config, fixed)
        if place.when is None and re.search(r"\{(year|month|day)\}", self.config.permalink):
            raise SourceError(
                f"the permalink {self.config.permalink!r} needs the post's date",
                path=self.path,
                line=1,
                field="date",
                hint="add date: YYYY-MM-DD to the front matter, or set canonical_url",
            )
        return permalinks.url(self.config, place)

    def fixed_path(self) -> str | None:
        """The page's own path, when front matter fixes it: `permalink: /x/` (Jekyll, Eleventy)
        or `url: /x/` (Hugo). A pattern (`:title`, `{{ }}`) is the generator's to fill."""
        for key in ("permalink", "url"):
            value = self.get(key)
            if isinstance(value, str) and value.startswith("/") and not re.search(r"[:{]", value):
                return value
        return None

    def ref_resolver(self, lang: str | None) -> Callable[[str], str | None]:
        """Links to other posts by source path (Hugo `ref`, Jekyll `post_url`, Zola `@/`): the
        target post's own URL when its file is found in the content folder (its front matter
        can change the URL: a slug, a title, a date), else from what its name tells."""
        config = self.config
        needs = set(re.findall(r"\{(\w+)\}", config.permalink))

        def resolve(target: str) -> str | None:
            where, _, anchor = target.partition("#")
            folders = [config.content_dir] if self.path is None else [self.path.parent]
            folders += [] if self.path is None else [config.content_dir]
            found = next(filter(None, (_find_post(f, where) for f in folders)), None)
            if found is not None and (address := _post_url(found, config)):
                return f"{address}#{anchor}" if anchor else address
            if found is None and config.site.profile == "hugo":
                level = broken_ref(config.root, self.path, where)
                if level == "error":
                    why = f'ref "{where}" names no page of the site; Hugo fails the build on it'
                    raise BrokenRef(why, _HUGO_REF_HINT)
                if level == "warning":
                    return None  # Hugo builds it with an empty link: crosspost says so
            name = file_name(Path(where.strip()))
            if not name.slug or not config.site.url or needs & {"category", "categories"}:
                return None
            if name.date is None and needs & {"year", "month", "day"}:
                return None
            place = Place(name.slug, name.slug, name.stem, "", name.date, (), name.lang or lang)
            address = permalinks.url(config, place)
            return f"{address}#{anchor}" if anchor else address

        return resolve

    def post_link(self, target: str) -> str | None:
        """The URL of the post file a relative link names (`./other.md#part`), if it is one:
        a post file inside the blog whose front matter can be read. Anything else (a README, a
        post with errors) is None, and the link is made absolute as written; a missing file
        raises `MissingPost`, for the transform to warn about."""
        if self.path is None:
            return None
        where, _, anchor = target.partition("#")
        linked = self.path.parent / unquote(where)
        if not is_post_name(linked.name):
            return None
        try:
            real = linked.resolve(strict=True)
        except FileNotFoundError as exc:
            raise MissingPost(target) from exc
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(self.config.root.resolve()) or not real.is_file():
            return None
        url = _post_url(linked, self.config)
        return f"{url}#{anchor}" if url and anchor else url

    def cover(self, canonical: str) -> Asset | None:
        found = self.first("cover")
        if found is None:
            return None
        key, value = found
        alt = ""
        if isinstance(value, list):
            value = value[0]
        if isinstance(value, Mapping):
            alt = str(value.get("alt") or "")
            value = value.get("src") or value.get("image") or value.get("url")
        if not value:
            return None
        if not isinstance(value, str):
            self.fail(key, f"must be an image path or URL, not {_kind(value)}")
        written = value.strip()
        scheme = url_scheme(written)
        if scheme not in (None, "http", "https"):
            self.fail(
                key,
                f"'{scheme}:' addresses are not allowed for the cover image",
                "use a path relative to the post, or an https:// URL",
            )
        profile = self.config.profile
        if not scheme and profile is not None and profile.covers_from_root:
            written = "/" + written.removeprefix("./").lstrip("/")
        url = absolute_url(written, page_url=canonical, site_url=self.config.site.url)
        if scheme or written.startswith("//"):
            return Asset(url=url, alt=alt)
        path = self.local_file(key, written)
        if path is not None:
            self.unknown_url(key, written, url, path)
        return Asset(url=url, path=path, alt=alt)

    def unknown_url(self, key: str, written: str, url: str, path: Path) -> None:
        """A cover the generator publishes under a hashed name (Astro: anything in `src/`):
        `url`, computed from the source, would not be found, and platforms that take the
        cover's URL (dev.to, Hashnode) would show a broken image. The built site knows it."""
        profile = self.config.profile
        if profile is None or profile.hashed_assets is None or self.config.site.build:
            return
        if not path.is_relative_to((self.config.root / profile.hashed_assets).resolve()):
            return
        self.note(
            key,
            "cover-url-unknown",
            f"cover image {written!r} is in {profile.hashed_assets}/, which {profile.description} "
            f"publishes under a hashed name: its URL cannot be known from the source ({url} "
            "would not be found); set [site] build to read it from the built site, or put the "
            "image in public/",
        )

    def local_file(self, key: str, written: str) -> Path | None:
        """The cover's file if it is a regular file inside the blog root (symlinks resolved)."""
        if self.path is None:
            self.note(
                key, "cover-unchecked", f"cover image {written!r}: no post file to look beside"
            )
            return None
        relative = unquote(re.split(r"[?#]", written, maxsplit=1)[0])
        root = self.config.root.resolve()
        if relative.startswith("/"):
            inside = relative.lstrip("/")
            candidates = [root / "public" / inside, root / "static" / inside, root / inside]
        else:
            candidates = [self.path.parent / relative]
        for candidate in candidates:
            try:
                real = candidate.resolve(strict=True)
            except (OSError, RuntimeError):
                continue
            if not real.is_relative_to(root):
                self.note(
                    key,
                    "cover-outside",
                    f"cover image {written!r} is outside the blog folder; it will not be uploaded",
                )
                return None
            if not real.is_file():
                self.note(key, "cover-not-file", f"cover image {written!r} is not a regular file")
                return None
            if not _is_image(real):
                self.note(
                    key,
                    "cover-not-image",
                    f"cover image {written!r} is not a PNG, JPEG, GIF, WebP or AVIF image; "
                    "it will not be uploaded",
                )
                return None
            return real
        self.note(
            key, "cover-missing", f"cover image {written!r} not found; platforms get only its URL"
        )
        return None


# --------------------------------------------------------------------------- helpers


class _Address(NamedTuple):
    title: str
    slug: str
    lang: str | None
    date: datetime | None
    categories: list[str]
    canonical: str


_HUGO_REF_HINT = (
    'fix the path; with refLinksErrorLevel = "warning" in the Hugo config, Hugo builds the page '
    "anyway and crosspost links the site's home page instead"
)


def _find_post(folder: Path, target: str) -> Path | None:
    """The post file a generator reference names, looked up in `folder` (the post's own, then
    the content folder, as Hugo does): with or without its extension, or a page bundle's folder
    (`my-post` → `my-post/index.md`)."""
    relative = target.strip().lstrip("/")
    if not relative or ".." in Path(relative).parts:
        return None
    base = folder / relative
    names = [base, *(base.with_name(base.name + s) for s in POST_SUFFIXES)]
    names += [base / f"index{s}" for s in POST_SUFFIXES]
    return next((n for n in names if n.is_file() and is_post_name(n.name)), None)


def _post_url(path: Path, config: Config) -> str | None:
    """The canonical URL of the post file at `path`, from its front matter alone, or None if it
    cannot be read. Its body is not transformed: two posts linking to each other must not
    read each other in turn."""
    from . import front_matter  # PyYAML: see `_build`

    try:
        text = _normalized(decode(read_bytes(path), path))
        return _Post(front_matter.read(text, path=path), path, config).address().canonical
    except (SourceError, ConfigError, RecursionError):
        return None


def _is_image(path: Path) -> bool:
    """Only image files may be uploaded: a cover path pointing at `.env` or a key file must
    never send its bytes anywhere, even to a server that would refuse them."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    return image_type(head) is not None


def _jekyll_title(path: Path | None) -> str | None:
    """Jekyll titles a `_posts/YYYY-MM-DD-my-post.md` without a title "My Post" (each word of
    the slug capitalised); elsewhere a missing title stays an error."""
    if path is None or "_posts" not in path.parts:
        return None
    name = file_name(path)
    if name.date is None or not name.slug:
        return None
    return " ".join(word.capitalize() for word in name.slug.split("-") if word)


def _slugify(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.casefold()).strip("-")


def _is_flag(value: object) -> bool:
    return isinstance(value, bool) or (
        isinstance(value, str) and value.strip().lower() in ("true", "false")
    )


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table of keys"
    if isinstance(value, date | time):
        return "a date"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "empty"
    return f"a value of type {type(value).__name__}"


def _jsonable(value: Any) -> Any:
    """Front matter values as JSON can carry them (dates as ISO strings), for `Document.extra`."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(v) for v in value), key=str)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)
