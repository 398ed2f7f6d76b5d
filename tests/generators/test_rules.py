"""Rules of the generators whose sites the oracle suite does not build yet (Astro, Docusaurus),
from what the real sites served in issue 19's report."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.config import load_config
from crosspost.sources import load_post


def url_of(tmp_path: Path, profile: str, relative: str, front: str = "") -> str:
    (tmp_path / "crosspost.toml").write_text(
        f'[site]\nurl = "https://example.org/site"\nprofile = "{profile}"\n', "utf-8"
    )
    post = tmp_path / relative
    post.parent.mkdir(parents=True, exist_ok=True)
    post.write_text(f"---\ntitle: T\n{front}---\n![p](/img/pic.png)\n", "utf-8")
    doc = load_post(post, load_config(tmp_path))
    assert "https://example.org/site/img/pic.png" in doc.body  # the base path is kept
    return doc.canonical_url


@pytest.mark.parametrize(
    ("relative", "front", "url"),
    [
        ("blog/2019-05-28-first-blog-post.md", "", "/blog/2019/05/28/first-blog-post"),
        ("blog/2021-08-26-welcome/index.md", "", "/blog/2021/08/26/welcome"),
        ("blog/2019-05-28-first-blog-post.md", "slug: first\n", "/blog/first"),
        ("blog/undated.md", "", "/blog/undated"),
    ],
)
def test_docusaurus_dated_names(tmp_path: Path, relative: str, front: str, url: str) -> None:
    assert url_of(tmp_path, "docusaurus", relative, front) == "https://example.org/site" + url


@pytest.mark.parametrize(
    ("relative", "url"),
    [
        ("src/content/blog/My_Second-Post.md", "/blog/my_second-post/"),
        ("src/content/blog/2024/Why, Not?.md", "/blog/2024/why-not/"),
        ("src/content/blog/folder-post/index.md", "/blog/folder-post/"),
    ],
)
def test_astro_ids_are_github_slugs_of_the_path(tmp_path: Path, relative: str, url: str) -> None:
    assert url_of(tmp_path, "astro", relative) == "https://example.org/site" + url
