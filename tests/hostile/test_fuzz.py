"""Property tests with adversarial generators, beyond tests/test_sources.py and test_transform.py.

- front matter: nested structures with every field's aliases, hostile scalars and unicode,
  written as YAML, TOML or JSON, then corrupted with anchors, aliases, delimiters and quotes:
  `parse_text` gives a Document or a SourceError naming the file, nothing else;
- bodies: fences of every kind with hostile content, script links and raw HTML around them,
  under clean front matter: the code blocks come out unchanged, no script URL survives in any
  rendering, and every platform's `render` gives a payload or a ContentError, nothing else.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from crosspost.adapter import Adapter
from crosspost.check import offline_renderer
from crosspost.config import load_config
from crosspost.document import Document
from crosspost.errors import ContentError, SourceError
from crosspost.front_matter import dumps
from crosspost.sources import ALIASES, parse_text

from .conftest import script_urls

SITE = "https://blog.example.com"
_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=40,
)
_hostile = st.sampled_from(
    [
        "javascript:alert(1)",
        "data:text/html,<script>x</script>",
        "../../../../etc/passwd",
        "/etc/passwd",
        "2024-02-30",
        "\u202etxt.exe",
        "\x1b[2J",
        "yes",
        "~",
        "null",
        "<<: *a",
        "&a",
        "*a",
        "---",
        "+++",
        "{{< youtube x >}}",
        "",
        " ",
    ]
)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.dates()
    | st.datetimes()
    | _text
    | _hostile
)
_keys = st.sampled_from(sorted({a.split(".")[0] for v in ALIASES.values() for a in v})) | _text
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=12,
)
_fragments = st.sampled_from(
    ["&a ", "*a", "<<: *a\n", "\t", "\n---\n", "\n+++\n", ": ", "'", '"', "{", "}", "[", "]",
     "\n  - ", "\n? ", "!!python/object:os.system ", "%YAML 1.1\n", "\\", ",", "=", "#"]
)  # fmt: skip


def _serialise(data: dict[str, Any], fmt: str, body: str) -> str | None:
    try:
        if fmt == "json":
            return json.dumps(data, default=str, ensure_ascii=False) + "\n" + body
        if fmt == "yaml":
            return "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n" + body
        return dumps(data, body, fmt="toml")
    except (TypeError, ValueError, yaml.YAMLError):
        return None


def _parsed(text: str, config: Any) -> Document | SourceError:
    """The Document, or the SourceError; anything else escapes and fails the test."""
    try:
        return parse_text(text, path=Path("fuzz.md"), config=config)
    except SourceError as exc:
        error = exc
    assert error.path == Path("fuzz.md") and error.message, repr(error)
    return error


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A blog with every built-in platform configured (never contacted)."""
    root = tmp_path_factory.mktemp("fuzz-blog")
    (root / "crosspost.toml").write_text(
        f'[site]\nurl = "{SITE}"\n\n[platforms.devto]\n\n'
        '[platforms.hashnode]\npublication = "fuzz.hashnode.dev"\n\n[platforms.medium]\n\n'
        '[platforms.mastodon]\ninstance = "https://mastodon.example"\nupload_cover = true\n',
        "utf-8",
    )
    return load_config(root)


@pytest.fixture(scope="module")
def adapters(config: Any) -> Iterator[dict[str, Adapter]]:
    with offline_renderer(config) as renderer:
        yield dict(renderer.adapters)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.dictionaries(_keys, _values, max_size=8),
    fmt=st.sampled_from(["yaml", "toml", "json"]),
    cuts=st.lists(st.tuples(st.floats(0, 1), _fragments), max_size=4),
)
def test_front_matter_of_any_shape_parses_or_fails_cleanly(
    config: Any, data: dict[str, Any], fmt: str, cuts: list[tuple[float, str]]
) -> None:
    text = _serialise(data, fmt, "Body.\n")
    assume(text is not None)
    assert text is not None
    for where, fragment in cuts:
        at = int(where * len(text))
        text = text[:at] + fragment + text[at:]
    result = _parsed(text, config)
    if isinstance(result, Document):
        assert result.title.strip() and result.canonical_url.startswith(("http://", "https://"))


_code_line = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\0`~\r"),
    max_size=30,
) | st.sampled_from(
    ["#not-a-heading", "[x](javascript:alert(1))", '<a href="javascript:1">', ":::note",
     "{% raw %}", "---", "import x from 'y'", "<!-- more -->", "![i](./i.png)", "    indented"]
)  # fmt: skip
_prose = st.sampled_from(
    ["Words with *emphasis*.", "[ok](./rel/)", "[bad](javascript:alert(1))", "<javascript:x>",
     "[r][d]\n\n[d]: vbscript:x", '<a title=">" href="javascript:1">x</a>', "`a ``code`` span`",
     "<div>\n<img/src='javascript:1'>\n</div>", "日本語のテキスト", "\u202eevil", "#tag"]
)  # fmt: skip


@st.composite
def _bodies(draw: st.DrawFn) -> str:
    blocks: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["prose", "backticks", "tildes", "long-fence"]))
        lines = draw(st.lists(_code_line if kind != "prose" else _prose, min_size=1, max_size=4))
        info = draw(st.sampled_from(["", "python", "md", "{.x}", 'sh title="a b"']))
        if kind == "backticks":
            blocks.append(f"```{info}\n" + "\n".join(lines) + "\n```")
        elif kind == "tildes":
            blocks.append(f"~~~{info}\n" + "\n".join(lines) + "\n~~~")
        elif kind == "long-fence":
            blocks.append("`````\n```\n" + "\n".join(lines) + "\n```\n`````")
        else:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _code(markdown: str) -> list[str]:
    return [t.content for t in MarkdownIt("commonmark").parse(markdown) if t.type == "fence"]


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=_bodies())
def test_hostile_bodies_keep_their_code_and_lose_their_scripts(
    config: Any, adapters: dict[str, Adapter], body: str
) -> None:
    doc = _parsed(f"---\ntitle: Fuzz\ndate: 2024-03-01\n---\n\n{body}", config)
    assert isinstance(doc, Document), doc
    assert _code(doc.body) == _code(body)
    # CommonMark decides what is code (docs/architecture.md §5); Python-Markdown reads some
    # fences that CommonMark accepts (`~~~sh title="a b"`) as text, which the link tests cover
    # instead.
    assert not script_urls(doc.body, python_markdown=False), doc.body
    for adapter in adapters.values():
        with contextlib.suppress(ContentError):
            adapter.render(doc)


_pieces = st.sampled_from(
    ['<a href="./foo\nbar">x</a>', '<img src="./a\n b.png" alt="x">', "![i](https://xn--/x.png)",
     '{% include "a\n::error::x" %}', "[x](<./a\nb>)", '<a href="', '"', "'", "\n", "\n\n",
     "](", "[", "![", "<", ">", "{{< ref \"a\n\" >}}", "{{% x %}}", "{%", "%}", ":::", "```",
     "\x1b[2J", "\u2028", "%0A", "::add-mask::x", "[a]: <./b\nc>", "<https://a\nb>", "#", "|",
     "<details>", "</div>", "\\", "&#x0;", "&amp", "*", "_", "~~~", "$$", "<!--", "-->"]
)  # fmt: skip


@st.composite
def _hostile_posts(draw: st.DrawFn) -> str:
    """A post whose body (and sometimes front matter) is glued from pieces that have broken
    parsers and transforms before, in any order and amount."""
    body = "".join(draw(st.lists(_pieces | _text, max_size=25)))
    matter = draw(st.sampled_from(["title: T\ndate: 2024-03-01", "title: 'T\ndate: x", "x: [", ""]))
    return f"---\n{matter}\n---\n\n{body}\n"


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=_hostile_posts(), name=st.sampled_from(["a.md", "b\n::error::x.md", "c\x1b.md"]))
def test_reading_and_rendering_any_post_raises_only_crossposts_errors(
    config: Any, adapters: dict[str, Adapter], text: str, name: str
) -> None:
    """Issue 13: the whole read → render path on a file, for every platform, gives a Document
    and payloads, or a SourceError / ContentError naming the post: nothing else ever escapes,
    so one post can never stop the others."""
    from crosspost.plan import render_for
    from crosspost.sources import load_post

    path = config.root / "posts" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, "utf-8", errors="surrogatepass")
    error: SourceError | None = None
    try:
        doc = load_post(path, config)
    except SourceError as exc:
        error = exc
    if error is not None:
        assert error.path == path, repr(error)
        return
    for platform, adapter in adapters.items():
        with contextlib.suppress(ContentError):
            render_for(adapter, platform, doc, draft=False)
