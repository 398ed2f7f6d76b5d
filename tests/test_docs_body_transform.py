"""Every example of docs/body-transform.md is what the transform does, for its generator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crosspost.transform import transform

DOC = Path(__file__).resolve().parents[1] / "docs" / "body-transform.md"
_CHECKED = "<!-- checked-by: tests/test_docs_body_transform.py::test_documented_example -->\n"
EXAMPLE = re.compile(
    rf"<!-- example: (?P<options>[^>]*) -->\n{_CHECKED}````markdown\n(?P<before>.*?)\n````\n\n"
    rf"{_CHECKED}````markdown\n(?P<after>.*?)\n````\n",
    re.S,
)
SITE = "https://blog.example.com"


def examples() -> list[tuple[dict[str, str], str, str]]:
    found = []
    for m in EXAMPLE.finditer(DOC.read_text(encoding="utf-8")):
        options = dict(pair.split("=", 1) for pair in m.group("options").split())
        found.append((options, m.group("before") + "\n", m.group("after") + "\n"))
    return found


def test_every_section_has_its_example() -> None:
    text = DOC.read_text(encoding="utf-8")
    sections = re.findall(r"^## (?!Speed)", text, re.M)
    assert len(examples()) == len(sections) == text.count("<!-- example:")


@pytest.mark.parametrize(
    ("options", "before", "after"),
    examples(),
    ids=lambda v: v.get("generator") if isinstance(v, dict) else "",
)
def test_documented_example(options: dict[str, str], before: str, after: str) -> None:
    generator = options.get("generator")
    result = transform(
        before,
        page_url=f"{SITE}/posts/my-post/",
        site_url=SITE,
        title="My post",
        path=Path("post" + options.get("suffix", ".md")),
        generator=None if generator == "none" else generator,
        ref_url=lambda target: f"{SITE}/blog/{Path(target).stem}/",
    )
    assert result.body == after
