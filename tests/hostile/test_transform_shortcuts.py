"""The transform's own shortcuts, each compared with the slower reading it stands for on
generated input (issue 15: a megabyte of headings or image paragraphs in under a second).

- the block rules read only lines with a `{`, a `:` or a `&`: on any other text they change
  nothing;
- repeated blank lines are found in the joined text, not line by line;
- tokens made for the blocks read without the parser are those its constructor makes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosspost import syntax
from crosspost.mdlines import Line, Run, blank, without_repeated_blanks

from .test_body_properties import DIALECTS, PAGE, SITE, bodies


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
