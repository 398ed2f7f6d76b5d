"""Properties of the body transform for any input (issue 15), with hypothesis.

- code spans, fenced and indented code blocks are byte-identical after the transform, and HTML
  blocks too once their URL attributes are read as URLs (those are made absolute);
- the transform is idempotent: a portable body, transformed again, is unchanged;
- it raises nothing but the project's own ContentError.

Bodies are built from Markdown's punctuation and the constructs the transform reads (links,
HTML, templates, MDX, admonitions, excerpt markers), so that the rules actually meet them.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from crosspost.errors import ContentError
from crosspost.transform import Transformed, transform

from .conftest import cut_parse_is_the_parsers, script_urls

PAGE = "https://blog.example.com/posts/my-post/"
SITE = "https://blog.example.com"

PIECES = [
    "`",
    "``",
    "```",
    "~~~",
    "    ",
    "\t",
    "\n",
    "\n\n",
    "#",
    "# ",
    "> ",
    "- ",
    "1. ",
    "*",
    "_",
    "\\",
    "[",
    "]",
    "(",
    ")",
    "](",
    "![",
    "<",
    ">",
    '"',
    "'",
    "&",
    "&amp;",
    "&eacute;",
    "$",
    "$$",
    "|",
    "---",
    "===",
    ":::note",
    ":::",
    "> [!NOTE]",
    "[x](./a b)",
    "[x](<./a b>)",
    "[r]: ./ref",
    "![i](./i.png)",
    "<a href='./a'>",
    '<img src="./b\n.png">',
    "</a>",
    "<pre>",
    "</pre>",
    "<!--",
    "-->",
    "<!-- more -->",
    "{/* truncate */}",
    "{/*",
    "*/}",
    "<Note>",
    "</Note>",
    "<Tip />",
    "import x from 'y'",
    "export const a = 1",
    "{{",
    "}}",
    "{%",
    "%}",
    '{{< figure src="a.png" >}}',
    "{{</* x */>}}",
    '{{ admonition(text="w") }}',
    "{% raw %}",
    "{% endraw %}",
    "{% highlight go %}",
    "{% endhighlight %}",
    "word",
    " ",
    "é",
]

bodies = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=40).map("".join)

DIALECTS = st.sampled_from(
    [
        (None, ".md"),
        (None, ".mdx"),
        ("hugo", ".md"),
        ("jekyll", ".md"),
        ("zola", ".md"),
        ("docusaurus", ".md"),
    ]
)
LIQUID_GENERATORS = ("jekyll", "eleventy")
COMMONMARK = MarkdownIt("commonmark")
MDX_BLOCKS = MarkdownIt("commonmark").disable(["code", "html_block"])  # MDX has neither


def portable(body: str, generator: str | None = None, suffix: str = ".md") -> Transformed:
    return transform(
        body, page_url=PAGE, site_url=SITE, path=Path("post" + suffix), generator=generator
    )


_URL = re.compile(r"""\b(href|src|srcset|poster)(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)""", re.I)


def _urls_read(block: str) -> str:
    """An HTML block with each URL attribute as the URL a browser reads, resolved."""
    from urllib.parse import unquote, urljoin

    def one(m: re.Match[str]) -> str:
        value = m.group(3).strip("\"'")
        url = re.sub(r"[\t\n\r]", "", html.unescape(value))
        absolute = SITE + url if url.startswith("/") and not url.startswith("//") else url
        return f"{m.group(1)}={unquote(urljoin(PAGE, absolute))}"

    return re.sub(r"\s+", " ", _URL.sub(one, block)).strip()


# Excerpt markers are removed on purpose (they mean "the summary ends here" to the site).
_MARKER = re.compile(r"<!--\s*(?:more|truncate)\s*-->")


def code_of(markdown: str, *, mdx: bool = False) -> tuple[list[str], list[str], list[str]]:
    """(code blocks, code spans, HTML blocks) as CommonMark reads them (MDX: without indented
    code)."""
    tokens = (MDX_BLOCKS if mdx else COMMONMARK).parse(markdown)
    blocks = [t.content for t in tokens if t.type in ("fence", "code_block")]
    spans = [
        child.content
        for t in tokens
        if t.type == "inline"
        for child in t.children or []
        if child.type == "code_inline"
    ]
    html_blocks = [
        _urls_read(_MARKER.sub("", t.content))
        for t in tokens
        if t.type == "html_block" and _MARKER.sub("", t.content).strip()
    ]
    return blocks, spans, html_blocks


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies)
def test_code_and_html_blocks_are_untouched(body: str) -> None:
    """No generator: the body is CommonMark, and code and HTML blocks come out as they were."""
    try:
        out = portable(body).body
    except ContentError:
        return
    assert code_of(out) == code_of(body)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies)
def test_mdx_keeps_every_code_block_and_span(body: str) -> None:
    """MDX has no indented code and no HTML blocks, so what CommonMark reads as those may read
    differently once a component or comment around it is gone; code it saw is all kept."""
    try:
        out = portable(body, suffix=".mdx").body
    except ContentError:
        return
    before, after = code_of(body, mdx=True), code_of(out, mdx=True)
    assert not Counter(before[0]) - Counter(after[0])
    # A code span inside an MDX comment or on an import/export line is JavaScript's, removed
    # with it.
    if "{/*" not in body and "import" not in body and "export" not in body:
        assert not Counter(before[1]) - Counter(after[1])


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies, dialect=DIALECTS)
@example(body="[r]: ./ref{{\n\n[r]", dialect=("hugo", ".md"))  # found by hypothesis
@example(body="[r]: ./ref{{}}\n\n[r]", dialect=("zola", ".md"))
@example(body="[r]: ./ref{{}}\n\n[r]", dialect=("jekyll", ".md"))
def test_a_portable_body_is_a_fixed_point(body: str, dialect: tuple[str | None, str]) -> None:
    """Transforming a portable body again (it is plain CommonMark now) changes nothing.

    Except after Liquid was left as written (Jekyll and Eleventy fill it in when they build the
    page, and a link holding it is left relative for them): read as plain Markdown, that link is
    an ordinary relative one and is resolved."""
    try:
        once = portable(body, *dialect).body
    except ContentError:
        return
    if dialect[0] in LIQUID_GENERATORS and ("{{" in once or "{%" in once):
        return
    assert portable(once).body == once


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies, dialect=DIALECTS, title=st.sampled_from(["", "word", "Title"]))
# markdown-it-py (4.3) raised IndexError (reading past the end) on an empty blockquote line ending
# the text without its newline after an HTML block in a list item; the run then lost the post.
@example(body="> - <pre>\n>", dialect=(None, ".md"), title="")
@example(body="- a\n" * 10 + "> - <pre>\n>", dialect=(None, ".md"), title="")
# The same lines above an excerpt marker: the summary parses the text above it on its own (the
# retry was in the block parse alone: IndexError from the summary).
@example(body="> - <pre>\n>\n<!-- more -->\n", dialect=("hugo", ".md"), title="")
# A lone surrogate (text no UTF-8 file holds, given by a caller of the API) in a link's
# destination raised UnicodeEncodeError from the URL's quoting.
@example(body="[x](./\ud800)", dialect=(None, ".md"), title="")
def test_only_content_errors_are_raised(
    body: str, dialect: tuple[str | None, str], title: str
) -> None:
    try:
        result = transform(
            body,
            page_url=PAGE,
            site_url=SITE,
            title=title,
            path=Path("post" + dialect[1]),
            generator=dialect[0],
            ref_url=lambda target: None,
            post_link=lambda target: SITE + "/posts/other/",
        )
    except ContentError:
        return
    assert isinstance(result.body, str)


def test_text_above_an_excerpt_marker_ending_in_an_empty_quoted_line_is_summarized() -> None:
    """The summary of the text above an excerpt marker is parsed without the marker's line, so
    without the newline above it: after an HTML block in a list item, an empty blockquote line
    there made markdown-it-py read past the end (IndexError, the post lost; the block parse had
    the retry, the summary's own parse had not: found by an attacker fuzzing the transform). It
    reads as the text with its newline; so do the HTML renderer's parses."""
    from crosspost.transform import plain_text, render_html

    for marker, generator in [("<!-- more -->", "hugo"), ("<!-- more -->", None)]:
        for above in ["> - <pre>\n>", "a\n\n> 1. <pre>\n>", "- a\n" * 10 + ">- <pre>\n>"]:
            body = f"{above}\n{marker}\nafter\n"
            out = transform(
                body, page_url=PAGE, site_url=SITE, path=Path("post.md"), generator=generator
            )
            assert out.description_hint == plain_text(above + "\n", 300)
    for text in ["> - <pre>\n>", ">> * <!--\n>>"]:
        assert plain_text(text) == plain_text(text + "\n")
        assert render_html(text) == render_html(text + "\n")


def test_a_lone_surrogate_is_the_posts_error() -> None:
    """A body holding a lone surrogate (no UTF-8 file can: only a caller of the API can give
    one) is refused as the post's error, wherever it stands; it raised UnicodeEncodeError from
    a link's URL (found by an attacker's review: lone surrogates in destinations, attributes
    and definitions)."""
    for body in [
        "[x](./\ud800)",
        "![i](\udcff.png)",
        "<a href='\udc80'>x</a>",
        "[r]: \ud800\n\n[r]",
        "a\n\nword \ud800",
        "# \udfff",
    ]:
        for generator, suffix in [(None, ".md"), (None, ".mdx"), ("hugo", ".md")]:
            with pytest.raises(ContentError, match="surrogate"):
                transform(
                    body,
                    page_url=PAGE,
                    site_url=SITE,
                    path=Path("post" + suffix),
                    generator=generator,
                )
    # Two in a row (a UTF-16 pair left undecoded) are no character either; the line is named.
    with pytest.raises(ContentError, match="line 2"):
        transform("a\n[x](./\ud83d\ude00)", page_url=PAGE, site_url=SITE, path=Path("p.md"))


# Lines an admonition holds, each whole (an unclosed fence would run past the directive's
# closer in CommonMark's reading of the post, and the directive is then left as written).
ADMONITION_LINES = [
    "text",
    "*more* text",
    "    indented",
    "      deeper",
    "  two",
    "\tafter a tab",
    "",
    "\u00a0",
    "- item",
    "  - nested",
    "1. first",
    "> quoted",
    "# Heading",
    "```\ncode\n\n    indented code\n```",
    "[x](./a)",
]
# (what stands before the directive, the directive's indentation): at the top, in a list item
# (after a blank line or right under its text), and indented with no list.
PLACES = [("", ""), ("- item\n", "  "), ("- item\n\n", "  "), ("1. item\n\n", "   "), ("", "  ")]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(inner=st.lists(st.sampled_from(ADMONITION_LINES), max_size=8), place=st.sampled_from(PLACES))
def test_an_admonition_holds_what_its_content_reads_as(
    inner: list[str], place: tuple[str, str]
) -> None:
    """remark-directive (Docusaurus, Fuwari, Astro themes) reads what a `:::tip` holds as
    Markdown of its own, relative to the directive's indentation (checked with remark-directive
    3.0.1 on the cases of tests/test_body_fidelity.py): the blockquote it becomes holds exactly
    what CommonMark reads in that content alone, wherever the directive stands."""
    lead, indent = place
    content = "\n".join(inner)
    lines = [f"{indent}{line}" if line.strip(" \t") else "" for line in content.split("\n")]
    body = f"{lead}{indent}:::tip\n" + "".join(f"{line}\n" for line in lines) + f"{indent}:::\n"
    out = portable(body, "docusaurus").body
    # Tab stops count from the line's start: a tab at the directive's column is as wide as it
    # is there (remark-directive reads `  :::tip` then `  \tx` as the paragraph `x`).
    at_column = "\n".join(
        (indent + line).expandtabs(4)[len(indent) :] if line.startswith("\t") else line
        for line in content.split("\n")
    )
    absolute = at_column.replace("./a", "https://blog.example.com/posts/my-post/a")
    inside = COMMONMARK.render(absolute)
    quote = f"<blockquote>\n<p><strong>Tip</strong></p>\n{inside}</blockquote>\n"
    assert quote in COMMONMARK.render(out)


# What begins a line, for the paragraphs-only block parse: every character that may begin a
# block, in the forms that do and the forms that do not (`#x`, `-x`, `1x`, `**b`, `*\u00a0`).
LINE_STARTS = [
    *["", " ", "  ", "   ", "    ", "\t", " \t", "\u00a0", "\u2003"],
    *["#", "# ", "##", "#x", "#\t", "####### ", "-", "- ", "-x", "--", "---", "-:", "-|", "+ "],
    *["+x", "*", "* ", "**b", "*\u00a0", "* * *", "_", "___", "_x", "=", "==", "=x", "1. ", "1x"],
    *["1)", "1234567890. ", "12.5", ">", "[", "[^1]: ", "<", "|", ":", "`", "``", "```", "~"],
    *["~~", "~~~", "$", "$$", "\\", "x", "word", "é"],
    *["###### ", "## a ##", "# #", "#  #", "   # ", "#\u00a0", "## \u00a0#", "# a\t#\t"],
    # HTML: each kind's start, and `<` lines that open none (text after a tag, a tag unclosed)
    *["<a", "<a>", "</b >", "<b>x", "<img src='a'>", "<img src='a'>x", "<x-y/>\u00a0", "<1"],
    *["<div", "<DIV>", "</p", "<pre", "<script>", "<textarea", "<!--", "<?", "<!X", "<![CDATA["],
    *["<a\u00a0>", "<a b='>'", '<a href="x">\t', "<b>\u2003", "</", "<a\x0b>"],
    # Tables: header lines (any `|`) and delimiter rows (`|`, `-` or `:` first, then only those
    # and spaces), with the lines beginning with `|` or `:` that are neither.
    *["| a |", "a | b", "|---|", "| - |", "|:-", ":-:", ":-|-:", "--|--", "|-", "| a", ": a"],
]
plain_bodies = st.lists(
    st.tuples(st.sampled_from(LINE_STARTS), st.text(alphabet="x #-*`[|:$\t\u00a0>", max_size=4)),
    max_size=12,
).map(lambda lines: "\n".join(start + rest for start, rest in lines))


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=plain_bodies, mdx=st.booleans())
@example(body="x\n<a>\n  <img src='a'>\t\n\n# h\nx\n</b >", mdx=False)  # kind 7 below text
@example(body="x\n \n<a>", mdx=False)  # kind 7 after a blank line: an HTML block
@example(body="## h\n<a>", mdx=False)  # and after a heading
@example(body="x\n| a |\n|-|", mdx=False)  # a table interrupting a paragraph
@example(body="| a | b |\n :-|-: ", mdx=False)  # a table after up to three spaces
def test_the_paragraphs_only_parse_is_the_parsers(body: str, mdx: bool) -> None:
    """Where the block parse skips the parser (every line can only be paragraph text), its
    tokens are exactly those the parser gives, MDX's parser included."""
    from crosspost.mdplain import paragraphs_only
    from crosspost.mdspans import _parser

    tokens = paragraphs_only(body)
    if tokens is None:
        return
    env: dict[str, object] = {}
    parsed = _parser(mdx=mdx).parse(body, env)
    assert [t.as_dict() for t in tokens] == [t.as_dict() for t in parsed]
    assert env == {}  # no reference definitions, no footnotes


# Bodies of block lines and runs of paragraph lines: whatever stands before a run (a list item
# its indentation continues, a fence or an HTML block left open) and after it.
RUN_LINES = [*LINE_STARTS, "<!--", "-->", "<pre>", "</pre>", "```", "$$", "  x", "[r]: /u", "[r]"]
mixed_bodies = st.lists(
    st.one_of(
        st.sampled_from(RUN_LINES),
        st.lists(
            st.sampled_from(["#x", "x", "", "  y", "[r]", "é", "\u00a0", "`$$", "<a", "<b>x"]),
            max_size=5,
        ).map("\n".join),
    ),
    max_size=12,
).map("\n".join)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=mixed_bodies, mdx=st.booleans())
@example(body="#x\n#x\n\n[r]: /u\n[r]: /u", mdx=False)  # found by hypothesis
@example(body="#x\n#x\n\n[r]: /u", mdx=False)
@example(body="$$\n\n`$$", mdx=False)  # math: a line of text may close it
def test_runs_of_paragraphs_stood_in_for_parse_as_the_parser_parses_them(
    body: str, mdx: bool
) -> None:
    """Where runs of paragraph lines are given to the parser as one line each, the tokens, the
    definitions and the environment are the parser's (any run length: the transform only
    stands in for long ones)."""
    from crosspost.mdcuts import Paragraphs
    from crosspost.mdplain import plain_runs

    runs = [Paragraphs(first, end) for first, end in plain_runs(body, min_run=1)]
    cut_parse_is_the_parsers(body, runs, mdx=mdx)


def test_runs_of_paragraphs_are_stood_in_for() -> None:
    """The property above is not vacuous: a run below a block is stood in for; one inside an
    HTML comment left open, or continuing a list item, is not."""
    from crosspost.mdcuts import Paragraphs, parse_around
    from crosspost.mdplain import plain_runs
    from crosspost.mdspans import _parse

    def runs(body: str) -> list[Paragraphs]:
        return [Paragraphs(first, end) for first, end in plain_runs(body, min_run=1)]

    parse = partial(_parse, mdx=False)
    for body in ["- a\n\n#x\n#y\n\nz", "[r]: /u\n\n#x\n\n> q\n\n[r]", "x\n#y\n\n# h\n\nz\n"]:
        assert isinstance(parse_around(body, runs(body), parse), tuple), body
    for body in ["<!--\n\n#x\n\n-->", "- a\n\n  #x\n#y", "```\n\n#x"]:
        assert runs(body) and parse_around(body, runs(body), parse) == {0}, body


def test_bodies_of_paragraphs_skip_the_parser() -> None:
    """The property above is not vacuous: text lines that only look like block syntax (`<`
    lines opening no HTML block among them), and ATX headings, take the paragraphs-only parse;
    a line that does begin another block does not."""
    from crosspost.mdplain import paragraphs_only

    for body in ["#x\n#y\n", "**bold** text\n-x\n1x\n\n`code` _em_\n   =x", "", "\n\n"]:
        assert paragraphs_only(body) is not None, body
    for body in ["#x\n# y", "## A ##\ntext\n# B #x\n\n#", "a\n   ###### six"]:  # headings too
        assert paragraphs_only(body) is not None, body
    for body in ["####### seven", "a\n- b", "a\n---", "a\n    b\n\n    c", "a\r\nb", "[a]: /b"]:
        assert paragraphs_only(body) is None, body
    # A line beginning with `|` or `:` is text unless it may be a table's delimiter row.
    for body in ["| a |\n| b |", ": a\n|x", "| a\n\n|\ta |"]:
        assert paragraphs_only(body) is not None, body
    for body in ["| a |\n|---|", "a|b\n:-:", "| a |\n| - |"]:
        assert paragraphs_only(body) is None, body
    # A line beginning with `<` that opens no HTML block is text; one that opens one is not.
    for body in ["<a\n\n<a", "<img src='./a.png'>x\n<b>x</b> y", "a\n<b>x\n\n</span x"]:
        assert paragraphs_only(body) is not None, body
    for body in ["<a>", "a\n<div", "<b x='1'>\u00a0", "<!-- c", "x\n<pre", "</x >"]:
        assert paragraphs_only(body) is None, body


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies, mdx=st.booleans())
def test_a_body_that_cannot_hold_code_holds_none(body: str, mdx: bool) -> None:
    """Where the transform skips the parse that finds code before its rules run, the parser
    finds no code block in the body."""
    from crosspost.mdplain import may_hold_code
    from crosspost.mdspans import parse_blocks

    if not may_hold_code(body, mdx=mdx):
        tokens = parse_blocks(body.replace("\r", "\n"), mdx=mdx).tokens
        assert not [t for t in tokens if t.type in ("fence", "code_block")]


# Destinations built from what a scheme is read through: letters of the unsafe schemes in both
# cases, entities, controls, spaces, brackets, and letters that lowercase to ASCII (U+212A).
DESTINATION_PIECES = [
    *["javascript", "JavaScript", "vbscript", "data", "java", "script", "https", "x", "K"],
    *[":", "&colon;", "&#58;", "&#x6A;", "&", "#", ";", "<", ">", " ", "\t", "\n", "\x01"],
    *["(", ")", "[", "]", "/", ".", "+", "-", "0", "\\", "%3A", "\u212a", "\u0130", "é"],
]


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    destination=st.tuples(
        st.sampled_from(["", "<"]),
        st.sampled_from(["", " ", "\t", "\n", "\x01", " " * 12, "\n> ", "\n>>\t"]),
        st.lists(st.sampled_from(DESTINATION_PIECES), max_size=8).map("".join),
        st.sampled_from(["", ">"]),
    ).map("".join)
)
@example(destination="\n> javascript\\:x")  # the blockquote's `>` is no terminator
def test_a_link_passed_over_by_its_first_characters_has_no_unsafe_scheme(destination: str) -> None:
    """The script-link rule reads a destination in full only when its first characters leave
    an unsafe scheme possible: wherever it does not, the full reading finds none."""
    from crosspost.transform import (
        UNSAFE_SCHEMES,
        _link_scheme,
        _no_unsafe_scheme,
        _parse_destination,
    )

    text = f"[a]({destination})"
    if not _no_unsafe_scheme(text, 4):
        return
    parsed = _parse_destination(text, 4)
    if parsed is not None:
        assert _link_scheme(text[parsed[0] : parsed[1]]) not in UNSAFE_SCHEMES


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=bodies.map(lambda body: body.replace(":", "").replace("&", "")))
def test_the_script_rules_leave_text_without_a_colon_or_ampersand(text: str) -> None:
    """The transform gives the script rules only text with a `:` or a `&` (a URL's scheme
    needs one): on any other text they change nothing."""
    from crosspost.mdlines import Run
    from crosspost.transform import _script_rules

    run = Run(path=None, page_url=PAGE, site_url=SITE)
    for definitions in (False, True):
        assert _script_rules(text, run, lambda _text: lambda _offset: 1, definitions) == text
    assert not run.notices


# Script links in the shapes CommonMark allows: a destination after any run of spaces or on the
# next line (behind a blockquote's `>`), a title on the next line, a scheme spelled with
# entities or a backslash-escaped `:`, in containers, as links, images and definitions.
SCRIPT_SCHEMES = ["javascript", "JaVaScript", "data", "vbscript", "java&#x73;cript", "java\\script"]
SCRIPT_COLONS = [":", "\\:", "&#58;", "&colon;"]
SCRIPT_GAPS = ["", " ", "\t", "\n", " " * 12, "\n" + " " * 10, "\n> ", "\n>", "\n  ", "\n> >  "]


@st.composite
def script_links(draw: st.DrawFn) -> str:
    lead = draw(st.sampled_from(["", "> ", "- ", "1. ", "> - ", "text\n"]))
    url = draw(st.sampled_from(SCRIPT_SCHEMES)) + draw(st.sampled_from(SCRIPT_COLONS)) + "x(1)"
    url = draw(st.sampled_from([url, f"<{url}>"]))
    before, after = draw(st.sampled_from(SCRIPT_GAPS)), draw(st.sampled_from(SCRIPT_GAPS))
    title = draw(st.sampled_from(["", ' "t"', "\n't'", "\n> 't'"]))
    kind = draw(st.sampled_from(["[a](", "![a](", "[x]:"]))
    if kind == "[x]:":
        return f"{lead}[x]:{before}{url}{title}\n\n[x]\n"
    return f"{lead}{kind}{before}{url}{title}{after})\n"


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=script_links(), dialect=DIALECTS)
@example(body="[a](javascript\\:x(1))\n", dialect=(None, ".md"))  # found by hypothesis
@example(body="[a](" + " " * 12 + "javascript:x(1))\n", dialect=(None, ".md"))
@example(body="> [a](\n> javascript:x(1))\n", dialect=(None, ".md"))
@example(body="> [a](javascript:x(1)\n> 't')\n", dialect=(None, ".md"))
@example(body="[x]:\njavascript:x(1)\n\n[x]\n", dialect=(None, ".md"))
@example(body="[x]: javascript\\:x(1)\n\n[x]\n", dialect=(None, ".md"))
@example(body="> [a](\n> javascript\\:x(1))\n", dialect=(None, ".md"))
@example(body="[x]:\njavascript\\&#58;x(1)\n\n[x]\n", dialect=(None, ".md"))
def test_no_script_link_survives(body: str, dialect: tuple[str | None, str]) -> None:
    """Rendered by a CommonMark renderer that trusts every link, the portable body links to no
    script, however the link is spelled."""
    try:
        out = portable(body, *dialect).body
    except ContentError:
        return
    assert not script_urls(out, python_markdown=False), out


def _opener_searched_back(text: str, close: int) -> int | None:
    """The `[` that the `]` at `close` closes, found by scanning back (the reading `_openers`
    must give, in one pass for all of them)."""
    depth = 0
    for i in range(close - 1, max(-1, close - 4000), -1):
        if i > 0 and text[i - 1] == "\\":
            continue
        if text[i] == "]":
            depth += 1
        elif text[i] == "[":
            if depth == 0:
                return i
            depth -= 1
    return None


BRACKET_PIECES = ["[", "]", "\\", "x", "](", "[" * 3000]


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.lists(st.sampled_from(BRACKET_PIECES), max_size=12).map("".join))
def test_each_bracket_is_paired_with_its_opener(text: str) -> None:
    from crosspost.transform import _openers

    pairs = _openers(text)
    for close in (i for i, char in enumerate(text) if char == "]"):
        # An escaped `\\]` closes nothing (CommonMark); searched back, it was taken for one.
        expected = None if text[close - 1 : close] == "\\" else _opener_searched_back(text, close)
        assert pairs.get(close) == expected, close


def test_the_shortcuts_are_taken() -> None:
    """The properties above are not vacuous: ordinary links and text take the shortcuts."""
    from crosspost.mdplain import may_hold_code
    from crosspost.transform import _no_unsafe_scheme

    for link in ["[a](./b)", "[a](b.png)", "[a](/b)", "[a](#b)", "[a](https://b)", "[a](<b>)"]:
        assert _no_unsafe_scheme(link, 4), link
    for link in ["[a](javascript:b)", "[a](<\tjavascript:b>)", "[a](java&#x73;cript:b)"]:
        assert not _no_unsafe_scheme(link, 4), link
    assert not may_hold_code("text `code` and ``more``\n- item\n  - nested")
    assert may_hold_code("```\ncode\n```") and may_hold_code("- a\n\n      code")


INLINE_PIECES = [
    *["word", " ", "\n", "*", "_", "**", "!", "(", ")", "[", "]", "](", ":", "&", "&amp;", "#"],
    *["[a](b)", "![i](c.png)", "[x *y*](./p_q)", "[](z)", "[l\nm](n)", "[s](t:u)", "[o](p]"],
    *["[x](javascript:y)", "![d](data:image/png;x)", "[d](data:text/html)", "[r]", "[r][r]"],
    *["\u00a0", "é", "`", "<", ">", "\\", "$", "^", "[^1]", "[a] (b)", "[a](b c)", "[a](<b>)"],
]


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    content=st.lists(st.sampled_from(INLINE_PIECES), max_size=12).map("".join),
    mdx=st.booleans(),
)
def test_plain_links_are_read_as_the_parser_reads_them(content: str, mdx: bool) -> None:
    """Where a block's inline content is read without the parser (only plain links in it), the
    destinations found are those the parser's recording rules find, in the same order."""
    from crosspost.mdplain import plain_link_spans
    from crosspost.mdspans import _Collector, _inline_spans, _parser

    md = _parser(mdx=mdx)
    fast = plain_link_spans(content, md.validateLink)
    if fast is None:
        return
    collector = _Collector()
    env = {"references": {"R": {"href": "/r", "title": ""}}, "crosspost_spans": collector}
    assert fast == _inline_spans(md, env, collector, content)


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    content=st.lists(st.sampled_from(INLINE_PIECES), max_size=14).map("".join),
    mdx=st.booleans(),
)
@example(content="[a](b)\n![c](d", mdx=False)  # a megabyte of images cut short at its end
@example(content="[a](b)!`c`", mdx=False)  # the `!` before the cut is text
@example(content="[a](b)[r]", mdx=False)  # a reference link after the cut
@example(content="[a](b) [c](javascript:d) [e](f) `g`", mdx=False)  # a refused link: cut before
@example(content="[a](b)$[c](./d)$ x\\", mdx=False)  # math reads the character before its `$`
@example(content="[a](b)$x$[c](./d)$ y\\", mdx=False)  # (an attacker's: a rest parsed alone
@example(content="[a](b)1$x$ [c](./d)", mdx=False)  # read the text's last character there)
def test_a_plain_prefix_and_the_parse_of_the_rest_are_the_parsers(content: str, mdx: bool) -> None:
    """The destinations of the plain links read before anything else (`plain_link_prefix`), and
    those the parser's recording rules find in the parse that starts after the last of them,
    are those they find in the whole content: after a plain link the parser's state is a
    block's first state but for its position."""
    from crosspost.mdplain import plain_link_prefix
    from crosspost.mdspans import _Collector, _inline_spans, _parser

    md = _parser(mdx=mdx)

    def recorded(text: str) -> list[tuple[str, int, int]]:
        collector = _Collector()
        env = {"references": {"R": {"href": "/r", "title": ""}}, "crosspost_spans": collector}
        return _inline_spans(md, env, collector, text)

    found, cut = plain_link_prefix(content, md.validateLink)
    assert 0 <= cut <= len(content)
    collector = _Collector()
    env = {"references": {"R": {"href": "/r", "title": ""}}, "crosspost_spans": collector}
    assert found + _inline_spans(md, env, collector, content, cut) == recorded(content)


def test_plain_links_skip_the_parser() -> None:
    """The properties above are not vacuous."""
    from crosspost.mdplain import plain_link_prefix, plain_link_spans

    def valid(url: str) -> bool:
        return not url.startswith("javascript:")

    assert plain_link_spans("a [b](./c) *d* ![e](f.png) (g)!", valid) == [
        ("destination", 6, 9),
        ("destination", 20, 25),
    ]
    assert plain_link_spans("no links at all", valid) == []
    for content in ["[a](b) `c`", "[a] b", "[a](b c)", "[a](javascript:b)", "<b>[a](c)</b>"]:
        assert plain_link_spans(content, valid) is None, content
    # Where the whole is refused, the plain links before the first thing refused are read.
    prefixes = {
        "[a](b) `c`": ([("destination", 4, 5)], 6),
        "[a](b)\n![c](d": ([("destination", 4, 5)], 6),
        "[a](./b) [c](javascript:d) [e](f)": ([("destination", 4, 7)], 8),
        "x [r] [a](b)": ([], 0),
        "`c` [a](b)": ([], 0),
    }
    for content, prefix in prefixes.items():
        assert plain_link_prefix(content, valid) == prefix, content
