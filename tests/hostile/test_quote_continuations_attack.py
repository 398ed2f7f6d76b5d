"""Attacks on `crosspost.mdquotes` (lines continuing a paragraph in a blockquote, not given to
the parser): inputs where cutting them would not give the parser's reading."""

from __future__ import annotations

import pytest

from crosspost.mdspans import _parse, parse_blocks

from .conftest import every_line_parsed, transformed


def _same_as_the_parser(body: str, *, min_run: int | None = None) -> None:
    fast = parse_blocks(body, min_run=min_run)
    full = _parse(body, mdx=False)
    assert [t.as_dict() for t in fast.tokens] == [t.as_dict() for t in full.tokens]
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
    interrupts one): its continued lines are still cut when the text begins with `(` or `"`."""
    from functools import partial

    from crosspost.mdcuts import parse_around
    from crosspost.mdquotes import continuations

    for body in ["> a\n>> (b\n> a\n>> (b\n> a\n>> (b\n", '> [a]: /u\n>> "t\n> b\n> c\n> d"']:
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
