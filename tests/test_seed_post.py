"""The seed post (examples/blog's copy of the shared example) published to all four platforms
in the sandbox, checked on what each platform received."""

from __future__ import annotations

import re
from typing import Any

import markdown
import pytest

from crosspost import front_matter
from crosspost.config import load_config
from crosspost.publisher import Status
from crosspost.sandbox import Sandbox
from crosspost.testing import run_publish

from .conftest import EXAMPLE_BLOG, SEED_POST, needs_shared

SEED_COPY = EXAMPLE_BLOG / "src" / "content" / "posts" / "reaching-1000-followers.md"
CANONICAL = "https://blog.example.com/posts/reaching-1000-followers/"
TITLE = "Reaching for the Stars: My Journey to 1000 Followers on Medium by the end of today!"
ALL = ["devto", "hashnode", "medium", "mastodon"]


def test_the_copy_is_the_shared_seed_post() -> None:
    needs_shared(SEED_POST)
    shared = front_matter.read(SEED_POST.read_text("utf-8"))
    copy = front_matter.read(SEED_COPY.read_text("utf-8"))
    assert copy.body == shared.body
    assert copy.data == shared.data


@pytest.fixture(scope="module")
def published() -> Any:
    """The seed post published once to all four fakes; the fakes, for every test here."""
    with Sandbox(ALL, time_scale=0.01) as sandbox:
        config = sandbox.configure(load_config(EXAMPLE_BLOG / "crosspost.toml"))
        report = run_publish(config, [SEED_COPY])
        assert {r.platform: r.status for r in report.results} == dict.fromkeys(
            ALL, Status.CREATED
        ), report.results
        assert all(r.canonical_url == CANONICAL for r in report.results)
        yield sandbox


def copy(sandbox: Sandbox, platform: str) -> dict[str, Any]:
    (found,) = sandbox.fakes[platform].copies(CANONICAL)
    return found


def sent(sandbox: Sandbox, platform: str, path: str) -> dict[str, Any]:
    (body,) = [r.json() for r in sandbox.fakes[platform].requests if re.search(path, r.path)]
    assert isinstance(body, dict)
    return body


def test_devto(published: Sandbox) -> None:
    article = copy(published, "devto")
    assert article["tags"] == ["socialmedia", "growth", "medium"]
    assert article["canonical_url"] == CANONICAL
    assert article["title"] == TITLE
    assert_no_image_heading(article["body_markdown"])


def test_hashnode(published: Sandbox) -> None:
    post = copy(published, "hashnode")
    assert [t["slug"] for t in post["tags"]] == ["social-media", "growth", "medium"]
    assert [t["name"] for t in post["tags"]] == ["Social Media", "Growth", "Medium"]
    assert post["originalArticleURL"] == CANONICAL
    assert_no_image_heading(post["contentMarkdown"])


def test_medium(published: Sandbox) -> None:
    assert copy(published, "medium")["canonicalUrl"] == CANONICAL
    body = sent(published, "medium", r"/users/[^/]+/posts$")
    assert body["canonicalUrl"] == CANONICAL
    assert body["tags"] == ["Social Media", "Growth", "Medium"]
    assert body["content"].startswith(f"# {TITLE}\n\n")
    html = markdown.markdown(body["content"])
    assert re.findall(r"<h1>(.*?)</h1>", html) == [TITLE], "the title is the only heading 1"
    assert_no_image_heading(body["content"].split("\n", 1)[1])


def test_mastodon(published: Sandbox) -> None:
    toot = sent(published, "mastodon", r"^/api/v1/statuses$")["status"]
    assert toot.endswith("\n\n#SocialMedia #Growth #Medium")
    assert toot.startswith(TITLE + "\n\n")
    assert toot.count(CANONICAL) == 1
    assert "#image" not in toot and "heroImage" not in toot
    assert len(published.fakes["mastodon"].copies(CANONICAL)) == 1


def assert_no_image_heading(body: str) -> None:
    """Line 14 of the post, `#image: "./heroImage.jpg"`, stays text: escaped in the Markdown,
    and a paragraph (never a heading) when Python-Markdown renders it."""
    assert '\\#image: "./heroImage.jpg"' in body
    assert not re.search(r"^#image", body, re.M)
    html = markdown.markdown(body)
    assert "<h1>" not in html
    assert '<p>#image: "./heroImage.jpg"</p>' in html
