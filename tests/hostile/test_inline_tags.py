"""Blocks of text, plain links and raw HTML tags read without the parser (`crosspost.mdtags`),
compared with the parser's recording rules on generated input (issue 15: a megabyte of `<b>x`
paragraphs took three seconds of inline parsing).

Contents are built from tags of every form the parser's `HTML_TAG_RE` knows (open and closing
tags, comments, processing instructions, declarations, CDATA), tags that hold `[`, `]`, `](`
or a `<` in an attribute, tags across lines, tags left open and their closing parts alone,
autolinks, plain links with tags in their text, links whose destination holds a `<`, and the
characters that start other inline syntax.
"""

from __future__ import annotations

from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crosspost.mdspans import _Collector, _inline_spans, _parser
from crosspost.mdtags import tag_link_spans

from .conftest import transformed

TAG_PIECES = [
    *["<b>", "</b>", "<b/>", '<img src="./a.png">', "<a href='./x'>", "</a>", "<x-y a=1 />"],
    *["<a\nhref=x>", "<b\n>", '<a title="]">', "<a title='[x](y)'>", "<a t='<http://x>'>"],
    *["<!-- c -->", "<!---->", "<!-->", "<!--->", "<!-- [a](b) -->", "<!-- a -- b -->"],
    *["<?p [ ?>", "<??>", "<!X y>", "<![CDATA[ ] ]]>", "<!DOCTYPE html>", "<a b='c' d>"],
    *["<", ">", "<b", "</", "<!", "<!-", "<?", "<a title='", "'", '"', "-->", "?>", "]]>"],
    *["<http://x>", "<a@b.c>", "<javascript:x>", "<mailto:a@b>", "< b>", "<a:b>", "<1>"],
    *["<a b=c<d>", "<a\n\nb>", "</b x>", "<b =c>", "<B CLASS=x>"],
    *["<ab:]>", "<ab:[y](z)>", "<http://x/[a](b)>"],  # autolinks hiding brackets
    *["<ab:", "<javascript:", "<a@b.c", "[<ab:]>](c)"],  # autolinks' openings; one in a label
]
TEXT_PIECES = [
    *["word", " ", "\n", "  \n", "*", "_", "!", "(", ")", "[", "]", "](", ":", "#", "\u00a0"],
    *["[a](b)", "![i](c.png)", "[x <b>y</b>](./p)", "[<img src=a>](./q)", "![<b>a</b>](r.png)"],
    *["[a](b<c>)", "[a](<b>)", "[a](b>)", "[l\nm](n)", "[](z)", "[s](t:u)", "[x](javascript:y)"],
    *["[r]", "[r][r]", "[a] (b)", "`", "\\", "&", "&amp;", "$", "^", "[^1]", "é"],
]


def _recorded(content: str, mdx: bool) -> list[tuple[str, int, int]]:
    """What the parser's recording rules find in one block's inline content."""
    md = _parser(mdx=mdx)
    collector = _Collector()
    env = {"references": {"R": {"href": "/r", "title": ""}}, "crosspost_spans": collector}
    return _inline_spans(md, env, collector, content)


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    content=st.lists(
        st.one_of(st.sampled_from(TAG_PIECES), st.sampled_from(TEXT_PIECES)), max_size=12
    ).map("".join),
    mdx=st.booleans(),
)
@example(content='[a <b title="]">](c)', mdx=False)  # the tag's `]` closes no label
@example(content="<a t='<http://x>'>[b](c)", mdx=False)  # no autolink inside a tag
@example(content="<ab:[y](z)>", mdx=False)  # no link inside an autolink
@example(content="<b>x [y <i>z</i>](./w) <!-- [v](u) -->", mdx=False)
@example(content="<javascript:x> <a:b> <http://x>", mdx=False)  # refused, too short, taken
@example(content="<http://x<b>y> <a@b.c", mdx=False)  # an autolink ends at its first `<` or `>`
@example(content="<javascript:[a](./b)>", mdx=False)  # refused by validateLink: a link inside
def test_tags_and_plain_links_are_read_as_the_parser_reads_them(content: str, mdx: bool) -> None:
    """Where a block's inline content is read without the parser (only text, plain links and
    raw HTML tags in it), the spans found are those the parser's recording rules find: the same
    kinds at the same offsets, in the same order."""
    md = _parser(mdx=mdx)
    fast = tag_link_spans(content, md.validateLink)
    if fast is None:
        return
    assert fast == _recorded(content, mdx)


def test_tags_and_plain_links_skip_the_parser() -> None:
    """The property above is not vacuous: every form of tag and its place in a link's text is
    read, and what the parser would read otherwise is refused."""

    def valid(url: str) -> bool:
        return not url.startswith("javascript:")

    read = {
        "<b>x": [("html", 0, 3)],
        "a <b>x</b> <": [("html", 2, 5), ("html", 6, 10)],
        "<a\nhref='./x'>y</a>": [("html", 0, 14), ("html", 15, 19)],
        "[x <b>y</b>](./p) <!-- c -->": [
            ("html", 3, 6),
            ("html", 7, 11),
            ("destination", 13, 16),
            ("html", 18, 28),
        ],
        "![<b>a</b>](r.png)": [("destination", 12, 17)],
        '[a <b title="]">](c)': [("html", 3, 16), ("destination", 18, 19)],
        "<?p [ ?> <!X y> <![CDATA[ ] ]]>": [("html", 0, 8), ("html", 9, 15), ("html", 16, 31)],
        "< b> <1> a > b < c": [],
        "a <b> c <d <e": [("html", 2, 5)],  # tags left open after the last `>`: text
        "no tags at all": [],
        # autolinks: taken whole, recording nothing, as the parser's `autolink` rule takes them
        "<http://x> <b>": [("html", 11, 14)],
        "<a@b.c> [x](./y) <ab:<b>>": [("destination", 12, 15), ("html", 21, 24)],
        "<http://x/[a](b)>": [],
        "<ab:]> [c](d)": [("destination", 11, 12)],
        # a URL `validateLink` refuses is no autolink: raw HTML is tried there, then text
        "<javascript:x> <b>": [("html", 15, 18)],
        "<javascript:[a](./b)>": [("destination", 16, 19)],
    }
    for content, spans in read.items():
        assert tag_link_spans(content, valid) == spans, content
        assert _recorded(content, mdx=False) == spans, content
    refused = ["[<http://x>](y)", "[a <b@c.d> e](f)", "[<ab:]>](c)"]  # autolinks in a label
    refused += ["[a](b<c>)", "[a] <b>", "<b> [r]", "<b>`c`", "<b>&amp;"]
    refused += ["[x](javascript:y) <b>", "[[a](b)](c)", "<b>\\*", "<b>$x$", "<b>[^1]"]
    # raw HTML left open, which the parser does not try to read to the end
    refused += ["<b> <!-- c >", "<b> <? c >", "<b> <![CDATA[ c >", "<!-- a --> <!--"]
    for content in refused:
        assert tag_link_spans(content, valid) is None, content


BODY_PIECES = [*TAG_PIECES, *TEXT_PIECES, "\n\n", "\n\n", "- ", "> ", "# ", "| a |\n|---|\n"]


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.lists(st.sampled_from(BODY_PIECES), max_size=16).map("".join))
def test_a_body_with_tags_transforms_as_when_every_block_is_parsed(body: str) -> None:
    """The transform reading blocks of tags without the parser gives the body, summaries and
    notices it gives when every such block is inline-parsed."""
    fast = transformed(body)
    with mock.patch("crosspost.mdspans.tag_link_spans", return_value=None):
        full = transformed(body)
    assert fast == full


def test_a_block_of_tags_is_not_inline_parsed() -> None:
    """The transform reads a paragraph of tags and plain links without the inline parser."""
    with mock.patch("crosspost.mdspans._inline_spans") as parsed:
        out = transformed('<b>x</b> [a <i>b</i>](./c) <img src="./d.png">\n')
    assert parsed.call_count == 0
    assert "https://blog.example.com/posts/my-post/c" in out[0]
    assert "https://blog.example.com/posts/my-post/d.png" in out[0]
