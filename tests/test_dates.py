"""Dates as blogs write them → aware datetimes; naive ones in the site's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from crosspost.dates import parse_date

PARIS = ZoneInfo("Europe/Paris")


def tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-11", datetime(2024, 1, 11, tzinfo=PARIS)),
        ("2024-01-11T10:00:00Z", datetime(2024, 1, 11, 10, tzinfo=UTC)),
        ("2024-01-11T10:00:00+05:30", datetime(2024, 1, 11, 10, tzinfo=tz(5.5))),
        ("2015-05-01T22:12:03.284Z", datetime(2015, 5, 1, 22, 12, 3, 284000, tzinfo=UTC)),
        ("2024-01-11 10:00", datetime(2024, 1, 11, 10, tzinfo=PARIS)),
        ("2022-12-31 23:59:59 -0500", datetime(2022, 12, 31, 23, 59, 59, tzinfo=tz(-5))),
        ("2010-01-10 13:07:09 +00:00", datetime(2010, 1, 10, 13, 7, 9, tzinfo=UTC)),
        ("Jan 11 2024", datetime(2024, 1, 11, tzinfo=PARIS)),
        ("January 11, 2024", datetime(2024, 1, 11, tzinfo=PARIS)),
        ("Sept 3, 2023", datetime(2023, 9, 3, tzinfo=PARIS)),
        ("January 11th, 2024 3:04 pm", datetime(2024, 1, 11, 15, 4, tzinfo=PARIS)),
        ("25 Aug 2024", datetime(2024, 8, 25, tzinfo=PARIS)),
        ("4 July 2025", datetime(2025, 7, 4, tzinfo=PARIS)),
        ("Thu, 11 Jan 2024 10:00:00 +0000", datetime(2024, 1, 11, 10, tzinfo=UTC)),
        ("Thu, 11 Jan 2024 10:00:00 GMT", datetime(2024, 1, 11, 10, tzinfo=UTC)),
        ("Thu, 11 Jan 2024 10:00:00 EST", datetime(2024, 1, 11, 10, tzinfo=tz(-5))),
        ("2024/01/11", datetime(2024, 1, 11, tzinfo=PARIS)),
        ("2024/1/9 08:15", datetime(2024, 1, 9, 8, 15, tzinfo=PARIS)),
        (
            "Wed Apr 15 2020 17:00:00 GMT+0000 (Coordinated Universal Time)",
            datetime(2020, 4, 15, 17, tzinfo=UTC),
        ),
        ("  2024-01-11  ", datetime(2024, 1, 11, tzinfo=PARIS)),
    ],
)
def test_strings(text: str, expected: datetime) -> None:
    parsed = parse_date(text, PARIS)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_yaml_and_toml_objects() -> None:
    assert parse_date(date(2024, 1, 11), PARIS) == datetime(2024, 1, 11, tzinfo=PARIS)
    assert parse_date(datetime(2024, 1, 11, 9), PARIS) == datetime(2024, 1, 11, 9, tzinfo=PARIS)
    aware = datetime(2024, 1, 11, 9, tzinfo=tz(-3))
    assert parse_date(aware, PARIS) is aware


@pytest.mark.parametrize(
    "value",
    [
        "Janaury 11",
        "2024-02-30",
        "Jan 32 2024",
        "13:00",
        "",
        "  ",
        "tomorrow",
        "2024-13-01",
        "Jan 11 2024 13:00 pm",
        "2024-01-11 10:00 +2500",
        20240111,
        True,
        None,
        ["2024-01-11"],
    ],
)
def test_not_dates(value: object) -> None:
    with pytest.raises(ValueError):
        parse_date(value, PARIS)
