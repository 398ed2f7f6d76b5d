"""Markdown as a list of lines that remember their file line and whether they may be changed.

Every body transform works on this model so that (1) code is never touched: lines inside fenced or
indented code are `frozen`, found with markdown-it's CommonMark block parser rather than guessed,
and inline code spans are swapped for opaque placeholders before any rule runs; (2) every notice
can name the line of the original file, even after lines were added or removed.
"""

from __future__ import annotations

import re
import secrets
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from itertools import accumulate, compress
from operator import add, attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .notice import Notice

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = [
    "Line",
    "MissingPost",
    "Run",
    "blank",
    "freeze_code",
    "leaf_ranges",
    "line_starts",
    "parse_to_the_end",
    "parser",
    "protect_code_spans",
    "without_repeated_blanks",
]


@dataclass(slots=True)
class Line:
    """One line of the body; `line` is its line in the post file (None only for empty input).

    `frozen`: code, never changed. `literal`: inside a Liquid `{% raw %}` block, so no generator
    syntax is read on it, but it is still Markdown (its links are made absolute).
    """

    text: str
    line: int | None
    frozen: bool = False
    literal: bool = False

    def with_text(self, text: str) -> Line:
        """This line with other text (`dataclasses.replace` finds the fields by reflection, a
        few times slower, and rules make such copies of every line an MDX component holds)."""
        return Line(text, self.line, self.frozen, self.literal)


class MissingPost(LookupError):
    """Raised by a `Run.post_link` for a relative link to a post file that does not exist
    (`./missing-post.md`): the transform warns, naming the line, instead of linking it silently
    to a page the site does not have."""


@dataclass
class Run:
    """What one transform call collects: notices, and protected text behind placeholders.

    `post_link` maps a relative link to another post's source file (`./other.md#part`) to that
    post's URL, or None when the target is not a post file; it raises `MissingPost` when no
    such file exists.
    """

    path: Path | None
    page_url: str
    site_url: str | None
    post_link: Callable[[str], str | None] | None = None
    notices: list[Notice] = field(default_factory=list)
    stash: list[str] = field(default_factory=list)
    token: str = field(default_factory=lambda: secrets.token_hex(4))

    def note(self, code: str, line: int | None, message: str) -> None:
        """A notice; text it quotes may hold text a rule had hidden, shown as the post has it."""
        message = self.restore(message) if "\ue000" in message else message
        self.notices.append(Notice(message, code, path=self.path, line=line))

    def protect(self, text: str) -> str:
        """Swap `text` for placeholders no rule matches; `restore` puts it back at the end.

        One placeholder per line, so the line count (and every later line number) is unchanged;
        the random token keeps placeholders from colliding with anything in the post itself.
        """
        return "\n".join(self._stash(part) for part in text.split("\n"))

    def newline(self) -> str:
        """A line break that inline rules add: invisible to line counting until `restore`."""
        return self._stash("\n")

    def _stash(self, text: str) -> str:
        self.stash.append(text)
        return f"\ue000{self.token}{len(self.stash) - 1}\ue001"

    def restore(self, text: str) -> str:
        pattern = re.compile(f"\ue000{self.token}(\\d+)\ue001")
        # Protected text can itself hold placeholders (a code span inside a Liquid raw tag).
        for _ in range(len(self.stash) + 1):
            text, count = pattern.subn(lambda m: self.stash[int(m.group(1))], text)
            if not count:
                break
        return text


def blank(text: str) -> bool:
    """Whether `text` is a blank line as CommonMark defines one: only spaces and tabs.

    `str.strip()` would also take U+00A0, U+2003, form feeds and the like for blank, but a line
    of those is a paragraph in CommonMark: collapsed or dropped, the post would lose it.
    """
    return not text.strip(" \t")


def without_repeated_blanks(lines: list[Line], kept: set[int]) -> list[Line]:
    """`lines` without each blank line that follows a blank line, unless it is code (`frozen`)
    or its index is in `kept`. The lines hold no line break.

    The runs of blank lines are found in the joined text: a post of short blocks is half blank
    lines, nearly all of them single ones. The lines between runs are copied as slices, and a
    run's lines after its first kept by `compress` (a megabyte of blank lines: one run of a
    million, each read in C, with no index, set or list of them made)."""
    text = "\n".join([line.text for line in lines])
    kept_in_order = sorted(kept)
    out: list[Line] = []
    done = number = position = 0
    for m in _BLANK_RUN.finditer(text):
        number += text.count("\n", position, m.start())
        position = m.start()
        first, end = number + 1, number + m.group().count("\n") + 1  # the lines that may go
        out += lines[done:first]
        run = lines[first:end]
        keep = list(map(_FROZEN, run))
        for index in kept_in_order[
            bisect_left(kept_in_order, first) : bisect_left(kept_in_order, end)
        ]:
            keep[index - first] = True
        out += compress(run, keep)
        done = end
    out += lines[done:]
    return out


_FROZEN = attrgetter("frozen")
# Two or more blank lines in a row (only spaces and tabs, as `blank` says).
_BLANK_RUN = re.compile(r"^[ \t]*(?:\n[ \t]*$)+", re.M)


def line_starts(text: str) -> list[int]:
    """The offset at which each line of `text` starts (lines end at "\\n", as the parser's do).

    Summed in C (`accumulate` over the lines' lengths): a body of short lines has hundreds of
    thousands of them."""
    return list(accumulate(map(partial(add, 1), map(len, text.split("\n"))), initial=0))[:-1]


@cache
def parser(*, inline: bool = False) -> MarkdownIt:
    """A CommonMark parser (plus GFM tables); block-only unless `inline`, which is 5× slower."""
    from markdown_it import MarkdownIt  # the renderer: never for `import crosspost`

    md = MarkdownIt("commonmark").enable("table")
    if not inline:
        md.disable(["inline", "text_join"])
    return md


_Parsed = TypeVar("_Parsed")


def parse_to_the_end(parse: Callable[[str], _Parsed], text: str) -> _Parsed:
    """`parse(text)`, where `parse` runs a markdown-it parser on a fresh environment.

    markdown-it-py (4.3) reads past the end of a text whose last line is an empty blockquote
    line without its newline, after an HTML block in a list item (`> - <pre>`, then `>`:
    IndexError). Such a text is parsed again with the newline CommonMark reads at the end of
    input: the same lines, the same tokens. Every parse of a post's text goes through here."""
    try:
        return parse(text)
    except IndexError:
        if text.endswith("\n"):
            raise
        return parse(text + "\n")


def freeze_code(lines: list[Line], tokens: list[Token]) -> None:
    """Mark lines inside fenced and indented code (at any nesting depth) as frozen; `tokens` is
    the block parse of the lines."""
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            for index in range(token.map[0], min(token.map[1], len(lines))):
                lines[index].frozen = True


def leaf_ranges(tokens: list[Token]) -> Iterator[tuple[int, int, str]]:
    """(first, end, type) of every block whose text is inline Markdown or raw HTML, in order."""
    seen: set[tuple[int, int]] = set()
    for token in tokens:
        if token.type in ("inline", "html_block") and token.map:
            first, end = token.map
            if (first, end) not in seen:
                seen.add((first, end))
                yield first, end, token.type


_BACKTICKS = re.compile(r"(?<!`)`+(?!`)")


def protect_code_spans(text: str, run: Run) -> str:
    """Replace inline code spans (CommonMark's backtick rule) by placeholders.

    A run of N backticks opens a span that the next run of exactly N backticks closes; a run
    after a backslash or without a closer is literal. Runs are indexed by width up front, so
    hostile input full of unmatched runs stays O(n log n).
    """
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    by_width: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_width.setdefault(end - start, []).append(index)
    out: list[str] = []
    position = index = 0
    while index < len(runs):
        start, end = runs[index]
        same = by_width[end - start]
        later = bisect_right(same, index)
        if _escaped(text, start) or later == len(same):
            index += 1
            continue
        closer = same[later]
        out.append(text[position:start])
        out.append(run.protect(text[start : runs[closer][1]]))
        position = runs[closer][1]
        index = closer + 1
    out.append(text[position:])
    return "".join(out)


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1
