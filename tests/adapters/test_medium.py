"""Medium-style: rendering, the fake, and the engine end to end over real sockets.

Medium can only create: no update, no lookup. So the engine must report a changed post instead of
re-posting it, and leave an ambiguous create for a human (`unknown`, exit 3) until `--force`.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

import crosspost
from crosspost.adapter import AdapterContext
from crosspost.adapters.medium import Medium, MediumSettings, medium_tag
from crosspost.adapters.medium.fake import FakeMedium
from crosspost.config import Config, SiteConfig
from crosspost.document import Asset, Document, RemotePost
from crosspost.errors import AuthError, ContentError, EndpointError, PlatformError, RejectedError
from crosspost.fake import FakeRequest, FaultKind
from crosspost.http import PlatformClient
from crosspost.publisher import Status
from crosspost.records import Entry, Records
from crosspost.sandbox import Sandbox
from crosspost.testing import run_publish
from crosspost.testing import sample_document as make_doc

from ..conftest import SEED_POST, SPECS, needs_shared

README = SPECS / "medium" / "README.md"

SandboxFactory = Callable[..., Sandbox]
MediumEnv = tuple[Sandbox, FakeMedium]


def adapter(settings: MediumSettings | None = None, tags: dict[str, str] | None = None) -> Medium:
    client = PlatformClient("medium", "https://api.medium.com/v1")
    return Medium(settings or MediumSettings(), AdapterContext(http=client, tags=tags or {}))


def render(doc: Document, *, draft: bool = False, **settings: Any) -> Any:
    return adapter(MediumSettings(**settings)).render(doc, draft=draft)


# --------------------------------------------------------------------------- render


def test_title_opens_the_content_and_the_body_follows() -> None:
    body = render(make_doc("t")).body
    assert body["title"] == "Post t"
    assert body["contentFormat"] == "markdown"
    assert body["content"] == "# Post t\n\n" + make_doc("t").body
    assert body["canonicalUrl"] == "https://blog.example.com/posts/t/"


def test_cover_is_the_first_image_under_the_title() -> None:
    cover = Asset(url="https://blog.example.com/img/hero (1).png", alt="A [hero]")
    content = render(make_doc("c", cover=cover)).body["content"]
    first, image, rest = content.split("\n\n", 2)
    assert first == "# Post c"
    assert image == r"![A \[hero\]](https://blog.example.com/img/hero%20%281%29.png)"
    assert rest.startswith("Body of c.")


def test_cover_without_url_is_left_out_with_a_notice(tmp_path: Path) -> None:
    payload = render(make_doc("local", cover=Asset(path=tmp_path / "x.png")))
    assert "![" not in payload.body["content"]
    assert any("cover" in n.message for n in payload.notices)


def test_tags_are_what_medium_applies_at_most_3_of_25_chars() -> None:
    long = "A tag that is far too long for Medium"
    doc = make_doc("tags", tags=("Python", long, "Social  Media", "python", "Growth", "Extra"))
    payload = render(doc)
    assert payload.body["tags"] == ["Python", "Social Media", "Growth"]
    messages = [n.message for n in payload.notices]
    assert any(long in m and "longer than 25" in m for m in messages)
    assert any("at most 3 tags" in m and "Extra" in m for m in messages)
    assert all(n.platform == "medium" for n in payload.notices)


def test_tag_table_names_are_held_to_the_same_length() -> None:
    doc = make_doc("table", tags=("k8s", "Python"))
    payload = adapter(tags={"k8s": "Kubernetes administration basics"}).render(doc)
    assert payload.body["tags"] == ["Python"]
    assert medium_tag("  Machine \n Learning ") == "Machine Learning"
    assert medium_tag("   ") is None


@pytest.mark.parametrize(
    ("configured", "draft", "sent"),
    [("public", False, "public"), ("unlisted", False, "unlisted"), ("unlisted", True, "draft")],
)
def test_publish_status_from_config_and_draft(configured: str, draft: bool, sent: str) -> None:
    payload = render(make_doc("s"), draft=draft, publish_status=configured)
    assert payload.body["publishStatus"] == sent
    assert payload.draft is (sent == "draft")


def test_notify_followers_and_license_come_from_config() -> None:
    body = render(make_doc("n")).body
    assert body["notifyFollowers"] is False
    assert body["license"] == "all-rights-reserved"
    body = render(make_doc("n"), notify_followers=True, license="cc-40-by").body
    assert body["notifyFollowers"] is True
    assert body["license"] == "cc-40-by"


def test_non_ascii_and_markdown_titles_are_shown_verbatim() -> None:
    doc = make_doc("u", title="Café <b>*naïve*</b> C# — 日本語 🚀")
    payload = render(doc)
    assert payload.body["title"] == "Café <b>*naïve*</b> C# — 日本語 🚀"
    heading = payload.body["content"].split("\n\n", 1)[0]
    assert heading == r"# Café &lt;b>\*naïve\*&lt;/b> C\# — 日本語 🚀"
    assert json.loads(json.dumps(payload.body, ensure_ascii=False)) == payload.body


def test_long_title_notice_and_blank_title_refused() -> None:
    payload = render(make_doc("long", title="x" * 150))
    assert payload.body["title"] == "x" * 150
    assert any("100 characters" in n.message for n in payload.notices)
    with pytest.raises(ContentError, match="needs a title"):
        render(make_doc("blank", title=" \n "))


def _seed_document() -> Document:
    """The seed post as sources would read it (front matter fields, body after it)."""
    text = SEED_POST.read_text("utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    return Document(
        title=meta["title"],
        body=body.lstrip("\n"),
        canonical_url="https://blog.example.com/posts/reaching-for-the-stars/",
        description=meta["description"],
        tags=tuple(meta["tags"]),
        category=meta["category"],
        lang=meta["lang"] or None,
        slug="reaching-for-the-stars",
        source_hash="sha256:seed",
    )


def test_the_seed_post() -> None:
    needs_shared(SEED_POST)
    doc = _seed_document()
    payload = render(doc)
    body = payload.body
    assert body["title"] == doc.title
    assert body["content"].startswith(f"# {doc.title}\n\n")
    assert body["content"].endswith(doc.body)
    assert body["tags"] == ["Social Media", "Growth", "Medium"]
    assert payload.notices == ()


def test_the_seed_post_through_sources(tmp_path: Path) -> None:
    needs_shared(SEED_POST)
    pytest.importorskip("crosspost.sources", reason="crosspost.sources is not built yet")
    config = Config(root=tmp_path, site=SiteConfig(url="https://blog.example.com"))
    doc = crosspost.load_text(SEED_POST.read_text("utf-8"), path="seed.md", config=config)
    payload = render(doc)
    assert payload.body["content"].startswith(f"# {doc.title}\n\n\\#image: ")
    assert payload.body["tags"] == ["Social Media", "Growth", "Medium"]


def test_update_and_find_refuse_clearly() -> None:
    medium = adapter()
    remote = RemotePost(id="e6f36a", url="https://medium.com/@me/x-e6f36a")
    payload = render(make_doc("x"))
    with pytest.raises(PlatformError, match="no endpoint to change"):
        asyncio.run(medium.update(remote, payload))
    with pytest.raises(PlatformError, match="cannot list"):
        asyncio.run(medium.find(make_doc("x")))


# --------------------------------------------------------------------------- the fake


@pytest.fixture
def api() -> Iterator[tuple[FakeMedium, httpx.Client]]:
    """The fake alone, with a client holding a good token and a writer's publication."""
    fake = FakeMedium(tokens=("k",), publications={"pub": "writer"})
    with fake, httpx.Client(base_url=fake.settings()["api_url"]) as client:
        client.headers["Authorization"] = "Bearer k"
        yield fake, client


POST = {"title": "Hello", "contentFormat": "markdown", "content": "# Hello"}


def test_the_fake_answers_auth_and_me_like_medium(api: tuple[FakeMedium, httpx.Client]) -> None:
    fake, client = api
    answer = client.get("/me", headers={"Authorization": "Bearer bad"})
    assert answer.status_code == 401
    assert answer.json() == {"errors": [{"message": "An access token is required.", "code": 6000}]}
    me = client.get("/me").json()["data"]
    assert set(me) == {"id", "username", "name", "url", "imageUrl"}
    fake.revoked, fake.revoked_code = True, 6004
    answer = client.get("/me")
    assert answer.json() == {"errors": [{"message": "User not found", "code": 6004}]}


def test_the_fake_validates_like_medium(api: tuple[FakeMedium, httpx.Client]) -> None:
    fake, client = api
    posts = f"/users/{fake.user_id}/posts"
    answer = client.post(posts, json={"title": "t", "contentFormat": "markdown"})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"] == "content is required"
    answer = client.post(posts, json={**POST, "coverImage": "x"})
    assert answer.json()["errors"][0] == {
        "message": "Unexpected field (coverImage) specified",
        "code": 6007,
    }
    assert client.post(posts, json={**POST, "publishStatus": "secret"}).status_code == 400
    assert client.post(posts, json={**POST, "license": "mit"}).status_code == 400
    assert client.post("/users/someone-else/posts", json=POST).status_code == 403
    assert client.post("/publications/pub/posts", json=POST).status_code == 403, "writer"
    assert client.post("/publications/other/posts", json=POST).status_code == 403
    assert client.get(posts).status_code == 404, "Medium cannot list posts"
    assert not fake.posts


def test_the_fake_applies_what_medium_applies(api: tuple[FakeMedium, httpx.Client]) -> None:
    fake, client = api
    posts = f"/users/{fake.user_id}/posts"
    answer = client.post(posts, json={**POST, "tags": ["one", "x" * 26, "two", "three", "four"]})
    assert answer.status_code == 201
    post = answer.json()["data"]
    assert re.fullmatch(r"[0-9a-f]{12}", post["id"])
    assert post["url"] == f"https://medium.com/@sandbox/hello-{post['id']}"
    assert post["tags"] == ["one", "two", "three"], "applied, not refused"
    assert "canonicalUrl" not in post
    assert isinstance(post["publishedAt"], int)
    assert post["authorId"] == fake.user_id
    assert post["license"] == "all-rights-reserved"
    draft = client.post(posts, json={**POST, "publishStatus": "draft"}).json()["data"]
    assert "publishedAt" not in draft
    answer = client.post("/publications/pub/posts", json={**POST, "publishStatus": "draft"})
    assert answer.json()["data"]["publicationId"] == "pub"
    long_title = client.post(posts, json={**POST, "title": "y" * 101}).json()["data"]
    assert long_title["title"] == "Hello", "synthesized from the content"
    assert len(fake.posts) == 4


# --------------------------------------------------------------------------- end to end


@pytest.fixture
def medium(sandbox_factory: SandboxFactory) -> MediumEnv:
    sandbox = sandbox_factory(["medium"])
    return sandbox, fake_of(sandbox)


def fake_of(sandbox: Sandbox) -> FakeMedium:
    fake = sandbox.fakes["medium"]
    assert isinstance(fake, FakeMedium)
    return fake


def tuned(config: Config, *, timeout: float | None = None, **options: Any) -> Config:
    """`config` with different [platforms.medium] keys (and client timeout)."""
    pc = config.platforms["medium"]
    pc = replace(pc, options={**pc.options, **options}, timeout=timeout or pc.timeout)
    return replace(config, platforms={"medium": pc})


def sent(fake: FakeMedium, method: str = "POST") -> list[Any]:
    return [r for r in fake.requests if r.method == method]


def record(config: Config, doc: Document) -> Entry:
    entry = Records.read(config.records).get(doc.canonical_url, "medium")
    assert entry is not None, f"no record for {doc.canonical_url}"
    return entry


def test_publish_twice_is_one_post_and_no_second_request(medium: MediumEnv) -> None:
    sandbox, fake = medium
    doc = make_doc("twice", cover=Asset(url="https://blog.example.com/c.png"))
    first = run_publish(sandbox.config, [doc])
    assert [r.status for r in first.results] == [Status.CREATED]
    (post,) = fake.by_canonical(doc.canonical_url)
    assert first.results[0].url == post["url"]
    count = len(fake.requests)
    second = run_publish(sandbox.config, [doc])
    assert [r.status for r in second.results] == [Status.UNCHANGED]
    assert len(fake.requests) == count, "an unchanged post must cost no request"
    entry = record(sandbox.config, doc)
    assert entry.state == "published"
    assert entry.id == post["id"]
    assert sandbox.tokens["medium"] not in sandbox.config.records.read_text("utf-8")


def test_user_id_is_looked_up_once_across_runs(medium: MediumEnv) -> None:
    sandbox, fake = medium
    run_publish(sandbox.config, [make_doc("one")])
    run_publish(sandbox.config, [make_doc("two")])
    assert len(sent(fake, "GET")) == 1
    assert Records.read(sandbox.config.records).account("medium")["user_id"] == fake.user_id
    assert len(fake.posts) == 2


def test_a_changed_post_is_reported_never_reposted(medium: MediumEnv) -> None:
    sandbox, fake = medium
    doc = make_doc("changed")
    run_publish(sandbox.config, [doc])
    count = len(fake.requests)
    report = run_publish(sandbox.config, [replace(doc, body="New body\n", source_hash="sha256:2")])
    (result,) = report.results
    assert result.status is Status.UNSUPPORTED
    assert result.message.startswith("changed; crosspost cannot update a copy on Medium-style (")
    assert "`crosspost records set " in result.message
    assert report.exit_code == 0
    assert len(fake.requests) == count


def test_draft_run_creates_a_medium_draft(medium: MediumEnv) -> None:
    sandbox, fake = medium
    doc = make_doc("draft")
    run_publish(sandbox.config, [doc], draft=True)
    (post,) = fake.by_canonical(doc.canonical_url)
    assert post["publishStatus"] == "draft"
    assert "publishedAt" not in post
    assert record(sandbox.config, doc).draft


@pytest.mark.parametrize(
    ("fault", "options"),
    [
        ("drop-after", {}),
        ("hang-after", {"delay": 0.4}),
        ("hang-before", {"delay": 0.4}),
        ("malformed", {}),
        ("status", {"status": 500}),
        ("html", {"status": 200}),
    ],
    ids=[
        "commit-then-drop",
        "timeout-after-commit",
        "timeout-after-send",
        "malformed",
        "5xx",
        "html-200",
    ],
)
def test_an_ambiguous_create_needs_attention_until_forced(
    medium: MediumEnv, fault: FaultKind, options: dict[str, Any]
) -> None:
    sandbox, fake = medium
    config = tuned(sandbox.config, timeout=0.2)
    fake.inject(fault, method="POST", **options)
    doc = make_doc("ambiguous")
    report = run_publish(config, [doc])
    (result,) = report.results
    assert (result.status, report.exit_code) == (Status.ATTENTION, 3), result.message
    assert "--force" in result.message
    assert len(sent(fake)) == 1, "an ambiguous create is never blindly resent"
    assert record(config, doc).state == "unknown"
    created = len(fake.posts)

    again = run_publish(config, [doc])
    assert [r.status for r in again.results] == [Status.ATTENTION]
    assert again.exit_code == 3
    assert len(sent(fake)) == 1
    assert len(fake.posts) == created

    forced = run_publish(config, [doc], force=True)
    assert [r.status for r in forced.results] == [Status.CREATED]
    assert forced.exit_code == 0
    assert len(fake.posts) == created + 1
    assert record(config, doc).state == "published"


def test_a_crashed_create_is_left_for_a_human(medium: MediumEnv) -> None:
    """A run killed after sending leaves `pending`; Medium cannot be searched, so the next run
    must not guess: `unknown`, attention, nothing sent."""
    sandbox, fake = medium
    doc = make_doc("crashed")
    with Records.open(sandbox.config.records) as records:
        records.put(doc.canonical_url, "medium", Entry("pending", key="k1"), source=None)
    report = run_publish(sandbox.config, [doc])
    assert [r.status for r in report.results] == [Status.ATTENTION]
    assert report.exit_code == 3
    assert record(sandbox.config, doc).state == "unknown"
    assert not sent(fake)


class _ConnectTimeoutOnce(httpx.AsyncBaseTransport):
    """A real transport whose first POST times out while connecting (provably never sent)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.failed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and not self.failed:
            self.failed = True
            raise httpx.ConnectTimeout("timed out while connecting", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("cause", ["connect-timeout", "refused", "503-retry-after", "429-page"])
def test_a_create_that_provably_was_not_sent_is_retried_once(medium: MediumEnv, cause: str) -> None:
    sandbox, fake = medium
    options: dict[str, Any] = {}
    if cause == "connect-timeout":
        options["transports"] = {"medium": _ConnectTimeoutOnce()}
    elif cause == "refused":
        fake.refuse(0.1)
    elif cause == "503-retry-after":
        fake.inject("status", status=503, method="POST", retry_after=1)
    else:
        fake.inject("html", status=429, method="POST")
    doc = make_doc("retried")
    report = run_publish(sandbox.config, [doc], **options)
    assert [r.status for r in report.results] == [Status.CREATED], report.results
    assert len(fake.by_canonical(doc.canonical_url)) == 1


def test_429_with_retry_after_waits_then_posts_once(medium: MediumEnv) -> None:
    sandbox, fake = medium
    fake.inject("status", status=429, method="POST", retry_after=1)
    doc = make_doc("limited")
    report = run_publish(sandbox.config, [doc])
    assert report.exit_code == 0
    first, second = sent(fake)
    assert second.at - first.at >= 0.9, "Retry-After is honoured"
    assert len(fake.by_canonical(doc.canonical_url)) == 1


def test_bad_token_is_a_clear_failure_and_never_printed(medium: MediumEnv) -> None:
    sandbox, fake = medium
    fake.tokens = {"something-else"}
    report = run_publish(sandbox.config, [make_doc("auth")])
    (result,) = report.results
    assert report.exit_code == 1
    assert isinstance(result.error, AuthError)
    assert "An access token is required." in result.message
    assert "CROSSPOST_MEDIUM_TOKEN" in result.message
    assert "no longer issues" in result.message
    assert sandbox.tokens["medium"] not in result.message
    assert not Records.read(sandbox.config.records).urls()


@pytest.mark.parametrize(
    ("code", "words"), [(6004, "User not found"), (6005, "Application not found")]
)
def test_revoked_token_is_explained(sandbox_factory: SandboxFactory, code: int, words: str) -> None:
    sandbox = sandbox_factory(
        ["medium"], fake_options={"medium": {"revoked": True, "revoked_code": code}}
    )
    report = run_publish(sandbox.config, [make_doc("revoked")])
    (result,) = report.results
    assert report.exit_code == 1
    assert isinstance(result.error, AuthError)
    assert f"{words} (code {code})" in result.message
    assert "revoked or never was a valid one" in result.message
    assert "CROSSPOST_MEDIUM_TOKEN" in result.message
    assert sandbox.tokens["medium"] not in result.message


def test_a_refusal_carries_mediums_message(medium: MediumEnv) -> None:
    sandbox, fake = medium
    fake.inject("status", status=400, method="POST")
    report = run_publish(sandbox.config, [make_doc("refused")])
    (result,) = report.results
    assert isinstance(result.error, RejectedError)
    assert report.exit_code == 1
    assert "Medium refused the post: injected failure" in result.message
    assert not Records.read(sandbox.config.records).urls()


def test_an_html_page_is_not_the_api(medium: MediumEnv) -> None:
    sandbox, fake = medium
    fake.inject("html", status=404, path="/v1/me")
    report = run_publish(sandbox.config, [make_doc("html")])
    (result,) = report.results
    assert isinstance(result.error, EndpointError)
    assert f"{fake.url}/v1/me" in result.message
    assert "api_url" in result.message
    assert not sent(fake)


def test_a_stale_cached_user_id_is_dropped_and_looked_up_again(medium: MediumEnv) -> None:
    sandbox, fake = medium
    run_publish(sandbox.config, [make_doc("first")])
    with Records.open(sandbox.config.records) as records:
        account = records.account("medium")
        records.save_account("medium", {**account, "user_id": "someone-else"})
    report = run_publish(sandbox.config, [make_doc("second")])
    (result,) = report.results
    assert isinstance(result.error, AuthError)
    assert "looked up again" in result.message
    assert "user_id" not in Records.read(sandbox.config.records).account("medium")
    report = run_publish(sandbox.config, [make_doc("second")])
    assert [r.status for r in report.results] == [Status.CREATED]
    assert len(sent(fake, "GET")) == 2


def test_publication_writers_may_only_create_drafts(sandbox_factory: SandboxFactory) -> None:
    roles = {"pubwrite": "writer", "pubedit": "editor"}
    sandbox = sandbox_factory(["medium"], fake_options={"medium": {"publications": roles}})
    fake = fake_of(sandbox)
    writer = tuned(sandbox.config, publication_id="pubwrite")
    report = run_publish(writer, [make_doc("w")])
    (result,) = report.results
    assert isinstance(result.error, RejectedError)
    assert "writers may only create drafts" in result.message
    assert "Writers can only create draft posts" in result.message
    assert [r.status for r in run_publish(writer, [make_doc("w")], draft=True).results] == [
        Status.CREATED
    ]
    editor = tuned(sandbox.config, publication_id="pubedit")
    assert run_publish(editor, [make_doc("e")]).exit_code == 0
    assert [(p["publicationId"], p["publishStatus"]) for p in fake.posts] == [
        ("pubwrite", "draft"),
        ("pubedit", "public"),
    ]


# --------------------------------------------------------------------------- contract


@cache
def documented() -> tuple[list[tuple[str, re.Pattern[str]]], dict[str, dict[str, Any]]]:
    """The README's endpoints, and its "Creating a post" field table as
    {field: {"type", "required", "enum"}}."""
    text = README.read_text("utf-8")
    endpoints = [
        (method, re.compile(re.sub(r"\\\{\\\{\w+\\\}\\\}", "[^/]+", re.escape(path)) + "$"))
        for method, path in re.findall(
            r"^(GET|POST) https://api\.medium\.com(/v1/\S+)$", text, re.M
        )
    ]
    section = text.split("#### Creating a post\n", 1)[1].split("With the following fields:", 1)[1]
    fields: dict[str, dict[str, Any]] = {}
    for line in section.strip().splitlines()[2:]:
        if not line.startswith("|"):
            break
        name, kind, required, description = (c.strip() for c in line.strip("|").split("|", 3))
        enum = None
        if "valid values" in description.lower():
            tail = description.lower().split("valid values", 1)[1].split(". the default")[0]
            enum = set(re.findall(r"[“\"]([^”\"]+)[”\"]", tail))
        fields[name] = {"type": kind, "required": required == "required", "enum": enum}
    return endpoints, fields


_TYPES: dict[str, type[Any]] = {"string": str, "string array": list, "bool": bool, "enum": str}


def contract_errors(requests: list[Any]) -> list[str]:
    """Every way the requests stray from the README: endpoint, auth, fields, types, values."""
    endpoints, fields = documented()
    problems: list[str] = []
    for request in requests:
        where = f"{request.method} {request.path}"
        if not any(m == request.method and p.match(request.path) for m, p in endpoints):
            problems.append(f"{where}: not a documented endpoint")
        if not (request.header("authorization") or "").startswith("Bearer "):
            problems.append(f"{where}: no Bearer token")
        if request.method != "POST":
            continue
        if not (request.header("content-type") or "").startswith("application/json"):
            problems.append(f"{where}: not JSON")
        body = request.json()
        for name in body.keys() - fields.keys():
            problems.append(f"{where}: undocumented field {name!r}")
        for name, spec in fields.items():
            if name not in body:
                if spec["required"]:
                    problems.append(f"{where}: required field {name!r} missing")
                continue
            value = body[name]
            if not isinstance(value, _TYPES[spec["type"]]):
                problems.append(f"{where}: {name} is not a {spec['type']}: {value!r}")
            elif spec["type"] == "string array" and not all(isinstance(v, str) for v in value):
                problems.append(f"{where}: {name} has non-strings: {value!r}")
            if spec["enum"] is not None and value not in spec["enum"]:
                problems.append(f"{where}: {name}={value!r} not in {sorted(spec['enum'])}")
    return problems


def test_the_readme_table_is_read_as_expected() -> None:
    needs_shared(README)
    endpoints, fields = documented()
    assert {m for m, _ in endpoints} == {"GET", "POST"}
    assert len(endpoints) >= 4
    assert [n for n, s in fields.items() if s["required"]] == ["title", "contentFormat", "content"]
    assert fields["contentFormat"]["enum"] == {"html", "markdown"}
    assert fields["publishStatus"]["enum"] == {"public", "draft", "unlisted"}
    assert len(fields["license"]["enum"]) == 9
    assert fields["notifyFollowers"]["type"] == "bool"


def test_every_request_matches_the_readme(sandbox_factory: SandboxFactory) -> None:
    needs_shared(README)
    sandbox = sandbox_factory(
        ["medium"], fake_options={"medium": {"publications": {"p": "editor"}}}
    )
    fake = fake_of(sandbox)
    config = tuned(
        sandbox.config, notify_followers=True, license="cc-40-by-sa", publish_status="unlisted"
    )
    tags = ("Python", "Social Media", "x" * 30, "Growth", "More")
    cover = Asset(url="https://blog.example.com/c.png", alt="cover")
    run_publish(config, [make_doc("contract", tags=tags, cover=cover)])
    run_publish(config, [make_doc("contract-draft", title="Ünïcode — 日本語")], draft=True)
    run_publish(tuned(config, publication_id="p"), [make_doc("contract-pub")])
    if SEED_POST.exists():
        run_publish(sandbox.config, [_seed_document()])
    assert {r.method for r in fake.requests} == {"GET", "POST"}
    assert len(fake.posts) == 3 + SEED_POST.exists()
    assert contract_errors(fake.requests) == []


def test_the_contract_check_catches_strays() -> None:
    needs_shared(README)

    def post(body: dict[str, Any], path: str = "/v1/users/u/posts") -> FakeRequest:
        headers = {"authorization": "Bearer t", "content-type": "application/json"}
        return FakeRequest("POST", path, {}, headers, json.dumps(body).encode())

    problems = contract_errors(
        [
            post({"title": "t", "contentFormat": "rst", "content": "c", "coverImage": "x"}),
            post({"title": "t", "contentFormat": "html", "tags": "a, b"}),
            post({"title": "t", "contentFormat": "html", "content": "c"}, path="/v1/posts"),
        ]
    )
    assert len(problems) == 5, problems
