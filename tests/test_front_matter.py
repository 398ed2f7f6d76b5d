"""Front matter handlers: line-exact splitting, safe loading, and parse∘serialise round trips."""

from __future__ import annotations

import string
from datetime import date, datetime
from pathlib import Path
from typing import Any

import frontmatter
import pytest
from frontmatter.default_handlers import BaseHandler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosspost import front_matter
from crosspost.config import Config, SiteConfig
from crosspost.errors import SourceError
from crosspost.sources import parse_text

CONFIG = Config(root=Path("/nonexistent-blog"), site=SiteConfig(url="https://blog.example.com"))


def test_handlers_are_python_frontmatter_handlers() -> None:
    for handler in front_matter.HANDLERS:
        assert isinstance(handler, BaseHandler)
    post = frontmatter.Post("Body", handler=front_matter.TOMLHandler(), title="T")
    assert frontmatter.dumps(post) == '+++\ntitle = "T"\n+++\n\nBody'


@pytest.mark.parametrize(
    ("text", "fmt", "body", "body_line"),
    [
        ("---\ntitle: T\n---\nBody\n", "yaml", "Body\n", 4),
        ("---   \ntitle: T\n---\t\n\nBody", "yaml", "\nBody", 4),
        ("+++\ntitle = 'T'\n+++\nBody", "toml", "Body", 4),
        ('{\n"title": "T"\n}\nBody', "json", "Body", 4),
        ('{"title": "T", "x": "}"}\nBody', "json", "Body", 2),
        ("---\ntitle: T\n---", "yaml", "", 4),
        ("---\ntitle: T\nx: |\n  ---\n---\nafter\n---\n", "yaml", "after\n---\n", 6),
    ],
)
def test_split_is_line_exact(text: str, fmt: str, body: str, body_line: int) -> None:
    matter = front_matter.read(text)
    assert matter.format == fmt
    assert matter.data["title"] == "T"
    assert (matter.body, matter.body_line) == (body, body_line)


def test_key_lines() -> None:
    text = "+++\ntitle = 'T'\n\n[taxonomies]\ntags = ['a']\n\n[extra]\ncover = 'x'\n+++\n"
    lines = front_matter.read(text).key_lines
    assert lines["title"] == 2
    assert lines["taxonomies.tags"] == 5
    assert lines["extra.cover"] == 8
    yaml_lines = front_matter.read("---\ntitle: T\nmeta:\n  canonical: x\ntags: []\n---\n")
    assert yaml_lines.key_lines == {"title": 2, "meta": 3, "meta.canonical": 4, "tags": 5}


def test_unclosed_front_matter_is_not_read_as_body() -> None:
    # python-frontmatter's regex split would return this whole file as a post without metadata.
    with pytest.raises(SourceError, match="never closed"):
        front_matter.read("---\ntitle: T\n\nBody without the closing line.\n")


def test_text_after_json_object() -> None:
    with pytest.raises(SourceError, match="closing brace") as caught:
        front_matter.read('{"title": "T"} trailing\nBody')
    assert caught.value.line == 1


def test_impossible_yaml_date_stays_text() -> None:
    assert front_matter.read("---\ndate: 2024-02-30\n---\n").data == {"date": "2024-02-30"}


def test_big_but_legitimate_front_matter_loads() -> None:
    items = "\n".join(f"  - tag{i}" for i in range(2000))
    matter = front_matter.read(f"---\ntitle: T\ntags:\n{items}\n---\n")
    assert len(matter.data["tags"]) == 2000


def test_shared_aliases_within_the_limit_load() -> None:
    matter = front_matter.read("---\nbase: &b {a: 1, b: 2}\none: *b\ntwo: *b\n---\n")
    assert matter.data["two"] == {"a": 1, "b": 2}


# --------------------------------------------------------------------------- round trips

# NEL and the Unicode line/paragraph separators are line breaks to YAML; PyYAML writes them raw
# with allow_unicode and reads them back as a folded space (real front matter never has them).
_text = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x85\u2028\u2029"
    ),
    max_size=40,
)
_scalar = st.one_of(
    _text,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)
_key = st.text(alphabet=string.ascii_letters + "_-", min_size=1, max_size=12)


@st.composite
def _metadata(draw: st.DrawFn, fmt: str) -> dict[str, Any]:
    values: list[st.SearchStrategy[Any]] = [_scalar, st.lists(_scalar, max_size=4)]
    if fmt != "json":
        values.append(st.dates())
        values.append(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)))
    data: dict[str, Any] = draw(st.dictionaries(_key, st.one_of(values), max_size=6))
    if fmt != "json" and draw(st.booleans()):
        data["extra"] = draw(st.dictionaries(_key, _scalar, max_size=3))
    return data


_body = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Zl", "Zp", "Cc")),
    max_size=200,
).map(lambda s: s.replace("\r", ""))


@pytest.mark.parametrize("fmt", ["yaml", "toml", "json"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip(fmt: str, data: st.DataObject) -> None:
    """Any metadata and body written by `dumps` read back as they were, keys named like the
    writer's own arguments (`content`, `handler`: a TypeError, found by hypothesis) too."""
    metadata = data.draw(_metadata(fmt))
    body = data.draw(_body)
    text = front_matter.dumps(metadata, body, fmt=fmt)
    matter = front_matter.read(text)
    assert matter.format == fmt
    assert dict(matter.data) == metadata
    assert matter.body.strip() == body.strip()


@pytest.mark.parametrize("fmt", ["yaml", "toml", "json"])
def test_keys_named_like_the_writers_arguments_are_written(fmt: str) -> None:
    metadata = {"title": "T", "content": "c", "handler": "h"}
    matter = front_matter.read(front_matter.dumps(metadata, "Body.", fmt=fmt))
    assert dict(matter.data) == metadata
    assert matter.body.strip() == "Body."


_word = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=8)
_title = st.lists(_word, min_size=1, max_size=6).map(" ".join)
_tags = st.lists(_word, max_size=5, unique_by=str.casefold)
_paragraphs = st.lists(st.lists(_word, min_size=1, max_size=12).map(" ".join), max_size=4)


@pytest.mark.parametrize("fmt", ["yaml", "toml", "json"])
@settings(max_examples=40, deadline=None)
@given(title=_title, tags=_tags, paragraphs=_paragraphs, when=st.dates())
def test_parse_serialise_round_trip(
    fmt: str, title: str, tags: list[str], paragraphs: list[str], when: date
) -> None:
    metadata: dict[str, Any] = {"title": title, "tags": tags, "date": when.isoformat()}
    body = "\n\n".join(paragraphs)
    doc = parse_text(front_matter.dumps(metadata, body, fmt=fmt), config=CONFIG)
    assert doc.title == title
    assert list(doc.tags) == tags
    assert doc.body.strip() == body.strip()
    assert doc.date is not None and doc.date.date() == when
