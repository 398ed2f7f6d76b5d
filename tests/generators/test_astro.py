"""Astro 5 (npm, pinned) builds a blog laid out like Astro's blog starter, under a base path;
crosspost, configured by its own `init`, must send only URLs the build contains (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.config import load_config
from crosspost.sources import load_post
from tests.generators import tools
from tests.generators.oracle import configure, copy_site, verify

SITE = "https://astro.example.com/notes"
BASE = f"{SITE}/blog"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    site = copy_site("astro-blog", tmp_path_factory.mktemp("astro"))
    out = site / "dist"
    tools.astro(site, out)
    return site, out


def test_astro_ids_base_path_and_drafts_from_the_source_alone(built: tuple[Path, Path]) -> None:
    site, out = built
    configure(site)
    assert 'url = "https://astro.example.com/notes"' in (site / "crosspost.toml").read_text()
    verdict = verify(site, out)
    # what no source-side rule can predict: Astro's hashed copies of the images it processes
    assert verdict.problems == [
        f"src/content/blog/with-images.md: sends {SITE}/assets/hero.png, which the site does "
        "not serve",
        f"src/content/blog/with-images.md: sends {SITE}/assets/inline-chart.png, which the site "
        "does not serve",
    ]
    base = BASE
    assert verdict.urls == {
        "src/content/blog/first-post.md": f"{base}/first-post/",
        # ids are github-slugged paths: lower-cased, punctuation gone
        "src/content/blog/My_Second-Post.md": f"{base}/my_second-post/",
        "src/content/blog/2024/Why, Not.md": f"{base}/2024/why-not/",
        # a slug key is the id as written
        "src/content/blog/custom.md": f"{base}/Custom/Place/",
        "src/content/blog/with-images.md": f"{base}/with-images/",
    }
    assert list(verdict.held) == ["src/content/blog/draft.md"]
    # the cover's URL is one of them: its post says so (dev.to and Hashnode take that URL)
    config = load_config(site)
    unknown = {
        path.relative_to(site).as_posix(): [n.message for n in load_post(path, config).notices]
        for path in sorted((site / "src" / "content" / "blog").rglob("*.md"))
    }
    assert {name: notes for name, notes in unknown.items() if notes} == {
        "src/content/blog/with-images.md": [
            "cover image '../../assets/hero.png' is in src/, which Astro content collections "
            "publishes under a hashed name: its URL cannot be known from the source "
            f"({SITE}/assets/hero.png would not be found); set [site] build to read it from the "
            "built site, or put the image in public/"
        ]
    }


def test_astro_hashed_images_from_the_built_site(built: tuple[Path, Path]) -> None:
    site, out = built
    configure(site, extra='build = "dist"\n')
    verdict = verify(site, out)
    assert verdict.problems == []
    with_images = load_post(site / "src" / "content" / "blog" / "with-images.md", load_config(site))
    assert [n for n in with_images.notices if n.code == "cover-url-unknown"] == []
    assert verdict.urls["src/content/blog/with-images.md"] == f"{BASE}/with-images/"
