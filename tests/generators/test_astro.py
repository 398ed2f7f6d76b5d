"""Astro 5 (npm, pinned) builds a blog laid out like Astro's blog starter, under a base path;
crosspost, configured by its own `init`, must send only URLs the build contains (issue 19)."""

from __future__ import annotations

from pathlib import Path

from tests.generators import tools
from tests.generators.oracle import configure, copy_site, verify


def test_astro_ids_base_path_and_drafts(tmp_path: Path) -> None:
    site = copy_site("astro-blog", tmp_path)
    configure(site)
    assert 'url = "https://astro.example.com/notes"' in (site / "crosspost.toml").read_text()
    out = tmp_path / "dist"
    tools.astro(site, out)
    verdict = verify(site, out)
    assert verdict.problems == []
    base = "https://astro.example.com/notes/blog"
    assert verdict.urls == {
        "src/content/blog/first-post.md": f"{base}/first-post/",
        # ids are github-slugged paths: lower-cased, punctuation gone
        "src/content/blog/My_Second-Post.md": f"{base}/my_second-post/",
        "src/content/blog/2024/Why, Not.md": f"{base}/2024/why-not/",
        # a slug key is the id as written
        "src/content/blog/custom.md": f"{base}/Custom/Place/",
    }
    assert list(verdict.held) == ["src/content/blog/draft.md"]
