"""A key given twice in the front matter is an error in every format, naming file, line and key.

YAML and JSON parsers keep the last value silently; a reviewer reading the first `title:` or
`canonical_url:` would approve something else than what the platforms get. TOML refuses it
itself. Merge keys (`<<`) still override as YAML intends.
"""

from __future__ import annotations

import pytest

from .conftest import HostileBlog, refusal

CASES = {
    "yaml": ("---\ntitle: Shown\ndate: 2024-03-01\ntitle: Published\n---\nB\n", 4, "title"),
    "yaml-quoted": ('---\ntitle: A\n"title": B\ndate: 2024-03-01\n---\nB\n', 3, "title"),
    "yaml-canonical": (
        "---\ntitle: T\ncanonical_url: https://me.example/a/\ndate: 2024-03-01\n"
        "canonical_url: https://attacker.example/\n---\nB\n",
        5,
        "canonical_url",
    ),
    "yaml-nested": ("---\ntitle: T\ndate: 2024-03-01\nseo:\n  a: 1\n  a: 2\n---\nB\n", 6, "a"),
    "json": ('{"title": "Shown",\n "date": "2024-03-01",\n "title": "Published"}\nB\n', 3, "title"),
    "json-nested": ('{"title": "T",\n "x": {"k": 1,\n  "k": 2}}\nB\n', 3, "k"),
}


@pytest.mark.parametrize(("text", "line", "key"), CASES.values(), ids=list(CASES))
def test_a_key_given_twice_is_refused(
    published: HostileBlog, text: str, line: int, key: str
) -> None:
    before, writes = published.records_bytes(), len(published.writes())
    path = published.write("twice.md", text)
    message = refusal(published.publish(), path)
    assert message.startswith(f"{path}:{line}: field '{key}': the key '{key}' is given twice")
    assert "keep one" in message
    assert len(published.writes()) == writes
    assert published.records_bytes() == before


def test_toml_refuses_it_too(published: HostileBlog) -> None:
    path = published.write("twice.md", '+++\ntitle = "A"\ndate = 2024-03-01\ntitle = "B"\n+++\nB\n')
    message = refusal(published.publish(), path)
    assert message.startswith(f"{path}:4: TOML syntax error"), message


def test_merge_keys_still_override(blog: HostileBlog) -> None:
    blog.write(
        "merge.md",
        "---\ntitle: T\ndate: 2024-03-01\nbase: &b {x: 1, y: 2}\nseo:\n  <<: *b\n  x: 3\n---\nB\n",
    )
    report = blog.publish()
    assert report.exit_code == 0, report.errors


def test_the_script_names_each_duplicate(published: HostileBlog) -> None:
    paths = {
        published.write(f"{n}.md", text): (line, key) for n, (text, line, key) in CASES.items()
    }
    result = published.cli("publish")
    for path, (line, key) in paths.items():
        published.assert_refused(result, path, f"{path}:{line}:", f"'{key}' is given twice")
