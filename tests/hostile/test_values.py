"""Hostile values in the records and the config: each is one line naming file and field, exit 2,
never an internal error, never accepted (issue 13's smaller attacks)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ..records_view import records_view
from .conftest import HostileBlog

HUGE = "9" * 5000


def _was(value: str) -> object:
    """The records with the good post's dev.to entry saying it moved from `value`."""

    def change(data: dict[str, Any]) -> dict[str, Any]:
        post = data["posts"]["https://blog.example.com/posts/good/"]
        post["platforms"]["devto"]["was"] = value
        return data

    return change


RECORDS = {
    "version-true": (lambda d: {**d, "version": True}, "no version number"),
    "version-huge": (lambda d: d, "number"),  # written raw below: json.dumps cannot
    "accounts-list": (lambda d: {**d, "accounts": {"devto": []}}, "accounts"),
    "accounts-nested-wrong": (
        lambda d: {**d, "accounts": {"hashnode": {"publication_ids": "not-a-table"}}},
        "accounts.hashnode.publication_ids",
    ),
    "accounts-wrong-number": (
        lambda d: {**d, "accounts": {"mastodon": {"instance": 1, "limits_at": "soon"}}},
        "accounts.mastodon.instance",
    ),
    "was-bad-ipv6": (_was("https://[bad/x"), ".devto.was"),
    "was-port-out-of-range": (_was("https://blog.example.com:99999/x"), ".devto.was"),
    "was-port-not-a-number": (_was("https://blog.example.com:abc/x"), ".devto.was"),
}


@pytest.mark.parametrize(("change", "words"), RECORDS.values(), ids=list(RECORDS))
def test_hostile_records_values_are_one_line_errors(
    published: HostileBlog, change: object, words: str
) -> None:
    data = records_view(published.records.read_text("utf-8"))
    text = json.dumps(change(data))  # type: ignore[operator]
    if words == "number":
        text = text.replace(f'"version": {data["version"]}', f'"version": {HUGE}')
    published.records.write_text(text, "utf-8")
    published.write("new.md", "---\ntitle: New\ndate: 2024-03-02\n---\nNew post.\n")
    for command in (["publish"], ["status"], ["check"]):
        result = published.cli(*command)
        if command == ["check"] or (command == ["status"] and "accounts" in words):
            continue  # check reads no records, status no account cache
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and words in errors[0], result.stderr
        assert "internal error" not in result.stderr


CONFIG = {
    "timeout-nan": ("timeout = 5.0", "timeout = nan", "timeout"),
    "timeout-negative": ("timeout = 5.0", "timeout = -1", "timeout"),
    "timeout-zero": ("timeout = 5.0", "timeout = 0", "timeout"),
    "timeout-huge": ("timeout = 5.0", f"timeout = {HUGE}", "timeout"),
    "read-lag-inf": ("[platforms.devto]\n", "[platforms.devto]\nread_lag = inf\n", "read_lag"),
    "site-url-newline": (
        'url = "https://blog.example.com"',
        'url = "https://blog.example.com\\n::error::x"',
        "site.url",
    ),
    "site-url-bad-ipv6": ('url = "https://blog.example.com"', 'url = "https://[::1"', "site.url"),
    "site-url-port-out-of-range": (
        'url = "https://blog.example.com"',
        'url = "https://blog.example.com:99999"',
        "site.url",
    ),
    "site-url-port-not-a-number": (
        'url = "https://blog.example.com"',
        'url = "https://blog.example.com:abc"',
        "site.url",
    ),
}


@pytest.mark.parametrize(("old", "new", "field"), CONFIG.values(), ids=list(CONFIG))
def test_hostile_config_values_are_one_line_errors(
    published: HostileBlog, old: str, new: str, field: str
) -> None:
    config = published.root / "crosspost.toml"
    text = config.read_text("utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), "utf-8")
    writes = len(published.writes())
    for command in (["publish"], ["check"]):
        result = published.cli(*command)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and field in errors[0], result.stderr
        assert "internal error" not in result.stderr
    assert len(published.writes()) == writes
