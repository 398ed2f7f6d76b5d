"""`[site] build` is part of the pull request too (issue 13): the built pages are read for each
post's canonical URL and images, so a committed `dist/.../index.html` is as untrusted as front
matter. Its canonical URL must be the blog's own (site.url's host or `[site] hosts`), the rule
front matter's `canonical_url` follows, or a post could take over an article of the account at
someone else's URL; and the build folder resolves inside the blog, as the content folder does."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from .conftest import HostileBlog, front_matter, refusal

HAND_WRITTEN = "https://other.example/hand-written/"


def _page(root: Path, slug: str, head: str = "") -> None:
    page = root / "dist" / "posts" / slug / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(f"<html><head>{head}</head><body><h1>{slug}</h1></body></html>", "utf-8")


def _set_build(blog: HostileBlog, value: str) -> None:
    config = blog.root / "crosspost.toml"
    text = config.read_text("utf-8").replace(
        'content = "posts"', f'content = "posts"\nbuild = "{value}"'
    )
    config.write_text(text, "utf-8")


def test_a_built_page_cannot_claim_someone_elses_canonical_url(published: HostileBlog) -> None:
    """The owner wrote an article on dev.to by hand with a canonical URL off the blog; a post
    whose committed built page names that URL is that post's error, and the article stays."""
    devto = published.sandbox.fakes["devto"]
    answer = httpx.post(
        f"{devto.url}/api/articles",
        json={
            "article": {
                "title": "Mine",
                "body_markdown": "Mine.",
                "published": True,
                "canonical_url": HAND_WRITTEN,
            }
        },
        headers={
            "api-key": published.sandbox.tokens["devto"],
            "Accept": "application/vnd.forem.api-v1+json",
        },
    )
    assert answer.status_code == 201, answer.text
    before = devto.copies(HAND_WRITTEN)
    _set_build(published, "dist")
    _page(published.root, "good")
    _page(published.root, "pwn", f'<link rel="canonical" href="{HAND_WRITTEN}">')
    pwn = published.write("pwn.md", front_matter("title: Pwn", "date: 2024-03-04"))
    report = published.publish()
    error = refusal(report, pwn)
    assert "canonical_url" in error and HAND_WRITTEN in error and "not on the site" in error
    assert devto.copies(HAND_WRITTEN) == before, "the hand-written article was touched"
    assert not [r for r in report.results if "pwn" in r.post and r.status.value == "published"]


@pytest.mark.parametrize("where", ["absolute", "relative", "link"])
def test_a_build_folder_outside_the_blog_is_refused(
    published: HostileBlog, tmp_path: Path, where: str
) -> None:
    outside = tmp_path / "outside-build"
    _page(outside.parent / "x", "ignored")  # the folder exists and holds a page
    outside = outside.parent / "x" / "dist"
    value = {
        "absolute": str(outside),
        "relative": os.path.relpath(outside, published.root),
        "link": "dist",
    }[where]
    if where == "link":
        os.symlink(outside, published.root / "dist")
    _set_build(published, value)
    writes = len(published.writes())
    result = published.cli("publish")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "site.build" in result.stderr and "outside the blog folder" in result.stderr
    assert len(published.writes()) == writes
