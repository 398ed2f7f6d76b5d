"""Attacks on `crosspost.mdquotes` (lines continuing a paragraph in a blockquote, not given to
the parser): inputs where cutting them would not give the parser's reading."""

from __future__ import annotations

from functools import partial

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crosspost.mdcuts import parse_around
from crosspost.mdplain import unfolded
from crosspost.mdquoteruns import unfolded_quotes
from crosspost.mdquotes import continuations
from crosspost.mdspans import _parse, parse_blocks

from .conftest import both_ways, every_line_parsed, transformed
from .test_quote_continuations import each_run_alone_is_the_parsers


def _same_as_the_parser(body: str, *, min_run: int | None = None) -> None:
    fast = parse_blocks(body, min_run=min_run)
    full = _parse(body, mdx=False)
    assert [t.as_dict() for t in unfolded(unfolded_quotes(fast.tokens, body))] == [
        t.as_dict() for t in full.tokens
    ]
    assert fast.definitions == full.definitions
    assert fast.env == full.env


@pytest.mark.parametrize(("opener", "closer"), [('"', '"'), ("'", "'"), ("(", ")")])
def test_a_definitions_title_closed_on_a_continued_line(opener: str, closer: str) -> None:
    """A link reference definition's title may begin on the line after its destination and end
    lines below: the line that opens the title is no paragraph's first line when a cut line
    closes it (without that line the title is unclosed, dropped, and the line opens a
    paragraph, so the parse of the rest confirms the run)."""
    _same_as_the_parser(f"> [a]: /u\n> {opener}t\n> b{closer}\n> c\n> d", min_run=1)


def test_a_long_title_read_as_text_by_the_transform() -> None:
    """With the transform's own run length: the title's lines are not the post's text (its
    excerpt and summary are the paragraph after the definition)."""
    lines = "".join(f"> line {i}\n" for i in range(40))
    body = f'> [a]: /u\n> "t\n{lines}> end"\n> c\n> d\n\nSee [a].\n'
    _same_as_the_parser(body)

    fast = transformed(body)  # the transform's own run length
    with every_line_parsed():
        assert fast == transformed(body)


def test_a_title_after_a_destination_on_a_lazy_line() -> None:
    """The title may open on a deeper line of a stretch too, not only on its first: a nested
    blockquote left open above (its definition's destination on a lazy line) is continued by
    the deeper line, not opened by it."""
    _same_as_the_parser('>> [a]:\n> /u\n>> "t\n> b"\n> c\n> d', min_run=1)


def test_a_title_opener_on_a_line_opening_a_blockquote_is_cut() -> None:
    """A paragraph whose first line opens a blockquote continues no definition (a blockquote
    interrupts one): its continued lines are still cut when the text begins with `(` or `"`
    and a definition above is in reach."""
    for body in ['> [a]: /u\n>> "t\n> b\n> c\n> d"', "> [a]: /u\n> x\n>> (b\n> a\n>> (b\n> a\n"]:
        runs = continuations(body, min_run=1)
        assert runs and runs[0].may_be_a_title
        assert isinstance(parse_around(body, runs, partial(_parse, mdx=False)), tuple), body
        _same_as_the_parser(body, min_run=1)


def test_a_title_opened_above_the_paragraph_closed_on_a_continued_line() -> None:
    """A title opened on a line above the paragraph's first line (a lazy line keeping a nested
    blockquote and its definition open) and closed on a line cut: without that line the title
    is unclosed, the definition ends at its destination, the nested blockquote ends at the lazy
    line (markdown-it reads no block on one) and the deeper line opens a blockquote of its own,
    as the parse of the rest confirms."""
    _same_as_the_parser('> > [a\n> b]: /u\n>"t\n>>t)\n>>"\n>>t\'', min_run=1)
    _same_as_the_parser('>> [a]: /u\n>"t\n>>x\n>>y"\n>>z', min_run=1)


# Definitions with titles near, above and inside stretches of quote lines (issue 15: a title's
# possible end stops a run only where a `]:` is in reach): labels and titles spanning lines,
# destinations on the next line, lazy lines keeping a nested blockquote open, among lines that
# open or end like a title, blank lines and lines of markers alone.
TITLE_CONTAINERS = [">", "> ", ">>", ">> ", "> > ", ">>>", ">  ", ""]
# A definition's lines up to where its title may open: the label, the destination on its line
# or the next, the label over two lines, a footnote's (no title, but a `]:`), or none at all
# but a `]:` in a code span or after an escape.
DEFINITIONS = [("[a]: /u",), ("[a]:", "/u"), ("[a", "b]: /u"), ("[a", "b]:", "/u"), ("[^n]: x",)]
DEFINITIONS += [("`]:`",), ("\\]:",)]
# A title's opening and closing marks.
TITLE_MARKS = [('"', '"'), ("'", "'"), ("(", ")")]


def _title_texts(opener: str, closer: str) -> list[str]:
    """Lines of text that continue a title of these marks, or close it (at the line's end, most
    often), or open one, or end it before more text, or a label, or do none of that."""
    texts = ["a", "b", "a b", "a", "b", "a b", f"a{closer}", f"a{closer}  ", f"b{closer}"]
    return [*texts, f"{opener}t", f"t{closer} x", f"a \\{closer}", f"{opener}b{closer}", "b]:"]


@st.composite
def titled_bodies(draw: st.DrawFn) -> str:
    """A definition with a title opening on the destination's line or the next (or none), then
    quote lines that continue, close, open or end early a title of the same marks (mostly);
    before and after it more of them, stretches of such lines alone, blank lines and lines of
    markers alone. Lines share the body's container, but now and then one has its own (a lazy
    line, a nested quote), so that a definition's context may reach over a stretch."""
    usual = draw(st.sampled_from(TITLE_CONTAINERS[:-1]))
    container = st.one_of(*[st.just(usual)] * 4, st.sampled_from(TITLE_CONTAINERS))
    pair = draw(st.sampled_from(TITLE_MARKS))
    marks = st.one_of(*[st.just(pair)] * 4, st.sampled_from(TITLE_MARKS))
    kinds = st.sampled_from(["definition", "quoted", "blank"])
    lines: list[str] = []
    around = st.lists(kinds, max_size=2)
    for kind in [*draw(around), "definition", *draw(around)]:
        opener, closer = draw(marks)
        quoted = st.tuples(container, st.sampled_from(_title_texts(opener, closer))).map("".join)
        if kind == "definition":
            parts = list(draw(st.sampled_from(DEFINITIONS)))
            title = draw(st.sampled_from(["", f"{opener}t", opener, f"{opener}t", opener]))
            if title and draw(st.integers(0, 3)) == 0:
                parts[-1] += " " + title  # the title opens on the destination's line
            elif title:
                parts.append(title)  # or on the next
            lines += [draw(container) + part for part in parts]
            lines += draw(st.lists(quoted, min_size=2, max_size=8))
        elif kind == "quoted":
            lines += draw(st.lists(quoted, min_size=1, max_size=8))
        else:
            lines.append(draw(st.sampled_from(["", "  ", ">", "> >"])))
    return "\n".join(lines)


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=titled_bodies())
@example(body='> [a]: /u\n> "t\n> b"\n> c\n> d')  # the title closed on a line cut
@example(body='> [a]:\n> /u\n> "t\n> b"\n> c\n> d')  # the destination on the next line
@example(body="> [a\n> b]: /u\n> (t\n> b)\n> c\n> d")  # the label over two lines
@example(body='>> [a]: /u\n> "t\n>> x\n>> y"\n>> z')  # opened on a lazy line
@example(body="[a]: /u\n> (t\n> a)\n> c\n> d")  # in reach (though a blockquote ends the definition)
@example(body="> [a]: /u\n>\n> (t\n> a)\n> c\n> d")  # in reach (though an empty quote line does)
@example(body="> [a]: /u\n\n> (t\n> a)\n> c\n> d")  # out of reach: cut
def test_titles_near_continued_lines(body: str) -> None:
    """Where lines continuing a paragraph in a blockquote are not given to the parser, the
    tokens, definitions and environment are the parser's, with definitions whose titles may
    be open over the paragraph's first line (each run cut alone too, where the parse of the
    rest confirms it), and the transform's output and notices are those with every line
    parsed."""
    _same_as_the_parser(body, min_run=1)
    each_run_alone_is_the_parsers(body, mdx=False)
    fast, every_line = both_ways(body)
    assert fast == every_line


def test_title_like_lines_are_cut_where_no_definition_is_in_reach() -> None:
    """Lines ending in `)` or a quote mark, and a first line opening with `(`, are cut where no
    `]:` occurs above them since the last blank line (the property above is not vacuous); a
    `]:` on the way keeps the old caution, and so does a line of markers alone (it ends a
    definition in its blockquote, but counts as no blank line: conservative)."""
    parse = partial(_parse, mdx=False)
    shape = "> a)\n>> (b\n" * 3
    (run,) = continuations(shape, min_run=1)
    assert (run.first, run.end, run.may_be_a_title) == (2, 5, False)
    for above in ["", "[a]: /u\n\n", "> [a]: /u\n \n", "`]:` here\n\n"]:
        body = above + shape
        runs = continuations(body, min_run=1)
        assert len(runs) == 1 and runs[0].end - runs[0].first == 3, body
        assert isinstance(parse_around(body, runs, parse), tuple), body
    for above in ["[a]: /u\n", "> [a]: /u\n>\n", "`]:` here\n", "> x ]: y\n"]:
        assert continuations(above + shape, min_run=1) == [], above
