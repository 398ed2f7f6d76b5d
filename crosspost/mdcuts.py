"""A block parse of a text with runs of lines cut out, and their tokens put back (for speed).

`crosspost.mdplain`, `crosspost.mdhtml`, `crosspost.mdsiblings` and `crosspost.mdquotes` find
runs whose tokens are known without the parser: runs of paragraphs (`Paragraphs`), of HTML
blocks (`HtmlBlocks`) and of quotes (`crosspost.mdquoteruns.Quotes`), given to the parser as
one line of text each, runs of blank lines (`crosspost.mdblanks`), given to it as one blank
line (confirmed where no token's map holds that line, and yielding no token), runs of one-line
list items or table rows (`mdsiblings.Siblings`) and runs of blockquote lines continuing a paragraph
(`mdquotes.Continuations`), not given to it at all. The parse of the rest tells whether each run
is what it looked like (a stand-in came out a paragraph of its own at the top level, so nothing
was open where the run begins; the sibling above a run came out one item, or one row, directly
followed by another; the line above continuations opens a paragraph); then the runs' tokens are
put in: a run of paragraphs' or HTML blocks' own tokens in place of its stand-in (a long run of
paragraphs: one paragraph standing for all its blocks, `crosspost.mdplain.BLOCK_RUN`, as for a
body of paragraphs only; the stand-in's paragraph at the top level tells that nothing is open
before the run, so its lines read as they would alone; a run of quotes: one paragraph standing
for its paragraphs, `crosspost.mdquoteruns`), continuations'
text in their paragraph's after its first line, and for a run of siblings one sibling standing
for all of them (`meta["siblings"]`, its lines, `meta["gap"]`, the empty lines after each of
its items, and `meta["empty"]`, the empty lines among an item's own); for a run in parts (items
of one tag alone among its items), one for each stretch of the other items, and each such
item's own tokens (an HTML block in an item). Runs of items of several lines
(`crosspost.mditems`) are runs of siblings too, with `meta["heights"]`, the lines of each
paragraph of an item.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .mdblanks import Blanks
from .mdhtml import html_block_tokens
from .mdplain import paragraphs_only
from .mdquoteruns import Quotes, quote_run_tokens
from .mdquotes import Continuations
from .mdsiblings import Siblings
from .mdtokens import token_maker

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["Cut", "HtmlBlocks", "Paragraphs", "Parsed", "StoodIn", "parse_around"]


class Parsed(Protocol):
    """What a block parse gives (`crosspost.mdspans.BlockParse`)."""

    @property
    def tokens(self) -> list[Token]: ...
    @property
    def env(self) -> dict[str, Any]: ...
    @property
    def definitions(self) -> list[tuple[int, int]]: ...


@dataclass(frozen=True)
class Paragraphs:
    """Lines `first`..`end`: a run of paragraphs, given to the parser as one line of text."""

    first: int
    end: int


@dataclass(frozen=True)
class HtmlBlocks:
    """Lines `first`..`end`: a run of HTML blocks (`crosspost.mdhtml`), given to the parser as
    one line of text."""

    first: int
    end: int


StoodIn = Paragraphs | HtmlBlocks | Quotes
Cut = Paragraphs | HtmlBlocks | Quotes | Blanks | Siblings | Continuations
_STAND_IN = "x"


def parse_around(
    text: str, cuts: Sequence[Cut], parse: Callable[[str], Parsed], min_run: int | None = None
) -> tuple[list[Token], dict[str, Any], list[tuple[int, int]]] | set[int]:
    """`text` parsed with one line of text standing in for each run of paragraphs and without
    each run of siblings, then each run's own tokens put back: a run of paragraphs' tokens in
    place of its stand-in (with `min_run`, one paragraph standing for all its blocks when it
    holds that many, as `crosspost.mdplain.paragraphs_only` makes for a body of paragraphs
    only), and one sibling for each run of siblings after the sibling above it.

    Returns the indexes of the cuts the parse did not confirm instead when there are any: a
    stand-in that did not come out a paragraph of its own at the top level (it is inside a
    fence or an HTML block left open, or continues a list item), or a sibling above a run that
    did not come out one list item (a table row) directly followed by another, or a blank line
    standing for a run of them that a block holds."""
    lines = text.split("\n")
    pieces: list[str] = []
    anchors: list[int] = []  # the line in the reduced text of each cut's stand-in, or above it
    offsets: list[int] = []  # and its offset there
    opens: list[int] = []  # the line in the reduced text where each cut's stand-in or sibling opens
    extra_lines = [0]  # lines and characters the cuts up to each one took out of the text
    extra_chars = [0]
    blanks: list[tuple[int, int]] = []  # the line in the reduced text standing for each run of
    # blank lines, and the run's index
    done = length = 0
    for cut in cuts:
        before = lines[done : cut.first]
        pieces += before
        length += sum(map(len, before)) + len(before)
        kept: str | None  # the line standing for the run, if any
        if isinstance(cut, (Siblings, Continuations)):
            opens.append(len(pieces) - (cut.first - cut.above))
            anchors.append(len(pieces) - 1)
            offsets.append(length - len(pieces[-1]) - 1)
            kept = None
        else:
            line = lines[cut.first]
            kept = (
                line
                if isinstance(cut, Blanks)
                else line[: len(line) - len(line.lstrip(" "))] + _STAND_IN
            )
            if isinstance(cut, Blanks):
                blanks.append((len(pieces), len(opens)))
            opens.append(len(pieces))
            anchors.append(len(pieces))
            offsets.append(length)
            pieces.append(kept)
            length += len(kept) + 1
        run_length = sum(map(len, lines[cut.first : cut.end])) + cut.end - cut.first
        extra_lines.append(extra_lines[-1] + cut.end - cut.first - (0 if kept is None else 1))
        extra_chars.append(extra_chars[-1] + run_length - (0 if kept is None else len(kept) + 1))
        done = cut.end
    pieces += lines[done:]
    parsed = parse("\n".join(pieces))
    tokens = parsed.tokens
    at_anchor = {line: index for index, line in enumerate(opens)}
    stood_in: dict[int, StoodIn] = {}  # the stand-in paragraph's first token → its run
    after: dict[int, list[Token]] = {}  # a sibling's last token → the one standing for its run
    continued: dict[int, Continuations] = {}  # a paragraph's inline token → the lines it lost
    confirmed: set[int] = set()
    for index, token in enumerate(tokens):
        number = at_anchor.get(token.map[0]) if token.map else None
        if number is None or number in confirmed:
            continue
        cut = cuts[number]
        if isinstance(cut, Blanks):  # a blank line opens no block: held in one, it is refuted
            continue
        if isinstance(cut, StoodIn):
            if _is_stand_in(tokens, index):
                stood_in[index] = cut
                confirmed.add(number)
            continue
        if isinstance(cut, Continuations):
            inline = _continued_inline(tokens, index, opening=cut.may_be_a_title)
            if inline is not None:
                continued[inline] = cut
                confirmed.add(number)
            continue
        close = _sibling_close(tokens, index, cut)
        if close is not None:
            after[close] = _standing_for(tokens[index : close + 1], cut)
            confirmed.add(number)
    confirmed |= _unheld(tokens, blanks)
    if "X" in parsed.env.get("references", {}):  # `[x]` is a link: no run's task box is text
        confirmed -= {index for index, cut in enumerate(cuts) if _holds_x_box(cut)}
    if len(confirmed) < len(cuts):
        return set(range(len(cuts))) - confirmed

    def original(line: int) -> int:
        return line + extra_lines[bisect_left(anchors, line)]

    out: list[Token] = []
    index = 0
    while index < len(tokens):
        run = stood_in.get(index)
        if isinstance(run, HtmlBlocks):
            last = run.end == len(lines)
            out += html_block_tokens("\n".join(lines[run.first : run.end]), run.first, last=last)
            index += 3
            continue
        if isinstance(run, Quotes):
            out += quote_run_tokens(lines[run.first : run.end], run.first)
            index += 3
            continue
        if run is not None:
            paragraphs = paragraphs_only("\n".join(lines[run.first : run.end]), min_run)
            if paragraphs is None:
                return {cuts.index(run)}
            for token in paragraphs:
                if token.map:
                    token.map = [token.map[0] + run.first, token.map[1] + run.first]
            out += paragraphs
            index += 3
            continue
        token = tokens[index]
        lines_cut = continued.get(index)
        if lines_cut is not None:
            token.content = _with_continuations(token.content, lines_cut)
        if token.map:
            first, end = token.map
            token.map = [original(first), original(end - 1) + 1 if end > first else end]
        out.append(token)
        out += after.get(index, [])
        index += 1
    # Recent markdown-it-py records where each definition is (and each duplicate of one).
    for reference in [
        *parsed.env.get("references", {}).values(),
        *parsed.env.get("duplicate_refs", []),
    ]:
        if reference.get("map"):
            first, end = reference["map"]
            reference["map"] = [original(first), original(end - 1) + 1]
    definitions = [
        (start + shift, end + shift)
        for start, end in parsed.definitions
        for shift in [extra_chars[bisect_left(offsets, start)]]
    ]
    return out, parsed.env, definitions


def _unheld(tokens: list[Token], blanks: list[tuple[int, int]]) -> set[int]:
    """The indexes of the runs of blank lines (`blanks`: the line standing for each, in order,
    and its index) whose line no token's map holds (`crosspost.mdblanks`: nothing spans them)."""
    if not blanks:
        return set()
    maps = sorted(token.map for token in tokens if token.map)  # in order already: linear
    unheld: set[int] = set()
    reach = at = 0  # the furthest end of the maps starting at or above the line; the next map
    for line, index in blanks:
        while at < len(maps) and maps[at][0] <= line:
            reach = max(reach, maps[at][1])
            at += 1
        if reach <= line:
            unheld.add(index)
    return unheld


def _is_stand_in(tokens: list[Token], index: int) -> bool:
    """Whether `tokens[index]` opens a top-level paragraph of the stand-in's one line alone."""
    token = tokens[index]
    return (
        token.type == "paragraph_open"
        and token.level == 0
        and token.map is not None
        and token.map[1] == token.map[0] + 1
        and index + 1 < len(tokens)
        and tokens[index + 1].content == _STAND_IN
    )


def _continued_inline(tokens: list[Token], index: int, *, opening: bool) -> int | None:
    """The index of the inline token of the paragraph that a run of continuations continues,
    when the parse confirms it: the line above the run opens a paragraph (`tokens[index]`, or
    the first token in the blockquotes opened there, whose first line holds its text), or the
    text of a setext heading (CommonMark §4.3: the paragraph above its underline). That is all
    `crosspost.mdquotes` needs: the paragraph is then in the blockquotes of that line's
    markers, which the run's lines and the line after it continue, and its text begins with
    that line's. With `opening`, the line must open a blockquote too (its text may otherwise
    be a title that a line cut ends, `crosspost.mdquotes`)."""
    if opening and tokens[index].type != "blockquote_open":
        return None
    while tokens[index].type == "blockquote_open":
        index += 1
    return index + 1 if tokens[index].type in ("paragraph_open", "heading_open") else None


def _with_continuations(content: str, run: Continuations) -> str:
    """A paragraph's text with `run`'s lines put back after its first line (its first line
    begins with no white space: the parser's trim took nothing from it)."""
    head = len(run.head) + 1
    return content[:head] + run.contents + "\n" + content[head:]


def _holds_x_box(cut: Cut) -> bool:
    return isinstance(cut, Siblings) and any(
        "[x]" in c or "[X]" in c for part in cut.parts or [cut] for c in part.columns
    )


# What a list item standing above a run may hold: paragraphs and the lists nested in it.
_LIST_PARTS = {
    *("paragraph_open", "inline", "paragraph_close", "list_item_open", "list_item_close"),
    *("bullet_list_open", "bullet_list_close", "ordered_list_open", "ordered_list_close"),
}


def _sibling_close(tokens: list[Token], index: int, run: Siblings) -> int | None:
    """The index of the last token of the sibling above `run` opened at `tokens[index]` when
    the parse confirms it: one list item holding one line of paragraph, and in a run of a
    `period` above 1 the items nested under it, one line of paragraph each (one table row with
    a cell for each of the run's), and the next token opens the next sibling, on the line after
    it."""
    token = tokens[index]
    assert token.map is not None
    line = token.map[0]
    if token.map[1] != line + run.period + run.gap:
        return None
    if run.kind == "item":
        if token.type != "list_item_open":
            return None
        close = index + 1
        while close < len(tokens) and not (
            tokens[close].type == "list_item_close" and tokens[close].level == token.level
        ):
            close += 1
        inner = tokens[index + 1 : close]
        lines = _paragraph_lines(line, run)
        if (
            [t.map for t in inner if t.type == "inline"] != lines
            or any(t.type not in _LIST_PARTS for t in inner)
            or any(
                t.type == "inline" and inner[i - 1].type != "paragraph_open"
                for i, t in enumerate(inner)
            )
        ):
            return None
    else:
        if token.type != "tr_open":
            return None
        close = index + 1
        while close < len(tokens) and tokens[close].type != "tr_close":
            close += 1
        columns = sum(1 for t in tokens[index:close] if t.type == "td_open")
        if columns != len(run.columns):
            return None
    following = tokens[close + 1] if close + 1 < len(tokens) else None
    if (
        following is None
        or following.type != token.type
        or following.level != token.level
        or following.markup != token.markup
        or following.map is None
        or following.map[0] != token.map[1]
    ):
        return None
    return close


def _paragraph_lines(line: int, run: Siblings) -> list[list[int]]:
    """The lines of each paragraph of the sibling above `run`, which begins at `line`: one on
    each of its `places`, or each of `heights` lines from the first place of its own."""
    places = run.places
    heights = run.heights or (1,) * len(places)
    firsts = [line + places[sum(heights[:index])] for index in range(len(heights))]
    return [[first, first + height] for first, height in zip(firsts, heights, strict=True)]


def _standing_for(sibling: list[Token], run: Siblings) -> list[Token]:
    """One sibling standing for the whole run: `sibling`'s tokens over the run's lines, each
    inline content the run's contents (of a table column) one per line, and the number of the
    run's first item (the items nested in it have the numbers they have in `sibling`, which
    each sibling of the run repeats). A run in `parts`: the tokens standing for each part; an
    item of one tag alone: its own, an HTML block in the item `sibling` opens."""
    if run.parts:
        return [token for part in run.parts for token in _standing_for(sibling, part)]
    if run.kind == "tag":
        item = _copy(sibling[0], run, run.number)
        html = token_maker()(
            "html_block",
            "",
            0,
            {},
            [run.first, run.first + 1],
            item.level + 1,
            None,
            run.columns[0],
            "",
            "",
            {},
            True,
            False,
        )
        return [
            item,
            html,
            _copy(sibling[-1], run, sibling[-1].info),
        ]
    column = 0
    out: list[Token] = []
    for token in sibling:
        copy = _copy(
            token, run, run.number if token is sibling[0] and run.kind == "item" else token.info
        )
        if token.type == "inline":
            copy.content = run.columns[column]
            copy.children = []
            copy.meta = {"siblings": run.end - run.first, "gap": run.gap, "empty": run.empty}
            if run.heights:  # paragraphs of several lines (`crosspost.mditems`)
                copy.meta["heights"] = run.heights
            column += 1
        out.append(copy)
    return out


def _copy(token: Token, run: Siblings, info: str) -> Token:
    """`token` over the run's lines, with `info` (an ordered item's number): a token made for
    each part of a run (a megabyte of items with an HTML one every fifth: 200,000)."""
    return token_maker()(
        token.type,
        token.tag,
        token.nesting,
        dict(token.attrs) if token.attrs else {},
        [run.first, run.end] if token.map else None,
        token.level,
        None,
        "",
        token.markup,
        info,
        {},
        token.block,
        token.hidden,
    )
