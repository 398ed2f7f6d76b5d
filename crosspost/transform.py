"""Body transforms (DESIGN §5): make a post's Markdown read on a platform as on the canonical page.

The pipeline, in order: find code with markdown-it (frozen, never touched); convert generator
syntax (`crosspost.syntax`); drop a leading `# h1` that repeats the title; escape paragraph lines
that other renderers read as headings; make links and images absolute and inert when they carry
a script. Every change that loses or alters something the author wrote leaves a Notice with the
file line.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin

from . import syntax
from .errors import ContentError
from .mdlines import Line, Run, freeze_code, leaf_ranges, parser, protect_code_spans
from .notice import Notice

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = [
    "UNSAFE_SCHEMES",
    "Transformed",
    "absolute_url",
    "plain_text",
    "render_html",
    "transform",
    "url_scheme",
]

UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data"})
EXCERPT_LENGTH = 300


@dataclass(frozen=True, slots=True)
class Transformed:
    """The portable body, what was changed on the way, and a summary when the post has none.

    `description_hint` is the plain text before an excerpt marker, else the first paragraph;
    `excerpt` the plain text of the whole body, cut at about 300 characters.
    """

    body: str
    notices: tuple[Notice, ...]
    description_hint: str
    excerpt: str


def transform(
    body: str,
    *,
    page_url: str,
    site_url: str | None = None,
    title: str = "",
    path: Path | None = None,
    first_line: int = 1,
    ref_url: syntax.RefURL | None = None,
    post_link: syntax.RefURL | None = None,
) -> Transformed:
    """Turn a post body into portable CommonMark.

    `page_url` is the post's canonical URL (relative links resolve against it, as a browser on
    that page would), `site_url` the site root (for `/root-relative` links), `first_line` the
    file line the body starts on, `ref_url` resolves generator links to other posts by their
    source path (Hugo `ref`, Jekyll `post_url`, Zola `@/`), `post_link` relative Markdown links
    to other posts' files (`./other.md`) to those posts' URLs (None: not a post, linked as is).
    """
    run = Run(path=path, page_url=page_url, site_url=site_url, post_link=post_link)
    lines = [Line(text, first_line + i) for i, text in enumerate(body.split("\n"))]
    tokens = freeze_code(lines)
    before = [line.text for line in lines]
    lines = syntax.generator_blocks(lines, run)
    lines = syntax.admonitions(lines, run)
    lines = syntax.mdx(lines, run)
    cut = syntax.excerpt_cut(lines)
    if path is not None and path.suffix.lower() == ".mdx":
        lines = syntax.mdx_comments(lines)
    if title:
        lines, cut = _drop_title_heading(lines, title, cut)
    if [line.text for line in lines] != before:
        tokens = freeze_code(lines)
    paragraphs = {(t.map[0], t.map[1]) for t in tokens if t.type == "paragraph_open" and t.map}
    covered: set[int] = set()
    for first, end, kind in leaf_ranges(tokens):
        group = [i for i in range(first, min(end, len(lines))) if not lines[i].frozen]
        covered.update(range(first, end))
        paragraph = kind == "inline" and (first, end) in paragraphs
        for chunk in _contiguous(group):
            _rewrite(lines, chunk, run, ref_url, paragraph=paragraph, definitions=False)
    for index, line in enumerate(lines):
        if index not in covered and not line.frozen and line.text.strip():
            _rewrite(lines, [index], run, ref_url, paragraph=False, definitions=True)
    kept = [
        line
        for i, line in enumerate(lines)
        if line.frozen or line.text.strip() or i == 0 or lines[i - 1].text.strip()
    ]
    text = run.restore("\n".join(line.text for line in kept)).strip("\n")
    lead, excerpt = _summaries(text)
    if cut is not None:
        lead = plain_text(run.restore("\n".join(line.text for line in lines[:cut])))
    notices = sorted(run.notices, key=lambda n: n.line or 0)
    hint = _shorten(lead, EXCERPT_LENGTH)
    return Transformed(text + "\n" if text else "", tuple(notices), hint, excerpt)


# --------------------------------------------------------------------------- structure


def _contiguous(indexes: list[int]) -> list[list[int]]:
    chunks: list[list[int]] = []
    for index in indexes:
        if chunks and chunks[-1][-1] == index - 1:
            chunks[-1].append(index)
        else:
            chunks.append([index])
    return chunks


def _drop_title_heading(
    lines: list[Line], title: str, cut: int | None
) -> tuple[list[Line], int | None]:
    """Drop a first `# Title` (or setext `Title` / `===`) that repeats the title."""
    first = next((i for i, line in enumerate(lines) if line.text.strip()), None)
    if first is None or lines[first].frozen:
        return lines, cut
    atx = re.fullmatch(r" {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*", lines[first].text)
    setext = (
        first + 1 < len(lines)
        and not lines[first + 1].frozen
        and re.fullmatch(r" {0,3}=+[ \t]*", lines[first + 1].text)
    )
    heading = atx.group(1) if atx else lines[first].text if setext else None
    if heading is None or _fold(plain_text(heading)) != _fold(title):
        return lines, cut
    end = first + (1 if atx else 2)
    while end < len(lines) and not lines[end].text.strip() and not lines[end].frozen:
        end += 1
    if cut is not None and cut >= first:
        cut = max(first, cut - (end - first))
    return lines[:first] + lines[end:], cut


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


# --------------------------------------------------------------------------- headings

_LOOKALIKE = re.compile(r"^((?:[ \t]*>)*[ \t]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)?)#", re.M)


def _escape_heading_lookalikes(text: str, run: Run, line_at: syntax.LineAt) -> str:
    """Escape `#` at the start of a paragraph line: text to CommonMark, a heading elsewhere.

    Python-Markdown, Redcarpet and Medium's importer read `#image: …` or `#hashtag` as a heading
    even without the space CommonMark requires; `\\#` means a literal `#` to all of them. Runs
    after code spans are hidden, so a span continuing on a line starting with `#` is left alone.
    """

    def escape(m: re.Match[str]) -> str:
        line_end = text.find("\n", m.start())
        shown = run.restore(text[m.start() : line_end if line_end != -1 else len(text)]).strip()
        shown = shown if len(shown) <= 60 else shown[:57] + "…"
        run.note(
            "ambiguous-heading",
            line_at(m.start()),
            f"'{shown}' is text in CommonMark but a heading in other Markdown renderers; "
            "escaped as '\\#' so it stays text (add a space after '#' if a heading was meant)",
        )
        return m.group(1) + "\\#"

    return _LOOKALIKE.sub(escape, text)


# --------------------------------------------------------------------------- links


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see: entities decoded, whitespace and controls ignored."""
    cleaned = re.sub(r"[\x00-\x20]+", "", html.unescape(url)).lower()
    m = re.match(r"([a-z][a-z0-9+.-]*):", cleaned)
    return m.group(1) if m else None


def absolute_url(url: str, *, page_url: str, site_url: str | None) -> str:
    """`url` resolved the way the site serves it: page-relative against `page_url` (page-bundle
    semantics), `/root-relative` against `site_url`; URLs with a scheme and `#anchors` unchanged.
    """
    if not url or url.startswith("#") or url_scheme(url):
        return url
    if url.startswith("//"):
        return "https:" + url
    quoted = quote(url, safe="/%#?&=+;:@!$,'()*~-._[]")
    if url.startswith("/") and site_url:
        return site_url.rstrip("/") + quoted
    try:
        return urljoin(page_url, quoted)
    except ValueError:  # a malformed page URL (IPv6 brackets): leave the link as written
        return url


_LINK_OPEN = re.compile(r"\]\(")
_REF_DEF = re.compile(r"( {0,3}\[(?!\^)[^\]]{1,999}\]:[ \t]*)(<[^>\n]*>|\S+)")
_HTML_TAG = re.compile(r"<(?:img|a|source|video|audio)\b[^>]{0,2000}>", re.I)
_HTML_ATTR = re.compile(
    r"(\s)(src|srcset|href|poster)(\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s\"'>]+)", re.I
)
_SRCSET_URL = re.compile(r"([\s,]*)(\S+)")
_SRCSET_DESCRIPTORS = re.compile(r"[^,]*,?")
_URL_ATTR = re.compile(
    r"(?<=[\s/\"'])(href|src|srcset|lowsrc|dynsrc|poster|action|formaction|data|background|"
    r"codebase|xlink:href|to|from|by|values)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+)",
    re.I,
)
_AUTOLINK = re.compile(r"<([a-z][a-z0-9+.-]{1,31}):[^<>\x00-\x20]*>", re.I)
_TITLE = re.compile(r"[ \t\n]*(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|\([^()]*\))?[ \t\n]*\)")
_MAX_DESTINATION = 2048
_MAX_LINK_TEXT = 4000


def _rewrite(
    lines: list[Line],
    chunk: list[int],
    run: Run,
    ref_url: syntax.RefURL | None,
    *,
    paragraph: bool,
    definitions: bool,
) -> None:
    """Apply the inline rules to one run of consecutive lines of the same block."""
    text = protect_code_spans("\n".join(lines[i].text for i in chunk), run)
    breaks: tuple[str, list[int]] = ("", [])

    def line_at(offset: int) -> int | None:
        """File line of `offset` in the text of the rule running now (line breaks are kept)."""
        nonlocal breaks
        if breaks[0] is not text:
            breaks = (text, [m.start() for m in re.finditer("\n", text)])
        return lines[chunk[min(bisect_left(breaks[1], offset), len(chunk) - 1)]].line

    if paragraph:
        text = _escape_heading_lookalikes(text, run, line_at)
    text = syntax.template_inline(text, run, line_at, ref_url)
    text = _REF_DEF.sub(lambda m: _definition(m, run, ref_url, line_at, definitions), text)
    text = _inline_links(text, run, ref_url, line_at)
    text = _AUTOLINK.sub(lambda m: _autolink(m, run, line_at), text)
    if "<" in text:
        text = _URL_ATTR.sub(lambda m: _script_attribute(m, run, line_at), text)
    text = _HTML_TAG.sub(
        lambda tag: _HTML_ATTR.sub(lambda m: _html_attribute(m, run), tag.group()), text
    )
    parts = text.split("\n")
    for index, part in zip(chunk, parts, strict=True):
        lines[index].text = part


def _destination(raw: str, run: Run, ref_url: syntax.RefURL | None) -> str:
    """A link destination made absolute; `<…>` kept, Zola's `@/post.md` resolved."""
    bracketed = raw.startswith("<") and raw.endswith(">")
    url = raw[1:-1] if bracketed else raw
    if url.startswith("@/"):
        url = syntax.resolve_ref(url[2:], run, None, ref_url)
    new = _post_url(url, run) or absolute_url(url, page_url=run.page_url, site_url=run.site_url)
    return f"<{new}>" if bracketed else new


_POST_FILE = re.compile(r"[^:?#]+\.(?:md|mdx|markdown)(?:#.*)?", re.I | re.S)


def _post_url(url: str, run: Run) -> str | None:
    """The URL of the post a relative link to its source file means (`./2024-01-01-other.md`).

    Docusaurus, Hugo and Astro authors link to sibling files and the site rewrites the link to
    the post's address; made absolute as written, it would be a 404 on the site.
    """
    if run.post_link is None or url.startswith(("/", "#")) or not _POST_FILE.fullmatch(url):
        return None
    return run.post_link(url)


def _definition(
    m: re.Match[str],
    run: Run,
    ref_url: syntax.RefURL | None,
    line_at: syntax.LineAt,
    definition: bool,
) -> str:
    """A reference definition made absolute; one to a script gets the empty destination `<>`
    (its links keep their text and lead nowhere).

    markdown-it reads `[x]: javascript:…` as a paragraph (it refuses such destinations), but
    Python-Markdown and the platforms' renderers read a definition: inside paragraphs, such a
    line is emptied too, and nothing else is touched.
    """
    raw = m.group(2)
    scheme = url_scheme(raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw)
    line_start = m.start() == 0 or m.string[m.start() - 1] == "\n"
    if scheme in UNSAFE_SCHEMES and (definition or line_start):
        run.note("unsafe-link", line_at(m.start()), f"reference to a '{scheme}:' URL emptied")
        return m.group(1) + "<>"
    return m.group(1) + _destination(raw, run, ref_url) if definition else m.group()


def _autolink(m: re.Match[str], run: Run, line_at: syntax.LineAt) -> str:
    """`<javascript:…>` is a link in CommonMark; unwrapped, it is plain text."""
    scheme = m.group(1).lower()
    if scheme not in UNSAFE_SCHEMES:
        return m.group()
    run.note("unsafe-link", line_at(m.start()), f"link to a '{scheme}:' URL made plain text")
    return m.group()[1:-1]


def _inline_links(
    text: str, run: Run, ref_url: syntax.RefURL | None, line_at: syntax.LineAt
) -> str:
    """Rewrite `[text](dest "title")` and `![alt](dest)` destinations in one pass of edits.

    A dangerous destination unwraps the link (text kept, brackets and destination dropped), so
    edits are a sorted list of disjoint spans: an inner link's edits lie inside the text of an
    outer one. Scans are bounded so hostile input cannot make this quadratic.
    """
    edits: list[tuple[int, int, str]] = []
    for m in _LINK_OPEN.finditer(text):
        parsed = _parse_destination(text, m.end())
        if parsed is None:
            continue
        start, end, close = parsed
        raw = text[start:end]
        url = raw[1:-1] if raw.startswith("<") else raw
        if url_scheme(url) in UNSAFE_SCHEMES:
            opener = _matching_bracket(text, m.start())
            if opener is None:
                continue
            image = opener > 0 and text[opener - 1] == "!"
            run.note(
                "unsafe-link",
                line_at(m.start()),
                f"link to a '{url_scheme(url)}:' URL removed; its text is kept",
            )
            edits.append((opener - 1 if image else opener, opener + 1, ""))
            edits.append((m.start(), close, ""))
        else:
            edits.append((start, end, _destination(raw, run, ref_url)))
    edits.sort()
    out: list[str] = []
    position = 0
    for start, end, new in edits:
        if start < position:
            continue
        out.append(text[position:start])
        out.append(new + "\n" * text.count("\n", start, end))
        position = end
    out.append(text[position:])
    return "".join(out)


def _parse_destination(text: str, at: int) -> tuple[int, int, int] | None:
    """(start, end) of the destination after `](` at `at`, and the index after the `)`."""
    i = at
    while i < len(text) and text[i] in " \t\n" and i - at < 8:
        i += 1
    start = i
    if i < len(text) and text[i] == "<":
        end = text.find(">", i, i + _MAX_DESTINATION)
        if end == -1 or "\n" in text[i:end]:
            return None
        i = end = end + 1
    else:
        depth = 0
        while i < len(text) and i - start < _MAX_DESTINATION:
            char = text[i]
            # Brackets are legal in a destination but never in a real one; stopping there keeps
            # a line of `](](](` from scanning 2 KB per occurrence.
            if char.isspace() or ord(char) < 0x20 or char in "[]":
                break
            if char == "\\":
                i += 2
                continue
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        end = i
    m = _TITLE.match(text, end, min(len(text), end + _MAX_DESTINATION))
    if m is None:
        return None
    return start, end, m.end()


def _matching_bracket(text: str, close: int) -> int | None:
    depth = 0
    for i in range(close - 1, max(-1, close - _MAX_LINK_TEXT), -1):
        char = text[i]
        if i > 0 and text[i - 1] == "\\":
            continue
        if char == "]":
            depth += 1
        elif char == "[":
            if depth == 0:
                return i
            depth -= 1
    return None


def _script_attribute(m: re.Match[str], run: Run, line_at: syntax.LineAt) -> str:
    """Remove a URL attribute carrying a script, wherever it stands in a block with HTML.

    Deliberately blind to tag boundaries: which `<` starts a tag depends on the Markdown
    renderer and the browser (`<img/src=…>`, a `>` inside a quoted value, a tag the renderer
    leaves as text around one it does not), and a removal too many costs nothing.
    """
    value = m.group(2)
    url = value[1:-1] if value[:1] in "\"'" else value
    scheme = url_scheme(url)
    if scheme not in UNSAFE_SCHEMES:
        return m.group()
    run.note("unsafe-link", line_at(m.start()), f"HTML {m.group(1)} with a '{scheme}:' URL removed")
    return ""


def _html_attribute(m: re.Match[str], run: Run) -> str:
    """A relative URL in an HTML attribute made absolute (scripts were removed before)."""
    space, name, equals, value = m.groups()
    quote_char = value[0] if value[:1] in "\"'" else ""
    url = html.unescape(value[1:-1] if quote_char else value)
    if name.lower() == "srcset":
        new = _srcset(url, run)
    else:
        linked = _post_url(url, run) if name.lower() == "href" else None
        new = linked or absolute_url(url, page_url=run.page_url, site_url=run.site_url)
    if new == url:
        return m.group()
    mark = quote_char or '"'
    return f"{space}{name}{equals}{mark}{html.escape(new)}{mark}"


def _srcset(value: str, run: Run) -> str:
    """Each URL of a `srcset` ("a.png 1x, b.png 2x") made absolute, descriptors kept.

    Parsed as the HTML standard does: a URL is a run of non-spaces whose trailing commas end
    the candidate, so a comma inside a URL (`w_400,h_300/a.jpg`) does not split it.
    """
    out: list[str] = []
    position = 0
    while m := _SRCSET_URL.match(value, position):
        url = m.group(2).rstrip(",")
        commas = m.group(2)[len(url) :]
        out.append(m.group(1) + absolute_url(url, page_url=run.page_url, site_url=run.site_url))
        out.append(commas)
        position = m.end()
        if not commas:
            descriptors = _SRCSET_DESCRIPTORS.match(value, position)
            assert descriptors is not None  # it matches the empty string
            out.append(descriptors.group())
            position = descriptors.end()
    out.append(value[position:])
    return "".join(out)


# --------------------------------------------------------------------------- plain text


def plain_text(markdown: str, limit: int | None = None) -> str:
    """The words of `markdown`'s paragraphs, without syntax, whitespace collapsed.

    Headings, code, raw HTML and images are left out: this is for summaries. With `limit`, the
    text is cut at a word boundary and ends with '…', and only the paragraphs needed are parsed.
    """
    words: list[str] = []
    length = 0
    for text in _paragraphs(markdown):
        words.append(text)
        length += len(text)
        if limit is not None and length > limit:
            break
    text = " ".join(" ".join(words).split())
    return _shorten(text, limit) if limit else text


def _summaries(markdown: str) -> tuple[str, str]:
    """(first paragraph with text, excerpt) from one parse of the body."""
    first = ""
    words: list[str] = []
    length = 0
    for text in _paragraphs(markdown):
        first = first or " ".join(text.split())
        words.append(text)
        length += len(text)
        if length > EXCERPT_LENGTH:
            break
    return first, _shorten(" ".join(" ".join(words).split()), EXCERPT_LENGTH)


def _paragraphs(markdown: str) -> Iterator[str]:
    """Each paragraph's plain text, lazily: block parse first, inline parse one at a time."""
    env: dict[str, Any] = {}  # collects reference definitions, so `[text][ref]` reads as text
    tokens = parser().parse(markdown, env)
    for before, token in pairwise(tokens):
        if token.type == "inline" and before.type == "paragraph_open":
            children = parser(inline=True).parseInline(token.content, env)[0].children or []
            yield "".join(
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in children
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            )


def _shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, '…' included."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:.-–—") + "…"


# --------------------------------------------------------------------------- HTML


def render_html(markdown: str) -> str:
    """HTML for previews and HTML-only platforms (Python-Markdown, imported on first use).

    fenced_code, tables and footnotes add what CommonMark/GFM posts use; sane_lists stops a
    list from changing type mid-way, as in CommonMark. Absurdly deep nesting is refused first:
    Python-Markdown's time grows with the cube of the depth (2000 nested lists take minutes).
    """
    import markdown as python_markdown  # the renderer: only HTML platforms need it

    if max((t.level for t in _depth_parser().parse(markdown)), default=0) >= MAX_NESTING - 1:
        raise ContentError(
            f"the post nests lists or blockquotes more than {MAX_NESTING // 2} levels deep",
            hint="flatten the nesting",
        )
    return python_markdown.markdown(
        _separate_lists(markdown),
        extensions=["fenced_code", "tables", "footnotes", "sane_lists"],
        output_format="html",
    )


def _separate_lists(markdown: str) -> str:
    """A blank line before each top-level list that starts right under a paragraph line.

    CommonMark lets a list interrupt a paragraph ("Steps:" then "- one"); Python-Markdown folds
    such a list into the paragraph as plain text. The CommonMark parser finds exactly those
    lists, outside code and HTML blocks; nested ones are left alone (a blank line there would
    change the list's own looseness)."""
    lines = markdown.split("\n")
    starts: list[int] = []
    paragraph_end: int | None = None
    for token in _depth_parser().parse(markdown):
        if token.level != 0 or token.map is None:
            continue
        if token.type == "paragraph_open":
            paragraph_end = token.map[1]
        elif token.type.endswith("_list_open") and token.map[0] == paragraph_end:
            starts.append(token.map[0])
    for start in reversed(starts):
        lines.insert(start, "")
    return "\n".join(lines)


MAX_NESTING = 64


@cache
def _depth_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # the parser: never for `import crosspost`

    return MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).disable(["inline", "text_join"])
