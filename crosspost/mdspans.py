"""Where a Markdown source holds link destinations, raw HTML and code spans, as CommonMark reads it.

Guessing links with patterns gets CommonMark's precedence wrong (`\\[not a link](/foo)`, nested
links, a `](` inside a code span or an HTML attribute), and every such guess changes what the
post means. So the positions come from markdown-it itself: its link, image, raw-HTML and
code-span rules and its reference-definition rule are wrapped to record where they matched.
Inline parsing is the expensive part of a parse, so only blocks that can hold what is asked for
are parsed inline.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from .mdblanks import Blanks, blank_runs
from .mdcuts import Cut, HtmlBlocks, Paragraphs, parse_around
from .mdhtml import html_runs
from .mditems import item_runs
from .mdlines import line_starts, parse_to_the_end
from .mdplain import (
    BLOCK_RUN,
    MIN_RUN,
    paragraphs_only,
    plain_link_prefix,
    plain_link_spans,
    plain_runs,
    run_blocks,
)
from .mdquoteruns import quote_runs
from .mdquotes import Continuations, continuations
from .mdsiblings import MIN_SIBLINGS, Siblings, sibling_runs, sibling_spans
from .mdtags import tag_link_spans

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

__all__ = ["BlockParse", "Span", "Spans", "find_spans", "parse_blocks"]

_KEY = "crosspost_spans"


@dataclass(frozen=True, slots=True)
class Span:
    """`kind` ("destination", "html" or "code") between document offsets `start` and `end`."""

    kind: str
    start: int
    end: int


@dataclass
class Spans:
    """What one parse found: spans in order of discovery, the block tokens, and the parse's
    environment (its reference definitions)."""

    spans: list[Span]
    tokens: list[Token]
    env: dict[str, Any]


@dataclass
class _Collector:
    current: str | None = None
    found: list[tuple[str, int, int]] = field(default_factory=list)
    definitions: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class BlockParse:
    """One block parse of `text`: the tokens, and the reference definitions' destinations."""

    text: str
    tokens: list[Token]
    env: dict[str, Any]
    definitions: list[tuple[int, int]]
    mdx: bool

    @cached_property
    def starts(self) -> list[int]:
        """Where each line of `text` starts."""
        return line_starts(self.text)


def parse_blocks(text: str, *, mdx: bool = False, min_run: int | None = None) -> BlockParse:
    """The block structure of `text` (inline parsing is left to `find_spans`); with `mdx`, as
    MDX reads it: there is no indented code (indentation is only layout).

    A body of paragraphs only is not given to the parser (with at least `min_run` blocks, by
    default `MIN_RUN`, one paragraph stands for them all: `crosspost.mdplain`); runs of
    paragraph lines (put back as one paragraph standing for their blocks, so too), of HTML
    blocks and of short quotes are given to it as one line each (one paragraph standing for a
    run of quotes' paragraphs: `crosspost.mdquoteruns`), and runs of
    list items or table rows are not given to it at all, nor are runs of blockquote
    lines that only continue a paragraph (runs of at least `min_run` lines, by default
    `MIN_RUN` and `MIN_SIBLINGS`; `crosspost.mdplain`, `crosspost.mdhtml`,
    `crosspost.mdsiblings`, `crosspost.mditems` (items of several lines) and `crosspost.mdquotes`
    say why that gives the same tokens, a run of siblings becoming one that stands for them all,
    or for each of its parts); runs of
    `MIN_BLANKS` blank lines and more that no other run cuts or reads are given to it as one
    blank line (`crosspost.mdblanks`). A run the parse
    does not confirm is dropped and the rest tried once more; then the whole text is parsed."""
    tokens = paragraphs_only(text, min_run or MIN_RUN)
    if tokens is not None:
        return BlockParse(text, tokens, {}, [], mdx)
    runs = min_run or MIN_RUN
    cuts = _with_blanks(
        _apart(
            sorted(
                [
                    *(Paragraphs(first, end) for first, end in plain_runs(text, runs)),
                    *(HtmlBlocks(first, end) for first, end in html_runs(text, runs, mdx=mdx)),
                    *quote_runs(text, runs),
                    *sibling_runs(text, min_run or MIN_SIBLINGS, mdx=mdx),
                    *item_runs(text, min_run or MIN_SIBLINGS),
                    *continuations(text, runs),
                ],
                key=lambda cut: cut.first,
            )
        ),
        blank_runs(text),
    )
    for _attempt in range(2):
        if not cuts:
            break
        parse = parse_around(text, cuts, lambda reduced: _parse(reduced, mdx=mdx), runs)
        if not isinstance(parse, set):
            tokens, env, definitions = parse
            return BlockParse(text, tokens, env, definitions, mdx)
        cuts = [cut for index, cut in enumerate(cuts) if index not in parse]
    return _parse(text, mdx=mdx)


def _apart(cuts: list[Cut]) -> list[Cut]:
    """`cuts` (in order) without those that would cut lines another one cuts or reads: the
    lines of a run, and of the sibling above it (runs of different forms may meet)."""
    kept: list[Cut] = []
    done = 0
    for cut in cuts:
        if _top(cut) >= done:
            kept.append(cut)
            done = cut.end
    return kept


def _top(cut: Cut) -> int:
    """The first line `cut` cuts or reads: a run's, or that of the sibling or paragraph above it."""
    return cut.above if isinstance(cut, Siblings | Continuations) else cut.first


def _with_blanks(cuts: list[Cut], blanks: list[Blanks]) -> list[Cut]:
    """`cuts` (in order, apart) and the runs of `blanks` that hold no line any of them cuts or
    reads, in order: a run of blank lines gives way to the others (blank lines between loose
    items are a run of siblings' own)."""
    spans = [(_top(cut), cut.end) for cut in cuts]
    starts = [first for first, _end in spans]
    free = [
        run
        for run in blanks
        for at in [bisect_right(starts, run.end - 1) - 1]  # the last cut starting in or above it
        if at < 0 or spans[at][1] <= run.first
    ]
    return sorted([*cuts, *free], key=lambda cut: cut.first)


def _parse(text: str, *, mdx: bool) -> BlockParse:
    def once(source: str) -> BlockParse:
        collector = _Collector()
        env: dict[str, Any] = {_KEY: collector}
        tokens = _parser(mdx=mdx).parse(source, env)
        del env[_KEY]
        return BlockParse(text, tokens, env, collector.definitions, mdx)

    return parse_to_the_end(once, text)


def find_spans(parse: BlockParse, *, wanted: Callable[[str], bool]) -> Spans:
    """Inline-parse the blocks of `parse` whose content `wanted` accepts, and report what is
    where; reference definitions are always reported (they are block syntax). A block whose
    only inline syntax is plain links is read without the parser (`crosspost.mdplain`), and
    one whose only inline syntax is plain links and raw HTML tags too (`crosspost.mdtags`).

    `wanted` must accept a text whenever it accepts a part of it: a run of blocks standing for
    many is passed over whole when it does not accept the run's text (`_runs_read`)."""
    collector = _Collector()
    text, tokens = parse.text, parse.tokens
    env = {**parse.env, _KEY: collector}
    md = _parser(mdx=parse.mdx)
    starts = parse.starts
    spans = [Span("destination", s, e) for s, e in parse.definitions]
    previous = ""
    cursor: dict[int, int] = {}  # per line, where the next table cell is searched from
    for token in _runs_read(tokens, wanted):
        cell = previous in ("th_open", "td_open")
        previous = token.type
        if token.type != "inline" or not token.map:
            continue
        if wanted(token.content):
            content = token.content
            if token.meta:
                found = sibling_spans(content, md.validateLink)
                if found is None:
                    found = _inline_spans(md, env, collector, content)
            else:
                read = tag_link_spans if "<" in content else plain_link_spans
                found = read(content, md.validateLink)
                if found is None:
                    found = _parsed_after_plain_links(md, env, collector, content)
            spans.extend(_located(text, starts, token, found, cursor, cell=cell))
        elif cell:
            _located(text, starts, token, [], cursor, cell=True)
    return Spans(spans, tokens, parse.env)


def _runs_read(tokens: list[Token], wanted: Callable[[str], bool]) -> Iterator[Token]:
    """`tokens`, with the inline token of each paragraph standing for a run of blocks
    (`crosspost.mdplain`) whose text `wanted` accepts replaced by its blocks' own.

    One whose text is not wanted is kept, and passed over: `wanted` accepts a block's content
    whenever it accepts a part of it, and the run's text holds each of its blocks' content (a
    megabyte of one-word paragraphs is read at once). Of a run whose text is wanted, only the
    blocks whose content is wanted are given (the others would be passed over: a run's blocks
    are never table cells)."""
    for token in tokens:
        if BLOCK_RUN in token.meta and token.type == "inline" and wanted(token.content):
            for _tag, inline in run_blocks(token, wanted):
                yield inline
        else:
            yield token


def _inline_spans(
    md: MarkdownIt, env: dict[str, Any], collector: _Collector, content: str, start: int = 0
) -> list[tuple[str, int, int]]:
    """What the recording rules find in one block's inline `content`, read from `start` (where
    the parser's state is a block's first: `_parsed_after_plain_links`)."""
    from markdown_it.rules_inline import StateInline  # the parser: never for `import crosspost`

    collector.current = content
    collector.found = []
    state = StateInline(content, md, env, [])
    state.pos = start
    # Tokenized only: where things are is known once each rule has matched, and the
    # post-processing passes (emphasis pairing, text joining) only reshape tokens.
    md.inline.tokenize(state)
    collector.current = None
    return collector.found


def _parsed_after_plain_links(
    md: MarkdownIt, env: dict[str, Any], collector: _Collector, content: str
) -> list[tuple[str, int, int]]:
    """What the recording rules find in one block's inline `content`: the plain links it begins
    with read without the parser, and only the rest parsed, in place, from the end of the last
    (`crosspost.mdplain.plain_link_prefix` says why that is the same)."""
    found, cut = plain_link_prefix(content, md.validateLink)
    return found + _inline_spans(md, env, collector, content, cut)


def _located(
    text: str,
    starts: list[int],
    token: Token,
    found: list[tuple[str, int, int]],
    cursor: dict[int, int],
    *,
    cell: bool,
) -> list[Span]:
    """Content offsets of one inline block mapped to document offsets, each one checked.

    A block's content is its lines without container markers and indentation, so each content
    line is the end of its source line (a table cell: a part of it, searched left to right).
    """
    assert token.map is not None
    if not found and not cell:
        return []
    content = token.content
    if not cell and "\n" not in content and token.map[1] - token.map[0] <= 1:
        return _located_on_line(text, starts, token.map[0], content, found)
    content_lines = content.split("\n")
    shift = _stripped_lines(text, starts, token, content_lines)
    bases: list[int] = []
    offset = 0
    origins: list[int | None] = []
    for k, content_line in enumerate(content_lines):
        bases.append(offset)
        offset += len(content_line) + 1
        number = token.map[0] + shift + k
        origins.append(_origin(text, starts, number, content_line, cursor, cell=cell))
    located: list[Span] = []
    for kind, start, end in found:
        k = bisect_right(bases, start) - 1
        origin = origins[k]
        if origin is None or start - bases[k] < len(content_lines[k]) - len(
            content_lines[k].lstrip(" \t")
        ):
            continue
        begin = origin + start - bases[k]
        # Spans may cross lines (raw HTML): the end is mapped on its own line.
        k_end = bisect_right(bases, max(start, end - 1)) - 1
        end_origin = origins[k_end]
        if end_origin is None:
            continue
        span = _checked(text, content, kind, start, end, begin, end_origin + end - bases[k_end])
        if span is not None:
            located.append(span)
    return located


def _located_on_line(
    text: str, starts: list[int], number: int, content: str, found: list[tuple[str, int, int]]
) -> list[Span]:
    """`_located` for a block of one line, line `number`, all of whose content is on it (most
    blocks of a long post): nothing to split or shift, one origin for every span."""
    origin = _origin(text, starts, number, content, {}, cell=False)
    if origin is None:
        return []
    lead = len(content) - len(content.lstrip(" \t"))
    located: list[Span] = []
    for kind, start, end in found:
        if start >= lead:
            span = _checked(text, content, kind, start, end, origin + start, origin + end)
            if span is not None:
                located.append(span)
    return located


def _origin(
    text: str, starts: list[int], number: int, line: str, cursor: dict[int, int], *, cell: bool
) -> int | None:
    """Where `line`, a line of a block's content, begins in the document, read from source
    line `number` (None when it is not there or holds only spaces and tabs)."""
    if number >= len(starts):
        return None
    end = starts[number + 1] - 1 if number + 1 < len(starts) else len(text)
    source = text[starts[number] : end]
    stripped = line.lstrip(" \t")
    lead = len(line) - len(stripped)
    if cell:
        at = source.find(stripped, cursor.get(number, 0))
        cursor[number] = at + len(stripped) if at >= 0 else cursor.get(number, 0)
    elif source.endswith(stripped):
        at = len(source) - len(stripped)
    elif source.rstrip().endswith(stripped):
        at = len(source.rstrip()) - len(stripped)
    else:
        at = source.rfind(stripped)
    return None if at < 0 or not stripped else starts[number] + at - lead


def _checked(
    text: str, content: str, kind: str, start: int, end: int, begin: int, finish: int
) -> Span | None:
    """The span of `content[start:end]` at `begin:finish` in the document, if it holds the same
    text there (raw HTML, whose lines lost their containers: the same first and last
    characters)."""
    if kind != "html" and text[begin:finish] != content[start:end]:
        return None
    if kind == "html" and (
        text[begin : begin + 1] != "<" or text[finish - 1 : finish] != content[end - 1 : end]
    ):
        return None
    return Span(kind, begin, finish)


def _stripped_lines(text: str, starts: list[int], token: Token, content_lines: list[str]) -> int:
    """How many of the block's first lines its content lost.

    markdown-it strips a paragraph's content with `str.strip()`, so leading lines of U+00A0 or
    other Unicode spaces (text in CommonMark) are gone from it: the content's first line is
    then a later line of the block, the first one that holds it.
    """
    assert token.map is not None
    extra = token.map[1] - token.map[0] - len(content_lines)
    if extra <= 0:
        return 0  # no line to lose (a block of one line, or a sibling standing for a run)
    first = content_lines[0].strip(" \t")
    for shift in range(max(0, extra) + 1 if first else 1):
        number = token.map[0] + shift
        if number >= len(starts):
            break
        end = starts[number + 1] if number + 1 < len(starts) else len(text)
        if first in text[starts[number] : end]:
            return shift
    return 0


# --------------------------------------------------------------------------- the parser


@cache
def _parser(*, mdx: bool) -> MarkdownIt:
    """CommonMark plus GFM tables, footnotes and `$` math, with recording rules; the inline pass
    is run by hand.

    Footnotes and math are read because posts use them: `[^note]: text` is a footnote, not a
    link definition, and `$[a](b)$` or a `#` line inside `$$` display math is math, not text.
    """
    # The parser and its plugins: never for `import crosspost`.
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import reference
    from markdown_it.rules_inline import backtick, html_inline, image, link
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark").enable("table").use(footnote_plugin).use(dollarmath_plugin)
    # Footnote bodies stay where they are written (not moved to the end): their links are found
    # at their own lines.
    md.disable(["inline", "text_join", "footnote_tail", *(["code", "html_block"] if mdx else [])])
    # Emphasis only pairs up `*` and `_` runs after the fact: it never decides where a link, a
    # code span or HTML is (links take precedence over emphasis in CommonMark), and without
    # the rule a run is read as text one character at a time, to the same positions.
    md.disable("emphasis")
    # The text rule reads on to the next character a rule may start at (recent markdown-it-py
    # keeps them in `terminator_re`; older ones a fixed set); with emphasis off, `*` and `_`
    # start none, so text runs on through them instead of trying every rule at each.
    terminators = getattr(md.inline, "terminator_re", None)
    if terminators is not None:
        md.inline.terminator_re = re.compile("(?![*_])" + terminators.pattern)
    md.block.ruler.at("reference", _recording_reference(reference))
    md.inline.ruler.at("link", _recording(link, _destination(image=False)))
    md.inline.ruler.at("image", _recording(image, _destination(image=True)))
    md.inline.ruler.at("html_inline", _recording(html_inline, _whole("html")))
    md.inline.ruler.at("backticks", _recording(backtick, _whole("code")))
    # Only where destinations are is wanted, not the hrefs markdown-it would render: its
    # percent-encoding of each one (a sixth of a link-dense parse) is skipped. Whether a URL is
    # accepted (`validateLink`, which reads only its scheme) is unchanged.
    md.normalizeLink = _as_written  # type: ignore[method-assign]
    return md


def _as_written(url: str) -> str:
    return url


InlineRule = Callable[["StateInline", bool], bool]
BlockRule = Callable[["StateBlock", int, int, bool], bool]


def _collector(state: StateInline) -> _Collector | None:
    collector = state.env.get(_KEY)
    # Only the block's own text: an image's description is parsed again as a separate text,
    # and what is inside it (a link in alt text) never shows as a link.
    if isinstance(collector, _Collector) and state.src is collector.current:
        return collector
    return None


Found = tuple[str, int, int]
Locate = Callable[["StateInline", int, int], Found | None]


def _recording(rule: InlineRule, locate: Locate) -> InlineRule:
    """`rule`, also recording `locate(state, start, end)` for each match in the block's text."""

    def recording(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not rule(state, silent):
            return False
        collector = _collector(state)
        if not silent and collector is not None:
            found = locate(state, start, state.pos)
            if found is not None:
                collector.found.append(found)
        return True

    return recording


def _whole(kind: str) -> Locate:
    return lambda state, start, end: (kind, start, end)


def _destination(*, image: bool) -> Locate:
    """Where the destination of the link (or image) matched from `start` to `end` is.

    Only an inline link has one, and it ends with its `)`; a reference link ends with a `]`,
    also where an inline form failed before it: markdown-it-py then steps one character past
    where the `)` was wanted and reads a reference there (`[o](p]` then `x[r]`, one line
    apart, is a link to `[r]`'s destination; `p]` is none)."""

    def locate(state: StateInline, start: int, end: int) -> Found | None:
        if state.src[end - 1] != ")":
            return None
        state.pos = start
        try:
            label_end = state.md.helpers.parseLinkLabel(
                state, start + 1 if image else start, not image
            )
        finally:
            state.pos = end
        span = _inline_destination(state, label_end + 1, end)
        return None if span is None else ("destination", *span)

    return locate


def _inline_destination(state: StateInline, at: int, limit: int) -> tuple[int, int] | None:
    """(start, end) of the destination of `(dest "title")` at `at`; None for a reference link."""
    src = state.src
    if at >= limit or src[at] != "(":
        return None
    position = at + 1
    while position < limit and src[position] in " \t\n":
        position += 1
    result = state.md.helpers.parseLinkDestination(src, position, limit)
    if not result.ok or result.pos <= position:
        return None
    return position, result.pos


def _recording_reference(rule: BlockRule) -> BlockRule:
    def recording(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if not rule(state, start_line, end_line, silent):
            return False
        collector = state.env.get(_KEY)
        if not silent and isinstance(collector, _Collector):
            span = _definition_destination(state, start_line, state.line)
            if span is not None:
                collector.definitions.append(span)
        return True

    return recording


def _definition_destination(state: StateBlock, first: int, end: int) -> tuple[int, int] | None:
    """Document offsets of the destination of the definition on lines first..end."""
    from markdown_it.helpers import parseLinkDestination  # never for `import crosspost`

    pieces: list[tuple[int, int]] = []  # (offset in the joined string, document offset)
    joined = ""
    for line in range(first, end):
        begin = state.bMarks[line] + state.tShift[line]
        pieces.append((len(joined), begin))
        joined += state.src[begin : state.eMarks[line] + 1]
    position = 1
    while position < len(joined) and joined[position] != "]":
        position += 2 if joined[position] == "\\" else 1
    position += 2  # past "]:"
    while position < len(joined) and joined[position] in " \t\n":
        position += 1
    result = parseLinkDestination(joined, position, len(joined))
    if not result.ok or result.pos <= position:
        return None
    index = bisect_right([p[0] for p in pieces], position) - 1
    joined_start, document_start = pieces[index]
    start = document_start + position - joined_start
    finish = start + result.pos - position
    if state.src[start:finish] != joined[position : result.pos]:
        return None
    return start, finish
