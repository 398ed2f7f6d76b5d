"""Runs of HTML blocks read without the parser where that provably gives the parser's answer.

A post of HTML blocks between blank lines (figures, `<div>` wrappers, images, embeds) costs
markdown-it-py a whole block parse, tens of microseconds a line, for what is then one token a
block. A run of such blocks is read here instead; the parser is given one line of text in its
place (`crosspost.mdcuts`, as for a run of paragraphs) and the run's tokens are put back.

**Which blocks** (`html_runs`): stretches of non-blank lines ("chunks", a blank line being only
spaces and tabs, as the parser's `isEmpty` says) separated by blank lines, each chunk's first
line beginning, after at most three spaces, an HTML block of kind 6 or 7 (CommonMark 0.31
§4.6: `<` or `</` and one of the block tag names, then a space, a tab, the line's end, `>` or
`/>`; or a whole line of one complete open or closing tag, `<img src="a.png">`), the kinds a
blank line ends, as the parser's own `html_block` rule tells it: the first of its start
conditions (markdown-it-py's `HTML_SEQUENCES`, in its order) that the line's text meets is the
sixth or the seventh, the two whose end condition an empty line meets. No `|` on that line
unless it is a chunk of one line (a table needs its delimiter row on the next line: `<div>|`),
and no `$$` in the run: display math opened above it is a block only when a later line ends in
`$$` (the parser's `math_block` reads ahead for one), which a line of the run could be, as in
`crosspost.mdplain`'s runs. Not in MDX, whose parser has no HTML blocks.

**Why each chunk is then one HTML block, from its first line to its last**, wherever the run
stands at the top level with nothing left open before it (which the parse confirms: the line
of text standing in for the run comes out a top-level paragraph of its own, so at that line
no container, fence, HTML block or paragraph is open; the same holds at each later chunk, the
one before it having closed): at such a line the parser tries its block rules in order, and
each before `html_block` refuses a line that begins with `<` after at most three spaces and
holds no `|` or is followed by a blank line or none (`table` needs a `|` in its header line,
and refuses a next line that is empty or missing: `startLine + 2 > endLine`, `pos >=
state.eMarks[nextLine]`; `code` four columns of indentation;
`math_block`, `fence`, `blockquote`, `hr`, `list`, `footnote_def` and `reference` a `$$`,
backticks or tildes, `>`, `-`, `_`, `*`, `+`, a digit or `[` there). `html_block` then takes
the line (a kind-7 block cannot interrupt a paragraph, but none is open), and a block of kind
6 or 7 ends only at a blank line (end condition `^$`, read on the line's text after its spaces
and tabs): every line of the chunk is in it, whatever it holds, and the blank line after the
chunk ends it. The parser is back at the top level with nothing open, as
after the paragraph standing in for the run followed by the same blank line: what follows the
run reads as it did.

**The tokens**: one `html_block` a chunk, level 0, its map the chunk's lines, its content the
chunk's lines each with its line break (`getLines` at indentation 0: the lines as written; the
text's last line has none). tests/hostile/test_html_runs.py compares them with the parser's on
generated input.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from .mdtokens import token_maker

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["anchored", "html_block_tokens", "html_runs"]


def html_runs(text: str, min_run: int, *, mdx: bool = False) -> list[tuple[int, int]]:
    """Line ranges [first, end) of `text` of at least `min_run` lines that are chunks of
    non-blank lines, each opening an HTML block a blank line ends, and the blank lines between
    them; each starts after a blank line (or at the top) and ends before one (or at the
    bottom)."""
    if mdx or "<" not in text or "\r" in text or "\0" in text:
        return []
    runs: list[tuple[int, int]] = []
    line = counted = position = 0
    # From each line that may open one, after a blank line, and on from the end of each run:
    # each line is read once (a pattern that also read the blank lines before a run read them
    # again from each of them, n² steps for n blank lines).
    while (head := _head().search(text, position)) is not None:
        start = head.start()
        m = _run_pattern().match(text, start) if _after_a_blank_line(text, start) else None
        if m is None:
            position = head.end()
            continue
        position = stop = m.end()
        if text.count("\n", start, stop) + 1 < min_run:
            continue
        line += text.count("\n", counted, start)
        counted = start
        runs += [(a, b) for a, b in _blank_ended(text[start:stop], line) if b - a >= min_run]
    return runs


@cache
def _head() -> re.Pattern[str]:
    """Where a line may open an HTML block of kind 6 or 7: at most three spaces, `<` or `</`
    and a letter, where the line's text meets kind 6's own condition (markdown-it-py's
    `HTML_SEQUENCES`) or ends in `>` and white space (kind 7: one whole tag, then `\\s*$`;
    `[^\\S\\n]` is `\\s` within a line). Lines like `<b>x` (a paragraph's) are passed over in
    one search, not each tried as a run."""
    from markdown_it.rules_block.html_block import HTML_SEQUENCES  # never for `import crosspost`

    six = anchored(HTML_SEQUENCES[_KIND_SIX][0])
    return re.compile(rf"^[ ]{{0,3}}(?=<)(?={six}|[^\n]*>[^\S\n]*$)</?[A-Za-z]", re.M)


def _after_a_blank_line(text: str, start: int) -> bool:
    """Whether the line starting at `start` is the text's first or follows a blank one."""
    at = start - 2  # the last character of the line above, if any
    while at >= 0 and text[at] in " \t":
        at -= 1
    return at < 0 or text[at] == "\n"


def _blank_ended(run: str, first: int) -> list[tuple[int, int]]:
    """The line ranges of `run` (chunks that may each open an HTML block, from line `first`)
    in which every chunk does open one that a blank line ends (kind 6 or 7), each from a
    chunk's first line to a chunk's last."""
    from markdown_it.rules_block.html_block import HTML_SEQUENCES  # never for `import crosspost`

    # Kinds 1 to 5 are refused by the run's pattern: a line that meets no earlier condition is
    # of the first of these two it meets.
    six, seven = (opening for opening, _closing, _interrupts in HTML_SEQUENCES[_KIND_SIX:])
    parts = _BETWEEN.split(run)  # a chunk, the line break and blank lines after it, a chunk, …
    found: list[tuple[int, int]] = []
    line = end = first  # the chunk's first line; the end of the last one taken
    begin: int | None = None  # the first line of the range being read
    for index in range(0, len(parts), 2):
        chunk = parts[index]
        lines = chunk.count("\n") + 1
        head = chunk.partition("\n")[0].lstrip(" ")
        if six.search(head) is not None or seven.search(head) is not None:
            begin = line if begin is None else begin
            end = line + lines
        elif begin is not None:
            found.append((begin, end))
            begin = None
        if index + 1 < len(parts):
            line += lines + parts[index + 1].count("\n") - 1
    if begin is not None:
        found.append((begin, end))
    return found


@cache
def _run_pattern() -> re.Pattern[str]:
    """Chunks that may each open an HTML block a blank line ends, and the blank lines between
    them: the first line of each chunk, after at most three spaces, is `<` or `</` and a
    letter, meets none of the parser's start conditions of kinds 1 to 5 (markdown-it-py's
    `HTML_SEQUENCES`, read on the line without its spaces, as its rule reads it), and holds no
    `|` unless a blank line or the text's end follows it; no line holds `$$`. Whether it meets
    that of kind 6 or 7 is asked of each such line (`_blank_ended`): kind 7's pattern would
    read on past the line's end here.

    The conditions are the parser's patterns, each anchored at the line's text (`^` dropped:
    they are read after the spaces here) with its flags; `$` and `\\s` read the same at a
    line's end in the whole text as in the line alone (a `\\s` that matches the line break is
    where `$` matches)."""
    from markdown_it.rules_block.html_block import HTML_SEQUENCES  # never for `import crosspost`

    before = "|".join(anchored(opening) for opening, _end, _ in HTML_SEQUENCES[:_KIND_SIX])
    rest = r"(?:[^\n$]|\$(?!\$))*+"  # the rest of a line without `$$`
    alone = r"(?=\n[ \t]*+(?:\n|\Z)|\Z)"  # a blank line or the text's end after the line
    line = rf"(?:[^\n|$]|\$(?!\$))*+(?![^\n])|{rest}(?![^\n]){alone}"  # a `|`: a table's head?
    head = rf"[ ]{{0,3}}(?!{before})(?=</?[A-Za-z])(?:{line})"
    # Its lines, up to a blank line or the text's end (a line holding `$$` ends no chunk).
    chunk = rf"{head}(?:\n[ \t]*+(?=[^ \t\n]){rest}(?![^\n]))*+{alone}"
    return re.compile(rf"{chunk}(?:\n(?:[ \t]*+\n)++{chunk})*+")


def anchored(pattern: re.Pattern[str]) -> str:
    """One of the parser's HTML block start conditions (`HTML_SEQUENCES`) as a part of a larger
    pattern: without its `^`, to be read where a line's text begins, with its flags."""
    body = pattern.pattern.removeprefix("^")
    return f"(?i:{body})" if pattern.flags & re.IGNORECASE else f"(?:{body})"


# A line break and the blank lines after it: what ends each chunk of a run (kept by `split`).
_BETWEEN = re.compile(r"(\n(?:[ \t]*\n)+)")
_KIND_SIX = 5  # the index of kind 6 among the parser's HTML block start conditions


def html_block_tokens(run: str, first: int, *, last: bool) -> list[Token]:
    """The parser's tokens for `run`, the text of a run `html_runs` found on lines `first` and
    after (`last`: ending the text): one `html_block` for each chunk of non-blank lines."""
    made = token_maker()
    parts = _BETWEEN.split(run)  # a chunk, the line break and blank lines after it, a chunk, …
    tokens: list[Token] = []
    line = first
    for index in range(0, len(parts), 2):
        chunk = parts[index]
        lines = chunk.count("\n") + 1
        content = chunk if last and index == len(parts) - 1 else chunk + "\n"
        where = [line, line + lines]
        tokens.append(
            made("html_block", "", 0, {}, where, 0, None, content, "", "", {}, True, False)
        )
        if index + 1 < len(parts):
            line += lines + parts[index + 1].count("\n") - 1
    return tokens
