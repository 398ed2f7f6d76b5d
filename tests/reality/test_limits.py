"""Limits that outlast a run (issue 14): Medium's daily publishing cap and any rate-limit reset
further away than the retry deadline defer the platform's remaining posts to the next run with
one clear line, instead of a retry storm and a failure per post.

Medium: 429 "User has reached the rate limit for publishing today." after 10 posts, reset 24 h
after the first (Medium/medium-api-docs#105, a Medium engineer's answer; #28, #10).
"""

from __future__ import annotations

import time

from crosspost.publisher import Status
from crosspost.records import Records
from crosspost.testing import FAST_RETRIES, run_publish
from crosspost.testing import sample_document as make_doc


def test_medium_daily_cap_defers_the_rest_to_the_next_run(sandbox_factory):
    # a "day" of 0.5 s once scaled (tests run the fakes at 1 % of real time)
    sandbox = sandbox_factory(["medium"], fake_options={"medium": {"daily_limit": (2, 50.0)}})
    fake = sandbox.fakes["medium"]
    docs = [make_doc(f"daily{i}") for i in range(5)]
    report = run_publish(sandbox.config, docs)
    statuses = [r.status for r in report.results]
    assert statuses.count(Status.CREATED) == 2
    assert statuses.count(Status.DEFERRED) == 3
    assert report.exit_code == 0, "the rest go out on the next run: not a failure"
    posts = [r for r in fake.requests if r.method == "POST"]
    assert len(posts) == 3, "one refused create, then no more requests: no retry storm"
    explained = [r for r in report.results if "publishing today" in r.message]
    assert len(explained) == 1 and "next run" in explained[0].message
    records = Records.read(sandbox.config.records)
    deferred = [r for r in report.results if r.status is Status.DEFERRED]
    assert all(
        r.canonical_url is not None and records.get(r.canonical_url, "medium") is None
        for r in deferred
    )

    time.sleep(0.6)  # the day is over
    again = run_publish(sandbox.config, docs)
    outcomes = sorted(r.status.value for r in again.results)
    assert outcomes == ["created", "created", "deferred", "unchanged", "unchanged"]
    assert len(fake.posts) == 4


def test_a_reset_beyond_the_retry_deadline_defers_instead_of_failing_each(sandbox_factory):
    sandbox = sandbox_factory(["devto"])
    fake = sandbox.fakes["devto"]
    fake.inject("status", status=429, method="POST", retry_after=3 * FAST_RETRIES.deadline)
    docs = [make_doc(f"later{i}") for i in range(3)]
    report = run_publish(sandbox.config, docs)
    assert [r.status for r in report.results] == [Status.DEFERRED] * 3
    assert report.exit_code == 0
    assert len([r for r in fake.requests if r.method == "POST"]) == 1
    (first, *rest) = report.results
    assert "next run" in first.message and "rate limit" in first.message
    assert all("deferred" in r.message for r in rest)
    assert not fake.articles


def test_a_short_retry_after_is_still_waited_for(sandbox_factory):
    sandbox = sandbox_factory(["devto"])
    fake = sandbox.fakes["devto"]
    fake.inject("status", status=429, method="POST", retry_after=0.05)
    report = run_publish(sandbox.config, [make_doc("soon")])
    assert [r.status for r in report.results] == [Status.CREATED]


def test_a_declared_limit_that_outlasts_the_run_defers_without_asking():
    """Medium's 10 a day, declared as `create = "10/24h"`: the 11th create of a run is not
    slept through (nor sent to be refused); it is deferred before any request."""
    import asyncio

    import httpx

    from crosspost.config import RateLimit
    from crosspost.errors import DeferredError
    from crosspost.http import Pacer, PlatformClient

    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(201, json={"data": {"id": str(len(sent))}})

    async def run() -> str:
        client = PlatformClient(
            "medium",
            "https://api.medium.com/v1",
            transport=httpx.MockTransport(answer),
            pacer=Pacer([RateLimit.parse("create", "2/24h")]),
            policy=FAST_RETRIES,
        )
        async with client:
            for _ in range(2):
                await client.request("POST", "/posts", op="create", json={})
            try:
                await client.request("POST", "/posts", op="create", json={})
            except DeferredError as exc:
                return str(exc)
        return "not deferred"

    said = asyncio.run(run())
    assert "next run" in said and "resets in 24" in said
    assert len(sent) == 2, "the third create was never sent"
