"""Real recorded answers of dev.to (Forem), Hashnode, Medium and Mastodon, replayed over a real
socket through the real adapters (issue 14). Each fixture names its source; see replayer.py."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from crosspost import errors
from crosspost.adapter import AdapterContext, load_adapters
from crosspost.credentials import Secret
from crosspost.document import RemotePost
from crosspost.http import PlatformClient
from crosspost.testing import FAST_RETRIES
from crosspost.testing import sample_document as make_doc

from .replayer import ReplayServer, fixtures, load

PLATFORMS = {"devto", "hashnode", "medium", "mastodon"}


def test_every_platform_has_replayed_recordings():
    assert {path.parent.name for path in fixtures()} == PLATFORMS


@pytest.mark.parametrize("path", fixtures(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_replay(path: Path) -> None:
    fixture = load(path)
    platform = path.parent.name
    with ReplayServer() as server:
        asyncio.run(_drive(server, platform, fixture))
        assert server.problems == []
        assert not server.queue, f"recorded answers never asked for: {list(server.queue)}"


async def _drive(server: ReplayServer, platform: str, fixture: dict[str, Any]) -> None:
    cls: Any = load_adapters()[platform]
    settings = cls.Settings(**_at(fixture["settings"], server.url))
    client = PlatformClient(
        platform,
        settings.base_url,
        token=Secret("replay-token"),
        auth_header=cls.auth_header,
        auth_scheme=cls.auth_scheme,
        headers=cls.default_headers,
        policy=FAST_RETRIES,
        timeout=5.0,
    )
    async with client:
        context = AdapterContext(http=client, cache=_at(fixture.get("cache") or {}, server.url))
        adapter = cls(settings, context)
        for step in fixture["steps"]:
            server.expect(step["interactions"])
            await _step(adapter, step)


def _at(value: Any, url: str) -> Any:
    """`value` with every `{url}` in its strings pointing at the replay server."""
    if isinstance(value, dict):
        return {k: _at(v, url) for k, v in value.items()}
    return value.replace("{url}", url) if isinstance(value, str) else value


async def _step(adapter: Any, step: dict[str, Any]) -> None:
    expect = step["expect"]
    outcome = await _call(adapter, step)
    if isinstance(outcome, errors.CrosspostError):
        wanted = getattr(errors, expect.get("raises", "CrosspostError"))
        exact = type(outcome) is wanted
        assert exact or (expect.get("or_subclass") and isinstance(outcome, wanted)), (
            f"{step['call']} raised {type(outcome).__name__}: {outcome}"
        )
        said = str(outcome)
        assert all(words in said for words in expect.get("says", [])), said
        assert not any(words in said for words in expect.get("never_says", [])), said
        return
    assert "raises" not in expect, f"{step['call']} should have raised {expect['raises']}"
    if expect.get("found") is False:
        assert outcome is None
        return
    assert outcome is not None
    assert outcome.id == expect["id"]
    if "url" in expect:
        assert outcome.url == expect["url"]
    if "draft" in expect:
        assert outcome.draft is expect["draft"]


async def _call(adapter: Any, step: dict[str, Any]) -> RemotePost | errors.CrosspostError | None:
    """The step's adapter call, as the publisher makes it; its error returned, not raised."""
    doc = make_doc(**step.get("doc", {"slug": "replayed"}))
    payload = adapter.render(doc, draft=step.get("draft", False))
    try:
        if step.get("prepare"):  # what the publisher does first (Medium: GET /me for the id)
            await adapter.prepare()
        if step["call"] == "create":
            result: RemotePost | None = await adapter.create(payload, key="replay-key")
        elif step["call"] == "update":
            result = await adapter.update(RemotePost(**step["remote"]), payload)
        else:
            result = await adapter.find(doc)
    except errors.CrosspostError as exc:
        return exc
    return result
