"""Runs of list items of several lines, read without the parser (for speed).

markdown-it spends tens of microseconds on each list item: a megabyte of `- a` / `  b` items
took it 4 s and 300 MB, and one of loose items `1. a` / `` / `   b` / `` 3 s. `crosspost.
mdsiblings` reads runs of one-line items; this module reads runs of items whose paragraphs have
several lines (an item's line, then lines of its paragraph) or are several (after an empty line,
another paragraph of the item: a loose list), as one more kind of its runs (`Siblings`, with the
lines of each paragraph, `heights`), which `crosspost.mdcuts` cuts out and confirms.

A group is an item's line and the lines under it up to the next line of the item's place (its
container and marker, `_GROUP`), at most sixteen lines (`_MAX_PERIOD`): each an empty line (or
of its blockquote markers only, as many as the item's container has) or a line of text, the
item's container and spaces before it, no list marker. A run of groups repeats the group above
it line by line: each empty line as written, each line of text with the same container and
indentation, the first line with the same container, marker, spacing and number width (only the
first line's number may change, not its width: `_run_pattern` is made for one), every text
inert (`mdsiblings.ITEM_TEXT`: no character of it begins a block, none begins inline syntax that
may reach past its line end but emphasis), none of only white space the paragraph's trim takes
(read for all the lines at one place of the groups at once: a run is each stretch of groups
whose every line is, `_inert`, and the group above it).

Why every group is then read as the group above it, as the parser reads it (CommonMark 0.31
§5.2 list items, §5.3 lists; markdown-it-py's `list_block`, `paragraph` and the block
tokenizer). The parser's list rule reads an item's first line to the column where its content
begins (the container's indentation, the marker, the spacing: the same in every group, the
number's width included), then reads the item's content as a document whose lines are indented
to that column (`blkIndent`), up to the first line that is not empty and not so indented, or
that a paragraph open there does not continue. A line of text under an open paragraph continues
it whatever its indentation (§5.2's laziness; `paragraph` continues past a line indented four
columns and more, and past one less indented than `blkIndent`), unless a block may interrupt the
paragraph there (`paragraph`'s terminator rules: a fence, a blockquote, a heading, a thematic
break or setext underline, an HTML block of kinds 1 to 6, a list item, a table's delimiter row
under a line with a `|`, `$$` math): inert text begins none of them. A line of text after an
empty line opens a paragraph of the item when indented to its content and less than four columns
past it (further: indented code; less: the item ends); that is checked on the group above
(`_indented`), and every group repeats its indentation. The next group's first line ends the
item's last paragraph (a list item may interrupt a paragraph, and there, at a column before the
paragraph's, the parser refuses it neither for its number nor for being empty: CommonMark §5.3,
`isTerminatingParagraph`) and the item. So what the parser makes of each line depends on its
text up to its content, which repeats, and on the lines before it in its group, which repeat;
and the state of the list rule where a group begins is the same for each group, one more item
of the same list. Tight or loose (markdown-it's `hidden` on the list's paragraphs): the list is
loose when an item has an empty line between two of its blocks or an empty line after it and an
item after that; the group above has every empty line any group has, and the parser reads it,
so the list left with the run cut out is loose exactly when the whole one is.

What the parse of the group above confirms (`mdcuts`) rules out the rest: it must be one list
item over its lines (the empty lines after it included, `gap`), holding one paragraph over each
stretch of its lines of text (`heights`) and nothing else, directly followed by an item of the
same list on the line after the run (which repeats the first line's place).

The content of each paragraph is its lines after the item's content column (`getLines` with
`blkIndent`: a line indented further keeps the spaces past it, a lazy line loses all of its
indentation) joined, trimmed at its ends (`mdTrim`: no line holds only what the trim takes, so
it takes no line break). Inline, each line is inert: a code span, a link, a tag is closed on its
line; emphasis, which pairs across a paragraph's lines, is read only by the summary, which reads
each paragraph whole (`heights`).

tests/hostile/test_item_runs.py compares every run with the parser on generated input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from .mdsiblings import CONTAINER, ITEM_TEXT, MIN_SIBLINGS, Siblings, indentation

__all__ = ["item_runs"]

# Lines of a group, its first one included: past this a group is left to the parser (the bound
# is only for the cost of looking ahead from each item's line for the next one of its place).
_MAX_PERIOD = 16
# An item's line: its container (group 1), number (2, ordered only), marker (3) and spacing (4).
_FIRST_PLACE = rf"{CONTAINER}(\d{{1,9}})?((?(2)[.)]|[-+*]))([ ]{{1,4}})"
# A list marker where a line's text would begin: such a line is no line of text of a group.
_MARKER = r"(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)"
# A line of text of a group: the item's container, spaces, then no marker (`_inert` reads
# whether its text is inert).
_TEXT_LINE = rf"\1[ ]*+(?!{_MARKER})[^\n]"
# A group's first line and the lines after it up to one that repeats the first one's place, at
# least one of them a line of text: where a run of groups may begin, and how many lines each has.
# Possessive: the lines are read once, up to the first that is neither empty nor of text.
_GROUP = re.compile(
    rf"\n{_FIRST_PLACE}(?! )[^\n]*\n(?=(?:[ >]*\n)*{_TEXT_LINE})"
    rf"(?:(?:[ >]*+|{_TEXT_LINE}[^\n]*)\n){{1,{_MAX_PERIOD - 1}}}+"
    r"(?=\1(?(2)\d{1,9})\3[ ])",
    re.M,
)
_EMPTY = re.compile(r"[ >]*")


def item_runs(text: str, min_run: int = MIN_SIBLINGS) -> list[Siblings]:
    """The runs of at least `min_run` inert list items of several lines in `text`, each group
    below one it repeats and above a line that repeats its first line's place, in order."""
    if "\r" in text or "\0" in text:
        return []
    lined = "\n" + text  # a match's start is where the group above's first line begins
    found: list[Siblings] = []
    line = position = 0  # the line of `text` at offset `position`
    for above, lines, places, shape in _run_matches(lined):
        if len(lines) < min_run * places:
            continue
        line += lined.count("\n", position, above)
        position = above
        found.append(_siblings(line + places, lines, places, shape))
    return found


class _Shape:
    """What the group above a run is (each group of the run repeats it up to its lines' text):
    its lines of text and empty ones, where each line's text begins (`prefixes`, in characters:
    the first line's after its marker) and its content (`cuts`: a line indented past the item's
    content keeps the spaces past it), and the lines of each of its paragraphs."""

    def __init__(self, group: re.Match[str]) -> None:
        container, number, spacing = group.group(1), group.group(2) or "", group.group(4)
        self.width = len(number)
        self.column = indentation(container) + len(number) + 1 + len(spacing)
        lines = group.group()[1:-1].split("\n")
        self.empty = [j for j, one in enumerate(lines) if _EMPTY.fullmatch(one)]
        self.prefixes = [len(container) + len(number) + 1 + len(spacing)]  # before its text
        self.cuts = self.prefixes.copy()
        self.lines = lines
        self.container = container
        for j, one in enumerate(lines[1:], start=1):
            self.prefixes.append(len(one) - len(one[len(container) :].lstrip(" ")))
            self.cuts.append(self.prefixes[j] - max(0, self._past_content(j)))  # kept: past it

    @property
    def gap(self) -> int:
        """The empty lines at the group's end (after the item's last paragraph)."""
        gap = 0
        while len(self.lines) - 1 - gap in self.empty:
            gap += 1
        return gap

    def paragraphs(self) -> list[tuple[int, int]]:
        """(first line, lines) of each paragraph of the group."""
        out: list[tuple[int, int]] = []
        for j in range(len(self.lines)):
            if j in self.empty:
                continue
            if out and out[-1][0] + out[-1][1] == j:
                out[-1] = (out[-1][0], out[-1][1] + 1)
            else:
                out.append((j, 1))
        return out

    def indented(self) -> bool:
        """Whether the parser reads the group as one item of paragraphs as its lines say: each
        empty line in the item's blockquotes (as many markers), and each line of text after an
        empty one indented to the item's content, less than four columns past it (a paragraph
        of the item: not indented code, not a line after the list)."""
        depth = self.container.count(">")
        for j, one in enumerate(self.lines):
            if j in self.empty:
                if one.count(">") != depth:
                    return False
            elif j - 1 in self.empty and not 0 <= self._past_content(j) < 4:
                return False
        return True

    def _past_content(self, j: int) -> int:
        """How many columns past the item's content line `j` begins (less than 0: before it)."""
        return indentation(self.lines[j][: self.prefixes[j]]) - self.column


def _run_matches(lined: str) -> Iterator[tuple[int, list[str], int, _Shape]]:
    """Each run of groups in `lined` (a text after a line end), in order: where the group above
    it begins, the run's lines, the lines of a group, and the group above's shape. From each
    group's first line, the groups that repeat it if there are any (then on from their end),
    each stretch of them whose text is inert a run, its first group the one above it (`_inert`);
    else on from the group's end when the parser would not read it as its lines say (no group
    after it would be read so either: they repeat it), or from its next line."""
    position = 0
    while (group := _GROUP.search(lined, position)) is not None:
        shape = _Shape(group)
        places = len(shape.lines)
        if not shape.indented():
            position = group.end() - 1
            continue
        run = _run_pattern(places, shape.width, tuple(shape.empty)).match(lined, group.start())
        if run is None:
            position = lined.find("\n", group.start() + 1)
            continue
        lines = [*shape.lines, *run.group("run")[:-1].split("\n")]
        offset, done = group.start(), 0  # where the group after the lines `done` begins
        for first, end in _inert(lines, places, shape):
            offset += sum(map(len, lines[done:first])) + first - done
            done = first
            yield offset, lines[first + places : end], places, shape
        position = run.end("run") - 1


def _inert(lines: list[str], places: int, shape: _Shape) -> list[tuple[int, int]]:
    """The stretches [first, end) of at least two groups of `places` lines among `lines` (groups
    that repeat the first one's lines, up to their text) whose every line of text is inert and
    not only white space the paragraph's trim takes: read with one pattern for all the lines
    at each place of a group, not one per line (a megabyte of items: 250,000 lines)."""
    groups = len(lines) // places
    inert = [True] * groups
    bad = _not_inert()
    for place, prefix in enumerate(shape.prefixes):
        if place in shape.empty:
            continue
        texts = "\n" + "\n".join([one[prefix:] for one in lines[place::places]]) + "\n"
        at = number = 0
        for m in bad.finditer(texts):
            number += texts.count("\n", at, m.start())
            at = m.start()
            inert[number] = False
    stretches: list[tuple[int, int]] = []
    first = 0
    for index in range(groups + 1):
        if index == groups or not inert[index]:
            if index - first >= 2:
                stretches.append((first * places, index * places))
            first = index + 1
    return stretches


@cache
def _not_inert() -> re.Pattern[str]:
    """A line's text (after the end of the line above it) that is not inert, or only white space
    the paragraph's trim takes (`MD_TRIM_CHARS`: the parser's; never for `import crosspost`),
    compiled when a text is first read for runs (not on import)."""
    from markdown_it.common.utils import MD_TRIM_CHARS

    trim = re.escape(MD_TRIM_CHARS.replace("\n", ""))
    return re.compile(rf"\n(?!(?![{trim}]*\n){ITEM_TEXT}\n)(?=[^\n])", re.M)  # `$`: a line end


@cache
def _run_pattern(places: int, width: int, empty: tuple[int, ...]) -> re.Pattern[str]:
    """A run of groups of `places` lines (the `empty` ones among them) after the group above
    them, whose first line's number has `width` digits (0: a bullet), up to a line that
    repeats the first one's place; a line's text any text (`_inert` reads it), so that the
    pattern is short (one of 800 characters a line took a process 0.14 s to compile for the
    sixteen shapes of groups in the shared corpus)."""
    text = r"(?! )[^\n]++"
    digits = rf"\d{{{width}}}" if width else ""
    marker = "[.)]" if width else "[-+*]"
    lines = [rf"{CONTAINER}({digits})({marker})([ ]{{1,4}}){text}"]
    again = [rf"\1{digits}\3\4{text}"]
    for j in range(1, places):
        lines.append(r"([ >]*+)" if j in empty else rf"(\1[ ]*+){text}")
        again.append(rf"\{4 + j}" if j in empty else rf"\{4 + j}{text}")
    after = r"\1\d{1,9}\3" if width else r"\1\3"
    first, each = r"\n".join(lines), r"\n".join(again)
    return re.compile(rf"\n{first}\n(?P<run>(?:{each}\n)+)(?={after}(?:[ \t]|$))", re.M)


def _siblings(first: int, lines: list[str], places: int, shape: _Shape) -> Siblings:
    """The run of `lines` (groups of `places` lines) from line `first`: each paragraph's content
    on its lines (`mdTrim` at its ends), nothing on the others."""
    from markdown_it.common.utils import MD_TRIM_CHARS  # the parser's: never for `import crosspost`

    contents = [""] * len(lines)
    for j, cut in enumerate(shape.cuts):
        if j not in shape.empty:
            contents[j::places] = [one[cut:] for one in lines[j::places]]
    columns: list[str] = []
    paragraphs = shape.paragraphs()
    for start, height in paragraphs:
        last = start + height - 1
        contents[start::places] = [one.lstrip(MD_TRIM_CHARS) for one in contents[start::places]]
        contents[last::places] = [one.rstrip(MD_TRIM_CHARS) for one in contents[last::places]]
        column = [""] * len(lines)
        for j in range(start, start + height):
            column[j::places] = contents[j::places]
        columns.append("\n".join(column))
    gap = shape.gap
    number = lines[0][len(shape.container) :][: shape.width]
    return Siblings(
        "item",
        first,
        first + len(lines),
        tuple(columns),
        number=number,
        gap=gap,
        period=places - gap,
        empty=tuple(j for j in shape.empty if j < places - gap),
        heights=tuple(height for _start, height in paragraphs),
    )
