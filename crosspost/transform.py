"""Body transforms: make a post's Markdown read on a platform as on the canonical page
(docs/architecture.md §5).

The pipeline, in order: find code with markdown-it (frozen, never touched); convert generator
syntax (`crosspost.syntax`); drop a leading `# h1` that repeats the title; escape paragraph lines
that other renderers read as headings; make links and images absolute and inert when they carry
a script. Every change that loses or alters something the author wrote leaves a Notice with the
file line.

It stays one module because it is one pipeline with one shared state (the frozen code lines, the
line map for Notices, the edit list): each stage's order matters to the next, and splitting stages
into modules would scatter that ordering rule.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from itertools import groupby, islice, pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin

from . import syntax
from .cycles import paused
from .errors import ContentError
from .mdemptied import after_emptied
from .mdlines import (
    Line,
    MissingPost,
    Run,
    blank,
    freeze_code,
    leaf_ranges,
    line_starts,
    parse_to_the_end,
    parser,
    protect_code_spans,
    without_repeated_blanks,
)
from .mdplain import BLOCK_RUN, is_heading_line, may_hold_code, run_blocks
from .mdspans import BlockParse, find_spans, parse_blocks
from .notice import Notice

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = [
    "UNSAFE_SCHEMES",
    "Transformed",
    "absolute_url",
    "plain_text",
    "render_html",
    "transform",
    "url_scheme",
]


UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data"})
EXCERPT_LENGTH = 300


@dataclass(frozen=True, slots=True)
class Transformed:
    """The portable body, what was changed on the way, and a summary when the post has none.

    `description_hint` is the plain text before an excerpt marker, else the first paragraph;
    `excerpt` the plain text of the whole body, cut at about 300 characters.
    """

    body: str
    notices: tuple[Notice, ...]
    description_hint: str
    excerpt: str


@paused()  # hundreds of thousands of small objects for a long post, none in a cycle
def transform(
    body: str,
    *,
    page_url: str,
    site_url: str | None = None,
    title: str = "",
    path: Path | None = None,
    first_line: int = 1,
    ref_url: syntax.RefURL | None = None,
    post_link: syntax.RefURL | None = None,
    generator: str | None = None,
) -> Transformed:
    """Turn a post body into portable CommonMark.

    `page_url` is the post's canonical URL (relative links resolve against it, as a browser on
    that page would), `site_url` the site root (for `/root-relative` links), `first_line` the
    file line the body starts on, `ref_url` resolves generator links to other posts by their
    source path (Hugo `ref`, Jekyll `post_url`, Zola `@/`), `post_link` relative Markdown links
    to other posts' files (`./other.md`) to those posts' URLs (None: not a post, linked as is).
    `generator` is the site's generator (a profile name): only its syntax is converted, and
    MDX only in `.mdx` files; None converts no generator syntax.
    """
    dialect = syntax.Dialect.of(generator, path)
    run = Run(path=path, page_url=page_url, site_url=site_url, post_link=post_link)
    # CommonMark's line endings: a lone CR ends a line too (the parser's lines must be ours).
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    surrogate = None if body.isascii() else _SURROGATE.search(body)
    if surrogate is not None:
        line = first_line + body.count("\n", 0, surrogate.start())
        raise ContentError(
            f"line {line} holds text that is not Unicode (a lone surrogate such as \\ud800), "
            "which no platform takes",
            hint="only text read from a UTF-8 file can be posted",
        )
    texts = body.split("\n")
    lines = list(map(Line, texts, range(first_line, first_line + len(texts))))
    # Code is found first, so that no rule reads it; a body that cannot hold any is parsed once,
    # after the rules.
    parse = parse_blocks(body, mdx=dialect.mdx) if may_hold_code(body, mdx=dialect.mdx) else None
    if parse is not None:
        freeze_code(lines, parse.tokens)
    lines = syntax.generator_blocks(lines, run, dialect)
    lines = syntax.admonitions(lines, run, dialect)
    if dialect.mdx:
        lines = syntax.mdx(lines, run)
    cut = syntax.excerpt_cut(lines, dialect)
    if dialect.mdx:
        lines = syntax.mdx_comments(lines)
    syntax.unescape_in_code(lines, dialect)
    if title:
        lines, cut = _drop_title_heading(lines, title, cut)
    text = "\n".join([line.text for line in lines])
    if parse is not None and parse.text != text:
        parse = after_emptied(parse, text)  # excerpt markers emptied: no second parse
    if parse is None or parse.text != text:
        parse = parse_blocks(text, mdx=dialect.mdx)
        freeze_code(lines, parse.tokens)
    marker = lines[cut] if cut is not None and cut < len(lines) else None
    lines = _block_rules(lines, parse.tokens, run, ref_url, dialect)
    lines, html_lines, parsed = _link_rules(lines, parse, run, ref_url, dialect)
    if marker is not None:
        cut = next(i for i, line in enumerate(lines) if line is marker)
    kept = without_repeated_blanks(lines, html_lines)
    while kept and not kept[-1].frozen and blank(kept[-1].text):
        kept.pop()
    while kept and not kept[0].frozen and blank(kept[0].text):
        kept.pop(0)
    text = "\n".join(line.text for line in kept)
    lead, excerpt = _summaries(*parsed)
    if cut is not None:
        lead = plain_text("\n".join(line.text for line in lines[:cut]), EXCERPT_LENGTH)
    notices = sorted(run.notices, key=lambda n: n.line or 0)
    hint = _shorten(lead, EXCERPT_LENGTH)
    # A body ends with a line break, except when it ends inside a fence left open: a break
    # there would be one more character of the code.
    open_code = kept and kept[-1].frozen and not _FENCE_CLOSER.fullmatch(kept[-1].text)
    ending = "\n" if kept and (body.endswith("\n") or not open_code) else ""
    return Transformed(text + ending, tuple(notices), hint, excerpt)


# Surrogate code points: text a UTF-8 file cannot hold (only a caller of the API can give one).
_SURROGATE = re.compile("[\ud800-\udfff]")
_FENCE_CLOSER = re.compile(r" {0,3}(?:`{3,}|~{3,})[ \t]*")


def _block_rules(
    lines: list[Line],
    tokens: list[Token],
    run: Run,
    ref_url: syntax.RefURL | None,
    dialect: syntax.Dialect,
) -> list[Line]:
    """Generator templates and script links, one block at a time; returns the lines with every
    placeholder restored (a rule may have added line breaks: those become lines of their own,
    with the file line of the line they came from)."""
    # The lines that hold what a rule may act on: a template (`{`) or a URL's scheme (`:`, or an
    # entity for one, `&`). Text without such a line is left as it is, unread: most blocks of a
    # long post have none (a megabyte of headings and paragraphs: no rule runs at all).
    text = "\n".join([line.text for line in lines])
    hot: list[int] = []
    number = position = 0
    for m in _RULE_TRIGGER.finditer(text):
        number += text.count("\n", position, m.start())
        position = m.start()
        if not hot or hot[-1] != number:
            hot.append(number)
    if hot:
        _rewrite_hot(lines, hot, run, ref_url, dialect, tokens)
    if not run.stash:  # no placeholder was made, so none is to be restored
        return lines
    out: list[Line] = []
    for line in lines:
        if "\ue000" not in line.text:
            out.append(line)
            continue
        head, *rest = run.restore(line.text).split("\n")
        line.text = head
        out.append(line)
        out.extend(line.with_text(part) for part in rest)
    return out


def _rewrite_hot(
    lines: list[Line],
    hot: list[int],
    run: Run,
    ref_url: syntax.RefURL | None,
    dialect: syntax.Dialect,
    tokens: list[Token],
) -> None:
    """`_rewrite` on each block with inline text or HTML that holds one of the `hot` lines
    (sorted), then on each run of the other changeable lines (reference definitions, breaks: a
    definition may span lines, `[x]:` then its destination on the next line) that holds one."""
    covered = bytearray(len(lines))  # 1: the line is in a block with inline text or HTML
    runs = {  # a run of blocks' lines (`BLOCK_RUN`): its text, each line as its blocks read it
        (t.map[0], t.map[1]): t.content
        for t in tokens
        if t.map and BLOCK_RUN in t.meta and t.type == "inline"
    }
    for first, end, _kind in leaf_ranges(tokens):
        end = max(first, min(end, len(lines)))
        # (a run's lines of no block, blank or `>` alone, are unchangeable: `crosspost.mdquoteruns`)
        covered[first:end] = b"\x01" * (end - first)
        if bisect_left(hot, first) == bisect_left(hot, end):
            continue
        run_text = runs.get((first, end))
        blocks = [(first, end)] if run_text is None else _hot_blocks(run_text, hot, first, end)
        for start, stop in blocks:
            for frozen, chunk in groupby(range(start, stop), lambda i: lines[i].frozen):
                if not frozen:
                    _rewrite(lines, list(chunk), run, ref_url, dialect, definitions=False)

    def other(index: int) -> bool:
        return 0 <= index < len(lines) and not covered[index] and _changeable(lines[index])

    done = 0  # the runs are disjoint: one holding several hot lines is rewritten once
    for number in hot:
        if number < done or not other(number):
            continue
        first, end = number, number + 1
        while other(first - 1):
            first -= 1
        while other(end):
            end += 1
        _rewrite(lines, list(range(first, end)), run, ref_url, dialect, definitions=True)
        done = end


def _hot_blocks(run_text: str, hot: list[int], first: int, end: int) -> list[tuple[int, int]]:
    """(first, end) of each block of a run of paragraphs and headings on lines first..end
    (`BLOCK_RUN`, whose text is `run_text`) that holds one of the `hot` lines: a heading's line,
    or a paragraph's lines around that line up to a line blank in the run's text (a blank line,
    or in a run of quotes one of `>` alone) or a heading's."""
    texts = run_text.split("\n")

    def inside(number: int) -> bool:
        text = texts[number - first]
        return not blank(text) and not is_heading_line(text, 0)

    found: list[tuple[int, int]] = []
    for number in hot[bisect_left(hot, first) : bisect_left(hot, end)]:
        if found and number < found[-1][1]:
            continue  # in the paragraph found last
        start, stop = number, number + 1
        if inside(number):
            while start > first and inside(start - 1):
                start -= 1
            while stop < end and inside(stop):
                stop += 1
        found.append((start, stop))
    return found


_RULE_TRIGGER = re.compile(r"[{:&]")


def _changeable(line: Line) -> bool:
    return not line.frozen and not blank(line.text)


def _link_rules(
    lines: list[Line],
    parse: BlockParse,
    run: Run,
    ref_url: syntax.RefURL | None,
    dialect: syntax.Dialect,
) -> tuple[list[Line], set[int], tuple[list[Token], dict[str, Any]]]:
    """Links, images, definitions and HTML URLs made absolute and paragraph lines starting with
    `#` escaped, where CommonMark finds them.

    Returns the lines, the indexes of the lines of HTML blocks, and the block parse (its tokens
    and environment: the edits change no block, so summaries are read from it). `parse` is
    reused when the lines are still the text it parsed."""
    if not lines:
        return lines, set(), ([], {})
    text = "\n".join([line.text for line in lines])
    if parse.text != text:
        parse = parse_blocks(text, mdx=dialect.mdx)
    found = find_spans(parse, wanted=_worth_parsing)
    starts = parse.starts

    def line_at(offset: int) -> int | None:
        return lines[bisect_right(starts, offset) - 1].line

    edits: list[tuple[int, int, str]] = []
    html_lines: set[int] = set()
    hidden: list[tuple[int, int]] = []
    lookalikes: list[int] = []
    made: dict[str, str | None] = {}  # posts link the same URLs again and again
    for span in sorted(found.spans, key=lambda span: span.start):
        if span.kind == "destination":
            raw = text[span.start : span.end]
            if raw in made:
                new = made[raw]
            else:
                new = _new_destination(raw, run, ref_url, dialect, line_at(span.start))
                if not raw.startswith("@/"):  # Zola's links may leave a notice each
                    made[raw] = new
            if new is not None:
                edits.append((span.start, span.end, new))
        else:
            hidden.append((span.start, span.end))
            if span.kind == "html":
                new = _html_urls(text[span.start : span.end], run)
                if new is not None:
                    edits.append((span.start, span.end, new))
    read: set[tuple[int, int]] = set()
    paragraphs: list[int] = []  # the first line of each paragraph
    candidates = _lookalike_candidates(text)
    for token in found.tokens:
        if token.map is None:
            continue
        first, end = token.map
        if token.type == "html_block":
            html_lines.update(range(first, end))
            start, finish = starts[first], starts[end] - 1 if end < len(starts) else len(text)
            new = _html_urls(text[start:finish], run)
            if new is not None:
                edits.append((start, finish, new))
        elif token.type == "paragraph_open" and (first, end) not in read:
            # (items standing for a run of nested ones share their lines: read once)
            read.add((first, end))
            if candidates:
                hashes = _heading_lookalikes(text, starts, candidates, first, end, hidden)
                if BLOCK_RUN in token.meta:  # a run of blocks: its paragraphs' lines only
                    hashes = [at for at in hashes if not _on_heading_line(text, at)]
                lookalikes += hashes
            if BLOCK_RUN not in token.meta:  # a run's lines begin with no `[` (`mdplain`)
                paragraphs.append(first)
    _note_lookalikes(text, lookalikes, run, line_at)
    edits += [(at, at, "\\") for at in lookalikes]
    edits += _definition_lookalikes(text, starts, paragraphs, edits)
    return _split(_apply(text, edits), lines), html_lines, (found.tokens, found.env)


def _worth_parsing(content: str) -> bool:
    """Blocks that can hold a link destination (a `[`, then `](` and a `)` after it), raw HTML
    (`<` then a letter, `/`, `!` or `?`), or a code span next to a `#`.

    Inline parsing is most of a parse's time (and markdown-it's link rule rescans nested
    brackets): a block that cannot hold what is looked for is not parsed at all. A destination
    is recorded only where markdown-it's link or image rule matched (`crosspost.mdspans`):
    both start at a `[` (`![` for an image), and the `(` of the destination directly follows
    the label's `]` (CommonMark 0.31 §6.3, inline links), so a `](` with no `[` before it,
    the tail of a script link written without its text, is no link (a megabyte of them was
    inline-parsed for none)."""
    opener = content.find("[")
    link = -1 if opener == -1 else content.find("](", opener)
    return (
        (link != -1 and content.find(")", link) != -1)
        or _may_hold_raw_html(content)
        or ("`" in content and "#" in content)
    )


_RAW_HTML = re.compile(r"<[A-Za-z/!?]")


def _may_hold_raw_html(content: str) -> bool:
    """A `<` starting a tag, comment, declaration or processing instruction with a `>` after it.

    Every form of raw inline HTML and every autolink ends with a `>` (CommonMark 0.31 §6.5,
    §6.6), so a block whose last `>` comes before its first possible opener holds none: a
    megabyte of paragraphs like `<a` (a tag left open) was inline-parsed for nothing. Checked
    from the first opener only, so the check stays linear however many openers there are."""
    opener = _RAW_HTML.search(content)
    return opener is not None and content.find(">", opener.end()) != -1


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """`text` with disjoint edits applied; each keeps the line count of what it replaces."""
    out: list[str] = []
    position = 0
    for start, end, new in sorted(edits):
        if start < position:
            continue
        out.append(text[position:start])
        if end > start:  # a replacement keeps the line breaks of what it replaces
            new += "\n" * (text.count("\n", start, end) - new.count("\n"))
        out.append(new)
        position = end
    out.append(text[position:])
    return "".join(out)


def _split(text: str, lines: list[Line]) -> list[Line]:
    for line, part in zip(lines, text.split("\n"), strict=True):
        line.text = part
    return lines


# --------------------------------------------------------------------------- structure


def _drop_title_heading(
    lines: list[Line], title: str, cut: int | None
) -> tuple[list[Line], int | None]:
    """Drop a first `# Title` (or setext `Title` / `===`) that repeats the title."""
    first = next((i for i, line in enumerate(lines) if not blank(line.text)), None)
    if first is None or lines[first].frozen:
        return lines, cut
    atx = re.fullmatch(r" {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*", lines[first].text)
    setext = (
        first + 1 < len(lines)
        and not lines[first + 1].frozen
        and re.fullmatch(r" {0,3}=+[ \t]*", lines[first + 1].text)
    )
    heading = atx.group(1) if atx else lines[first].text if setext else None
    if heading is None or _fold(plain_text(heading)) != _fold(title):
        return lines, cut
    end = first + (1 if atx else 2)
    while end < len(lines) and blank(lines[end].text) and not lines[end].frozen:
        end += 1
    if cut is not None and cut >= first:
        cut = max(first, cut - (end - first))
    return lines[:first] + lines[end:], cut


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


# --------------------------------------------------------------------------- headings

# A `#` beginning a line's text; the lookahead, the characters the line may begin with, refuses
# an empty line at once (a megabyte of them: a tenth of a second less).
_LOOKALIKE = re.compile(
    r"^(?=[ \t>\-+*\d#])((?:[ \t]*>)*[ \t]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)?)#", re.M
)
_NOTED_LOOKALIKES = 10


# A paragraph's first line that begins like a reference definition (`[label]:`) and is not one
# (`[^label]:` begins a footnote, whose paragraph starts after it).
_DEFINITION_LOOKALIKE = re.compile(
    r"(?:[ \t]*>)*[ \t]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)?[ ]{0,3}(\[)(?!\^)[^\[\]\n]+\]:"
)


def _definition_lookalikes(
    text: str, starts: list[int], paragraphs: list[int], edits: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """`\\[` for a paragraph's first line that begins like a reference definition and has a
    link the rules rewrite: the definition failed only for what followed its label (`[r]:
    ./a[x](<./b c>)`: a space), and a rewritten URL (`%20` for the space) could make it one,
    changing the paragraph into a definition. Escaped, the `[` is what it was: text."""
    changed = sorted(start for start, _end, _new in edits)
    out: list[tuple[int, int, str]] = []
    for line in paragraphs:
        if line >= len(starts):
            continue
        start = starts[line]
        stop = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
        m = _DEFINITION_LOOKALIKE.match(text, start, stop)
        if m is not None and bisect_left(changed, start) < bisect_left(changed, stop):
            out.append((m.start(1), m.start(1), "\\"))
    return out


def _on_heading_line(text: str, at: int) -> bool:
    """Whether offset `at`, on a line of a run of paragraphs and headings (`BLOCK_RUN`), is on a
    heading's line."""
    return is_heading_line(text, text.rfind("\n", 0, at) + 1)


def _heading_lookalikes(
    text: str,
    starts: list[int],
    candidates: list[int],
    first: int,
    end: int,
    hidden: list[tuple[int, int]],
) -> list[int]:
    """`\\#` for a `#` starting a line of the paragraph on lines first..end: those of the
    `candidates` (`_lookalike_candidates`) on its lines.

    Python-Markdown, Redcarpet and Medium's importer read `#image: …` or `#hashtag` as a heading
    even without the space CommonMark requires; `\\#` means a literal `#` to all of them. A `#`
    inside a code span or raw HTML (an attribute spanning lines) is not text and stays.
    """
    if first >= len(starts):
        return []
    stop = starts[end] - 1 if end < len(starts) else len(text)
    found = candidates[bisect_left(candidates, starts[first]) : bisect_left(candidates, stop)]
    return [at for at in found if not _inside(hidden, at)] if hidden else found


def _lookalike_candidates(text: str) -> list[int]:
    """Where a `#` starts a line's text (after its containers and list marker), in order: found
    once for the whole text, not once for each paragraph (a megabyte of short ones: 100,000);
    not looked for in a text without a `#` (a megabyte of `>` lines: each a candidate's start)."""
    if "#" not in text:
        return []
    return [m.end() - 1 for m in _LOOKALIKE.finditer(text)]


_AFTER_ALL = float("inf")


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    """Whether offset `at` is inside one of `spans` (sorted, disjoint)."""
    spot = bisect_right(spans, (at, _AFTER_ALL)) - 1
    return spot >= 0 and spans[spot][0] <= at < spans[spot][1]


def _note_lookalikes(text: str, found: list[int], run: Run, line_at: syntax.LineAt) -> None:
    """One notice per escaped line, the first few of them: a post of `#tag` lines gets a
    summary instead of a notice per line."""
    for at in found[:_NOTED_LOOKALIKES]:
        line_end = text.find("\n", at)
        shown = text[at : line_end if line_end != -1 else len(text)].strip()
        shown = shown if len(shown) <= 60 else shown[:57] + "…"
        run.note(
            "ambiguous-heading",
            line_at(at),
            f"'{shown}' is text in CommonMark but a heading in other Markdown renderers; "
            "escaped as '\\#' so it stays text (add a space after '#' if a heading was meant)",
        )
    if len(found) > _NOTED_LOOKALIKES:
        run.note(
            "ambiguous-heading",
            line_at(found[_NOTED_LOOKALIKES]),
            f"{len(found) - _NOTED_LOOKALIKES} more lines starting with '#' escaped the same way",
        )


# --------------------------------------------------------------------------- links


@lru_cache(maxsize=4096)  # every URL attribute and link is checked, and posts repeat them
def url_scheme(url: str) -> str | None:
    """The scheme a browser would see: entities decoded, whitespace and controls ignored."""
    cleaned = _CONTROLS.sub("", html.unescape(url)).lower()
    m = _SCHEME.match(cleaned)
    return m.group(1) if m else None


_CONTROLS = re.compile(r"[\x00-\x20]+")
_BREAKS = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")


@lru_cache(maxsize=4096)  # a post names the same images and pages again and again
def absolute_url(url: str, *, page_url: str, site_url: str | None) -> str:
    """`url` resolved the way the site serves it: page-relative against `page_url` (page-bundle
    semantics), `/root-relative` against `site_url`; URLs with a scheme and `#anchors` unchanged.
    """
    if not url or url.startswith("#") or url_scheme(url):
        return url
    if url.startswith("//"):
        return "https:" + url
    quoted = quote(url, safe="/%#?&=+;:@!$,'()*~-._[]")
    if url.startswith("/") and site_url:
        return site_url.rstrip("/") + quoted
    try:
        return urljoin(page_url, quoted)
    except ValueError:  # a malformed page URL (IPv6 brackets): leave the link as written
        return url


_LINK_OPEN = re.compile(r"\]\(")
# What may stand between a link's `(` (or a definition's `:`) and its destination, its title and
# its `)`: spaces and tabs, and in CommonMark up to one line ending, which in the source is
# followed by the container's prefix (a blockquote's `>`, a list item's indentation).
_GAP = r"[ \t]*(?:\n[ \t\n>]*)?"
# A label is brackets without unescaped brackets inside (as in CommonMark): a scan for one
# stops at the next `[`, and none starts at an escaped `\[`, so that a post of brackets costs
# one pass.
_REF_DEF = re.compile(
    rf"( {{0,3}}(?<!\\)\[(?!\^)(?:[^\[\]\\]|\\[\s\S]){{1,999}}\]:{_GAP})(<[^>\n]*>|\S+)"
)
_HTML_TAG = re.compile(r"<(?:img|a|source|video|audio)\b[^>]{0,2000}>", re.I)
_HTML_ATTR = re.compile(
    r"(\s)(src|srcset|href|poster)(\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s\"'>]+)", re.I
)
_SRCSET_URL = re.compile(r"([\s,]*)(\S+)")
_SRCSET_DESCRIPTORS = re.compile(r"[^,]*,?")
_URL_ATTR = re.compile(
    r"(?<=[\s/\"'])(href|src|srcset|lowsrc|dynsrc|poster|action|formaction|data|background|"
    r"codebase|xlink:href|to|from|by|values)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+)",
    re.I,
)
_AUTOLINK = re.compile(r"<([a-z][a-z0-9+.-]{1,31}):[^<>\x00-\x20]*>", re.I)
_TITLE = re.compile(rf"{_GAP}(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|\([^()]*\))?{_GAP}\)", re.S)
_MAX_DESTINATION = 2048
_MAX_LINK_TEXT = 4000


def _rewrite(
    lines: list[Line],
    chunk: list[int],
    run: Run,
    ref_url: syntax.RefURL | None,
    dialect: syntax.Dialect,
    *,
    definitions: bool,
) -> None:
    """Generator templates, then script links made inert, in one run of lines of one block.

    Lines inside a Liquid `{% raw %}` block get no template rules. Code spans are hidden from
    every rule here; line breaks are kept so that notices name the right line.
    """
    for part in _contiguous_by(chunk, lambda i: lines[i].literal):
        source = "\n".join(lines[i].text for i in part)
        lines_of = partial(_line_finder, lines, part)
        templates = dialect.templates and not lines[part[0]].literal
        text = _rewrite_text(source, run, lines_of, ref_url, dialect, templates, definitions)
        if text != source:
            for index, new in zip(part, text.split("\n"), strict=True):
                lines[index].text = new


def _rewrite_text(
    text: str,
    run: Run,
    lines_of: syntax.LinesOf,
    ref_url: syntax.RefURL | None,
    dialect: syntax.Dialect,
    templates: bool,
    definitions: bool,
) -> str:
    """`_rewrite`'s rules on the text of one run of lines.

    The script rules act only on a URL with a scheme, which needs a `:` (or an entity that
    decodes to one, which needs a `&`): text with neither is not given to them.
    """
    if templates:
        text = syntax.template_inline(text, run, lines_of, ref_url, dialect)
    if ":" not in text and "&" not in text:
        return text
    if not templates:
        text = protect_code_spans(text, run)
    return _script_rules(text, run, lines_of, definitions)


def _script_rules(text: str, run: Run, lines_of: syntax.LinesOf, definitions: bool) -> str:
    """Links, definitions, autolinks and HTML attributes whose URL is a script made inert.

    Each rule's notices are placed in the text it reads: placeholders and removed links change
    the offsets of what follows them, never its line (`lines_of`)."""
    line_at = lines_of(text)
    text = _REF_DEF.sub(lambda m: _unsafe_definition(m, run, line_at, definitions), text)
    text = _unsafe_links(text, run, lines_of(text))
    line_at = lines_of(text)
    text = _AUTOLINK.sub(lambda m: _autolink(m, run, line_at), text)
    if "<" in text:
        line_at = lines_of(text)
        text = _URL_ATTR.sub(lambda m: _script_attribute(m, run, line_at), text)
    return text


def _line_finder(lines: list[Line], part: list[int], text: str) -> syntax.LineAt:
    """The file line of an offset in `text`, made from the text of `lines[i] for i in part` by
    rules that keep the line breaks they find (a placeholder, a removed link: its line `k` is
    still `lines[part[k]]`). The lines' offsets are found on the first question: most blocks
    get none (a notice is what asks)."""
    starts: list[int] = []

    def line_at(offset: int) -> int | None:
        if not starts:
            starts.extend(line_starts(text))
        return lines[part[min(bisect_right(starts, offset) - 1, len(part) - 1)]].line

    return line_at


def _contiguous_by(indexes: list[int], key: Callable[[int], bool]) -> list[list[int]]:
    """`indexes` cut where `key` changes."""
    return [list(part) for _, part in groupby(indexes, key)]


def _new_destination(
    raw: str,
    run: Run,
    ref_url: syntax.RefURL | None,
    dialect: syntax.Dialect,
    line: int | None,
) -> str | None:
    """A link destination as written (`<…>` or bare, on file line `line`) made absolute; None
    to leave it.

    The URL is read as CommonMark reads it (backslash escapes and entities decoded), resolved,
    and written back so that it reads as that URL again.
    """
    from markdown_it.common.utils import unescapeAll  # the parser: never for `import crosspost`

    bracketed = raw.startswith("<") and raw.endswith(">")
    url = unescapeAll(raw[1:-1] if bracketed else raw)
    if dialect.liquid and ("{{" in url or "{%" in url):
        return None  # Liquid the generator fills in (or refuses): left as written
    # Hugo and Zola read no template in a post's text but their shortcodes (converted by now):
    # a `{{` left in a link there is part of the path the site links to.
    if dialect.zola and url.startswith("@/"):
        new = syntax.resolve_ref(url[2:], run, line, ref_url)
    else:
        new = _post_url(url, run, line) or absolute_url(
            url, page_url=run.page_url, site_url=run.site_url
        )
    if new == url:
        return None
    new = re.sub(r"&(?=#?\w+;)", "&amp;", new)
    if bracketed:
        return "<" + new.replace("<", "%3C").replace(">", "%3E") + ">"
    new = re.sub(r"[\x00-\x20]", lambda m: quote(m.group()), new)
    if new.count("(") != new.count(")") or re.search(r"\)[^(]*\(", new):
        new = new.replace("(", "%28").replace(")", "%29")
    return new


_POST_FILE = re.compile(r"[^:?#]+\.(?:md|mdx|markdown)(?:#.*)?", re.I | re.S)


def _post_url(url: str, run: Run, line: int | None) -> str | None:
    """The URL of the post a relative link to its source file means (`./2024-01-01-other.md`).

    Docusaurus, Hugo and Astro authors link to sibling files and the site rewrites the link to
    the post's address; made absolute as written, it would be a 404 on the site. A link to a
    file that does not exist is left as the site leaves it (Hugo's and Docusaurus's builds
    keep such a link as written, so it leads to the same address, most likely a 404), with a
    warning at its line: no address is made up for it.
    """
    if run.post_link is None or url.startswith(("/", "#")) or not _POST_FILE.fullmatch(url):
        return None
    try:
        return run.post_link(url)
    except MissingPost:
        site = absolute_url(url, page_url=run.page_url, site_url=run.site_url)
        run.note(
            "missing-post",
            line,
            f"link to {url}: no such file beside the post; it is linked as the site links "
            f"it, to {site} (most likely a page that does not exist): fix or remove the link",
        )
        return None


def _unsafe_definition(m: re.Match[str], run: Run, line_at: syntax.LineAt, definition: bool) -> str:
    """A reference definition to a script gets the empty destination `<>` (its links keep
    their text and lead nowhere).

    markdown-it reads `[x]: javascript:…` as a paragraph (it refuses such destinations), but
    Python-Markdown and the platforms' renderers read a definition: inside paragraphs, such a
    line is emptied too (one starting a blockquote's or a list item's text too), and nothing
    else is touched.
    """
    scheme = _link_scheme(m.group(2))
    if scheme in UNSAFE_SCHEMES and (definition or _starts_a_line(m.string, m.start())):
        run.note("unsafe-link", line_at(m.start()), f"reference to a '{scheme}:' URL emptied")
        return m.group(1) + "<>"
    return m.group()


def _starts_a_line(text: str, at: int) -> bool:
    """Whether only container markers (`>`, list markers, indentation) stand before `at` on
    its line. Looked for no further back than such a prefix reaches: a long line of `[x]: y`
    would otherwise be read back to its start for each one."""
    low = max(0, at - _MAX_PREFIX)
    head = text.rfind("\n", low, at) + 1
    if head == 0 and low > 0:
        return False
    prefix = _CONTAINER_PREFIX.match(text, head, at + 1)  # a marker is followed by a space
    return prefix is not None and prefix.end() >= at


_MAX_PREFIX = 256
_CONTAINER_PREFIX = re.compile(r"(?:[ \t>]|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t]))*")


def _autolink(m: re.Match[str], run: Run, line_at: syntax.LineAt) -> str:
    """`<javascript:…>` is a link in CommonMark; unwrapped, it is plain text."""
    scheme = m.group(1).lower()
    if scheme not in UNSAFE_SCHEMES:
        return m.group()
    run.note("unsafe-link", line_at(m.start()), f"link to a '{scheme}:' URL made plain text")
    return m.group()[1:-1]


def _unsafe_links(text: str, run: Run, line_at: syntax.LineAt) -> str:
    """Unwrap `[text](javascript:…)` and `![alt](data:…)`: text kept, brackets and destination
    dropped.

    Found by pattern, not by the CommonMark parser: markdown-it refuses such destinations and
    shows the text, but the platforms' renderers may make them links. Scans are bounded so
    hostile input cannot make this quadratic. A link is unwrapped only where its `]` closes a
    `[` (`_openers`, found in one pass): that is asked before the destination is read, which
    costs a step per character (a megabyte of `](javascript:x)` without a `[`: 0.25 s).
    """
    edits: list[tuple[int, int, str]] = []
    openers: dict[int, int] | None = None
    for m in _LINK_OPEN.finditer(text):
        if _no_unsafe_scheme(text, m.end()):
            continue
        openers = _openers(text) if openers is None else openers
        opener = openers.get(m.start())
        if opener is None:
            continue
        parsed = _parse_destination(text, m.end())
        if parsed is None:
            continue
        start, end, close = parsed
        scheme = _link_scheme(text[start:end])
        if scheme in UNSAFE_SCHEMES:
            image = opener > 0 and text[opener - 1] == "!"
            run.note(
                "unsafe-link",
                line_at(m.start()),
                f"link to a '{scheme}:' URL removed; its text is kept",
            )
            edits.append((opener - 1 if image else opener, opener + 1, ""))
            # Lines the removed part spans keep their container prefixes (`> `).
            edits.append((m.start(), close, "".join(_LINE_PREFIX.findall(text, m.start(), close))))
    return _apply(text, edits)


_LINE_PREFIX = re.compile(r"\n[ \t>]*")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _link_scheme(raw: str) -> str | None:
    """The scheme of a Markdown link destination as written (`<…>` or bare): CommonMark drops
    the backslash of an escaped punctuation character (`javascript\\:` is `javascript:`)."""
    url = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    return url_scheme(_ESCAPE.sub(r"\1", url) if "\\" in url else url)


def _no_unsafe_scheme(text: str, at: int) -> bool:
    """Whether the destination after `](` at `at` certainly has no unsafe scheme, told from its
    first characters (most links are relative or https: the whole destination is not read).

    `url_scheme` decodes entities, drops controls and spaces, lowercases and reads letters up
    to a `:`. A destination that starts with plain ASCII scheme characters followed by a `:` has
    exactly those as its scheme; one whose first run of them ends in any other plain ASCII
    character (not `&`, not a control or space) has none. Anything else is read in full.
    """
    m = _SCHEME_HEAD.match(text, at)
    if m is None:
        return False
    return m.group(1) is None or m.group(1).lower() not in UNSAFE_SCHEMES


# The whole gap (a `>` of its blockquote prefix is no character of the destination) and an
# optional `<`, then a scheme and its `:`, or a run of scheme characters ended by a plain ASCII
# character that is neither a scheme character, `:`, `&`, `<` (the bracket of `< javascript:…>`,
# whose spaces `url_scheme` drops) nor `\` (`javascript\:` escapes its `:`).
_SCHEME_HEAD = re.compile(
    rf"(?>{_GAP})<?(?:([A-Za-z][A-Za-z0-9+.-]*):|[A-Za-z0-9+.-]*[!-%'-*,/;=-@\[\]-`{{-~])"
)


def _parse_destination(text: str, at: int) -> tuple[int, int, int] | None:
    """(start, end) of the destination after `](` at `at`, and the index after the `)`."""
    gap = _GAP_RE.match(text, at)
    assert gap is not None  # it matches the empty string
    i = start = gap.end()
    if i < len(text) and text[i] == "<":
        end = text.find(">", i, i + _MAX_DESTINATION)
        if end == -1 or "\n" in text[i:end]:
            return None
        i = end = end + 1
    else:
        depth = 0
        while i < len(text) and i - start < _MAX_DESTINATION:
            char = text[i]
            # Brackets are legal in a destination but never in a real one; stopping there keeps
            # a line of `](](](` from scanning 2 KB per occurrence.
            if char.isspace() or ord(char) < 0x20 or char in "[]":
                break
            if char == "\\":
                i += 2
                continue
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        end = i
    m = _TITLE.match(text, end, min(len(text), end + _MAX_DESTINATION))
    if m is None:
        return None
    return start, end, m.end()


_GAP_RE = re.compile(_GAP)


def _openers(text: str) -> dict[int, int]:
    """The `[` each `]` of `text` closes (brackets after a backslash are text), when it is less
    than `_MAX_LINK_TEXT` characters before it.

    Paired in one pass: searched back from each `]` of a script link, a post of `](javascript:`
    without openers cost thousands of steps per link."""
    pairs: dict[int, int] = {}
    open_at: list[int] = []
    for m in _BRACKET.finditer(text):
        at = m.start()
        if at > 0 and text[at - 1] == "\\":
            continue
        if m.group() == "[":
            open_at.append(at)
        elif open_at:
            opener = open_at.pop()
            if at - opener < _MAX_LINK_TEXT:
                pairs[at] = opener
    return pairs


_BRACKET = re.compile(r"[\[\]]")


def _script_attribute(m: re.Match[str], run: Run, line_at: syntax.LineAt) -> str:
    """Remove a URL attribute carrying a script, wherever it stands in a block with HTML.

    Deliberately blind to tag boundaries: which `<` starts a tag depends on the Markdown
    renderer and the browser (`<img/src=…>`, a `>` inside a quoted value, a tag the renderer
    leaves as text around one it does not), and a removal too many costs nothing.
    """
    value = m.group(2)
    url = value[1:-1] if value[:1] in "\"'" else value
    scheme = url_scheme(url)
    if scheme not in UNSAFE_SCHEMES:
        return m.group()
    run.note("unsafe-link", line_at(m.start()), f"HTML {m.group(1)} with a '{scheme}:' URL removed")
    return ""


def _html_urls(html_text: str, run: Run) -> str | None:
    """Relative URLs in the tags of raw HTML made absolute; None when nothing changes."""
    new = _HTML_TAG.sub(
        lambda tag: _HTML_ATTR.sub(lambda m: _html_attribute(m, run), tag.group()), html_text
    )
    return None if new == html_text else new


def _html_attribute(m: re.Match[str], run: Run) -> str:
    """A relative URL in an HTML attribute made absolute (scripts were removed before).

    Line breaks and tabs inside the value are dropped from the URL, as browsers do; the breaks
    end the value (where browsers drop them too) so that the block keeps its lines.
    """
    space, name, equals, value = m.groups()
    quote_char = value[0] if value[:1] in "\"'" else ""
    url = _BREAKS.sub("", html.unescape(value[1:-1] if quote_char else value))
    if name.lower() == "srcset":
        new = _srcset(url, run)
    else:
        linked = _post_url(url, run, None) if name.lower() == "href" else None
        new = linked or absolute_url(url, page_url=run.page_url, site_url=run.site_url)
    if new == url:
        return m.group()
    mark = quote_char or '"'
    breaks = "\n" * value.count("\n")
    return f"{space}{name}{equals}{mark}{html.escape(new)}{breaks}{mark}"


def _srcset(value: str, run: Run) -> str:
    """Each URL of a `srcset` ("a.png 1x, b.png 2x") made absolute, descriptors kept.

    Parsed as the HTML standard does: a URL is a run of non-spaces whose trailing commas end
    the candidate, so a comma inside a URL (`w_400,h_300/a.jpg`) does not split it.
    """
    out: list[str] = []
    position = 0
    while m := _SRCSET_URL.match(value, position):
        url = m.group(2).rstrip(",")
        commas = m.group(2)[len(url) :]
        out.append(m.group(1) + absolute_url(url, page_url=run.page_url, site_url=run.site_url))
        out.append(commas)
        position = m.end()
        if not commas:
            descriptors = _SRCSET_DESCRIPTORS.match(value, position)
            assert descriptors is not None  # it matches the empty string
            out.append(descriptors.group())
            position = descriptors.end()
    out.append(value[position:])
    return "".join(out)


# --------------------------------------------------------------------------- plain text


def plain_text(markdown: str, limit: int | None = None) -> str:
    """The words of `markdown`'s paragraphs, without syntax, whitespace collapsed.

    Headings, code, raw HTML and images are left out: this is for summaries. With `limit`, the
    text is cut at a word boundary and ends with '…', and only the paragraphs needed are parsed.
    """
    words: list[str] = []
    length = 0
    window = None if limit is None else max(_WINDOW, 50 * limit)

    def once(source: str) -> tuple[list[Token], dict[str, Any]]:
        env: dict[str, Any] = {}
        return parser().parse(source, env), env

    tokens, env = parse_to_the_end(once, markdown)
    for text in _paragraphs(tokens, env, window):
        words.append(text)
        length += len(text)
        if limit is not None and length > limit:
            break
    text = " ".join(" ".join(words).split())
    return _shorten(text, limit) if limit else text


# How much of a paragraph is read for a summary of a few hundred characters: a megabyte-long
# paragraph is not parsed whole for its first words.
_WINDOW = 20_000


# How many paragraphs are read for a summary at most: a megabyte of paragraphs of one image
# each (no text) was read whole for its first words (2.5 s).
_SUMMARY_PARAGRAPHS = 2_000


def _summaries(tokens: list[Token], env: dict[str, Any]) -> tuple[str, str]:
    """(first paragraph with text, excerpt) from the body's block tokens, among the first
    `_SUMMARY_PARAGRAPHS` paragraphs."""
    first = ""
    words: list[str] = []
    length = 0
    for text in islice(_paragraphs(tokens, env, _WINDOW), _SUMMARY_PARAGRAPHS):
        first = first or " ".join(text.split())
        words.append(text)
        length += len(text)
        if length > EXCERPT_LENGTH:
            break
    return first, _shorten(" ".join(" ".join(words).split()), EXCERPT_LENGTH)


def _paragraphs(tokens: list[Token], env: dict[str, Any], window: int | None) -> Iterator[str]:
    """Each paragraph's plain text (its first `window` characters), inline-parsed one at a time.

    `env` holds the reference definitions the block parse found, so `[text][ref]` reads as text.
    """
    read: set[tuple[int, int]] = set()
    for index, (before, token) in enumerate(pairwise(tokens), start=1):
        if token.type == "inline" and before.type == "paragraph_open":
            contents: Iterable[str] = [token.content]
            if BLOCK_RUN in token.meta:  # read one at a time: a summary reads the first few
                contents = (inline.content for tag, inline in run_blocks(token) if tag == "p")
            elif token.meta and token.map:  # an item standing for a run (`crosspost.mdcuts`)
                lines = (token.map[0], token.map[1])
                if lines in read:
                    continue
                read.add(lines)
                contents = _sibling_paragraphs(tokens, index)
            for content in contents:
                content = content if window is None else content[:window]
                children = parser(inline=True).parseInline(content, env)[0].children or []
                yield "".join(
                    " " if child.type in ("softbreak", "hardbreak") else child.content
                    for child in children
                    if child.type in ("text", "code_inline", "softbreak", "hardbreak")
                )


def _sibling_paragraphs(tokens: list[Token], index: int) -> list[str]:
    """The paragraphs of the run of list items `tokens[index]` stands for, in the order of their
    lines: each item's is its own, whose emphasis pairs on its own line (a run of items with
    items nested under them has one inline token per place in an item, each holding the text
    of its own lines, a paragraph of several lines, `heights`, its lines in each: its emphasis pairs
    across them). The empty lines after each item of a loose run, and those among an item's own
    lines, hold no paragraph: a summary counts the paragraphs it reads."""
    first = tokens[index]
    columns: list[list[str]] = []
    group = index
    while group < len(tokens) and (tokens[group].map is None or tokens[group].map == first.map):
        if tokens[group].type == "inline":
            columns.append(tokens[group].content.split("\n"))
        group += 1
    empty = first.meta["empty"]  # the empty lines among an item's
    heights = first.meta.get("heights") or (1,) * len(columns)  # each paragraph's lines
    places = [place for place in range(sum(heights) + len(empty)) if place not in empty]
    every = len(places) + len(empty) + first.meta["gap"]  # an item's lines, then empty ones
    # Each column holds its lines of an item once every `every` lines, at their places.
    paragraphs: list[list[str]] = []
    for column, height in zip(columns, heights, strict=True):
        own, places = places[:height], places[height:]
        lines = zip(*[column[at::every] for at in own], strict=True)
        paragraphs.append(list(map("\n".join, lines)))
    return [paragraph for item in zip(*paragraphs, strict=True) for paragraph in item]


def _shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, '…' included."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:.-–—") + "…"


# --------------------------------------------------------------------------- HTML


def render_html(markdown: str) -> str:
    """HTML for previews and HTML-only platforms (Python-Markdown, imported on first use).

    fenced_code, tables and footnotes add what CommonMark/GFM posts use; sane_lists stops a
    list from changing type mid-way, as in CommonMark. Absurdly deep nesting is refused first:
    Python-Markdown's time grows with the cube of the depth (2000 nested lists take minutes).
    """
    import markdown as python_markdown  # the renderer: only HTML platforms need it

    tokens = parse_to_the_end(_depth_parser().parse, markdown)
    if max((t.level for t in tokens), default=0) >= MAX_NESTING - 1:
        raise ContentError(
            f"the post nests lists or blockquotes more than {MAX_NESTING // 2} levels deep",
            hint="flatten the nesting",
        )
    return python_markdown.markdown(
        _separate_lists(markdown),
        extensions=["fenced_code", "tables", "footnotes", "sane_lists"],
        output_format="html",
    )


def _separate_lists(markdown: str) -> str:
    """A blank line before each top-level list that starts right under a paragraph line.

    CommonMark lets a list interrupt a paragraph ("Steps:" then "- one"); Python-Markdown folds
    such a list into the paragraph as plain text. The CommonMark parser finds exactly those
    lists, outside code and HTML blocks; nested ones are left alone (a blank line there would
    change the list's own looseness)."""
    lines = markdown.split("\n")
    starts: list[int] = []
    paragraph_end: int | None = None
    for token in parse_to_the_end(_depth_parser().parse, markdown):
        if token.level != 0 or token.map is None:
            continue
        if token.type == "paragraph_open":
            paragraph_end = token.map[1]
        elif token.type.endswith("_list_open") and token.map[0] == paragraph_end:
            starts.append(token.map[0])
    for start in reversed(starts):
        lines.insert(start, "")
    return "\n".join(lines)


MAX_NESTING = 64


@cache
def _depth_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # the parser: never for `import crosspost`

    return MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).disable(["inline", "text_join"])
