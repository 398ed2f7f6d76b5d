"""The inventory (issue 16, part 1): a run that looks many posts up lists the account once.

`find` pages through the account's posts for every post; adopting N posts used to read the
list N times. Each built-in adapter that can list (`capabilities.lists`) is driven through the
registry against its fake over real sockets, with requests counted on the fake: lists read
once per run, the run's own writes answered by a fresh read, the settle rule re-reading a list
older than the settle moment, listings bounded like `find`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import crosspost.adapter
from crosspost.adapter import Adapter, AdapterContext, BaseAdapter, Capabilities, Listed, Listing
from crosspost.adapters.devto import DevTo, DevToSettings
from crosspost.adapters.devto.fake import FakeDevTo
from crosspost.adapters.hashnode.fake import FakeHashnode
from crosspost.adapters.mastodon import Mastodon, MastodonSettings
from crosspost.adapters.mastodon.fake import FakeMastodon
from crosspost.config import load_config
from crosspost.credentials import Secret
from crosspost.document import Document
from crosspost.errors import PlatformError
from crosspost.fake import FakePlatform
from crosspost.http import PlatformClient
from crosspost.lookups import HANDFUL, Lookups
from crosspost.platforms import Platforms
from crosspost.publisher import Status
from crosspost.records import Entry, Records, now_iso
from crosspost.sandbox import Sandbox
from crosspost.sources import load_post
from crosspost.status import Verdict, refresh
from crosspost.testing import (
    FAST_RETRIES,
    TIME_SCALE,
    installed_adapters,
    run_publish,
    sample_document,
    sandbox_blog,
)
from crosspost.testing.blog import describe

Seeder = Callable[[FakePlatform, list[Document]], None]


def _seed_devto(fake: FakePlatform, docs: list[Document]) -> None:
    assert isinstance(fake, FakeDevTo)
    fake.seed({"title": d.title, "canonical_url": d.canonical_url, "published": True} for d in docs)


def _seed_hashnode(fake: FakePlatform, docs: list[Document]) -> None:
    assert isinstance(fake, FakeHashnode)
    fake.seed(
        {"title": d.title, "originalArticleURL": d.canonical_url, "slug": d.slug} for d in docs
    )


def _seed_mastodon(fake: FakePlatform, docs: list[Document]) -> None:
    """Toots in the default template's shape, as crosspost (or a person following it) writes
    them: title, description, URL, hashtags."""
    assert isinstance(fake, FakeMastodon)
    fake.seed(f"{d.title}\n\n{d.description}\n\n{d.canonical_url}\n\n#Python" for d in docs)


SEEDERS: dict[str, tuple[Seeder, int]] = {
    # platform: how its fake is given existing posts, and the real API's page size
    "devto": (_seed_devto, 1000),  # Forem per_page max (specs/forem/api_v1.json)
    "hashnode": (_seed_hashnode, 100),  # gql-skill/errors-and-limits.md, `first` max
    "mastodon": (_seed_mastodon, 40),  # accounts/statuses limit max (methods_statuses.md)
}
LISTERS = sorted(n for n, a in installed_adapters().items() if a.capabilities.lists)


def test_every_adapter_that_lists_is_tested_here() -> None:
    """A new built-in that lists gets a seeder (and its page size) above, or this fails."""
    assert sorted(SEEDERS) == LISTERS


def _docs(count: int, prefix: str = "post") -> list[Document]:
    return [sample_document(f"{prefix}-{n:04d}") for n in range(count)]


@pytest.fixture(params=LISTERS)
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    with Sandbox([request.param], time_scale=TIME_SCALE) as box:
        yield box


def _name(sandbox: Sandbox) -> str:
    (name,) = sandbox.fakes
    return name


def test_refresh_reads_each_account_once_for_many_posts(sandbox: Sandbox) -> None:
    """`status --refresh --write` over 120 posts held among other posts: the account is listed
    once (⌈held / page size⌉ pages, plus a few account reads), never once per post."""
    name = _name(sandbox)
    seed, page = SEEDERS[name]
    fake = sandbox.fakes[name]
    docs = _docs(120)
    seed(fake, _docs(130, "other") + docs)
    before = len(fake.requests)
    with Records.open(sandbox.config.records) as records:
        findings = asyncio.run(
            refresh(docs, config=sandbox.config, adapters=sandbox.adapters, records=records)
        )
    assert {f.verdict for f in findings} == {Verdict.ADOPT}
    assert [f.remote.id for f in findings if f.remote] == [
        str(fake.copies(d.canonical_url)[0]["id"]) for d in docs
    ]
    sent = len(fake.requests) - before
    assert sent <= math.ceil(250 / page) + 4, f"{sent} requests for 250 posts on {name}"


def test_verify_new_adopts_many_lost_posts_from_one_listing() -> None:
    """Lost records, `publish --verify-new`: each post found in one listing of the account and
    updated to match, none created a second time."""
    with Sandbox(["devto"], time_scale=TIME_SCALE) as sandbox:
        fake = sandbox.fakes["devto"]
        docs = _docs(12)
        _seed_devto(fake, _docs(1500, "other") + docs)
        report = run_publish(sandbox.config, docs, verify_new=True)
        assert {r.status for r in report.results} == {Status.ADOPTED}
        lists = [r for r in fake.requests if r.path.endswith("/articles/me/all")]
        assert len(lists) == 2  # 1512 articles, 1000 a page: one listing, never one per post
        assert all(len(fake.copies(d.canonical_url)) == 1 for d in docs)


def _built(sandbox: Sandbox) -> tuple[Adapter, Platforms, Records]:
    name = _name(sandbox)
    platforms = Platforms(sandbox.config, sandbox.adapters)
    records = Records.read(sandbox.config.records)
    return platforms.adapters(records)[name], platforms, records


def _lists(fake: FakePlatform) -> int:
    """Listing requests the fake received (GraphQL: the queries that page a connection)."""
    return sum(
        1
        for r in fake.requests
        if (r.path.endswith(("/articles/me/all", "/statuses")) and r.method == "GET")
        or b"FindPosts" in r.body
    )


def test_a_handful_of_lookups_lists_nothing(sandbox: Sandbox) -> None:
    """Up to `HANDFUL` posts, each lookup is a `find`: a listing of a large account would cost
    more than finds that stop at the page holding the post."""
    name = _name(sandbox)
    docs = _docs(HANDFUL)
    SEEDERS[name][0](sandbox.fakes[name], docs)
    adapter, platforms, _ = _built(sandbox)
    lookups = Lookups(adapter, docs)
    listing = _spy(adapter)

    async def look() -> list[Any]:
        try:
            assert await platforms.ready([name]) == {}
            return [await lookups.find(d) for d in docs]
        finally:
            await platforms.close(None)

    assert all(asyncio.run(look()))
    assert listing.calls == HANDFUL  # find scans the listing itself: one scan per lookup


class _Spy:
    calls = 0


def _spy(adapter: Adapter) -> _Spy:
    """Count how often `adapter.list_posts` is started (find's scans included)."""
    assert isinstance(adapter, Listing)
    spy = _Spy()
    original = adapter.list_posts

    def counted(**kw: Any) -> Any:
        spy.calls += 1
        return original(**kw)

    adapter.list_posts = counted  # type: ignore[method-assign]
    return spy


def test_the_runs_own_writes_are_read_fresh_and_the_settle_rule_lists_again(
    sandbox: Sandbox,
) -> None:
    """The inventory is read once; a copy made afterwards is invisible to it. The URL the run
    wrote is then answered by a fresh read (`wrote`), and a lookup that must see the platform
    as it is after a moment (`read_since`, the settle rule's wait) lists the account again."""
    name = _name(sandbox)
    fake = sandbox.fakes[name]
    seed = SEEDERS[name][0]
    docs = _docs(HANDFUL + 3)
    seed(fake, docs[:2])
    adapter, platforms, _ = _built(sandbox)
    lookups = Lookups(adapter, docs)
    late, written = docs[2], docs[3]

    async def run() -> None:
        try:
            assert await platforms.ready([name]) == {}
            assert await lookups.find(docs[0]) is not None  # lists the account
            listed = _lists(fake)
            seed(fake, [late, written])  # copies made after the listing
            assert await lookups.find(late) is None  # the inventory as read
            lookups.wrote(written.canonical_url)
            assert await lookups.find(written) is not None  # own write: a fresh read
            assert await lookups.find(late, read_since=time.time() - 3600) is None
            assert _lists(fake) - listed <= 2  # the write's find only, no second listing
            found = await lookups.find(late, read_since=time.time())
            assert found is not None  # listed again: read before the settle moment
            assert await lookups.find(docs[1]) is not None
        finally:
            await platforms.close(None)

    asyncio.run(run())


def test_a_pending_create_is_settled_from_a_listing_read_after_the_settle_moment() -> None:
    """A crashed run left many creates `pending` moments ago, with no answer; the copies land
    while the reconciling run waits for the platform to settle. A listing read before the wait
    must not be believed: after it, the account is listed again and every copy adopted. (This
    Forem does not refuse a second copy of a canonical URL, so a wrong "not found" would post
    every one twice.)"""
    options = {"devto": {"refuse_duplicate_canonical": False}}
    with Sandbox(["devto"], time_scale=TIME_SCALE, fake_options=options) as sandbox:
        fake = sandbox.fakes["devto"]
        docs = _docs(HANDFUL + 3)
        with Records.open(sandbox.config.records) as records:
            for doc in docs:
                entry = Entry("pending", key=f"key-{doc.slug}", at=now_iso())
                records.put(doc.canonical_url, "devto", entry, source=None)
        landed: list[str] = []

        async def settle(seconds: float) -> None:  # the creates land during the wait
            if not landed:
                _seed_devto(fake, docs)
                landed.append("yes")

        policy = dataclasses.replace(FAST_RETRIES, sleep=settle)
        report = run_publish(sandbox.config, docs, policy=policy)
        assert landed, "the run never waited for the platform to settle"
        assert {r.status for r in report.results} == {Status.ADOPTED}, describe(report)
        assert all(len(fake.copies(d.canonical_url)) == 1 for d in docs)
        assert _lists(fake) == 2  # before the wait, then once after it: not once per post


def test_a_listing_that_never_ends_stops_with_an_error() -> None:
    """Mastodon's small pages allow more of them than `find`'s default, but still a bound: a
    server whose `Link` always has a next page ends the listing with an error, never with a
    quiet "that is all" (which would re-post)."""
    seen: list[int] = []

    def endless(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        if request.url.path.endswith("verify_credentials"):
            return httpx.Response(200, json={"id": "1", "acct": "me"})
        status = {"id": str(len(seen)), "content": "<p>hi</p>", "created_at": "2030-01-01"}
        link = f'<https://social.example/api/v1/accounts/1/statuses?max_id={len(seen)}>; rel="next"'
        return httpx.Response(200, json=[status], headers={"Link": link})

    client = PlatformClient(
        "mastodon", "https://social.example", transport=httpx.MockTransport(endless)
    )
    client.set_token(Secret("not-a-real-token"))
    adapter = Mastodon(
        MastodonSettings(instance="https://social.example"), AdapterContext(http=client)
    )

    async def drain() -> list[Listed]:
        return [listed async for listed in adapter.list_posts()]

    with pytest.raises(PlatformError, match="1000 pages"):
        asyncio.run(drain())
    assert len(seen) == 1 + 1000  # the account id, then the bound's pages


def test_the_fakes_page_like_the_real_apis() -> None:
    """Seeded posts page as on the platforms, whatever page size is asked for: Forem caps
    `per_page` at 1000 (articles_controller, API_PER_PAGE_MAX; api_v1.json), Hashnode clamps
    `first` to 100 (errors-and-limits.md), Mastodon's account statuses take `limit` ≤ 40
    (statuses_controller limit_param; methods_statuses.md), newest first."""
    with Sandbox(["devto", "hashnode", "mastodon"], time_scale=TIME_SCALE) as sandbox:
        docs = _docs(1001)
        for name, (seed, _) in SEEDERS.items():
            seed(sandbox.fakes[name], docs if name == "devto" else docs[:150])
        devto, hashnode, mastodon = (sandbox.fakes[n] for n in ("devto", "hashnode", "mastodon"))
        forem = {"api-key": sandbox.tokens["devto"], "Accept": "application/vnd.forem.api-v1+json"}
        pages = [
            httpx.get(
                f"{devto.url}/api/articles/me/all",
                params={"page": page, "per_page": 5000},
                headers=forem,
            ).json()
            for page in (1, 2)
        ]
        assert [len(p) for p in pages] == [1000, 1]
        query = "query($h: String!) { publication(host: $h) { posts(first: 500) { edges { node { id } } pageInfo { hasNextPage } } } }"  # noqa: E501
        answer = httpx.post(
            hashnode.url + "/",
            json={"query": query, "variables": {"h": hashnode.settings()["publication"]}},
            headers={"Authorization": sandbox.tokens["hashnode"]},
        ).json()["data"]["publication"]["posts"]
        assert len(answer["edges"]) == 100 and answer["pageInfo"]["hasNextPage"]
        assert isinstance(mastodon, FakeMastodon)
        toots = httpx.get(
            f"{mastodon.url}/api/v1/accounts/{mastodon.account['id']}/statuses",
            params={"limit": 100},
            headers={"Authorization": f"Bearer {sandbox.tokens['mastodon']}"},
        )
        newest = [s["id"] for s in toots.json()]
        assert len(newest) == 40 and newest == sorted(newest, key=int, reverse=True)
        assert 'rel="next"' in toots.headers["Link"]


def test_a_lookup_reads_a_post_without_its_body(tmp_path: Path) -> None:
    """`status --refresh` needs a post's address (URL, title, date), not its transformed body:
    `load_post(body=False)` gives the same address and skips the body transforms."""
    with Sandbox(["devto"], time_scale=TIME_SCALE) as sandbox:
        root = sandbox_blog(tmp_path / "blog", sandbox, posts=2)
        config = load_config(root / "crosspost.toml")
        path = root / "posts" / "post-000.md"
        full, light = load_post(path, config), load_post(path, config, body=False)
    assert (light.canonical_url, light.title, light.date, light.description) == (
        full.canonical_url,
        full.title,
        full.date,
        full.description,  # from the front matter: the same
    )
    assert full.body and light.body == ""


class _EntryPoint:
    def __init__(self, name: str, cls: type) -> None:
        self.name, self.value, self._cls = name, f"plugin_module:{cls.__name__}", cls

    def load(self) -> type:
        return self._cls


def test_a_plugin_whose_find_or_listing_is_missing_is_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`BaseAdapter` gives `find` as a scan of `list_posts`: a plugin that declares `find`
    without either, or `lists` without `list_posts` or without `find`, is a warning at load
    time, not a `NotImplementedError` in the middle of a run."""
    caps = DevTo.capabilities

    class Blind(BaseAdapter):
        name = "blind"
        capabilities = Capabilities()
        Settings = DevToSettings
        render = create = update = DevTo.render

    class Unlisted(Blind):
        name = "unlisted"
        capabilities = Capabilities(lists=True)

    class Unsearchable(DevTo):
        name = "unsearchable"
        capabilities = dataclasses.replace(caps, find=False)

    plugins = [_EntryPoint(c.name, c) for c in (Blind, Unlisted, Unsearchable)]
    monkeypatch.setattr(crosspost.adapter, "entry_points", lambda group: plugins)
    warnings: list[str] = []
    assert crosspost.adapter.load_adapters(warn=warnings.append) == {}
    assert warnings == [
        "adapter plugin 'blind' (plugin_module:Blind) can be searched (`find`) but implements "
        "neither `find` nor `list_posts`; skipped",
        "adapter plugin 'unlisted' (plugin_module:Unlisted) declares `lists` but does not "
        "implement `list_posts`; skipped",
        "adapter plugin 'unsearchable' (plugin_module:Unsearchable) declares `lists` without "
        "`find` (a listing is a search); skipped",
    ]
