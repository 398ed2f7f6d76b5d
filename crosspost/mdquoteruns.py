"""Runs of short blockquotes read without the parser (for speed).

A post of short quotes between blank lines (`> q`, 210,000 of them a megabyte) cost
markdown-it-py 4.3 s and 473 MB: its `blockquote` rule saves and restores each quote's line
marks and parses its lines again as a nested text, and each quote is five tokens and an inline
one. A megabyte of `>` lines (one quote of 500,000 empty lines) took 1.2 s. Such runs are read
here instead, given to the parser as one line of text (`crosspost.mdcuts`, as for runs of
paragraphs and of HTML blocks), and one paragraph stands for all their paragraphs.

**Which runs** (`quote_runs`): a *quote* here is a stretch of lines each of which is an *empty
quote line* (`>` at the line's start, then only spaces) or a *text line* (`>` at the line's
start, at most one space, then text whose first character is not white space, as Python's
`\\s` says, and that begins no block: `crosspost.mdplain.BLOCK_MARK`, a `>`, a `<` and a `[`
among them; no `$$` on the line), no two text lines in a row, and after its last line a blank
line (only spaces and tabs) or the text's end. A *paragraph* here is a stretch of lines of such
text (without the marker), and after its last line a blank line or the text's end. A run is
quotes and paragraphs with blank lines between them, a quote among them (paragraphs alone are
`crosspost.mdplain`'s), at the text's top or after a blank line, of at least `min_run` lines;
it ends with its last quote's or paragraph's last line (the blank line after it is not the
run's). A megabyte of one-line quotes and paragraphs in turn (`> q`, `x`) took 3.9 s.

**Why each quote is then one blockquote of one-line paragraphs**, wherever the run stands at the
top level with nothing left open before it (which the parse confirms: the line of text standing
in for the run comes out a top-level paragraph of its own, so no container, fence, HTML block,
math block or paragraph is open there; the line above is blank or none, so no blockquote goes on
into the run either): at a line beginning with `>`, with nothing open, the block rules before
`blockquote` (`table`, `code`, `math_block`, `fence`) refuse it (no `|` header with a delimiter
row below, no indentation, no `$$`, no backticks or tildes), and `blockquote` takes it
(CommonMark 0.31 §5.1; markdown-it-py's rule: a `>` and one optional space). The rule reads on
over each next line that begins with `>` and stops at the first blank line (its "Case 1: line is
not inside the blockquote, and this line is empty"), which ends every quote of a run: no line of
a quote is lazy. Inside it, each empty quote line is an empty line, and each text line a line
whose text begins no block (no indentation: it begins with no white space after the optional
space), below an empty line or at the quote's top: a paragraph opens on it, and the line after
it, an empty quote line or the blank line, ends that paragraph. A one-line paragraph is no
table's header (the line after it is empty: `table` refuses it) and no setext heading's text. So
a quote is a `blockquote_open` (level 0, its map from the quote's first line to where the nested
tokenize stops: after its last paragraph, one empty line after it eaten, and past further empty
lines, those after the quote too, up to the next line of text), for each text line a paragraph
of that line (level 1, its inline content the text after the marker and its space, trimmed as
the parser's `mdTrim` trims), and a `blockquote_close`. At a paragraph's first line, with
nothing open, no block rule takes the line but `paragraph` (its text begins no block, and
`table` needs a delimiter row below, a line that would begin with `|`, `:` or `-` and hold only
those, spaces and tabs: `BLOCK_MARK` refuses each), and each line after it continues it, as it
interrupts nothing (nor underlines it: `=` and `-` lines are refused too), up to the blank line:
one paragraph of those lines (level 0, its content the lines joined, trimmed), as
`crosspost.mdplain` says for a body of paragraphs. No line of a run can open a definition or a
footnote (each begins with `[`), so the environment is the one of the rest of the text. After
the run's last quote or paragraph the blank line ends it, and the parser is back at the top
level with nothing open, as after the paragraph standing in for the run followed by the same
blank line: what follows reads as it did. `$$` is refused in the run because display math opened
above is a block only where a later line ends in `$$` (the parser's `math_block` reads ahead for
one): closed in the run, the math would hold the run, and left open without it, a paragraph.

**The tokens** (`quote_run_tokens`): a run's paragraphs are all its blocks that the transform
reads (a `blockquote_open` holds no text), so one paragraph stands for the run as for a run of
paragraphs (`crosspost.mdplain.BLOCK_RUN`: three tokens for the run, not five and an inline one
a quote), its content the run's lines, each quote line without its `>` and the space after it.
That is a body of paragraphs only, each a text line's text on that line or a paragraph's lines
as written, the empty quote lines and the blank lines blank: `crosspost.mdplain.run_blocks`
reads it into the paragraphs the parser makes (a text line's or a paragraph's text begins no
block, so none is a heading), and every reader of such a run reads it so
(`crosspost.mdspans.find_spans` each paragraph's links, the transform's template and script
rules each paragraph with one of their characters, its `#` lines and its summary each paragraph
in turn). The lines of a run that hold no paragraph are its empty quote lines and blank lines,
which no rule changes, and the blank lines around the run keep them apart from the lines of
other blocks. `QUOTE_RUN` in the run's `meta` tells it from a run of paragraphs:
`unfolded_quotes` puts the parser's tokens back from the text.

tests/hostile/test_quote_runs.py compares the runs with the parser on generated input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import TYPE_CHECKING

from .mdplain import BLOCK_MARK, BLOCK_RUN, paragraphs_only
from .mdtokens import token_maker

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["QUOTE_RUN", "Quotes", "quote_run_tokens", "quote_runs", "unfolded_quotes"]


@dataclass(frozen=True)
class Quotes:
    """Lines `first`..`end`: a run of quotes, given to the parser as one line of text."""

    first: int
    end: int


# What marks a paragraph standing for a run of quotes (besides `BLOCK_RUN`): its `meta`.
QUOTE_RUN = "quote_run"

# An empty quote line, and a text line (the line after it an empty quote line, a blank line or
# none: no two text lines in a row, no lazy line), in a multiline pattern.
_EMPTY_LINE = r">[ ]*$"
_TEXT_LINE = rf">[ ]?(?=\S)(?!{BLOCK_MARK})(?![^\n]*\$\$)[^\n]*(?=\n(?:>[ ]*|[ \t]*)$|\Z)"
# A quote: its lines (atomic: a quote is all the lines that continue it, or none), then a blank
# line or the text's end.
_QUOTE = (
    rf"(?>(?:{_EMPTY_LINE}|{_TEXT_LINE})(?:\n(?:{_EMPTY_LINE}|{_TEXT_LINE}))*+)(?=\n[ \t]*$|\Z)"
)
# A paragraph's lines: text that begins no block, as a text line's, then a blank line or the
# text's end (possessive: a paragraph is all the lines that continue it, or none).
_PARAGRAPH_LINE = rf"(?=\S)(?!{BLOCK_MARK})(?![^\n]*\$\$)[^\n]*"
_PARAGRAPH = rf"{_PARAGRAPH_LINE}(?:\n{_PARAGRAPH_LINE})*+(?=\n[ \t]*$|\Z)"
# A run: quotes and paragraphs with blank lines between them; after a blank line (and the line
# break before it: the regular expression engine looks for a given character quickly, and tries
# `^` at every one), or at the text's top.
_CHUNK = rf"(?:{_QUOTE}|{_PARAGRAPH})"
_RUN = rf"(?P<run>{_CHUNK}(?:\n(?:[ \t]*\n)+{_CHUNK})*+)"
_AFTER_BLANK = rf"\n[ \t]*\n{_RUN}"
_AT_TOP = rf"(?:[ \t]*\n)*{_RUN}"  # (after the blank lines there, if any)
# A quote line's marker and the one space after it.
_MARKER = re.compile(r"^>[ ]?", re.M)


@cache
def _runs() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A run at the text's top, and one after a blank line, compiled when a text is first read
    for runs (not on import)."""
    return re.compile(_AT_TOP, re.M), re.compile(_AFTER_BLANK, re.M)


def quote_runs(text: str, min_run: int) -> list[Quotes]:
    """The runs of quotes and paragraphs of at least `min_run` lines in `text`, a quote among
    them, in order."""
    if ">" not in text or "\r" in text or "\0" in text:
        return []
    at_top, after_blank = _runs()
    top = at_top.match(text)
    found: list[Quotes] = []
    line = position = 0
    later = after_blank.finditer(text, 0 if top is None else top.end())
    for m in later if top is None else chain([top], later):
        start, stop = m.span("run")
        line += text.count("\n", position, start)
        position = start
        lines = text.count("\n", start, stop) + 1
        # (paragraphs without a quote: `crosspost.mdplain`'s runs, not these)
        if lines >= min_run and (text[start] == ">" or "\n>" in m.group("run")):
            found.append(Quotes(line, line + lines))
    return found


def quote_run_tokens(lines: list[str], first: int) -> list[Token]:
    """The paragraph standing for the run of quotes `lines` (from line `first`): its opening,
    inline and closing tokens, as `crosspost.mdplain` makes one for a run of paragraphs."""
    made = token_maker()
    content = _MARKER.sub("", "\n".join(lines))
    span = [first, first + len(lines)]
    meta = {BLOCK_RUN: True, QUOTE_RUN: True}
    return [
        made("paragraph_open", "p", 1, {}, span, 0, None, "", "", "", meta, True, False),
        made("inline", "", 0, {}, span, 1, [], content, "", "", dict(meta), True, False),
        made(
            "paragraph_close",
            "p",
            -1,
            {},
            None,
            0,
            None,
            "",
            "",
            "",
            {QUOTE_RUN: True},
            True,
            False,
        ),
    ]


def unfolded_quotes(tokens: list[Token], text: str) -> list[Token]:
    """`tokens` (of `text`) with each paragraph standing for a run of quotes replaced by the
    tokens of the quotes and paragraphs it stands for: the parser's tokens."""
    lines = text.split("\n")
    # The parser's lines: a last one of spaces and tabs only, or empty, is none (its `StateBlock`
    # ends a line at a line break, or at a last character that is not a space or a tab).
    last = len(lines) - (not lines[-1].strip(" \t"))
    out: list[Token] = []
    for token in tokens:
        if QUOTE_RUN not in token.meta:
            out.append(token)
        elif token.type == "paragraph_open":  # (the run's other tokens: put back with it)
            assert token.map is not None
            first = token.map[0]  # the first line of the chunk read so far
            for number in range(token.map[0], token.map[1] + 1):
                if number < token.map[1] and lines[number].strip(" \t"):
                    continue
                if number > first:  # a blank line (or the run's end) ends a chunk
                    out += _chunk_tokens(lines, last, first, number)
                first = number + 1
    return out


def _chunk_tokens(lines: list[str], last: int, first: int, end: int) -> list[Token]:
    """The parser's tokens of a quote or a paragraph of a run, on lines `first`..`end` of a
    text of `lines` (of which the parser reads `last`)."""
    from markdown_it.common.utils import mdTrim  # the parser's: never for `import crosspost`
    from markdown_it.token import Token

    if not lines[first].startswith(">"):
        tokens = paragraphs_only("\n".join(lines[first:end]))
        assert tokens is not None
        for token in tokens:
            if token.map:
                token.map = [token.map[0] + first, token.map[1] + first]
        return tokens
    out = [Token("blockquote_open", "blockquote", 1, markup=">", block=True)]
    paragraph = first  # the line after the quote's last paragraph
    for number in range(first, end):
        content = mdTrim(_MARKER.sub("", lines[number]))
        if content:
            paragraph = number + 1
            out += [
                Token("paragraph_open", "p", 1, map=[number, paragraph], level=1, block=True),
                Token(
                    "inline",
                    "",
                    0,
                    map=[number, paragraph],
                    level=2,
                    content=content,
                    children=[],
                    block=True,
                ),
                Token("paragraph_close", "p", -1, level=1, block=True),
            ]
    out[0].map = [first, _nested_end(lines, last, first, end, paragraph)]
    return [*out, Token("blockquote_close", "blockquote", -1, markup=">", block=True)]


def _nested_end(lines: list[str], last: int, first: int, end: int, paragraph: int) -> int:
    """Where the parser's nested tokenize of the quote on lines `first`..`end` stops, which is
    the end of its `blockquote_open`'s map: after its last paragraph (`paragraph`, the line
    after it; `first` for a quote of empty lines only), the empty line after it eaten; past
    further empty lines (`skipEmptyLines`, reading up to the text's last line `last`), over the
    blank lines after the quote too, up to the next line that is not blank."""
    line = paragraph
    if line > first:  # a paragraph's tokenize: one empty line after it is eaten
        line += 1 if line < end else 0
        if line >= end:
            return line
    while line < last and (line < end or not lines[line].strip(" \t")):
        line += 1
    return line
