"""Markdown read without the parser where that provably gives the parser's answer, for speed.

markdown-it-py is pure Python: on a long post most of the transform's time is its parse. Four
common cases are told more cheaply, each exactly as the parser (`crosspost.mdspans` builds it:
CommonMark with GFM tables, footnotes and `$` math) tells them, and
tests/hostile/test_body_properties.py compares each with the parser on generated input.

**A body of paragraphs only** (`paragraphs_only`). A body in which no line can begin any block
but a paragraph parses to one paragraph per run of non-blank lines: a line that cannot begin a
block cannot interrupt a paragraph either, so only blank lines end one. markdown-it finds that
out slowly on long paragraphs (each line is tried against every rule that may interrupt a
paragraph, twice: once while looking for a setext underline, once for the paragraph); a
megabyte of `#hashtag` lines, which CommonMark reads as text, took it seconds. Every block rule
of the parser can only match a line that `_other_block_start` matches:

- indented code: four columns of indentation (four spaces, or a tab after up to three spaces;
  a tab is refused wherever it is in the indentation, as its width depends on the column);
- blockquote `>`, reference definition and footnote `[`, fence of three backticks or tildes,
  math block `$$`;
- table: it begins at its header line, any line holding a `|`, but only where the line below is
  a delimiter row, which begins with `|`, `-` or `:` and holds nothing but those, spaces and
  tabs (markdown-it-py's `table` rule, "the equivalent of /^[-:|][-:|\\s]*$/", its spaces
  `isStrSpace`'s two): a body with no such line holds no table. Such a row is matched here
  (`DELIMITER_ROW`; one beginning with `-` by the last form below too), and any other line
  beginning with `|` or `:` is text (`| a |`, `: note`);
- HTML block: a `<` that meets one of the parser's own start conditions of kinds 1 to 6, or
  `<` or `</` and a letter on a line ending in `>` and white space (kind 7's whole tag alone on
  its line), `_html_mark`: `<a` and `<img src="a.png">x` are text. A body of paragraphs has
  such a kind-7 line only at its top, after a blank line or after a heading (`_OPENS_SEVEN`,
  refused); below any other line, one of a paragraph, it continues that paragraph: an HTML
  block of kind 7 cannot interrupt one (the third field of markdown-it-py's `HTML_SEQUENCES`),
  and no other rule takes a line beginning with `<` but `table`, whose delimiter row would be
  the next line, a block line here (`a` then `<img src="a.png">`: one paragraph);
- ATX heading: `#`s then a space, a tab or the line's end (`#x` and `#7` are text; one to six
  are told apart here, `_heading`, and seven or more are text the pattern refuses too);
- bullet list item: `-`, `+` or `*` then a space, a tab or the line's end;
- ordered list item: up to nine digits, `.` or `)`, then a space, a tab or the line's end;
- thematic break, setext underline, table delimiter row starting with `-`, an empty list item:
  a line whose first character is one of `-+*_=` and whose rest is only `-+*_=:|`, spaces and
  tabs;

each after up to three spaces. The parser's own normalisation (CR, NUL) is refused too, so the
lines are the parser's lines.

**A body of paragraphs only, as one run** (`paragraphs_only` with `min_run`). A token trio
for each block of a megabyte of one-word paragraphs (350,000 of them) took 260 MB, and every
rule walked them. Such a body is one paragraph standing for all its blocks (`BLOCK_RUN` in its
`meta`), its content the body's text from its first block's line to its last's: each block's
content is a part of that text (a paragraph's lines stripped, a heading's text), so a reader
that wants a block's content whenever it wants a part of it (`crosspost.mdspans.find_spans`)
passes over the run when it does not want the run's text, and otherwise reads the blocks
`run_blocks` makes of it, one at a time, exactly those the parse above makes (it reads the run's
text as it reads the body's: the same blocks, each line's number counted from the run's first;
`unfolded` puts them all back). The rules that read the run as a whole read what they would
read in each block: the `#` that starts a line of one of its paragraphs (a blank line holds
none, and a heading's line is told by the pattern that made it one, `is_heading_line`), and no
line of it begins like a reference definition (a `[` after at most three spaces begins a block
line: such a body has none).

**Runs of paragraphs in other bodies** (`plain_runs`): long runs of such lines between blank
lines, each given to the parser as one line of text where that line comes out a top-level
paragraph. There nothing is open before the run, and its lines read as a body of them alone
reads (`crosspost.mdcuts`): with `min_run`, one of that many blocks is one paragraph standing
for them all too, as above (one list item at a megabyte's end kept 210,000 paragraphs of `*a*`
a token trio each: 1.3 s). Its readers read the same: the run's text is the body's text on its
lines (a line's number counted from the run's first, its map's), so the pattern that finds a
heading's line at a line's start finds the same there, and the lines of its paragraphs begin
with no `[` in the body either.

**A block whose only inline syntax is plain links** (`plain_link_spans`): text, `*` and `_`,
and `[text](destination)` or `![alt](source)` with no brackets inside and a destination without
spaces, controls, parentheses, brackets or `&`. With no backtick, `<`, `>`, backslash, `$` or `^`
anywhere in the block, no code span, raw HTML, autolink, escape, math or footnote can start, so
nothing can take precedence over such a link or hide it; every `[` and `]` is one of those links'
(any other bracket is refused), so none is nested or a reference; emphasis never decides where a
link is. Each is then a link exactly when markdown-it accepts its destination (`validateLink`,
which only refuses some schemes: asked for any destination with a `:`).

**Runs of one-line list items and table rows** are read without the parser too
(`crosspost.mdsiblings`).

**A body without code** (`may_hold_code`), which needs no parse before the rules run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from itertools import compress, count, islice
from operator import methodcaller, not_
from typing import TYPE_CHECKING

from .mdhtml import anchored
from .mdtokens import MakeToken, token_maker

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = [
    "BLOCK_MARK",
    "BLOCK_RUN",
    "DELIMITER_ROW",
    "is_heading_line",
    "may_hold_code",
    "paragraphs_only",
    "plain_link_prefix",
    "plain_link_spans",
    "plain_runs",
    "run_blocks",
    "unfolded",
]

# A table's delimiter row from its first character (markdown-it-py's `table` rule: `|`, `-` or
# `:`, then only those, spaces and tabs), in a multiline pattern.
DELIMITER_ROW = r"[-:|][-:| \t]*$"
# What begins a block where a line's text begins (after its container and up to three spaces),
# in a multiline pattern: the forms listed above but indentation and HTML (`_html_mark`).
_MARK_BUT_HTML = (
    rf"[>\[]|{DELIMITER_ROW}|`{{3}}|~{{3}}|\$\$"
    r"|\#+(?:[ \t]|$)"
    r"|[-+*](?:[ \t]|$)"
    r"|\d{1,9}[.)](?:[ \t]|$)"
    r"|[-+*_=][-+*_=:| \t]*$"
)
# The same with every `<`, for lines read where the parser's patterns are not at hand.
BLOCK_MARK = rf"<|{_MARK_BUT_HTML}"


@cache
def _other_block_start(seven: bool = True) -> re.Pattern[str]:
    """Where a line's text may begin a block other than a paragraph or an ATX heading (told
    apart without the parser, `_heading`): `_MARK_BUT_HTML`'s forms but headings of one to six
    `#`s, four columns of indentation, and a `<` where the line may open an HTML block
    (`_html_mark`; without `seven`, of kinds 1 to 6 only: `_opens_seven` finds the others)."""
    mark = _MARK_BUT_HTML.replace(r"|\#+(?:[ \t]|$)", r"|\#{7,}(?:[ \t]|$)")
    html = _html_mark() if seven else _html_mark().removeprefix(_SEVEN + "|")
    return re.compile(rf"^(?:[ ]{{0,3}}\t|[ ]{{4}}|[ ]{{0,3}}(?:{mark}|{html}))", re.M)


# A line's text that may be one whole tag (kind 7 of the HTML blocks), in a multiline pattern.
_SEVEN = r"</?[A-Za-z][^\n]*>[^\S\n]*$"
# Such a line at the top, after a blank line or after an ATX heading: where it may open an HTML
# block. Below any other line of a body of paragraphs it continues a paragraph (kind 7 is the
# one kind that cannot interrupt a paragraph, `HTML_SEQUENCES`' third field): `a` then
# `<img src="a.png">` is one paragraph of two lines.
_OPENS_SEVEN = re.compile(
    rf"(?:\A|^[ \t]*\n|^[ ]{{0,3}}\#{{1,6}}(?:[ \t][^\n]*)?\n)[ ]{{0,3}}{_SEVEN}", re.M
)


def _html_mark() -> str:
    """A `<` where a line's text may open an HTML block, in a multiline pattern read where the
    text begins: where it meets the parser's start condition of kind 1 to 6 (its own patterns,
    markdown-it-py's `HTML_SEQUENCES`; their `$` and `\\s` read the same at a line's end in the
    whole text as in the line alone), or where it begins `<` or `</` and a letter and ends in
    `>` and white space, as a line of one whole tag does (kind 7: a tag, then `\\s*$`; `[^\\S\\n]`
    is `\\s` within a line). A line beginning with `<` that meets neither is a paragraph's line
    wherever it stands: only `html_block` and `paragraph` take a line that begins with `<` (and
    `table`, whose delimiter row is a block line here), and a line that opens no HTML block
    interrupts no paragraph (`<a`, `<img src="a.png">x`)."""
    from markdown_it.rules_block.html_block import HTML_SEQUENCES  # never for `import crosspost`

    kinds = [anchored(opening) for opening, _closing, _interrupts in HTML_SEQUENCES[:_KIND_SEVEN]]
    # The line of one tag first: it is read fast and takes most lines that open a block (the
    # tag names of kind 6 are tried one by one).
    return "|".join([_SEVEN, *kinds])


_KIND_SEVEN = 6  # the index of kind 7 among the parser's HTML block start conditions
_HEADING = re.compile(r"^[ ]{0,3}(\#{1,6})(?:[ \t]|$)", re.M)
_LEVELS = ("", "h1", "h2", "h3", "h4", "h5", "h6")

# A run of non-blank lines (blank: only spaces and tabs, as CommonMark and the parser say).
_PARAGRAPH = re.compile(r"^[ \t]*[^ \t\n].*(?:\n[ \t]*[^ \t\n].*)*", re.M)


def paragraphs_only(text: str, min_run: int | None = None) -> list[Token] | None:
    """markdown-it's block tokens for `text` when every block in it is a paragraph or an ATX
    heading; None when a line might begin another block (then only the parser can tell).

    An ATX heading (`## Title`) is one line that interrupts a paragraph and holds no block: a
    run of non-blank lines is paragraphs between its heading lines. With `min_run`, a text of
    at least `min_run` such runs or headings, and two, is one paragraph standing for all its blocks
    (`BLOCK_RUN`, read with `run_blocks`; `unfolded` gives the parser's tokens back)."""
    if "\r" in text or "\0" in text or _other_block_start(seven=False).search(text) is not None:
        return None
    if "<" in text and _OPENS_SEVEN.search(text) is not None:
        return None
    made = _Made()
    least = 0 if min_run is None else max(2, min_run)
    if not least or _fewer_blocks(text, least):
        made.blocks(_blocks(text, 0))
        return made.tokens
    first = _PARAGRAPH.search(text)
    assert first is not None  # the text holds blocks
    last = len(text.rstrip(" \t\n"))  # just after the last block's last character
    line_end = text.find("\n", last)
    content = text[first.start() : len(text) if line_end == -1 else line_end]
    opening = text.count("\n", 0, first.start())
    made.block("p", opening, opening + content.count("\n") + 1, content, run=True)
    return made.tokens


def _fewer_blocks(text: str, least: int) -> bool:
    """Whether `text` (paragraphs and headings only) may hold fewer than `least` blocks: it
    holds at least as many as its runs of non-blank lines (one more than the runs of blank
    lines between its first and last character that is not a space, a tab or a line break),
    and as its headings. Counted without reading its lines one by one (a megabyte-long
    paragraph of `#x` lines)."""
    inner = text.strip(" \t\n")
    runs = len(list(islice(_BLANK_LINES.finditer(inner), least - 1))) + 1 if inner else 0
    return runs < least and len(list(islice(_HEADING.finditer(text), least))) < least


# A run of blank lines, with the line break before it.
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


# What marks a paragraph standing for a run of blocks (`paragraphs_only`): its `meta`.
BLOCK_RUN = "block_run"


def run_blocks(
    run: Token, keep: Callable[[str], bool] | None = None
) -> Iterator[tuple[str, Token]]:
    """The tag (`p`, `h1`...) and inline token of each block a run's inline token stands for,
    in order, each token as the parser makes it (made one at a time: a reader may stop); with
    `keep`, only those of the blocks whose content it accepts (no token is made for the
    others: a megabyte of one-word paragraphs and one link is one token, not 350,000)."""
    assert run.map is not None
    made = token_maker()
    for tag, first, end, content, _markup in _blocks(run.content, run.map[0]):
        if keep is None or keep(content):
            yield tag, _inline(made, [first, end], content, {})


def is_heading_line(text: str, start: int) -> bool:
    """Whether the line of a body of paragraphs and headings only starting at `start` is an
    ATX heading (`paragraphs_only`)."""
    return _HEADING.match(text, start) is not None


def unfolded(tokens: list[Token]) -> list[Token]:
    """`tokens` with each paragraph standing for a run replaced by the tokens of the blocks it
    stands for: the parser's tokens."""
    out: list[Token] = []
    closing = False  # the token is a run's closing one
    for token in tokens:
        if BLOCK_RUN in token.meta:
            if token.type == "inline":
                assert token.map is not None
                made = _Made()
                made.blocks(_blocks(token.content, token.map[0]))
                out += made.tokens
                closing = True
        elif closing:
            closing = False
        else:
            out.append(token)
    return out


Block = tuple[str, int, int, str, str]  # kind ("p", "h1"...), first line, end line, content, markup


def _blocks(text: str, line: int) -> Iterator[Block]:
    """The paragraphs and headings of `text` (paragraphs and ATX headings only), whose first
    line is line `line`, in order."""
    from markdown_it.common.utils import MD_TRIM_CHARS  # never for `import crosspost`

    position = 0
    for m in _PARAGRAPH.finditer(text):
        line += text.count("\n", position, m.start())
        position = m.end()
        run = m.group()
        if "\n" not in run:  # one line (a heading between blank lines: the common case)
            marks = _HEADING.match(run) if "#" in run else None
            if marks is None:
                yield "p", line, line + 1, run.strip(MD_TRIM_CHARS), ""
            else:
                yield _heading_block(line, run, marks)
            continue
        end = line + run.count("\n") + 1
        if "#" not in run or _HEADING.search(run) is None:
            yield "p", line, end, run.strip(MD_TRIM_CHARS), ""
            line = end - 1
            continue
        paragraph: list[str] = []
        for number, one in enumerate(run.split("\n"), start=line):
            marks = _HEADING.match(one)
            if marks is None:
                paragraph.append(one)
                continue
            if paragraph:
                content = "\n".join(paragraph).strip(MD_TRIM_CHARS)
                yield "p", number - len(paragraph), number, content, ""
                paragraph = []
            yield _heading_block(number, one, marks)
        if paragraph:
            content = "\n".join(paragraph).strip(MD_TRIM_CHARS)
            yield "p", end - len(paragraph), end, content, ""
        line = end - 1


def _heading_block(number: int, line: str, marks: re.Match[str]) -> Block:
    level = marks.group(1)
    return _LEVELS[len(level)], number, number + 1, _heading(line, marks.end(1)), level


class _Made:
    """Tokens made for blocks (`token_maker`), as the parser makes them but for one closing
    token per tag, shared by every block of it: the transform reads tokens and never changes
    one without a map (a megabyte of headings: 116,000 tokens, 30 MB, fewer)."""

    def __init__(self) -> None:
        self.tokens: list[Token] = []
        self.closers: dict[str, Token] = {}
        self.made = token_maker()

    def blocks(self, blocks: Iterable[Block]) -> None:
        for kind, first, end, content, markup in blocks:
            self.block(kind, first, end, content, markup)

    def block(
        self, kind: str, first: int, end: int, content: str, markup: str = "", run: bool = False
    ) -> None:
        """The tokens of one block; with `run`, of one standing for a run of blocks."""
        opening, closing, tag = _BLOCK_TOKENS[kind]
        made = self.made
        lines = [first, end]  # one list for both maps (a megabyte of headings: 116,000 lists)
        closer = self.closers.get(tag)
        if closer is None:
            closer = self.closers[tag] = made(
                closing, tag, -1, {}, None, 0, None, "", markup, "", {}, True, False
            )
        meta = {BLOCK_RUN: True} if run else {}
        self.tokens.extend(
            (
                made(opening, tag, 1, {}, lines, 0, None, "", markup, "", meta, True, False),
                _inline(made, lines, content, dict(meta)),
                closer,
            )
        )


def _inline(made: MakeToken, lines: list[int], content: str, meta: dict[str, bool]) -> Token:
    return made("inline", "", 0, {}, lines, 1, [], content, "", "", meta, True, False)


# Per block tag: its opening and closing tokens' types, and the tag.
_BLOCK_TOKENS = {
    "p": ("paragraph_open", "paragraph_close", "p"),
    **{tag: ("heading_open", "heading_close", tag) for tag in _LEVELS[1:]},
}


def _heading(line: str, start: int) -> str:
    """An ATX heading's content as markdown-it's heading rule takes it: after the `#`s, without
    the spaces and tabs at its end, then without a closing run of `#`s that follows a space or
    a tab, then trimmed of CommonMark's white space (the parser's `mdTrim`; `str.strip` would
    also take U+0085 and U+001C to U+001F, which are text)."""
    from markdown_it.common.utils import MD_TRIM_CHARS  # never for `import crosspost`

    rest = line[start:]
    body = rest[: len(rest.rstrip(" \t"))]
    closing = len(body.rstrip("#"))
    if closing > 0 and body[closing - 1] in " \t":
        body = body[:closing]
    return body.strip(MD_TRIM_CHARS)


# Runs shorter than this are left to the parser: standing one in for it costs more than it saves.
MIN_RUN = 32


def plain_runs(text: str, min_run: int = MIN_RUN) -> list[tuple[int, int]]:
    """Line ranges [first, end) of `text` that hold only paragraph lines (none holding `$$`)
    and blank lines, start after a blank line (or at the top) and end before one (or at the
    bottom): read alone, each is paragraphs only.

    Where such a run stands at the top level with nothing left open before it (no fence, no HTML
    block that blank lines do not end, no list item its first line's indentation continues), it
    is paragraphs only in the body too, and the lines after it read as after any paragraph: the
    parser may be given one line of text in its place (`crosspost.mdspans` does, and checks
    that line came out a top-level paragraph). A megabyte of `#hashtag` lines below one list
    item then costs no more than without it."""
    if "\r" in text or "\0" in text:
        return []
    lines = text.split("\n")
    runs: list[tuple[int, int]] = []
    line = position = 0
    # The stretches of lines between block lines, each found whole (not each block line: a
    # megabyte of list items or quote lines has 200,000, and no stretch).
    for m in _stretches("$$" in text).finditer(text):
        start, stop = m.span()
        if stop - start < min_run - 1:  # fewer lines than a run holds (one per line break)
            continue
        line += text.count("\n", position, start)
        position = start
        low = line - 1  # a block line above, or none
        high = line + text.count("\n", start, stop) + (stop == len(text))
        first = low + 1
        if low >= 0:  # the run starts after a blank line below the block's line
            first = _next(lines, first, high, blank=True)
        first = _next(lines, first, high, blank=False)
        end = high
        if high < len(lines):  # and ends before a blank line above the next block's line
            end = _last(lines, first, end, blank=True) + 1
        end = _last(lines, first, end, blank=False) + 1
        if end - first >= min_run:
            runs.append((first, end))
    return runs


def _next(lines: list[str], first: int, end: int, *, blank: bool) -> int:
    """The first of the lines `first`..`end` that is blank (with `blank`) or not; `end` if none.

    Read in C (a stretch may be a million blank lines) and no further than that line; the
    slice copies only this stretch's lines, each stretch's a few times; the first line is read
    alone before (it is the one in most stretches, for which the iterators cost more)."""
    if first == end or (not lines[first].strip(" \t")) == blank:
        return first
    texts = map(_STRIPPED, lines[first:end])
    return next(compress(count(first), map(not_, texts) if blank else texts), end)


def _last(lines: list[str], first: int, end: int, *, blank: bool) -> int:
    """The last of the lines `first`..`end` that is blank (with `blank`) or not; `first - 1` if
    none (read as `_next` reads, from the end)."""
    if first == end or (not lines[end - 1].strip(" \t")) == blank:
        return end - 1
    texts = map(_STRIPPED, reversed(lines[first:end]))
    return next(compress(count(end - 1, -1), map(not_, texts) if blank else texts), first - 1)


# A line's text without the spaces and tabs around it: empty for a blank line.
_STRIPPED = methodcaller("strip", " \t")


@cache
def _block_lines(math: bool) -> re.Pattern[str]:
    """The lines a run of paragraphs stops at: those that may begin a block
    (`_other_block_start`), and with `math` those holding `$$`, which may end one opened above
    (display math is only a block when a later line ends in `$$`, which may be a line of
    text)."""
    return re.compile(_other_block_start().pattern + (r"|^.*\$\$" if math else ""), re.M)


@cache
def _stretches(math: bool) -> re.Pattern[str]:
    """Maximal stretches of lines none of which is a block line (`_block_lines`), the text's
    last line counted even when empty.

    Lines of at most three spaces, never block lines (each of those needs a tab, four spaces
    or a character other than a space), are taken many at a time without trying the block
    line's pattern on each (a megabyte of blank lines: a tenth of a second less)."""
    block = _block_lines(math).pattern
    return re.compile(rf"(?:^(?:(?:[ ]{{0,3}}\n)++|(?!{block})[^\n]*+(?:\n|\Z)))++", re.M)


def may_hold_code(text: str, *, mdx: bool = False) -> bool:
    """False when `text` certainly holds no code block, so that no parse is needed to find one.

    A fence needs three backticks or tildes in a row; indented code (not in MDX) needs four
    columns of indentation past its container's content, made of spaces and tabs: without a
    tab, that is four spaces in a row (`-     code`, `>     code`)."""
    if "```" in text or "~~~" in text:
        return True
    return not mdx and ("\t" in text or "    " in text)


# What could start inline syntax other than a plain link, or be a link's content that is not.
_NOT_PLAIN = re.compile(r"[`<>\\$^]")
_PLAIN_LINK = re.compile(r"!?\[[^\[\]]*\]\(([^\x00-\x20\x7f()\[\]&]+)\)")


def plain_link_spans(
    content: str, valid: Callable[[str], bool]
) -> list[tuple[str, int, int]] | None:
    """The destinations of the links and images in one block's inline content, as the inline
    parse records them (`("destination", start, end)`, in order), when its only inline syntax is
    plain links; None when it may hold anything else. `valid` is the parser's `validateLink`."""
    found, end = plain_link_prefix(content, valid)
    rest = content[end:]
    if _NOT_PLAIN.search(rest) is not None or "[" in rest or "]" in rest:
        return None
    return found


def plain_link_prefix(
    content: str, valid: Callable[[str], bool]
) -> tuple[list[tuple[str, int, int]], int]:
    """The destinations of the plain links that come before anything else in one block's inline
    content but text (as `plain_link_spans` reads them), and where the last of them ends (0:
    none): the parser's recording rules find those, and in the rest what they find when the
    inline parse of the content starts there (its state's position set to the cut, the text
    before it in place: the rules that look back, as `math_inline` at the characters before a
    `$`, read what they read in the whole parse).

    Right after a link the parser is in a block's first state but for its position: its link
    rule has just returned, having flushed the pending text into a token; with emphasis off
    (and no strikethrough), no rule leaves a delimiter; the text before the cut holds no `[`
    that a `]` after it could close (each of its brackets is one of its plain links'), nor
    anything that starts a code span, raw HTML, an autolink, an escape, math or a footnote
    (`_NOT_PLAIN`), which could reach past the cut or be cached for a later position (a code
    span's closers). A megabyte-long paragraph of images whose last one is cut short is read to
    that image, and only the rest is parsed."""
    trouble = _NOT_PLAIN.search(content)
    limit = len(content) if trouble is None else trouble.start()
    found: list[tuple[str, int, int]] = []
    position = 0
    for m in _PLAIN_LINK.finditer(content, 0, limit):
        between = content[position : m.start()]
        if "[" in between or "]" in between:
            break
        destination = m.group(1)
        if ":" in destination and not valid(destination):
            break
        found.append(("destination", m.start(1), m.end(1)))
        position = m.end()
    return found, position
