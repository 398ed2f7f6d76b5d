"""Docusaurus (npm, pinned) builds its real classic template (shipped in `create-docusaurus`)
under a base URL, plus a dated post without a slug. From the source alone crosspost cannot know
the hashed names webpack gives a post's images; with `[site] build` it reads them from the built
pages (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.generators import tools
from tests.generators.oracle import configure, verify

DATED = """\
---
title: Dated without a slug
authors: [slorber]
---
Docusaurus takes the date from the file name, into the URL too.

![Logo](/img/docusaurus.png)
"""

BASE = "https://docs.example.com/site/blog"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The classic template, configured and built once for this module's tests."""
    site = tmp_path_factory.mktemp("docusaurus") / "site"
    tools.docusaurus_classic(site, url="https://docs.example.com", base="/site/")
    (site / "blog" / "2024-03-10-dated-without-slug.md").write_text(DATED, "utf-8")
    out = site / "build"
    tools.docusaurus(site, out)
    return site, out


URLS = {
    "blog/2019-05-28-first-blog-post.mdx": f"{BASE}/first-blog-post",
    "blog/2019-05-29-long-blog-post.mdx": f"{BASE}/long-blog-post",
    "blog/2021-08-01-mdx-blog-post.mdx": f"{BASE}/mdx-blog-post",
    "blog/2021-08-26-welcome/index.mdx": f"{BASE}/welcome",
    # a dated name without a slug key: the date goes into the URL
    "blog/2024-03-10-dated-without-slug.md": f"{BASE}/2024/03/10/dated-without-slug",
}


def test_docusaurus_from_the_source_alone(built: tuple[Path, Path]) -> None:
    site, out = built
    configure(site)
    verdict = verify(site, out)
    assert verdict.urls == URLS
    # the one thing no source-side rule can predict: webpack's hashed copy of a post's image
    assert verdict.problems == [
        f"blog/2021-08-26-welcome/index.mdx: sends {BASE}/docusaurus-plushie-banner.jpeg,"
        " which the site does not serve"
    ]


def test_docusaurus_with_the_built_site_as_the_source_of_truth(built: tuple[Path, Path]) -> None:
    site, out = built
    configure(site, extra='build = "build"\n')
    verdict = verify(site, out)
    assert verdict.urls == URLS
    assert verdict.problems == []
