"""Runs of blank lines given to the parser as one blank line (`crosspost.mdblanks`), compared
with the parser on generated input (issue 15: a megabyte of blank lines cost 1.7 s).

Bodies are lines of every kind that may read on over blank lines (indented code, fences, HTML
blocks of kinds 1 to 7, `$$` math, list items, an empty list item, footnotes, blockquotes,
tables, paragraphs, definitions) with runs of one to five blank lines of spaces and tabs
between them, alone and beside the runs of paragraphs, HTML blocks and quote continuations
(runs of siblings are merged into one by design: tests/hostile/test_sibling_runs.py).
"""

from __future__ import annotations

from functools import partial

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crosspost.mdblanks import Blanks, blank_runs
from crosspost.mdcuts import Cut, HtmlBlocks, Paragraphs, parse_around
from crosspost.mdhtml import html_runs
from crosspost.mdplain import plain_runs
from crosspost.mdquotes import continuations
from crosspost.mdsiblings import Siblings
from crosspost.mdspans import _apart, _parse, _with_blanks, parse_blocks

from .conftest import cut_parse_is_the_parsers

LINES = [
    *[
        "x",
        "  y",
        "    code",
        "\tcode",
        "     code",
        "```",
        "~~~",
        "``` x",
        "$$",
        "a $$",
        "$$ b $$",
    ],
    *["- a", "-", "  - b", "  c", "   d", "1. a", "2)", "   e", "* a", "+", "> q", ">", "> - a"],
    *["[r]: /u", "[r]:", "/u", "'t'", "[^1]: n", "[^1]:", "    n", "| a |", "|-|", "a | b"],
    *["<div>", "<pre>", "</pre>", "<!--", "-->", "<?x", "?>", "<![CDATA[", "]]>", "<b>x", "<a"],
    *["<img src='./a.png'>", "<script>", "</script>", "---", "===", "# h", "***", "\u00a0"],
]
BLANK = st.sampled_from(["", " ", "\t", "  \t "])
PIECES = st.one_of(
    st.sampled_from(LINES).map(lambda line: [line]),
    st.lists(BLANK, min_size=1, max_size=5),
)
bodies = st.lists(PIECES, max_size=14).map(
    lambda pieces: "\n".join(line for piece in pieces for line in piece)
)


def _other_cuts(body: str, mdx: bool) -> list[Cut]:
    return _apart(
        sorted(
            [
                *(Paragraphs(first, end) for first, end in plain_runs(body, 1)),
                *(HtmlBlocks(first, end) for first, end in html_runs(body, 1, mdx=mdx)),
                *continuations(body, 1),
            ],
            key=lambda cut: cut.first,
        )
    )


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies, ending=st.sampled_from(["", "\n", "\n\n"]), mdx=st.booleans())
@example(body="-\n\n\n  x", ending="", mdx=False)  # an empty item: two lines, then its end
@example(body="    a\n\n\n    b", ending="", mdx=False)  # indented code over the blank lines
@example(body="- a\n\n\n  b", ending="\n", mdx=False)  # an item's paragraph after them
@example(body="x\n \n\t\n<b>x", ending="", mdx=False)
def test_runs_of_blank_lines_given_as_one_parse_as_the_parser_parses_them(
    body: str, ending: str, mdx: bool
) -> None:
    """Where runs of blank lines are given to the parser as one blank line each, alone or with
    the other runs beside them, the tokens, the definitions and the environment are the
    parser's (runs of two lines and more: the transform only takes long ones)."""
    body += ending
    blanks: list[Cut] = list(blank_runs(body, 2))
    both = _with_blanks(_other_cuts(body, mdx), blank_runs(body, 2))
    for runs in (blanks, both):
        cut_parse_is_the_parsers(body, runs, mdx=mdx)


def test_runs_of_blank_lines_are_given_as_one() -> None:
    """The property above is not vacuous: runs between blocks at the top level, at the text's
    start and before its last line are found and confirmed; a run inside a fence, indented
    code, an HTML comment, display math, a list item or a footnote is refuted."""
    parse = partial(_parse, mdx=False)
    assert blank_runs("a\n\n\n \n\t\nb\n\nc\n\n\n", 2) == [Blanks(1, 5), Blanks(8, 10)]
    assert blank_runs("\n\n\r\n\n", 2) == []
    assert blank_runs("\n" * 63 + "x", 64) == []
    for body in ["a\n\n\n\nb", "\n\n\n<b>x", "# h\n\n\n\n    code", "<div>\n\n\n\nx\n\n\n"]:
        runs = blank_runs(body, 2)
        assert runs and isinstance(parse_around(body, runs, parse), tuple), body
    for body in [
        "```\n\n\n\nx",
        "    a\n\n\n\n    b",
        "<!--\n\n\n\n-->",
        "$$\n\n\n\n$$",
        "- a\n\n\n\n  b",
        "-\n\n\n  b",
        "[^1]: a\n\n\n\n    b",
    ]:
        runs = blank_runs(body, 2)
        assert runs and parse_around(body, runs, parse) == {0}, body


def test_runs_of_blank_lines_give_way_to_the_other_runs() -> None:
    """A run of blank lines holding a line another run cuts or reads (the empty lines between
    loose items, those after the sibling above a run) is left to the parser; one beside them
    is kept, in order; a megabyte's long runs are given to the parser as one line."""
    items = Siblings("item", 4, 9, (), gap=1)  # above it: line 2
    runs = [Blanks(0, 2), Blanks(3, 4), Blanks(9, 12)]
    assert _with_blanks([items], runs) == [Blanks(0, 2), items, Blanks(9, 12)]
    assert _with_blanks([Paragraphs(2, 3)], [Blanks(0, 2), Blanks(3, 5)]) == [
        Blanks(0, 2),
        Paragraphs(2, 3),
        Blanks(3, 5),
    ]
    body = "a\n" + "\n" * 100 + "<b>x\n" + "\n" * 100 + "- a\n"
    assert blank_runs(body) == [Blanks(1, 101), Blanks(102, 202)]
    tokens = parse_blocks(body).tokens
    assert [t.map for t in tokens if t.map] == [
        [0, 1],
        [0, 1],
        [101, 102],
        [101, 102],
        *[[202, 203]] * 4,
    ]
