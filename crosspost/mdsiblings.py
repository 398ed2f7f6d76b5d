"""Runs of one-line list items and table rows, read without the parser (for speed).

markdown-it spends tens of microseconds on each list item and table row, and a token group on
each: a megabyte of `- item` lines took it 3 s and 300 MB. A line that repeats the line above's
container exactly (the same indentation and bullet, or ordered delimiter; a table row's `|`, or
a row's first text, at the same indentation) and holds only *inert* text can only be one more
sibling of that line: it cannot continue anything (it is not indented past the sibling's
content), cannot be taken for anything else (no character of it may begin a block), and ends
nothing the sibling did not. Its inline text holds no syntax that could reach past the line's
end: no autolink, entity, escape, math, footnote or template character; each code span, each
HTML tag (without attributes) and each link is closed on the line; emphasis, which may pair
across lines, is read only by the summary, which reads each sibling's line alone.

So the parser is given the text without the run (`crosspost.mdcuts`), and one sibling standing
for the whole run is put back, its inline content the run's contents one per line (a table: one
such cell per column), marked `meta["siblings"]`, which every rule of the transform reads line
by line as it reads the separate siblings. The forms (`_RUN_PATTERNS`): bullet or ordered items,
tight or loose (each followed by the same empty or `>` lines), among which items whose whole
text is one tag without attributes (`- <br>`: an HTML block, not a paragraph) each stand for
themselves between the runs of the others (`Siblings.parts`); periodic groups (below); table
rows with or without outer pipes, in stretches of one width. The parse confirms each run: the
sibling above it must come out as what the run repeats, directly followed by the next sibling.

A periodic group is an item and the lines under it up to the next line of the item's place (its
container and marker), at most sixteen lines (`_MAX_PERIOD`): each an empty line or an item's
line deeper than the first (items nested at any depth, siblings counting up, empty lines between
them: `- a` / `` / `  - b` / ``, `1. a` / `   1. b` / `   2. c`, seven levels and more). A run
of groups repeats the group above it line by line, each empty line as written and each item's
line with the container, marker (a nested ordered item's number too) and spacing of its place,
its text inert; only the first line's number may change. Why every group is then read as the
group above it: what the parser makes of a line depends on its text up to its content (which
sets the column where the item's content begins, and so whether a line below is nested in it,
its sibling, text of its paragraph or indented code), on the lines before it in its group
(whether a paragraph is open, an empty line before it) and on the state the parser's list rule
is in where the group begins; the first two repeat by construction, and the third does too,
since each group is one more item of the same list, read by the same steps of the list rule.
The line after each group, which repeats the first one's place, ends the group's last paragraph
as the line after the group above ended its one: it begins at a column before that paragraph's,
where the parser refuses no list item for its number or for being empty (CommonMark §5.3); and
tight or loose, a list-wide property, comes out the same from every group. What the parse of the
group above confirms rules out the rest: it must be one item whose every item line holds one
line of paragraph, in list items only, so no line of it is lazy (a nested `2.` under a
paragraph, which cannot interrupt it, is text of it), indented code (four columns past the
content above it, after an empty line) or anything but nested lists. Left to the parser: groups
longer than sixteen lines, groups holding a line that is not an item's or empty (a paragraph's
second line, code, a quote begun in an item), items of one tag alone, and, where a group holds an
empty line or lines not nested one in the other, a first number of another width
(`_nesting_widths`).

How the patterns read this much is for speed only and changes no answer: each begins with the
end of the line above (`\n`, which the regular expression engine looks for quickly; `^` it tries
at every character), and a periodic run's pattern reads each line's text as any text, given
the text only up to the end of the first item's line that is not inert (`_periodic_matches`).

`crosspost.mdplain` reads the other shapes without the parser; tests/hostile/test_sibling_runs.py
compares every shortcut here with the parser on generated input.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal, NamedTuple

from .mdplain import plain_link_spans

__all__ = ["CONTAINER", "HTML_BLOCK_TAGS", "ITEM_TEXT", "MIN_SIBLINGS", "Siblings"]
__all__ += ["indentation", "sibling_runs", "sibling_spans"]


# Inert text: no character that may begin inline syntax reaching past a line (autolinks,
# escapes, math, footnotes, templates), no control character or tab, no table `|`; `&` only as
# an entity (which ends on its line);
# backticks only as one-backtick code spans closed on the line (holding no brace, which may
# begin a template, and no `|`); `<` only as an HTML tag without attributes (not at an item's
# start, where it may begin an HTML block); brackets only as plain links and images on the
# line. Emphasis may pair across lines: the summary reads the line of each sibling alone
# (`crosspost.transform`), and no other rule reads emphasis.
_INERT_CHAR = r"[^\x00-\x1f\x7f`<>\\$^&{}|\[\]]"
# An entity or numeric character reference (`&amp;`, `&#169;`): it ends on its line.
_INERT_ENTITY = r"&(?:[A-Za-z][A-Za-z0-9]{0,31}|\#[0-9]{1,7}|\#[xX][0-9A-Fa-f]{1,6});"
_INERT_CODE = r"(?<!`)`[^\x00-\x1f\x7f`{}|]+`(?!`)"
_DESTINATION_CHAR = r"[^\x00-\x20\x7f()\[\]`<>\\$^&{}|]"
_INERT_LINK = rf"\[{_INERT_CHAR}*\]\({_DESTINATION_CHAR}+\)"
# A task box: `[ ]` is never a link (a label holds a character other than a space), nor is
# `[x]` where no `[x]:` is defined (`crosspost.mdspans` checks that); neither followed by what
# would make it one.
_TASK_BOX = r"\[[ xX]\](?![(\[:])"
# An HTML tag without attributes (`<kbd>`, `</kbd>`): raw HTML closed on its line, holding no URL.
_INERT_TAG = r"</?[A-Za-z][A-Za-z0-9-]*>"
_INERT = (
    rf"(?>(?:{_INERT_CHAR}|{_INERT_CODE}|{_INERT_LINK}|{_TASK_BOX}|{_INERT_TAG}|{_INERT_ENTITY})+)"
)
# The tags that begin an HTML block wherever they stand (CommonMark 0.31 §4.6, kinds 1 and 6;
# markdown-it-py's `html_blocks.block_names`, which a test compares with these).
HTML_BLOCK_TAGS = [
    *("script", "pre", "style", "textarea", "address", "article", "aside", "base", "basefont"),
    *("blockquote", "body", "caption", "center", "col", "colgroup", "dd", "details", "dialog"),
    *("dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "frame"),
    *("frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "iframe"),
    *("legend", "li", "link", "main", "menu", "menuitem", "nav", "noframes", "ol", "optgroup"),
    *("option", "p", "param", "search", "section", "summary", "table", "tbody", "td", "tfoot"),
    *("th", "thead", "title", "tr", "track", "ul"),
]
# A tag an item's text may begin with: not one of those, and text after it on the line (a tag
# followed by nothing but white space, as Python's `\s` and the parser's pattern say, Unicode
# spaces included, is an HTML block of kind 7).
_TEXT_TAG = rf"/?(?!(?i:{'|'.join(HTML_BLOCK_TAGS)})>)[A-Za-z][A-Za-z0-9-]*>(?=[^\n]*[^\s])"
# Where a line's text begins no block (`mdplain.BLOCK_MARK`'s forms that inert text can hold: a
# `~~~` fence among them) and no space: an item's text, a table row without a leading `|`.
_NO_BLOCK = (
    rf"(?![ :]|~{{3}}|<(?!{_TEXT_TAG})|\#+(?:[ ]|$)|[-+*](?:[ ]|$)|\d{{1,9}}[.)](?:[ ]|$)"
    r"|[-+*_=][-+*_=: ]*$)"
)
_ITEM_TEXT = rf"{_NO_BLOCK}{_INERT}"
# An item's text that is one tag without attributes alone, spaces after it (`- <br>`, `- </b>`):
# not a paragraph but an HTML block of kind 7 (not one of the tags of kinds 1 and 6), which
# ends at the line's end in an item (the next sibling is not in it). Such items are members of
# a run of one-line items, each standing for itself (`Siblings.parts`); not in MDX, which has
# no HTML blocks.
_TAG_ALONE = rf"</?(?!(?i:{'|'.join(HTML_BLOCK_TAGS)})>)[A-Za-z][A-Za-z0-9-]*>[ ]*$"
_MEMBER = rf"(?>{_ITEM_TEXT}|{_TAG_ALONE})"  # atomic: no backtracking point kept per item
# A table row's cells, in a row that is not a delimiter row (a character other than `|-:` and
# spaces in it), with a leading `|` or (a bare row) with a `|` after its first cell.
# Possessive: a space is read by either alternative, and a line the run cannot hold would
# otherwise be tried in every way of sharing its spaces out (2**n for n cells).
_ROW_TEXT = rf"\|(?=[^\n]*[^-:| \n])(?:{_INERT}|[ |])*+"
_BARE_ROW_TEXT = rf"(?!\|){_NO_BLOCK}(?=[^\n]*\|)(?=[^\n]*[^-:| \n])(?:{_INERT}|[ |])*+"
# What follows a list marker: one to four spaces or one tab (a tab spans at most four columns,
# so neither makes the item's text indented code).
_SPACING = r"(?: {1,4}|\t)"
# Where a line's container is: blockquote markers and indentation, the same on every line.
# Possessive for the same reason (a space between markers ends one or begins the next); the
# markers read greedily are the only ones after which a marker or a `|` can follow.
_CONTAINER = r"((?:[ ]{0,3}>[ ]?)*+[ ]*)"
_RUN_PATTERNS: dict[str, tuple[str, str, str]] = {
    # (first line, each line of the run, the line after it): `\1` is the container and `\2`
    # the bullet or the ordered delimiter, which every line repeats.
    "bullets": (
        rf"{_CONTAINER}([-+*]){_SPACING}{_ITEM_TEXT}",
        rf"\1\2{_SPACING}{_ITEM_TEXT}",
        r"\1\2(?:[ \t]|$)",
    ),
    "ordered": (
        rf"{_CONTAINER}\d{{1,9}}([.)]){_SPACING}{_ITEM_TEXT}",
        rf"\1\d{{1,9}}\2{_SPACING}{_ITEM_TEXT}",
        r"\1\d{1,9}\2(?:[ \t]|$)",
    ),
    "rows": (rf"{_CONTAINER}(){_ROW_TEXT}", rf"\1{_ROW_TEXT}", r"\1\|"),
    # A table without outer pipes (`a | b`): a row after the run begins with text or a `|`.
    "bare-rows": (rf"{_CONTAINER}(){_BARE_ROW_TEXT}", rf"\1{_BARE_ROW_TEXT}", r"\1[^ \n]"),
}
# Periodic groups (the module's docstring says why a run of them is read as the group above it):
# an item (bullet or ordered), then lines each empty (or of blockquote markers only) or an item's
# deeper than the first (its container the first line's and more), at least one of them an
# item's, up to a line that repeats the first one's place (its container and marker, another
# number). Groups: the first line's container, number (ordered only), marker and spacing; for
# each other line an empty line, or its container, marker and spacing (`_line_group`). The first
# line's number may change its width, and with it the column its content begins at:
# `_run_matches` ends the run at an item under which the lines are not nested as in the group
# above (`_nesting_widths`).
_FIRST_PLACE = rf"{_CONTAINER}(\d{{1,9}})?((?(2)[.)]|[-+*]))({_SPACING})"
_FIRST_AGAIN = r"\1(?(2)\d{1,9})\3"
_DEEPER_ITEM = r"\1[ >]++(?:[-+*]|\d{1,9}[.)])[ \t]"
# Lines of a group, its first one included. Past this a group is left to the parser: a post's
# item with its nested items and empty lines is seldom longer (the bound is only for the cost of
# looking ahead from each item's line for the line that repeats its place).
_MAX_PERIOD = 16
# A group's first line and the lines after it, up to one that repeats the first one's place:
# where a run of groups may begin, and how many lines each has (the run's pattern for that many
# is then tried there, `_periodic_pattern`).
_GROUP = re.compile(
    rf"\n{_FIRST_PLACE}[^\n]*\n(?=(?:[ >]*\n)*{_DEEPER_ITEM})"
    rf"(?:(?:{_DEEPER_ITEM}[^\n]*|[ >]*+)\n){{1,{_MAX_PERIOD - 1}}}+(?={_FIRST_AGAIN}{_SPACING})",
    re.M,
)


def _line_group(j: int, part: int) -> int:
    """The group number of line `j` (> 0) of a periodic group's empty line (`part` 0), or of its
    item's container (1), marker (2) or spacing (3)."""
    return 5 + 4 * (j - 1) + part


# A line's text in a periodic pattern: what follows the spacing after its marker, not empty and
# not beginning with a space (so that spacing is every space after the marker, as `_ITEM_TEXT`
# requires). Whether it is inert is not read by the pattern: the text it is given ends at the
# first item's line whose text is not (`_NOT_INERT`), which no group of a run can hold. So each
# pattern is a few hundred characters, not `_ITEM_TEXT` (some 800) twice a line: compiling the
# fifteen of them took a process a quarter of a second. Possessive: a line's end always follows
# it, and a point to go back to kept for each line of a long run took 80 MB for a megabyte.
_LINE_TEXT = r"(?! )[^\n]++"
# An item's line (after the end of the line above it) whose text is not inert: the marker, then
# all the spaces after it (up to four) or a tab, where `_ITEM_TEXT` does not read the rest of the
# line. No line of a periodic group can be one: its text is inert (`_ITEM_TEXT`), and begins
# after all the spaces after its marker (`_ITEM_TEXT` begins with no space) or its one tab (nor
# with a tab).
_NOT_INERT = rf"\n[ >]*+(?:[-+*]|\d{{1,9}}[.)])(?> {{1,4}}|\t)(?!{_ITEM_TEXT}\n)"


@cache
def _not_inert() -> re.Pattern[str]:
    """`_NOT_INERT`, compiled when a text is first read for periodic runs (not on import)."""
    return re.compile(_NOT_INERT, re.M)


@cache
def _periodic_pattern(period: int) -> re.Pattern[str]:
    """A run of groups of `period` lines after the group above it (`_GROUP`), up to a line that
    repeats the first line's place; each line's text only `_LINE_TEXT`."""
    lines = [_FIRST_PLACE + _LINE_TEXT]
    again = [rf"{_FIRST_AGAIN}\4{_LINE_TEXT}"]
    for j in range(1, period):
        empty, container, marker, spacing = (_line_group(j, part) for part in range(4))
        lines.append(rf"(?:([ >]*+)(?=\n)|(\1[ >]++)([-+*]|\d{{1,9}}[.)])({_SPACING}){_LINE_TEXT})")
        again.append(rf"(?({empty})\{empty}|\{container}\{marker}\{spacing}{_LINE_TEXT})")
    first, each = r"\n".join(lines), r"\n".join(again)
    return re.compile(rf"\n{first}\n(?P<run>(?:{each}\n)+)(?={_FIRST_AGAIN}(?:[ \t]|$))", re.M)


def _periodic_matches(lined: str) -> Iterator[tuple[int, re.Match[str]]]:
    """The runs of periodic groups in `lined` (a text after a line end), in order, with the
    lines of each group: from each line where a group begins, its run if there is one (then on
    from the run's end), else on from the next line.

    Each run's pattern is given the text up to the end of the first item's line at or after the
    group that is not inert (`_NOT_INERT`), so it reads as a pattern holding `_ITEM_TEXT` for
    each line would: no group can hold that line, and it may only read the line's beginning,
    after a run, as the line that repeats the first line's place (its container, number and
    marker, then the space or tab after them, all before the line's end). Every line before it
    holds inert text if any; there `_LINE_TEXT` reads what `_ITEM_TEXT` does."""
    position, unread = 0, -1  # where the next line not inert begins (its line end above it)
    while (group := _GROUP.search(lined, position)) is not None:
        period = group.group().count("\n") - 1
        if unread < group.start():
            found = _not_inert().search(lined, group.start())
            unread = len(lined) if found is None else found.start()
        end = lined.find("\n", unread + 1)
        run = _periodic_pattern(period).match(lined, group.start(), len(lined) if end < 0 else end)
        if run is None:
            position = lined.find("\n", group.start() + 1)
        else:
            yield period, run
            position = run.end("run") - 1


_MARKER = re.compile(rf"(?:[-+*]|\d{{1,9}}[.)]){_SPACING}")
_LINE_MARKER = re.compile(rf"^{_MARKER.pattern}", re.M)
_ONE_LINE_ITEMS = ("bullets", "ordered")
_TAG_ITEM = re.compile(rf"(?:[-+*]|\d{{1,9}}[.)]){_SPACING}{_TAG_ALONE}")


@cache
def _run_pattern(form: str, loose: bool, tags: bool) -> re.Pattern[str]:
    """Lines of inert siblings after an inert one, up to a line that repeats their container;
    when `loose`, empty lines after each (the items of a loose list), the same lines each
    time: in a blockquote, its markers (`>`). The parse confirms that they are empty there:
    the sibling above the run must come out one item over its line and those (`mdspans`).
    With `tags`, an item of one line may be one tag alone too (`_TAG_ALONE`)."""
    first, each, after = _RUN_PATTERNS[form]
    if tags and form in _ONE_LINE_ITEMS:
        each = each.removesuffix(_ITEM_TEXT) + _MEMBER
    blank = r"\n(?P<blank>[ >]*(?:\n[ >]*)*)\n"
    end, again = (blank, r"\n(?P=blank)\n") if loose else ("\n", "\n")
    return re.compile(rf"\n{first}{end}(?P<run>(?:{each}{again})+)(?={after})", re.M)


@dataclass(frozen=True)
class Siblings:
    """Lines `first`..`end` of a text: one-line list items (`kind` "item") or table rows ("row"),
    each a sibling of the line above `first` (with a `gap`, of the line above the `gap` empty
    lines above it: each item is followed by as many, in a blockquote `>`); `columns` holds,
    for an item's text or for each cell of a row, the inline content the parser makes of it on
    each line, one line each (an empty line: nothing); `number` the first item's number in an
    ordered list.

    With a `period` above 1 (`_GROUP`), each sibling is that many lines, an item and the items
    nested in it, and the lines of it that are `empty` (their places in a sibling): `columns`
    then holds the text of each of its items' lines, in order, on the lines of the run where
    that line of a sibling is (elsewhere: nothing).

    When some items of the run are one tag alone (an HTML block each, not a paragraph), `parts`
    stand for it instead of one sibling (it has no `columns` of its own), in order: runs of the
    other items (each as above) and each such item (`kind` "tag", `columns` its HTML block's
    content), its own tokens. The sibling above each part is the last of the part before it:
    the parse confirms the sibling above the run for all of them. `heights`: the lines of each
    paragraph of a sibling (`crosspost.mditems`), in order, when it is not one each."""

    kind: Literal["item", "row", "tag"]
    first: int
    end: int
    columns: tuple[str, ...]
    number: str = ""
    gap: int = 0
    period: int = 1
    empty: tuple[int, ...] = ()
    parts: tuple[Siblings, ...] = ()
    heights: tuple[int, ...] = ()

    @property
    def places(self) -> list[int]:
        """The lines of a sibling (of its `period`) that hold an item, each one of `columns`."""
        return _item_places(self.period, self.empty)

    @property
    def above(self) -> int:
        """The first line of the sibling above the run (its `period` lines, then `gap` empty
        ones): the parse must confirm it, and no other run may cut it."""
        return self.first - self.period - self.gap


def _item_places(period: int, empty: tuple[int, ...]) -> list[int]:
    """The lines of a sibling of `period` lines that hold an item: all but the `empty` ones."""
    return [place for place in range(period) if place not in empty]


# Runs of siblings shorter than this are left to the parser. Lower than for paragraphs: the
# parser spends several times longer on an item than on a line of paragraph, and a list broken
# every ten lines (by an item the runs cannot hold) took 4 s a megabyte with runs of 32. A run in
# parts counts all its items: the parts between items of one tag alone may be shorter.
MIN_SIBLINGS = 8


def sibling_runs(text: str, min_run: int = MIN_SIBLINGS, *, mdx: bool = False) -> list[Siblings]:
    """The runs of at least `min_run` inert one-line list items or table rows of `text`, each
    below an inert sibling and above a line that repeats their container (so the run is
    neither a list's nor a table's first or last line), in order of their first line. A run
    of one-line items may hold items of one tag alone (not in MDX, which has no HTML blocks)."""
    if "\r" in text or "\0" in text:
        return []
    from markdown_it.common.utils import mdTrim  # the parser's trim: never for `import crosspost`

    found: list[Siblings] = []
    items = _ITEM_LINE.search(text) is not None
    forms = [("bullets", False), ("ordered", False), ("rows", False), ("bare-rows", False)]
    forms += [("bullets", True), ("ordered", True), ("periodic", False)]
    for form, loose in forms:
        kind: Literal["item", "row"] = "row" if form.endswith("rows") else "item"
        if (kind == "row" and "|" not in text) or (kind == "item" and not items):
            continue
        if loose and _EMPTY_LINE.search(text) is None:  # what a loose run repeats after each
            continue
        position = line = 0
        for run in _run_matches(form, loose, text, not mdx):
            gap = run.blank.count("\n") + 1 if loose else 0  # empty lines after each
            if len(run.lines) < min_run * (run.period + gap):
                continue
            line += text.count("\n", position, run.above)
            position = run.above
            first = line + run.period + gap
            if kind == "item":
                found.append(_items(first, run, gap, not mdx and form in _ONE_LINE_ITEMS))
                continue
            rows = [_row_cells(mdTrim(one)) for one in run.inner]
            for start, end in _same_width(rows, min_run):
                columns = tuple(map("\n".join, zip(*rows[start:end], strict=True)))
                found.append(Siblings(kind, first + start, first + end, columns))
    return sorted(found, key=lambda run: run.first)


# A list item's line (container, marker, spacing: `_RUN_PATTERNS`, `_FIRST_PLACE`): a run of
# items is of such lines. A text without one is not searched for runs of items at all.
_ITEM_LINE = re.compile(rf"^[ >]*(?:[-+*]|\d{{1,9}}[.)]){_SPACING}", re.M)
# An empty line, or one of blockquote markers only: a loose run has one after each sibling
# (`_run_pattern`'s `blank`). A long list without one is not read for loose runs at all.
_EMPTY_LINE = re.compile(r"\n[ >]*\n")


def _items(first: int, found: _Found, gap: int, tags: bool) -> Siblings:
    """The run of items `found` from line `first`, in `parts` when some are one tag alone
    (where `tags` may be run members: `_run_pattern`)."""
    from markdown_it.common.utils import MD_TRIM_CHARS  # the parser's: never for `import crosspost`

    inner, period, empty = found.inner, found.period, found.empty
    places = _item_places(period, empty)
    # Each line begins with its marker, or is empty (the run's pattern says so): all are cut
    # at once.
    joined = "\n".join(inner)
    items = [one.strip(MD_TRIM_CHARS) for one in _LINE_MARKER.sub("", joined).split("\n")]
    step = period + gap

    def run(start: int, end: int, parts: tuple[Siblings, ...] = ()) -> Siblings:
        columns = (
            ()
            if parts
            else ("\n".join(items[start:end]),)
            if period == 1
            else tuple(_column(items[start:end], place, period) for place in places)
        )
        number = _number(inner[start])
        return Siblings(
            "item", first + start, first + end, columns, number, gap, period, empty, parts
        )

    # As written: the paragraph's trim drops Unicode spaces before a tag (`\xa0 <b>`: text).
    tags = tags and "<" in joined
    alone = [i for i in range(0, len(inner), step) if _TAG_ITEM.match(inner[i])] if tags else []
    if not alone:
        return run(0, len(inner))
    parts: list[Siblings] = []
    start = 0
    for i in [*alone, len(inner)]:
        if i > start:
            parts.append(run(start, i))
        if i < len(inner):
            tag = (_MARKER.sub("", inner[i], count=1) + "\n",)  # as written, spaces after it
            parts.append(Siblings("tag", first + i, first + i + step, tag, _number(inner[i]), gap))
        start = i + step
    return run(0, len(inner), tuple(parts))


def _column(items: list[str], place: int, period: int) -> str:
    """The lines of `items` at `place` in each sibling of `period` lines, one a line (on the
    other lines: nothing)."""
    lines = [""] * len(items)
    lines[place::period] = items[place::period]
    return "\n".join(lines)


def _number(line: str) -> str:
    """The number of an ordered item on `line` (without its container), or nothing."""
    return line[: len(line) - len(line.lstrip("0123456789"))]


class _Found(NamedTuple):
    """A run a pattern found: where the sibling above it begins (an offset), the empty lines
    after each sibling (loose), the lines of each sibling and those that are empty, the lines
    of the run, and those lines without the container of their place in a sibling."""

    above: int
    blank: str
    period: int
    empty: tuple[int, ...]
    lines: list[str]
    inner: list[str]


def _run_matches(form: str, loose: bool, text: str, tags: bool) -> Iterator[_Found]:
    """Each run the form's pattern finds in `text` (periodic groups: `_periodic_matches`).

    In a periodic run of ordered items, a number's width sets the column where the item's
    content begins, which the line nested in it must reach and stay within four columns of
    (`_nesting_widths`). The pattern reads across items of any width (a regular expression
    cannot count digits), so one match is split at each item under which its nested line is not
    nested, and the next item under which it is becomes the sibling above the next run:
    searching again from there would read the rest of the list again (n² characters for n
    items whose widths change at every other one)."""
    # Each pattern begins with the end of the line above its first line (the module's docstring
    # says why); `lined` has one above the text's first line, so a match's start is where its
    # first line begins in `text`.
    lined = "\n" + text
    matches = (
        _periodic_matches(lined)
        if form == "periodic"
        else ((1, m) for m in _searched(_run_pattern(form, loose, tags), lined))
    )
    for period, m in matches:  # offsets in `lined`: `m.start()` is the first line's in `text`
        lines = m.group("run")[:-1].split("\n")
        blank = m.group("blank") if loose else ""
        if period == 1:
            cut = len(m.group(1))
            yield _Found(m.start(), blank, 1, (), lines, [one[cut:] for one in lines])
            continue
        empty = tuple(j for j in range(1, period) if m.group(_line_group(j, 0)) is not None)
        cuts = [len(m.group(1))] + [
            len(m.group(_line_group(j, 0 if j in empty else 1))) for j in range(1, period)
        ]
        inner = lines.copy()
        for place, cut in enumerate(cuts):
            inner[place::period] = [one[cut:] for one in lines[place::period]]
        if m.group(2) is None:
            yield _Found(m.start(), blank, period, empty, lines, inner)
            continue
        widths = _nesting_widths(m, period, empty)
        above: int | None = m.start() if len(m.group(2)) in widths else None
        start, offset = 0, m.start("run") - 1  # where the sibling at `group` begins
        for group in range(0, len(inner), period):
            nested = len(_number(inner[group])) in widths
            if not nested and above is not None:
                yield _Found(above, blank, period, empty, lines[start:group], inner[start:group])
                above = None
            elif nested and above is None:
                above, start = offset, group + period
            offset += sum(len(one) + 1 for one in lines[group : group + period])
        if above is not None:
            yield _Found(above, blank, period, empty, lines[start:], inner[start:])


def _searched(pattern: re.Pattern[str], lined: str) -> Iterator[re.Match[str]]:
    """The matches of a run's `pattern` in `lined`, in order, each searched for from the end of
    the line above the line after the last one (where the next run may begin)."""
    position = 0
    while (m := pattern.search(lined, position)) is not None:
        yield m
        position = m.end() - 1


def _nesting_widths(m: re.Match[str], period: int, empty: tuple[int, ...]) -> range:
    """The widths of an ordered number under which the second line of a periodic match's
    groups is nested as the parser reads it: at or past the column where the item's content
    begins (its container's indentation, the number, its delimiter and the spacing after it),
    and less than four columns past it (further, it is text of the item's paragraph:
    CommonMark §5.2). Only the first line's width where `_reach` cannot tell, where a group
    holds an empty line, and where a deeper line is not nested in the line above it: what it
    is then (a sibling of that line's item, or text of its paragraph, `7. a` / `    - b` /
    `   - c`) depends on where the ordered item's content begins."""
    only = range(len(m.group(2)), len(m.group(2)) + 1)
    if empty:
        return only
    reach = _reach(m.group(1), m.group(3), m.group(4), m.group(_line_group(1, 1)))
    if reach is None:
        return only
    for j in range(1, period - 1):
        container, marker, spacing = (m.group(_line_group(j, part)) for part in range(1, 4))
        deeper = _reach(container, marker, spacing, m.group(_line_group(j + 1, 1)))
        if deeper is None or not 0 <= deeper < 4:
            return only
    return range(reach - 3, reach + 1)


def _reach(container: str, marker: str, spacing: str, nested: str) -> int | None:
    """The columns from the end of `container`, `marker` (a bullet, a nested ordered item's
    number and delimiter, or a first line's delimiter) and `spacing` to where a line whose
    container is `nested` begins: under a bullet or a nested number, how far past the item's
    text it is (nested at 0 to 3); under a first line's number, that plus the number's width.
    None when columns cannot tell: a tab after the marker spans as many columns as its place
    leaves, and another blockquote depth is another container."""
    if spacing == "\t" or container.count(">") != nested.count(">"):
        return None
    return _indentation(nested) - _indentation(container) - len(marker) - len(spacing)


def _indentation(container: str) -> int:
    """The columns of indentation at the end of a container, after its last blockquote marker
    (`_CONTAINER`: spaces only), which takes one space after it with it."""
    rest = container[container.rfind(">") + 1 :]
    return len(rest) - (1 if rest[:1] == " " and ">" in container else 0)


def _same_width(rows: list[tuple[str, ...]], min_run: int) -> list[tuple[int, int]]:
    """The stretches [start, end) of at least `min_run` rows with as many cells as most rows
    have. The parser fills a shorter row's cells and drops a longer one's, so a row of another
    width is left to it; it stays between the stretches, a sibling above one and below the
    other (a stretch whose width is not the table's is refused by the parse)."""
    widths = [len(cells) for cells in rows]
    width = Counter(widths).most_common(1)[0][0]
    stretches: list[tuple[int, int]] = []
    start = 0
    for index in range(len(rows) + 1):
        if index == len(rows) or widths[index] != width:
            if index - start >= min_run:
                stretches.append((start, index))
            start = index + 1
    return stretches


def _row_cells(row: str) -> tuple[str, ...]:
    """A row's cells as markdown-it's table rule splits them (a row of inert text has no
    escaped `|` to keep)."""
    from markdown_it.common.utils import mdTrim

    columns = row.split("|")
    if columns and columns[0] == "":
        columns.pop(0)
    if columns and columns[-1] == "":
        columns.pop()
    return tuple(mdTrim(column) for column in columns)


_CODE_SPAN = re.compile(_INERT_CODE)
_TASK = re.compile(_TASK_BOX)
_TAG = re.compile(_INERT_TAG)


def sibling_spans(content: str, valid: Callable[[str], bool]) -> list[tuple[str, int, int]] | None:
    """What the inline parse records in the content of a sibling standing for a run (its code
    spans, `("code", start, end)`, its HTML tags and its links' destinations), or None when
    only the parser can tell. Each line of it is inert (`sibling_runs`): a backtick only opens
    or closes a code span on its line, which no link holds and which holds no link; a `<`
    outside code spans only opens a tag without attributes closed on the line. So code spans,
    then tags are found apart, and the links are plain links in the text without them and
    without task boxes (which the parse has checked are no links: no `[x]:` is defined)."""
    code = [("code", m.start(), m.end()) for m in _CODE_SPAN.finditer(content)]
    text = _CODE_SPAN.sub(lambda m: " " * len(m.group()), content) if code else content
    tags = [("html", m.start(), m.end()) for m in _TAG.finditer(text)] if "<" in text else []
    if tags:
        text = _TAG.sub(lambda m: " " * len(m.group()), text)
    if "[ ]" in text or "[x]" in text or "[X]" in text:
        text = _TASK.sub("   ", text)
    links = plain_link_spans(text, valid)
    return None if links is None else sorted([*code, *tags, *links], key=lambda span: span[1])


# What `crosspost.mditems` reads its runs with: the same containers, inert text and columns.
CONTAINER, ITEM_TEXT, indentation = _CONTAINER, _ITEM_TEXT, _indentation
