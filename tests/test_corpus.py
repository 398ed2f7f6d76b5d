"""Every post of the shared corpus (10 generators + hard cases) loads or fails with a SourceError.

Never any other exception: the corpus is real-world input, including templates, broken YAML,
Latin-1 files and alias bombs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.config import Config, SiteConfig
from crosspost.discover import POST_SUFFIXES
from crosspost.document import Document
from crosspost.errors import SourceError
from crosspost.sources import load_post

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
POSTS = (
    sorted(p for p in CORPUS.glob("*/*") if p.suffix in POST_SUFFIXES) if CORPUS.is_dir() else []
)

# The constructed hard cases that must be refused, and why.
REFUSED = {
    "empty.md": "empty",
    "no-front-matter.md": "no front matter",
    "non-utf8.md": "not UTF-8",
    "tabs-in-yaml.md": "tab",
    "title-not-string.md": "title",
    "unclosed-front-matter.md": "never closed",
    "yaml-alias-bomb.md": "aliases",
}


# Real posts that are refused, and why: each is a clear error about the post itself. Pinned so
# that a regression turning a good post into an error (or the reverse) fails here.
REFUSED_REAL = {
    "astro/F1yingWhite__F1yingWhite.github.io__template.md": "as a date",  # a Templater template
    "eleventy/11ty__eleventy-base-blog__fifthpost.md": "only YAML, TOML or JSON",  # JS front matter
    "hashnode/ChunhThanhDe__ChunhThanhDe-Blog__clzxm41sz00010alidcfu085c.md": "YAML syntax error",
    "hugo/luizdepra__hugo-coder__posts.md": "TOML syntax error",
    # Jekyll titles these from their `_posts/YYYY-MM-DD-slug` names, which the corpus's flat
    # file names no longer have (see test_sources for the derivation).
    "jekyll/jekyll__jekyll__2010-01-09-timezone-override.markdown": "no title",
    "jekyll/jekyll__minima__2016-05-19-codeblocks-ahoy.md": "no title",
    "jekyll/jekyll__minima__2016-05-20-my-example-post.md": "no title",
    "jekyll/jekyll__minima__2016-05-20-welcome-to-jekyll.md": "no title",
    # Their canonical URL is on the theme's demo site, not the blog's: crosspost would adopt and
    # update copies by someone else's URL (issue 13), so it refuses such a post.
    "astro/onwidget__astrowind__astrowind-template-in-depth.mdx": "is not on the site",
    "astro/onwidget__astrowind__landing.md": "is not on the site",
}


def outcome(path: Path, config: Config) -> Document | SourceError:
    try:
        return load_post(path, config)
    except SourceError as exc:
        return exc


@pytest.mark.skipif(not POSTS, reason=f"the shared corpus is not available at {CORPUS}")
@pytest.mark.parametrize("path", POSTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_post(path: Path) -> None:
    config = Config(root=CORPUS.resolve(), site=SiteConfig(url="https://example.com"))
    result = outcome(path, config)
    name = f"{path.parent.name}/{path.name}"
    expected = REFUSED.get(path.name) if path.parent.name == "constructed" else None
    expected = expected or REFUSED_REAL.get(name)
    if isinstance(result, SourceError):
        assert result.path == path
        assert result.message
        assert str(result).startswith(str(path))
        assert expected is not None, f"{name} should load: {result}"
        assert expected in str(result)
        return
    assert expected is None, f"{name} should be refused ({expected})"
    assert result.title.strip()
    assert result.canonical_url.startswith(("https://", "http://"))
    assert result.source == path and result.source_hash.startswith("sha256:")
    for notice in result.notices:
        assert notice.path == path and (notice.line is None or notice.line >= 1)
