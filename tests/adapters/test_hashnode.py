"""Hashnode: rendering, the whole engine end to end against the fake gql-beta API over real
sockets (faults, stale reads, the Pro gate, the retired endpoint), and the contract: every query
the adapter sent validates against the published schema."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import httpx
import pytest
from graphql import build_schema, parse, validate

from crosspost.adapter import AdapterContext
from crosspost.adapters.hashnode import (
    MAX_SUBTITLE,
    PUBLISH_DRAFT,
    PUBLISH_POST,
    Hashnode,
    HashnodeSettings,
    hashnode_slug,
)
from crosspost.adapters.hashnode.fake import PRO_REQUIRED, SCHEMA_FILE, FakeHashnode
from crosspost.config import Config
from crosspost.document import Asset
from crosspost.errors import (
    AmbiguousError,
    ConfigError,
    ContentError,
    EndpointError,
    GoneError,
)
from crosspost.fake import FakeRequest
from crosspost.http import PlatformClient
from crosspost.publisher import Status
from crosspost.records import Entry, Records
from crosspost.tables import build_settings
from crosspost.testing import run_publish
from crosspost.testing import sample_document as make_doc

from ..conftest import SPECS, needs_shared, recorded

SHARED_SCHEMA = SPECS / "hashnode" / "schema.graphql"
SENT: list[FakeRequest] = []
"""Every request any fake in this module received, for the contract test."""


def adapter(*, tags: dict[str, str] | None = None, **settings: Any) -> Hashnode:
    client = PlatformClient("hashnode", "https://gql-beta.hashnode.com/")
    options = {"publication": "blog.hashnode.dev", **settings}
    return Hashnode(HashnodeSettings(**options), AdapterContext(http=client, tags=tags or {}))


def with_options(config: Config, **options: Any) -> Config:
    pc = config.platforms["hashnode"]
    timeout = options.pop("timeout", pc.timeout)
    read_lag = options.pop("read_lag", pc.read_lag)
    pc = replace(pc, options={**pc.options, **options}, timeout=timeout, read_lag=read_lag)
    return replace(config, platforms={"hashnode": pc})


# --------------------------------------------------------------------------- render


def test_tag_slugs():
    assert hashnode_slug("Social Media") == "social-media"
    assert hashnode_slug("Node.js") == "node-js"
    assert hashnode_slug("C++") == "c"
    assert hashnode_slug("Café au lait") == "cafe-au-lait"
    assert hashnode_slug("  --Big__Data--  ") == "big-data"
    assert hashnode_slug("日本語") is None


def test_render_maps_every_field_without_the_publication_id():
    doc = make_doc("fields", cover=Asset(url="https://blog.example.com/cover.png"))
    payload = adapter(series_id="0123456789abcdef01234567").render(doc)
    assert payload.body == {
        "title": "Post fields",
        "subtitle": "About fields",
        "contentMarkdown": doc.body,
        "originalArticleURL": "https://blog.example.com/posts/fields/",
        "coverImage": "https://blog.example.com/cover.png",
        "slug": "fields",
        "seriesId": "0123456789abcdef01234567",
        "tags": [
            {"slug": "python", "name": "Python"},
            {"slug": "social-media", "name": "Social Media"},
        ],
        "isDelisted": False,
        "enableToc": False,
    }
    assert payload.hash == adapter(series_id="0123456789abcdef01234567").render(doc).hash


def test_seed_post_tags():
    payload = adapter().render(make_doc("seed", tags=("Social Media", "Growth", "Medium")))
    assert [t["slug"] for t in payload.body["tags"]] == ["social-media", "growth", "medium"]
    assert [t["name"] for t in payload.body["tags"]] == ["Social Media", "Growth", "Medium"]


def test_at_most_15_tags_with_a_notice_and_the_tag_table():
    tags = tuple(f"Topic {n}" for n in range(17))
    payload = adapter().render(make_doc("many", tags=tags))
    assert len(payload.body["tags"]) == 15
    (notice,) = payload.notices
    assert "at most 15 tags" in notice.message and "topic-16" in notice.message
    mapped = adapter(tags={"social media": "socialmedia"}).render(make_doc("table"))
    assert {"slug": "socialmedia", "name": "Social Media"} in mapped.body["tags"]


def test_long_subtitle_is_cut_with_a_notice():
    payload = adapter().render(make_doc("sub", description="word " * 60))
    assert len(payload.body["subtitle"]) == MAX_SUBTITLE
    assert payload.body["subtitle"].endswith("…")
    assert any("subtitle" in n.message for n in payload.notices)
    assert "subtitle" not in adapter().render(make_doc("nosub", description="")).body


def test_draft_uses_the_draft_input_shape():
    doc = make_doc("d", cover=Asset(url="https://blog.example.com/c.png"))
    payload = adapter(delisted=True, enable_toc=True).render(doc, draft=True)
    assert payload.draft
    assert payload.body["coverImageOptions"] == {"coverImageURL": "https://blog.example.com/c.png"}
    assert payload.body["settings"] == {"delist": True, "enableTableOfContent": True}
    assert not {"coverImage", "isDelisted", "enableToc"} & set(payload.body)


def test_non_ascii_title_and_body_are_sent_as_is():
    doc = make_doc("über-uns", title="Über Ünïcödé — 日本語 🚀", body="Grüße 👋\n")
    body = adapter().render(doc).body
    assert body["title"] == "Über Ünïcödé — 日本語 🚀"
    assert body["contentMarkdown"] == "Grüße 👋\n"
    assert body["slug"] == "uber-uns"


def test_request_over_100_kb_is_refused_before_sending():
    with pytest.raises(ContentError, match="over 100 KB"):
        adapter().render(make_doc("big", body="é" * 50_000))  # 100,000 bytes of UTF-8
    adapter().render(make_doc("fits", body="x" * 90_000))


def test_blank_title_is_a_content_error():
    with pytest.raises(ContentError, match="title"):
        adapter().render(make_doc("t", title="  "))


def test_missing_publication_and_bad_series_are_config_errors_naming_file_and_line(tmp_path):
    config = tmp_path / "crosspost.toml"
    config.write_text(
        '[site]\nurl = "https://blog.example.com"\n\n[platforms.hashnode]\nseries_id = "nope"\n'
    )
    with pytest.raises(ConfigError, match="publication") as missing:
        build_settings(
            HashnodeSettings, {"series_id": "nope"}, key="platforms.hashnode", path=config
        )
    assert missing.value.path == config and missing.value.field == "platforms.hashnode.publication"
    assert missing.value.line == 4  # the table that lacks it
    with pytest.raises(ConfigError, match="24 hex") as bad:
        build_settings(
            HashnodeSettings,
            {"publication": "b.hashnode.dev", "series_id": "nope"},
            key="platforms.hashnode",
            path=config,
        )
    assert bad.value.line == 5
    assert adapter(publication="https://Blog.hashnode.dev/").settings.host == "blog.hashnode.dev"


# --------------------------------------------------------------------------- end to end


@pytest.fixture
def hashnode(sandbox_factory):
    sandbox = sandbox_factory(["hashnode"])
    fake = sandbox.fakes["hashnode"]
    yield sandbox, fake
    SENT.extend(fake.requests)


@pytest.fixture
def start(sandbox_factory):
    """A sandbox whose fake gets `options` (pro=False, retired=True...)."""

    def started(**options: Any) -> tuple[Any, FakeHashnode]:
        sandbox = sandbox_factory(["hashnode"], fake_options={"hashnode": options})
        return sandbox, sandbox.fakes["hashnode"]

    return started


def test_publish_twice_is_one_post_and_unchanged_costs_no_request(hashnode):
    sandbox, fake = hashnode
    doc = make_doc("twice", cover=Asset(url="https://blog.example.com/c.png"))
    first = run_publish(sandbox.config, [doc])
    assert [r.status for r in first.results] == [Status.CREATED]
    (post,) = fake.by_canonical(doc.canonical_url)
    assert first.results[0].url == f"https://{fake.host}/twice" == post["url"]
    assert [t["slug"] for t in post["tags"]] == ["python", "social-media"]
    sent = len(fake.requests)
    second = run_publish(sandbox.config, [doc])
    assert [r.status for r in second.results] == [Status.UNCHANGED]
    assert len(fake.requests) == sent, "an unchanged post must cost no request"


def test_publication_id_is_looked_up_once_and_cached_in_the_records(hashnode):
    sandbox, fake = hashnode
    run_publish(sandbox.config, [make_doc("one")])
    assert fake.operations() == ["PublicationId", "PublishPost"]
    cache = Records.read(sandbox.config.records).account("hashnode")
    assert cache["publication_ids"] == {fake.host: fake.publication["id"]}
    run_publish(sandbox.config, [make_doc("one"), make_doc("two")])
    assert fake.operations()[2:] == ["PublishPost"]


def test_edit_updates_the_same_post_and_resends_tags(hashnode):
    sandbox, fake = hashnode
    doc = make_doc("edit")
    run_publish(sandbox.config, [doc])
    report = run_publish(sandbox.config, [replace(doc, body="New body\n", tags=("Growth",))])
    assert [r.status for r in report.results] == [Status.UPDATED]
    (post,) = fake.by_canonical(doc.canonical_url)
    assert post["contentMarkdown"] == "New body\n"
    assert [t["slug"] for t in post["tags"]] == ["growth"]
    update = fake.requests[-1].json()["variables"]["input"]
    assert update["id"] == post["id"] and update["tags"] == [{"slug": "growth", "name": "Growth"}]


def test_draft_then_changed_draft_then_live(hashnode):
    sandbox, fake = hashnode
    doc = make_doc("draft")
    run_publish(sandbox.config, [doc], draft=True)
    (draft,) = fake.live_drafts(doc.canonical_url)
    assert not fake.posts
    record = recorded(Records.read(sandbox.config.records), doc.canonical_url, "hashnode")
    assert record.draft and record.id == draft["id"]
    run_publish(sandbox.config, [replace(doc, body="Draft 2\n")], draft=True)
    assert fake.operations()[-1] == "UpdateDraft" and draft["contentMarkdown"] == "Draft 2\n"
    report = run_publish(sandbox.config, [replace(doc, body="Final\n")])
    assert [r.status for r in report.results] == [Status.UPDATED]
    assert fake.operations()[-2:] == ["UpdateDraft", "PublishDraft"]
    (post,) = fake.by_canonical(doc.canonical_url)
    assert post["contentMarkdown"] == "Final\n" and not fake.live_drafts(doc.canonical_url)
    record = recorded(Records.read(sandbox.config.records), doc.canonical_url, "hashnode")
    assert record.id == post["id"] and not record.draft and record.url == post["url"]


def test_a_live_post_asked_to_be_a_draft_is_updated_in_place(hashnode):
    sandbox, fake = hashnode
    doc = make_doc("nodraft")
    run_publish(sandbox.config, [doc])
    report = run_publish(sandbox.config, [replace(doc, body="Edited\n")], draft=True)
    assert [r.status for r in report.results] == [Status.UPDATED]
    assert fake.operations()[-1] == "UpdatePost" and not fake.drafts
    assert fake.by_canonical(doc.canonical_url)[0]["contentMarkdown"] == "Edited\n"


FAULTS = [
    pytest.param("status", {"status": 429, "retry_after": 1}, id="429"),
    pytest.param("status", {"status": 500}, id="500"),
    pytest.param("html", {"status": 502}, id="html-502"),
    pytest.param("graphql-error", {"code": "INTERNAL_SERVER_ERROR"}, id="graphql-500-at-200"),
    pytest.param("drop-before", {}, id="drop-before"),
    pytest.param("hang-before", {"delay": 0.8}, id="timeout-before-commit"),
    pytest.param("hang-after", {"delay": 0.8}, id="timeout-after-commit"),
    pytest.param("drop-after", {}, id="commit-then-drop"),
    pytest.param("malformed", {}, id="malformed-json"),
]


@pytest.mark.parametrize(("kind", "params"), FAULTS)
def test_every_fault_on_publish_ends_with_exactly_one_post(hashnode, kind, params):
    sandbox, fake = hashnode
    config = with_options(sandbox.config, timeout=0.4)
    fake.inject(kind, operation="publishPost", **params)
    doc = make_doc(f"fault-{kind}")
    report = run_publish(config, [doc])
    assert report.exit_code == 0, report.results
    assert len(fake.by_canonical(doc.canonical_url)) == 1
    sent = len(fake.requests)
    again = run_publish(config, [doc])
    assert [r.status for r in again.results] == [Status.UNCHANGED]
    assert len(fake.requests) == sent


def test_a_failed_read_is_retried(hashnode):
    sandbox, fake = hashnode
    fake.inject("graphql-error", operation="PublicationId", code="INTERNAL_SERVER_ERROR")
    fake.inject("status", operation="PublicationId", status=502)
    report = run_publish(sandbox.config, [make_doc("read")])
    assert report.exit_code == 0
    assert fake.operations() == ["PublicationId"] * 3 + ["PublishPost"]


def test_update_faults_are_retried(hashnode):
    sandbox, fake = hashnode
    doc = make_doc("upd")
    run_publish(sandbox.config, [doc])
    fake.inject("graphql-error", operation="updatePost", code="INTERNAL_SERVER_ERROR")
    fake.inject("drop-after", operation="updatePost")
    report = run_publish(sandbox.config, [replace(doc, body="v2\n")])
    assert [r.status for r in report.results] == [Status.UPDATED]
    assert fake.by_canonical(doc.canonical_url)[0]["contentMarkdown"] == "v2\n"


def test_no_pro_plan_is_final_clear_and_never_retried(start):
    sandbox, fake = start(pro=False)
    report = run_publish(sandbox.config, [make_doc("free")])
    assert report.exit_code == 1
    (result,) = report.results
    assert result.status is Status.FAILED
    assert "Pro plan" in result.message and "upgrade" in result.message
    assert len(fake.requests) == 1, "FORBIDDEN must never be retried"
    assert not Records.read(sandbox.config.records).urls()


def test_pro_plan_lapsing_fails_the_mutation_once(hashnode):
    sandbox, fake = hashnode
    run_publish(sandbox.config, [make_doc("paid")])
    fake.publication["pro"] = False
    sent = len(fake.requests)
    report = run_publish(sandbox.config, [make_doc("lapsed")])
    assert report.exit_code == 1 and "Pro plan" in report.results[-1].message
    assert fake.operations()[sent:] == ["PublishPost"]


def test_bad_token_names_the_environment_variable(hashnode):
    sandbox, fake = hashnode
    token = sandbox.tokens["hashnode"]
    fake.tokens = {"someone-else"}
    report = run_publish(sandbox.config, [make_doc("auth")])
    assert report.exit_code == 1
    (result,) = report.results
    assert "token was refused" in result.message and "CROSSPOST_HASHNODE_TOKEN" in result.message
    assert token not in result.message
    assert fake.operations().count("PublishPost") == 1
    assert not Records.read(sandbox.config.records).urls()


def test_retired_endpoint_is_an_endpoint_error_not_a_credentials_error(start):
    sandbox, fake = start(retired=True)
    report = run_publish(sandbox.config, [make_doc("old")])
    (result,) = report.results
    assert report.exit_code == 1 and result.status is Status.FAILED
    assert type(result.error).__name__ == "EndpointError"
    assert fake.url in result.message and "not the Hashnode GraphQL API" in result.message
    assert "gql-beta.hashnode.com" in result.message
    assert "credential" not in result.message.lower() and "token" not in result.message.lower()


def test_an_html_page_at_200_is_not_the_api(hashnode):
    sandbox, fake = hashnode
    fake.inject("html", status=200, times=None)
    report = run_publish(sandbox.config, [make_doc("html")])
    (result,) = report.results
    assert type(result.error).__name__ == "EndpointError"
    assert "HTML page" in result.message and "not the Hashnode GraphQL API" in result.message
    assert len(fake.requests) == 1


@pytest.mark.parametrize("status", [401, 403, 404, 400])
def test_an_html_page_at_any_status_names_the_endpoint_never_the_token(hashnode, status):
    """A CDN or proxy in front of the API answering 401/403 with its own page says nothing about
    the token: the error names the endpoint and is never retried."""
    sandbox, fake = hashnode
    fake.inject("html", status=status, times=None)
    report = run_publish(sandbox.config, [make_doc(f"html-{status}")])
    (result,) = report.results
    assert result.status is Status.FAILED and isinstance(result.error, EndpointError)
    assert result.error.status == status
    assert fake.settings()["api_url"] in result.message
    assert f"HTTP {status} with an HTML page" in result.message
    assert "not the Hashnode GraphQL API" in result.message
    assert "token" not in result.message.lower() and "credential" not in result.message.lower()
    assert len(fake.requests) == 1, "never retried"
    assert not Records.read(sandbox.config.records).urls()


def test_platform_validation_errors_are_final_with_hashnodes_message(hashnode):
    sandbox, fake = hashnode
    config = with_options(sandbox.config, series_id="0123456789abcdef01234567")
    report = run_publish(config, [make_doc("series")])
    (result,) = report.results
    assert result.status is Status.FAILED and "Series not found" in result.message
    assert fake.operations().count("PublishPost") == 1


def test_configured_series_is_used(hashnode):
    sandbox, fake = hashnode
    series = fake.add_series("Journey")
    doc = make_doc("in-series")
    run_publish(with_options(sandbox.config, series_id=series), [doc])
    assert fake.by_canonical(doc.canonical_url)[0]["seriesId"] == series


def test_big_post_is_invalid_before_any_request(hashnode):
    sandbox, fake = hashnode
    report = run_publish(sandbox.config, [make_doc("huge", body="x" * 120_000)])
    (result,) = report.results
    assert result.status is Status.INVALID and "100 KB" in result.message
    assert report.exit_code == 2 and not fake.requests


def test_missing_publication_is_a_config_error_before_any_request(hashnode):
    sandbox, fake = hashnode
    with pytest.raises(ConfigError, match="publication"):
        run_publish(with_options(sandbox.config, publication=""), [make_doc("nopub")])
    assert not fake.requests


def test_unknown_publication_host(hashnode):
    sandbox, _ = hashnode
    config = with_options(sandbox.config, publication="nobody.hashnode.dev")
    report = run_publish(config, [make_doc("nohost")])
    assert (
        report.exit_code == 2
        and "no publication at nobody.hashnode.dev" in report.results[0].message
    )


def test_crash_after_publish_waits_for_stale_reads_then_adopts(hashnode):
    """A run died after its publishPost landed; the next run waits out the read lag before
    `find`. The engine counts the lag from `pending.at`, so the entry is stamped as the post is
    written (a write landing later than `pending.at` is a known gap, reported to the engine)."""
    sandbox, fake = hashnode
    doc = make_doc("crashed")
    fields = dict(adapter().render(doc).body)
    with fake.lock:
        post = fake.new_post(fields, fake.publication, fake.publication["owner"])
    assert not fake.visible(post), "lists are stale just after a write"
    with Records.open(sandbox.config.records) as records:
        records.put(doc.canonical_url, "hashnode", Entry("pending", key="k1"), source=None)
    report = run_publish(with_options(sandbox.config, timeout=0.5), [doc])
    assert [r.status for r in report.results] == [Status.ADOPTED]
    assert len(fake.by_canonical(doc.canonical_url)) == 1
    # A first look misses (stale lists, posts then drafts); "not found" is believed only after
    # the lag plus the request timeout, and the second look finds it.
    assert fake.operations() == ["FindPosts", "FindDrafts", "FindPosts"]
    record = recorded(Records.read(sandbox.config.records), doc.canonical_url, "hashnode")
    assert (
        record.state == "published" and record.id == fake.by_canonical(doc.canonical_url)[0]["id"]
    )


def test_crash_after_create_draft_finds_the_draft(hashnode):
    sandbox, fake = hashnode
    doc = make_doc("crashed-draft")
    run_publish(sandbox.config, [doc], draft=True)
    (draft,) = fake.live_drafts(doc.canonical_url)
    with Records.open(sandbox.config.records) as records:
        records.put(doc.canonical_url, "hashnode", Entry("pending", key="k2"), source=None)
    report = run_publish(with_options(sandbox.config, timeout=0.5), [doc], draft=True)
    assert [r.status for r in report.results] == [Status.ADOPTED]
    assert fake.operations()[-2:] == ["FindPosts", "FindDrafts"]
    record = recorded(Records.read(sandbox.config.records), doc.canonical_url, "hashnode")
    assert record.draft and record.id == draft["id"]
    assert len(fake.live_drafts(doc.canonical_url)) == 1 and not fake.posts


def test_pending_that_never_reached_hashnode_is_created_after_the_lag(hashnode):
    sandbox, fake = hashnode
    doc = make_doc("never-sent")
    with Records.open(sandbox.config.records) as records:
        records.put(doc.canonical_url, "hashnode", Entry("pending", key="k3"), source=None)
    started = time.monotonic()
    report = run_publish(with_options(sandbox.config, timeout=0.5), [doc])
    settle = fake.stale + 0.5  # the read lag, plus the request timeout for a create in flight
    assert time.monotonic() - started >= settle * 0.9, "trusts 'not found' only once settled"
    assert [r.status for r in report.results] == [Status.CREATED]
    assert len(fake.by_canonical(doc.canonical_url)) == 1


def test_lost_publish_draft_answer_never_duplicates(hashnode):
    """The retried `publishDraft` finds the draft gone (the first one published it) and the post
    not listed yet (stale reads): that miss is not taken as "gone"; the lookup is repeated until
    Hashnode's lists catch up, and the post is updated in the same run."""
    sandbox, fake = hashnode
    doc = make_doc("lost")
    run_publish(sandbox.config, [doc], draft=True)
    fake.stale = 1.0  # the retried publishDraft and the first lookup surely fall inside it
    fake.inject("drop-after", operation="publishDraft")
    live = replace(doc, body="Live\n")
    first = run_publish(with_options(sandbox.config, read_lag=1.5), [live])
    assert [r.status for r in first.results] == [Status.UPDATED], first.results
    ops = fake.operations()
    assert ops.count("PublishDraft") == 2 and ops.count("FindPosts") >= 2, ops
    assert ops[-1] == "UpdatePost"
    (post,) = fake.by_canonical(doc.canonical_url)
    assert post["contentMarkdown"] == "Live\n"
    record = recorded(Records.read(sandbox.config.records), doc.canonical_url, "hashnode")
    assert record.id == post["id"] and not record.draft and record.url == post["url"]
    assert [r.status for r in run_publish(sandbox.config, [live]).results] == [Status.UNCHANGED]


def test_a_draft_published_by_hand_on_hashnode_is_updated_as_the_post_it_became(hashnode):
    """`publish = "draft"` workflows: the author reviews the draft on Hashnode and publishes it
    there. The next change is not a failed updateDraft: the post is found and updated, live."""
    sandbox, fake = hashnode
    doc = make_doc("reviewed")
    run_publish(sandbox.config, [doc], draft=True)
    (draft,) = fake.live_drafts(doc.canonical_url)
    by_hand = _post(fake, PUBLISH_DRAFT, sandbox.tokens["hashnode"], input={"draftId": draft["id"]})
    assert "errors" not in by_hand.json(), by_hand.text
    config = with_options(sandbox.config, read_lag=1.5)  # its lists may trail the hand's write
    report = run_publish(config, [replace(doc, body="Edited\n")], draft=True)
    assert [r.status for r in report.results] == [Status.UPDATED], report.results
    (post,) = fake.by_canonical(doc.canonical_url)
    assert post["contentMarkdown"] == "Edited\n" and not fake.live_drafts(doc.canonical_url)
    record = recorded(Records.read(sandbox.config.records), doc.canonical_url, "hashnode")
    assert record.id == post["id"] and not record.draft


def test_a_draft_deleted_on_hashnode_is_gone_only_after_the_read_lag(hashnode):
    """No post appears within the read lag: the draft was deleted by hand. That is known, not
    ambiguous: the `gone` verdict saying so (issue 14), recorded, nothing created."""
    lag = 0.6
    sandbox, fake = hashnode
    doc = make_doc("deleted-draft")
    run_publish(sandbox.config, [doc], draft=True)
    (draft,) = fake.live_drafts(doc.canonical_url)
    with fake.lock:
        draft["deleted"] = time.monotonic()
    before = recorded(Records.read(sandbox.config.records), doc.canonical_url, "hashnode")
    started = time.monotonic()
    report = run_publish(with_options(sandbox.config, read_lag=lag), [replace(doc, body="Live\n")])
    assert time.monotonic() - started >= lag, "'not found' is believed only after the lag"
    (result,) = report.results
    assert result.status is Status.GONE and report.exit_code == 0
    assert isinstance(result.error, GoneError) and not isinstance(result.error, AmbiguousError)
    assert "deleted on Hashnode" in result.message and "--force" in result.message
    assert "deleted on Hashnode" in str(result.error) and doc.canonical_url in str(result.error)
    assert not fake.posts and "PublishPost" not in fake.operations()
    after = Records.read(sandbox.config.records).get(doc.canonical_url, "hashnode")
    assert after is not None and after.state == "gone" and after.id == before.id


# --------------------------------------------------------------------------- the fake itself


def _post(fake: FakeHashnode, query: str, token: str | None = "k", **variables: Any) -> Any:
    headers = {"Authorization": token} if token else {}
    return httpx.post(
        fake.settings()["api_url"], json={"query": query, "variables": variables}, headers=headers
    )


def test_the_fake_speaks_hashnode():
    with FakeHashnode(tokens=("k",)) as fake:
        assert SCHEMA_FILE.parent.name == "hashnode" and "shared" not in SCHEMA_FILE.parts
        pub = fake.publication["id"]
        me = "query { me { username } }"
        assert _post(fake, me, "k").json()["data"]["me"]["username"] == "sandbox"
        assert _post(fake, me, "BEARER k").json()["data"]["me"]["username"] == "sandbox"
        answer = _post(fake, me, None)
        assert answer.status_code == 200
        assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        old_shape = {
            "publicationId": pub,
            "title": "t",
            "contentMarkdown": "x",
            "coverImageOptions": {"coverImageURL": "https://x/c.png"},
        }
        answer = _post(fake, PUBLISH_POST, "k", input=old_shape)
        assert answer.status_code == 400, "Apollo refuses variables that fail coercion with 400"
        assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        answer = _post(fake, "query { me { publications { edges { node { id } } } } }", "k")
        assert answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        deep = (
            "query { me { publications(first: 1) { edges { node { posts(first: 1) { edges { node"
            " { author { publications(first: 1) { edges { node { id } } } } } } } } } } } }"
        )
        assert "depth" in _post(fake, deep, "k").json()["errors"][0]["message"]
        big = {"publicationId": pub, "title": "t", "contentMarkdown": "x" * 110_000}
        assert _post(fake, PUBLISH_POST, "k", input=big).status_code == 413
        tags = [{"slug": f"t{n}"} for n in range(16)]
        answer = _post(fake, PUBLISH_POST, "k", input={**big, "contentMarkdown": "x", "tags": tags})
        assert "at most 15 tags" in answer.json()["errors"][0]["message"]
        fake.publication["pro"] = False
        answer = _post(
            fake, "query($h: String!) { publication(host: $h) { id } }", None, h=fake.host
        )
        (error,) = answer.json()["errors"]
        assert error["message"] == PRO_REQUIRED and error["extensions"] == {"code": "FORBIDDEN"}


def test_the_fake_clamps_page_size_and_lists_lag_writes():
    with FakeHashnode(tokens=("k",), stale_seconds=0.0) as fake:
        with fake.lock:
            for n in range(120):
                fake.new_post(
                    {"title": f"p{n}", "contentMarkdown": "x"},
                    fake.publication,
                    fake.publication["owner"],
                )
        query = (
            "query($h: String!) { publication(host: $h) { posts(first: 500) {"
            " edges { node { id } } pageInfo { hasNextPage } } } }"
        )
        page = _post(fake, query, None, h=fake.host).json()["data"]["publication"]["posts"]
        assert len(page["edges"]) == 100 and page["pageInfo"]["hasNextPage"]
        fake.stale = 60.0
        with fake.lock:
            for post in fake.posts.values():
                post["created"] -= 100.0
            fake.new_post(
                {"title": "fresh", "contentMarkdown": "x"},
                fake.publication,
                fake.publication["owner"],
            )
        page = _post(fake, query, None, h=fake.host).json()["data"]["publication"]["posts"]
        assert (
            page["edges"][0]["node"]["id"]
            != max(fake.posts.values(), key=lambda p: p["created"])["id"]
        )


# --------------------------------------------------------------------------- contract


def test_packaged_schema_is_the_published_one():
    needs_shared(SHARED_SCHEMA)
    lines = SCHEMA_FILE.read_text("utf-8").splitlines(keepends=True)
    header = [line for line in lines if line.startswith("#")]
    assert header == lines[: len(header)] and "ebd06df0fe29d00d2e7f6e3673fefdbe8ef57b3d" in "".join(
        header
    )
    assert "".join(lines[len(header) :]) == SHARED_SCHEMA.read_text("utf-8")


def test_every_operation_sent_validates_against_the_published_schema(hashnode):
    """Also drives every operation itself, so it holds when run alone or on another worker."""
    needs_shared(SHARED_SCHEMA)
    sandbox, fake = hashnode
    doc = make_doc("contract", cover=Asset(url="https://blog.example.com/c.png"))
    run_publish(sandbox.config, [doc], draft=True)
    run_publish(sandbox.config, [replace(doc, body="2\n")], draft=True)
    run_publish(sandbox.config, [replace(doc, body="3\n")])
    run_publish(sandbox.config, [replace(doc, body="4\n")])
    fake.inject("drop-after", operation="publishPost")
    run_publish(with_options(sandbox.config, timeout=0.5), [make_doc("contract2")])
    sent = SENT + fake.requests
    operations = {op for op in fake.operations() if op}
    assert operations == {
        "PublicationId",
        "CreateDraft",
        "UpdateDraft",
        "PublishDraft",
        "UpdatePost",
        "PublishPost",
        "FindPosts",
        "FindDrafts",
        "Post",
        "Draft",
    }
    schema = build_schema(SHARED_SCHEMA.read_text("utf-8"))
    problems = [
        f"{request.json()['query']}: {errors}"
        for request in sent
        if (errors := validate(schema, parse(request.json()["query"])))
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("canonical", "slug"),
    [
        ("https://blog.example.com/posts/hello/", "hello"),
        ("https://blog.example.com/2024/01/02/my-post.html", "my-post"),
        ("https://blog.example.com/p/hello/index.html", "hello"),
        ("https://blog.example.com/posts/caf%C3%A9-au-lait/", "cafe-au-lait"),
        ("https://blog.example.com/posts/42/", None),  # Hashnode derives one from the title
    ],
)
def test_the_slug_follows_the_canonical_url_not_the_file_name(canonical, slug):
    """A file renamed without changing its URL changes nothing (docs/records.md): the slug
    Hashnode gets, which makes the copy's own URL, comes from the canonical URL, so the
    renamed file's payload is the same and no update rewrites the copy's address."""
    doc = make_doc("hello", canonical_url=canonical)
    renamed = replace(doc, slug="2024-05-06-renamed-file")
    body = adapter().render(doc).body
    assert body.get("slug") == slug
    assert adapter().render(renamed).hash == adapter().render(doc).hash
