"""Replays recorded answers of the real platforms over a real socket on 127.0.0.1.

A fixture (`fixtures/<platform>/*.json`) names its `source` (repository, path, commit, or the
page it was transcribed from) and lists `steps`: an adapter call (`create`, `update` or `find`)
on a post, the interactions it must cause (each request's method and path, optionally a subset
of its JSON body; the response as recorded: status, headers, body) and what the adapter must make
of them (the remote id and URL, or the crosspost error class and words). The server answers only
what the recording says, in order; any other request is a test failure, so the replay checks the
requests the real adapters send as much as what they make of the answers.
"""

from __future__ import annotations

import json
import time
from collections import deque
from pathlib import Path
from typing import Any, ClassVar

from crosspost.fake import FakePlatform, FakeRequest, FakeResponse

FIXTURES = Path(__file__).parent / "fixtures"


def fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("*/*.json"))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    source = data.get("source") or {}
    assert source.get("repo") or source.get("url"), f"{path.name} must name its source"
    return data


class ReplayServer(FakePlatform):
    """Answers the queued interactions in order and records every request it saw."""

    name: ClassVar[str] = "replay"

    def __init__(self) -> None:
        super().__init__(tokens=("replay-token",))
        self.queue: deque[dict[str, Any]] = deque()
        self.problems: list[str] = []

    def expect(self, interactions: list[dict[str, Any]]) -> None:
        with self.lock:
            self.queue.extend(interactions)

    def handle(self, request: FakeRequest) -> FakeResponse:
        with self.lock:
            if not self.queue:
                self.problems.append(f"unexpected {request.method} {request.path}")
                return FakeResponse.json(599, {"error": "not in the recording"})
            step = self.queue.popleft()
        wanted = step["request"]
        seen = f"{request.method} {request.path}"
        if seen != f"{wanted['method']} {wanted['path']}":
            self.problems.append(f"expected {wanted['method']} {wanted['path']}, got {seen}")
        if "json" in wanted:
            problem = _subset_problem(wanted["json"], request.json(), "body")
            if problem:
                self.problems.append(f"{seen}: {problem}")
        return _response(step["response"])


def _response(recorded: dict[str, Any]) -> FakeResponse:
    """The recorded answer; a header written `{soon}` (a rate-limit reset, recorded as an
    absolute time long past) is set to a moment just ahead, as the server would answer now."""
    soon = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() + 1))
    headers = {
        name: soon if value == "{soon}" else value
        for name, value in (recorded.get("headers") or {}).items()
    }
    if "json" in recorded:
        body = json.dumps(recorded["json"], ensure_ascii=False).encode("utf-8")
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
    else:
        body = str(recorded.get("body", "")).encode("utf-8")
    return FakeResponse(int(recorded["status"]), body, headers)


def _subset_problem(wanted: Any, got: Any, where: str) -> str | None:
    """Where `got` differs from `wanted` on the keys `wanted` names (recursively)."""
    if isinstance(wanted, dict):
        if not isinstance(got, dict):
            return f"{where} is {got!r}, expected an object"
        for key, value in wanted.items():
            if key not in got:
                return f"{where}.{key} is missing"
            problem = _subset_problem(value, got[key], f"{where}.{key}")
            if problem:
                return problem
        return None
    return None if wanted == got else f"{where} is {got!r}, expected {wanted!r}"
