"""Eleventy (npm, pinned) builds a blog laid out like eleventy-base-blog; crosspost, configured
by its own `init`, must send only URLs the build contains (issue 19)."""

from __future__ import annotations

from pathlib import Path

from tests.generators import tools
from tests.generators.oracle import configure, copy_site, verify


def test_eleventy_date_prefixes_front_matter_permalinks_and_md_links(tmp_path: Path) -> None:
    site = copy_site("eleventy-blog", tmp_path)
    configure(site)
    out = tmp_path / "_site"
    tools.eleventy(site, out)
    verdict = verify(site, out)
    assert verdict.problems == []
    assert verdict.urls == {
        "content/blog/firstpost.md": "https://eleventy.example.com/blog/firstpost/",
        # the date prefix stays in the URL
        "content/blog/2024-02-14-dated-name.md": (
            "https://eleventy.example.com/blog/2024-02-14-dated-name/"
        ),
        # front matter's permalink wins
        "content/blog/custom.md": "https://eleventy.example.com/elsewhere/custom-page/",
        # folders and case are kept
        "content/blog/2024/Nested-Post.md": "https://eleventy.example.com/blog/2024/Nested-Post/",
    }
    held = {name: reason.split(":")[0] for name, reason in verdict.held.items()}
    assert held == {
        "content/blog/not-a-page.md": "permalink",
        "content/blog/draft-post.md": "draft in the source (draft",
    }


def test_init_finds_the_posts_of_a_minimal_eleventy_blog(tmp_path: Path) -> None:
    """No content/ folder: posts in posts/ at the root, as Eleventy's own quick start has it."""
    site = tmp_path / "minimal"
    (site / "posts").mkdir(parents=True)
    (site / "eleventy.config.js").write_text("export default function () {}\n", "utf-8")
    (site / "posts" / "Hello-There.md").write_text("---\ntitle: Hi\n---\nHi.\n", "utf-8")
    configure(site, extra="")
    text = (site / "crosspost.toml").read_text("utf-8")
    text = text.replace('# url = "https://"', 'url = "https://min.example.org"')
    (site / "crosspost.toml").write_text(text, "utf-8")
    assert 'content = "posts"' in text
    out = tmp_path / "_site"
    tools.eleventy(site, out)
    verdict = verify(site, out)
    assert verdict.problems == []
    assert verdict.urls == {"posts/Hello-There.md": "https://min.example.org/posts/Hello-There/"}
