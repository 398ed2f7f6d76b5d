"""Read the dates real blogs write into timezone-aware datetimes.

Front matter dates come as YAML/TOML date objects or as whatever string the author's generator
accepts: ISO 8601, Jekyll's `2022-12-31 23:59:59 -0500`, `Jan 11 2024`, `25 Aug 2024`, RFC 2822,
JavaScript's `Date.toString()` (Hashnode exports) or `2024/01/11`. Anything without an offset is
taken in the site's time zone, so a post dated "2024-01-11" is the 11th where the author lives.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

__all__ = ["parse_date"]

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME = (
    r"(?:(?:\s+|T)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?)?"
)
_ZONE = (
    r"(?:\s*(?P<zone>(?:GMT|UTC)?\s*[+-]\d{1,2}(?::?\d{2})?|Z|GMT|UTC))?"
    r"(?:\s*\([^()]*\))?"
)
_FORMS = [
    re.compile(rf"(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}{_ZONE}", re.I),
    re.compile(
        rf"{_WEEKDAY}(?P<mon>[a-z]{{3,9}})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
        rf"(?P<y>\d{{4}}){_TIME}{_ZONE}",
        re.I,
    ),
    re.compile(
        rf"{_WEEKDAY}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>[a-z]{{3,9}})\.?,?\s+"
        rf"(?P<y>\d{{4}}){_TIME}{_ZONE}",
        re.I,
    ),
]


def parse_date(value: object, tz: tzinfo) -> datetime:
    """`value` as an aware datetime; naive values are in `tz`. ValueError if it is not a date."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=tz)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{value!r} is not a date")
    text = " ".join(value.split())
    try:
        return parse_date(datetime.fromisoformat(text), tz)
    except ValueError:
        pass
    for form in _FORMS:
        m = form.fullmatch(text)
        if m:
            return _build(m, tz)
    from email.utils import parsedate_to_datetime  # imports socket: only for the last resort

    try:
        return parse_date(parsedate_to_datetime(text), tz)
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"{value!r} is not a date") from None


def _build(m: re.Match[str], tz: tzinfo) -> datetime:
    parts = m.groupdict()
    month = int(parts["m"]) if parts.get("m") else _month(parts["mon"])
    hour = int(parts["H"] or 0)
    ampm = (parts["ampm"] or "").lower()
    if ampm and not 1 <= hour <= 12:
        raise ValueError(f"{hour} is not a 12-hour clock hour")
    if ampm.startswith("p") and hour != 12:
        hour += 12
    elif ampm.startswith("a") and hour == 12:
        hour = 0
    fraction = (parts["F"] or "0")[:6].ljust(6, "0")
    naive = datetime(
        int(parts["y"]),
        month,
        int(parts["d"]),
        hour,
        int(parts["M"] or 0),
        int(parts["S"] or 0),
        int(fraction),
    )
    zone = _zone(parts["zone"])
    return naive.replace(tzinfo=zone or tz)


def _month(name: str) -> int:
    """Full English month names and any abbreviation of three letters or more ("Sept")."""
    word = name.lower().rstrip(".")
    for number, full in enumerate(_MONTHS, start=1):
        if len(word) >= 3 and full.startswith(word):
            return number
    raise ValueError(f"{name!r} is not a month")


def _zone(text: str | None) -> tzinfo | None:
    if not text:
        return None
    text = text.upper().replace("GMT", "").replace("UTC", "").replace(" ", "")
    if text in ("", "Z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    if offset >= timedelta(hours=24):
        raise ValueError(f"{text} is not a UTC offset")
    return timezone(sign * offset)
