"""Hashnode, Mastodon and a CDN in front, as they really answer (issue 14).

Sources: Apollo Server answers a request it refuses before executing it (unparsable, invalid
against the schema, variables that fail coercion) with HTTP 400 and no `data`
(apollographql/apollo-server#7465: Apollo Server 3 and 4 with `status400WithErrorsAndNoData`;
#5091: coercion errors carry BAD_USER_INPUT). Mastodon: app/lib/rate_limiter.rb (`statuses`
family, 300 per 3 h per account), config/initializers/rack_attack.rb at commit 020228dd
(`throttle_api_media` 30 / 30 min; `throttle_password_change/account` 10 / 10 min counts every
PUT of a signed-in user on such servers, so status edits too), app/controllers/api/
base_controller.rb (404 `{"error":"Record not found"}`), errors localised by the request's
language (halcy/Mastodon.py tests/cassettes/test_lang_for_errors.yaml). Cloudflare: error 1010
"the owner of this website has banned your access based on your browser's signature", a 403
`text/plain` body "error code: 1010" (developers.cloudflare.com/support/troubleshooting/
http-status-codes/cloudflare-1xxx-errors/error-1010/).
"""

from __future__ import annotations

import httpx

from crosspost.adapters.hashnode import PUBLISH_POST
from crosspost.adapters.hashnode.fake import FakeHashnode
from crosspost.adapters.mastodon.fake import FakeMastodon
from crosspost.errors import AmbiguousError, EndpointError, RejectedError
from crosspost.fake import FakeResponse
from crosspost.publisher import Status
from crosspost.testing import run_publish
from crosspost.testing import sample_document as make_doc


def test_hashnode_answers_invalid_variables_with_http_400():
    with FakeHashnode(tokens=("k",)) as fake:
        answer = httpx.post(
            fake.settings()["api_url"],
            json={"query": PUBLISH_POST, "variables": {"input": {"title": 5}}},
            headers={"Authorization": "k"},
        )
        assert answer.status_code == 400
        body = answer.json()
        assert "data" not in body
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        invalid = httpx.post(
            fake.settings()["api_url"],
            json={"query": "{ nosuchfield }"},
            headers={"Authorization": "k"},
        )
        assert invalid.status_code == 400
        assert invalid.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_mastodon_counts_status_creates_and_edits_per_account(sandbox_factory):
    with FakeMastodon(tokens=("k",), status_limit=(2, 3600.0)) as fake:
        headers = {"Authorization": "Bearer k"}
        base = f"{fake.url}/api/v1/statuses"
        first = httpx.post(base, json={"status": "one"}, headers=headers)
        assert first.status_code == 200
        edit = httpx.put(f"{base}/{first.json()['id']}", json={"status": "1"}, headers=headers)
        assert edit.status_code == 200
        third = httpx.post(base, json={"status": "three"}, headers=headers)
        assert third.status_code == 429
        assert third.json() == {"error": "Too many requests"}
        assert third.headers["x-ratelimit-remaining"] == "0"
        assert third.headers["x-ratelimit-limit"] == "2", "the family's own limit"
        assert "retry-after" not in third.headers


def test_older_mastodon_throttles_every_put_at_10_per_10_minutes():
    with FakeMastodon(tokens=("k",), legacy_put_throttle=True) as fake:
        headers = {"Authorization": "Bearer k"}
        base = f"{fake.url}/api/v1/statuses"
        status = httpx.post(base, json={"status": "x"}, headers=headers).json()
        answers = [
            httpx.put(f"{base}/{status['id']}", json={"status": f"v{i}"}, headers=headers)
            for i in range(11)
        ]
        assert [a.status_code for a in answers] == [200] * 10 + [429]
        assert answers[-1].headers["x-ratelimit-limit"] == "10"


def test_mastodon_404_and_localised_errors():
    with FakeMastodon(tokens=("k",)) as fake:
        headers = {"Authorization": "Bearer k"}
        base = f"{fake.url}/api/v1/statuses"
        gone = httpx.put(f"{base}/1", json={"status": "x"}, headers=headers)
        assert gone.status_code == 404 and gone.json() == {"error": "Record not found"}
        german = httpx.post(
            base, json={"status": "", "lang": "de"}, headers={**headers, "Accept-Language": "de"}
        )
        assert german.status_code == 422
        assert german.json()["error"].startswith("Gültigkeitsprüfung ist fehlgeschlagen")


def test_a_localised_refusal_is_reported_in_the_platforms_words(sandbox_factory):
    sandbox = sandbox_factory(["devto", "mastodon"])
    fake = sandbox.fakes["mastodon"]
    run_publish(sandbox.config, [make_doc("first")])  # the adapter learns (and keeps) 500
    fake.language = "de"
    fake.max_characters = 10  # the server's limit changed since: it refuses, in German
    report = run_publish(sandbox.config, [make_doc("localised")])
    (toot,) = [r for r in report.results if r.platform == "mastodon"]
    assert toot.status is Status.FAILED
    assert isinstance(toot.error, RejectedError) and not isinstance(toot.error, AmbiguousError)
    assert "Zeichenlimit" in toot.message


def test_cloudflare_1010_is_named_as_a_block_not_a_bad_token(sandbox_factory):
    sandbox = sandbox_factory(["devto"])
    fake = sandbox.fakes["devto"]
    fake.inject("cloudflare-1010", method="POST")
    report = run_publish(sandbox.config, [make_doc("blocked")])
    (result,) = report.results
    assert result.status is Status.FAILED
    assert isinstance(result.error, EndpointError)
    assert "1010" in result.message and "Cloudflare" in result.message
    assert "token was refused" not in result.message


def test_the_fake_answers_cloudflare_1010_as_cloudflare_does():
    answer = FakeResponse.text(403, "error code: 1010")
    assert answer.headers["Content-Type"].startswith("text/plain")


def test_a_removed_cover_that_hashnode_keeps_is_reported(sandbox_factory):
    """UpdatePostInput.coverImage only sets a URL: the schema offers no way to remove a cover
    (../shared/specs/hashnode/schema.graphql, gql-skill/mutations.md), so a cover removed from
    the post stays on Hashnode, and the update says so instead of claiming success silently."""
    from dataclasses import replace

    from crosspost.document import Asset

    sandbox = sandbox_factory(["hashnode"])
    fake = sandbox.fakes["hashnode"]
    doc = make_doc("covered", cover=Asset(url="https://blog.example.com/cover.png"))
    run_publish(sandbox.config, [doc])
    report = run_publish(sandbox.config, [replace(doc, cover=None, source_hash="sha256:2")])
    (result,) = report.results
    assert result.status is Status.UPDATED
    assert "cover" in result.message and "Hashnode" in result.message
    assert fake.by_canonical(doc.canonical_url)[0]["coverImage"], "Hashnode kept it"
