"""Static-site generator profiles: defaults as data, never code paths (docs/architecture.md §3).

A profile only changes where posts live, how their public URL is built and how the generator is
recognised from the files at the blog's root: one rule (`site_generators`) for `init`, which
writes it into `site.profile`, and for a blog without a profile, whose posts are read with the
generator's syntax when the files show exactly one. Field aliases are shared by all generators
(first alias found wins), so a Hugo post moved into an Astro blog still loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PROFILES",
    "Profile",
    "detect_generator",
    "detect_profiles",
    "generator_inputs",
    "site_generators",
]


@dataclass(frozen=True, slots=True)
class Profile:
    """Defaults one generator implies."""

    name: str
    content: str
    permalink: str
    markers: tuple[str, ...]
    description: str
    hugo_paths: bool = False
    """The generator writes every path as Hugo does (`permalinks.hugo_path`: escapes decoded,
    urlized, lower-cased, unless `disablePathToLower`)."""
    jekyll_slugs: bool = False
    """`{slug}` is slugified as Jekyll's `:title` is (`permalinks.jekyll_slug`)."""
    local_dates: bool = False
    """Dates are shown in the site's time zone before they fill the URL (Jekyll's `timezone`)."""
    category: str = "slug"
    """How a category becomes a path segment: "slug" (web-dev), "lower" (Jekyll: web dev)."""
    covers_from_root: bool = False
    """A relative `image:` in front matter is a path from the site's root, not from the post
    (Jekyll themes pass it through `relative_url`)."""
    ids: str = "file"
    """Where `{slug}` comes from without a `slug` key: "file" (the file name without a date
    prefix), "astro" (Astro's content id: the path under the collection, github-slugged) or
    "docusaurus" (a dated file name's date becomes YYYY/MM/DD/ in front of the slug)."""
    hashed_assets: str | None = None
    """The source folder whose images the generator publishes under names no source-side rule
    predicts (Astro: anything under `src/` becomes `/_astro/x.<hash>.webp`); only the built
    site (`[site] build`) knows their URLs."""


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "fuwari",
            "src/content/posts",
            "/posts/{slug}/",
            (),
            "Astro with the Fuwari template",
            ids="astro",
            hashed_assets="src",
        ),
        Profile(
            "astro",
            "src/content/blog",
            "/blog/{slug}/",
            ("astro.config.mjs", "astro.config.ts", "astro.config.js", "astro.config.mts"),
            "Astro content collections",
            ids="astro",
            hashed_assets="src",
        ),
        Profile(
            "hugo",
            "content/posts",
            "/posts/{dir}/{slug}/",
            ("hugo.toml", "hugo.yaml", "hugo.json"),
            "Hugo",
            hugo_paths=True,
        ),
        Profile(
            "jekyll",
            "_posts",
            "/{categories}/{year}/{month}/{day}/{slug}.html",
            ("_config.yml", "_config.yaml"),
            "Jekyll",
            jekyll_slugs=True,
            local_dates=True,
            category="lower",
            covers_from_root=True,
        ),
        Profile(
            "eleventy",
            "content/blog",
            "/blog/{dir}/{file}/",
            (".eleventy.js", "eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs"),
            "Eleventy (eleventy-base-blog layout)",
        ),
        Profile(
            "docusaurus",
            "blog",
            "/blog/{slug}",
            ("docusaurus.config.js", "docusaurus.config.ts", "docusaurus.config.mjs"),
            "Docusaurus blog plugin",
            ids="docusaurus",
        ),
        Profile(
            "zola",
            "content/blog",
            "/blog/{slug}/",
            (),
            "Zola",
        ),
        Profile(
            "gatsby",
            "content/blog",
            "/{slug}/",
            ("gatsby-config.js", "gatsby-config.ts", "gatsby-config.mjs"),
            "Gatsby (gatsby-starter-blog layout)",
        ),
    )
}


def site_generators(directory: Path) -> list[Profile]:
    """Every generator whose files are at the blog's root `directory`, the likeliest first."""
    markers = {entry.name for entry in directory.iterdir()} if directory.is_dir() else set()
    if (directory / "src" / "content" / "posts").is_dir():
        markers.add("src/content/posts")
    found = detect_profiles(markers, _text(directory / "config.toml"))
    from .hugo import hugo_settings  # reads Hugo's config files (PyYAML): only on this path

    hugo = hugo_settings(directory)
    if PROFILES["hugo"] not in found and "baseurl" in hugo and "base_url" not in hugo:
        found.append(PROFILES["hugo"])  # config.yml, config.json or config/_default/
    return found


def generator_inputs(directory: Path) -> list[Path]:
    """Every path `site_generators` looks at for `directory` (folders and files, there or not):
    its answer changes only when one of these does (a folder's entries change its ctime). The
    up-to-date check watches them (`crosspost.uptodate`): a run without site.profile warns when
    the blog's files point at two generators."""
    from .hugo import settings_files  # see `site_generators`

    content = directory / "src" / "content"
    found = [directory, directory / "config.toml", content.parent, content, content / "posts"]
    return found + settings_files(directory)


def detect_profiles(markers_present: set[str], config_toml_text: str | None) -> list[Profile]:
    """The generators the files at the repository root point at, marker files first.

    `config.toml` is ambiguous (Hugo's old name, Zola's only name): Zola's has `base_url` at the
    top level, Hugo's `baseURL`.
    """
    found: list[Profile] = []
    for profile in PROFILES.values():
        if any(marker in markers_present for marker in profile.markers):
            if profile.name == "astro" and "src/content/posts" in markers_present:
                profile = PROFILES["fuwari"]
            found.append(profile)
    if config_toml_text is not None:
        if "base_url" in config_toml_text:
            found.append(PROFILES["zola"])
        elif "baseURL" in config_toml_text or "baseurl" in config_toml_text:
            found += [] if PROFILES["hugo"] in found else [PROFILES["hugo"]]
    return found


def detect_generator(directory: Path) -> Profile | None:
    """The generator `crosspost init` picks for the blog in `directory`, and whose content
    folder a run without crosspost.toml looks in: the likeliest of `site_generators` (the one
    rule for both)."""
    found = site_generators(directory)
    return found[0] if found else None


def _text(path: Path) -> str | None:
    return path.read_text("utf-8", "replace") if path.is_file() else None
