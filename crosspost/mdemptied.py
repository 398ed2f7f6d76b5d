"""The block parse of a text after some of its lines were emptied, told from the parse before
(for speed: the transform empties excerpt markers, `<!--more-->`, after its first parse, and a
second parse of the whole post cost as much as the first).

tests/hostile/test_blanked_lines.py compares it with the parser on generated bodies.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate

from .mdspans import BlockParse

__all__ = ["after_emptied"]


def after_emptied(parse: BlockParse, text: str) -> BlockParse | None:
    """The parse of `text`, `parse.text` with some lines emptied, told from `parse` when each of
    those lines was an HTML block of its own at the top level (an excerpt marker alone on its
    line: `<!--more-->`) directly after a block that nothing after it can go on (`_ENDED`); None
    otherwise (then only the parser can tell).

    Such a line ended the block above it and opened nothing (an HTML block of one line has
    ended at its line's end, whatever its kind), so the parser reads the next line from a
    block's start; an empty line ends a paragraph or a table too, and opens nothing either.
    The blocks above that may read differently are left to the parser: a list (an item goes on
    with a line indented to its content after a blank line, and a next item joins the list),
    indented code (a blank line and an indented one go on with it), a footnote definition (as
    an item does), and a quote (markdown-it-py's map of an empty quote, `>`, reaches over the
    blank line below it). The line's own token goes; every other token is as it was (maps
    count lines, which are all kept); the environment is unchanged (an HTML block defines
    nothing); each definition's destination after an emptied line moves back by its length."""
    old, new = parse.text.split("\n"), text.split("\n")
    if len(old) != len(new):
        return None
    emptied = [number for number, (was, now) in enumerate(zip(old, new, strict=True)) if was != now]
    if any(new[number] for number in emptied):
        return None
    alone: dict[int, int] = {}  # an emptied line -> the index of its own HTML block's token
    previous = ""  # the type of the top-level token before
    for index, token in enumerate(parse.tokens):
        if token.level != 0:
            continue
        one_line = token.map is not None and token.map[1] - token.map[0] == 1
        if token.type == "html_block" and one_line and previous in _ENDED:
            assert token.map is not None
            alone[token.map[0]] = index
        previous = token.type
    if any(number not in alone for number in emptied):
        return None
    gone = {alone[number] for number in emptied}
    tokens = [token for index, token in enumerate(parse.tokens) if index not in gone]
    starts = parse.starts
    before = list(accumulate((len(old[number]) for number in emptied), initial=0))
    definitions = []
    for start, end in parse.definitions:  # each moved back by the emptied lines above it
        back = before[bisect_left(emptied, bisect_right(starts, start) - 1)]
        definitions.append((start - back, end - back))
    return BlockParse(text, tokens, parse.env, definitions, parse.mdx)


# The top-level blocks (their last token) that end where they end whatever follows, and whose
# map does not reach past their last line ("": none before).
_ENDED = frozenset(
    {
        "",
        "paragraph_close",
        "heading_close",
        "hr",
        "html_block",
        "fence",
        "math_block",
        "table_close",
    }
)
