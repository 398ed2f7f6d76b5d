"""The adapter contract, checked against the adapter's own fake over real sockets.

`AdapterContract` is the test class an adapter's tests subclass (`adapter = YourAdapter`): every
check goes through crosspost's own engine (`Publisher`, records, retries) against the fake the
adapter names in `fake`, in a sandbox whose token is a canary. What a capability promises is
checked both ways: a platform that can update must update in place, one that cannot must report
the change as unsupported and send nothing; likewise for drafts and `find`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

import pytest

from ..adapter import AdapterClass, Listed, Listing, Payload
from ..config import Config, PlatformConfig, RateLimit
from ..credentials import env_var
from ..document import Document
from ..errors import AuthError
from ..fake import FakePlatform, FakeRequest
from ..lookups import HANDFUL
from ..platforms import Platforms
from ..publisher import Report, Status
from ..records import Entry, Records
from ..sandbox import Sandbox
from .blog import FAST_RETRIES, TIME_SCALE, describe, run_publish, sample_document
from .canary import Canaries, exception_texts
from .registry import conformance_problems

__all__ = ["AdapterContract", "PlatformUnderTest"]


@dataclass
class PlatformUnderTest:
    """The adapter's fake in a sandbox, a config for that platform alone, and its canary.

    `publish` runs the publisher in-process, watching the logs, and keeps every text a user
    could be shown, which the fixture checks for the canary when the test ends.
    """

    adapter: AdapterClass
    sandbox: Sandbox
    config: Config
    canaries: Canaries
    shown: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.adapter.name

    @property
    def fake(self) -> FakePlatform:
        return self.sandbox.fakes[self.name]

    def publish(self, *docs: Document, **options: Any) -> Report:
        with self.canaries.watching():
            report = run_publish(self.config, docs, **options)
        for result in report.results:
            self.shown.append(result.message)
            if result.error is not None:
                self.shown += exception_texts(result.error)
        return report

    def copies(self, doc: Document) -> list[dict[str, Any]]:
        return self.fake.copies(doc.canonical_url)

    def record(self, doc: Document) -> Entry | None:
        return Records.read(self.config.records).get(doc.canonical_url, self.name)

    def listing(self) -> tuple[list[Listed], Listing]:
        """Every post `list_posts` gives, and the adapter (built as a run builds it) whose
        `is_copy_of` matches them to posts (pure: usable after the run's clients closed)."""
        platforms = Platforms(self.config, {self.name: self.adapter})
        adapter = platforms.adapters(Records.read(self.config.records))[self.name]
        assert isinstance(adapter, Listing), f"{self.name} declares `lists` without list_posts"

        async def drain() -> list[Listed]:
            try:
                problem = await platforms.ready_one(self.name)
                assert problem is None, problem
                return [item async for item in adapter.list_posts()]
            finally:
                await platforms.close(None)

        return asyncio.run(drain()), adapter

    def render(self, doc: Document, *, draft: bool = False) -> Payload:
        """What the core would send for `doc`, rendered by an adapter built as a run builds it."""
        platforms = Platforms(self.config, {self.name: self.adapter})
        try:
            return platforms.adapters(Records.read(self.config.records))[self.name].render(
                doc, draft=draft
            )
        finally:
            asyncio.run(platforms.close(None))


class AdapterContract:
    """Subclass with `adapter = YourAdapter` to run the contract checks on it and its fake.

    `fake_options`: keyword arguments for the fake. Override `request_problems` to hold every
    request the adapter sent against the platform's published specification (OpenAPI, GraphQL
    schema...): return one line per request that does not conform. Override `document` to give
    the checks posts your platform takes (the default has a title, description, two tags and a
    code block).
    """

    adapter: ClassVar[AdapterClass]
    fake_options: ClassVar[Mapping[str, Any]] = {}

    def request_problems(self, requests: Sequence[FakeRequest]) -> list[str]:
        """Requests that do not match the platform's specification; none by default (the fake
        validates what it is sent)."""
        return []

    def document(self, slug: str, **fields: Any) -> Document:
        return sample_document(slug, **fields)

    @pytest.fixture
    def platform(self) -> Iterator[PlatformUnderTest]:
        name = self.adapter.name
        canaries = Canaries([name])
        with Sandbox(
            [name],
            time_scale=TIME_SCALE,
            tokens=canaries.tokens,
            fake_options={name: self.fake_options},
        ) as sandbox:
            under_test = PlatformUnderTest(
                self.adapter, sandbox, _alone(sandbox.config, self.adapter), canaries
            )
            yield under_test
            records = sandbox.folder / "records.json"
            canaries.assert_clean(under_test.shown, [records])
            problems = self.request_problems(list(sandbox.fakes[name].requests))
            assert not problems, "requests off the specification:\n" + "\n".join(problems)

    # ----------------------------------------------------------------- declarations

    def test_the_adapter_declares_a_fake_the_kit_can_drive(self) -> None:
        assert conformance_problems(self.adapter) == []

    def test_render_is_pure_json_and_token_free(self, platform: PlatformUnderTest) -> None:
        doc = self.document("render")
        payload = platform.render(doc)
        again = platform.render(doc)
        assert platform.fake.requests == [], "render must not send anything"
        assert payload.platform == platform.name
        assert payload.hash == again.hash, "the same post must render the same payload"
        text = json.dumps(payload.body, ensure_ascii=False, default=str)
        assert platform.canaries.tokens[platform.name] not in text
        if platform.adapter.capabilities.drafts:
            draft = platform.render(doc, draft=True)
            assert draft.draft and draft.hash != payload.hash

    def test_tags_beyond_the_platforms_limits_are_dropped_with_a_notice(
        self, platform: PlatformUnderTest
    ) -> None:
        capabilities = platform.adapter.capabilities
        most = capabilities.max_tags
        longest = capabilities.max_tag_length
        tags = [f"tag{n}" for n in range((most or 3) + 2)]
        if longest is not None:
            tags.append("t" * (longest + 1))
        payload = platform.render(self.document("tags", tags=tuple(tags)))
        notices = " ".join(n.message for n in payload.notices)
        assert (f"at most {most} tags" in notices) is (most is not None), notices
        assert (f"longer than {longest}" in notices) is (longest is not None), notices

    # ----------------------------------------------------------------- create, update, find

    def test_a_post_is_created_once_and_unchanged_costs_no_request(
        self, platform: PlatformUnderTest
    ) -> None:
        doc = self.document("once")
        first = platform.publish(doc)
        assert [r.status for r in first.results] == [Status.CREATED], describe(first)
        (copy,) = platform.copies(doc)
        entry = platform.record(doc)
        assert entry is not None and entry.state == "published", entry
        assert entry.id == str(copy["id"]), (entry, copy)
        sent = len(platform.fake.requests)
        second = platform.publish(doc)
        assert [r.status for r in second.results] == [Status.UNCHANGED], describe(second)
        assert len(platform.fake.requests) == sent, "an unchanged post must cost no request"

    def test_an_edit_updates_in_place_or_is_reported_unsupported(
        self, platform: PlatformUnderTest
    ) -> None:
        doc = self.document("edit")
        platform.publish(doc)
        before = platform.record(doc)
        sent = len(platform.fake.requests)
        edited = dataclasses.replace(
            doc,
            title=f"{doc.title}, edited",
            description=f"{doc.description}, edited",
            body="An edited body.\n",
            source_hash="sha256:edited",
        )
        report = platform.publish(edited)
        (copy,) = platform.copies(doc)
        after = platform.record(doc)
        assert before is not None and after is not None
        if platform.adapter.capabilities.update:
            assert [r.status for r in report.results] == [Status.UPDATED], describe(report)
            assert after.id == before.id == str(copy["id"])
            assert after.hash != before.hash
        else:
            assert [r.status for r in report.results] == [Status.UNSUPPORTED], describe(report)
            assert len(platform.fake.requests) == sent, "an unsupported edit sends nothing"
            assert after.hash == before.hash

    def test_a_draft_run_makes_a_draft_or_holds_the_post(self, platform: PlatformUnderTest) -> None:
        doc = self.document("draft")
        report = platform.publish(doc, draft=True)
        if not platform.adapter.capabilities.drafts:
            assert [r.status for r in report.results] == [Status.HELD], describe(report)
            assert platform.copies(doc) == [] and platform.fake.requests == []
            return
        assert [r.status for r in report.results] == [Status.CREATED], describe(report)
        assert len(platform.copies(doc)) == 1
        entry = platform.record(doc)
        assert entry is not None and entry.draft, entry
        live = platform.publish(doc)
        expected = Status.UPDATED if platform.adapter.capabilities.update else Status.UNSUPPORTED
        assert [r.status for r in live.results] == [expected], describe(live)
        assert len(platform.copies(doc)) == 1

    def test_an_interrupted_create_is_found_or_flagged_never_repeated(
        self, platform: PlatformUnderTest
    ) -> None:
        """A run killed after sending a create leaves `pending`; the next run must find the
        copy (searchable platforms) or flag it for a human, never create a second one."""
        doc = self.document("interrupted")
        platform.publish(doc)
        created = platform.record(doc)
        assert created is not None
        with Records.open(platform.config.records) as records:
            # As the killed run left it: sent when the copy was made (lists may still lag).
            pending = Entry("pending", key="interrupted-key", at=created.at)
            records.put(doc.canonical_url, platform.name, pending, source=None)
        report = platform.publish(doc)
        (copy,) = platform.copies(doc)
        entry = platform.record(doc)
        assert entry is not None
        if platform.adapter.capabilities.find:
            assert [r.status for r in report.results] == [Status.ADOPTED], describe(report)
            assert entry.state == "published" and entry.id == str(copy["id"]), entry
        else:
            assert [r.status for r in report.results] == [Status.ATTENTION], describe(report)
            assert report.exit_code == 3 and entry.state == "unknown", entry

    def test_many_lost_records_are_settled_by_one_listing_or_one_find_each(
        self, platform: PlatformUnderTest
    ) -> None:
        """More than a handful of posts whose records were lost, published with
        `--verify-new`: each is adopted (from one listing where `capabilities.lists`), never
        created twice. A platform that lists must list every post `find` finds, under its
        canonical URL, recognised by `is_copy_of`; one that cannot be searched cannot list."""
        caps = platform.adapter.capabilities
        if not caps.find:
            assert not caps.lists, "a listing is a search: `lists` needs `find`"
            return
        docs = [self.document(f"lost-{n}") for n in range(HANDFUL + 1)]
        platform.publish(*docs)
        recorded = [platform.record(doc) for doc in docs]
        time.sleep(platform.config.platforms[platform.name].read_lag or 0.0)  # lists lag writes
        if caps.lists:
            listed, adapter = platform.listing()
            for doc, entry in zip(docs, recorded, strict=True):
                assert entry is not None
                mine = [item.post.id for item in listed if adapter.is_copy_of(doc, item)]
                assert mine == [entry.id], (doc.canonical_url, mine, entry)
        platform.config.records.unlink()
        report = platform.publish(*docs, verify_new=True)
        assert {r.status for r in report.results} == {Status.ADOPTED}, describe(report)
        assert all(len(platform.copies(doc)) == 1 for doc in docs)

    def test_a_burst_of_posts_is_paced_and_each_published_once(
        self, platform: PlatformUnderTest
    ) -> None:
        """More posts than the tightest declared limit allows in one window (at most 12, which
        is past dev.to's 10 creates per 30 s): paced or retried, never bounced or doubled; past
        a limit whose window outlasts the run (a daily cap), deferred without a request."""
        limits = [
            RateLimit.parse(op, text) for op, text in platform.adapter.capabilities.limits.items()
        ]
        tightest = min(limits, key=lambda limit: limit.count, default=None)
        burst = min(11, tightest.count) if tightest else 11
        docs = [self.document(f"burst-{n}") for n in range(burst + 1)]
        report = platform.publish(*docs)
        assert report.exit_code == 0, describe(report)
        if (
            tightest is not None
            and tightest.count <= burst  # the burst outgrows the window...
            and tightest.per * TIME_SCALE > FAST_RETRIES.deadline  # ...which outlasts the run
        ):
            # A window longer than a run waits (Medium's 10 posts a day) is not slept through:
            # the rest is deferred to the next run, without a request. (A long window the burst
            # stays within, such as Bluesky's 2,500 writes an hour, is simply not met.)
            statuses = [r.status for r in report.results]
            assert statuses.count(Status.CREATED) == burst, describe(report)
            assert statuses.count(Status.DEFERRED) == 1, describe(report)
            assert sum(len(platform.copies(doc)) for doc in docs) == burst
            return
        assert {r.status for r in report.results} == {Status.CREATED}, describe(report)
        assert all(len(platform.copies(doc)) == 1 for doc in docs)

    # ----------------------------------------------------------------- tokens

    def test_a_refused_token_is_a_clear_failure_naming_its_variable(
        self, platform: PlatformUnderTest
    ) -> None:
        platform.fake.tokens = {"some-other-token"}
        doc = self.document("refused")
        report = platform.publish(doc)
        (result,) = report.results
        assert result.status is Status.FAILED and report.exit_code == 1, describe(report)
        assert isinstance(result.error, AuthError), result.error
        assert env_var(platform.name) in result.message, result.message
        assert platform.copies(doc) == []
        entry = platform.record(doc)
        assert entry is None or entry.state != "published", entry

    def test_a_platform_quoting_the_token_in_its_error_never_leaks_it(
        self, platform: PlatformUnderTest
    ) -> None:
        """A careless platform or proxy that quotes the refused credentials: the error's str,
        repr and traceback, the report, the records and the logs stay clean (fixture)."""
        fake = platform.fake
        fake.inject("echo-token", status=401, times=None)
        report = platform.publish(self.document("echo"))
        (result,) = report.results
        assert result.status is Status.FAILED, describe(report)
        assert isinstance(result.error, AuthError), result.error
        assert "***" in result.message, "the quoted token is masked, not dropped silently"
        token = platform.canaries.tokens[platform.name]
        sent = [fake.echoed(request) for request in fake.requests]  # headers, or a body
        assert any(token in quoted for quoted in sent), "the fake was sent the token to quote"


def _alone(config: Config, adapter: AdapterClass) -> Config:
    """The sandbox's config for this platform; one that announces others' copies posts
    without waiting for them, since it is published alone."""
    if not adapter.capabilities.announces:
        return config
    pc = config.platforms.get(adapter.name) or PlatformConfig(adapter.name)
    platforms = {adapter.name: dataclasses.replace(pc, after="none")}
    return dataclasses.replace(config, platforms=MappingProxyType(platforms))
