"""Runs of list items of several lines are not given to the parser (issue 15's speed): one item
stands for each run (`crosspost.mditems`). Each property compares that with the parser on
generated bodies: the tokens are the parser's with each run's items merged into one, and the
whole transform gives the same output and notices as with every line parsed."""

from __future__ import annotations

from contextlib import nullcontext
from functools import partial
from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crosspost.mdcuts import parse_around
from crosspost.mditems import item_runs
from crosspost.mdplain import unfolded
from crosspost.mdquoteruns import unfolded_quotes
from crosspost.mdsiblings import sibling_runs
from crosspost.mdspans import _parse, parse_blocks

from .conftest import both_ways, siblings_merged
from .test_sibling_runs import INERT, TEXTS, bodies, families

# Text a line of an item may hold besides inert words: what pairs across lines (emphasis), what
# the paragraph's trim takes (Unicode spaces, spaces at a line's end), a `#` the transform
# escapes at a line's start, a script link, and a line's end that is a hard break.
WORDS = [*INERT, "*e", "e*", "_e", "e_", "#tag", "[a](javascript:x)", "x: y", "a  ", "\u00a0"]


@st.composite
def item_families(draw: st.DrawFn) -> str:
    """Items of several lines, again and again: an item's line (a bullet or an ordered number
    counting on or cycling through widths, one to four spaces or a tab after it), then lines of
    its paragraph (indented to where its content begins when `exact`; else also a column or a
    few either side, four past it, or none: lazy) and empty lines (in a blockquote with or
    without its `>`), a line after an empty one beginning another paragraph of the item (a
    loose list), or, not `exact`, text at any indentation (indented code, the list's end).
    Each group repeats the first, its texts generated; one group may be broken (a line lazy,
    dropped, deeper, an empty line added, a marker's spacing wider, a text that is not inert),
    then any line."""
    container = draw(st.sampled_from(["", "> ", "  ", ">", " > ", ">  ", ">> "]))
    exact = draw(st.booleans())
    first = draw(st.sampled_from(["- ", "* ", "{n}. ", "{n}) ", "-  ", "{n}.  ", "- [ ] ", "-\t"]))
    start = draw(st.sampled_from([1, 2, 8, 9, 98, 99]))
    column = len(first.format(n=start).replace("\t", "  "))  # where its content begins
    shifts = [0] if exact else [0, 0, 0, -1, 1, 2, 4, -column]
    places: list[int | str] = []  # a line of text's indentation, or an empty line as written
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        if draw(st.integers(min_value=0, max_value=2)) == 0:
            places.append(draw(st.sampled_from(["", container.rstrip(" "), container])))
        else:
            places.append(max(0, column + draw(st.sampled_from(shifts))))
    words = st.one_of(*[st.sampled_from(INERT)] * 3, st.sampled_from(WORDS))
    texts = st.lists(words, min_size=1, max_size=2).map(" ".join)
    count = draw(st.integers(min_value=2, max_value=8))
    cycle = draw(st.sampled_from([0, 0, 2, 4]))  # 8, 9, 10, 11, 8, …: widths change back
    broken = draw(st.integers(min_value=-count, max_value=count - 1))
    breaking = draw(st.sampled_from(["lazy", "empty", "drop", "wider", "deeper", "text"]))
    at = draw(st.integers(min_value=0, max_value=len(places)))
    body: list[str] = []
    for group in range(count):
        n = start + (group % cycle if cycle else group)
        for line, place in enumerate([first, *places]):
            here = group == broken and line == at
            if isinstance(place, str) and line > 0:
                written = place
            else:
                lead = first.format(n=n) if line == 0 else " " * int(place)
                if here and breaking in ("lazy", "wider", "deeper"):
                    lead = {"lazy": "", "wider": lead + " ", "deeper": lead + "    "}[breaking]
                text = draw(st.sampled_from(TEXTS) if here and breaking == "text" else texts)
                written = container + lead + text
            if not (here and breaking == "drop"):
                body.append(written)
            if here and breaking == "empty":
                body.append(container.rstrip())
    again = first.format(n=start + count) + "z"  # the next item of the first line's place
    tails = [again, again, "", "z", "- z", "  z", "    z", "```", "1. z", "10. z", "# z"]
    return "\n".join([*body, container + draw(st.sampled_from(tails))])


documents = st.lists(
    st.one_of(item_families(), item_families(), bodies, families()), min_size=1, max_size=3
).map("\n".join)


def _parsed_as_the_parser_parses(body: str, mdx: bool) -> None:
    # The runs of items alone cut out (in `parse_blocks`, a run of paragraphs at `min_run` 1,
    # refuted, may keep one from being cut: a loose item's second paragraph looks like one).
    runs = item_runs(body, min_run=1)
    alone = parse_around(body, runs, partial(_parse, mdx=mdx))
    if not isinstance(alone, set):
        tokens, env, definitions = alone
        full = _parse(body, mdx=mdx)
        assert [t.as_dict() for t in tokens] == siblings_merged(full.tokens, runs)
        assert (definitions, env) == (full.definitions, full.env)
    runs = [*sibling_runs(body, min_run=1, mdx=mdx), *runs]
    found = [part for run in runs for part in run.parts or [run]]
    fast = parse_blocks(body, mdx=mdx, min_run=1)
    full = _parse(body, mdx=mdx)
    tokens = unfolded(unfolded_quotes(fast.tokens, body))  # runs of paragraphs and quotes
    stood_for = {tuple(t.map) for t in tokens if t.type == "inline" and t.meta and t.map}
    kept = [run for run in found if (run.first, run.end) in stood_for]
    assert [t.as_dict() for t in tokens] == siblings_merged(full.tokens, kept)
    assert fast.definitions == full.definitions
    assert fast.env == full.env


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=documents, mdx=st.booleans())
@example(body="- a\n  b\n- a\n  b\n- z", mdx=False)
@example(body="1. a\n\n   b\n\n2. a\n\n   b\n\n3. z", mdx=False)
@example(body="- a\n  b\n- a\n  b\n- a\n  ---\n- a\n  b\n- a\n  b\n- z", mdx=False)
@example(body="100. ab\n     c\n101. ab\n     c\n98. ab\n     c\n99. ab\n     c\n102. z", mdx=False)
@example(body="> - a\n>      b *c\n>   d* e\n> - f\n>      g\n>   h\n> - z", mdx=False)
def test_runs_of_items_of_several_lines_parse_as_the_parser_parses_them(
    body: str, mdx: bool
) -> None:
    """Where runs of items of several lines are not given to the parser, the tokens are the
    parser's with each run merged into one item (tight or loose: `hidden` as the parser marks
    it), and the definitions and environment are the parser's."""
    _parsed_as_the_parser_parses(body, mdx)


@settings(max_examples=800, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=documents,
    dialect=st.sampled_from([(None, ".md"), (None, ".mdx"), ("hugo", ".md"), ("jekyll", ".md")]),
    paragraphs=st.booleans(),
)
@example(body="- a\n  #b *c\n- a\n  #b c*\n- z\n", dialect=(None, ".md"), paragraphs=False)
@example(
    body="1. a\n\n   b\n\n1. [a](./x/)\n\n   #b\n\n1. z\n", dialect=(None, ".md"), paragraphs=False
)
def test_the_transform_reads_runs_of_items_of_several_lines_as_the_parser_does(
    body: str, dialect: tuple[str | None, str], paragraphs: bool
) -> None:
    """The portable body (a `#` at a paragraph line's start escaped, links made absolute,
    script links unwrapped), its summary (emphasis paired across an item's lines), excerpt
    and notices are those of a transform that gives every line to the parser; without runs
    of paragraphs too (at a run of one, a loose item's second paragraph looks like one, which
    the parse refutes, and a run of items may be left to the parser for it)."""
    generator, suffix = dialect
    alone = mock.patch("crosspost.mdspans.plain_runs", return_value=[])
    with nullcontext() if paragraphs else alone:
        fast, full = both_ways(body, generator, suffix)
    assert fast == full


def test_runs_of_items_of_several_lines_are_stood_in_for() -> None:
    """The properties above are not vacuous: the benchmark's shapes are found and kept, one
    item standing for each run; a run the parse does not confirm (in a fence left open) is
    dropped, and an item whose lines are not all inert, or whose paragraph after an empty line
    is indented code, keeps the run from being found."""
    two = "- a\n  b\n" * 10 + "- z\n"
    [run] = item_runs(two, min_run=1)
    assert (run.first, run.end, run.period, run.gap, run.heights) == (2, 20, 2, 0, (2,))
    assert [t.map for t in parse_blocks(two).tokens if t.meta] == [[2, 20]]
    under = "1. a\n\n   b\n\n" * 10 + "1. z\n"
    [run] = item_runs(under, min_run=1)
    assert (run.first, run.end, run.period, run.gap, run.empty) == (4, 40, 3, 1, (1,))
    tokens = parse_blocks(under).tokens  # (at a run of one, the second paragraphs are runs)
    assert [t.hidden for t in tokens if t.type == "paragraph_open" and t.meta == {}] == [False] * 5
    columns = ["\n".join(["a", "", "", ""] * 9), "\n".join(["", "", "b", ""] * 9)]
    assert [t.content for t in tokens if t.meta] == columns
    assert not any(t.meta for t in parse_blocks("```\n" + two, min_run=1).tokens)
    for line in ["  [a", "  `b", "  b |", "  ---", "  > b", "  - b", "\t b", "  \u00a0", "  <div>"]:
        assert not item_runs(f"- a\n{line}\n" * 4 + "- z", min_run=1), line
    assert not item_runs("1. a\n\n       b\n\n" * 4 + "1. z", min_run=1)  # code after the gap
    assert not item_runs("1. a\n\n  b\n\n" * 4 + "1. z", min_run=1)  # the list's end
    assert not item_runs("> - a\n\n>   b\n" * 4 + "> - z", min_run=1)  # the quote's end
    assert item_runs("> - a\n>\n>   b\n" * 4 + "> - z", min_run=1)
    last = item_runs("- a\n  b\n" * 4 + "z", min_run=1)  # the last item's paragraph goes on
    assert [(run.first, run.end) for run in last] == [(2, 6)]
