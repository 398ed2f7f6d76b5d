"""Lines of a blockquote that only continue a paragraph, lazily or not, are not given to the
parser (issue 15's speed: a megabyte of `> a` / `>> b` took markdown-it-py 2 s). Each property
compares that with the parser on generated blockquote-heavy bodies: the tokens, definitions and
environment are the parser's, and the whole transform gives the same output and notices as with
every line parsed."""

from __future__ import annotations

from functools import partial
from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crosspost.mdcuts import parse_around
from crosspost.mdplain import unfolded
from crosspost.mdquotes import Continuations, continuations
from crosspost.mdspans import _parse, parse_blocks

from .conftest import both_ways

# How a line may start: blockquote markers of every depth and spacing (none, one space, two,
# a tab, indented), and what may follow them (a list marker, a fence, HTML, a heading, a
# thematic break or setext underline, indented code, a definition, math, a table row).
CONTAINERS = [">", "> ", ">>", ">> ", "> > ", ">>>", "> >> ", ">>>> ", ">  ", ">\t", " > ", "   >"]
CONTAINERS += ["    > ", "", "", "  ", "    ", ">  > ", "> >  "]
LEADS = ["", "", "", "", "- ", "1. ", "```", "~~~", "<div>", "<!--", "# ", "---", "===", "    "]
LEADS += [
    "[r]: /u",
    "[^1]: n",
    "$$",
    "| ",
    "--|--",
    "|-|",
    "| a |",
    "\t",
    "\u00a0",
    "> ",
    "* * *",
    "[!NOTE]",
]
# What a line may hold: text, links, code, and what may end an HTML block or math left open.
WORDS = ["a", "b", "text and words", "[a](./x/)", "![i](i.png)", "`c`", "*e*", "#tag", "x: y"]
WORDS += ["-->", "</pre>", "$$", "a $$", "a  ", "\t", "a | b", "[r]", "&amp;", "{{ t }}", "<b>"]
quote_lines = st.tuples(
    st.sampled_from(CONTAINERS),
    st.sampled_from(LEADS),
    st.lists(st.sampled_from(WORDS), max_size=2),
).map(lambda drawn: drawn[0] + drawn[1] + " ".join(drawn[2]))
# Mostly lines that continue a paragraph in a blockquote (`> a`, `>> b`, `> > a`), so that long
# stretches of them occur, between any lines.
plain = st.tuples(
    st.sampled_from([">", "> ", ">>", ">> ", "> > ", ">>>", ">>>> "]),
    st.lists(st.sampled_from(["a", "b", "words", "[a](./x/)", "`c`", "#tag", "a  "]), min_size=1),
).map(lambda drawn: drawn[0] + " ".join(drawn[1]))
bodies = st.lists(st.one_of(plain, plain, plain, quote_lines), max_size=24).map("\n".join)


def _same_as_the_parser(body: str, mdx: bool) -> None:
    """`parse_blocks` cutting only continuations (the other runs merge tokens: their own
    properties compare them) gives the parser's tokens, definitions and environment."""
    with (
        mock.patch("crosspost.mdspans.plain_runs", return_value=[]),
        mock.patch("crosspost.mdspans.sibling_runs", return_value=[]),
    ):
        fast = parse_blocks(body, mdx=mdx, min_run=1)
    full = _parse(body, mdx=mdx)
    assert [t.as_dict() for t in unfolded(fast.tokens)] == [t.as_dict() for t in full.tokens]
    assert fast.definitions == full.definitions
    assert fast.env == full.env


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies, mdx=st.booleans())
@example(body="> a\n>> b\n> a\n>> b\n> a\n>> b\n> a", mdx=False)
@example(body="> a\n> a\n> a\n> a\n---", mdx=False)
@example(body="> a\n>> b\n> a\n>> b\n> a\n>> ", mdx=False)  # an empty quote line last
@example(body=">>  x\n> a\n> a\n> a", mdx=False)  # the first line continues one above
@example(body="<!--\n> a\n> a -->\n> a\n> a", mdx=False)  # an HTML block's end in a line cut
@example(body="$$\n> a\n> a $$\n> a\n> a", mdx=False)  # display math's
@example(body="> a\n> a\n> a\n> a\n> ===", mdx=False)  # a setext heading
@example(body="- > a\n> a\n> a\n> a", mdx=False)
@example(body="> x\n> y\n> | a |\n> |-|", mdx=False)  # a table's header interrupts the paragraph
@example(body="> x\n> y\n> z\n> a | b\n> --|--", mdx=False)  # one without a leading `|`
@example(body=">> | a |\n> | a |\n>>| a |\n>>|-|", mdx=False)  # found by an attacker
def test_continued_lines_parse_as_the_parser_parses_them(body: str, mdx: bool) -> None:
    """Where lines continuing a paragraph in a blockquote are not given to the parser, the
    tokens, definitions and environment are the parser's (any run length: the transform only
    cuts long ones)."""
    _same_as_the_parser(body, mdx)


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies, mdx=st.booleans())
def test_every_confirmed_continuation_is_the_parsers(body: str, mdx: bool) -> None:
    """Each run of continued lines alone, cut where the parse confirms it, gives the parser's
    tokens (not only all of them together, where one run's cut might hide another's error)."""
    each_run_alone_is_the_parsers(body, mdx=mdx)


def each_run_alone_is_the_parsers(body: str, *, mdx: bool) -> None:
    """Each run of continued lines of `body`, cut alone where the parse confirms it, gives the
    tokens of the parse of every line."""
    parse = partial(_parse, mdx=mdx)
    full = [t.as_dict() for t in parse(body).tokens]
    for run in continuations(body, min_run=1):
        around = parse_around(body, [run], parse)
        if not isinstance(around, set):
            assert [t.as_dict() for t in around[0]] == full


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=bodies,
    dialect=st.sampled_from([(None, ".md"), (None, ".mdx"), ("hugo", ".md"), ("jekyll", ".md")]),
)
def test_the_transform_reads_continued_lines_as_the_parser_does(
    body: str, dialect: tuple[str | None, str]
) -> None:
    """The portable body, its summary, excerpt and notices are those of a transform that gives
    every line to the parser."""
    generator, suffix = dialect
    fast, full = both_ways(body, generator, suffix)
    assert fast == full


def test_continued_lines_are_cut() -> None:
    """The properties above are not vacuous: the lines continuing each paragraph between its
    first and last line are found, and cut where the parse confirms them; a run whose first
    line continues a paragraph opened above it, or whose lines an HTML comment or a fence holds, is
    not; lines that may begin a block, or begin in a column only a reading of columns tells, are
    no continuations."""
    parse = partial(_parse, mdx=False)
    nested = "> a\n>> b\n> a\n>> b\n> a\n>> b\n"
    assert continuations(nested, min_run=1) == [
        Continuations(first=2, end=5, head="b", contents="a\nb\na", definition_in_reach=False)
    ]
    assert continuations(nested + ">> ", min_run=1) == continuations(nested, min_run=1)
    assert continuations("> a\n> > b\n> c\n>d\n>> e", min_run=1) == [
        Continuations(first=2, end=4, head="b", contents="c\nd", definition_in_reach=False)
    ]
    # (a list item above: `> a` is no lazy line of its blockquote, but begins one of its own)
    confirmed = [
        nested,
        "x\n\n> a\n> b\n> c\n\ny",
        "# h\n> a\n> b\n> c\n>> d",
        "- > a\n> a\n> a\n> a",
    ]
    for body in confirmed:
        runs = continuations(body, min_run=1)
        assert runs and isinstance(parse_around(body, runs, parse), tuple), body
    for body in [">>  x\n> a\n> a\n> a", "<!--\n> a\n> a\n> a", "```\n> a\n> a\n> a"]:
        runs = continuations(body, min_run=1)
        assert runs and parse_around(body, runs, parse) == {0}, body
    for body in ["> a\n>  b\n> c", "> a\n> - b\n> c", "> a\n> b $$\n> c", "> a\n>\tb\n> c"]:
        assert continuations(body, min_run=1) == [], body
