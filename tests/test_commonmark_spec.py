"""The CommonMark spec's examples as a test of the body transform (issue 15).

Each of the spec's 652 examples, as a post body, must render to the same HTML before and after
the transform, once URLs are normalised: the transform makes relative URLs absolute (the
"before" side is resolved against the post's URL as a browser on the site would; the "after"
side must already be absolute). Every other difference is listed in `INTENDED` with its reason,
and a listed difference that no longer happens fails too. The examples come from the npm
package `commonmark-spec` (the spec's own `spec.txt` and its extractor, pinned in
tests/commonmark/package.json); the renderer is markdown-it-py, CommonMark-compliant.

GFM tables, strikethrough, footnotes, task lists and math (the extensions posts use) are extra
cases, rendered with the matching markdown-it-py plugins.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from crosspost.lockfile import acquire
from crosspost.transform import transform

PAGE = "https://blog.example.com/posts/my-post/"
SITE = "https://blog.example.com"
SPEC_PACKAGE = Path(__file__).resolve().parent / "commonmark"

# (dialect, path suffix): the site generators whose syntax the transform reads, and MDX.
DIALECTS = [
    (None, ".md"),
    ("hugo", ".md"),
    ("jekyll", ".md"),
    ("eleventy", ".md"),
    ("zola", ".md"),
    ("docusaurus", ".md"),
    ("fuwari", ".md"),
    (None, ".mdx"),
]

_COMPONENT = "MDX reads a capitalised tag as a component only MDX renders; it is removed"
_CUSTOM_ELEMENT = (
    "a custom element's src is no URL a browser loads; only img/a/source/video/audio URLs "
    "are made absolute"
)
INTENDED: dict[tuple[str, int], str] = {
    **{(f"{generator}{suffix}", 617): _CUSTOM_ELEMENT for generator, suffix in DIALECTS},
    ("None.mdx", 152): _COMPONENT + " (<DIV CLASS>)",
    ("None.mdx", 163): _COMPONENT + " (<Warning>)",
}


@cache
def spec_examples() -> list[dict[str, Any]]:
    """The examples, extracted by the package's own index.js (installed here when missing)."""
    node_modules = SPEC_PACKAGE / "node_modules" / "commonmark-spec"
    # one xdist worker installs, the others wait (filelock is no longer installed on POSIX)
    held = acquire(SPEC_PACKAGE / ".install.lock", timeout=600, waiting=lambda: None)
    try:
        if not node_modules.is_dir():
            npm = shutil.which("npm")
            assert npm, "npm is needed to install the CommonMark spec (tests/commonmark)"
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(SPEC_PACKAGE)],
                check=True,
                capture_output=True,
            )
    finally:
        held.release()
    script = "process.stdout.write(JSON.stringify(require('commonmark-spec').tests))"
    node = shutil.which("node")
    assert node, "node is needed to read the CommonMark spec's examples"
    out = subprocess.run(
        [node, "-e", script], cwd=SPEC_PACKAGE, check=True, capture_output=True, text=True
    )
    examples: list[dict[str, Any]] = json.loads(out.stdout)
    return examples


_URL_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def normalised(rendered: str, *, resolve: bool) -> str:
    """`rendered` with each href/src as the URL a browser reads: entities and percent-escapes
    decoded, tabs and line breaks dropped, and (when `resolve`) a relative URL resolved
    against the post's page. Without `resolve`, a relative URL stays relative and differs."""

    def one(m: re.Match[str]) -> str:
        url = re.sub(r"[\t\n\r]", "", html.unescape(m.group(2)))
        if resolve and url and not url.startswith("#") and not _SCHEME.match(url):
            url = SITE + url if url.startswith("/") and not url.startswith("//") else url
            url = urljoin(PAGE, url)
        return f'{m.group(1)}="{unquote(url)}"'

    return _URL_ATTRIBUTE.sub(one, rendered)


def differs(markdown: str, *, gfm: bool, generator: str | None, suffix: str) -> bool:
    """Whether `markdown` renders differently after the transform (an `.mdx` post as MDX reads
    it)."""
    render = renderer(gfm=gfm, mdx=suffix == ".mdx")
    after = transform(
        markdown,
        page_url=PAGE,
        site_url=SITE,
        path=Path("post" + suffix),
        generator=generator,
    ).body
    before_html = normalised(render.render(markdown), resolve=True)
    return before_html != normalised(render.render(after), resolve=False)


@cache
def renderer(*, gfm: bool, mdx: bool) -> MarkdownIt:
    """markdown-it-py's CommonMark renderer; with `gfm`, with the GFM extensions posts use; with
    `mdx`, reading blocks as MDX does: without indented code, which MDX does not have."""
    md = MarkdownIt("commonmark")
    if gfm:
        md.enable(["table", "strikethrough"])
        md.use(footnote_plugin).use(tasklists_plugin).use(dollarmath_plugin)
    return md.disable(["code", "html_block"]) if mdx else md


@pytest.mark.parametrize("number", range(1, 653))
def test_commonmark_example(number: int) -> None:
    example = spec_examples()[number - 1]
    assert example["number"] == number
    markdown = example["markdown"].replace("→", "\t")
    for generator, suffix in DIALECTS:
        key = (f"{generator}{suffix}", number)
        assert differs(markdown, gfm=False, generator=generator, suffix=suffix) == (
            key in INTENDED
        ), f"example {number} ({example['section']}) as a {suffix} post of {generator}: " + (
            INTENDED.get(key) or "renders differently after the transform"
        )


def test_the_spec_has_652_examples() -> None:
    assert len(spec_examples()) == 652


GFM_CASES = {
    "table": (
        "| Name | Link |\n| :--- | ---: |\n| [a](./a/) | ![b](../b.png) |\n"
        "| `x | y` | <img src='c.png'> |\n| [same](./a/) | [same](./a/) |\n"
    ),
    "table escaped pipe": "| a \\| b | [c](./c) |\n| --- | --- |\n| 1 | 2 |\n",
    "strikethrough": "~~Gone [link](./old/)~~ and ~single~ and ~~`code`~~.\n",
    "footnotes": (
        "Text[^1] and more[^note].\n\n[^1]: The first, see [there](./there/).\n"
        "[^note]: details\n    indented continuation\n"
    ),
    "footnote definition alone": "See[^ref].\n\n[^ref]: reference\n\n[^2]: <b>two</b>\n",
    "task lists": "- [ ] todo [link](./todo/)\n- [x] done\n  - [ ] nested\n",
    "inline math": "Energy $E = mc^2$ and $a_1 \\cdot b_2 < c$ and $[x](y)$ here.\n",
    "display math": "$$\n\\sum_{i=1}^{n} x_i\n#not a heading\n$$\n\nAfter.\n",
}


@pytest.mark.parametrize("case", sorted(GFM_CASES))
def test_gfm_extension(case: str) -> None:
    markdown = GFM_CASES[case]
    for generator, suffix in DIALECTS:
        assert not differs(markdown, gfm=True, generator=generator, suffix=suffix), (
            case,
            generator,
            suffix,
        )
