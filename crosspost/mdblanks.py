"""Runs of blank lines given to the parser as one blank line where the parse proves nothing
spans them.

markdown-it-py spends about a microsecond on every line before it reads a block (its
`StateBlock` measures each line's marks and indentation), and the transform's per-line lists
as much again: a megabyte of blank lines before one line of text took 1.7 s and 267 MB. A long
run of blank lines between blocks at the top level means nothing to the parse but where the
lines after it are, so the parser is given one blank line in its place (`crosspost.mdcuts`)
and the line numbers after it are moved back.

**Which runs** (`blank_runs`): stretches of at least `min_run` lines, each only spaces and
tabs (the parser's `isEmpty`), each ended by a line break (a blank last line of the text is
left as it is).

**Why the parse is then the parser's**, wherever no token of the parse of the reduced text
has a map holding the one blank line left of the run (`crosspost.mdcuts` checks it, and drops
the run otherwise): the parser reads the reduced text and the text itself alike up to that
line, for the lines before it are the same and a block rule reads on from its first line,
never back. A rule that reads into a run of blank lines either stops at its first line
(`paragraph`, `lheading`, `table`, `reference`, `blockquote`, a list item's or a footnote's
nested blocks, an HTML block of kind 6 or 7; `heading` and `hr` read one line) or reads on over
all of them, each read as empty: indented `code` (taken up to its last indented line), `fence`,
an HTML block of kinds 1 to 5 and `$$` math (up to their closing line, or math not at all when
there is none), a list item or a footnote (up to the first line indented less than its
content). Such a rule decides the same over one blank line as over many, since what it reads
after them is the same text; and whatever it takes after them, its token's map holds the whole
stretch from its first line, the blank line too, which is what the check refuses. So where no
map holds the blank line, the block above it ended before it, and at the top level (inside a
container a map would hold it) the parser skips the blank lines, one or many
(`skipEmptyLines`), and reads on from the same line of text in the same state: its level,
indentation, parent and environment are the same after any number of blank lines at the top
level (`tight` is only read from a list's own items). The tokens after the run are the same,
their lines moved by the lines left out.

tests/hostile/test_blank_runs.py compares the parse with the parser's on generated input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

__all__ = ["MIN_BLANKS", "Blanks", "blank_runs"]


@dataclass(frozen=True)
class Blanks:
    """Lines `first`..`end`: a run of blank lines, given to the parser as its first line."""

    first: int
    end: int


# Runs shorter than this are left to the parser: a run the parse does not confirm costs a parse
# again, and two or three blank lines between blocks are common where a run of this length is
# not.
MIN_BLANKS = 64


def blank_runs(text: str, min_run: int = MIN_BLANKS) -> list[Blanks]:
    """The runs of at least `min_run` blank lines of `text`, each line ended by a line break."""
    if "\r" in text:  # the parser's lines would not be these
        return []
    runs: list[Blanks] = []
    line = counted = 0
    for m in _blanks(min_run).finditer(text):
        start, stop = m.span()
        lines = text.count("\n", start, stop)
        line += text.count("\n", counted, start)
        counted = stop
        runs.append(Blanks(line, line + lines))
        line += lines
    return runs


@cache
def _blanks(min_run: int) -> re.Pattern[str]:
    """At least `min_run` blank lines (spaces and tabs only), each with its line break, from a
    line's start: the one or two blank lines between most blocks are no match to loop over."""
    return re.compile(rf"^(?:[ \t]*+\n){{{min_run},}}+", re.M)
