"""A post's path on its site: the placeholders of a permalink pattern, filled the way the
generator fills them (docs/architecture.md §3).

Generators agree on the shape (`/{year}/{month}/{slug}/`) but not on the words: Hugo's `:slug`
falls back to the urlized title and Hugo urlizes and lower-cases the whole path, Jekyll
slugifies its `:title`, writes the date in the site's time zone and keeps a category's spaces,
Eleventy keeps a file's date prefix, Astro's ids are lower-cased slugs of the file's path. Each
rule is a `Profile` setting read here; every rule was checked against the real generator by the
oracle suite in tests/generators/.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote, unquote_plus

from .config import Config
from .discover import POST_SUFFIXES
from .errors import ConfigError

__all__ = [
    "PLACEHOLDERS",
    "FileName",
    "Place",
    "file_name",
    "github_slug",
    "hugo_path",
    "hugo_urlize",
    "jekyll_slug",
    "under_site",
    "url",
]

PLACEHOLDERS = (
    "slug",
    "title",
    "file",
    "dir",
    "year",
    "month",
    "day",
    "category",
    "categories",
    "lang",
)
_DATED = re.compile(r"(\d{4})-(\d{2})-(\d{2})-(.+)")
_ISO_639_1 = frozenset(
    re.findall(
        r"\w\w",
        "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv "
        "cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr "
        "ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw "
        "ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv "
        "ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr "
        "ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi "
        "yo za zh zu ",
    )
)


@dataclass(frozen=True, slots=True)
class FileName:
    """What a post's file name tells: `slug` without a date prefix, `stem` with it (Eleventy's
    and Hugo's `:filename` keep it), a translation's language, the prefix's date."""

    slug: str = ""
    stem: str = ""
    lang: str | None = None
    date: date | None = None
    bundle: bool = False
    """An `index.md`: the post is its folder (a Hugo page bundle, an Astro or Zola folder post)."""


def file_name(path: Path | None) -> FileName:
    """The `FileName` of `path`: `index.md` (and `index.<lang>.md`) take the folder's name,
    `post.<lang>.md` is a translation (Hugo, Zola), `YYYY-MM-DD-` is a date (Jekyll)."""
    if path is None:
        return FileName()
    name = path.name
    stem = next((name[: -len(s)] for s in POST_SUFFIXES if name.lower().endswith(s)), name)
    lang = None
    base, dot, tail = stem.rpartition(".")
    tag = re.fullmatch(r"([a-z]{2})(?:-[a-z0-9]{2,8}){0,3}", tail.lower())
    if dot and base and tag and tag.group(1) in _ISO_639_1:
        stem, lang = base, tail
    bundle = stem in ("index", "_index")
    if bundle:
        stem = path.parent.name
    full = re.sub(r"\s+", "-", stem.strip())
    when = None
    m = _DATED.fullmatch(stem)
    if m:
        try:
            when = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            stem = m.group(4)
        except ValueError:
            pass
    return FileName(re.sub(r"\s+", "-", stem.strip()), full, lang, when, bundle)


def hugo_urlize(text: str) -> str:
    """Hugo's `urlize` before lower-casing (helpers.UnicodeSanitize in Hugo's source): letters,
    digits, marks and `._-#+~/@\\` are kept, a run of spaces becomes one hyphen, the rest goes."""
    out: list[str] = []
    hyphen_pending = was_hyphen = False
    for i, char in enumerate(text):
        allowed = (
            char in "./\\_#+~-@"
            or char.isalpha()
            or char.isdigit()
            or unicodedata.category(char).startswith("M")
            or (char == "%" and re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 1 : i + 3]) is not None)
        )
        if allowed:
            was_hyphen = char == "-"
            if hyphen_pending and not was_hyphen:
                out.append("-")
            hyphen_pending = False
            out.append(char)
        elif out and not was_hyphen and char.isspace():
            hyphen_pending = True
    return "".join(out)


_JEKYLL_KEPT = frozenset("._~!$&'()+,;=@")


def jekyll_slug(text: str) -> str:
    """Jekyll's `:title` (its `slugify` in "pretty" mode, case kept, checked against Jekyll 4.3
    by tests/generators): each run of characters other than letters, marks, decimal digits and
    `._~!$&'()+,;=@` becomes one hyphen, and a hyphen at either end goes. The slug key is read
    so, and the file name too: `C++ & Rust: a love story!` is `C++-&-Rust-a-love-story!`."""
    kept = "".join(
        c if c in _JEKYLL_KEPT or unicodedata.category(c) in _JEKYLL_CATEGORIES else "-"
        for c in text
    )
    return re.sub("-{2,}", "-", kept).strip("-")


_JEKYLL_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd"})


def github_slug(text: str) -> str:
    """github-slugger, which Astro's content loader uses for ids: lower-cased, spaces to hyphens,
    every punctuation mark but `-` and `_` removed."""
    kept = (
        c for c in text.lower() if c in "-_ " or c.isalnum() or unicodedata.category(c)[0] == "M"
    )
    return "".join(kept).replace(" ", "-")


@dataclass(frozen=True, slots=True)
class Place:
    """What a post's URL is built from."""

    slug: str
    title: str
    file: str
    dir: str
    when: datetime | date | None
    categories: tuple[str, ...]
    lang: str | None


def url(config: Config, place: Place) -> str:
    """The post's canonical URL: the permalink pattern filled with `place`, under the site URL."""
    profile = config.profile
    when = place.when
    if isinstance(when, datetime) and profile is not None and profile.local_dates:
        when = when.astimezone(config.site.tz)
    category = profile.category if profile is not None else "slug"
    names = [_category(c, category) for c in place.categories]
    jekyll = profile is not None and profile.jekyll_slugs
    values = {
        "slug": jekyll_slug(place.slug) if jekyll else place.slug,
        "title": place.title,
        "file": place.file,
        "dir": place.dir,
        "year": f"{when.year:04d}" if when else "",
        "month": f"{when.month:02d}" if when else "",
        "day": f"{when.day:02d}" if when else "",
        "category": names[0] if names else "",
        "categories": "/".join(names),
        "lang": place.lang or "",
    }

    def fill(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            raise ConfigError(
                f"unknown placeholder {{{m.group(1)}}} in the permalink",
                path=config.path,
                field="site.permalink",
                hint="allowed: " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS),
            )
        return values[m.group(1)]

    path = re.sub(r"/{2,}", "/", "/" + re.sub(r"\{(\w*)\}", fill, config.permalink))
    if profile is not None and profile.hugo_paths:
        path = hugo_path(path)
    return under_site(config, path)


def hugo_path(path: str) -> str:
    """A page's path as Hugo writes it (checked against Hugo 0.152.2 by tests/generators): read
    as a query string is (`+` a space, each valid `%XX` escape decoded as UTF-8: `%2b` is a `+`
    kept), urlized, then lower-cased. The slug key goes through it as the title does:
    `My Slug_Here` is served as `my-slug_here`, `C++ & Rust` as `c-rust`."""
    return hugo_urlize(unquote_plus(path)).lower()


def under_site(config: Config, path: str) -> str:
    """The absolute URL of `path` (from the site's root, which may be a sub-path) on the site."""
    site = (config.site.url or "").rstrip("/")
    return site + quote(path, safe="/%-._~!$&'()*+,;=:@")


def _category(name: str, rule: str) -> str:
    """A category as a path segment: slugified, or (Jekyll) lower-cased with its spaces."""
    if rule == "lower":
        return name.lower()
    return re.sub(r"[^\w]+", "-", name.casefold()).strip("-")
