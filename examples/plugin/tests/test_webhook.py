"""The adapter against its fake, through crosspost's own engine: `crosspost.Sandbox` starts the
fake on 127.0.0.1 and gives a config pointing at it. Run with `pip install -e . && pytest`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from crosspost_webhook import Webhook
from crosspost_webhook.fake import FakeWebhook

import crosspost
from crosspost.adapter import load_adapters

POST = """---
title: Hello, webhook
description: A post for the fake endpoint.
date: 2024-05-01
tags: [Python, Testing]
---

Some *Markdown*.
"""
URL = "https://blog.example.com/posts/hello/"


@pytest.fixture
def sandbox() -> Iterator[crosspost.Sandbox]:
    # time_scale shrinks every wait the fake imposes, so the tests run at full speed.
    with crosspost.Sandbox(["webhook"], time_scale=0.01) as box:
        yield box


def fake_of(sandbox: crosspost.Sandbox) -> FakeWebhook:
    fake = sandbox.fakes["webhook"]
    assert isinstance(fake, FakeWebhook)
    return fake


def post(config: crosspost.Config, text: str = POST) -> crosspost.Document:
    # The config gives the site's address, from which the canonical URL is built.
    return crosspost.load_text(text, path="posts/hello.md", config=config)


def test_the_entry_point_registers_the_adapter() -> None:
    assert load_adapters()["webhook"] is Webhook


def test_publish_creates_then_updates_in_place(sandbox: crosspost.Sandbox) -> None:
    report = crosspost.publish(post(sandbox.config), config=sandbox.config)
    assert [r.status for r in report.results] == [crosspost.Status.CREATED]
    [item] = fake_of(sandbox).copies(URL)
    assert item["title"] == "Hello, webhook"
    assert "<em>Markdown</em>" in item["content_html"]
    assert item["tags"] == ["Python", "Testing"]

    again = crosspost.publish(post(sandbox.config), config=sandbox.config)
    assert again.results[0].status == crosspost.Status.UNCHANGED

    edited = crosspost.publish(
        post(sandbox.config, POST.replace("Some", "More")), config=sandbox.config
    )
    assert edited.results[0].status == crosspost.Status.UPDATED
    [item] = fake_of(sandbox).copies(URL)
    assert "More" in item["content_html"]


def test_an_item_already_there_is_adopted_not_posted_twice(sandbox: crosspost.Sandbox) -> None:
    fake = fake_of(sandbox)
    fake.page_size = 1  # the lookup has to page through the feed
    fake.items += [
        {"id": "1", "title": "By hand", "external_url": URL, "content_text": "x"},
        {"id": "2", "title": "Other", "external_url": URL + "other/", "content_text": "y"},
    ]
    report = crosspost.publish(post(sandbox.config), config=sandbox.config)
    assert report.results[0].status == crosspost.Status.ADOPTED
    assert len(fake.copies(URL)) == 1


def test_a_lost_answer_is_settled_without_a_second_item(sandbox: crosspost.Sandbox) -> None:
    fake = fake_of(sandbox)
    fake.inject("drop-after", method="POST")  # the item is stored, the answer never arrives
    report = crosspost.publish(post(sandbox.config), config=sandbox.config)
    assert report.results[0].status == crosspost.Status.CREATED
    assert len(fake.copies(URL)) == 1


def test_a_feed_that_always_says_more_ends_at_its_first_empty_page(
    sandbox: crosspost.Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_of(sandbox)
    endless = fake._feed

    def always_more(page: int):  # type: ignore[no-untyped-def]
        answer = endless(page)
        body = json.loads(answer.body) | {"next_url": f"{fake.url}/items?page={page + 1}"}
        return type(answer).json(200, body)

    monkeypatch.setattr(fake, "_feed", always_more)
    report = crosspost.publish(post(sandbox.config), config=sandbox.config, verify_new=True)
    assert report.results[0].status == crosspost.Status.CREATED
    assert len([r for r in fake.requests if r.method == "GET"]) == 1


def test_the_fake_answers_a_repeated_idempotency_key_with_the_first_item(
    sandbox: crosspost.Sandbox,
) -> None:
    fake = fake_of(sandbox)
    item = {"title": "T", "external_url": URL, "content_text": "x"}
    headers = {"Authorization": f"Bearer {sandbox.tokens['webhook']}", "Idempotency-Key": "k1"}
    first = httpx.post(f"{fake.url}/items", json=item, headers=headers)
    second = httpx.post(f"{fake.url}/items", json=item, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert len(fake.items) == 1


def test_markdown_content_is_sent_as_text(tmp_path: Path, sandbox: crosspost.Sandbox) -> None:
    (tmp_path / "crosspost.toml").write_text(
        '[site]\nurl = "https://blog.example.com"\n\n'
        '[platforms.webhook]\napi_url = "https://hooks.example.com"\ncontent = "markdown"\n'
    )
    config = sandbox.configure(crosspost.load_config(tmp_path / "crosspost.toml"))
    crosspost.publish(post(config), config=config)
    [item] = fake_of(sandbox).copies(URL)
    assert item["content_text"].strip() == "Some *Markdown*."
    assert "content_html" not in item


def test_a_missing_api_url_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "crosspost.toml").write_text(
        '[site]\nurl = "https://blog.example.com"\n\n[platforms.webhook]\n'
    )
    config = crosspost.load_config(tmp_path / "crosspost.toml")
    with pytest.raises(crosspost.ConfigError) as caught:
        crosspost.plan(post(config), config=config)
    assert str(caught.value) == (
        f"{config.path}: field 'platforms.webhook.api_url': the API URL is not set "
        "(set platforms.webhook.api_url to its https URL)"
    )
