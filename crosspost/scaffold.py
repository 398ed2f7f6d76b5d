"""`crosspost init`: recognise the blog's generator and write a commented crosspost.toml.

The file is a starting point people read: every [site] key is shown with what it does, and every
platform section is present but commented out, with its public API address filled in, so
enabling one is uncommenting it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .config import CONFIG_FILE, find_config
from .errors import ConfigError, shown
from .hugo import hugo_settings
from .profiles import PROFILES, Profile, detect_generator

__all__ = [
    "Detected",
    "config_text",
    "detect",
    "hugo_settings",
    "sample_address",
    "write_config",
]

# Files where generators keep the site's address, and the key that holds it.
_URL_FILES = (
    "hugo.toml",
    "hugo.yaml",
    "config.toml",
    "_config.yml",
    "_config.yaml",
    "astro.config.mjs",
    "astro.config.ts",
    "astro.config.js",
    "astro.config.mts",
    "docusaurus.config.js",
    "docusaurus.config.ts",
    "gatsby-config.js",
    "gatsby-config.ts",
    "_data/metadata.js",
    "_data/metadata.json",
)
_URL = re.compile(
    r"""(?:^|[\s{,])["']?(?:baseURL|baseurl|base_url|url|site|siteUrl)["']?\s*[:=]\s*["'`]?"""
    r"""(https?://[^"'`\s,]+)""",
    re.M,
)


@dataclass(frozen=True, slots=True)
class Detected:
    """What `init` read from the blog's files: the generator, the site's address, and the
    permalink and content folder where the site's own settings differ from the profile's."""

    profile: Profile | None = None
    url: str | None = None
    permalink: str | None = None
    content: str | None = None
    timezone: str | None = None


def detect(directory: Path) -> Detected:
    """The blog's generator and settings, guessed from the files at its root."""
    hugo = hugo_settings(directory)
    profile = detect_generator(directory)
    if profile is None:
        return Detected(url=_site_url(directory))
    content = _hugo_content(directory, hugo) if profile.name == "hugo" else None
    permalink = _site_permalink(directory, profile, content, hugo)
    if profile.name == "eleventy":
        content, permalink = _eleventy_posts(directory, profile)
    url = hugo.get("baseurl") if profile.name == "hugo" else None
    url = url.rstrip("/") if isinstance(url, str) and url.startswith("http") else None
    url = url or _site_url(directory)
    base = _base_path(directory, profile)
    if base and url:
        url += base  # Liquid's site.baseurl and root-relative images need it, not only posts
    elif base:
        permalink = base + (permalink or profile.permalink)
    return Detected(profile, url, permalink, content, _site_timezone(directory, profile))


def _eleventy_posts(directory: Path, profile: Profile) -> tuple[str | None, str | None]:
    """Eleventy's posts folder (`blog`, `posts` or `post` in its input folder, `dir.input` of
    its config) and the URL Eleventy gives it; (None, None) for eleventy-base-blog's layout.
    Eleventy serves a post at its path under the input folder, date prefix and case kept."""
    found = _first(directory, profile.markers, r"\binput\s*:\s*[\"'`]([^\"'`]+)")
    base = (found or ".").strip("/").removeprefix("./") or "."
    for section in ("blog", "posts", "post"):
        if (directory / base / section).is_dir():
            content = section if base == "." else f"{base}/{section}"
            if content == profile.content:
                return None, None
            return content, f"/{section}/{{dir}}/{{file}}/"
    return None, None


def _site_timezone(directory: Path, profile: Profile) -> str | None:
    """Jekyll's `timezone`: it writes a post's date in that zone, so the URL's day follows."""
    if profile.name != "jekyll":
        return None
    return _first(directory, ("_config.yml", "_config.yaml"), r"^timezone:\s*[\"']?([\w/+-]+)")


def _text(path: Path) -> str | None:
    return path.read_text("utf-8", "replace") if path.is_file() else None


def _site_url(directory: Path) -> str | None:
    for name in _URL_FILES:
        m = _URL.search(_text(directory / name) or "")
        if m:
            return m.group(1).rstrip("/")
    return None


def _first(directory: Path, names: tuple[str, ...], pattern: str) -> str | None:
    """Group 1 of `pattern` in the first of the files `names` where it matches."""
    for name in names:
        m = re.search(pattern, _text(directory / name) or "", re.M)
        if m:
            return m.group(1)
    return None


def _base_path(directory: Path, profile: Profile) -> str:
    """The path the whole site is served under (Jekyll `baseurl`, Astro `base`, Docusaurus
    `baseUrl`), without its trailing slash: every post's URL starts with it."""
    files = {
        "jekyll": (("_config.yml", "_config.yaml"), r"^baseurl:\s*[\"']?(/[^\"'\s#]*)"),
        "astro": (profile.markers, r"\bbase\s*:\s*[\"'`](/[^\"'`]*)"),
        "fuwari": (PROFILES["astro"].markers, r"\bbase\s*:\s*[\"'`](/[^\"'`]*)"),
        "docusaurus": (profile.markers, r"\bbaseUrl\s*:\s*[\"'`](/[^\"'`]*)"),
    }
    if profile.name not in files:
        return ""
    names, pattern = files[profile.name]
    return (_first(directory, names, pattern) or "").rstrip("/")


def _hugo_content(directory: Path, settings: dict[str, Any]) -> str | None:
    """Where Hugo keeps the posts: `contentDir` (the default language's, on a multilingual
    site), then its `posts`, `post` or `blog` section; None for the profile's content/posts."""
    base = str(settings.get("contentdir") or "content")
    languages = settings.get("languages")
    lang = str(settings.get("defaultcontentlanguage") or "en").lower()
    if isinstance(languages, dict) and isinstance(languages.get(lang), dict):
        base = str(languages[lang].get("contentdir") or base)
    base = base.strip("/")
    for section in ("posts", "post", "blog"):
        if (directory / base / section).is_dir():
            folder = f"{base}/{section}"
            return None if folder == PROFILES["hugo"].content else folder
    return None


_JEKYLL_STYLES = {
    "date": None,
    "pretty": "/{categories}/{year}/{month}/{day}/{slug}/",
    "none": "/{categories}/{slug}.html",
}
_JEKYLL_PLACEHOLDERS = {
    ":categories": "{categories}",
    ":year": "{year}",
    ":month": "{month}",
    ":day": "{day}",
    ":title": "{slug}",  # Jekyll's :title is the file name's, or the slug front matter key
    ":slug": "{slug}",
    ":output_ext": ".html",
}
_HUGO_PLACEHOLDERS = {
    ":year": "{year}",
    ":month": "{month}",
    ":day": "{day}",
    ":slug": "{title}",  # Hugo: the slug key, else the urlized title
    ":title": "{title}",
    ":slugorfilename": "{slug}",
    ":slugorcontentbasename": "{slug}",
    ":filename": "{file}",
    ":contentbasename": "{file}",
}


def _site_permalink(
    directory: Path, profile: Profile, content: str | None, hugo: dict[str, Any]
) -> str | None:
    """The site's own permalink setting in crosspost's placeholders, if it has one we can
    translate (Jekyll `permalink`, Hugo `[permalinks]`); None keeps the profile's."""
    if profile.name == "jekyll":
        style = _first(
            directory, ("_config.yml", "_config.yaml"), r"^permalink:\s*[\"']?([^\"'\s#]+)"
        )
        if style in _JEKYLL_STYLES:
            return _JEKYLL_STYLES[style]
        return _translated(style, _JEKYLL_PLACEHOLDERS) if style else None
    if profile.name == "hugo":
        section = (content or profile.content).rsplit("/", 1)[-1]
        prefix = ""
        if hugo.get("defaultcontentlanguageinsubdir") is True:
            prefix = "/" + str(hugo.get("defaultcontentlanguage") or "en").lower()
        pattern = _hugo_permalink(hugo, section)
        if pattern:
            translated = _translated(pattern, {**_HUGO_PLACEHOLDERS, ":section": section})
            return prefix + translated if translated else None
        if content or prefix:
            return f"{prefix}/{section}/{{dir}}/{{slug}}/"
    return None


def _hugo_permalink(settings: dict[str, Any], section: str) -> str | None:
    """`[permalinks] posts = "…"` (or `[permalinks.page]`) for the posts' section."""
    table = settings.get("permalinks")
    if isinstance(table, dict):
        page = table.get("page")
        value = (page if isinstance(page, dict) else table).get(section)
        if isinstance(value, str):
            return value
    return None


def _translated(pattern: str, placeholders: dict[str, str]) -> str | None:
    """A Jekyll or Hugo permalink pattern in crosspost's placeholders; None when it uses one
    crosspost cannot fill (`:hour`, Hugo's `:title`…), so the profile's default is kept."""
    unknown = False

    def swap(m: re.Match[str]) -> str:
        nonlocal unknown
        unknown = unknown or m.group() not in placeholders
        return placeholders.get(m.group(), m.group())

    out = re.sub(r":[a-z_]+", swap, pattern)
    if unknown:
        return None
    return out if out.startswith("/") else "/" + out


def config_text(found: Detected, *, since: date | None = None) -> str:
    """The commented crosspost.toml for the blog `found` describes; `since` (default: today)
    keeps the posts written before crosspost was set up at home."""
    since = since or date.today()
    profile = found.profile
    if profile is not None:
        which = f'# Detected: {profile.description}.\nprofile = "{profile.name}"'
        content, permalink = profile.content, profile.permalink
    else:
        which = f'# Your generator, one of: {", ".join(PROFILES)}.\n# profile = "hugo"'
        content, permalink = "content/posts", "/posts/{slug}/"
    if found.url:
        url = f'url = "{found.url}"'
    else:
        url = (
            "# Not found in your generator's settings: until it is set, `crosspost check`\n"
            "# reports that no post has a canonical URL.\n"
            '# url = "https://"'
        )
    if found.permalink:
        permalink_line = (
            "# Read from your generator's settings: compare it with a post's address.\n"
            f'permalink = "{found.permalink}"'
        )
    else:
        permalink_line = f'# permalink = "{permalink}"'
    content_line = f'content = "{found.content}"' if found.content else f'# content = "{content}"'
    timezone_line = f'timezone = "{found.timezone}"' if found.timezone else '# timezone = "UTC"'
    return f"""\
# crosspost.toml: where your posts are and where they are cross-posted to.
# Every key is described in crosspost's manual: docs/configuration.md.

[site]
# Your blog's address: every post's canonical URL starts with it.
{url}
{which}
# A post's path on your site; placeholders: {{slug}} {{title}} (the slug key, else the
# title as a slug) {{file}} (the file's name) {{dir}} (its folder under `content`) {{year}}
# {{month}} {{day}} {{category}} {{categories}} (all, joined with /) {{lang}}
{permalink_line}
# Where `crosspost check` and `crosspost publish` look for posts.
{content_line}
# Posts dated earlier are never cross-posted: your archive stays home (the GitHub Action
# refuses a first run without it). Move it back to cross-post older posts too.
since = {since.isoformat()}
# The site's time zone: dates written without a UTC offset are in it, and Jekyll writes
# every date in it before it goes into a URL.
{timezone_line}

# Uncomment the platforms to cross-post to. Tokens never go in this file: run
# `crosspost login PLATFORM` or set CROSSPOST_<PLATFORM>_TOKEN (e.g. CROSSPOST_DEVTO_TOKEN).

# [platforms.devto]
# api_url = "https://dev.to/api"
# publish = "published"    # or "draft"

# [platforms.hashnode]
# api_url = "https://gql-beta.hashnode.com/"
# publication = "yourblog.hashnode.dev"

# [platforms.medium]
# api_url = "https://api.medium.com/v1"

# [platforms.mastodon]
# instance = "https://mastodon.social"
# visibility = "public"
# template = "{{title}}\\n\\n{{description}}\\n\\n{{url}}\\n\\n{{hashtags}}"

# [platforms.bluesky]     # token: handle:app-password (bsky.app/settings/app-passwords)
# handle = "you.bsky.social"
# service = "https://bsky.social"
"""


def sample_address(config_path: Path) -> tuple[Path, str] | None:
    """The newest post the blog publishes and the URL crosspost computes for it, so that
    `init` can show it and the user compare it with the live page; None if no such post can be
    read. Drafts, scheduled, expired and unbuilt posts have no live page (`plan.holds`, with
    site.since lifted: the cut-off decides what is cross-posted, not what is live)."""
    from datetime import UTC, datetime

    from .config import load_config
    from .discover import find_posts
    from .errors import CrosspostError
    from .plan import holds
    from .sources import load_post

    try:
        config = load_config(config_path)
        posts = find_posts([config.content_dir], config) if config.content_dir.is_dir() else []
    except CrosspostError:
        return None
    now = datetime.now(UTC)
    live = []
    for order, post in enumerate(posts):  # dated names sort last: the order breaks date ties
        try:
            doc = load_post(post, config)
        except CrosspostError:
            continue
        if not holds(doc, config, now, recorded=True):
            live.append((doc.date or datetime.min.replace(tzinfo=UTC), order, post, doc))
    if not live:
        return None
    _, _, post, doc = max(live, key=lambda found: found[:2])
    return post, doc.canonical_url


def write_config(directory: Path, *, force: bool = False) -> tuple[Path, Detected]:
    """Write `directory`/crosspost.toml; ConfigError if one exists already, or (unless `force`)
    if a folder above has one: `init` run from inside a blog (its content folder, say) would
    otherwise start a second blog there, with its own root and records, and every command run
    from there would use it instead of the blog's."""
    target = directory / CONFIG_FILE
    if target.exists():
        raise ConfigError(
            "crosspost.toml already exists; it was left as it is",
            path=target,
            hint="edit it, or delete it first to start over",
        )
    if not directory.is_dir():
        raise ConfigError("no such folder", path=directory, hint="create it or pass the blog root")
    above = find_config(directory)
    if above is not None and not force:
        raise ConfigError(
            f"this folder is already in the blog this {above.name} configures; nothing was written",
            path=shown(above),
            hint="crosspost finds that file from any folder of the blog; to give this folder "
            "a config of its own all the same, run `crosspost init --force`",
        )
    found = detect(directory)
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(config_text(found))
    except FileExistsError:
        raise ConfigError("crosspost.toml already exists", path=target) from None
    except OSError as exc:
        raise ConfigError(f"cannot write the file: {exc.strerror}", path=target) from None
    return target, found
