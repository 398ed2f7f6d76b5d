"""`crosspost publish --wait-live SECONDS` end to end: the site is still deploying, so posts
whose page or images do not answer 200 yet are held for the next run, and a page that goes
live during the wait is published."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from crosspost.records import Records

from .blogs import crosspost_env, run_cli, sandbox_blog
from .site import FakeSite

ALL = ["devto", "hashnode", "medium", "mastodon"]

POST = """---
title: "{slug}"
description: "Post {slug}."
date: 2024-03-01
tags: [Python]
---

{body}
"""


@pytest.fixture
def site() -> Iterator[FakeSite]:
    with FakeSite() as server:
        yield server


def write_post(root: Path, slug: str, body: str = "Text.") -> None:
    path = root / "posts" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(POST.format(slug=slug, body=body), "utf-8")


def test_wait_live_holds_what_is_not_deployed_until_the_next_run(tmp_path, sandbox_factory, site):
    sandbox = sandbox_factory(ALL)
    root = sandbox_blog(tmp_path, sandbox)
    config = root / "crosspost.toml"
    config.write_text(config.read_text("utf-8").replace("https://blog.example.com", site.url))
    write_post(root, "live", "![chart](/img/chart.png)")
    write_post(root, "later")
    write_post(root, "never")
    write_post(root, "broken", "![gone](/img/gone.png)")
    site.deploy("/posts/live/", "/img/chart.png", "/posts/broken/")
    site.deploy("/posts/later/", after=1)  # goes live during the wait

    env = crosspost_env(sandbox)
    run = run_cli("publish", "--wait-live", "1", "--json", env=env, cwd=root)
    assert run.returncode == 0, run.stderr
    results: dict[str, list[tuple[str, str]]] = {}
    for r in json.loads(run.stdout)["results"]:
        slug = Path(r["post"]).stem
        results.setdefault(slug, []).append((r["platform"], r["status"]))
        if r["status"] == "held":
            results[slug].append((r["platform"], r["message"]))
    created = sorted((name, "created") for name in ALL)
    assert sorted(results["live"]) == created
    assert sorted(results["later"]) == created
    assert results["never"] == [
        ("*", "held"),
        ("*", f"not live yet: {site.page('/posts/never/')} (404)"),
    ]
    assert results["broken"] == [
        ("*", "held"),
        ("*", f"not live yet: {site.page('/img/gone.png')} (404)"),
    ]
    assert site.hits("/posts/later/") >= 2, "the page was polled again during the wait"

    records = Records.read(root / ".crosspost" / "records.json")
    assert records.entries(site.page("/posts/never/")) == {}
    assert set(records.entries(site.page("/posts/later/"))) == set(ALL)
    for name in ("devto", "hashnode", "medium"):
        assert len(sandbox.fakes[name].copies(site.page("/posts/later/"))) == 1, name

    site.deploy("/posts/never/", "/img/gone.png")
    again = run_cli("publish", "--wait-live", "1", "--json", env=env, cwd=root)
    assert again.returncode == 0, again.stderr
    done = {(Path(r["post"]).stem, r["status"]) for r in json.loads(again.stdout)["results"]}
    assert done == {
        ("live", "unchanged"),
        ("later", "unchanged"),
        ("never", "created"),
        ("broken", "created"),
    }
