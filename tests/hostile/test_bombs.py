"""Front matter built to exhaust memory or time: alias bombs, deep nesting, huge strings.

Every one is a clear error naming the file (and where known the line), found without building
the bomb; nothing is sent and the records stay as they were. Huge but honest values (a 2 MB
title) are each platform's business: shortened, or refused for that platform with a ContentError
naming the field, never a crash.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.adapters.mastodon.fake import FakeMastodon
from crosspost.errors import ContentError
from crosspost.postfile import MAX_BYTES
from crosspost.publisher import Status

from ..conftest import CORPUS, fake_of, needs_shared
from .conftest import HostileBlog, front_matter, refusal


def alias_bomb(width: int, depth: int) -> str:
    """`depth` levels of anchors, each a list of `width` aliases to the level below."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, depth):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return front_matter("title: Bomb", "date: 2024-03-01", *lines)


def merge_bomb(depth: int) -> str:
    """Merge keys (`<<`) doubling a mapping at every level."""
    lines = ["m0: &m0 {a: 1, b: 2}"]
    for level in range(1, depth):
        lines.append(
            f"m{level}: &m{level} {{<<: [*m{level - 1}], k{level}: [*m{level - 1}, *m{level - 1}]}}"
        )
    return front_matter("title: Bomb", "date: 2024-03-01", *lines)


BOMBS = {
    "billion-laughs": alias_bomb(9, 9),
    "binary-doubling-60": alias_bomb(2, 60),
    "wide-shallow": alias_bomb(1000, 3),
    "merge-keys": merge_bomb(40),
    "recursive-alias": front_matter("title: Loop", "date: 2024-03-01", "loop: &l [*l, *l]"),
    "recursive-mapping": front_matter("title: Loop", "date: 2024-03-01", "loop: &m {self: *m}"),
}


@pytest.mark.parametrize("text", BOMBS.values(), ids=list(BOMBS))
def test_alias_bombs_are_refused_unexpanded(published: HostileBlog, text: str) -> None:
    before, writes = published.records_bytes(), len(published.writes())
    path = published.write("bomb.md", text)
    message = refusal(published.publish(), path)
    assert message.startswith(f"{path}:2: ") and "aliases" in message, message
    assert len(published.writes()) == writes
    assert published.records_bytes() == before


def test_the_shared_corpus_bomb(published: HostileBlog) -> None:
    source = CORPUS / "constructed" / "yaml-alias-bomb.md"
    needs_shared(source)
    path = published.write("corpus-bomb.md", source.read_bytes())
    assert "aliases" in refusal(published.publish(), path)


NESTING = {
    "yaml-flow-lists": front_matter("title: Deep", "x: " + "[" * 50_000 + "]" * 50_000),
    "yaml-flow-maps": front_matter("title: Deep", "x: " + "{a: " * 20_000 + "1" + "}" * 20_000),
    "yaml-block-maps": front_matter(
        "title: Deep", "x:", *(" " * level + f"k{level}:" for level in range(1, 1500))
    ),
    "json-lists": '{"title": "Deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\nBody\n",
    "json-maps": '{"title": "Deep", "x": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}\nB\n",
    "toml-arrays": '+++\ntitle = "Deep"\nx = ' + "[" * 50_000 + "]" * 50_000 + "\n+++\nB\n",
    "toml-tables": '+++\ntitle = "Deep"\n['
    + ".".join(f"t{i}" for i in range(20_000))
    + "]\n+++\nB\n",
    "toml-inline-tables": '+++\ntitle = "Deep"\nx = '
    + "{a = " * 20_000
    + "1"
    + "}" * 20_000
    + "\n+++\nB\n",
}


@pytest.mark.parametrize("text", NESTING.values(), ids=list(NESTING))
def test_deep_nesting_is_refused(published: HostileBlog, text: str) -> None:
    before, writes = published.records_bytes(), len(published.writes())
    path = published.write("deep.md", text)
    message = refusal(published.publish(), path)
    assert "deep" in message or "too large" in message, message
    assert len(published.writes()) == writes
    assert published.records_bytes() == before


@pytest.mark.parametrize("where", ["title", "body"])
def test_a_10_mb_post_is_refused_unread(published: HostileBlog, where: str) -> None:
    huge = "x" * 10_000_000
    text = (
        front_matter(f"title: {huge}") if where == "title" else front_matter("title: T", body=huge)
    )
    path = published.write("huge.md", text)
    assert "5 MB" in refusal(published.publish(), path)
    assert path.stat().st_size > MAX_BYTES


def test_a_4_mb_title_is_each_platforms_business_never_a_crash(blog: HostileBlog) -> None:
    """Below the 5 MB cap: dev.to shortens it, Medium takes its own heading, Hashnode refuses
    a request over 100 KB and Mastodon a toot that cannot hold the title; both say which field.
    (Counting it as Mastodon counts links ran out of memory.)"""
    blog.write("long.md", front_matter("title: " + "A" * 4_500_000, "date: 2024-03-01"))
    report = blog.publish()
    outcome = {r.platform: r for r in report.results}
    assert outcome["devto"].status is Status.CREATED
    assert outcome["medium"].status is Status.CREATED
    for name in ("hashnode", "mastodon"):
        assert outcome[name].status is Status.INVALID, outcome[name]
        error = outcome[name].error
        assert isinstance(error, ContentError) and error.field in ("title", "body")
    assert report.exit_code == 2
    titles = [
        r.json()["article"]["title"]
        for r in blog.sandbox.fakes["devto"].requests
        if r.method == "POST"
    ]
    assert titles and all(len(t) <= 128 for t in titles)


def test_a_link_heavy_description_cannot_stall_the_toot(blog: HostileBlog) -> None:
    """1 MB of `a.a.a.` took minutes to count as Mastodon counts links; now it is cut first."""
    blog.write(
        "links.md", front_matter("title: T", "date: 2024-03-01", "description: " + "a." * 500_000)
    )
    report = blog.publish()
    assert report.exit_code == 0, report.results
    (toot,) = fake_of(blog.sandbox, "mastodon", FakeMastodon).statuses
    assert "a.a.a" not in toot["content"], "the description could not fit, so it gave way"


def test_parse_text_refuses_huge_text_before_parsing() -> None:
    from crosspost.config import Config, SiteConfig
    from crosspost.errors import SourceError
    from crosspost.sources import parse_text

    config = Config(root=Path("/nonexistent-blog"), site=SiteConfig(url="https://b.example"))
    with pytest.raises(SourceError, match="5 MB"):
        parse_text(front_matter("title: " + "x" * 10_000_000), config=config)


def test_the_script_refuses_every_bomb_without_a_traceback(published: HostileBlog) -> None:
    before, writes = published.records_bytes(), len(published.writes())
    paths = [published.write(f"{name}.md", text) for name, text in {**BOMBS, **NESTING}.items()]
    result = published.cli("publish")
    for path in paths:
        published.assert_refused(result, path)
    assert len(published.writes()) == writes
    assert published.records_bytes() == before
