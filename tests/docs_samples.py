"""The fenced samples of README.md and docs/, each with the marker that says how it is checked.

Every fenced block is preceded by an HTML comment (invisible on GitHub and on the site) naming
its checker; `tests/test_docs_samples.py` fails on a block without one:

- `<!-- from: PATH -->`: the block appears verbatim in PATH (a source file another test runs,
  or the docs page a shorter copy is taken from);
- `<!-- run -->`: a Python block, executed in page order by `tests/test_examples.py`;
- `<!-- cli -->`: each `$ crosspost …` line names a real command and real options;
- `<!-- sample: NAME -->`: a test reads it with `sample("NAME")` and runs or compares it;
- `<!-- checked-by: tests/FILE.py::TEST -->`: that test reads the page and checks the block;
- `<!-- illustrative: REASON -->`: shown for understanding only; the reason says why no test
  can hold it (a placeholder address, a diagram).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

__all__ = ["PAGES", "Sample", "all_samples", "commands", "page_samples", "sample"]

PAGES = (REPO / "README.md", *sorted((REPO / "docs").rglob("*.md")))

_FENCE = re.compile(
    r"^(?P<indent>[ ]*)(?P<fence>`{3,}|~{3,})(?P<lang>[\w-]*)[^\n]*\n(?P<code>.*?)"
    r"^(?P=indent)(?P=fence)[ \t]*$",
    re.S | re.M,
)
_MARKER = re.compile(
    r"<!-- (?P<kind>from|run|cli|sample|checked-by|illustrative)(?::\s*(?P<arg>.*?))? -->"
)


@dataclass(frozen=True)
class Sample:
    """One fenced block: where it is, its language and text, and its marker."""

    page: str
    line: int
    lang: str
    code: str
    kind: str | None
    arg: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def page_samples(page: Path) -> list[Sample]:
    """The fenced blocks of one Markdown file, in order, code unindented as it is shown."""
    text = page.read_text("utf-8")
    name = page.relative_to(REPO).as_posix()
    found = []
    for m in _FENCE.finditer(text):
        indent = len(m["indent"])
        code = "".join(line[indent:] for line in m["code"].splitlines(keepends=True))
        before = text[: m.start()].rstrip().rsplit("\n", 1)[-1].strip()
        marker = _MARKER.fullmatch(before)
        found.append(
            Sample(
                page=name,
                line=text.count("\n", 0, m.start()) + 1,
                lang=m["lang"],
                code=code,
                kind=marker["kind"] if marker else None,
                arg=(marker["arg"] or "").strip() if marker else "",
            )
        )
    return found


def all_samples() -> list[Sample]:
    return [found for page in PAGES for found in page_samples(page)]


def sample(name: str) -> Sample:
    """The block marked `<!-- sample: NAME -->` (exactly one in README.md and docs/)."""
    [found] = [s for s in all_samples() if s.kind == "sample" and s.arg == name]
    return found


def commands(block: Sample) -> list[str]:
    """The command lines of a console block: `$ ` lines, without the prompt."""
    return [line[2:] for line in block.code.splitlines() if line.startswith("$ ")]
