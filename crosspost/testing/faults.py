"""The fault matrix: every fault a platform can have, injected into its fake, never a second copy.

Each case writes a blog (4 eligible posts, a draft, one too old), points it at a sandbox whose
fakes accept unique canary tokens, injects one fault into one platform (aimed at its creates,
`FakePlatform.create_route`, or at every request for a refused connection), publishes
in-process and then asks the fakes, not the publisher, what happened: exactly one remote copy
per (post, platform) (a platform that cannot be searched, `capabilities.find=False`, ends an
ambiguous create as `unknown` with at most the one copy the fault let through), records that
name those copies, the exit code and message the fault's class calls for (`EXPECTED`), a second
run that sends no request at all, and no canary anywhere.

`FaultMatrix` is the test class an adapter's tests subclass; the faults every HTTP API can have
apply to every platform, the others (`FaultCase.needs`) only to fakes that declare them in
`platform_faults`, so no generated case is a placeholder.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ..adapter import AdapterClass
from ..fake import FakePlatform, Fault, FaultKind
from ..publisher import Report, Status
from ..records import Records
from ..sandbox import Sandbox
from .blog import TIME_SCALE, describe, publish_blog, sandbox_blog, set_platform_options
from .canary import Canaries, exception_texts
from .registry import fake_of

__all__ = ["EXPECTED", "FAULTS", "FaultCase", "FaultMatrix", "Outcome", "fault_cases"]

CLIENT_TIMEOUT = 1.0
"""The client timeout (seconds) of the faulted platform in hang cases; the fake hangs longer.
Short enough to keep the matrix fast, long enough that no honest answer on a loaded machine is
mistaken for a hang (which would flag a second copy on a platform that cannot be searched)."""


class Outcome(Enum):
    """What crosspost must make of a fault (docs/architecture: never twice)."""

    RETRIED = "the platform provably did not act: sent again, exit 0"
    AMBIGUOUS = "the platform may have acted: looked up (searchable) or flagged (not searchable)"


@dataclass(frozen=True)
class FaultCase:
    """One column of the matrix: a fault, its parameters and what it must end as.

    `commits`: the fake carries the create out before failing (so an account that cannot be
    searched holds the one copy the run could not confirm). `needs`: the platform-specific fault
    kind a fake must declare in `platform_faults` for the case to exist on it (whose options are
    then set in the faulted platform's table). `options`: extra [platforms.NAME] keys.
    """

    id: str
    kind: FaultKind | None  # None: the connection is refused (`FakePlatform.refuse`)
    outcome: Outcome
    params: Mapping[str, Any] = field(default_factory=dict)
    commits: bool = False
    needs: FaultKind | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    targets_creates: bool = True

    def applies_to(self, fake: type[FakePlatform]) -> bool:
        return self.needs is None or self.needs in fake.platform_faults

    def platform_options(self, fake: type[FakePlatform]) -> dict[str, Any]:
        needed = fake.platform_faults.get(self.needs, {}) if self.needs else {}
        return {**needed, **self.options}

    def inject(self, fake: FakePlatform) -> Fault | None:
        """Arm the fault on `fake`; returns what proves afterwards that it struck."""
        if self.kind is None:
            fake.refuse(self.params["seconds"])
            return None
        route = fake.create_route
        target = route.params() if self.targets_creates and route is not None else {}
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
        needs="graphql-error",
    ),
    FaultCase(
        "slow-media",
        "slow-media",
        Outcome.RETRIED,
        {"delay": 0.3},
        needs="slow-media",
        targets_creates=False,
    ),
)

EXPECTED: Mapping[tuple[Outcome, bool], int] = {
    (Outcome.RETRIED, True): 0,  # sent again, created once
    (Outcome.RETRIED, False): 0,
    (Outcome.AMBIGUOUS, True): 0,  # looked up: adopted if there, else created
    (Outcome.AMBIGUOUS, False): 3,  # unknown: check by hand, then --force
}
"""Exit code of the first run by (what the fault means, can the platform be searched)."""


def fault_cases(adapter: AdapterClass) -> list[FaultCase]:
    """The cases of the matrix that exist on `adapter`'s platform."""
    fake = fake_of(adapter)
    return [case for case in FAULTS if case.applies_to(fake)]


@dataclass
class FaultScenario:
    """One matrix case on disk: the blog, its sandbox, the fault and the canaries."""

    adapter: AdapterClass
    case: FaultCase
    root: Path
    sandbox: Sandbox
    canaries: Canaries

    @property
    def platform(self) -> str:
        return self.adapter.name

    @property
    def records_file(self) -> Path:
        return self.root / ".crosspost" / "records.json"

    @property
    def expected_exit(self) -> int:
        return EXPECTED[self.case.outcome, self.adapter.capabilities.find]

    def requests(self) -> int:
        return sum(len(fake.requests) for fake in self.sandbox.fakes.values())


class FaultMatrix:
    """Subclass with `adapter = YourAdapter`: one test per fault the platform can have.

    `platforms`: every platform published in each case (default: the adapter's alone); with
    several, the others must come out of the fault untouched too. `eligible_posts` is how many
    posts `make_blog` gives the platforms work for; override `make_blog` to use your own blog.
    """

    adapter: ClassVar[AdapterClass]
    platforms: ClassVar[Sequence[str] | None] = None
    eligible_posts: ClassVar[int] = 4

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "fault_case" in metafunc.fixturenames:
            cases = fault_cases(self.adapter)
            metafunc.parametrize("fault_case", cases, ids=[c.id for c in cases])

    def make_blog(self, root: Path, sandbox: Sandbox) -> Path:
        """The blog each case publishes: `eligible_posts` posts plus two that stay held."""
        return sandbox_blog(root, sandbox, posts=self.eligible_posts, held=True)

    def published(self) -> list[str]:
        return list(self.platforms or [self.adapter.name])

    @pytest.fixture
    def fault_scenario(
        self, fault_case: FaultCase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[FaultScenario]:
        platforms = self.published()
        canaries = Canaries(platforms)
        with Sandbox(platforms, time_scale=TIME_SCALE, tokens=canaries.tokens) as sandbox:
            for name, value in sandbox.env.items():
                monkeypatch.setenv(name, value)
            root = self.make_blog(tmp_path / "blog", sandbox)
            options = fault_case.platform_options(fake_of(self.adapter))
            set_platform_options(root, self.adapter.name, options)
            yield FaultScenario(self.adapter, fault_case, root, sandbox, canaries)

    def test_fault(self, fault_scenario: FaultScenario) -> None:
        scenario = fault_scenario
        platform, case, sandbox = scenario.platform, scenario.case, scenario.sandbox
        with scenario.canaries.watching():
            fault = case.inject(sandbox.fakes[platform])
            first = publish_blog(scenario.root)
            before = scenario.requests()
            second = publish_blog(scenario.root)
        sent_again = scenario.requests() - before

        # The fault struck (an injected one is used up), so the run really went through it.
        assert fault is None or fault.times == 0, f"{case.id} never struck {platform}"
        exit_code = scenario.expected_exit
        assert first.exit_code == exit_code, describe(first)
        urls = _eligible(first)
        assert len(urls) == self.eligible_posts, describe(first)

        # Ask the fakes: one copy per (post, platform), and the records name exactly that copy.
        records = Records.read(scenario.records_file)
        flagged = {(r.canonical_url, r.platform) for r in first.needs_attention}
        for url in urls:
            for name, fake in sandbox.fakes.items():
                copies = fake.copies(url)
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
            assert not flagged, describe(first)
        if exit_code == 0 and case.commits:
            confirmed = [r for r in first.results if r.message == "created (confirmed by lookup)"]
            assert [r.platform for r in confirmed] == [platform], describe(first)

        # The next run is a no-op: `unchanged` everywhere (the flag stays), not one request.
        assert sent_again == 0, f"the second run sent {sent_again} requests"
        statuses = {(r.platform, r.status) for r in second.results if r.status is not Status.HELD}
        expected = {(name, Status.UNCHANGED) for name in sandbox.fakes}
        expected |= {(platform, Status.ATTENTION) for _, platform in flagged}
        assert statuses == expected, describe(second)
        assert second.exit_code == exit_code

        scenario.canaries.assert_clean(_texts(first, second), [scenario.records_file])


def _eligible(report: Report) -> list[str]:
    """The canonical URLs the run had work for."""
    return sorted(
        {r.canonical_url for r in report.results if r.canonical_url}
        - {r.canonical_url for r in report.with_status(Status.HELD)}
    )


def _texts(*reports: Report) -> list[str]:
    """Everything a user or a log could be shown about the results, errors in full."""
    results = [r for report in reports for r in report.results]
    errors = [r.error for r in results if r.error is not None]
    return [r.message for r in results] + [t for e in errors for t in exception_texts(e)]
