"""Static-site generator syntax turned into portable Markdown (docs/architecture.md §5).

Platforms render plain CommonMark, so what only a generator understands is converted where a
portable equivalent exists (admonitions → blockquotes, `highlight` blocks → fenced code, figures
→ images) and otherwise removed or left alone with a Notice naming the line. Block rules work on
`Line` lists and never read frozen (code) lines; inline rules work on one block's text after code
spans were swapped for placeholders, and never add or remove line breaks so that line numbers
stay right.

It stays one module because every rule here shares the same contract (`Line` lists, frozen code
lines never read, line breaks never added or removed) and the same `Dialect`; the sections below are
each short, and one file keeps that contract in one place to check against.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ContentError, SourceError
from .mdlines import Line, Run, blank, protect_code_spans

__all__ = [
    "BrokenRef",
    "Dialect",
    "RefURL",
    "admonitions",
    "excerpt_cut",
    "fenced",
    "generator_blocks",
    "mdx",
    "mdx_comments",
    "resolve_ref",
    "template_inline",
    "unescape_in_code",
]

RefURL = Callable[[str], str | None]


class BrokenRef(Exception):
    """Raised by a `RefURL` for a target that is no page of the site, when the generator fails
    its build on it (Hugo's default `refLinksErrorLevel`): `resolve_ref` makes it the post's
    error at the line of the reference."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


"""Maps a generator's link to another post (Hugo `ref`, Zola `@/…`, Jekyll `post_url`) to a URL."""

LineAt = Callable[[int], int | None]
# A block's `LineAt` for a text made from it by rules that keep its line breaks.
LinesOf = Callable[[str], LineAt]


@dataclass(frozen=True, slots=True)
class Dialect:
    """Which generator syntax a post can hold: its site generator's, and MDX in `.mdx` files.

    Elsewhere the same characters are the author's text: `{{ url_for(…) }}` in a Flask tutorial
    on a Hugo blog, an `import` line in a plain `.md` post, `<Warning>` in CommonMark.
    """

    liquid: bool = False  # Jekyll; Eleventy runs Markdown through Liquid (or Nunjucks) too
    hugo: bool = False
    zola: bool = False
    mdx: bool = False
    directives: bool = False  # `:::note` … `:::` (remark-directive)
    alerts: bool = False  # GitHub's `> [!NOTE]`

    @classmethod
    def of(cls, generator: str | None, path: Path | None = None) -> Dialect:
        """The dialect of a post at `path` on a site built by `generator` (a profile name)."""
        mdx = path is not None and path.suffix.lower() == ".mdx"
        features = _GENERATOR_SYNTAX.get(generator or "", frozenset())
        return cls(
            liquid="liquid" in features,
            hugo="hugo" in features,
            zola="zola" in features,
            mdx=mdx,
            directives="directives" in features or (mdx and generator is None),
            alerts="alerts" in features,
        )

    @property
    def templates(self) -> bool:
        return self.liquid or self.hugo or self.zola


# What each generator (profile name) renders in a post body. Docusaurus, Fuwari and the
# common Astro themes (remark-directive) read admonitions; Hugo (render hooks, 0.132+), Zola
# (pulldown-cmark's GFM blockquotes), Fuwari and Astro themes GitHub's alerts.
_GENERATOR_SYNTAX: dict[str, frozenset[str]] = {
    "jekyll": frozenset({"liquid"}),
    "eleventy": frozenset({"liquid"}),
    "hugo": frozenset({"hugo", "alerts"}),
    "zola": frozenset({"zola", "alerts"}),
    "docusaurus": frozenset({"directives"}),
    "fuwari": frozenset({"directives", "alerts"}),
    "astro": frozenset({"directives", "alerts"}),
}


def fenced(lang: str, body: list[Line], line: int | None) -> list[Line]:
    """`body` as a fenced code block, with a fence longer than any backtick run inside it."""
    longest = max((len(m.group()) for b in body for m in re.finditer(r"`{3,}", b.text)), default=2)
    fence = "`" * (longest + 1)
    inside = [replace(b, frozen=True) for b in body]
    return [Line(fence + lang, line, True), *inside, Line(fence, line, True)]


# --------------------------------------------------------------------------- paired blocks

_LIQUID_OPEN = re.compile(r"\s*\{%-?\s*(raw|comment|highlight)\b\s*([^%]*?)\s*-?%\}\s*")
_HUGO_OPEN = re.compile(r"\s*\{\{([<%])\s*(highlight|mermaid)\b\s*(.*?)\s*[>%]\}\}\s*")
_ZOLA_OPEN = re.compile(r"\s*\{%\s*(\w+)\((.*)\)\s*%\}\s*")
_ZOLA_END = re.compile(r"\s*\{%\s*end\s*%\}\s*")
_LIQUID_CLOSE = {
    tag: re.compile(rf"\s*\{{%-?\s*end{tag}\s*-?%\}}\s*") for tag in ("raw", "comment", "highlight")
}
_HUGO_CLOSE = {
    name: re.compile(rf"\s*\{{\{{[<%]\s*/\s*{name}\s*[>%]\}}\}}\s*")
    for name in ("highlight", "mermaid")
}


def generator_blocks(lines: list[Line], run: Run, dialect: Dialect) -> list[Line]:
    """Liquid raw/comment/highlight, Hugo highlight/mermaid and Zola body shortcodes.

    Closers are searched textually, frozen lines included: Liquid and Hugo pair their tags
    before any Markdown is parsed, so code inside a `highlight` block cannot hide its end.
    """
    if not dialect.templates:
        return lines
    closers = _Closers(lines)
    out: list[Line] = []
    index = 0
    while index < len(lines):
        current = lines[index]
        if current.frozen:
            out.append(current)
            index += 1
            continue
        converted = (
            (dialect.liquid and _liquid_block(closers, index, run))
            or (dialect.hugo and _hugo_block(closers, index, run))
            or (dialect.zola and _zola_block(closers, index, run))
            or None
        )
        if converted is None:
            out.append(current)
            index += 1
        else:
            replacement, index = converted
            out.extend(replacement)
    return out


def _left_as_is(line: Line, run: Run) -> list[Line]:
    """An opener reported as never closed, hidden from the inline rules (one notice is enough)."""
    return [line.with_text(run.protect(line.text))]


class _Closers:
    """Where the closing lines are, indexed once per pass and looked up with bisect.

    A post full of openers that are never closed must not make every search scan to the end.
    """

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.found: dict[tuple[str, bool], list[int]] = {}
        self.zola: dict[int, int] | None = None
        self.fences: _Widest | None = None

    def after(self, closer: re.Pattern[str], start: int, *, frozen: bool = True) -> int | None:
        """First line at or after `start` that `closer` matches (skipping frozen unless asked)."""
        key = (closer.pattern, frozen)
        if key not in self.found:
            self.found[key] = [
                i
                for i, line in enumerate(self.lines)
                if (frozen or not line.frozen) and closer.fullmatch(line.text)
            ]
        indexes = self.found[key]
        position = bisect_left(indexes, start)
        return indexes[position] if position < len(indexes) else None

    def directive_end(self, start: int, colons: int) -> int | None:
        """First unfrozen line at or after `start` of at least `colons` colons alone."""
        if self.fences is None:
            found = [
                (i, len(m.group(1)))
                for i, line in enumerate(self.lines)
                if not line.frozen and (m := _DIRECTIVE_CLOSE.fullmatch(line.text))
            ]
            self.fences = _Widest(found)
        return self.fences.first(start, colons)

    def zola_end(self, index: int) -> int | None:
        """The `{% end %}` closing the Zola shortcode opened on line `index` (they nest)."""
        if self.zola is None:
            self.zola = {}
            stack: list[int] = []
            for i, line in enumerate(self.lines):
                if _ZOLA_OPEN.fullmatch(line.text):
                    stack.append(i)
                elif _ZOLA_END.fullmatch(line.text) and stack:
                    self.zola[stack.pop()] = i
        return self.zola.get(index)


class _Widest:
    """(line, width) pairs answering "the first line from here that is at least this wide" in
    logarithmic time (a max segment tree), so that many openers of many widths stay linear."""

    def __init__(self, found: list[tuple[int, int]]) -> None:
        self.lines = [line for line, _ in found]
        self.size = 1
        while self.size < len(found):
            self.size *= 2
        self.tree = [0] * (2 * self.size)
        for position, (_, width) in enumerate(found):
            self.tree[self.size + position] = width
        for node in range(self.size - 1, 0, -1):
            self.tree[node] = max(self.tree[2 * node], self.tree[2 * node + 1])

    def first(self, start: int, width: int) -> int | None:
        position = bisect_left(self.lines, start)
        found = self._descend(1, 0, self.size, position, width)
        return None if found is None else self.lines[found]

    def _descend(self, node: int, low: int, high: int, start: int, width: int) -> int | None:
        if high <= start or self.tree[node] < width:
            return None
        if high - low == 1:
            return low if low < len(self.lines) else None
        middle = (low + high) // 2
        left = self._descend(2 * node, low, middle, start, width)
        return left if left is not None else self._descend(2 * node + 1, middle, high, start, width)


def _liquid_block(closers: _Closers, index: int, run: Run) -> tuple[list[Line], int] | None:
    lines = closers.lines
    m = _LIQUID_OPEN.fullmatch(lines[index].text)
    if not m:
        return None
    tag, args = m.group(1), m.group(2)
    end = closers.after(_LIQUID_CLOSE[tag], index + 1)
    here = lines[index].line
    if end is None:
        run.note("liquid", here, f"{{% {tag} %}} is never closed with {{% end{tag} %}}")
        return _left_as_is(lines[index], run), index + 1
    body = lines[index + 1 : end]
    if tag == "raw":
        # Shown as written by Liquid, but still Markdown to the renderer (its links too).
        return [replace(b, literal=True) for b in body], end + 1
    if tag == "comment":
        return [], end + 1
    lang = args.split()[0] if args.split() else ""
    return fenced(lang, body, here), end + 1


def _hugo_block(closers: _Closers, index: int, run: Run) -> tuple[list[Line], int] | None:
    lines = closers.lines
    m = _HUGO_OPEN.fullmatch(lines[index].text)
    if not m:
        return None
    name = m.group(2)
    end = closers.after(_HUGO_CLOSE[name], index + 1)
    here = lines[index].line
    if end is None:
        run.note("hugo-shortcode", here, f"Hugo shortcode '{name}' is never closed")
        return _left_as_is(lines[index], run), index + 1
    body = lines[index + 1 : end]
    if name == "mermaid":
        run.note("diagram", here, "Mermaid diagram kept as its source in a code block")
        return fenced("mermaid", body, here), end + 1
    lang = _args(m.group(3)).get("0", "")
    return fenced(lang if re.fullmatch(r"[\w+#.-]+", lang) else "", body, here), end + 1


def _zola_block(closers: _Closers, index: int, run: Run) -> tuple[list[Line], int] | None:
    lines = closers.lines
    m = _ZOLA_OPEN.fullmatch(lines[index].text)
    if not m:
        return None
    end = closers.zola_end(index)
    name, here = m.group(1), lines[index].line
    if end is None:
        run.note(
            "zola-shortcode", here, f"Zola shortcode '{name}' is never closed with {{% end %}}"
        )
        return _left_as_is(lines[index], run), index + 1
    body = lines[index + 1 : end]
    if name == "mermaid":
        run.note("diagram", here, "Mermaid diagram kept as its source in a code block")
        return fenced("mermaid", body, here), end + 1
    args = _args(m.group(2))
    if name != "admonition" and not args.get("title"):
        run.note("zola-shortcode", here, f"Zola shortcode '{name}' removed; its content is kept")
        return body, end + 1
    # An admonition (or any box with a title) keeps its title: a blockquote led by it in bold.
    label = args.get("title") or (args.get("type") or args.get("0") or "note").capitalize()
    run.note("zola-shortcode", here, f"Zola shortcode '{name}' became a blockquote")
    return _quote(label, body, here), end + 1


# --------------------------------------------------------------------------- admonitions

MAX_DEPTH = 32


def _check_depth(depth: int, what: str) -> None:
    """Nesting deeper than any real post is refused, as the post's own error (not a crash)."""
    if depth > MAX_DEPTH:
        raise ContentError(
            f"the post nests {what} more than {MAX_DEPTH} deep", hint="flatten the nesting"
        )


_DIRECTIVE = re.compile(r"( {0,3})(:{3,})\s*([A-Za-z][\w-]*)\s*(.*?)\s*")
_DIRECTIVE_CLOSE = re.compile(r" {0,3}(:{3,})\s*")
_ALERT = re.compile(r"( {0,3}>[ \t]?)\[!(note|tip|important|warning|caution)\][ \t]*", re.I)


def admonitions(lines: list[Line], run: Run, dialect: Dialect, depth: int = 0) -> list[Line]:
    """`:::note[Title]` … `:::` (Docusaurus, Fuwari, VitePress) and GitHub's `> [!NOTE]`.

    Both become a blockquote led by a bold label, which every platform renders. Directives nest
    by using more colons outside, as remark-directive requires.
    """
    _check_depth(depth, "admonitions")
    if not (dialect.directives or dialect.alerts):
        return lines
    closers = _Closers(lines)
    out: list[Line] = []
    index = 0
    while index < len(lines):
        current = lines[index]
        plain = current.frozen or current.literal
        m = None if plain or not dialect.directives else _DIRECTIVE.fullmatch(current.text)
        alert = None if plain or not dialect.alerts else _ALERT.fullmatch(current.text)
        if alert:
            label = alert.group(2).capitalize()
            out += [Line(f"{alert.group(1)}**{label}**", current.line), Line(">", current.line)]
            index += 1
            continue
        if not m:
            out.append(current)
            index += 1
            continue
        end = closers.directive_end(index + 1, len(m.group(2)))
        if end is None:
            run.note("admonition", current.line, f"':::{m.group(3)}' is never closed with ':::'")
            out.append(current)
            index += 1
            continue
        label = _title(m.group(4)) or m.group(3).capitalize()
        # Blank lines around the quote: glued to an HTML block or a paragraph, its lines would
        # be read as part of them (the directive's own lines did not need that).
        if out and not blank(out[-1].text):
            out.append(Line("", current.line))
        # The quote stands where the directive stands (in a list item: indented under it), and
        # what the directive holds is read relative to the directive's indentation, as
        # remark-directive reads it: `  :::tip` then `    text` is a paragraph, not code.
        indent = m.group(1)
        inside = [_outdent(inner, len(indent)) for inner in lines[index + 1 : end]]
        out += _quote(label, admonitions(inside, run, dialect, depth + 1), current.line, indent)
        index = end + 1
        if index < len(lines) and not blank(lines[index].text):
            out.append(Line("", lines[end].line))
    return out


def _quote(label: str, lines: list[Line], line: int | None, indent: str = "") -> list[Line]:
    """A blockquote at `indent`, led by `label` in bold, holding `lines`."""
    marker = f"{indent}>"
    quoted = [i.with_text(marker if blank(i.text) else f"{marker} {i.text}") for i in lines]
    return [Line(f"{marker} **{label}**", line), Line(marker, line), *quoted]


def _outdent(line: Line, width: int) -> Line:
    """`line` without up to `width` columns of indentation (a directive's content lines, like a
    fenced code block's, lose the indentation of its opening line).

    Leading tabs become the spaces they stand for (tab stops of 4 from the line's start): behind
    `> ` a tab would be narrower, and indented code would become text.
    """
    text = line.text
    lead = len(text) - len(text.lstrip(" \t"))
    if "\t" in text[:lead]:
        text = text[:lead].expandtabs(4) + text[lead:]
        lead = len(text) - len(text.lstrip(" "))
    return line.with_text(text[min(lead, width) :]) if lead else line


def _title(rest: str) -> str:
    m = re.fullmatch(r"\[(.*)\].*|\{.*?title=[\"'](.*?)[\"'].*\}", rest)
    if m:
        return (m.group(1) or m.group(2) or "").strip()
    return rest.strip()


# --------------------------------------------------------------------------- MDX

_ESM = re.compile(
    r"(?:import\s+(?:[\"']|[\w*${][^\n]*)|export\s+(?:default|const|let|var|function|async|class)\b"
    r"|export\s*[{*])"
)
_JSX_OPEN = re.compile(r"\s*<([A-Z][\w.]*)(?=[\s/>]|$)")


def mdx(lines: list[Line], run: Run, depth: int = 0) -> list[Line]:
    """Strip MDX `import`/`export` statements and JSX components, which only MDX can render.

    An ESM statement runs to the next blank line, as in MDX. A component's tags are removed;
    the Markdown between an opening and a closing tag is kept (and dedented, since MDX has no
    indented code) because it is usually the content the component decorates.
    """
    _check_depth(depth, "MDX components")
    tags = _Tags(lines)
    out: list[Line] = []
    index = 0
    while index < len(lines):
        current = lines[index]
        if current.frozen:
            out.append(current)
            index += 1
            continue
        if _ESM.match(current.text):
            end = index
            while end < len(lines) and not blank(lines[end].text) and not lines[end].frozen:
                end += 1
            if _is_esm("\n".join(line.text for line in lines[index:end])):
                run.note("mdx", current.line, f"MDX {current.text.split()[0]} statement removed")
            else:
                out.extend(lines[index:end])
            index = end
            continue
        jsx = _JSX_OPEN.match(current.text)
        handled = _component(tags, index, jsx.group(1), run) if jsx else None
        if handled is None:
            out.append(current)
            index += 1
            continue
        replacement, index, block = handled
        # What it wraps is one level deeper, whether or not it needs a pass of its own below.
        _check_depth(depth + 1, "MDX components")
        # A component alone on its lines is a block in MDX: what it wraps stays a block of
        # its own instead of running into the text around it.
        gap = [Line("", current.line)] if block and replacement else []
        # What a component wraps may hold components or statements of its own; a line that
        # starts neither is kept as it is by `mdx`, so only those lines need another pass.
        nested = any(_ESM.match(line.text) or _JSX_OPEN.match(line.text) for line in replacement)
        out.extend([*gap, *(mdx(replacement, run, depth + 1) if nested else replacement), *gap])
    return out


def _is_esm(statement: str) -> bool:
    if statement.startswith("import"):
        return bool(re.search(r"\bfrom\s*[\"']|^import\s*[\"']", statement))
    return True


class _Tags:
    """Opening and closing tags of each MDX component name, paired once per pass (they nest)."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.pairs: dict[str, dict[tuple[int, int], tuple[int, int, int]]] = {}

    def closing(self, name: str, line: int, column: int) -> tuple[int, int, int] | None:
        """(line, start, end) of the tag closing the `<name` at (line, column), if any."""
        if name not in self.pairs:
            self.pairs[name] = self._pair(name)
        return self.pairs[name].get((line, column))

    def _pair(self, name: str) -> dict[tuple[int, int], tuple[int, int, int]]:
        opener = rf"<{re.escape(name)}(?=[\s/>]|$)"
        tag = re.compile(rf"{opener}|</{re.escape(name)}\s*>")
        self_closing = re.compile(rf"{opener}[^<>]*/>")
        pairs: dict[tuple[int, int], tuple[int, int, int]] = {}
        stack: list[tuple[int, int]] = []
        for i, line in enumerate(self.lines):
            if line.frozen or name not in line.text:
                continue
            for m in tag.finditer(line.text):
                if m.group().startswith("</"):
                    if stack:
                        pairs[stack.pop()] = (i, m.start(), m.end())
                elif not self_closing.match(line.text, m.start()):
                    stack.append((i, m.start()))
        return pairs


def _tag_end(lines: list[Line], index: int, start: int) -> tuple[int, int, bool] | None:
    """(line index, column after '>', self-closing) of the JSX tag opened at lines[index][start]."""
    depth, quote = 0, ""
    for i in range(index, min(len(lines), index + 100)):
        if lines[i].frozen:
            return None
        text = lines[i].text
        column = start if i == index else 0
        while column < len(text):
            char = text[column]
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'`":
                quote = char
            elif char == "{":
                depth += 1
            elif char == "}":
                depth = max(0, depth - 1)
            elif char == ">" and depth == 0:
                return i, column + 1, text[:column].rstrip().endswith("/")
            column += 1
    return None


def _component(tags: _Tags, index: int, name: str, run: Run) -> tuple[list[Line], int, bool] | None:
    """Remove the component whose opening tag starts on line `index`; keep what it wraps.

    Also says whether the component ended its last line (a block, not words in a paragraph).
    """
    lines = tags.lines
    start = lines[index].text.index("<")
    end = _tag_end(lines, index, start + 1)
    if end is None:
        return None
    last, column, self_closing = end
    here = lines[index].line
    after = lines[last].with_text(lines[last].text[column:])
    if self_closing:
        run.note("mdx", here, f"MDX component <{name}> removed (platforms cannot render it)")
        return ([] if blank(after.text) else [after]), last + 1, blank(after.text)
    closing = tags.closing(name, index, start)
    if closing is None or closing[0] < last or (closing[0] == last and closing[1] < column):
        run.note("mdx", here, f"MDX component <{name}> removed (it is never closed)")
        return ([] if blank(after.text) else [after]), last + 1, blank(after.text)
    line, begin, finish = closing
    if line == last:
        inner = [after.with_text(lines[last].text[column:begin])]
    else:
        inner = [
            after,
            *lines[last + 1 : line],
            lines[line].with_text(lines[line].text[:begin]),
        ]
    kept = _dedent([i for i in inner if not blank(i.text) or i.frozen])
    tail = lines[line].text[finish:]
    if not blank(tail):
        kept.append(lines[line].with_text(tail))
    run.note("mdx", here, f"MDX component <{name}> removed; its content is kept")
    return kept, line + 1, blank(tail)


def _dedent(lines: list[Line]) -> list[Line]:
    widths = [len(b.text) - len(b.text.lstrip(" \t")) for b in lines if not blank(b.text)]
    cut = min(widths, default=0)
    return [b.with_text(b.text[cut:]) for b in lines]


_COMMENT_OPEN, _COMMENT_CLOSE = "{/*", "*/}"


def mdx_comments(lines: list[Line]) -> list[Line]:
    """Remove MDX comments `{/* … */}`, which MDX never renders, from the lines outside code.

    Run after `excerpt_cut`, which reads `{/* truncate */}`. A comment may span lines, blank
    ones included, but never code: each run of unfrozen lines is searched with its code spans
    hidden, and removed text keeps its line breaks so that line numbers stay right.
    """
    start = 0
    while start < len(lines):
        if lines[start].frozen:
            start += 1
            continue
        end = start
        while end < len(lines) and not lines[end].frozen:
            end += 1
        _strip_comments(lines[start:end])
        start = end
    return lines


def _strip_comments(block: list[Line]) -> None:
    text = "\n".join(line.text for line in block)
    if _COMMENT_OPEN not in text:
        return
    scratch = Run(path=None, page_url="", site_url=None)  # its own placeholders, restored here
    hidden = protect_code_spans(text, scratch)
    out: list[str] = []
    position = 0
    # One forward pass: an opener without a closer means no later opener has one either.
    while (opener := hidden.find(_COMMENT_OPEN, position)) != -1:
        closer = hidden.find(_COMMENT_CLOSE, opener + len(_COMMENT_OPEN))
        if closer == -1:
            break
        out.append(hidden[position:opener])
        out.append("\n" * hidden.count("\n", opener, closer))
        position = closer + len(_COMMENT_CLOSE)
    out.append(hidden[position:])
    for line, stripped in zip(block, scratch.restore("".join(out)).split("\n"), strict=True):
        if stripped != line.text:
            line.text = "" if blank(stripped) else stripped


# --------------------------------------------------------------------------- excerpt markers

_MARKER = re.compile(r"<!--\s*(?:more|truncate)\s*-->")
_MDX_MARKER = re.compile(r"<!--\s*(?:more|truncate)\s*-->|\{/\*\s*truncate\s*\*/\}")


def excerpt_cut(lines: list[Line], dialect: Dialect) -> int | None:
    """Remove excerpt markers; return the index of the first marker's line (the summary's end).

    A marker inside a code span is the author's text (a tutorial about markers), not a marker.
    Only a marker alone on its line is removed: beside other text it is an invisible comment,
    and removing it could change how the rest of the line reads.
    """
    marker = _MDX_MARKER if dialect.mdx else _MARKER
    if marker.search("\n".join([line.text for line in lines])) is None:
        return None  # no line holds one (most posts): not read line by line
    cut = None
    for index, line in enumerate(lines):
        if line.frozen or not marker.search(line.text):
            continue
        scratch = Run(path=None, page_url="", site_url=None)
        hidden = protect_code_spans(line.text, scratch)
        if not marker.search(hidden):
            continue
        if blank(marker.sub("", hidden)):
            line.text = ""
        cut = index if cut is None else cut
    return cut


# --------------------------------------------------------------------------- inline templates

_ESCAPED_HUGO = re.compile(r"(\{\{[<%])/\*\s*(.{0,500}?)\s*\*/([>%]\}\})")
_ESCAPED_ZOLA = re.compile(r"(\{[{%])/\*\s*(.{0,500}?)\s*\*/([}%]\})")
_LIQUID_TAG = {
    name: re.compile(rf"\{{%-?\s*{name}\s*-?%\}}")
    for name in ("raw", "endraw", "comment", "endcomment")
}
_SHORTCODE = re.compile(r"\{\{([<%])\s*(/?)\s*([\w./-]+)(.{0,1000}?)\s*/?\s*[>%]\}\}", re.S)
_ZOLA_CALL = re.compile(r"\{([{%])\s*(\w+)\((.{0,2000}?)\)\s*[}%]\}|\{%\s*end\s*%\}", re.S)
_SITE_URL = re.compile(
    r"\{\{\s*site\.url\s*\}\}\s*\{\{\s*site\.baseurl\s*\}\}|\{\{\s*site\.(?:url|baseurl)\s*\}\}"
)
_URL_FILTER = re.compile(r"\{\{\s*([\"'])(.{0,500}?)\1\s*\|\s*(?:relative_url|absolute_url)\s*\}\}")
_LIQUID_LINK = re.compile(r"\{%-?\s*(post_url|link)\s+(\S+?)\s*-?%\}")
_INCLUDE = re.compile(r"\{%-?\s*include(?:_relative)?\s+(.{0,500}?)\s*-?%\}", re.S)
_TEMPLATE = re.compile(r"\{\{.{0,500}?\}\}|\{%.{0,500}?%\}", re.S)
_ARG = re.compile(r"(?:(\w+)\s*=\s*)?(?:\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|`([^`]*)`|([^\s\"'`=]+))")


def template_inline(
    text: str, run: Run, lines_of: LinesOf, ref_url: RefURL | None, dialect: Dialect
) -> str:
    """Hugo shortcodes, Zola shortcodes or Liquid tags inside one block of text.

    Escaped shortcodes are shown as the site shows them, inside code spans too (the generator
    reads them before Markdown does); after that, code spans are hidden from every rule. Each
    rule's notices are placed in the text it reads (`lines_of`): the rules before it keep
    every line, not every offset.
    """
    text = unescape_shortcodes(text, run, dialect)
    text = protect_code_spans(text, run)
    if dialect.liquid:
        text = _liquid_pairs(text, "raw", lambda inside: _braces_hidden(inside, run))
        text = _liquid_pairs(text, "comment", lambda inside: "\n" * inside.count("\n"))
    line_at = lines_of(text)
    if dialect.hugo:
        text = _sub(_SHORTCODE, text, lambda m: _shortcode(m, run, line_at, ref_url))
    if dialect.zola:
        text = _sub(_ZOLA_CALL, text, lambda m: _zola_call(m, run, line_at))
    return _liquid(text, run, lines_of, ref_url) if dialect.liquid else text


def _braces_hidden(text: str, run: Run) -> str:
    """`text`, which the site prints as written (what `{% raw %}` holds, an escaped shortcode),
    with its braces hidden from the template rules; the rest is left for the Markdown rules
    (a script link there is one to the renderer too)."""
    return _BRACE.sub(lambda m: run.protect(m[0]), text)


_BRACE = re.compile(r"[{}]+")


def unescape_shortcodes(text: str, run: Run, dialect: Dialect) -> str:
    """Hugo's `{{</* x */>}}` and Zola's `{{/* x */}}` as their sites show them: `{{< x >}}`."""
    pattern = _ESCAPED_HUGO if dialect.hugo else _ESCAPED_ZOLA if dialect.zola else None
    if pattern is None or "/*" not in text:
        return text
    return pattern.sub(lambda m: _braces_hidden(_unescape(m), run), text)


def unescape_in_code(lines: list[Line], dialect: Dialect) -> None:
    """Escaped shortcodes and Liquid's `{% raw %}` in code blocks shown as the site shows them:
    Hugo and Zola unescape shortcodes, and Liquid reads the whole file, before the Markdown
    renderer sees the code."""
    if dialect.liquid:
        _raw_in_code(lines)
    if not (dialect.hugo or dialect.zola):
        return
    scratch = Run(path=None, page_url="", site_url=None)
    for line in lines:
        if line.frozen and "/*" in line.text:
            line.text = scratch.restore(unescape_shortcodes(line.text, scratch, dialect))


def _raw_in_code(lines: list[Line]) -> None:
    """Each `{% raw %}…{% endraw %}` pair within a stretch of code lines without its tags, as
    Liquid prints it: what it holds as written, each tag's line kept (empty when the tag was all
    of it). Code inside a raw block of lines of its own is literal (`Line.literal`): left as is.
    A stretch with a tag that trims whitespace (`{%-`, `-%}`) or spans lines is left as written
    too, rather than guessing which spaces and breaks Liquid removes."""
    start = 0
    while start < len(lines):
        if not (lines[start].frozen and not lines[start].literal):
            start += 1
            continue
        end = start
        while end < len(lines) and lines[end].frozen and not lines[end].literal:
            end += 1
        text = "\n".join(line.text for line in lines[start:end])
        if "raw" in text and "{%-" not in text and "-%}" not in text:
            shown = _liquid_pairs(text, "raw", lambda inside: inside)
            if shown != text and shown.count("\n") == text.count("\n"):
                for line, new in zip(lines[start:end], shown.split("\n"), strict=True):
                    line.text = new
        start = end


def _liquid_pairs(text: str, tag: str, replace_inside: Callable[[str], str]) -> str:
    """Replace each `{% tag %}…{% endtag %}` by `replace_inside(…)`, in one forward pass.

    A lazy `.*?` regex would rescan to the end of the text for every opener never closed.
    """
    opener, closer = _LIQUID_TAG[tag], _LIQUID_TAG[f"end{tag}"]
    out: list[str] = []
    position = 0
    while (start := opener.search(text, position)) and (end := closer.search(text, start.end())):
        out.append(text[position : start.start()])
        out.append(replace_inside(text[start.end() : end.start()]))
        position = end.end()
    out.append(text[position:])
    return "".join(out)


def _unescape(m: re.Match[str]) -> str:
    return f"{m.group(1)} {m.group(2)} {m.group(3)}"


def _sub(pattern: re.Pattern[str], text: str, fn: Callable[[re.Match[str]], str]) -> str:
    """re.sub that keeps the line count: a replacement shorter in lines is padded with breaks."""

    def keep(m: re.Match[str]) -> str:
        new = fn(m)
        return new + "\n" * max(0, m.group().count("\n") - new.count("\n"))

    return pattern.sub(keep, text)


def _args(text: str) -> dict[str, str]:
    """Shortcode arguments: named ones by name, positional ones as "0", "1", …"""
    found: dict[str, str] = {}
    position = 0
    for m in _ARG.finditer(text):
        value = next((g for g in m.groups()[1:] if g is not None), "")
        if m.group(1):
            found[m.group(1)] = value
        else:
            found[str(position)] = value
            position += 1
    return found


def _shortcode(m: re.Match[str], run: Run, line_at: LineAt, ref_url: RefURL | None) -> str:
    closing, name, args = m.group(2), m.group(3), _args(m.group(4))
    line = line_at(m.start())
    if closing:
        return ""
    if name == "figure" and args.get("src"):
        caption = args.get("caption") or args.get("title") or ""
        image = f"![{args.get('alt', caption)}]({args['src']})"
        return image + (run.newline() + f"*{caption}*" if caption else "")
    if name in ("youtube", "vimeo"):
        video = args.get("id") or args.get("0", "")
        if re.fullmatch(r"[\w-]+", video):
            site = "YouTube" if name == "youtube" else "Vimeo"
            url = (
                f"https://www.youtube.com/watch?v={video}"
                if name == "youtube"
                else f"https://vimeo.com/{video}"
            )
            return f"[{args.get('title') or site + ' video'}]({url})"
    if name in ("ref", "relref"):
        return resolve_ref(args.get("0") or args.get("path", ""), run, line, ref_url)
    run.note("hugo-shortcode", line, f"Hugo shortcode '{name}' is not portable; removed")
    return ""


def resolve_ref(target: str, run: Run, line: int | None, ref_url: RefURL | None) -> str:
    """The URL of the post at source path `target`, else the site root with a Notice; the
    post's error (file and line) when the resolver says the generator fails on it."""
    try:
        url = ref_url(target) if ref_url and target else None
    except BrokenRef as exc:
        raise SourceError(exc.message, path=run.path, line=line, hint=exc.hint) from None
    if url is None:
        home = run.site_url or run.page_url
        run.note("ref", line, f"cannot resolve the link to '{target}'; it points to {home}")
        return home
    return url


_WORDS = ("title", "text", "body", "caption", "quote", "content")


def _zola_call(m: re.Match[str], run: Run, line_at: LineAt) -> str:
    """A Zola shortcode call: an image for one with a `src`, else the author's words it holds
    (an admonition's `text`, a figure's `caption`) kept as text; nothing for one without."""
    name = m.group(2)
    if not name:
        return ""
    args = _args(m.group(3))
    words = [args[key] for key in _WORDS if args.get(key) and key != "title"]
    source = args.get("src") or args.get("path")
    line = line_at(m.start())
    if source:
        alt = args.get("alt") or args.get("caption") or ""
        caption = args.get("caption") or ""
        run.note("zola-shortcode", line, f"Zola shortcode '{name}' converted to an image")
        return f"![{alt}]({source})" + (run.newline() + f"*{caption}*" if caption else "")
    title = args.get("title", "")
    if not words and not title:
        run.note("zola-shortcode", line, f"Zola shortcode '{name}' is not portable; removed")
        return ""
    run.note("zola-shortcode", line, f"Zola shortcode '{name}' removed; its words are kept")
    if name == "admonition" or "type" in args:
        title = title or (args.get("type") or "note").capitalize()
    return " ".join([f"**{title}:**" if title else "", *words]).strip()


def _liquid(text: str, run: Run, lines_of: LinesOf, ref_url: RefURL | None) -> str:
    site = run.site_url.rstrip("/") if run.site_url else None

    def site_url(m: re.Match[str]) -> str:
        if site is None:
            run.note("liquid", line_at(m.start()), "site.url is unknown; set [site] url")
            return run.protect(m.group())
        if "baseurl" not in m.group():  # Jekyll's site.url is the host; [site] url has the base
            parts = urlsplit(site)
            return f"{parts.scheme}://{parts.netloc}"
        return site

    def url_filter(m: re.Match[str]) -> str:
        target = m.group(2)
        if re.match(r"[a-z][\w+.-]*:", target, re.I):
            return target
        return site_url(m) if site is None else site + "/" + target.lstrip("/")

    def include(m: re.Match[str]) -> str:
        run.note("liquid", line_at(m.start()), f"Liquid include '{m.group(1)}' removed")
        return ""

    def other(m: re.Match[str]) -> str:
        snippet = " ".join(run.restore(m.group()).split())[:60]  # as written, then cut
        run.note("liquid", line_at(m.start()), f"template tag {snippet} is left as is")
        return run.protect(m.group())

    def link(m: re.Match[str]) -> str:
        return resolve_ref(m.group(2), run, line_at(m.start()), ref_url)

    for pattern, rule in [
        (_SITE_URL, site_url),
        (_URL_FILTER, url_filter),
        (_LIQUID_LINK, link),
        (_INCLUDE, include),
        (_TEMPLATE, other),
    ]:
        line_at = lines_of(text)  # offsets in the text this rule reads
        text = _sub(pattern, text, rule)
    return text
