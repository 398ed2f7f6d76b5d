"""One post to all four platforms at once: concurrency, isolation of failures, and when the
Mastodon summary may go out (`after = "article"`, `"live"`, `"none"`)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from crosspost.config import Config, load_config
from crosspost.fake import FakeRequest
from crosspost.publisher import Report, Result, Status
from crosspost.records import Records
from crosspost.sandbox import Sandbox
from crosspost.testing import run_publish

from .blogs import crosspost_env, run_cli, sandbox_blog
from .site import FakeSite

ARTICLES = ["devto", "hashnode", "medium"]
ALL = [*ARTICLES, "mastodon"]
LATENCY = 0.2
CANONICAL = "https://blog.example.com/posts/fanout/"

POST = """---
title: "One post, four platforms"
description: "What happens when a post fans out."
date: 2024-03-01
tags: [Python, Social Media]
---

Text of the post.
"""


@pytest.fixture
def site() -> Iterator[FakeSite]:
    with FakeSite() as server:
        yield server


def make_blog(
    root: Path, sandbox: Sandbox, *, site_url: str = "https://blog.example.com", mastodon: str = ""
) -> Path:
    """A blog with one post, every platform pointed at `sandbox`; `mastodon` adds keys to its
    table. Returns the post."""
    sandbox_blog(root, sandbox)
    config = root / "crosspost.toml"
    text = config.read_text("utf-8").replace("https://blog.example.com", site_url)
    config.write_text(text.replace("[platforms.mastodon]\n", f"[platforms.mastodon]\n{mastodon}"))
    post = root / "posts" / "fanout.md"
    post.parent.mkdir(parents=True)
    post.write_text(POST, "utf-8")
    return post


def configured(root: Path, sandbox: Sandbox) -> Config:
    return sandbox.configure(load_config(root / "crosspost.toml"))


def statuses(report: Report) -> dict[str, Status]:
    return {r.platform: r.status for r in report.results}


def result(report: Report, platform: str) -> Result:
    (found,) = [r for r in report.results if r.platform == platform]
    return found


def create_request(sandbox: Sandbox, platform: str) -> FakeRequest:
    """The request that created the post on `platform`."""
    marks = {
        "devto": ("POST", "/articles", ""),
        "hashnode": ("POST", "/", "PublishPost"),
        "medium": ("POST", "/posts", ""),
        "mastodon": ("POST", "/api/v1/statuses", ""),
    }
    method, path, operation = marks[platform]
    (found,) = [
        r
        for r in sandbox.fakes[platform].requests
        if r.method == method and r.path.endswith(path) and operation in r.body.decode()
    ]
    return found


def toots(sandbox: Sandbox) -> list[str]:
    fake = sandbox.fakes["mastodon"]
    return [r.json()["status"] for r in fake.requests if r.path == "/api/v1/statuses"]


def test_every_platform_is_published_at_once(tmp_path, sandbox_factory):
    """With 200 ms per request, the platforms' request chains overlap in time: none waits for
    another to finish. The toot goes out only once an article platform has answered."""
    sandbox = sandbox_factory(ALL, latency=LATENCY)
    post = make_blog(tmp_path, sandbox)
    report = run_publish(configured(tmp_path, sandbox), [post])
    assert statuses(report) == dict.fromkeys(ALL, Status.CREATED)
    spans = {
        name: (fake.requests[0].at, fake.requests[-1].at + LATENCY)
        for name, fake in sandbox.fakes.items()
    }
    for first, second in itertools.permutations(ALL, 2):
        assert spans[second][0] < spans[first][1], f"{second} began after {first} had finished"
    first_article_answer = min(create_request(sandbox, p).at for p in ARTICLES) + LATENCY
    assert create_request(sandbox, "mastodon").at >= first_article_answer
    (toot,) = toots(sandbox)
    assert CANONICAL in toot
    assert len(sandbox.fakes["mastodon"].copies(CANONICAL)) == 1


def test_one_failing_platform_never_blocks_or_undoes_the_others(tmp_path, sandbox_factory):
    sandbox = sandbox_factory(ALL)
    post = make_blog(tmp_path, sandbox)
    sandbox.fakes["hashnode"].inject("graphql-error", code="FORBIDDEN", times=None)
    env = crosspost_env(sandbox)
    run = run_cli("publish", str(post), env=env, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    rows = {line.split()[1]: line for line in run.stdout.splitlines() if "posts/fanout.md" in line}
    assert set(rows) == set(ALL)
    assert " failed " in rows["hashnode"]
    assert "is not on Hashnode's Pro plan" in rows["hashnode"]
    for name in ("devto", "medium", "mastodon"):
        assert " created " in rows[name]
    records = Records.read(tmp_path / ".crosspost" / "records.json")
    entries = records.entries(CANONICAL)
    assert {n: e.state for n, e in entries.items()} == dict.fromkeys(
        ["devto", "medium", "mastodon"], "published"
    )

    sandbox.fakes["hashnode"].clear_faults()
    again = run_cli("publish", str(post), "--json", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert {r["platform"]: r["status"] for r in json.loads(again.stdout)["results"]} == {
        "devto": "unchanged",
        "hashnode": "created",
        "medium": "unchanged",
        "mastodon": "unchanged",
    }
    for name, fake in sandbox.fakes.items():
        assert len(fake.copies(CANONICAL)) == 1, name


def test_the_toot_is_held_until_an_article_platform_has_the_post(tmp_path, sandbox_factory):
    sandbox = sandbox_factory(ALL)
    post = make_blog(tmp_path, sandbox)
    config = configured(tmp_path, sandbox)
    for name in ARTICLES:
        sandbox.fakes[name].inject("status", status=401, times=None)
    report = run_publish(config, [post])
    assert report.exit_code == 1
    assert statuses(report) == {**dict.fromkeys(ARTICLES, Status.FAILED), "mastodon": Status.HELD}
    held = result(report, "mastodon").message
    assert held == "waiting for an article platform to publish it first"
    assert toots(sandbox) == []
    assert Records.read(config.records).entries(CANONICAL) == {}

    for name in ARTICLES:
        sandbox.fakes[name].clear_faults()
    report = run_publish(config, [post])
    assert statuses(report) == dict.fromkeys(ALL, Status.CREATED)
    for name, fake in sandbox.fakes.items():
        assert len(fake.copies(CANONICAL)) == 1, name


def test_after_live_posts_the_toot_once_the_canonical_page_answers(tmp_path, sandbox_factory, site):
    sandbox = sandbox_factory(ALL)
    post = make_blog(tmp_path, sandbox, site_url=site.url, mastodon='after = "live"\n')
    config = configured(tmp_path, sandbox)
    page = site.page("/posts/fanout/")
    report = run_publish(config, [post])
    assert statuses(report) == {**dict.fromkeys(ARTICLES, Status.CREATED), "mastodon": Status.HELD}
    assert result(report, "mastodon").message == (
        "the canonical page is not live yet (404); will retry"
    )
    assert toots(sandbox) == []

    site.deploy("/posts/fanout/")
    report = run_publish(config, [post])
    assert statuses(report) == {
        **dict.fromkeys(ARTICLES, Status.UNCHANGED),
        "mastodon": Status.CREATED,
    }
    (toot,) = toots(sandbox)
    assert page in toot
    assert site.hits("/posts/fanout/") == 2


def test_after_live_does_not_wait_for_the_article_platforms(tmp_path, sandbox_factory, site):
    sandbox = sandbox_factory(ALL)
    post = make_blog(tmp_path, sandbox, site_url=site.url, mastodon='after = "live"\n')
    site.deploy("/posts/fanout/")
    for name in ARTICLES:
        sandbox.fakes[name].inject("status", status=401, times=None)
    report = run_publish(configured(tmp_path, sandbox), [post])
    assert statuses(report) == {
        **dict.fromkeys(ARTICLES, Status.FAILED),
        "mastodon": Status.CREATED,
    }


def test_after_none_posts_the_toot_whatever_the_articles_do(tmp_path, sandbox_factory):
    sandbox = sandbox_factory(ALL)
    post = make_blog(tmp_path, sandbox, mastodon='after = "none"\n')
    for name in ARTICLES:
        sandbox.fakes[name].inject("status", status=401, times=None)
    report = run_publish(configured(tmp_path, sandbox), [post])
    assert report.exit_code == 1
    assert statuses(report) == {
        **dict.fromkeys(ARTICLES, Status.FAILED),
        "mastodon": Status.CREATED,
    }
    (toot,) = toots(sandbox)
    assert CANONICAL in toot
