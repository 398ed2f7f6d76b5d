"""A blog without `site.profile`: its posts are read with the generator its files show, by the
rule `crosspost init` uses (`profiles.site_generators`); when they show several, nothing is
converted and one notice says why (issue 15)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crosspost.config import load_config
from crosspost.scaffold import detect
from crosspost.sources import load_post
from crosspost.transform import transform

from .test_onboarding import cli

SITES = Path(__file__).resolve().parent / "generators" / "sites"

# A post with every generator's syntax: each generator converts its own and leaves the rest.
POST = """\
---
title: Syntax
date: 2024-01-02
---
Inline {% raw %}{{ page.title }}{% endraw %} here.

{{< youtube w7Ft2ymGmfc >}}

:::tip
Tip text.
:::

> [!NOTE]
> A note.

{{ admonition(type="warning", text="Careful.") }}
"""
BODY = POST.split("---\n", 2)[2]
PAGE = "https://blog.example.com/post/"


# The oracle sites' own layouts, and the marker files of the generators they do not build.
LAYOUTS: dict[str, tuple[str, dict[str, str]]] = {
    "astro-blog": ("astro", {}),
    "eleventy-blog": ("eleventy", {}),
    "hugo-config-dir": ("hugo", {}),
    "hugo-multilingual": ("hugo", {}),
    "hugo-yaml": ("hugo", {}),
    "jekyll-blog": ("jekyll", {}),
    "hugo-config-toml": ("hugo", {"config.toml": "baseURL = 'https://blog.example.com/'\n"}),
    "zola": ("zola", {"config.toml": 'base_url = "https://blog.example.com"\n'}),
    "docusaurus": ("docusaurus", {"docusaurus.config.js": "module.exports = {};\n"}),
    "fuwari": (
        "fuwari",
        {"astro.config.mjs": "export default {};\n", "src/content/posts/.keep": ""},
    ),
    "gatsby": ("gatsby", {"gatsby-config.js": "module.exports = {};\n"}),
}


def blog(tmp_path: Path, layout: str, profile: str | None = None) -> Path:
    """A copy of `layout` with a crosspost.toml (`profile` set or not) and the post at its root."""
    root = tmp_path / layout
    _, files = LAYOUTS[layout]
    if (SITES / layout).is_dir():
        shutil.copytree(SITES / layout, root)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    line = f'profile = "{profile}"\n' if profile else ""
    (root / "crosspost.toml").write_text(
        f'[site]\nurl = "https://blog.example.com"\ncontent = "."\n{line}', "utf-8"
    )
    (root / "post.md").write_text(POST, "utf-8")
    return root


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_without_a_profile_posts_are_read_with_the_generator_init_detects(
    tmp_path: Path, layout: str
) -> None:
    expected = LAYOUTS[layout][0]
    root = blog(tmp_path / "detected", layout)
    config = load_config(root)
    found = detect(root).profile
    assert found is not None and found.name == expected  # init writes this profile
    assert (config.generator, config.generator_notice) == (expected, None)
    detected = load_post(root / "post.md", config).body
    explicit = blog(tmp_path / "explicit", layout, profile=expected)
    assert detected == load_post(explicit / "post.md", load_config(explicit)).body
    plain = transform(BODY, page_url=PAGE, site_url="https://blog.example.com").body
    if expected == "gatsby":  # no syntax of its own
        assert detected == plain
    else:
        assert detected != plain


def test_a_blog_whose_files_show_no_generator_converts_nothing(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    (root / "crosspost.toml").write_text('[site]\nurl = "https://blog.example.com"\n', "utf-8")
    (root / "post.md").write_text(POST, "utf-8")
    config = load_config(root)
    assert (config.generators, config.generator_notice) == ((), None)
    body = load_post(root / "post.md", config).body
    assert body == transform(BODY, page_url=PAGE, site_url="https://blog.example.com").body


def test_several_generators_convert_nothing_with_one_notice(tmp_path: Path) -> None:
    """A Hugo blog that still holds a Jekyll `_config.yml`: which one builds the site is the
    author's to say; `check` says so once for the whole blog, not once per post."""
    root = blog(tmp_path, "hugo-yaml")
    (root / "_config.yml").write_text("title: the old Jekyll site\n", "utf-8")
    (root / "second.md").write_text(POST.replace("Syntax", "Second"), "utf-8")
    config = load_config(root)
    assert config.generators == ("hugo", "jekyll")
    assert config.generator is None
    assert load_post(root / "post.md", config).body == (
        transform(BODY, page_url=PAGE, site_url="https://blog.example.com").body
    )
    assert detect(root).profile is not None  # init still proposes one, for the author to check
    run = cli("check", cwd=root)
    assert run.returncode == 0, run.stderr
    notice = f"{root / 'crosspost.toml'}: " + (
        "site.profile is not set and the files at the blog's root point at hugo "
        "and jekyll: no generator syntax is converted; set site.profile to the generator that "
        "builds the site [generator]"
    )
    assert run.stdout.count("site.profile is not set") == 1
    assert notice in run.stdout.splitlines()


def test_a_profile_wins_over_the_files(tmp_path: Path) -> None:
    root = blog(tmp_path, "jekyll-blog", profile="hugo")
    config = load_config(root)
    assert (config.generators, config.generator_notice) == (("hugo",), None)
