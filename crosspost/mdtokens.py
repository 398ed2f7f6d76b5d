"""markdown-it tokens made fast, for the shortcuts that stand in for its parser.

The shortcuts (`crosspost.mdplain`, `crosspost.mdcuts`) make a token for each block they read
without the parser: a megabyte of headings makes 350,000. `Token`'s dataclass constructor
builds a default dict for `attrs` and for `meta` whether given or not, then converts `attrs`
(`__post_init__`): three times what setting the fields costs. `token_maker` sets them as the
constructor leaves them for a dict of `attrs`; tests/hostile/test_transform_shortcuts.py
compares its tokens with the constructor's, field by field.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["MakeToken", "token_maker"]

# type, tag, nesting, attrs, map, level, children, content, markup, info, meta, block, hidden:
# `Token`'s fields in their order.
MakeToken = Callable[
    [
        str,
        str,
        int,
        dict[str, Any],
        "list[int] | None",
        int,
        "list[Token] | None",
        str,
        str,
        str,
        dict[Any, Any],
        bool,
        bool,
    ],
    "Token",
]


@cache
def token_maker() -> MakeToken:
    """A function of `Token`'s fields, in their order, that makes the token `Token` makes of
    them when `attrs` is a dict (never a list of pairs or None, which the constructor converts)."""
    from markdown_it.token import Token  # the parser: never for `import crosspost`

    new = Token.__new__

    def made(
        kind: str,
        tag: str,
        nesting: int,
        attrs: dict[str, Any],
        lines: list[int] | None,
        level: int,
        children: list[Token] | None,
        content: str,
        markup: str,
        info: str,
        meta: dict[Any, Any],
        block: bool,
        hidden: bool,
    ) -> Token:
        token = new(Token)
        token.type = kind
        token.tag = tag
        token.nesting = nesting  # type: ignore[assignment]
        token.attrs = attrs
        token.map = lines
        token.level = level
        token.children = children
        token.content = content
        token.markup = markup
        token.info = info
        token.meta = meta
        token.block = block
        token.hidden = hidden
        return token

    return made
