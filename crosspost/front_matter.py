"""Front matter: find where it ends, parse it safely, write it back.

python-frontmatter's own `split` is a regular expression over the whole file: it silently reads an
unclosed block as body and forgets line numbers. The handlers here subclass its `BaseHandler`
(so `frontmatter.Post` / `frontmatter.dumps` serialise with them) but split line by line, so every
error can name the line of the original file, and the YAML loader refuses alias bombs.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, ClassVar, cast

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler

from .errors import SourceError

try:
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # PyYAML built without libyaml: same behaviour, ten times slower
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]

__all__ = [
    "MAX_YAML_NODES",
    "JSONHandler",
    "Matter",
    "MatterHandler",
    "TOMLHandler",
    "YAMLHandler",
    "dumps",
    "read",
]

MAX_YAML_NODES = 20_000
"""Front matter larger than this, counted with every alias expanded, is refused: real front matter
has dozens of nodes, a "billion laughs" document has billions once a consumer walks it."""


@dataclass(frozen=True, slots=True)
class Matter:
    """Front matter parsed out of a post, with where things are in the original file."""

    data: Mapping[str, Any]
    body: str
    body_line: int
    format: str
    key_lines: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class _Block:
    text: str
    text_line: int
    body: str
    body_line: int


class MatterHandler(BaseHandler):
    """A python-frontmatter handler that splits by lines and knows where the body starts."""

    name: ClassVar[str]
    FM_BOUNDARY: re.Pattern[str] | None

    def detect(self, text: str) -> bool:
        first = text.split("\n", 1)[0]
        return bool(self.FM_BOUNDARY and self.FM_BOUNDARY.fullmatch(first))

    def split(self, text: str) -> tuple[str, str]:
        block = self.locate(text)
        return block.text, block.body

    def locate(self, text: str) -> _Block:
        """Split at the first closing delimiter line; ValueError when there is none."""
        assert self.FM_BOUNDARY is not None
        lines = text.split("\n")
        for index in range(1, len(lines)):
            if self.FM_BOUNDARY.fullmatch(lines[index]):
                return _Block(
                    "\n".join(lines[1:index]), 2, "\n".join(lines[index + 1 :]), index + 2
                )
        raise ValueError("unclosed")


class _SafeLoader(_YamlLoader):
    """SafeLoader that measures the document with aliases expanded before building it."""

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        if node is not None:
            _check_expanded_size(node)
            _check_unique_keys(node)
        return node

    def construct_lenient_timestamp(self, node: yaml.ScalarNode) -> object:
        """An impossible date (2024-02-30) stays text, so the date field reports it with its key
        and line instead of the whole front matter failing."""
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLoader.construct_lenient_timestamp)


class _TooLarge(Exception):
    pass


class _DuplicateKey(Exception):
    """A key given twice in one mapping; `line` counts from 0 in the front matter block."""

    def __init__(self, key: str, line: int | None) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


def _check_unique_keys(root: yaml.Node) -> None:
    """Refuse a mapping that repeats a key (merge keys `<<` aside, whose point is overriding).

    PyYAML keeps the last value silently, other generators the first or an error: a post whose
    reviewer saw one title and whose platforms get another is worse than a clear error. Checked
    on the node graph before construction, once per distinct node.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE:
                    key = (key_node.tag, key_node.value)
                    if key in keys:
                        raise _DuplicateKey(key_node.value, key_node.start_mark.line)
                    keys.add(key)
        stack.extend(_children(node))


_MERGE = "tag:yaml.org,2002:merge"


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook` refusing a key given twice in one JSON object (YAML's rule)."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKey(key, None)
        data[key] = value
    return data


def _check_expanded_size(root: yaml.Node) -> None:
    """Count nodes as a consumer walking the data would see them (aliases expanded).

    Iterative post-order walk with memoised subtree sizes: linear in the distinct nodes, so the
    check itself cannot be bombed; a node reached from itself is a recursive alias, refused too.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            active.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[key] > MAX_YAML_NODES:
                raise _TooLarge
            continue
        if key in sizes:
            continue
        if key in active:
            raise _TooLarge
        active.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


class YAMLHandler(MatterHandler):
    """`---` … `---`, the format of every generator except Hugo/Zola's TOML and Hugo's JSON."""

    name = "yaml"
    FM_BOUNDARY = re.compile(r"---[ \t]*")
    START_DELIMITER = END_DELIMITER = "---"

    def load(self, fm: str) -> Any:
        return yaml.load(fm, Loader=_SafeLoader)  # noqa: S506 - a SafeLoader subclass

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        return yaml.safe_dump(
            metadata, sort_keys=False, allow_unicode=True, default_flow_style=False
        ).strip()


class TOMLHandler(MatterHandler):
    """`+++` … `+++` (Hugo, Zola)."""

    name = "toml"
    FM_BOUNDARY = re.compile(r"\+\+\+[ \t]*")
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str) -> Any:
        # The block ends without a newline, and tomllib reports an error on its last line as
        # "at end of document": the newline keeps the line number in the message.
        return tomllib.loads(fm + "\n")

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        return _toml_dumps(metadata)


class JSONHandler(MatterHandler):
    """A JSON object starting on the first line (Hugo); it ends where the object ends."""

    name = "json"
    FM_BOUNDARY = re.compile(r"\{.*")
    START_DELIMITER = END_DELIMITER = ""

    def locate(self, text: str) -> _Block:
        # The object's own syntax delimits it, braces inside strings included; a syntax error is
        # reported by `load` with its line, so an unparseable object is handed over whole.
        try:
            _, end = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError:
            return _Block(text, 1, "", text.count("\n") + 2)
        line_end = text.find("\n", end)
        if line_end == -1:
            line_end = len(text)
        if text[end:line_end].strip():
            raise ValueError("text after the closing brace")
        return _Block(text[:end], 1, text[line_end + 1 :], text.count("\n", 0, line_end) + 2)

    def load(self, fm: str) -> Any:
        return json.loads(fm, object_pairs_hook=_unique_pairs)

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        return json.dumps(metadata, indent=2, ensure_ascii=False, default=_iso)


HANDLERS: tuple[MatterHandler, ...] = (YAMLHandler(), TOMLHandler(), JSONHandler())
_BY_NAME = {h.name: h for h in HANDLERS}
_OTHER_FENCE = re.compile(r"---\s*(\w+)\s*")


def read(text: str, *, path: Path | None = None) -> Matter:
    """Split and parse the front matter of `text` (already without BOM and with `\\n` newlines).

    Raises SourceError with the file line for a missing, unclosed or malformed block.
    """
    handler = next((h for h in HANDLERS if h.detect(text)), None)
    if handler is None:
        raise _no_front_matter(text, path)
    try:
        block = handler.locate(text)
    except ValueError as exc:
        if str(exc) == "unclosed":
            raise SourceError(
                f"front matter opened with '{handler.START_DELIMITER}' on line 1 is never closed",
                path=path,
                line=1,
                hint=f"add a line '{handler.END_DELIMITER}' after the last front matter key",
            ) from None
        raise SourceError(
            "unexpected text after the JSON front matter's closing brace",
            path=path,
            line=1,
            hint="put the body on the lines after the closing '}'",
        ) from None
    data = _load(handler, block, path)
    return Matter(
        data=data,
        body=block.body,
        body_line=block.body_line,
        format=handler.name,
        key_lines=_key_lines(block, data, handler.name),
    )


def dumps(metadata: Mapping[str, Any], body: str, *, fmt: str = "yaml") -> str:
    """Write `metadata` and `body` back as a post file in format `fmt` (yaml, toml or json)."""
    # The fields are set after the Post is made: given as its keyword arguments, a field named
    # `content` or `handler` would clash with the constructor's own.
    post = frontmatter.Post(body, handler=_BY_NAME[fmt])
    post.metadata.update(metadata)
    return frontmatter.dumps(post) + "\n"


def _no_front_matter(text: str, path: Path | None) -> SourceError:
    first = text.split("\n", 1)[0].strip()
    m = _OTHER_FENCE.fullmatch(first)
    if m:
        return SourceError(
            f"front matter in '{m.group(1)}' cannot be read, only YAML, TOML or JSON",
            path=path,
            line=1,
            hint="rewrite it as YAML between '---' lines",
        )
    what = "the file is empty" if not text.strip() else "no front matter"
    return SourceError(
        what,
        path=path,
        line=None if not text.strip() else 1,
        hint="start the file with a '---' line, then 'title: …', then a closing '---' line",
    )


def _load(handler: MatterHandler, block: _Block, path: Path | None) -> dict[str, Any]:
    kind = handler.name.upper()
    try:
        data = handler.load(block.text)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, block, path) from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = block.text_line + int(m.group(1)) - 1 if m else None
        reason = re.sub(r"\s*\(at .*?\)$", "", str(exc))
        raise SourceError(
            f"TOML syntax error in front matter: {reason}",
            path=path,
            line=line,
            hint="fix the TOML between the '+++' lines",
        ) from None
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"JSON syntax error in front matter: {exc.msg}",
            path=path,
            line=block.text_line + exc.lineno - 1,
            hint="fix the JSON object at the top of the file",
        ) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise SourceError(
            f"{kind} front matter cannot be read: {exc}",
            path=path,
            line=block.text_line,
            hint=f"fix the {kind} at the top of the file",
        ) from None
    except _DuplicateKey as exc:
        line = exc.line if exc.line is not None else _second_json_key(block.text, exc.key)
        raise SourceError(
            f"the key {exc.key!r} is given twice",
            path=path,
            line=block.text_line + line if line is not None else block.text_line,
            field=exc.key,
            hint="keep one of them: generators disagree on which one wins",
        ) from None
    except (_TooLarge, RecursionError):
        raise SourceError(
            f"{kind} front matter is too large or too deeply nested"
            + (" once aliases are expanded" if kind == "YAML" else ""),
            path=path,
            line=block.text_line,
            hint=f"front matter is limited to {MAX_YAML_NODES} values and nesting of this depth"
            + ("; remove the anchors/aliases" if kind == "YAML" else ""),
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SourceError(
            f"{kind} front matter must be a set of 'key: value' pairs, not a {type(data).__name__}",
            path=path,
            line=block.text_line,
            hint="write one 'key: value' per line",
        )
    return {str(k): v for k, v in data.items()}


def _second_json_key(text: str, key: str) -> int | None:
    """Line (from 0) of the second `"key":` in a JSON block, for a duplicate key's message."""
    pattern = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:")
    matches = list(itertools.islice(pattern.finditer(text), 2))
    return text.count("\n", 0, matches[1].start()) if len(matches) == 2 else None


def _yaml_error(exc: yaml.YAMLError, block: _Block, path: Path | None) -> SourceError:
    lines = block.text.split("\n")
    tab = next((i for i, ln in enumerate(lines) if re.match(r"[ ]*\t", ln)), None)
    if tab is not None:
        return SourceError(
            "YAML front matter is indented with a tab",
            path=path,
            line=block.text_line + tab,
            hint="YAML allows only spaces for indentation; replace the tab with spaces",
        )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = block.text_line + mark.line if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
    return SourceError(
        f"YAML syntax error in front matter: {problem}",
        path=path,
        line=line,
        hint="check quoting and indentation; values containing ': ' or starting with "
        "'[', '{', '*', '&', '!' or '#' need quotes",
    )


def _key_lines(block: _Block, data: Mapping[str, Any], fmt: str) -> dict[str, int]:
    """Line of each top-level key, and of nested keys as 'parent.key' (YAML mapping, TOML table).

    A text search rather than parser positions: tomllib and json keep none, and all three formats
    write one key per line. The first occurrence wins.
    """
    found: dict[str, int] = {}
    parent = ""
    for offset, line in enumerate(block.text.split("\n")):
        number = block.text_line + offset
        header = _TOML_TABLE.match(line) if fmt == "toml" else None
        if header:
            parent = header.group(1)
            found.setdefault(parent, number)
            continue
        m = _KEY.match(line)
        if not m:
            continue
        key = m.group(2)
        nested = {"yaml": bool(m.group(1)), "toml": bool(parent), "json": False}[fmt]
        if nested and parent:
            found.setdefault(f"{parent}.{key}", number)
        elif not nested and key in data:
            found.setdefault(key, number)
            parent = key if fmt == "yaml" else parent
    return found


_KEY = re.compile(r"""^([ \t]*)["']?([^"'\s:=\[\]{}#]+)["']?[ \t]*[:=]""")
_TOML_TABLE = re.compile(r"\s*\[+\s*([^\]\s]+)\s*\]")


def _iso(value: object) -> str:
    if isinstance(value, date | time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, Mapping):
        items = (f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None)
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"{type(value).__name__} cannot be written as TOML")


def _toml_key(key: object) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else json.dumps(text)


def _toml_dumps(metadata: Mapping[str, object]) -> str:
    """TOML for front matter (tomllib only reads): plain keys, then one [table] per mapping."""
    scalars = [(k, v) for k, v in metadata.items() if v is not None and not isinstance(v, Mapping)]
    tables = [
        (k, cast(Mapping[str, object], v)) for k, v in metadata.items() if isinstance(v, Mapping)
    ]
    out = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars]
    for name, table in tables:
        out.append(f"\n[{_toml_key(name)}]")
        out.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items() if v is not None)
    return "\n".join(out).strip()
