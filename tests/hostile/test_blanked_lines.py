"""The block parse of a body whose excerpt marker lines were emptied, told from the parse made
before (`crosspost.mdemptied.after_emptied`), compared with the parser's on generated bodies
(issue 15: an excerpt marker cost the transform a second parse of the whole post).

Bodies are built from marker lines and every block that may stand before or after one: list
items and their indented continuations, indented code, footnote definitions, quotes, tables,
fences and math left open or closed, HTML blocks of several kinds, definitions, headings and
setext underlines.
"""

from __future__ import annotations

from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crosspost.mdemptied import after_emptied
from crosspost.mdspans import _parse as parse_every_line

from .conftest import both_ways

MARKER = "<!-- more -->"
LINES = [
    *[MARKER, MARKER, "  " + MARKER, "<!--more-->", "", "", "a", "b c", "# h", "---", "==="],
    *["- a", "* b", "1. c", "  d", "   e", "    code", "\tcode", "> q", ">", "[^1]: n"],
    *["[x]: /u", "[x]", "| a |", "|-|", "```", "~~~", "$$", "<div>", "</div>", "<b>", "x <b>"],
    *["<pre>", "</pre>", "<!-- a", "-->", "<?p", "?>"],
]
bodies = st.lists(st.sampled_from(LINES), max_size=14).map("\n".join)


def emptied(body: str) -> str:
    """`body` with its marker lines emptied, as the transform empties them."""
    return "\n".join(
        "" if line.strip() in (MARKER, "<!--more-->") else line for line in body.split("\n")
    )


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies, mdx=st.booleans())
@example(body=f"- a\n{MARKER}\n  b", mdx=False)  # the blank line would continue the item
@example(body=f"    x\n{MARKER}\n    y", mdx=False)  # and join the two code blocks
@example(body=f"[^1]: n\n\n{MARKER}\n\n    m", mdx=False)  # and continue the footnote
@example(body=f"a\n{MARKER}\nb", mdx=False)  # two paragraphs either way
@example(body=f">\n{MARKER}", mdx=False)  # an empty quote's map reaches over a blank line
@example(body=f"[x]: /u\n{MARKER}\n[y]: /v\n\n[x]", mdx=False)  # definitions after it move
def test_a_parse_after_marker_lines_are_emptied_is_the_parsers(body: str, mdx: bool) -> None:
    """Where the parse of the body with its marker lines emptied is told from the parse before,
    its tokens, definitions and environment are those the parser gives."""
    before = parse_every_line(body, mdx=mdx)
    text = emptied(body)
    told = after_emptied(before, text)
    if told is None:
        return
    parsed = parse_every_line(text, mdx=mdx)
    assert told.text == text
    assert [t.as_dict() for t in told.tokens] == [t.as_dict() for t in parsed.tokens]
    assert told.definitions == parsed.definitions
    assert told.env == parsed.env


def test_marker_lines_emptied_are_told_without_the_parser() -> None:
    """The property above is not vacuous: a marker after a paragraph, a heading, a fence or a
    definition is told; one after a list, indented code, a footnote or a quote, or inside
    another block, or a line changed otherwise, is not."""
    for body in [f"a\n\n{MARKER}\n\nb", f"# h\n{MARKER}\n> q", f"[x]: /u\n{MARKER}\n[y]: /v"]:
        assert after_emptied(parse_every_line(body, mdx=False), emptied(body)) is not None, body
    for body in [
        f"- a\n\n{MARKER}",
        f"    x\n\n{MARKER}",
        f"[^1]: n\n{MARKER}",
        f"<div>\n{MARKER}",
    ]:
        assert after_emptied(parse_every_line(body, mdx=False), emptied(body)) is None, body
    parse = parse_every_line(f"a\n{MARKER}\nb", mdx=False)
    assert after_emptied(parse, "a\n\nc") is None  # another line changed
    assert after_emptied(parse, "a\n\nb\n") is None  # a line added


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies, generator=st.sampled_from(["hugo", "docusaurus", None]))
@example(body=f"Intro [a](./a).\n\n{MARKER}\n\n[x]: ./y\n\n[b][x]", generator="hugo")
def test_a_body_with_markers_transforms_as_when_every_line_is_parsed(
    body: str, generator: str | None
) -> None:
    """The whole transform, telling the parse after its markers are emptied, gives the body,
    summaries and notices it gives when every line is parsed (the oracle parses again)."""
    fast, full = both_ways(body, generator)
    assert fast == full


def test_a_marker_costs_no_second_parse() -> None:
    """A body with an excerpt marker between paragraphs is parsed once."""
    from crosspost import mdspans, transform

    with mock.patch.object(mdspans, "_parse", wraps=mdspans._parse) as parse:
        transform.transform(
            "Intro.\n\n<!--more-->\n\n```\ncode\n```\n",
            page_url="https://blog.example.com/p/",
            generator="hugo",
        )
    assert parse.call_count == 1
