"""The fault matrix: every platform fake × every fault, generated from two tables.

Each case copies the example blog (4 eligible posts), points it at a sandbox whose fakes accept
unique canary tokens, injects one fault into one platform (aimed at its creates, or at every
request for a refused connection), publishes in-process and then asks the fakes, not the
publisher, what happened: exactly one remote copy per (post, platform) (the Medium-style API,
which cannot be searched, ends an ambiguous create as `unknown` with at most the one copy the
fault let through), records that name those copies, the exit code and message the fault's class
calls for (`EXPECTED`), a second run that sends no request at all, and no canary anywhere.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from crosspost.adapter import load_adapters
from crosspost.api import collect
from crosspost.config import load_config
from crosspost.fake import FakePlatform, FaultKind
from crosspost.publisher import Publisher, Report, Status
from crosspost.records import Records
from crosspost.sandbox import Sandbox

from ..blogs import copy_example_blog, crosspost_env, run_cli
from ..canary import Canaries, exception_texts
from ..conftest import FAST_RETRIES, TIME_SCALE

PLATFORMS = ("devto", "hashnode", "medium", "mastodon", "bluesky")
ELIGIBLE_POSTS = 4  # examples/blog: 6 posts, one a draft, one dated before site.since

CREATES: Mapping[str, Mapping[str, str]] = {
    "devto": {"method": "POST", "path": r"/api/articles$"},
    "hashnode": {"method": "POST", "operation": "publishPost"},
    "medium": {"method": "POST", "path": r"/users/[^/]+/posts$"},
    "mastodon": {"method": "POST", "path": r"/api/v1/statuses$"},
    "bluesky": {"method": "POST", "path": r"/xrpc/com\.atproto\.repo\.putRecord$"},
}
"""How each platform's create request looks to its fake: where a create-aimed fault strikes."""

CLIENT_TIMEOUT = 1.0
"""The client timeout (seconds) of the faulted platform in hang cases; the fake hangs longer.
Short enough to keep the matrix fast, long enough that no honest answer on a loaded machine is
mistaken for a hang (which would flag a second Medium-style post)."""


class Outcome(Enum):
    """What crosspost must make of a fault (DESIGN §7)."""

    RETRIED = "the platform provably did not act: sent again, exit 0"
    AMBIGUOUS = "the platform may have acted: looked up (searchable) or flagged (Medium-style)"


@dataclass(frozen=True)
class FaultCase:
    """One column of the matrix: a fault, its parameters and what it must end as.

    `commits`: the fake carries the create out before failing (so a Medium-style account holds
    the one copy the run could not confirm). `only`: the platforms the fault exists on.
    `options`: extra keys for the faulted platform's [platforms.NAME] table.
    """

    id: str
    kind: FaultKind | None  # None: the connection is refused (`FakePlatform.refuse`)
    outcome: Outcome
    params: Mapping[str, Any] = field(default_factory=dict)
    commits: bool = False
    only: frozenset[str] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    targets_creates: bool = True

    def inject(self, fake: FakePlatform) -> Any:
        """Arm the fault on `fake`; returns what proves afterwards that it struck."""
        if self.kind is None:
            fake.refuse(self.params["seconds"])
            return None
        target = dict(CREATES[fake.name]) if self.targets_creates else {}
        return fake.inject(self.kind, **target, **self.params)


HANG = {"delay": CLIENT_TIMEOUT * 2.5}
TIMEOUT = {"timeout": CLIENT_TIMEOUT}

FAULTS: tuple[FaultCase, ...] = (
    # Refused for a moment: every request of the platform, its first ones included.
    FaultCase("connect-refused", None, Outcome.RETRIED, {"seconds": 0.08}, targets_creates=False),
    FaultCase("timeout-before-commit", "hang-before", Outcome.AMBIGUOUS, HANG, options=TIMEOUT),
    FaultCase(
        "timeout-after-commit", "hang-after", Outcome.AMBIGUOUS, HANG, commits=True, options=TIMEOUT
    ),
    FaultCase("reset-before-commit", "drop-before", Outcome.AMBIGUOUS),
    FaultCase("reset-after-commit", "drop-after", Outcome.AMBIGUOUS, commits=True),
    FaultCase("429-retry-after", "status", Outcome.RETRIED, {"status": 429, "retry_after": 0.02}),
    FaultCase("429-ratelimit-headers", "ratelimit-headers", Outcome.RETRIED, {"retry_after": 0.01}),
    FaultCase("500", "status", Outcome.AMBIGUOUS, {"status": 500}),
    FaultCase("502", "status", Outcome.AMBIGUOUS, {"status": 502}),
    FaultCase("503", "status", Outcome.AMBIGUOUS, {"status": 503, "retry_after": 0}),
    FaultCase("503-retry-after", "status", Outcome.RETRIED, {"status": 503, "retry_after": 0.02}),
    FaultCase("504", "status", Outcome.AMBIGUOUS, {"status": 504}),
    FaultCase("html-error-page", "html", Outcome.AMBIGUOUS, {"status": 502}),
    FaultCase("malformed-json", "malformed", Outcome.AMBIGUOUS, commits=True),
    FaultCase(
        "graphql-error-at-200",
        "graphql-error",
        Outcome.AMBIGUOUS,
        {"code": "INTERNAL_SERVER_ERROR"},
        only=frozenset({"hashnode"}),
    ),
    FaultCase(
        "slow-media",
        "slow-media",
        Outcome.RETRIED,
        {"delay": 0.3},
        only=frozenset({"mastodon"}),
        options={"upload_cover": True},
        targets_creates=False,
    ),
)

SEARCHABLE = {name for name, adapter in load_adapters().items() if adapter.capabilities.find}
"""Platforms whose posts can be looked up by canonical URL (all but the Medium-style API)."""

EXPECTED: Mapping[tuple[Outcome, bool], int] = {
    (Outcome.RETRIED, True): 0,  # sent again, created once
    (Outcome.RETRIED, False): 0,
    (Outcome.AMBIGUOUS, True): 0,  # looked up: adopted if there, else created
    (Outcome.AMBIGUOUS, False): 3,  # unknown: check by hand, then --force
}
"""Exit code of the first run by (what the fault means, can the platform be searched)."""


def _cases() -> Iterator[Any]:
    """Every platform a fault can happen on (a GraphQL error only exists on Hashnode, media
    processing only where media is uploaded): no generated case is a placeholder."""
    for case in FAULTS:
        for platform in PLATFORMS:
            if case.only is None or platform in case.only:
                yield pytest.param((platform, case), id=f"{platform}-{case.id}")


def expected_exit(platform: str, case: FaultCase) -> int:
    return EXPECTED[case.outcome, platform in SEARCHABLE]


def _with_options(root: Path, platform: str, options: Mapping[str, Any]) -> None:
    """Add `options` to [platforms.<platform>] of the blog's crosspost.toml."""
    config = root / "crosspost.toml"
    header = f"[platforms.{platform}]\n"
    text = config.read_text("utf-8")
    assert header in text
    before, table = text.split(header, 1)
    table, _, after = table.partition("\n[")
    kept = [line for line in table.splitlines() if line.split(" = ")[0] not in options]
    lines = [f"{key} = {json.dumps(value)}" for key, value in options.items()]
    rest = f"\n[{after}" if after else ""
    config.write_text(before + header + "\n".join(lines + kept) + "\n" + rest, "utf-8")


def _publish(root: Path) -> Report:
    config = load_config(root)
    sources, config = collect(config.content_dir, config)
    publisher = Publisher(config, adapters=load_adapters(), policy=FAST_RETRIES)
    return asyncio.run(publisher.run(sources))


def _requests(sandbox: Sandbox) -> int:
    return sum(len(fake.requests) for fake in sandbox.fakes.values())


def _describe(report: Report) -> str:
    return "\n".join(f"{r.platform} {r.status.value} {r.post}: {r.message}" for r in report.results)


def _texts(*reports: Report) -> list[str]:
    """Everything a user or a log could be shown about the results, errors in full."""
    results = [r for report in reports for r in report.results]
    errors = [r.error for r in results if r.error is not None]
    return [r.message for r in results] + [t for e in errors for t in exception_texts(e)]


@dataclass
class Scenario:
    """One matrix case on disk: the blog, its sandbox, the fault, and both runs' reports."""

    platform: str
    case: FaultCase
    root: Path
    sandbox: Sandbox
    canaries: Canaries

    @property
    def records_file(self) -> Path:
        return self.root / ".crosspost" / "records.json"

    def eligible(self, report: Report) -> list[str]:
        """The canonical URLs the run had work for (examples/blog: 4)."""
        return sorted(
            {r.canonical_url for r in report.results if r.canonical_url}
            - {r.canonical_url for r in report.with_status(Status.HELD)}
        )


@pytest.fixture
def scenario(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: Any
) -> Iterator[Scenario]:
    platform, case = request.param
    canaries = Canaries(PLATFORMS)
    with Sandbox(PLATFORMS, time_scale=TIME_SCALE, tokens=canaries.tokens) as sandbox:
        for name, value in sandbox.env.items():
            monkeypatch.setenv(name, value)
        root = copy_example_blog(tmp_path / "blog", sandbox)
        _with_options(root, platform, case.options)
        yield Scenario(platform, case, root, sandbox, canaries)


@pytest.mark.parametrize("scenario", list(_cases()), indirect=True)
def test_fault(scenario: Scenario) -> None:
    platform, case, sandbox = scenario.platform, scenario.case, scenario.sandbox
    with scenario.canaries.watching():
        fault = case.inject(sandbox.fakes[platform])
        first = _publish(scenario.root)
        before = _requests(sandbox)
        second = _publish(scenario.root)
    sent_again = _requests(sandbox) - before

    # The fault struck (an injected one is used up), so the run really went through it.
    assert fault is None or fault.times == 0, f"{case.id} never struck {platform}"
    exit_code = expected_exit(platform, case)
    assert first.exit_code == exit_code, _describe(first)
    urls = scenario.eligible(first)
    assert len(urls) == ELIGIBLE_POSTS, _describe(first)

    # Ask the fakes: one copy per (post, platform), and the records name exactly that copy.
    records = Records.read(scenario.records_file)
    flagged = {(r.canonical_url, r.platform) for r in first.needs_attention}
    for url in urls:
        for name in PLATFORMS:
            copies = sandbox.fakes[name].copies(url)
            entry = records.get(url, name)
            assert entry is not None, (url, name)
            if (url, name) in flagged:  # the documented exception: ambiguous, not searchable
                assert entry.state == "unknown", entry
                assert len(copies) == (1 if case.commits else 0), (name, url, copies)
                continue
            assert len(copies) == 1, f"{name} has {len(copies)} copies of {url}"
            assert entry.state == "published", (url, name, entry)
            assert entry.id == str(copies[0]["id"]), (url, name, entry, copies[0])

    if exit_code == 3:
        (result,) = first.needs_attention
        assert result.platform == platform
        assert "check the account" in result.message.lower(), result.message
        assert "--force" in result.message, result.message
    else:
        assert not flagged, _describe(first)
    if exit_code == 0 and case.commits:
        confirmed = [r for r in first.results if r.message == "created (confirmed by lookup)"]
        assert [r.platform for r in confirmed] == [platform], _describe(first)

    # The next run is a no-op: `unchanged` everywhere (the flag stays), not one request.
    assert sent_again == 0, f"the second run sent {sent_again} requests"
    statuses = {(r.platform, r.status) for r in second.results if r.status is not Status.HELD}
    expected = {(name, Status.UNCHANGED) for name in PLATFORMS}
    expected |= {(platform, Status.ATTENTION) for _, platform in flagged}
    assert statuses == expected, _describe(second)
    assert second.exit_code == exit_code

    scenario.canaries.assert_clean(_texts(first, second), [scenario.records_file])


def test_an_ambiguous_medium_create_through_the_cli(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    """What the user sees for the one case crosspost cannot settle: exit 3, one line saying
    what to check and `--force`, the same on the next run, which sends nothing."""
    canaries = Canaries(PLATFORMS)
    sandbox = sandbox_factory(PLATFORMS, tokens=canaries.tokens)
    root = copy_example_blog(tmp_path / "blog", sandbox)
    env = crosspost_env(sandbox)
    fault = sandbox.fakes["medium"].inject("drop-after", **CREATES["medium"])
    first = run_cli("publish", str(root), env=env)
    before = _requests(sandbox)
    again = run_cli("publish", str(root), env=env)
    assert fault.times == 0
    for result in (first, again):
        assert result.returncode == 3, result.stdout + result.stderr
        assert "needs attention" in result.stderr
        row = next(line for line in result.stdout.splitlines() if " attention " in line)
        assert "medium" in row and "check" in row.lower() and "--force" in row, row
        assert "Traceback" not in result.stderr
    assert _requests(sandbox) == before
    canaries.assert_clean([first.stdout, first.stderr, again.stdout, again.stderr])
