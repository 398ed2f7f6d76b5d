"""A block whose inline syntax is only plain links, raw HTML tags and autolinks, read without
the parser.

A paragraph with a tag in it (`<b>x</b>`, `<img src="a.png">` and text) is raw HTML the link
rules read, so it was inline-parsed by markdown-it-py: a megabyte of `<b>x` paragraphs took
three seconds. `tag_link_spans` reads such a block's inline content as the parser's recording
rules (`crosspost.mdspans`) record it, where it holds only text, `*` and `_`, raw HTML tags,
and plain links (`[text](destination)`, `![alt](source)`: no bracket in the text but inside a
tag, a destination without spaces, controls, parentheses, brackets, `&`, `<` or `>`). It
extends `crosspost.mdplain.plain_link_spans`, which refuses any `<` or `>`.

**Why that is the parser's answer.** With no backtick, backslash, `&`, `$` or `^` in the content, of
the inline rules the parser runs (`text`, `newline`, `math_inline`, `escape`, `backticks`, `link`,
`image`, `footnote_inline`, `footnote_ref`, `autolink`, `html_inline`, `entity`, in that order;
emphasis is off in `crosspost.mdspans`) only `link` (at `[`), `image` (at `![`), `autolink` and
`html_inline` (both at `<`) can match: the others need one of those characters, and `text` and
`newline` never take a `[`, `!` or `<` (all three stop the text rule). Every position the parser
tries a rule at is one where the token before it ended; a `<` there is tried as an autolink first:
markdown-it-py's `autolink` reads from it to the next `<` or `>`, and where that is a `>` and what
lies between is a URL (`AUTOLINK_RE`) that `validateLink` accepts, or else an address (`EMAIL_RE`)
whose `mailto:` link it accepts, it takes all of that, `<` to `>` (`_autolink_end`): a bracket or a
tag inside is the autolink's, and nothing is recorded (`crosspost.mdspans` records no autolink). A
URL `validateLink` refuses (a script's) ends the rule at once, the address not tried. Otherwise
`html_inline` takes the raw HTML its own `HTML_TAG_RE` matches there, and records it whole
(`("html", start, end)`); where it matches nothing the `<` is text (`<javascript:[a](./b)>` is text
and a link). The parser's quick refusals before that pattern (`pos + 2 >= posMax`, the second
character, `html_terminator_last`: a `>`, `-->`, `?>` or `]]>` far enough on) are each a condition
without which the pattern cannot match, so the pattern alone decides; the first is asked here too: a
`<` with no `>` at least two characters after it (after the block's last `>` but one) is text, as it
starts no raw HTML and no autolink (which ends in `>` and holds a `:` or `@`), so that the pattern
is never read on to the block's end from each `<` of a run of tags left open (`a <b> c <d <e`). A
block where a comment, a processing instruction or a CDATA section may start with no `-->`, `?>` or
`]]>` far enough after it (`_left_open`) is refused.

A `[` starts a link (`![`, an image); its label runs to the first `]` the parser's `parseLinkLabel`
meets, stepping over each token as `skipToken` does: tags, whole (a `]` or `[` inside a tag's
attribute is the tag's), and single characters. A `[` in a label, or a `]` or a `[` that is no plain
link's, is refused: it may be nested, or a reference link (the parser then decides). A label's `]`
must be followed by `(destination)`: such a destination is taken whole by `parseLinkDestination`,
nothing else, and the link is one exactly when `validateLink` accepts it (asked of a destination
with a `:`: it reads only a scheme), as in `crosspost.mdplain`. The link rule then tokenizes the
link's text with the same state, so the tags in it are recorded, in order, before the link's
destination (recorded when the rule returns); an image's alt text is parsed as a text of its own,
whose tags are not recorded (`_collector` in `crosspost.mdspans`). The tags in a label are those the
label's reading stepped over: tokenizing it tries the same rules at the same positions (within a
label, anything that could be an autolink is refused, valid or not: the label's own reading steps
over one), and a tag inside it ends before its `]`, so `pos + 2 < posMax` there too.

tests/hostile/test_inline_tags.py compares `tag_link_spans` with the parser's recording rules
on generated input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

__all__ = ["tag_link_spans"]

Found = tuple[str, int, int]

# What could start inline syntax other than a plain link or raw HTML.
_NOT_TAGS = re.compile(r"[`\\&$^]")
# A plain link's destination in its parentheses, read just after its label's `]`.
_DESTINATION = re.compile(r"\(([^\x00-\x20\x7f()\[\]&<>]+)\)")
# Where an autolink's scan stops.
_ANGLE = re.compile(r"[<>]")
# Where a token other than text may start: a link's `[` or `]`, and a `<`.
_MARK = re.compile(r"[\[\]<]")


class _Patterns(NamedTuple):
    tag: re.Pattern[str]
    url: re.Pattern[str]
    email: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    """The parser's own patterns for raw HTML and autolinks (never for `import crosspost`)."""
    from markdown_it.common.html_re import HTML_TAG_RE
    from markdown_it.rules_inline.autolink import AUTOLINK_RE, EMAIL_RE

    return _Patterns(HTML_TAG_RE, AUTOLINK_RE, EMAIL_RE)


def tag_link_spans(content: str, valid: Callable[[str], bool]) -> list[Found] | None:
    """The raw HTML and link destinations in one block's inline `content`, as the parser's
    recording rules record them (`("html", start, end)`, `("destination", start, end)`, in
    their order), when its only inline syntax is plain links and raw HTML; None when it may
    hold anything else. `valid` is the parser's `validateLink`."""
    if _NOT_TAGS.search(content) is not None or _left_open(content):
        return None
    patterns = _patterns()
    autolinks = ":" in content or "@" in content  # an autolink holds one or the other
    last = content.rfind(">")  # a `<` after `last - 2` is text: no raw HTML or autolink ends
    found: list[Found] = []
    label: list[Found] | None = None  # the raw HTML in the link text being read
    opener = 0  # where that link's `[` is
    position = 0
    while (mark := _MARK.search(content, position)) is not None:
        at = mark.start()
        position = at + 1
        char = content[at]
        if char == "<":
            if at + 2 > last:
                continue
            if autolinks and label is not None and _autolink(content, at, patterns):
                return None
            if autolinks and (end := _autolink_end(content, at, patterns, valid)) is not None:
                position = end
                continue
            tag = patterns.tag.match(content, at)
            if tag is not None:
                position = tag.end()
                (found if label is None else label).append(("html", at, position))
        elif char == "[":
            if label is not None:
                return None
            label, opener = [], at
        else:  # a `]`
            link = _DESTINATION.match(content, position) if label is not None else None
            if link is None:
                return None
            destination = link.group(1)
            if ":" in destination and not valid(destination):
                return None
            assert label is not None
            if opener == 0 or content[opener - 1] != "!":  # an image's alt text: not recorded
                found += label
            found.append(("destination", link.start(1), link.end(1)))
            label, position = None, link.end()
    return None if label is not None else found


def _autolink(content: str, at: int, patterns: _Patterns) -> bool:
    """Whether the `<` at `at` may start an autolink: what lies between it and the next `<` or
    `>` (`_in_angles`) is a URL or an address (and `validateLink` accepts it, not asked here)."""
    between = _in_angles(content, at)
    return between is not None and (
        patterns.url.search(between) is not None or patterns.email.search(between) is not None
    )


def _autolink_end(
    content: str, at: int, patterns: _Patterns, valid: Callable[[str], bool]
) -> int | None:
    """Where the autolink that the `<` at `at` starts ends, as markdown-it-py's `autolink`
    takes it; None where it takes none (then `html_inline` is tried there, then `text`).

    The rule takes what lies between the `<` and the next `<` or `>` (`_in_angles`) when
    `AUTOLINK_RE` matches it and `validateLink` accepts it (of the link as written:
    `normalizeLink` is the identity in `crosspost.mdspans`), giving up on the first that
    `validateLink` refuses without trying it as an address; otherwise when `EMAIL_RE` matches
    and `validateLink` accepts `mailto:` and it."""
    between = _in_angles(content, at)
    if between is None:
        return None
    end = at + len(between) + 2  # past its `>`
    if patterns.url.search(between) is not None:
        return end if valid(between) else None
    if patterns.email.search(between) is not None and valid("mailto:" + between):
        return end
    return None


def _in_angles(content: str, at: int) -> str | None:
    """What markdown-it-py's `autolink` reads from the `<` at `at`: the text up to the next `<`
    or `>`, when that is a `>` (None otherwise: no autolink starts there)."""
    close = _ANGLE.search(content, at + 1)
    if close is None or content[close.start()] != ">":
        return None
    return content[at + 1 : close.start()]


def _left_open(content: str) -> bool:
    """Whether a comment, a processing instruction or a CDATA section may start somewhere in
    `content` with no `-->`, `?>` or `]]>` far enough after it to end it: the parser does not
    try its pattern there (`html_terminator_last`), which would read on to the end of the
    content from each such place."""
    if "<!" not in content and "<?" not in content:
        return False
    return any(
        content.find(opening, max(content.rfind(closing) - back, 0)) != -1
        for opening, closing, back in _ENDINGS
        if opening in content
    )


# Each kind of raw HTML with its own ending, and how far before that ending's start such raw
# HTML may start and still not be ended by it (`<!-->` and `<!--->` are whole comments).
_ENDINGS = (("<!--", "-->", -1), ("<?", "?>", 1), ("<![CDATA[", "]]>", 8))
