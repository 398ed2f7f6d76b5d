"""Bluesky: the post's text, facets and record key, then the engine against the fake PDS over real
sockets (never twice by record key, sign-in and its errors, refresh, PDS discovery, find,
rate limits), every request checked against the AT Protocol lexicons in ../shared/specs."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosspost.adapter import AdapterContext, Payload, load_adapters
from crosspost.adapters.bluesky import Bluesky, BlueskySettings
from crosspost.adapters.bluesky.fake import FakeBluesky
from crosspost.adapters.bluesky.session import parse_login
from crosspost.adapters.bluesky.text import (
    facets,
    hashtag,
    rkey_for,
    tid,
    tid_parts,
)
from crosspost.api import collect
from crosspost.config import Config, load_config
from crosspost.credentials import Secret
from crosspost.document import Asset, Document, RemotePost
from crosspost.errors import (
    AuthError,
    ConfigError,
    ContentError,
    EndpointError,
    RateLimitedError,
)
from crosspost.fake import FakePlatform, FakeRequest, FaultKind
from crosspost.http import PlatformClient, RetryPolicy, api_origin
from crosspost.publisher import Result, Status
from crosspost.records import Entry, Records
from crosspost.sandbox import Sandbox
from crosspost.testing import FAST_RETRIES, TIME_SCALE, run_publish
from crosspost.testing import sample_document as make_doc

from ..blogs import CROSSPOST, copy_example_blog
from ..conftest import SPECS, fake_of, needs_shared
from ..conftest import announce_now as announce_alone
from ..spec_check import lexicon_errors, lexicon_problem

announce_now = functools.partial(announce_alone, platform="bluesky")

LEXICONS = SPECS / "bluesky" / "lexicons"
SEED = make_doc(
    "reaching-for-the-stars",
    title="Reaching for the Stars: My Journey to 1000 Followers on Medium by the end of today!",
    description="Can it be done? I'm at 928 Followers right now.",
    tags=("Social Media", "Growth", "Medium"),
    lang="en",
)
TID_SHAPE = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


@functools.cache
def _offline_client() -> PlatformClient:
    return PlatformClient("bluesky", "https://bsky.social")


def adapter(*, tags: dict[str, str] | None = None, **options: Any) -> Bluesky:
    context = AdapterContext(http=_offline_client(), tags=tags or {})
    return Bluesky(BlueskySettings(**options), context)


def client_for(url: str, token: Secret, policy: RetryPolicy = FAST_RETRIES) -> PlatformClient:
    """A client as the core builds one for Bluesky: the token is never sent by itself."""
    return PlatformClient(
        "bluesky", url, token=token, policy=policy, auth_header=Bluesky.auth_header
    )


@contextlib.asynccontextmanager
async def signed_in(
    fake: FakeBluesky, token: str, policy: RetryPolicy = FAST_RETRIES
) -> AsyncIterator[Bluesky]:
    """The adapter pointed at `fake` with `token`, its client closed afterwards."""
    async with client_for(fake.url, Secret(token), policy) as client:
        yield Bluesky(BlueskySettings(**fake.settings()), AdapterContext(http=client))


def render(doc: Document, **options: Any) -> Payload:
    return adapter(**options).render(doc)


def png(size: int = 1) -> bytes:
    """A real PNG of `size`×`size` pixels (uncompressed enough to be big when asked)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = (bytes(range(256)) * (3 * size // 256 + 1))[: 3 * size]
    rows = b"".join(b"\x00" + row for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 0))
        + chunk(b"IEND", b"")
    )


def sliced(text: str, facet: dict[str, Any]) -> str:
    """What a facet covers, read the way the app reads it: UTF-8 bytes of the text."""
    index = facet["index"]
    return text.encode("utf-8")[index["byteStart"] : index["byteEnd"]].decode("utf-8")


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


# --------------------------------------------------------------------------- render


def test_seed_post_renders_with_facets_and_a_card():
    payload = render(SEED)
    body = payload.body
    url = SEED.canonical_url
    assert body["text"] == (
        f"{SEED.title}\n\nCan it be done? I'm at 928 Followers right now.\n\n{url}\n\n"
        "#SocialMedia #Growth #Medium"
    )
    assert body["$type"] == "app.bsky.feed.post" and body["langs"] == ["en"]
    covered = [(sliced(body["text"], f), f["features"][0]) for f in body["facets"]]
    assert covered == [
        (url, {"$type": "app.bsky.richtext.facet#link", "uri": url}),
        ("#SocialMedia", {"$type": "app.bsky.richtext.facet#tag", "tag": "SocialMedia"}),
        ("#Growth", {"$type": "app.bsky.richtext.facet#tag", "tag": "Growth"}),
        ("#Medium", {"$type": "app.bsky.richtext.facet#tag", "tag": "Medium"}),
    ]
    assert body["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {"uri": url, "title": SEED.title, "description": SEED.description},
    }
    assert "createdAt" not in body, "the time is added when posting: the payload hash is stable"
    assert not payload.media and not payload.notices


@pytest.mark.parametrize(
    ("title", "description", "tags"),
    [
        ("Émigré café — naïve résumé", "Zoë's piñata", ("Café",)),
        (
            "Combining: e\u0301 a\u0308 n\u0303 and Z\u0335\u0321a\u0337l\u0336g\u0334o",
            "o\u0308",
            ("cafe\u0301",),
        ),
        (
            "家族👨‍👩‍👧‍👦 and flags 🇫🇷🇯🇵 and skin 👍🏽",
            "🧑🏾‍💻 writes 日本語のブログ",
            ("日本語", "絵文字"),
        ),
        ("한국어 제목", "中文描述，含标点。", ("한국어",)),
    ],
)
def test_facet_offsets_are_utf8_bytes_on_emoji_combining_marks_and_cjk(title, description, tags):
    needs_shared(LEXICONS)
    doc = make_doc("unicode-ü-日本", title=title, description=description, tags=tags)
    body = render(doc).body
    text = body["text"]
    links = [f for f in body["facets"] if f["features"][0]["$type"].endswith("#link")]
    assert [sliced(text, f) for f in links] == [doc.canonical_url]
    tag_facets = [f for f in body["facets"] if f["features"][0]["$type"].endswith("#tag")]
    assert [sliced(text, f) for f in tag_facets] == [f"#{hashtag(t)}" for t in tags]
    for facet in tag_facets:
        assert sliced(text, facet) == "#" + facet["features"][0]["tag"]
    starts = [f["index"]["byteStart"] for f in body["facets"]]
    assert starts == sorted(starts)
    assert (
        lexicon_problem("app.bsky.feed.post", {**body, "createdAt": "2026-01-01T00:00:00Z"}) is None
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(min_size=1, max_size=120).filter(lambda t: t.strip()),
    description=st.text(max_size=2000),
    tags=st.lists(st.text(min_size=1, max_size=20), max_size=6),
)
def test_the_post_always_fits_in_300_graphemes_and_3000_bytes(title, description, tags):
    doc = make_doc("fuzz", title=title, description=description, tags=tuple(tags))
    try:
        body = render(doc).body
    except ContentError:
        return  # the title alone is too long: refused, never sent
    text = body["text"]
    assert graphemes(text) <= 300 and len(text.encode("utf-8")) <= 3000
    for facet in body.get("facets", []):
        covered = sliced(text, facet)  # decodes: offsets fall on character boundaries
        feature = facet["features"][0]
        if feature["$type"].endswith("#link"):
            assert covered == feature["uri"]
        else:
            assert covered == "#" + feature["tag"]


def test_the_byte_limit_gives_way_where_graphemes_would_not():
    family = "👨‍👩‍👧‍👦"  # one grapheme, 25 bytes
    doc = make_doc("family", title="Families", description=f"{family} " * 200, tags=())
    payload = render(doc)
    text = payload.body["text"]
    assert len(text.encode("utf-8")) <= 3000 and graphemes(text) < 300
    assert family in text and "…" in text
    assert any("shortened to fit 300 graphemes: description" in n.message for n in payload.notices)


def test_too_long_drops_the_description_then_hashtags_then_refuses():
    long = make_doc("long", title="T" * 200, description="word " * 40, tags=("Alpha", "Beta"))
    text = render(long).body["text"]
    assert graphemes(text) <= 300 and text.startswith("T" * 200)
    with pytest.raises(ContentError) as info:
        render(make_doc("x", title="T" * 300))
    assert "title" in str(info.value) and "300" in str(info.value)
    narrow = render(SEED, max_characters=len(SEED.title) + 2 + len(SEED.canonical_url))
    assert narrow.body["text"] == f"{SEED.title}\n\n{SEED.canonical_url}"
    assert narrow.body["tags"] == ["SocialMedia", "Growth", "Medium"], "still searchable"
    assert "tags" not in render(SEED).body, "every hashtag is in the text"


def test_template_is_checked_and_used():
    with pytest.raises(ContentError) as info:
        render(SEED, template="{title}")
    assert "no {url}" in str(info.value) and "platforms.bluesky.template" in str(info.value)
    body = render(SEED, template="📝 New: {title}\n{url} {hashtags}").body
    assert body["text"].startswith("📝 New: Reaching")
    assert sliced(body["text"], body["facets"][0]) == SEED.canonical_url


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("Social Media", "SocialMedia"),
        ("node.js", "NodeJs"),
        ("machine-learning", "MachineLearning"),
        ("snake_case", "SnakeCase"),
        ("日本語", "日本語"),
        ("web3", "Web3"),
        ("2024", None),
        ("3d printing", None),
        ("!!!", None),
    ],
)
def test_hashtags_start_with_a_letter_and_hold_no_punctuation(tag, expected):
    assert hashtag(tag) == expected


def test_dropped_tags_and_a_hand_made_hashtag_in_the_text():
    tags = ("2024", "Python", "x" * 65)
    payload = render(make_doc("t", tags=tags, description="about #Python today"))
    assert any("'2024'" in n.message for n in payload.notices)
    assert any("longer than 64 characters" in n.message for n in payload.notices)
    text = payload.body["text"]
    tagged = [sliced(text, f) for f in payload.body["facets"] if "tag" in f["features"][0]]
    assert tagged == ["#Python", "#Python"], "every standalone #Python is a tag"


def test_facets_of_links_strip_trailing_punctuation_like_the_app():
    text = "see https://a.example/x. and (https://b.example/y) or https://c.example/(z)"
    found = facets(text, ())
    assert [f["features"][0]["uri"] for f in found] == [
        "https://a.example/x",
        "https://b.example/y",
        "https://c.example/(z)",
    ]


def test_cover_thumbnail_local_small_image_only(tmp_path):
    small = tmp_path / "small.png"
    small.write_bytes(png(2))
    big = tmp_path / "big.png"
    big.write_bytes(png(600))
    assert big.stat().st_size > 1_000_000
    text = tmp_path / "cover.png"
    text.write_text("not an image")
    ok = render(make_doc("c", cover=Asset(path=small, alt="a")))
    assert ok.media and ok.media[0].path == small and not ok.notices
    for cover, why in [
        (Asset(url="https://cdn.example/c.png"), "remote image"),
        (Asset(path=big), "1,000,000"),
        (Asset(path=text), "not a JPEG, PNG"),
    ]:
        payload = render(make_doc("c", cover=cover))
        assert not payload.media
        assert any(why in n.message and "no thumbnail" in n.message for n in payload.notices)
    assert not render(make_doc("c", cover=Asset(path=small)), card_thumb=False).media


# --------------------------------------------------------------------------- keys and tokens


def test_tids_follow_the_spec():
    micros, clock = tid_parts("3jzfcijpj2z2a")  # the example in specs/.../tid.mdx
    assert tid(micros, clock) == "3jzfcijpj2z2a"
    for bad in ("3jzfcijpj2z21", "3jzfcijpj2z2aa", "3jzfcijpj2z2", "3jzf-cij-pj2z-2a"):
        with pytest.raises(ValueError, match="not a TID"):
            tid_parts(bad)
    assert tid(0, 0) == "2222222222222"


def test_the_record_key_is_a_tid_only_the_url_decides():
    key = rkey_for(SEED.canonical_url)
    assert TID_SHAPE.match(key) and key == rkey_for(SEED.canonical_url)
    micros, _ = tid_parts(key)
    moment = datetime.fromtimestamp(micros / 1e6, UTC)
    assert datetime(2023, 4, 1, tzinfo=UTC) <= moment < datetime(2023, 4, 14, tzinfo=UTC)
    keys = {rkey_for(f"https://blog.example.com/posts/{n}/") for n in range(5000)}
    assert len(keys) == 5000


def test_the_token_is_handle_and_app_password():
    assert parse_login(Secret("jane.bsky.social:abcd-efgh"), "")[0] == "jane.bsky.social"
    identifier, password = parse_login(Secret("abcd-efgh-ijkl-mnop"), "alice.example.com")
    assert identifier == "alice.example.com" and password.reveal() == "abcd-efgh-ijkl-mnop"
    with pytest.raises(AuthError, match="no handle"):
        parse_login(Secret("abcd-efgh"), "")
    with pytest.raises(AuthError, match=r"@bob\.example"):
        parse_login(Secret("bob.example:pw"), "alice.example")
    with pytest.raises(AuthError, match="no app password"):
        parse_login(Secret("alice.example:"), "")


def test_settings_are_checked_when_loaded():
    with pytest.raises(ConfigError, match="not a Bluesky handle"):
        BlueskySettings(handle="not a handle").validate()
    with pytest.raises(ConfigError, match="between 1 and 300"):
        BlueskySettings(max_characters=301).validate()
    with pytest.raises(ConfigError, match="not https"):
        BlueskySettings(plc_directory="http://plc.example").validate()
    BlueskySettings(handle="@jane.bsky.social", max_characters=280).validate()


def test_bluesky_is_registered_like_any_plugin():
    adapters = load_adapters()
    assert adapters["bluesky"] is Bluesky
    caps = Bluesky.capabilities
    assert caps.announces and caps.find and not caps.update and not caps.drafts


# --------------------------------------------------------------------------- end to end


@pytest.fixture
def bluesky(sandbox_factory):
    needs_shared(LEXICONS)
    sandbox = sandbox_factory(["bluesky"], fake_options={"bluesky": {"validator": lexicon_problem}})
    fake = fake_of(sandbox, "bluesky", FakeBluesky)
    yield sandbox, fake, announce_now(sandbox.config)
    assert not fake.refused, fake.refused
    assert lexicon_errors(fake.requests) == []


def puts(fake: FakePlatform) -> list[FakeRequest]:
    return [r for r in fake.requests if r.path.endswith("/com.atproto.repo.putRecord")]


def test_publish_twice_is_one_post_and_unchanged_costs_no_request(bluesky):
    _sandbox, fake, config = bluesky
    first = run_publish(config, [SEED])
    assert [r.status for r in first.results] == [Status.CREATED]
    (post,) = fake.copies(SEED.canonical_url)
    rkey = rkey_for(SEED.canonical_url)
    assert post["uri"] == f"at://{fake.did}/app.bsky.feed.post/{rkey}"
    assert first.results[0].url == f"https://bsky.app/profile/{fake.did}/post/{rkey}"
    (put,) = puts(fake)
    sent = put.json()
    assert sent["rkey"] == rkey and sent["swapRecord"] is None and "swapRecord" in sent
    assert post["value"]["createdAt"].endswith("Z")
    count = len(fake.requests)
    second = run_publish(config, [SEED])
    assert [r.status for r in second.results] == [Status.UNCHANGED]
    assert len(fake.requests) == count


def test_a_lost_answer_resent_lands_on_the_same_key(bluesky):
    _sandbox, fake, config = bluesky
    fake.inject("drop-after", method="POST", path=r"putRecord$")
    report = run_publish(config, [SEED])
    assert [r.status for r in report.results] == [Status.CREATED]
    assert len(fake.copies(SEED.canonical_url)) == 1
    assert len(puts(fake)) == 1, "found by its key: no second write was needed"


def test_a_resend_after_a_lost_answer_is_refused_by_the_swap_and_adopted(bluesky):
    sandbox, fake, _config = bluesky

    async def twice() -> tuple[RemotePost, RemotePost]:
        async with signed_in(fake, sandbox.tokens["bluesky"]) as sky:
            payload = sky.render(SEED)
            first = await sky.create(payload, key="k")
            second = await sky.create(payload, key="k")  # a later createdAt: another CID
            return first, second

    first, second = asyncio.run(twice())
    assert first == second and len(fake.copies(SEED.canonical_url)) == 1
    answers = [r for r in puts(fake)]
    assert len(answers) == 2


def test_every_fault_on_the_write_ends_with_exactly_one_post(bluesky):
    _sandbox, fake, config = bluesky
    faults: list[tuple[FaultKind, dict[str, Any]]] = [
        ("drop-before", {}),
        ("drop-after", {}),
        ("malformed", {}),
        ("status", {"status": 500}),
        ("status", {"status": 429, "retry_after": 0.01}),
        ("ratelimit-headers", {"retry_after": 0.01}),
    ]
    for n, (kind, params) in enumerate(faults):
        doc = make_doc(f"fault-{n}")
        fake.inject(kind, method="POST", path=r"putRecord$", **params)
        report = run_publish(config, [doc])
        assert [r.status for r in report.results] == [Status.CREATED], (kind, report.results)
        assert len(fake.copies(doc.canonical_url)) == 1, kind


def test_a_record_of_another_post_at_the_key_is_never_overwritten(bluesky):
    _sandbox, fake, config = bluesky
    rkey = rkey_for(SEED.canonical_url)
    other = {"$type": "app.bsky.feed.post", "text": "mine", "createdAt": "2026-01-01T00:00:00Z"}
    fake.records[rkey] = {
        "uri": f"at://{fake.did}/app.bsky.feed.post/{rkey}",
        "cid": "bafyx",
        "value": other,
    }
    report = run_publish(config, [SEED])
    (result,) = report.results
    assert result.status is Status.ATTENTION and "does not link" in result.message
    assert fake.records[rkey]["value"] == other


def test_find_adopts_a_post_made_by_hand_beyond_the_first_page(bluesky):
    _sandbox, fake, config = bluesky
    for n in range(150):
        key = tid(1_750_000_000_000_000 + n, 7)
        value: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": f"post {n}",
            "createdAt": "2026-01-01T00:00:00Z",
        }
        if n == 20:  # the 130th newest: on the second page
            value["facets"] = [
                {
                    "index": {"byteStart": 0, "byteEnd": 5},
                    "features": [
                        {"$type": "app.bsky.richtext.facet#link", "uri": SEED.canonical_url}
                    ],
                }
            ]
        fake.records[key] = {
            "uri": f"at://{fake.did}/app.bsky.feed.post/{key}",
            "cid": f"bafy{n}",
            "value": value,
        }
    with Records.open(config.records) as records:
        records.put(SEED.canonical_url, "bluesky", Entry("pending", key="k"), source=None)
    report = run_publish(config, [SEED])
    (result,) = report.results
    assert result.status is Status.ADOPTED
    assert (result.url or "").endswith(tid(1_750_000_000_000_020, 7))
    assert not puts(fake)
    pages = [r for r in fake.requests if r.path.endswith("listRecords")]
    assert len(pages) == 2 and pages[1].query["cursor"]


def test_an_expired_session_is_refreshed_once(bluesky):
    sandbox, fake, _config = bluesky

    async def run() -> RemotePost:
        async with signed_in(fake, sandbox.tokens["bluesky"]) as sky:
            await sky.prepare()
            fake.expire_sessions()
            return await sky.create(sky.render(SEED), key="k")

    asyncio.run(run())
    names = [r.path.rsplit("/", 1)[-1] for r in fake.requests]
    assert names.count("com.atproto.server.createSession") == 1
    assert names.count("com.atproto.server.refreshSession") == 1
    assert names.count("com.atproto.repo.putRecord") == 2  # refused as expired, then sent


def _publish_error(config: Config) -> Result:
    report = run_publish(config, [SEED])
    (result,) = report.results
    return result


def test_a_revoked_app_password_is_named(bluesky):
    sandbox, fake, config = bluesky
    fake.revoke(sandbox.tokens["bluesky"])
    result = _publish_error(config)
    assert result.status is Status.FAILED
    assert "refused the app password" in result.message and "revoked" in result.message
    assert "bsky.app/settings/app-passwords" in result.message
    assert sandbox.tokens["bluesky"] not in result.message


def test_an_unknown_account_is_named(bluesky):
    _sandbox, _fake, config = bluesky
    config = announce_now(config, handle="nobody.bsky.example")
    result = _publish_error(config)
    assert result.status is Status.FAILED
    assert "no Bluesky account has the handle @nobody.bsky.example" in result.message


def test_sign_in_rate_limit_is_named(sandbox_factory):
    sandbox = sandbox_factory(["bluesky"], fake_options={"bluesky": {"session_limit": (0, 300.0)}})
    fake = fake_of(sandbox, "bluesky", FakeBluesky)

    async def run() -> Any:
        quick = replace(FAST_RETRIES, max_attempts=1)
        async with signed_in(fake, sandbox.tokens["bluesky"], quick) as sky:
            await sky.prepare()

    with pytest.raises(RateLimitedError) as info:
        asyncio.run(run())
    assert "signing in to Bluesky is rate limited" in str(info.value)
    assert info.value.retry_after is not None


def test_an_account_on_another_pds_is_found_from_its_handle():
    with FakeBluesky(
        tokens=("pw-1",), handle="alice.example.org", did="did:plc:alice0000000000000000001"
    ) as pds:
        entry = FakeBluesky(
            tokens=(),
            handle="entryway.example",
            elsewhere={"alice.example.org": (pds.did, pds.url)},
        ).start()
        try:

            async def run() -> Any:
                client = client_for(entry.url, Secret("alice.example.org:pw-1"), FAST_RETRIES)
                async with client:
                    settings_ = BlueskySettings(service=entry.url, plc_directory=f"{entry.url}/plc")
                    sky = Bluesky(settings_, AdapterContext(http=client))
                    await sky.prepare()
                    pds.expire_sessions()  # refreshed where it was issued: at the PDS
                    return await sky.create(sky.render(SEED), key="k")

            remote = asyncio.run(run())
        finally:
            entry.stop()
        assert remote.id.startswith(f"at://{pds.did}/")
        assert len(pds.copies(SEED.canonical_url)) == 1 and not entry.records
        entry_calls = [r.path for r in entry.requests]
        assert entry_calls[0].endswith("createSession") and any(
            "resolveHandle" in p for p in entry_calls
        )
        assert any(p.startswith("/plc/") for p in entry_calls)
        assert all(r.header("authorization") is None for r in entry.requests)
        pds_calls = [r.path.rsplit("/", 1)[-1] for r in pds.requests]
        assert pds_calls.count("com.atproto.server.createSession") == 1
        assert pds_calls.count("com.atproto.server.refreshSession") == 1


def test_a_handle_hosted_on_an_unconfirmed_pds_never_gets_the_app_password():
    """Under the Action the client trusts only the default and the confirmed addresses (the
    core's `trusted_hosts`): a handle in crosspost.toml (a pull request's) resolving to a PDS
    on another server is refused before the app password goes there, naming the handle."""
    with FakeBluesky(
        tokens=("pw-1",), handle="alice.example.org", did="did:plc:alice0000000000000000001"
    ) as pds:
        entry = FakeBluesky(
            tokens=(),
            handle="entryway.example",
            elsewhere={"alice.example.org": (pds.did, pds.url)},
        ).start()
        try:

            async def run() -> Any:
                client = PlatformClient(
                    "bluesky",
                    entry.url,
                    token=Secret("alice.example.org:pw-1"),
                    policy=FAST_RETRIES,
                    auth_header=Bluesky.auth_header,
                    trusted_hosts=frozenset({api_origin(entry.url)}),
                )
                async with client:
                    settings_ = BlueskySettings(service=entry.url, plc_directory=f"{entry.url}/plc")
                    await Bluesky(settings_, AdapterContext(http=client)).prepare()

            with pytest.raises(ConfigError) as refused:
                asyncio.run(run())
        finally:
            entry.stop()
        assert refused.value.field == "platforms.bluesky.handle"
        assert f"not sent to {api_origin(pds.url)}" in str(refused.value)
        assert "api-hosts" in str(refused.value)
        assert pds.requests == [], "the PDS got the app password"


def test_the_write_point_limit_is_waited_out_never_doubled(sandbox_factory):
    sandbox = sandbox_factory(["bluesky"], fake_options={"bluesky": {"write_points": (2, 100.0)}})
    fake = fake_of(sandbox, "bluesky", FakeBluesky)
    config = announce_now(sandbox.config)
    report = run_publish(config, [make_doc(f"p{n}") for n in range(3)])
    assert [r.status for r in report.results] == [Status.CREATED] * 3
    # One write (2 points) per 1 s window: three writes within one boundary meet the limit.
    assert fake.rate_limited >= 1
    assert all(len(fake.copies(f"https://blog.example.com/posts/p{n}/")) == 1 for n in range(3))


def test_the_cover_is_uploaded_as_the_cards_thumbnail(bluesky, tmp_path):
    _sandbox, fake, config = bluesky
    cover = tmp_path / "cover.png"
    cover.write_bytes(png(4))
    doc = make_doc("covered", cover=Asset(path=cover, alt="A cover"))
    run_publish(config, [doc])
    (post,) = fake.copies(doc.canonical_url)
    thumb = post["value"]["embed"]["external"]["thumb"]
    assert thumb["$type"] == "blob" and thumb["mimeType"] == "image/png"
    assert thumb["ref"]["$link"].startswith("bafkrei") and thumb["size"] == len(png(4))
    (upload,) = [r for r in fake.requests if r.path.endswith("uploadBlob")]
    assert upload.header("content-type") == "image/png" and upload.body == png(4)


def test_the_fake_refuses_what_the_pds_refuses(bluesky):
    sandbox, fake, _config = bluesky
    import httpx

    login = httpx.post(
        f"{fake.url}/xrpc/com.atproto.server.createSession",
        json={"identifier": fake.account_handle, "password": sandbox.tokens["bluesky"]},
    ).json()
    auth = {"Authorization": f"Bearer {login['accessJwt']}"}
    record = {"text": "x" * 301, "createdAt": "2026-01-01T00:00:00Z"}
    base = {"repo": fake.did, "collection": "app.bsky.feed.post", "rkey": tid(1, 1)}
    too_long = httpx.post(
        f"{fake.url}/xrpc/com.atproto.repo.putRecord", json={**base, "record": record}, headers=auth
    )
    assert too_long.status_code == 400 and too_long.json()["error"] == "InvalidRequest"
    bad_key = httpx.post(
        f"{fake.url}/xrpc/com.atproto.repo.putRecord",
        json={**base, "rkey": "not-a-tid", "record": {**record, "text": "ok"}},
        headers=auth,
    )
    assert bad_key.status_code == 400
    fine = {**base, "record": {**record, "text": "ok"}, "swapRecord": None}
    assert (
        httpx.post(
            f"{fake.url}/xrpc/com.atproto.repo.putRecord", json=fine, headers=auth
        ).status_code
        == 200
    )
    same = httpx.post(f"{fake.url}/xrpc/com.atproto.repo.putRecord", json=fine, headers=auth)
    assert same.status_code == 200 and "commit" not in same.json(), "identical: a no-op"
    other = {**fine, "record": {**fine["record"], "text": "changed"}}
    swap = httpx.post(f"{fake.url}/xrpc/com.atproto.repo.putRecord", json=other, headers=auth)
    assert swap.status_code == 400 and swap.json()["error"] == "InvalidSwap"
    missing = httpx.get(
        f"{fake.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": fake.did, "collection": "app.bsky.feed.post", "rkey": tid(2, 2)},
    )
    assert missing.status_code == 400 and missing.json()["error"] == "RecordNotFound"
    profile = f"{fake.url}/xrpc/app.bsky.actor.getProfile"
    anonymous = httpx.get(profile, params={"actor": fake.did})
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "AuthMissing"
    stranger = httpx.get(profile, params={"actor": "nobody.bsky.example"}, headers=auth)
    assert stranger.status_code == 400 and stranger.json()["message"] == "Profile not found"
    own = httpx.get(profile, params={"actor": fake.account_handle}, headers=auth).json()
    assert (own["did"], own["handle"]) == (fake.did, fake.account_handle)
    fake.refused.clear()  # refused on purpose above
    fake.requests.clear()


def test_lexicon_checker_catches_what_the_lexicons_forbid():
    needs_shared(LEXICONS)
    good = {"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2026-01-01T00:00:00.000Z"}
    assert lexicon_problem("app.bsky.feed.post", good) is None
    assert "graphemes" in str(lexicon_problem("app.bsky.feed.post", {**good, "text": "é" * 301}))
    assert "datetime" in str(
        lexicon_problem("app.bsky.feed.post", {**good, "createdAt": "yesterday"})
    )
    assert "out of range" in str(
        lexicon_problem(
            "com.atproto.repo.listRecords",
            {"repo": "did:plc:x", "collection": "a.b.c", "limit": "101"},
        )
    )
    put = {
        "repo": "did:plc:abc",
        "collection": "app.bsky.feed.post",
        "rkey": "nope",
        "record": good,
    }
    assert "TID" in str(lexicon_problem("com.atproto.repo.putRecord", put))


# --------------------------------------------------------------------------- the CLI


def test_check_preview_and_drafts_through_the_cli(tmp_path):
    from click.testing import CliRunner

    from crosspost.cli.commands import main

    blog = tmp_path / "blog"
    (blog / "posts").mkdir(parents=True)
    (blog / "crosspost.toml").write_text(
        '[site]\nurl = "https://blog.example.com"\ncontent = "posts"\n\n'
        '[platforms.bluesky]\nhandle = "jane.bsky.social"\n',
        "utf-8",
    )
    (blog / "posts" / "big.png").write_bytes(png(600))
    post = blog / "posts" / "p.md"
    post.write_text(
        "---\ntitle: Covered\ndescription: A post\ntags: [2024, Python]\n"
        "image: ./big.png\n---\nB\n",
        "utf-8",
    )
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(blog)])
    assert checked.exit_code == 0, checked.output
    assert "[bluesky]: tag '2024' has no valid form here; dropped [trimmed]" in checked.stdout
    size = (blog / "posts" / "big.png").stat().st_size
    assert f"[bluesky]: the cover is {size:,} bytes; a card thumbnail holds 1,000,000" in (
        checked.stdout
    )
    assert "link card has no thumbnail [media]" in checked.stdout
    previewed = runner.invoke(main, ["preview", str(post), "--to", "bluesky"])
    assert previewed.exit_code == 0, previewed.output
    body = json.loads(previewed.stdout)
    assert body["text"].endswith("#Python") and "thumb" not in body["embed"]["external"]
    assert "no thumbnail" in previewed.stderr
    drafted = runner.invoke(
        main,
        ["publish", str(blog), "--draft", "--to", "bluesky", "--dry-run"],
        env={"CROSSPOST_BLUESKY_TOKEN": "never-used"},
    )
    assert "Bluesky has no drafts" in drafted.output, drafted.output


def test_the_command_samples_of_the_bluesky_page_run(tmp_path):
    """docs/platforms/bluesky.md: every `$ crosspost …` line, run from the repository."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    page = (root / "docs" / "platforms" / "bluesky.md").read_text("utf-8")
    samples = [line[2:].split() for line in page.splitlines() if line.startswith("$ crosspost ")]
    assert len(samples) == 2
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    for words in samples:
        done = subprocess.run(
            [str(CROSSPOST), *words[1:]], cwd=root, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert "bluesky" in done.stdout or "app.bsky.feed.post" in done.stdout


def test_the_example_blog_on_five_platforms_sends_only_lexicon_valid_requests(tmp_path):
    """`crosspost publish examples/blog --sandbox`, in-process: Bluesky gets the 4 eligible
    posts once each, after the article platforms, every request valid by the lexicons."""
    needs_shared(LEXICONS)
    options = {"bluesky": {"validator": lexicon_problem}}
    with Sandbox(time_scale=TIME_SCALE, fake_options=options) as sandbox:
        root = copy_example_blog(tmp_path / "blog", sandbox)
        config = sandbox.configure(load_config(root))
        sources, config = collect(config.content_dir, config)
        report = run_publish(config, sources)
        fake = fake_of(sandbox, "bluesky", FakeBluesky)
        created = [r for r in report.results if r.platform == "bluesky"]
        assert [r.status for r in created if r.status is not Status.HELD] == [Status.CREATED] * 4
        assert len(fake.records) == 4 and not fake.refused
        assert lexicon_errors(fake.requests) == []


def test_an_app_password_revoked_mid_run_is_named(bluesky):
    sandbox, fake, _config = bluesky

    async def run() -> Any:
        async with signed_in(fake, sandbox.tokens["bluesky"]) as sky:
            await sky.prepare()
            fake.revoke(sandbox.tokens["bluesky"])
            await sky.create(sky.render(SEED), key="k")

    with pytest.raises(AuthError) as info:
        asyncio.run(run())
    assert "Bluesky refused the session" in str(info.value)
    assert "was the app password revoked?" in str(info.value)
    assert not fake.records


class _PointsElsewhere(FakeBluesky):
    """A server whose session names a PDS over plain http: the session must not go there."""

    def _did_doc(self, did, handle, pds):
        return super()._did_doc(did, handle, "http://pds.attacker.example")


def test_a_pds_that_is_not_https_never_gets_the_session():
    with _PointsElsewhere(tokens=("pw-1",)) as fake:

        async def run() -> Any:
            async with signed_in(fake, "pw-1") as sky:
                await sky.prepare()

        with pytest.raises(EndpointError, match="not https"):
            asyncio.run(run())
    assert [r.path.rsplit("/", 1)[-1] for r in fake.requests] == [
        "com.atproto.server.createSession"
    ]


def test_the_announcement_waits_for_an_article_platform(sandbox_factory):
    sandbox = sandbox_factory(["devto", "bluesky"])
    sandbox.fakes["devto"].inject("status", status=422, times=None)
    report = run_publish(sandbox.config, [SEED])
    statuses = {r.platform: r.status for r in report.results}
    assert statuses == {"devto": Status.FAILED, "bluesky": Status.HELD}
    held = next(r for r in report.results if r.platform == "bluesky")
    assert held.message == "waiting for an article platform to publish it first"
    assert not sandbox.fakes["bluesky"].records
    sandbox.fakes["devto"].clear_faults()
    again = run_publish(sandbox.config, [SEED])
    assert {r.platform: r.status for r in again.results} == {
        "devto": Status.CREATED,
        "bluesky": Status.CREATED,
    }
    devto_done = max(r.at for r in sandbox.fakes["devto"].requests if r.method == "POST")
    (put,) = [r for r in sandbox.fakes["bluesky"].requests if r.path.endswith("putRecord")]
    assert put.at >= devto_done
