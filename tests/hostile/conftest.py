"""A blog under attack: hostile files written into a sandbox blog, published, and checked.

`HostileBlog` publishes in-process (fast, exact reports) or through the real `crosspost` script
(no traceback, exit codes, what a user reads), and tells what the fakes received: `writes()`
counts every request that could create or change something (GraphQL queries are reads), so a
refused post provably published nothing anywhere. Every run uses canary tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import html.parser
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from markdown_it import MarkdownIt

from crosspost.adapter import load_adapters
from crosspost.api import collect
from crosspost.config import load_config
from crosspost.credentials import Secret
from crosspost.fake import FakeRequest
from crosspost.mdcuts import Cut, parse_around
from crosspost.mdsiblings import Siblings
from crosspost.mdspans import _parse as parse_every_line
from crosspost.mdspans import parse_blocks
from crosspost.publisher import Publisher, Report
from crosspost.sandbox import Sandbox
from crosspost.testing import FAST_RETRIES, Canaries, installed_platforms
from crosspost.transform import UNSAFE_SCHEMES, render_html, transform, url_scheme

from ..blogs import crosspost_env, run_cli, sandbox_blog

PLATFORMS = installed_platforms()
"""Every installed adapter: the registry is the one list of platforms."""

GOOD_POST = "---\ntitle: A good post\ndate: 2024-03-01\ntags: [python]\n---\n\nFine text.\n"


def front_matter(*lines: str, body: str = "Body text.\n") -> str:
    """A YAML post dated inside the blog's window, with `lines` as extra front matter."""
    return "\n".join(["---", *lines, "---", "", body])


def is_write(request: FakeRequest) -> bool:
    if request.method in ("GET", "HEAD"):
        return False
    try:
        body = request.json()
    except ValueError:
        return True
    query = body.get("query") if isinstance(body, dict) else None
    return not (isinstance(query, str) and query.lstrip().startswith("query"))


@dataclasses.dataclass
class HostileBlog:
    root: Path
    sandbox: Sandbox
    canaries: Canaries

    @property
    def posts(self) -> Path:
        return self.root / "posts"

    @property
    def records(self) -> Path:
        return self.root / ".crosspost" / "records.json"

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.posts / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
        return path

    def configure(self, platform: str, **options: Any) -> None:
        """Add keys to [platforms.<platform>] of crosspost.toml."""
        config = self.root / "crosspost.toml"
        header = f"[platforms.{platform}]\n"
        lines = "".join(f"{k} = {str(v).lower()}\n" for k, v in options.items())
        config.write_text(config.read_text("utf-8").replace(header, header + lines), "utf-8")

    def publish(self, *paths: Path, verify_new: bool = False, action: bool = False) -> Report:
        """One run in-process, with fast retries, over `paths` (default: the content folder);
        no token in its results, errors, logs or records. `verify_new` as the Action runs;
        `action` with its confirmed API hosts (each fake confirmed for its platform)."""
        config = load_config(self.root)
        confirmed = {n: frozenset({f.url}) for n, f in self.sandbox.fakes.items()}
        config = dataclasses.replace(
            config,
            credentials={n: Secret(t) for n, t in self.sandbox.tokens.items()},
            confirmed_hosts=confirmed if action else None,
        )
        sources, config = collect(list(paths) or [config.content_dir], config)
        publisher = Publisher(
            config, adapters=load_adapters(), policy=FAST_RETRIES, verify_new=verify_new
        )
        with self.canaries.watching():
            report = asyncio.run(publisher.run(sources))
        texts = [r.message for r in report.results] + [str(e) for e in report.errors]
        self.canaries.assert_clean(texts, [self.records])
        return report

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The real script; never a traceback, never a token in what it prints."""
        result = run_cli(*args, env=crosspost_env(self.sandbox), cwd=self.root)
        assert "Traceback" not in result.stderr, result.stderr
        self.canaries.assert_clean([result.stdout, result.stderr], [self.records])
        return result

    def writes(self) -> list[FakeRequest]:
        return [r for fake in self.sandbox.fakes.values() for r in fake.requests if is_write(r)]

    def records_bytes(self) -> bytes | None:
        return self.records.read_bytes() if self.records.exists() else None

    def assert_refused(
        self, result: subprocess.CompletedProcess[str], path: Path, *words: str
    ) -> None:
        """Exit 2 with an error line naming the file (as the user would type it: relative to
        the blog, where the script runs) and saying what is wrong."""
        assert result.returncode == 2, result.stdout + result.stderr
        shown = str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)
        lines = [ln for ln in result.stderr.splitlines() if f"error: {shown}" in ln]
        assert lines, f"{path} not named in: {result.stderr}"
        words = tuple(word.replace(str(path), shown) for word in words)
        assert any(all(word in ln for word in words) for ln in lines), (words, lines)


def refusal(report: Report, path: Path) -> str:
    """The one error of an in-process run (exit 2), which must name `path`."""
    assert report.exit_code == 2, report.results
    (error,) = [e for e in report.errors if getattr(e, "path", None) == path]
    return str(error)


@pytest.fixture
def blog(tmp_path: Path, sandbox_factory: Callable[..., Sandbox]) -> HostileBlog:
    """An empty sandbox blog (content folder `posts`, site.since 2024-01-01), canary tokens."""
    canaries = Canaries(PLATFORMS)
    sandbox = sandbox_factory(PLATFORMS, tokens=canaries.tokens)
    root = sandbox_blog(tmp_path / "blog", sandbox)
    return HostileBlog(root, sandbox, canaries)


@pytest.fixture
def published(blog: HostileBlog) -> HostileBlog:
    """The blog with one good post already published everywhere: records exist, so a refused
    post can be checked to leave them byte for byte as they were."""
    blog.write("good.md", GOOD_POST)
    report = blog.publish()
    assert report.exit_code == 0, report.results
    return blog


class _Attributes(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.values += [value for _, value in attrs if value]

    handle_startendtag = handle_starttag


@functools.cache
def _commonmark() -> MarkdownIt:
    """A CommonMark renderer that trusts every link, as a careless platform would."""
    renderer = MarkdownIt("commonmark", {"html": True})
    # markdown-it-py's documented way to change link validation is replacing this method
    renderer.validateLink = lambda url: True  # type: ignore[method-assign]
    return renderer


def script_urls(markdown: str, *, python_markdown: bool = True) -> list[str]:
    """Attribute values a browser would treat as script or data URLs in `markdown` rendered by
    a CommonMark renderer that does not filter links (what a careless platform might run) and
    by Python-Markdown (`preview --format html`); raw HTML passes through both."""
    found: list[str] = []
    renders = [_commonmark().render(markdown)]
    if python_markdown:
        renders.append(render_html(markdown))
    for text in renders:
        parser = _Attributes()
        parser.feed(text)
        parser.close()
        found += [value for value in parser.values if url_scheme(value) in UNSAFE_SCHEMES]
    return found


def strings(data: Any) -> Iterator[str]:
    """Every string inside JSON-like `data`."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


Transformed = tuple[str, tuple[Any, ...]]
"""What a transform property compares: the portable body, summary and excerpt (joined), and
the notices."""


def transformed(body: str, generator: str | None = None, suffix: str = ".md") -> Transformed:
    """The transform of `body` as a post of this generator and file suffix."""
    out = transform(
        body,
        page_url="https://blog.example.com/posts/my-post/",
        site_url="https://blog.example.com",
        path=Path("post" + suffix),
        generator=generator,
    )
    return out.body + "\0" + out.description_hint + "\0" + out.excerpt, out.notices


@contextlib.contextmanager
def every_line_parsed() -> Iterator[None]:
    """The transform giving every line to the parser and every block to its inline parse,
    none of the shortcuts (the oracle): no block parse cut short, no block passed over, and no
    block's links or tags read without the inline parser (`plain_link_spans`, `tag_link_spans`,
    `plain_link_prefix`: an attacker found the oracle still took the first two, so a transform
    property could not catch a wrong answer of theirs)."""
    with (
        mock.patch("crosspost.transform.parse_blocks", parse_every_line),
        mock.patch("crosspost.transform._worth_parsing", return_value=True),
        mock.patch("crosspost.mdspans.plain_link_spans", return_value=None),
        mock.patch("crosspost.mdspans.tag_link_spans", return_value=None),
        mock.patch("crosspost.mdspans.plain_link_prefix", return_value=([], 0)),
        mock.patch("crosspost.transform.after_emptied", return_value=None),
    ):
        yield


def cut_parse_is_the_parsers(body: str, runs: Sequence[Cut], *, mdx: bool) -> None:
    """Where the parse of `body` with `runs` cut out confirms them, its tokens, definitions and
    environment are those of the parse of every line (the property each kind of run holds)."""
    if not runs:
        return
    around = parse_around(body, runs, functools.partial(parse_every_line, mdx=mdx))
    if isinstance(around, set):
        return
    tokens, env, definitions = around
    parsed = parse_every_line(body, mdx=mdx)
    assert [t.as_dict() for t in tokens] == [t.as_dict() for t in parsed.tokens]
    assert definitions == parsed.definitions
    assert env == parsed.env


def both_ways(
    body: str, generator: str | None = None, suffix: str = ".md"
) -> tuple[Transformed, Transformed]:
    """The transform with every shortcut taken at any run length, and with every line parsed."""
    every_run = functools.partial(parse_blocks, min_run=1)
    with mock.patch("crosspost.transform.parse_blocks", every_run):
        fast = transformed(body, generator, suffix)
    with every_line_parsed():
        full = transformed(body, generator, suffix)
    return fast, full


def siblings_merged(tokens: list[Any], runs: list[Siblings]) -> list[dict[str, Any]]:
    """The parser's tokens with each run's siblings (list items or table rows, `mdsiblings`,
    `mditems`) merged into the first: its tokens over the run's lines, each inline content the
    siblings' contents, a line of content for each line of the run (an empty line, or one of
    another paragraph of the item: nothing)."""
    out: list[dict[str, Any]] = []
    index = 0
    by_first = {run.first: run for run in runs}
    while index < len(tokens):
        token = tokens[index]
        run = by_first.get(token.map[0]) if token.map else None
        if run is None or token.type not in ("list_item_open", "tr_open"):
            out.append(token.as_dict())
            index += 1
            continue
        close = "list_item_close" if token.type == "list_item_open" else "tr_close"
        groups: list[list[Any]] = []
        while index < len(tokens) and tokens[index].map and tokens[index].map[0] < run.end:
            end = index
            while tokens[end].type != close or tokens[end].level != token.level:
                end += 1
            groups.append(tokens[index : end + 1])
            index = end + 1
        for position, first in enumerate(groups[0]):
            merged = first.as_dict()
            if first.map:
                merged["map"] = [run.first, run.end]
            if first.type == "inline":
                contents = [""] * (run.end - run.first)
                for group in groups:
                    own = group[position]
                    lines = own.content.split("\n")
                    assert len(lines) == own.map[1] - own.map[0]  # one a line (else not a run)
                    at = own.map[0] - run.first
                    contents[at : at + len(lines)] = lines
                merged["content"] = "\n".join(contents)
                merged["meta"] = {"siblings": run.end - run.first, "gap": run.gap}
                merged["meta"]["empty"] = run.empty
                if run.heights:
                    merged["meta"]["heights"] = run.heights
            out.append(merged)
    return out
