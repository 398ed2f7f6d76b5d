"""Runs of HTML blocks read without the parser (`crosspost.mdhtml`), compared with the parser on
generated input (issue 15: a megabyte of `<div>` blocks cost a whole block parse).

Bodies are lines of every kind that may begin, continue, end or hold an HTML block, or stand
before a run (a list item, a blockquote, a fence or an HTML comment left open, a paragraph the
first tag would interrupt), and blank lines of spaces and tabs between them.
"""

from __future__ import annotations

from functools import partial

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crosspost.mdcuts import HtmlBlocks, Paragraphs, parse_around
from crosspost.mdhtml import html_runs
from crosspost.mdplain import plain_runs
from crosspost.mdspans import _apart, _parse

from .conftest import cut_parse_is_the_parsers

HTML_LINES = [
    *["<div>", "</div>", "<DIV a=1>", "  <table>", "   <p/>", "<section\tx>", "</ul >", "<hr/>"],
    *["<div|x>", "<div>|", "<divx>", "<img src='./a.png'>", "<span>", "</span>", "<b>x</b>"],
    *["<pre>", "</pre>", "<script>", "<textarea>", "<style>", "<!--", "-->", "<!-- c -->"],
    *["<?x", "?>", "<!X", "<![CDATA[", "]]>", "    <div>", "\t<div>", " \t<div>", "<"],
    *["- <div>", "1. <div>", "> <div>", "  - a", "- a", "> q", "```", "~~~", "$$", "    code"],
    *["[r]: /u", "[r]", "[^1]: n", "|-|", "a | b", "---", "===", "# h", "x", "  y", "\u00a0"],
    *["<div>\u00a0", "<DIV>", "<address>", "</p>", "<p", "<iframe src=x>", "<video>"],
    *["<div> | a", "<table>|", "--|--", "-|-"],  # a table's header, its delimiter rows
    *["<a", "href='x'>", "<img src='a", "b'>", '<x-y a="1" />', "</x >", "<b> x"],  # kind 7
    *["<div>$$", "a $$", "<p>$x$"],  # display math (a later line ending in `$$` closes it)
]
BLANK_LINES = ["", " ", "\t", "  \t "]
html_bodies = st.lists(
    st.one_of(st.sampled_from(HTML_LINES), st.sampled_from(BLANK_LINES)), max_size=16
).map("\n".join)


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=html_bodies, ending=st.sampled_from(["", "\n", "\n\n"]), mdx=st.booleans())
@example(body="<div>\n\n<div>", ending="", mdx=False)
@example(body="- a\n\n<div>\nx", ending="\n", mdx=False)
@example(body="<div> | a\n--|--", ending="", mdx=False)  # a table, not an HTML block
@example(body="<div>|\n\n<div> | a\n\n-|-", ending="", mdx=False)  # `|`, then a blank line
def test_runs_of_html_blocks_stood_in_for_parse_as_the_parser_parses_them(
    body: str, ending: str, mdx: bool
) -> None:
    """Where runs of HTML blocks are given to the parser as one line each, alone or with the
    runs of paragraphs beside them, the tokens, the definitions and the environment are the
    parser's (any run length: the transform only stands in for long ones)."""
    body += ending
    html = [HtmlBlocks(first, end) for first, end in html_runs(body, 1, mdx=mdx)]
    paragraphs = [Paragraphs(first, end) for first, end in plain_runs(body, 1)]
    both = _apart(sorted([*html, *paragraphs], key=lambda cut: cut.first))
    for runs in (html, both):
        cut_parse_is_the_parsers(body, runs, mdx=mdx)


def test_runs_of_html_blocks_are_stood_in_for() -> None:
    """The property above is not vacuous: runs of blocks of kinds 6 and 7 at the top level are
    found and confirmed, at the text's end too; a tag with text after it or spanning lines, a
    table's header, MDX, or a run inside an HTML comment left open or continuing a list item
    is not taken."""
    parse = partial(_parse, mdx=False)

    def runs(body: str, mdx: bool = False) -> list[HtmlBlocks]:
        return [HtmlBlocks(first, end) for first, end in html_runs(body, 1, mdx=mdx)]

    assert runs("<div>\n<img src='a'>\n</div>\n\n \n<p/>\n\nx\n<div>") == [HtmlBlocks(0, 6)]
    assert runs("<img src='a'>\n\n<b>x</b>\n\n<a\nhref='b'>\n\n</i >\n\n<p>") == [
        HtmlBlocks(0, 1),
        HtmlBlocks(7, 10),
    ]
    for body in ["- a\n\n<div>\n\n</div>", "x\n\n<DIV>\ny\n\n<img src='b'>", "<span>\n\n  <hr/>"]:
        assert runs(body) and isinstance(parse_around(body, runs(body), parse), tuple), body
    for body in ["<b>x</b>", "<div|x>", "<pre>", "    <div>", "<!-- <div> -->", "<p>\n$$", "<a"]:
        assert not runs(body), body
    # a `|` in a chunk of one line: no table's header (its delimiter row would be the next line)
    assert runs("<div>|\n\n<table> | a\n \n<p>|") == [HtmlBlocks(0, 5)]
    assert runs("<div>|\n--|--\n\n<p>") == [HtmlBlocks(3, 4)]
    assert not runs("<div>", mdx=True)
    for body in ["<!--\n\n<div>\n\n-->", "- a\n\n  <div>\n\n  <p>", "```\n\n<div>"]:
        assert runs(body) and parse_around(body, runs(body), parse) == {0}, body


def test_blank_lines_before_a_line_that_opens_no_run_are_no_run() -> None:
    """Long stretches of blank lines before a line that opens no run (that each line is read
    once, not again from each blank line, is measured by `benchmarks/body.py`'s
    blank-lines-tag shape: tests assert no time)."""
    for body in ["\n" * 20_000 + "<b>x", " \n" * 20_000 + "<", "<div>\n" + "\n" * 20_000 + "x"]:
        assert html_runs(body, 32) == [], repr(body[:8])
