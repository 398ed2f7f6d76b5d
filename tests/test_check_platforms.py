"""What each platform will receive, before anything is sent: `preview --to`, the platform
warnings and errors of `check`, `check --links`, and the [tags] table's validation."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from crosspost.cli.commands import main
from crosspost.config import load_config
from crosspost.records import Records
from crosspost.testing import run_publish

from .blogs import sandbox_blog
from .conftest import EXAMPLE_BLOG
from .site import FakeSite

ALL = ["devto", "hashnode", "medium", "mastodon"]
SEED = EXAMPLE_BLOG / "src" / "content" / "posts" / "reaching-1000-followers.md"

OFFLINE_CONFIG = """\
[site]
url = "https://blog.example.com"
content = "posts"

[platforms.devto]

[platforms.hashnode]
publication = "blog.hashnode.dev"

[platforms.medium]

[platforms.mastodon]
instance = "https://mastodon.example"
max_characters = 300
"""

LONG_TITLE = "A title that goes on " + "and on " * 16 + "until the end"  # 130 characters
LONG_DESCRIPTION = " ".join(["Every word of this description matters to someone."] * 8)

TRIMMED = f"""---
title: "{LONG_TITLE}"
description: "{LONG_DESCRIPTION}"
date: 2024-03-01
tags: [Python, Social Media, Growth, Writing, Career, Open Source]
---

Body.
"""


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    """A blog configured for all four platforms at their real (never contacted) addresses."""
    write(tmp_path, "crosspost.toml", OFFLINE_CONFIG)
    return tmp_path


# --------------------------------------------------------------------------- preview --to


def test_preview_prints_exactly_what_each_platform_receives(tmp_path, sandbox_factory):
    """The JSON `preview --to P` prints is byte for byte the body the fake platform then gets,
    and printing it sends nothing and needs no token."""
    sandbox = sandbox_factory(ALL)
    root = sandbox_blog(tmp_path / "blog", sandbox)
    post = write(root / "posts", "trimmed.md", TRIMMED)
    previews = {}
    for name in ALL:
        result = invoke("preview", post, "--to", name)
        assert result.exit_code == 0, result.output
        previews[name] = json.loads(result.stdout)
    assert all(not fake.requests for fake in sandbox.fakes.values()), "preview is offline"

    config = sandbox.configure(load_config(root / "crosspost.toml"))
    report = run_publish(config, [post])
    assert report.exit_code == 0, report.results
    assert previews["devto"] == sent(sandbox, "devto", "POST", "/articles")
    assert previews["medium"] == sent(sandbox, "medium", "POST", "/posts$")
    assert previews["mastodon"] == sent(sandbox, "mastodon", "POST", "/api/v1/statuses")
    hashnode = sent(sandbox, "hashnode", "POST", "", operation="PublishPost")
    assert previews["hashnode"] == {
        k: v for k, v in hashnode["variables"]["input"].items() if k != "publicationId"
    }


def sent(
    sandbox: Any, platform: str, method: str, path: str, *, operation: str = ""
) -> dict[str, Any]:
    """The JSON body of the one request `platform`'s fake got for (method, path[, operation])."""
    bodies = [
        r.json()
        for r in sandbox.fakes[platform].requests
        if r.method == method and re.search(path, r.path) and operation in r.body.decode()
    ]
    assert len(bodies) == 1, bodies
    body: dict[str, Any] = bodies[0]
    return body


def test_preview_prints_the_platform_warnings_on_stderr(blog):
    post = write(blog / "posts", "trimmed.md", TRIMMED)
    result = invoke("preview", post, "--to", "devto")
    assert result.exit_code == 0
    article = json.loads(result.stdout)["article"]
    assert article["tags"] == ["python", "socialmedia", "growth", "writing"]
    assert len(article["title"]) == 128 and article["title"].endswith("…")
    assert f"{post} [devto]: takes at most 4 tags; dropped: career, opensource [trimmed]" in (
        result.stderr
    )
    assert f"{post} [devto]: title longer than 128 characters; shortened" in result.stderr


def test_preview_uses_the_account_facts_cached_in_the_records(blog):
    """Offline, a Mastodon toot is composed for the server's limit learned by the last run."""
    with Records.open(blog / ".crosspost" / "records.json") as records:
        records.save_account(
            "mastodon",
            {"instance": "https://mastodon.example", "max_characters": 150, "limits_at": 1},
        )
    post = write(
        blog / "posts", "p.md", "---\ntitle: Short\ndescription: " + "word " * 60 + "\n---\nB\n"
    )
    result = invoke("preview", post, "--to", "mastodon", "--config", blog / "crosspost.toml")
    assert result.exit_code == 0, result.output
    assert "shortened to fit 150 characters: description" in result.stderr
    status = json.loads(result.stdout)["status"]
    assert "…" in status and status.endswith("https://blog.example.com/posts/p/")


def test_preview_draft_follows_the_flag_and_the_config(blog):
    post = write(blog / "posts", "p.md", "---\ntitle: Draft me\ndate: 2024-03-01\n---\nB\n")
    assert json.loads(invoke("preview", post, "--to", "devto").stdout)["article"]["published"]
    drafted = invoke("preview", post, "--to", "devto", "--draft")
    assert drafted.exit_code == 0
    assert json.loads(drafted.stdout)["article"]["published"] is False
    config = blog / "crosspost.toml"
    config.write_text(
        OFFLINE_CONFIG.replace("[platforms.devto]\n", '[platforms.devto]\npublish = "draft"\n')
    )
    assert (
        json.loads(invoke("preview", post, "--to", "devto").stdout)["article"]["published"] is False
    )


def test_preview_of_an_unknown_platform_names_the_installed_ones(blog):
    post = write(blog / "posts", "p.md", "---\ntitle: T\n---\nB\n")
    result = invoke("preview", post, "--to", "myspace")
    assert result.exit_code == 2
    assert "unknown platform 'myspace'" in result.stderr
    assert "installed: devto, hashnode, mastodon, medium" in result.stderr
    assert result.stdout == ""


def test_preview_of_a_post_a_platform_refuses_is_exit_2(blog):
    post = write(blog / "posts", "p.md", f'---\ntitle: "{"Long title " * 30}"\n---\nB\n')
    result = invoke("preview", post, "--to", "mastodon")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {post} → mastodon: field 'title': the title, link")
    assert "this Mastodon server allows 300" in result.stderr
    assert "Traceback" not in result.output


def test_preview_to_refuses_a_format_and_draft_needs_to(blog):
    post = write(blog / "posts", "p.md", "---\ntitle: T\n---\nB\n")
    assert invoke("preview", post, "--to", "devto", "--format", "html").exit_code == 2
    assert invoke("preview", post, "--draft").exit_code == 2
    assert invoke("preview", post, "--to", "devto", "--format", "json").exit_code == 0


def test_preview_never_prints_a_token(blog):
    post = write(blog / "posts", "p.md", "---\ntitle: T\n---\nB\n")
    tokens = {f"CROSSPOST_{p.upper()}_TOKEN": f"canary-{p}-5ecret" for p in ALL}
    for name in ALL:
        result = invoke("preview", post, "--to", name, env=tokens)
        assert result.exit_code == 0
        assert "5ecret" not in result.output


# --------------------------------------------------------------------------- check


def test_check_warns_about_what_each_platform_trims(blog):
    post = write(blog / "posts", "trimmed.md", TRIMMED)
    result = invoke("check", blog)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    expected = [
        "[devto]: takes at most 4 tags; dropped: career, opensource [trimmed]",
        "[devto]: title longer than 128 characters; shortened [trimmed]",
        "[hashnode]: subtitle longer than 150 characters; cut [trimmed]",
        "[medium]: takes at most 3 tags; dropped: Writing, Career, Open Source [trimmed]",
        "[medium]: title longer than 100 characters: Medium ignores the title field",
        "[mastodon]: shortened to fit 300 characters: description [trimmed]",
    ]
    for text in expected:
        assert any(line.startswith(f"{post} {text}") for line in lines), text
    assert lines[-1] == "1 post checked, 0 errors, 6 warnings"


def test_check_reports_a_post_a_platform_refuses_as_an_error(blog):
    title = write(blog / "posts", "title.md", f'---\ntitle: "{"Long title " * 30}"\n---\nB\n')
    huge = write(blog / "posts", "huge.md", "---\ntitle: Huge\n---\n" + "word " * 22_000)
    write(blog / "posts", "fine.md", "---\ntitle: Fine\n---\nB\n")
    result = invoke("check", blog)
    assert result.exit_code == 2
    assert f"{huge} [hashnode]: field 'body': the request would be 111 KB; Hashnode refuses" in (
        result.stdout
    )
    assert "(shorten the post or split it into parts) [error]" in result.stdout
    assert f"{title} [mastodon]: field 'title': the title, link and content warning" in (
        result.stdout
    )
    assert result.stdout.splitlines()[-1].startswith("3 posts checked, 2 errors")
    assert "Traceback" not in result.output


def test_check_json_lists_each_platform(blog):
    write(blog / "posts", "trimmed.md", TRIMMED)
    write(blog / "posts", "title.md", f'---\ntitle: "{"Long title " * 30}"\n---\nB\n')
    result = invoke("check", "--json", blog)
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert (report["errors"], report["warnings"], report["dead_links"]) == (1, 8, 0)
    title, trimmed = report["posts"]
    assert title["ok"] is False
    assert title["platforms"]["mastodon"]["error"]["field"] == "title"
    assert title["platforms"]["devto"]["error"] is None
    assert title["platforms"]["hashnode"] == {"notices": [], "error": None}
    assert trimmed["ok"] is True and "links" not in trimmed
    assert set(trimmed["platforms"]) == set(ALL)
    devto = trimmed["platforms"]["devto"]["notices"]
    assert [n["message"] for n in devto] == [
        "takes at most 4 tags; dropped: career, opensource",
        "title longer than 128 characters; shortened",
    ]


def test_check_the_seed_post_for_every_platform():
    result = invoke("check", "--json", SEED)
    assert result.exit_code == 0, result.output
    (post,) = json.loads(result.stdout)["posts"]
    assert [n["line"] for n in post["notices"]] == [14]
    assert post["notices"][0]["code"] == "ambiguous-heading"
    assert post["platforms"] == {name: {"notices": [], "error": None} for name in ALL}


def test_check_skips_the_platforms_for_archived_posts(blog):
    """Posts before site.since are never cross-posted, so a platform limit cannot matter."""
    config = blog / "crosspost.toml"
    config.write_text(
        OFFLINE_CONFIG.replace('content = "posts"', 'content = "posts"\nsince = 2025-01-01')
    )
    write(blog / "posts", "old.md", "---\ntitle: Old\ndate: 2024-01-01\n---\n" + "word " * 22_000)
    result = invoke("check", blog)
    assert result.exit_code == 0, result.output
    assert "[hashnode]" not in result.stdout


def test_check_unknown_platform_in_tags_names_the_key(blog):
    config = blog / "crosspost.toml"
    config.write_text(
        OFFLINE_CONFIG + '\n[tags]\n"Social Media" = { devto = "social", dev-to = "x" }\n'
    )
    write(blog / "posts", "p.md", "---\ntitle: T\n---\nB\n")
    for command in ("check", "publish"):
        result = invoke(command, blog)
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"error: {config}:17: field 'tags.\"social media\".dev-to': [tags] maps 'social "
            "media' for 'dev-to', which is not an installed platform (use one of: devto, "
            "hashnode, mastodon, medium)\n"
        )


@pytest.mark.parametrize(
    ("table", "edit", "line", "field"),
    [
        ("hashnode", ('publication = "blog.hashnode.dev"', 'series_id = "x"'), 7, "publication"),
        (
            "hashnode",
            ('publication = "blog.hashnode.dev"', 'publication = "b.dev"\nseries_id = "x"'),
            9,
            "series_id",
        ),
        ("mastodon", ('instance = "https://mastodon.example"\n', ""), 12, "instance"),
    ],
)
def test_settings_that_can_never_work_fail_check_and_dry_run_with_file_and_line(
    blog, table, edit, line, field
):
    """Not the first real publish: `check` and `--dry-run` report them, where they are written."""
    config = blog / "crosspost.toml"
    config.write_text(OFFLINE_CONFIG.replace(*edit))
    write(blog / "posts", "p.md", "---\ntitle: T\n---\nB\n")
    for command in (["check"], ["publish", "--dry-run"]):
        result = invoke(*command, blog)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(
            f"error: {config}:{line}: field 'platforms.{table}.{field}': "
        ), result.stderr


def test_tags_in_pyproject_are_validated_too(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "blog"\n\n[tool.crosspost.site]\nurl = "https://b.example"\n\n'
        '[tool.crosspost.platforms.devto]\n\n[tool.crosspost.tags."Python"]\nmastodn = "Py"\n'
    )
    write(tmp_path, "p.md", "---\ntitle: T\n---\nB\n")
    result = invoke("check", tmp_path / "p.md")
    assert result.exit_code == 2
    assert "pyproject.toml:10: field 'tool.crosspost.tags.python.mastodn'" in result.stderr


# --------------------------------------------------------------------------- check --links


@pytest.fixture
def site():
    with FakeSite() as server:
        yield server


def site_blog(root: Path, site: FakeSite) -> Path:
    write(root, "crosspost.toml", OFFLINE_CONFIG.replace("https://blog.example.com", site.url))
    return root


def test_check_links_names_each_dead_url_with_its_status(tmp_path, site):
    blog = site_blog(tmp_path, site)
    live = write(blog / "posts", "live.md", "---\ntitle: Live\n---\n![a](/img/ok.png)\n")
    broken = write(
        blog / "posts",
        "broken.md",
        "---\ntitle: Broken\nimage: /img/gone.png\n---\n![b](/img/ok.png)\n",
    )
    unborn = write(blog / "posts", "unborn.md", "---\ntitle: Unborn\n---\nB\n")
    write(blog / "posts", "draft.md", "---\ntitle: Draft\ndraft: true\n---\nB\n")
    site.deploy("/posts/live/", "/posts/broken/", "/img/ok.png")
    result = invoke("check", "--links", blog)
    assert result.exit_code == 1, result.output
    assert f"{broken}: {site.url}/img/gone.png answers HTTP 404, not 200 [dead-link]" in (
        result.stdout
    )
    assert f"{unborn}: {site.url}/posts/unborn/ answers HTTP 404, not 200 [dead-link]" in (
        result.stdout
    )
    assert str(live) not in result.stdout
    assert "2 dead links" in result.stdout.splitlines()[-1]
    assert site.hits("/img/ok.png") == 1, "each URL is fetched once"
    assert site.hits("/posts/draft/") == 0, "a draft's page is not expected to be live"


def test_check_links_json_and_all_live(tmp_path, site):
    blog = site_blog(tmp_path, site)
    write(blog / "posts", "live.md", "---\ntitle: Live\n---\n![a](/img/ok.png)\n")
    site.deploy("/posts/live/", "/img/ok.png")
    result = invoke("check", "--links", "--json", blog)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dead_links"] == 0
    assert report["posts"][0]["links"] == {
        site.page("/img/ok.png"): 200,
        site.page("/posts/live/"): 200,
    }


def test_check_links_reports_an_unreachable_site(tmp_path, site):
    blog = site_blog(tmp_path, site)
    write(blog / "posts", "p.md", "---\ntitle: P\n---\nB\n")
    site.refuse(60)
    result = invoke("check", "--links", blog)
    assert result.exit_code == 1
    # refused, or reset when the closing listener had already queued the connection
    assert re.search(
        rf"{re.escape(site.url)}/posts/p/ cannot be fetched: (ConnectError|ReadError)",
        result.stdout,
    )


# --------------------------------------------------------------------------- docs


def test_platform_pages_document_every_setting():
    """Each built-in adapter's own keys (its Settings dataclass) appear in its page of the
    manual, docs/platforms/NAME.md, with the token variable."""
    import dataclasses

    from crosspost.adapter import load_adapters

    from .conftest import REPO

    adapters = load_adapters()
    for name in ("devto", "hashnode", "medium", "mastodon"):
        text = (REPO / "docs" / "platforms" / f"{name}.md").read_text("utf-8")
        assert f"CROSSPOST_{name.upper()}_TOKEN" in text
        for setting in dataclasses.fields(adapters[name].Settings):
            assert f"| `{setting.name}` |" in text, (name, setting.name)
