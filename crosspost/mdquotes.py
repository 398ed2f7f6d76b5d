"""Lines of a blockquote that only continue a paragraph, read without the parser (for speed).

markdown-it-py reads a blockquote line by line, and a line that continues a paragraph in it
many times over: the blockquote rule of each depth reads it (where it is lazy, against each rule
that may end a blockquote), then the paragraph and setext heading rules (against each rule that
may interrupt a paragraph). A megabyte of `> a` / `>> b` lines, where the `>> b` opens a nested
quote whose paragraph every later line continues, took it 2 s.

A *quote line* here is blockquote markers at the line's start, each `>` followed by at most one
space, then text that begins no block (`crosspost.mdplain.BLOCK_MARK`) and no indentation (its
first character is not white space, as Python's `str.isspace` and the parser's trim say, nor
`>`), and holds no `$$` (display math left open above may end on such a line of text). Such a
line with `d` markers, below a paragraph's line whose own markers opened or matched `D ≥ d`
blockquotes, continues that paragraph: its markers match the first `d` of those blockquotes
(CommonMark 0.31 §5.1: a `>` after at most three spaces, and one optional space), and the rest is
paragraph continuation text, a lazy continuation line when `d < D` (§5.1, rule 2). It changes
nothing but the paragraph's text: no block begins or ends on it. A line of more markers
interrupts the paragraph instead (a blockquote may interrupt one, §5.1) and opens the next,
inside blockquotes `d` deep.

So in each stretch of quote lines, each paragraph runs from its first line to the line before
the next line deeper than that one, or to the stretch's last line, and the lines between its
first and its last line are *continuations* (`continuations`). But for its last line: a table
interrupts a paragraph at its header, any line holding a `|`, where the line below is a
delimiter row (markdown-it-py's `table` rule), which is never a quote line; so where the line
below a stretch may be one, its paragraph is taken to end on the line before the stretch's last
(a paragraph cut short that way is still the parser's: its lines up to there continue it).
`crosspost.mdcuts` gives the parser the text without them; the parse confirms each run: the line
above it must come out as a paragraph's first line (inside the blockquotes of its markers, then:
none of them is in a list item's or a footnote's column). The paragraph's text is then its first
line's, the run's lines' (each after its markers), and the rest of it.

A link reference definition above (CommonMark 0.31 §4.7) may read on over the paragraph's
first line. Its label and destination cannot do so unnoticed: the parse of the rest reads that
line as part of the definition too (or of the paragraph the definition fails into) and confirms
nothing. Its title can: it may begin on the line after the destination and span lines, and
where a line cut closes it, the parse without that line finds it unclosed and drops it (the
definition ends at its destination), and the line opens a paragraph. A title closed before more
text on its line is dropped too, as an unclosed one is; one closed at a line's end is not. So
where a title may be open over the paragraph's first line, the run ends before any line that
may close one (its last text is `"`, `'` or `)`), and a first line whose text begins with `"`,
`'` or `(` (a title opening on the line after the destination) is confirmed only where it opens
a blockquote too: a blockquote interrupts a definition (the line above continues none). A title
may open above the paragraph too, where a lazy line keeps a nested blockquote and its definition
open (markdown-it reads no block on a lazy line: without the line that closes the title the
blockquote ends there and a deeper line below opens another).

A title may be open over a line only where a `]:` is *in reach* of it: on that line or on one
above with no blank line (only spaces and tabs) between. A definition begins with `[`, and its
label ends at the first `]` not escaped, which the `:` must follow directly (markdown-it-py's
`reference` rule: not even a line break between), so the definition holds `]:` within one line;
its destination begins after that, on the same line or the next, and its title on the
destination's line or the next; and the rule reads on to a next line only where that line is
not empty (its `getNextLine`; §4.7: no blank line inside a definition), which a blank line is
in any container. So from the `]:` down to each line the title is open over, no line is blank.
Where no `]:` is in reach of a paragraph's first line, no title is open over it: lines that end
or begin like a title are continuations as any other (a megabyte of `> a)` / `>> (b` lines took
the parser 1.9 s). In any case a run ends before a line holding `]:`, so that its lines are as
far from a definition as its first. Reach is kept simple where that only stops runs it need
not: a line of markers alone ends a definition in its blockquote but is no blank line here,
and a `]:` in a code span, after an escape or ending a footnote's label counts too.

tests/hostile/test_quote_continuations.py compares this with the parser on generated input,
test_quote_continuations_attack.py on input with definitions' titles near quote lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .mdplain import BLOCK_MARK, DELIMITER_ROW, MIN_RUN

__all__ = ["Continuations", "continuations"]

# Blockquote markers, each `>` with at most one space after it (a marker after more spaces, or
# a tab, begins in a column that only a reading of the columns can tell).
_MARKERS = r"(?:> ?)++"
# A quote line: markers, then text that begins no block, no indentation and no `$$` on the line.
_QUOTE_LINE = rf"{_MARKERS}(?=[^\s>])(?!{BLOCK_MARK})(?![^\n]*\$\$)[^\n]*"
_STRETCH = re.compile(rf"^{_QUOTE_LINE}(?:\n{_QUOTE_LINE})+", re.M)
_LINE_MARKERS = re.compile(rf"^{_MARKERS}", re.M)


@dataclass(frozen=True)
class Continuations:
    """Lines `first`..`end` of a text: quote lines continuing the paragraph that the line above
    `first` opens and that the line `end` continues too. `head` is the paragraph's first line's
    text (after its markers), `contents` their text (each after its markers), one per line;
    `definition_in_reach` whether a `]:` is in reach of the paragraph's first line (a title
    may then be open over it)."""

    first: int
    end: int
    head: str
    contents: str
    definition_in_reach: bool

    @property
    def may_be_a_title(self) -> bool:
        """Whether the paragraph's first line may instead open a definition's title: then the
        parse must confirm that the line opens a blockquote too (`crosspost.mdcuts`)."""
        return self.definition_in_reach and self.head[:1] in _TITLE_OPENERS

    @property
    def above(self) -> int:
        """The paragraph's first line: the parse must confirm it, and no other run may cut it."""
        return self.first - 1


def continuations(text: str, min_run: int = MIN_RUN) -> list[Continuations]:
    """The runs of at least `min_run` continuation lines in `text`'s stretches of quote lines,
    in order."""
    if "\r" in text or "\0" in text or ">" not in text:
        return []
    found: list[Continuations] = []
    line = position = 0
    reach = _Reach(text)
    for m in _STRETCH.finditer(text):
        line += text.count("\n", position, m.start())
        position = m.start()
        found += _in_stretch(text, m.start(), m.end(), line, min_run, reach)
    return found


def _in_stretch(
    text: str, start: int, end: int, number: int, min_run: int, reach: _Reach
) -> list[Continuations]:
    """The continuations in the stretch of quote lines from `start` to `end` (the end of its
    last line), whose first line is line `number`: each paragraph, opened by a line with more
    markers than the paragraph's before it (the stretch's first line opens the first), runs to
    the line before the next such line or to the stretch's end."""
    found: list[Continuations] = []
    opening = start
    while opening < end:
        markers = _LINE_MARKERS.match(text, opening)
        assert markers is not None  # every line of a stretch is a quote line
        depth = markers.group().count(">")
        deeper = _deeper(depth).search(text, opening, end)
        stop = end if deeper is None else deeper.start() - 1  # the end of the paragraph's text
        if stop == end and _DELIMITER_BELOW.match(text, end):  # the last line may be a header
            before_last = text.rfind("\n", opening, end)
            stop = end if before_last == -1 else before_last
        second = text.find("\n", opening, stop) + 1  # 0: the paragraph is one line
        last = text.rfind("\n", opening, stop) + 1
        in_reach = reach.before(second or stop)  # a `]:` up to the first line's end
        closing = (_MAY_CLOSE if in_reach else _LABEL_LINE).search(text, second, last)
        if closing is not None:  # the run ends before that line (then read by the parser)
            last = text.rfind("\n", opening, closing.start()) + 1
        lines = text.count("\n", opening, last) + 1
        if lines - 2 >= max(min_run, 1):
            found.append(
                Continuations(
                    number + 1,
                    number + lines - 1,
                    text[markers.end() : second - 1],
                    _LINE_MARKERS.sub("", text[second : last - 1]),
                    in_reach,
                )
            )
        number += text.count("\n", opening, stop) + 1
        opening = stop + 1
    return found


# A line that may be a table's delimiter row (`|`, `-` or `:` first, then only those, spaces and
# tabs: markdown-it-py's `table` rule), after any markers, below a stretch: the stretch's last
# line may then be the table's header, which interrupts the paragraph.
_DELIMITER_BELOW = re.compile(rf"\n[> \t]*{DELIMITER_ROW}", re.M)
# What may open a link reference definition's title on the line after its destination.
_TITLE_OPENERS = "\"'("
# Where a definition's label ends: every definition holds it within one line.
_LABEL_END = "]:"
# A line that holds a label's end, and one that may also end a definition's title (its closing
# mark, then only spaces and tabs): a definition above a run, open over its first line, may end
# on it.
_LABEL_LINE = re.compile(rf"^[^\n]*?{re.escape(_LABEL_END)}", re.M)
_MAY_CLOSE = re.compile(rf"^[^\n]*?(?:[\"')][ \t]*$|{re.escape(_LABEL_END)})", re.M)
# A label's end, or a blank line (only spaces and tabs, as CommonMark and the parser say).
_LABEL_END_OR_BLANK = re.compile(rf"{re.escape(_LABEL_END)}|^[ \t]*$", re.M)


class _Reach:
    """Whether a `]:` is *in reach* of a position of a text: it occurs before the position with
    no blank line between. Asked of positions in order, it reads the text once."""

    def __init__(self, text: str) -> None:
        self._marks = _LABEL_END_OR_BLANK.finditer(text)
        self._next = next(self._marks, None)
        self._in_reach = False

    def before(self, position: int) -> bool:
        """Whether a `]:` is in reach of `position` (no earlier position asked after a later)."""
        while self._next is not None and self._next.start() < position:
            self._in_reach = self._next.group() == _LABEL_END
            self._next = next(self._marks, None)
        return self._in_reach


def _deeper(depth: int) -> re.Pattern[str]:
    """A quote line with more than `depth` markers (the `re` module caches the pattern)."""
    return re.compile(rf"^(?:> ?){{{depth + 1}}}", re.M)
