"""A copy deleted by hand on a platform (issue 14): a clear `gone` verdict in publish and in
status, with a way forward (re-create it with --force, or leave it gone), never a failure on
every run. Real answers: Forem PUT /articles/{id} → 404 {"error":"not found","status":404}
(api_v1.json); Mastodon PUT /api/v1/statuses/:id → 404 {"error":"Record not found"}
(mastodon/mastodon app/controllers/api/base_controller.rb); Hashnode updatePost → NOT_FOUND
(gql-skill/errors-and-limits.md)."""

from __future__ import annotations

import asyncio
import time
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
    time.sleep(sandbox.config.platforms[platform].read_lag or 0)  # a human, later than the lag

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


def refresh_and_write(sandbox, doc) -> Finding:
    """`crosspost status --refresh --write` for one post."""

    async def look() -> list[Finding]:
        with Records.open(sandbox.config.records) as records:
            findings = await refresh(
                [doc], config=sandbox.config, adapters=load_adapters(), records=records
            )
            apply(findings, records)
            return findings

    (finding,) = asyncio.run(look())
    return finding


def test_status_refresh_says_gone_and_write_records_it(sandbox_factory):
    sandbox = sandbox_factory(["devto"])
    fake = sandbox.fakes["devto"]
    doc = make_doc("refreshed")
    run_publish(sandbox.config, [doc])
    delete_by_hand(fake, doc.canonical_url)

    finding = refresh_and_write(sandbox, doc)
    assert finding.verdict is Verdict.GONE
    assert "--force" in finding.detail
    entry = Records.read(sandbox.config.records).get(doc.canonical_url, "devto")
    assert entry is not None and entry.state == "gone"
    report = run_publish(sandbox.config, [replace(doc, source_hash="sha256:9")])
    assert [r.status for r in report.results] == [Status.GONE]


# Read lag is not deletion. Hashnode's query results are edge-cached for about 25 s
# (NOTES.md §2, gql-skill/errors-and-limits.md), so a post created a moment ago is missing from
# its lists; the fake models it (`stale_seconds`). A new user's trial: create, then at once
# `status --refresh --write` recorded `gone`, and the suggested `--force` made a second copy.
LAGGED = 0.1  # Hashnode's 25 s read lag lasts 2.5 s here: room to act inside it


def lag_of(sandbox) -> float:
    return float(sandbox.config.platforms["hashnode"].read_lag or 0)


def test_a_refresh_inside_the_read_lag_waits_and_force_never_doubles(sandbox_factory):
    sandbox = sandbox_factory(["hashnode"], time_scale=LAGGED)
    fake = sandbox.fakes["hashnode"]
    doc = make_doc("fresh")
    assert run_publish(sandbox.config, [doc]).exit_code == 0
    published = Records.read(sandbox.config.records).get(doc.canonical_url, "hashnode")

    finding = refresh_and_write(sandbox, doc)  # the user's `status --refresh --write`
    assert finding.verdict is Verdict.WAIT, finding.detail
    assert "--force" not in finding.detail and not finding.writes
    assert Records.read(sandbox.config.records).get(doc.canonical_url, "hashnode") == published

    run_publish(sandbox.config, [doc], to=["hashnode"], force=True)  # the suggested --force
    assert len(fake.copies(doc.canonical_url)) == 1, "never twice"

    time.sleep(lag_of(sandbox))
    assert refresh_and_write(sandbox, doc).verdict is Verdict.OK


def test_force_on_a_gone_record_inside_the_read_lag_refuses_then_adopts(sandbox_factory):
    sandbox = sandbox_factory(["hashnode"], time_scale=LAGGED)
    fake = sandbox.fakes["hashnode"]
    doc = make_doc("recorded-gone")
    assert run_publish(sandbox.config, [doc]).exit_code == 0
    with Records.open(sandbox.config.records) as records:  # as an older crosspost left it
        entry = records.get(doc.canonical_url, "hashnode")
        assert entry is not None
        # No id: --force cannot read the copy by id (that read finds it at once, test_moves),
        # so the search decides, under the read-lag rule this test is about.
        gone = entry.evolve(state="gone", id=None)
        records.put(doc.canonical_url, "hashnode", gone, source=None)

    early = run_publish(sandbox.config, [doc], to=["hashnode"], force=True)
    (result,) = early.results
    assert result.status is Status.FAILED and "wait" in result.message, result.message
    assert early.exit_code == 1
    assert len(fake.copies(doc.canonical_url)) == 1, "never twice"
    still = Records.read(sandbox.config.records).get(doc.canonical_url, "hashnode")
    assert still is not None and still.state == "gone"

    time.sleep(lag_of(sandbox))
    later = run_publish(sandbox.config, [doc], to=["hashnode"], force=True)
    assert [r.status for r in later.results] == [Status.ADOPTED]
    assert len(fake.copies(doc.canonical_url)) == 1


def test_an_update_not_found_inside_the_read_lag_is_retried_later_not_gone(sandbox_factory):
    sandbox = sandbox_factory(["hashnode"], time_scale=LAGGED)
    fake = sandbox.fakes["hashnode"]
    doc = make_doc("young")
    assert run_publish(sandbox.config, [doc]).exit_code == 0
    delete_by_hand(fake, doc.canonical_url)

    edited = replace(doc, title="Young, edited", source_hash="sha256:young2")
    early = run_publish(sandbox.config, [edited])
    (result,) = early.results
    assert result.status is Status.FAILED and "again" in result.message, result.message
    assert early.exit_code == 1
    entry = Records.read(sandbox.config.records).get(doc.canonical_url, "hashnode")
    assert entry is not None and entry.state == "published"

    time.sleep(lag_of(sandbox))
    assert [r.status for r in run_publish(sandbox.config, [edited]).results] == [Status.GONE]


def test_a_refresh_never_calls_a_copy_gone_that_its_recorded_id_still_holds(
    sandbox_factory, tmp_path
):
    """The post's URL changed and its records were moved (`records move`, as the docs say
    after a slug change) before any publish: every copy still carries the old URL, so a search
    by the new one misses. `status --refresh` reads each copy by its recorded id and calls none
    of them gone, so `--write` and a following `publish --force` make no second copy; the next
    publish moves the copies to the new URL."""
    import json

    from crosspost.testing import sandbox_blog

    from ..blogs import crosspost_env, run_cli

    sandbox = sandbox_factory(PLATFORMS)
    root = sandbox_blog(tmp_path / "blog", sandbox)
    post = root / "posts" / "moving.md"
    post.parent.mkdir(parents=True)
    post.write_text("---\ntitle: Moving\ndate: 2024-03-01\n---\n\nText.\n", "utf-8")
    env = crosspost_env(sandbox)
    assert run_cli("publish", env=env, cwd=root).returncode == 0
    old, new = "https://blog.example.com/posts/moving/", "https://blog.example.com/posts/moved/"
    post.write_text(post.read_text("utf-8").replace("title: Moving", "title: Moving\nslug: moved"))
    assert run_cli("records", "move", old, new, env=env, cwd=root).returncode == 0

    refreshed = run_cli("status", "--refresh", "--json", env=env, cwd=root)
    assert refreshed.returncode == 0, refreshed.stderr
    verdicts = {row["platform"]: row["verdict"] for row in json.loads(refreshed.stdout)}
    assert verdicts == dict.fromkeys(PLATFORMS, "ok"), refreshed.stdout
    assert run_cli("status", "--refresh", "--write", env=env, cwd=root).returncode == 0

    forced = run_cli("publish", "--force", "--json", env=env, cwd=root)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    statuses = {r["platform"]: r["status"] for r in json.loads(forced.stdout)["results"]}
    assert statuses == dict.fromkeys(PLATFORMS, "updated"), forced.stdout
    for platform in PLATFORMS:
        fake = sandbox.fakes[platform]
        assert fake.copies(old) == [] and len(fake.copies(new)) == 1, platform
