"""`crosspost init`: recognise the blog's generator and write a commented crosspost.toml.

The file is a starting point people read: every [site] key is shown with what it does, and every
platform section is present but commented out, with its public API address filled in, so
enabling one is uncommenting it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .config import CONFIG_FILE
from .errors import ConfigError
from .profiles import PROFILES, Profile, detect_profile

__all__ = ["config_text", "detect", "write_config"]

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


def detect(directory: Path) -> tuple[Profile | None, str | None]:
    """(generator profile, site URL) guessed from the files at the blog's root."""
    markers = {entry.name for entry in directory.iterdir()} if directory.is_dir() else set()
    if (directory / "src" / "content" / "posts").is_dir():
        markers.add("src/content/posts")
    config_toml = directory / "config.toml"
    text = config_toml.read_text("utf-8", "replace") if config_toml.is_file() else None
    profile = detect_profile(markers, text)
    url = None
    for name in _URL_FILES:
        candidate = directory / name
        if candidate.is_file():
            m = _URL.search(candidate.read_text("utf-8", "replace"))
            if m:
                url = m.group(1).rstrip("/")
                break
    return profile, url


def config_text(profile: Profile | None, url: str | None) -> str:
    """The commented crosspost.toml for a blog using `profile` at `url`."""
    if profile is not None:
        which = f'# Detected: {profile.description}.\nprofile = "{profile.name}"'
        content, permalink = profile.content, profile.permalink
    else:
        which = f'# Your generator, one of: {", ".join(PROFILES)}.\n# profile = "hugo"'
        content, permalink = "content/posts", "/posts/{slug}/"
    return f"""\
# crosspost.toml: where your posts are and where they are cross-posted to.
# Every key is described in the README, section "Configuration".

[site]
# Your blog's address: every post's canonical URL starts with it.
url = "{url or "https://example.com"}"
{which}
# A post's path on your site; placeholders: {{slug}} {{year}} {{month}} {{day}}
# {{category}} {{categories}} (all, joined with /) {{lang}}
# permalink = "{permalink}"
# Where `crosspost check` and `crosspost publish` look for posts.
# content = "{content}"
# Posts dated earlier are never cross-posted (protects your archive).
# since = 2024-01-01
# The time zone of dates written without a UTC offset.
# timezone = "UTC"

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
"""


def write_config(directory: Path) -> tuple[Path, Profile | None]:
    """Write `directory`/crosspost.toml; ConfigError if one exists already."""
    target = directory / CONFIG_FILE
    if target.exists():
        raise ConfigError(
            "crosspost.toml already exists; it was left as it is",
            path=target,
            hint="edit it, or delete it first to start over",
        )
    if not directory.is_dir():
        raise ConfigError("no such folder", path=directory, hint="create it or pass the blog root")
    profile, url = detect(directory)
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(config_text(profile, url))
    except FileExistsError:
        raise ConfigError("crosspost.toml already exists", path=target) from None
    except OSError as exc:
        raise ConfigError(f"cannot write the file: {exc.strerror}", path=target) from None
    return target, profile
