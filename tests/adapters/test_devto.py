"""dev.to: rendering, and the whole engine end to end against the fake Forem over real sockets."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import replace

import pytest

from crosspost.adapter import AdapterContext, Payload
from crosspost.adapters.devto import DevTo, DevToSettings, forem_tag
from crosspost.adapters.devto.fake import FakeDevTo
from crosspost.config import Config
from crosspost.document import Asset, Document
from crosspost.http import PlatformClient
from crosspost.publisher import Status
from crosspost.records import Entry, Records
from crosspost.records_format import dump as dump_records
from crosspost.records_format import parse as parse_records
from crosspost.testing import run_publish
from crosspost.testing import sample_document as make_doc

from ..conftest import SPECS, needs_shared, recorded
from ..spec_check import FOREM_ERRATA, openapi_errors

FOREM_SPEC = SPECS / "forem" / "api_v1.json"


def render(doc: Document, *, draft: bool = False, tags: Mapping[str, str] | None = None) -> Payload:
    client = PlatformClient("devto", "https://dev.to/api")
    adapter = DevTo(DevToSettings(), AdapterContext(http=client, tags=tags or {}))
    return adapter.render(doc, draft=draft)


def test_forem_tags_are_lowercase_alphanumeric():
    assert forem_tag("Social Media") == "socialmedia"
    assert forem_tag("C++") == "c"
    assert forem_tag("Node.js") == "nodejs"
    assert forem_tag("日本語") == "日本語"
    assert forem_tag("!!!") is None


def test_render_maps_every_field():
    doc = make_doc(
        "fields",
        tags=("Social Media", "Growth", "Medium", "Python", "Extra"),
        cover=Asset(url="https://blog.example.com/cover.png"),
        series="Journey",
    )
    payload = render(doc)
    article = payload.body["article"]
    assert article["title"] == "Post fields"
    assert article["canonical_url"] == "https://blog.example.com/posts/fields/"
    assert article["main_image"] == "https://blog.example.com/cover.png"
    assert article["series"] == "Journey"
    assert article["published"] is True
    assert article["tags"] == ["socialmedia", "growth", "medium", "python"]
    assert any("at most 4 tags" in n.message and "extra" in n.message for n in payload.notices)


def test_render_draft_and_tag_table():
    payload = render(make_doc("d"), draft=True, tags={"social media": "social"})
    assert payload.body["article"]["published"] is False
    assert payload.body["article"]["tags"] == ["python", "social"]
    assert payload.draft


def test_body_can_never_carry_front_matter():
    """Forem reads a leading --- block as front matter overriding the JSON fields."""
    doc = make_doc("fm", body="---\ntitle: Injected\npublished: false\n---\nText\n")
    body = render(doc).body["article"]["body_markdown"]
    assert not body.startswith("---")
    assert body.startswith("***")


def test_long_title_is_shortened_with_a_notice():
    payload = render(make_doc("long", title="x" * 200))
    assert len(payload.body["article"]["title"]) == 128
    assert payload.notices


# --------------------------------------------------------------------------- end to end


@pytest.fixture
def devto(sandbox_factory):
    sandbox = sandbox_factory(["devto"])
    return sandbox, sandbox.fakes["devto"]


def test_publish_twice_is_one_article_and_unchanged_costs_no_request(devto):
    sandbox, fake = devto
    doc = make_doc("twice")
    first = run_publish(sandbox.config, [doc])
    assert [r.status for r in first.results] == [Status.CREATED]
    sent = len(fake.requests)
    second = run_publish(sandbox.config, [doc])
    assert [r.status for r in second.results] == [Status.UNCHANGED]
    assert len(fake.requests) == sent, "an unchanged post must cost no request"
    assert len(fake.by_canonical(doc.canonical_url)) == 1


def test_edit_updates_the_same_article_and_resends_tags(devto):
    sandbox, fake = devto
    doc = make_doc("edit")
    run_publish(sandbox.config, [doc])
    report = run_publish(sandbox.config, [replace(doc, body="New body\n", source_hash="sha256:2")])
    assert [r.status for r in report.results] == [Status.UPDATED]
    (article,) = fake.by_canonical(doc.canonical_url)
    assert article["body_markdown"] == "New body\n"
    assert article["tags"] == ["python", "socialmedia"]
    put = [r for r in fake.requests if r.method == "PUT"][-1]
    assert put.json()["article"]["tags"] == ["python", "socialmedia"]


def test_draft_then_live(devto):
    sandbox, fake = devto
    doc = make_doc("draft")
    run_publish(sandbox.config, [doc], draft=True)
    assert fake.by_canonical(doc.canonical_url)[0]["published"] is False
    report = run_publish(sandbox.config, [doc])
    assert [r.status for r in report.results] == [Status.UPDATED]
    assert fake.by_canonical(doc.canonical_url)[0]["published"] is True


def test_live_and_draft_are_recorded_from_forems_single_article_answers(devto):
    """Forem's create and update answers carry no `published` (only lists do): a live article
    must still be recorded live, or a later `--draft` run would take it for a draft and send
    `published: false`, unpublishing it."""
    sandbox, fake = devto
    doc = make_doc("recorded")

    def recorded_draft() -> bool | None:
        return recorded(Records.read(sandbox.config.records), doc.canonical_url, "devto").draft

    run_publish(sandbox.config, [doc], draft=True)
    assert recorded_draft() is True
    run_publish(sandbox.config, [doc])
    assert fake.by_canonical(doc.canonical_url)[0]["published"] is True
    assert recorded_draft() is False, "the update's answer says live by its timestamp"
    other = make_doc("born-live")
    run_publish(sandbox.config, [other])
    record = recorded(Records.read(sandbox.config.records), other.canonical_url, "devto")
    assert record.draft is False, "the create's answer says live by its timestamp"


def test_the_fake_answers_one_article_without_published_as_forem_does():
    with FakeDevTo(tokens=("k",), time_scale=0.001) as fake:
        import httpx

        base = fake.settings()["api_url"]
        headers = {"api-key": "k", "Accept": "application/vnd.forem.api-v1+json"}
        for published in (False, True):
            # a new title each time: Forem refuses the same title and body twice
            article = {"title": f"t{published}", "body_markdown": "b", "published": published}
            answer = httpx.post(f"{base}/articles", json={"article": article}, headers=headers)
            shown = answer.json()
            assert "published" not in shown
            assert bool(shown["published_timestamp"]) is published
        (listed, _) = httpx.get(f"{base}/articles/me/all", headers=headers).json()
        assert listed["published"] is False, "lists do say it (unpublished first)"


def test_a_draft_update_never_unpublishes_an_article_made_live_by_hand(devto):
    """`publish = "draft"` keeps sending drafts; the author published the article on dev.to in
    between. The records still say draft, but the update must not take it back."""
    sandbox, fake = devto
    doc = make_doc("hand-published")
    run_publish(sandbox.config, [doc], draft=True)
    (article,) = fake.by_canonical(doc.canonical_url)
    with fake.lock:  # what dev.to's "Publish" button does
        article["published"] = True
        article["published_at"] = article["published_timestamp"] = "2024-05-02T10:00:00Z"
    report = run_publish(sandbox.config, [replace(doc, body="Edited\n")], draft=True)
    assert [r.status for r in report.results] == [Status.UPDATED]
    (article,) = fake.by_canonical(doc.canonical_url)
    assert article["published"] is True and article["body_markdown"] == "Edited\n"
    put = [r for r in fake.requests if r.method == "PUT"][-1]
    assert "published" not in put.json()["article"]
    record = Records.read(sandbox.config.records).get(doc.canonical_url, "devto")
    assert record is not None and record.draft is False  # the answer says live: recorded live


def test_429_with_retry_after_waits_and_succeeds(devto):
    sandbox, fake = devto
    fake.inject("status", status=429, method="POST", retry_after=1)
    report = run_publish(sandbox.config, [make_doc("limited")])
    assert report.exit_code == 0
    assert len(fake.articles) == 1


def test_real_rate_limit_is_paced_not_bounced(devto):
    sandbox, fake = devto
    docs = [make_doc(f"bulk{i}") for i in range(25)]
    report = run_publish(sandbox.config, docs)
    assert report.exit_code == 0
    assert len(fake.articles) == 25
    assert fake.rate_limited == 0, "pacing should keep creates under 10 per window"


def test_503_then_success(devto):
    sandbox, fake = devto
    fake.inject("status", status=503, method="POST", retry_after=1)
    report = run_publish(sandbox.config, [make_doc("busy")])
    assert report.exit_code == 0
    assert len(fake.articles) == 1


def test_connection_refused_is_retried(devto):
    sandbox, fake = devto
    fake.refuse(0.1)
    report = run_publish(sandbox.config, [make_doc("refused")])
    assert report.exit_code == 0
    assert len(fake.articles) == 1


@pytest.mark.parametrize("refusal", [True, False], ids=["refusal-on", "refusal-off"])
@pytest.mark.parametrize("fault", ["drop-after", "hang-after", "malformed"])
def test_ambiguous_create_is_reconciled_never_duplicated(sandbox_factory, refusal, fault):
    sandbox = sandbox_factory(
        ["devto"], fake_options={"devto": {"refuse_duplicate_canonical": refusal}}
    )
    fake = sandbox.fakes["devto"]
    config = sandbox.config
    config = replace(
        config,
        platforms={"devto": replace(config.platforms["devto"], timeout=0.5)},
    )
    fake.inject(fault, method="POST", delay=1.0)
    doc = make_doc("ambiguous")
    report = run_publish(config, [doc])
    assert report.exit_code == 0, report.results
    assert len(fake.by_canonical(doc.canonical_url)) == 1
    again = run_publish(config, [doc])
    assert [r.status for r in again.results] == [Status.UNCHANGED]
    assert len(fake.by_canonical(doc.canonical_url)) == 1


def test_5xx_on_create_is_not_blindly_retried(devto):
    sandbox, fake = devto
    fake.inject("status", status=500, method="POST")
    doc = make_doc("five")
    report = run_publish(sandbox.config, [doc])
    posts = [r for r in fake.requests if r.method == "POST"]
    lookups = [r for r in fake.requests if r.path.endswith("/me/all")]
    assert lookups, "an ambiguous create is looked up before anything else"
    assert len(posts) == 2 and report.exit_code == 0
    assert len(fake.by_canonical(doc.canonical_url)) == 1


def test_crash_after_pending_is_reconciled_by_find(devto):
    """A run killed after the create was sent leaves `pending`; the next run adopts the post."""
    sandbox, fake = devto
    doc = make_doc("crashed")
    fake.refuse_duplicate_canonical = False
    run_publish(sandbox.config, [doc])
    with Records.open(sandbox.config.records) as records:
        records.put(doc.canonical_url, "devto", Entry("pending", key="k1"), source=None)
    report = run_publish(sandbox.config, [doc])
    assert [r.status for r in report.results] == [Status.ADOPTED]
    assert len(fake.by_canonical(doc.canonical_url)) == 1
    assert (
        recorded(Records.read(sandbox.config.records), doc.canonical_url, "devto").state
        == "published"
    )


def with_timeout(config: Config, seconds: float) -> Config:
    return replace(config, platforms={"devto": replace(config.platforms["devto"], timeout=seconds)})


def test_pending_that_never_reached_the_platform_is_created(devto):
    """A crashed run's create may still have been on its way: "not found" is believed only
    once the platform has had as long as the client would have waited (the request timeout)."""
    sandbox, fake = devto
    doc = make_doc("never-sent")
    with Records.open(sandbox.config.records) as records:
        records.put(doc.canonical_url, "devto", Entry("pending", key="k2"), source=None)
    started = time.monotonic()
    report = run_publish(with_timeout(sandbox.config, 0.5), [doc])
    assert time.monotonic() - started >= 0.45
    assert [r.status for r in report.results] == [Status.CREATED]
    assert len(fake.by_canonical(doc.canonical_url)) == 1


def test_a_create_still_running_when_the_client_gave_up_is_not_sent_again(devto):
    """The platform commits after the client's timeout (a slow server, no idempotency, no
    duplicate refusal): the lookup waits for it instead of racing it with a second create."""
    sandbox, fake = devto
    fake.refuse_duplicate_canonical = False
    fake.inject("latency", method="POST", delay=0.8)  # commits 0.3 s after the client gave up
    doc = make_doc("slow-commit")
    report = run_publish(with_timeout(sandbox.config, 0.5), [doc])
    assert report.exit_code == 0, report.results
    assert [r.status for r in report.results] == [Status.CREATED]
    assert len([r for r in fake.requests if r.method == "POST"]) == 1
    assert len(fake.by_canonical(doc.canonical_url)) == 1


def test_duplicate_canonical_refusal_adopts(devto):
    sandbox, fake = devto
    doc = make_doc("adopt")
    run_publish(sandbox.config, [doc])
    sandbox.config.records.unlink()
    report = run_publish(sandbox.config, [doc])
    assert [r.status for r in report.results] == [Status.ADOPTED]
    assert len(fake.by_canonical(doc.canonical_url)) == 1


def test_bad_token_is_a_clear_failure(devto):
    sandbox, fake = devto
    fake.tokens = {"something-else"}
    report = run_publish(sandbox.config, [make_doc("auth")])
    assert report.exit_code == 1
    (result,) = report.results
    assert "token was refused" in result.message and "CROSSPOST_DEVTO_TOKEN" in result.message
    assert not Records.read(sandbox.config.records).urls(), "a failed create leaves no record"


def test_validation_error_carries_forems_message(devto):
    sandbox, _ = devto
    report = run_publish(sandbox.config, [make_doc("t", title="   ")])
    (result,) = report.results
    assert result.status is Status.FAILED
    assert "Title can't be blank" in result.message


def test_corrupt_records_are_a_clear_error_and_untouched(devto):
    sandbox, fake = devto
    path = sandbox.config.records
    path.write_text('{"version": 1, "posts": {', "utf-8")
    from crosspost.errors import RecordsError

    with pytest.raises(RecordsError) as info:
        run_publish(sandbox.config, [make_doc("x")])
    assert "not valid JSON" in str(info.value) and str(path) in str(info.value)
    assert path.read_text("utf-8") == '{"version": 1, "posts": {'
    assert not fake.requests


def test_every_request_matches_the_forem_openapi(devto):
    needs_shared(FOREM_SPEC)
    sandbox, fake = devto
    doc = make_doc("contract", cover=Asset(url="https://blog.example.com/c.png"), series="S")
    run_publish(sandbox.config, [doc])
    run_publish(sandbox.config, [replace(doc, body="changed\n")])
    fake.inject("drop-after", method="POST")
    run_publish(sandbox.config, [make_doc("contract2")])
    assert {r.method for r in fake.requests} == {"POST", "PUT", "GET"}
    # The spec's `tags: string` is a doc bug; Forem's code takes an array (FOREM_ERRATA).
    assert openapi_errors(FOREM_SPEC, "https://dev.to", fake.requests, errata=FOREM_ERRATA) == []
    tagged = [r for r in fake.requests if r.method in ("POST", "PUT")]
    assert openapi_errors(FOREM_SPEC, "https://dev.to", tagged), "the erratum is still needed"


def test_records_file_is_sorted_and_diff_friendly(devto):
    sandbox, _ = devto
    run_publish(sandbox.config, [make_doc("b"), make_doc("a")])
    text = sandbox.config.records.read_text("utf-8")
    data = json.loads(text)
    assert list(data["posts"]) == sorted(data["posts"])
    post_lines = [line for line in text.splitlines() if line.startswith('"https://')]
    assert len(post_lines) == 2  # a line per post: a change to one is a one-line diff
    assert text.encode() == dump_records(parse_records(text.encode()))


def test_the_fake_speaks_forems_error_shapes():
    with FakeDevTo(tokens=("k",), time_scale=0.001) as fake:
        import httpx

        base = fake.settings()["api_url"]
        answer = httpx.post(f"{base}/articles", json={}, headers={"api-key": "bad"})
        assert answer.status_code == 401 and answer.json() == {
            "error": "unauthorized",
            "status": 401,
        }
        headers = {"api-key": "k", "Accept": "application/vnd.forem.api-v1+json"}
        answer = httpx.post(f"{base}/articles", json={}, headers=headers)
        assert answer.status_code == 422
        assert answer.json()["error"] == "param is missing or the value is empty: article"
        answer = httpx.post(
            f"{base}/articles",
            json={"article": {"title": "t", "tags": ["a", "b", "c", "d", "e"]}},
            headers=headers,
        )
        assert answer.json()["error"] == "Tag list exceed the maximum of 4 tags"
