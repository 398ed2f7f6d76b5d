"""A copy deleted by hand on a platform (issue 14): a clear `gone` verdict in publish and in
status, with a way forward (re-create it with --force, or leave it gone), never a failure on
every run. Real answers: Forem PUT /articles/{id} → 404 {"error":"not found","status":404}
(api_v1.json); Mastodon PUT /api/v1/statuses/:id → 404 {"error":"Record not found"}
(mastodon/mastodon app/controllers/api/base_controller.rb); Hashnode updatePost → NOT_FOUND
(gql-skill/errors-and-limits.md)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from crosspost.adapter import load_adapters
from crosspost.publisher import Status
from crosspost.records import Records
from crosspost.status import Finding, Verdict, apply, refresh
from crosspost.testing import run_publish
from crosspost.testing import sample_document as make_doc

PLATFORMS = ["devto", "hashnode", "mastodon"]


def delete_by_hand(fake, url: str) -> None:
    """What the platform's own "Delete" button does."""
    with fake.lock:
        if fake.name == "devto":
            fake.articles[:] = [a for a in fake.articles if a not in fake.by_canonical(url)]
        elif fake.name == "hashnode":
            for post in fake.by_canonical(url):
                del fake.posts[post["id"]]
        else:
            fake.statuses[:] = [s for s in fake.statuses if s not in fake.copies(url)]
    assert fake.copies(url) == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_update_of_a_deleted_copy_is_gone_then_left_alone_then_recreated_on_force(
    sandbox_factory, platform
):
    sandbox = sandbox_factory(PLATFORMS)
    fake = sandbox.fakes[platform]
    doc = make_doc("deleted")
    assert run_publish(sandbox.config, [doc]).exit_code == 0
    delete_by_hand(fake, doc.canonical_url)

    edited = replace(doc, title="Post deleted, edited", source_hash="sha256:2")
    report = run_publish(sandbox.config, [edited])
    (result,) = [r for r in report.results if r.platform == platform]
    assert result.status is Status.GONE
    assert "deleted" in result.message and "--force" in result.message
    assert report.exit_code == 0, "a verdict, not a failure"
    entry = Records.read(sandbox.config.records).get(doc.canonical_url, platform)
    assert entry is not None and entry.state == "gone"

    sent = len(fake.requests)
    again = run_publish(sandbox.config, [replace(edited, source_hash="sha256:3")])
    (result,) = [r for r in again.results if r.platform == platform]
    assert result.status is Status.GONE and "--force" in result.message
    assert len(fake.requests) == sent, "a copy known to be gone costs no request"

    forced = run_publish(sandbox.config, [edited], to=[platform], force=True)
    assert [r.status for r in forced.results] == [Status.CREATED]
    assert len(fake.copies(doc.canonical_url)) == 1
    entry = Records.read(sandbox.config.records).get(doc.canonical_url, platform)
    assert entry is not None and entry.state == "published"


def test_status_refresh_says_gone_and_write_records_it(sandbox_factory):
    sandbox = sandbox_factory(["devto"])
    fake = sandbox.fakes["devto"]
    doc = make_doc("refreshed")
    run_publish(sandbox.config, [doc])
    delete_by_hand(fake, doc.canonical_url)

    async def look() -> list[Finding]:
        with Records.open(sandbox.config.records) as records:
            findings = await refresh(
                [doc], config=sandbox.config, adapters=load_adapters(), records=records
            )
            apply(findings, records)
            return findings

    (finding,) = asyncio.run(look())
    assert finding.verdict is Verdict.GONE
    assert "--force" in finding.detail
    entry = Records.read(sandbox.config.records).get(doc.canonical_url, "devto")
    assert entry is not None and entry.state == "gone"
    report = run_publish(sandbox.config, [replace(doc, source_hash="sha256:9")])
    assert [r.status for r in report.results] == [Status.GONE]
