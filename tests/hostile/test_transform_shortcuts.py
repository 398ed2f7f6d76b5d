"""The transform's own shortcuts, each compared with the slower reading it stands for on
generated input (issue 15: a megabyte of headings or image paragraphs in under a second).

- the block rules read only lines with a `{`, a `:` or a `&`: on any other text they change
  nothing;
- repeated blank lines are found in the joined text, not line by line;
- tokens made for the blocks read without the parser are those its constructor makes;
- runs of paragraph lines are found stretch by stretch, not block line by block line;
- forms of sibling runs a text cannot hold are not searched for;
- the `#`s that start a line are found once, not in each paragraph;
- a block the link rules pass over holds nothing the inline parse would have found for them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crosspost import syntax
from crosspost.mdlines import Line, Run, blank, without_repeated_blanks

from .test_body_properties import DIALECTS, INLINE_PIECES, PAGE, SITE, bodies
from .test_sibling_runs import documents


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=bodies.map(lambda body: re.sub(r"[{:&]", "", body)),
    dialect=DIALECTS,
    definitions=st.booleans(),
)
def test_the_block_rules_leave_lines_without_a_brace_colon_or_ampersand(
    text: str, dialect: tuple[str | None, str], definitions: bool
) -> None:
    """The transform gives the block rules (templates, then script links) only lines with a
    `{`, a `:` or a `&`: on a block or a run of other lines without one they change nothing
    and say nothing, whatever the generator."""
    from crosspost.transform import _rewrite

    generator, suffix = dialect
    run = Run(path=None, page_url=PAGE, site_url=SITE)
    lines = [Line(part, number) for number, part in enumerate(text.split("\n"), start=1)]
    chunk = list(range(len(lines)))
    _rewrite(
        lines,
        chunk,
        run,
        None,
        syntax.Dialect.of(generator, Path("post" + suffix)),
        definitions=definitions,
    )
    assert run.restore("\n".join(line.text for line in lines)) == text
    assert not run.notices


# Lines of the kinds `blank` tells apart, and lines that are code.
LINES = st.lists(
    st.tuples(st.sampled_from(["", " ", "\t", " \t ", "x", " x", "\u00a0", "\x0c"]), st.booleans()),
    max_size=30,
)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=LINES, kept=st.sets(st.integers(min_value=0, max_value=30)))
def test_repeated_blank_lines_are_dropped_as_line_by_line(
    lines: list[tuple[str, bool]], kept: set[int]
) -> None:
    """A blank line after a blank line goes unless it is code or kept, exactly as when each
    line is read with `blank`."""
    made = [Line(text, number, frozen=frozen) for number, (text, frozen) in enumerate(lines)]
    expected = [
        line
        for i, line in enumerate(made)
        if line.frozen or not blank(line.text) or i in kept or i == 0 or not blank(made[i - 1].text)
    ]
    assert without_repeated_blanks(made, kept) == expected


TEXTS = st.text(max_size=4)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    fields=st.tuples(
        TEXTS,
        TEXTS,
        st.sampled_from([-1, 0, 1]),
        st.dictionaries(TEXTS, TEXTS, max_size=2),
        st.none() | st.lists(st.integers(0, 9), min_size=2, max_size=2),
        st.integers(0, 9),
        st.none() | st.just([]),
        TEXTS,
        TEXTS,
        TEXTS,
        st.dictionaries(TEXTS, st.integers(), max_size=2),
        st.booleans(),
        st.booleans(),
    )
)
def test_tokens_made_fast_are_the_constructors(fields: tuple[Any, ...]) -> None:
    """A token made by `token_maker` is the one `Token` makes of the same fields, every field
    set (a field `Token` gains would be missing: comparing would fail)."""
    from markdown_it.token import Token

    from crosspost.mdtokens import token_maker

    made = token_maker()(*fields)
    assert type(made) is Token
    assert made == Token(*fields)
    assert made.as_dict() == Token(*fields).as_dict()


def _plain_runs_line_by_line(text: str, min_run: int) -> list[tuple[int, int]]:
    """`plain_runs` as it was first written: each block line found, then each stretch of lines
    between two of them read for a run."""
    from crosspost.mdplain import _block_lines

    if "\r" in text or "\0" in text:
        return []
    lines = text.split("\n")
    block_lines: list[int] = []
    line = position = 0
    for m in _block_lines("$$" in text).finditer(text):
        line += text.count("\n", position, m.start())
        position = m.start()
        if not block_lines or block_lines[-1] != line:
            block_lines.append(line)
    runs: list[tuple[int, int]] = []
    for low, high in zip([-1, *block_lines], [*block_lines, len(lines)], strict=True):
        first = low + 1
        if low >= 0:
            while first < high and not blank(lines[first]):
                first += 1
        while first < high and blank(lines[first]):
            first += 1
        end = high
        if high < len(lines):
            while end > first and not blank(lines[end - 1]):
                end -= 1
        while end > first and blank(lines[end - 1]):
            end -= 1
        if end - first >= min_run:
            runs.append((first, end))
    return runs


RUN_PIECES = ["x", "#x", "é", "\u00a0", "", " ", "\t", "- a", "# h", "    y", "> q", "$$", "a$$"]


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    lines=st.lists(st.sampled_from(RUN_PIECES), max_size=40),
    ending=st.sampled_from(["", "\n"]),
    min_run=st.integers(min_value=1, max_value=6),
)
def test_runs_of_paragraph_lines_are_found_as_line_by_line(
    lines: list[str], ending: str, min_run: int
) -> None:
    """The stretches between block lines are found whole by one pattern: the runs are those
    found by reading each block line."""
    from crosspost.mdplain import plain_runs

    text = "\n".join(lines) + ending
    assert plain_runs(text, min_run) == _plain_runs_line_by_line(text, min_run)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=documents, tags=st.booleans(), broken=st.booleans())
@example(body="+ a\n+ b\n+ c\n+ d\n", tags=False, broken=False)  # each marker, each container
@example(body="> 1) a\n> 2) b\n> 3) c\n> 4) d\n", tags=False, broken=False)
@example(body="  * a\n    - b\n  * c\n    - d\n  * e\n    - f\n  * g\n", tags=False, broken=False)
def test_forms_passed_over_find_no_run(body: str, tags: bool, broken: bool) -> None:
    """`sibling_runs` does not look for loose runs in a text without an empty line, nor for
    runs of items in a text without a line of an item: their patterns find none there either
    (`broken`: the text with a marker's spacing taken from some lines, which leaves some
    without a line of an item)."""
    from crosspost.mdsiblings import _EMPTY_LINE, _ITEM_LINE, _run_matches

    if broken:
        body = re.sub(r"(?m)^([ >]*(?:[-+*]|\d+[.)]))[ \t](?=[^\n]*x)", r"\1", body)
    for form in ["bullets", "ordered"]:
        if _EMPTY_LINE.search(body) is None:
            assert not list(_run_matches(form, True, body, tags))
    if _ITEM_LINE.search(body) is None:
        for form, loose in [("bullets", False), ("ordered", False), ("periodic", False)]:
            assert not list(_run_matches(form, loose, body, tags)), form
        for form in ["bullets", "ordered"]:
            assert not list(_run_matches(form, True, body, tags)), form


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies)
def test_heading_lookalikes_found_once_are_those_found_in_each_paragraph(body: str) -> None:
    """The `#`s that start a line's text, found once in the whole text, are on any range of
    lines those found by reading that range alone."""
    from crosspost.mdlines import line_starts
    from crosspost.transform import _LOOKALIKE, _heading_lookalikes, _lookalike_candidates

    starts = line_starts(body)
    candidates = _lookalike_candidates(body)
    for first in range(len(starts) + 1):
        for end in range(first + 1, len(starts) + 2):
            expected: list[int] = []
            if first < len(starts):
                stop = starts[end] - 1 if end < len(starts) else len(body)
                expected = [m.end() - 1 for m in _LOOKALIKE.finditer(body, starts[first], stop)]
            assert _heading_lookalikes(body, starts, candidates, first, end, []) == expected


# Inline pieces, and what else the link rules look for: raw HTML, code spans beside a `#`,
# footnotes, math, escapes, a `](` with no `[` before it (a script link's tail).
PASSED_OVER_PIECES = [
    *INLINE_PIECES,
    *["<b>", "</b>", "<!-- c -->", "<x\n>", "`#`", "\\[", "\\]", "^[n [a](b)]", "$[a](b)$"],
    *["](javascript:x)", "](./x)", "] (y)", "[", "![", "<https://a>", "&#91;"],
    # tags left open: raw HTML and autolinks end in `>`, wherever it comes
    *["<a", "<img src='./x.png'", "</b", "<!-", "<?", ">", "\n"],
]


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    content=st.lists(st.sampled_from(PASSED_OVER_PIECES), max_size=12).map("".join),
    mdx=st.booleans(),
)
def test_a_block_the_link_rules_pass_over_holds_nothing_they_read(content: str, mdx: bool) -> None:
    """Where `_worth_parsing` refuses a block's inline content, the parser's recording rules
    find in it no link destination and no raw HTML, and no code span when it holds a `#` (what
    the link rules and the heading escapes read): not inline-parsing it loses nothing."""
    from crosspost.mdspans import _Collector, _inline_spans, _parser
    from crosspost.transform import _worth_parsing

    if _worth_parsing(content):
        return
    md = _parser(mdx=mdx)
    collector = _Collector()
    env = {"references": {"R": {"href": "/r", "title": ""}}, "crosspost_spans": collector}
    found = _inline_spans(md, env, collector, content)
    assert [kind for kind, _start, _end in found if kind != "code" or "#" in content] == []


def test_blocks_are_passed_over() -> None:
    """The property above is not vacuous: script links' tails without a `[` are passed over,
    and every form of what is read is not."""
    from crosspost.transform import _worth_parsing

    for content in ["](javascript:x)" * 3, "a ](b) c", "x ] (y)", "`code` text", "<a", "> <a"]:
        assert not _worth_parsing(content), content
    for content in ["[](z)", "[a] ](b)", "![i](c)", "<b>", "`#`", "a [b\n](c)", "<a <b\n>"]:
        assert _worth_parsing(content), content


def test_a_script_link_without_its_text_is_not_read_further(monkeypatch: Any) -> None:
    """The script-link rule reads a destination only after a `]` that closes a `[`: a `](`
    without one is no link, whatever follows it (test_no_script_link_survives holds the rule to
    every spelling of a script link that is one)."""
    from crosspost import transform as module

    read: list[int] = []
    parse_destination = module._parse_destination

    def counted(text: str, at: int) -> tuple[int, int, int] | None:
        read.append(at)
        return parse_destination(text, at)

    monkeypatch.setattr(module, "_parse_destination", counted)
    run = Run(path=None, page_url=PAGE, site_url=SITE)
    tails = "](javascript:x)" * 50 + " ] ](data:y)"
    assert module._unsafe_links(tails, run, lambda _offset: 1) == tails
    assert read == [] and not run.notices
    assert module._unsafe_links("a [b](javascript:x) c", run, lambda _offset: 1) == "a b c"
    assert read == [6] and len(run.notices) == 1
