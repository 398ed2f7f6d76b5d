"""The block parse of a body that holds nothing but paragraphs, without running the parser.

A body in which no line can begin any block but a paragraph parses, in CommonMark, to one
paragraph per run of non-blank lines: a line that cannot begin a block cannot interrupt a
paragraph either, so only blank lines end one. markdown-it finds that out slowly on long
paragraphs (each line is tried against every rule that may interrupt a paragraph, twice: once
while looking for a setext underline, once for the paragraph), and a megabyte of `#hashtag`
lines, which CommonMark reads as text, takes it seconds. This module gives the same tokens in
one scan of the text.

Sound because every block rule of the parser `crosspost.mdspans` builds (CommonMark with GFM
tables, footnotes and `$$` math) can only match a line that `_BLOCK_START` matches:

- indented code: four columns of indentation (four spaces, or a tab after up to three spaces;
  a tab is refused wherever it is in the indentation, as its width depends on the column);
- blockquote `>`, reference definition and footnote `[`, HTML block `<`, table delimiter row
  `|` or `:`, fence of three backticks or tildes, math block `$$`;
- ATX heading: `#`s then a space, a tab or the line's end (`#x` and `#7` are text);
- bullet list item: `-`, `+` or `*` then a space, a tab or the line's end;
- ordered list item: up to nine digits, `.` or `)`, then a space, a tab or the line's end;
- thematic break, setext underline, table delimiter row starting with `-`, an empty list item:
  a line whose first character is one of `-+*_=` and whose rest is only `-+*_=:|`, spaces and
  tabs;

each after up to three spaces. The parser's own normalisation (CR, NUL) is refused too, so the
lines are the parser's lines. tests/hostile/test_body_properties.py checks, on generated bodies,
that these tokens are the parser's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["may_hold_code", "paragraphs_only"]

_BLOCK_START = re.compile(
    r"^(?:[ ]{0,3}\t|[ ]{4}|[ ]{0,3}(?:"
    r"[>\[<|:]|`{3}|~{3}|\$\$"
    r"|\#+(?:[ \t]|$)"
    r"|[-+*](?:[ \t]|$)"
    r"|\d{1,9}[.)](?:[ \t]|$)"
    r"|[-+*_=][-+*_=:| \t]*$"
    r"))",
    re.M,
)

# A run of non-blank lines (blank: only spaces and tabs, as CommonMark and the parser say).
_PARAGRAPH = re.compile(r"^[ \t]*[^ \t\n].*(?:\n[ \t]*[^ \t\n].*)*", re.M)


def paragraphs_only(text: str) -> list[Token] | None:
    """markdown-it's block tokens for `text` when every block in it is a paragraph; None when a
    line might begin another block (then only the parser can tell)."""
    if "\r" in text or "\0" in text or _BLOCK_START.search(text) is not None:
        return None
    from markdown_it.common.utils import mdTrim  # the parser's trim: never for `import crosspost`
    from markdown_it.token import Token

    tokens: list[Token] = []
    line = position = 0
    for m in _PARAGRAPH.finditer(text):
        line += text.count("\n", position, m.start())
        position = m.end()
        end = line + m.group().count("\n") + 1
        inline = Token("inline", "", 0, map=[line, end], level=1, content=mdTrim(m.group()))
        inline.block, inline.children = True, []
        tokens += [
            Token("paragraph_open", "p", 1, map=[line, end], block=True),
            inline,
            Token("paragraph_close", "p", -1, block=True),
        ]
        line = end - 1
    return tokens


def may_hold_code(text: str, *, mdx: bool = False) -> bool:
    """False when `text` certainly holds no code block, so that no parse is needed to find one.

    A fence needs three backticks or tildes in a row; indented code (not in MDX) needs four
    columns of indentation past its container's content, made of spaces and tabs: without a
    tab, that is four spaces in a row (`-     code`, `>     code`)."""
    if "```" in text or "~~~" in text:
        return True
    return not mdx and ("\t" in text or "    " in text)
