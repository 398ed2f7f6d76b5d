"""crosspost.built on hand-written build folders: which page is a post's, what is taken from it,
and what happens when there is none (issue 19; the real builds are in tests/generators/)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crosspost.config import load_config
from crosspost.plan import hold_reason, holds
from crosspost.sources import load_post

POST = (
    "---\ntitle: Hashed Pictures\ndate: 2024-01-01\nimage: ./cover.png\n---\n"
    "![A chart](./chart.png)\n"
)


def blog(tmp_path: Path, page: str | None, build: str = "dist") -> Path:
    (tmp_path / "crosspost.toml").write_text(
        f'[site]\nurl = "https://b.example"\nprofile = "astro"\nbuild = "{build}"\n', "utf-8"
    )
    post = tmp_path / "src" / "content" / "blog" / "hashed.md"
    post.parent.mkdir(parents=True)
    post.write_text(POST, "utf-8")
    if page is not None:
        (tmp_path / "dist" / "elsewhere").mkdir(parents=True)
        (tmp_path / "dist" / "elsewhere" / "index.html").write_text(page, "utf-8")
        (tmp_path / "dist" / "_astro").mkdir()
        for name in ("chart.Ab12.webp", "cover.Cd34.webp"):
            (tmp_path / "dist" / "_astro" / name).write_bytes(b"RIFF")
    return post


PAGE = """<html><head><link rel="canonical" href="/elsewhere/">
<meta property="og:image" content="https://b.example/_astro/cover.Cd34.webp"></head>
<body><h1>Hashed Pictures</h1><img alt="A chart" src="/_astro/chart.Ab12.webp"></body></html>"""


def test_a_moved_page_is_found_by_its_title_and_its_urls_are_used(tmp_path: Path) -> None:
    post = blog(tmp_path, PAGE)
    doc = load_post(post, load_config(tmp_path))
    assert doc.canonical_url == "https://b.example/elsewhere/"
    assert "![A chart](https://b.example/_astro/chart.Ab12.webp)" in doc.body
    assert doc.cover is not None and doc.cover.url == "https://b.example/_astro/cover.Cd34.webp"
    warnings = [n.message for n in doc.notices if n.code == "build"]
    assert warnings == [
        "the built page's canonical URL is https://b.example/elsewhere/, not "
        "https://b.example/blog/hashed/",
        "image https://b.example/blog/hashed/chart.png is served as "
        "https://b.example/_astro/chart.Ab12.webp (from the build)",
        "cover image https://b.example/blog/hashed/cover.png is served as "
        "https://b.example/_astro/cover.Cd34.webp (from the build)",
    ]


def test_a_post_the_build_has_no_page_for_is_held(tmp_path: Path) -> None:
    post = blog(tmp_path, PAGE.replace("Hashed Pictures", "Another Post"))
    config = load_config(tmp_path)
    doc = load_post(post, config)
    held = holds(doc, config, datetime(2030, 1, 1, tzinfo=UTC), recorded=False)
    assert (
        hold_reason(held[0], doc, config)
        == "no page for it in the build (dist): the site does not publish it"
    )


def test_a_missing_build_folder_warns_and_keeps_the_source_urls(tmp_path: Path) -> None:
    post = blog(tmp_path, None)
    doc = load_post(post, load_config(tmp_path))
    assert doc.canonical_url == "https://b.example/blog/hashed/"
    assert [n.message for n in doc.notices if n.code == "build"] == [
        "[site] build: dist is not a folder; build first"
    ]
