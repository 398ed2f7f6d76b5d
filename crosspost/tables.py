"""A TOML table checked against a dataclass: the one validation every setting goes through.

The core's tables (`[site]`, the keys every `[platforms.NAME]` shares) and each adapter's own
`Settings` are dataclasses; `build_settings` reads their fields' types and refuses an unknown
key, a wrong type, a placeholder left from the example or an absurd number with a `ConfigError`
naming the file, the line where the key is written, the dotted key and what is allowed. Split
from `crosspost.config` (which reads and assembles crosspost.toml) because this part knows no
table of crosspost's: it is the rule, config.py the tables.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from .errors import ConfigError
from .suggest import allowed_hint

__all__ = ["PLACEHOLDER", "TableText", "build_settings", "read_quietly", "shown_value"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TableText:
    """The text of the TOML file a table came from, to name the line of a key in errors.

    `prefix` is what precedes the tables' names in the file (`tool.crosspost.` in a
    pyproject.toml); `text` is empty when there is no file (a `Config` built by a program).
    """

    path: Path | None
    text: str
    prefix: str

    def line_of(self, dotted: str) -> int | None:
        """Best-effort line of a key: TOML parsers do not keep positions."""
        if not self.text:
            return None
        last = dotted.rsplit(".", 1)[-1]
        pattern = re.compile(rf'^[ \t]*(?:"{re.escape(last)}"|{re.escape(last)})\s*=', re.M)
        table = dotted.rsplit(".", 1)[0] if "." in dotted else ""
        start = 0
        if table:
            header = re.search(rf"^[ \t]*\[{re.escape(self.prefix + table)}\]", self.text, re.M)
            if header:
                start = header.end()
        m = pattern.search(self.text, start)
        for name in (dotted, table) if m is None else ():
            # a table, or a key that is missing: the header of the table that lacks it
            m = (
                re.search(rf"^[ \t]*\[{re.escape(self.prefix + name)}\]", self.text, re.M)
                if name
                else None
            )
            if m is not None:
                break
        return self.text.count("\n", 0, m.start()) + 1 if m else None

    def line_in_table(self, table: str, key: str) -> int | None:
        """Best-effort line of `key` anywhere inside `table` or its sub-tables, inline ones
        included (`"Social Media" = { devto = "x" }`)."""
        header = re.search(rf"^\s*\[\s*(?:tool\.crosspost\.)?{re.escape(table)}\b", self.text, re.M)
        if header is None:
            return None
        m = re.compile(rf"""(?<![\w"'-])["']?{re.escape(key)}["']?\s*=""").search(
            self.text, header.end()
        )
        return self.text.count("\n", 0, m.start()) + 1 if m else None

    def fail(
        self, dotted: str, message: str, allowed: list[str] | None, *, hint: str | None = None
    ) -> typing.NoReturn:
        if allowed:
            hint = f"allowed: {', '.join(allowed)}"
        raise ConfigError(
            message,
            path=self.path,
            line=self.line_of(dotted),
            field=self.prefix + dotted,
            hint=hint,
        )

    def only_keys(
        self, data: Mapping[str, Any], known: set[str], key: str, *, also: Collection[str] = ()
    ) -> None:
        """Refuse a key of `data` not in `known`; the hint offers `known` and `also` (keys the
        same TOML table takes that another dataclass reads)."""
        allowed = known | set(also)
        for k in data:
            if k not in known:
                dotted = f"{key}.{k}" if key else k
                self.fail(dotted, f"unknown key {k!r}", None, hint=allowed_hint(k, allowed))


PLACEHOLDER = re.compile(
    r"\byour[-_]?(?:blog|name|site|server|instance|publication|account|user(?:name)?|handle)\b",
    re.I,
)
"""A value written to be replaced (`publication = "yourblog.hashnode.dev"` in the file
`crosspost init` writes): left as it is, a run would publish to someone else's address or none."""


def build_settings(
    cls: type[T],
    raw: Mapping[str, Any],
    *,
    ctx: TableText | None = None,
    key: str,
    path: Path | None = None,
    also: Collection[str] = (),
) -> T:
    """Validate `raw` against dataclass `cls` and build it.

    Adapters' settings go through the same checks as the core's: unknown keys and wrong types are
    `ConfigError`s naming `key` (the dotted table name), the file and the allowed values (`also`:
    the keys of the same table that another dataclass reads, offered in the hint too).
    """
    ctx = ctx or TableText(path, read_quietly(path), "")
    if not isinstance(raw, Mapping):
        ctx.fail(key, "must be a table", None)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    ctx.only_keys(raw, set(fields), key, also=also)
    values: dict[str, Any] = {}
    for name, value in raw.items():
        dotted = f"{key}.{name}" if key else name
        if isinstance(value, str) and PLACEHOLDER.search(value):
            ctx.fail(
                dotted,
                f"{value!r} is a placeholder from the example, not your value",
                None,
                hint="put your own value there, or comment the line out to use the default",
            )
        values[name] = _coerce(value, hints[name], dotted, ctx)
    settings = cls(**values)
    validate = getattr(settings, "validate", None)
    if validate is not None:
        try:
            validate()
        except ConfigError as exc:
            if exc.path is not None:
                raise
            ctx.fail(exc.field or key, exc.message, None, hint=exc.hint)  # where it is written
    return settings


def read_quietly(path: Path | None) -> str:
    try:
        return path.read_text("utf-8") if path else ""
    except (OSError, UnicodeDecodeError):
        return ""


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return " or ".join(repr(a) for a in typing.get_args(tp))
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(a) for a in typing.get_args(tp) if a is not type(None))
    if origin is not None:
        return {tuple: "a list", Mapping: "a table", dict: "a table"}.get(origin, str(origin))
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        date: "a date (YYYY-MM-DD)",
    }.get(tp, getattr(tp, "__name__", str(tp)))


def _coerce(value: Any, tp: Any, dotted: str, ctx: TableText) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        for arg in (a for a in args if a is not type(None)):
            try:
                return _coerce(value, arg, dotted, ctx)
            except ConfigError:
                continue
        ctx.fail(dotted, f"must be {_type_name(tp)}, got {shown_value(value)}", None)
    if origin is Literal:
        if value in args:
            return value
        ctx.fail(
            dotted,
            f"{value!r} is not allowed",
            None,
            hint=allowed_hint(repr(value), [repr(a) for a in args]),
        )
    if origin is tuple:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            ctx.fail(dotted, f"must be a list, got {value!r}", None)
        return tuple(_coerce(v, args[0], dotted, ctx) for v in value)
    if origin in (Mapping, dict) or tp in (Mapping, dict):
        if not isinstance(value, Mapping):
            ctx.fail(dotted, f"must be a table, got {value!r}", None)
        value_type = args[1] if len(args) == 2 else Any
        return MappingProxyType(
            {str(k): _coerce(v, value_type, f"{dotted}.{k}", ctx) for k, v in value.items()}
        )
    if tp is Any:
        return value
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is float or tp is int:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _number(value, tp, dotted, ctx)
    elif tp is date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
    elif tp is str and isinstance(value, str):
        return value
    ctx.fail(dotted, f"must be {_type_name(tp)}, got {shown_value(value)}", None)


_LARGEST = 10**15
"""No count, size, period or timeout of crosspost's comes near this; a bigger number is a typo
or an attack (a 5,000-digit number cannot even be printed in an error message)."""


def _number(value: float, tp: Any, dotted: str, ctx: TableText) -> float:
    """A setting's number: finite, not negative, not absurdly large; a float where one is wanted.
    (`timeout = nan` would wait forever, `-1` fail every request with an internal error.)"""
    if tp is int and not isinstance(value, int):
        ctx.fail(dotted, f"must be {_type_name(tp)}, got {shown_value(value)}", None)
    if isinstance(value, float) and not math.isfinite(value):
        ctx.fail(dotted, f"must be a finite number, got {value!r}", None)
    if value < 0 or value > _LARGEST:
        ctx.fail(dotted, f"must be between 0 and {_LARGEST:g}, got {shown_value(value)}", None)
    return float(value) if tp is float else value


def shown_value(value: Any) -> str:
    """`value` for an error message, on one line and short, whatever it is."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _LARGEST:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
