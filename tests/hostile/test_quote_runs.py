"""Runs of short blockquotes read without the parser (`crosspost.mdquoteruns`; issue 15: a
megabyte of `> q` quotes between blank lines took 4.3 s and 473 MB, of `>` lines 1.2 s).

Bodies are quote lines that a run may hold (`> q`, `>`, `> #x`, a link, a template, a script
link), paragraph lines (which it may hold between quotes), quote lines that no run may hold
(nested quotes, list items, headings, fences, HTML, definitions, math, tabs, indentation),
lines that may leave something open above a run or continue one lazily, and blank lines.
Compared with the every-line parse:

- the tokens, with each run unfolded, and the definitions and environment, are the parser's;
- the whole transform (body, summary, excerpt, notices) is that of the parse of every line.
"""

from __future__ import annotations

from functools import partial
from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crosspost.mdcuts import parse_around
from crosspost.mdplain import BLOCK_RUN, unfolded
from crosspost.mdquoteruns import Quotes, quote_runs, unfolded_quotes
from crosspost.mdspans import _parse, parse_blocks

from .conftest import both_ways

# Quote lines a run may hold, and lines like them that it may not.
RUN_LINES = [">", "> ", ">   ", "> q", ">q", "> a b", "> #x", "> [a](./x/)", "> `c`", "> *e*"]
RUN_LINES += ["> {{< ref x >}}", "> x: y", "> [a](javascript:x)", "> a  ", "> a \\", "> &amp;"]
RUN_LINES += ["> a | b", "> [x]", "> a $x$", "> {{ t", "> }}", "> <b>x", "> <!-- c -->"]
RUN_LINES += ["> | a |", "> : x"]  # a table's header, alone: text
NOT_RUN_LINES = [">> q", "> > q", "> # h", "> - a", "> 1. a", "> ---", "> ===", "> ```"]
NOT_RUN_LINES += ["> <div>", "> [r]: /u", "> [^1]: n", "> $$", "> a $$", ">\tq", ">  q", " > q"]
NOT_RUN_LINES += ["    > q", "> \u00a0x", "> |-|", "> :", ">\t", "> ~~~", ">    code"]
# Lines around runs: what may leave a block open above one, continue a quote lazily, or end one.
OTHER_LINES = ["x", "# h", "- a", "  b", "```", "~~~", "$$", "a $$", "<!--", "-->", "<div>"]
OTHER_LINES += ["[r]: /u", '"t"', "[^1]: n", "| a |", "|---|", "---", "===", "    code", "<b>x"]
OTHER_LINES += ["[a](javascript:y)", "{{< ref y >}}", "#x", "1. a", "   c", "a [b](./c/)", "y"]
OTHER_LINES += [": x", "a | b", "-|-", "|-|", ":-:"]  # tables' headers and delimiter rows
BLANK_LINES = ["", "", " ", "\t"]
lines = st.one_of(
    st.sampled_from(RUN_LINES),
    st.sampled_from(RUN_LINES),
    st.sampled_from(BLANK_LINES),
    st.sampled_from(NOT_RUN_LINES),
    st.sampled_from(OTHER_LINES),
)
bodies = st.lists(lines, max_size=24).map("\n".join)


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies, ending=st.sampled_from(["", "\n", "\n\n"]), mdx=st.booleans())
@example(body="> q\n\n> q\n>\n> r\n>", ending="", mdx=False)
@example(body="> # h\n>\n> q", ending="\n", mdx=False)  # a quote going on above: no run
@example(body="$$\n\n> q\n\n> a $$", ending="", mdx=False)  # display math closed in a run
@example(body="$$\n\n> q\n\na $$", ending="", mdx=False)  # in a run's paragraph
@example(body="- a\n\n> q\n\n> r", ending="", mdx=False)
@example(body="> q\nx\n\n> r", ending="", mdx=False)  # a lazy line after a quote
@example(body="x\n> q\n\n> r", ending="", mdx=False)  # a quote interrupting a paragraph
# a quote's empty lines last, then a run of blank lines given to the parser as one (its
# `blockquote_open`'s map reads on over them to the next line of text)
@example(body="> q\n>\n>" + "\n" * 70 + "x", ending="", mdx=False)
def test_runs_of_quotes_parse_as_the_parser_parses_them(body: str, ending: str, mdx: bool) -> None:
    """Where runs of quotes are given to the parser as one line each (any run length: the
    transform only stands in for long ones), alone or with every other run, the tokens with
    each run unfolded, the definitions and the environment are the parser's (runs of siblings,
    which merge tokens too, left out: their own properties compare them)."""
    body += ending
    full = _parse(body, mdx=mdx)
    runs = quote_runs(body, 1)
    around = parse_around(body, runs, partial(_parse, mdx=mdx)) if runs else None
    if isinstance(around, tuple):
        tokens, env, definitions = around
        assert [t.as_dict() for t in unfolded_quotes(tokens, body)] == [
            t.as_dict() for t in full.tokens
        ]
        assert definitions == full.definitions
        assert env == full.env
    with mock.patch("crosspost.mdspans.sibling_runs", return_value=[]):  # (they merge tokens)
        fast = parse_blocks(body, mdx=mdx, min_run=1)
    assert [t.as_dict() for t in unfolded(unfolded_quotes(fast.tokens, body))] == [
        t.as_dict() for t in full.tokens
    ]
    assert fast.definitions == full.definitions
    assert fast.env == full.env


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=bodies,
    dialect=st.sampled_from([(None, ".md"), (None, ".mdx"), ("hugo", ".md"), ("zola", ".md")]),
)
@example(body="> a {{< ref\n>\n> b >}}", dialect=("hugo", ".md"))  # a template across quotes
@example(body="[r]: javascript:x\n>\n> q", dialect=(None, ".md"))
@example(body="> #x\n\n> [a](javascript:x)\n>\n> q", dialect=(None, ".md"))
def test_the_transform_reads_runs_of_quotes_as_the_parser_does(
    body: str, dialect: tuple[str | None, str]
) -> None:
    """The portable body, its summary, excerpt and notices are those of a transform that gives
    every line to the parser."""
    generator, suffix = dialect
    fast, full = both_ways(body, generator, suffix)
    assert fast == full


def test_runs_of_quotes_are_read_as_one() -> None:
    """The properties above are not vacuous: runs of one-line quotes and of empty quote lines,
    paragraphs between them, are found and confirmed, each one paragraph standing for its
    paragraphs; a quote that goes on
    above the run, a nested quote or a list in one, a lazy line, or a run inside a fence, an HTML
    comment or display math left open, is not taken."""
    parse = partial(_parse, mdx=False)

    def stood_for(body: str) -> list[list[int] | None]:
        tokens = parse_blocks(body, min_run=1).tokens
        return [t.map for t in tokens if t.type == "inline" and BLOCK_RUN in t.meta]

    assert quote_runs("> q\n\n" * 40, 32) == [Quotes(0, 79)]
    assert quote_runs("x\n\n" + ">\n" * 40, 32) == [Quotes(0, 42)]
    assert quote_runs("> q\n\nx\n\n" * 20, 32) == [Quotes(0, 79)]  # paragraphs between
    assert quote_runs("x\n\n" * 40, 32) == []  # paragraphs alone: `crosspost.mdplain`'s
    assert quote_runs("> q\n\n" * 15, 32) == []  # fewer lines than `MIN_RUN`
    assert quote_runs("\n \n> q\n\nx", 1) == [Quotes(2, 5)]  # after blank lines at the top
    assert stood_for("> q\n\n> r\n>\n>\n> s\n") == [[0, 6]]
    assert stood_for("# h\n\n>\n>\n\nx") == [[2, 6]]
    assert stood_for("> q\n\nx\ny\n\n# h") == [[0, 4]]
    for body in ["> # h\n>\n> q", "> q\n> r", ">> q\n\n> r", "> - a\n\n> q", "> q\nlazy"]:
        assert not [run for run in quote_runs(body, 1) if run.first == 0], body
    for body in ["```\n\n> q", "<!--\n\n> q\n\n>", "$$\n\n> q\n\n$$"]:
        runs = quote_runs(body, 1)
        assert runs and isinstance(parse_around(body, runs, parse), set), body
