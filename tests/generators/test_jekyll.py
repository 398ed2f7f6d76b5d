"""Jekyll (Debian's package) builds a blog under a sub-path and its own starter blog; crosspost,
configured by its own `init`, must send only URLs the build contains (issue 19)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.generators import tools
from tests.generators.oracle import configure, copy_site, verify


def test_jekyll_timezone_categories_baseurl_filters_and_drafts(tmp_path: Path) -> None:
    site = copy_site("jekyll-blog", tmp_path)
    configure(site)
    config = (site / "crosspost.toml").read_text("utf-8")
    assert 'url = "https://jk.example.com/blog"' in config
    assert 'timezone = "America/New_York"' in config
    out = tmp_path / "_site"
    tools.jekyll(site, out)
    verdict = verify(site, out, named=("_drafts/unfinished-idea.md",))
    assert verdict.problems == []
    assert verdict.urls == {
        # 22:30 in Los Angeles is the 16th in New York, the site's time zone
        "_posts/2024-06-15-late-night.md": "https://jk.example.com/blog/2024/06/16/late-night.html",
        # the category keeps its space, lower-cased
        "_posts/2024-03-01-spaced-category.md": (
            "https://jk.example.com/blog/web%20dev/2024/03/01/spaced-category.html"
        ),
        # `:title` is the slug key, or the file name, slugified the "pretty" way, case kept
        "_posts/2024-07-01-slug-key.md": (
            "https://jk.example.com/blog/2024/07/01/C++-&-Rust-a-love-story!.html"
        ),
        "_posts/2024-07-02-Spaced Name%41.md": (
            "https://jk.example.com/blog/2024/07/02/Spaced-Name-41.html"
        ),
    }
    held = {name: reason.split(" ")[0:2] for name, reason in verdict.held.items()}
    assert held == {
        "_posts/2999-01-01-far-future.md": ["scheduled", "for"],
        "_posts/2024-01-05-unpublished.md": ["draft", "in"],
        "_drafts/unfinished-idea.md": ["a", "Jekyll"],
    }


def test_jekyll_starter_blog_from_jekyll_new_with_the_minima_theme(tmp_path: Path) -> None:
    """The real starter: `jekyll new` (Debian's jekyll, minima theme), its address set as a
    user would, served under /notes."""
    site = tmp_path / "starter"
    tools.run(
        [tools.require("jekyll", shutil.which("jekyll")), "new", site, "--skip-bundle"],
        cwd=tmp_path,
    )
    (site / "Gemfile").unlink()  # Debian's gems, not bundler's
    settings = (site / "_config.yml").read_text("utf-8")
    settings = re.sub(r'(?m)^baseurl: ""', "baseurl: /notes", settings)
    settings = re.sub(r'(?m)^url: ""', "url: https://starter.example.org", settings)
    (site / "_config.yml").write_text(settings, "utf-8")
    configure(site)
    out = tmp_path / "_site"
    tools.jekyll(site, out)
    verdict = verify(site, out)
    assert verdict.problems == []
    [(name, url)] = verdict.urls.items()
    assert name.startswith("_posts/") and name.endswith("-welcome-to-jekyll.markdown")
    assert url.startswith("https://starter.example.org/notes/jekyll/update/")
