"""Titles and tags written to deceive or to break a platform: control characters, text-direction
overrides, terminal escapes, emoji, punctuation, empty strings.

Control and direction characters are removed (with a notice) before any platform sees them; a
title that is nothing else is an error. Every platform then gets tags in the form it accepts
(the fakes enforce their rules): dev.to lowercase alphanumerics, Hashnode slugs, Medium free text
within its limits, Mastodon hashtags; tags with no valid form there are dropped with a notice.
"""

from __future__ import annotations

import re

from crosspost.adapters.devto.fake import FakeDevTo
from crosspost.adapters.hashnode.fake import FakeHashnode
from crosspost.adapters.mastodon.fake import FakeMastodon
from crosspost.adapters.medium.fake import FakeMedium

from ..conftest import fake_of
from .conftest import HostileBlog, front_matter, refusal, strings

HIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\x00-\x08\x0b-\x1f\x7f-\x9f]")

TITLE = r'title: "Invoice \u202Efdp.exe\u202C \x1b[31mred\x1b[0m \a bell \u2067hidden\u2069"'
TAGS = (
    "tags: ['🐍', 'C++', 'C#', '.NET', '', '   ', 'javascript:alert(1)', '<script>', '日本語',"
    " 'Social Media', 'social media', \"x\\u202e\", '#hash', 'a-b_c', 'Ünïcödé', \"x\\u0007y\","
    " 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']"
)


def _visible(text: str) -> bool:
    """No control character but tab and newline, no text-direction override or mark."""
    return not HIDDEN.search(text)


def test_hostile_titles_and_tags_reach_every_platform_clean(blog: HostileBlog) -> None:
    blog.write("post.md", front_matter(TITLE, TAGS, "date: 2024-03-01"))
    report = blog.publish()
    assert report.exit_code == 0, report.results
    codes = {n.code for n in report.notices}
    assert {"title-cleaned", "tags-cleaned"} <= codes, report.notices
    for request in blog.writes():
        for text in strings(request.json()):
            assert _visible(text), (request.path, text[:200])
    (article,) = fake_of(blog.sandbox, "devto", FakeDevTo).articles
    assert article["title"] == "Invoice fdp.exe [31mred[0m bell hidden"
    assert 0 < len(article["tags"]) <= 4
    assert all(re.fullmatch(r"\w+", t) and t == t.lower() for t in article["tags"])
    (post,) = fake_of(blog.sandbox, "hashnode", FakeHashnode).posts.values()
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", t["slug"]) for t in post["tags"])
    (medium,) = fake_of(blog.sandbox, "medium", FakeMedium).posts
    assert 0 < len(medium["tags"]) <= 3 and all(0 < len(t) <= 25 for t in medium["tags"])
    (toot,) = fake_of(blog.sandbox, "mastodon", FakeMastodon).statuses
    hashtags = re.findall(r"#<span>([^<]*)</span>", toot["content"])
    assert hashtags and all(re.fullmatch(r"\w+", h) for h in hashtags), toot["content"]
    dropped = [n.message for n in report.notices if "dropped" in n.message]
    assert any("🐍" in m for m in dropped), "a tag with no valid form is named when dropped"


def test_a_title_of_nothing_but_control_characters_is_refused(published: HostileBlog) -> None:
    before, writes = published.records_bytes(), len(published.writes())
    path = published.write(
        "blank.md", front_matter(r'title: "\u202E\u200F\x1b\a"', "date: 2024-03-01")
    )
    message = refusal(published.publish(), path)
    assert message.startswith(f"{path}:2: field 'title': the title is empty"), message
    assert len(published.writes()) == writes and published.records_bytes() == before


def test_the_script_never_prints_a_terminal_escape_from_a_post(published: HostileBlog) -> None:
    published.write("post.md", front_matter(TITLE, TAGS, "date: 2024-03-01"))
    result = published.cli("check", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "\x1b" not in result.stdout + result.stderr
    assert "\u202e" not in result.stdout + result.stderr
