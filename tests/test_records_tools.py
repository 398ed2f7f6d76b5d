"""Issue 17, records and their tools, end to end (the real script, fakes on 127.0.0.1): `status`
honours PATHS and --to and names orphaned records with the command to run; `records list`,
`records forget` and `records set`; Medium-style drafts and unknown outcomes get one line and a
way out."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from crosspost.sandbox import Sandbox

from .blogs import crosspost_env, run_cli, sandbox_blog

ALL = ["devto", "hashnode", "medium", "mastodon"]


@pytest.fixture
def blog(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> tuple[Path, Sandbox, dict[str, str]]:
    sandbox = sandbox_factory(ALL)
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=3)
    env = crosspost_env(sandbox)
    published = run_cli("publish", env=env, cwd=root)
    assert published.returncode == 0, published.stderr
    return root, sandbox, env


def _set_medium(
    root: Path, env: dict[str, str], post: str, url: str
) -> subprocess.CompletedProcess[str]:
    """`crosspost records set POST --to medium --url URL` in the blog."""
    return run_cli("records", "set", post, "--to", "medium", "--url", url, env=env, cwd=root)


def _results(run) -> dict[tuple[str, str], str]:
    return {
        (Path(r["post"]).name, r["platform"]): r["status"]
        for r in json.loads(run.stdout)["results"]
    }


def test_status_honours_paths_and_to(blog) -> None:
    root, _, env = blog
    run = run_cli("status", "posts/post-001.md", "--to", "devto", "--json", env=env, cwd=root)
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert [(Path(r["post"]).name, r["platform"]) for r in rows] == [("post-001.md", "devto")]
    folder = run_cli(
        "status", "posts", "--to", "medium", "--to", "hashnode", "--json", env=env, cwd=root
    )
    assert {r["platform"] for r in json.loads(folder.stdout)} == {"hashnode", "medium"}
    assert len(json.loads(folder.stdout)) == 6
    bad = run_cli("status", "--to", "dev.to", env=env, cwd=root)
    assert bad.returncode == 2 and "did you mean 'devto'?" in bad.stderr


def test_status_stops_listing_a_deleted_file_as_published(blog) -> None:
    root, _, env = blog
    (root / "posts" / "post-002.md").unlink()
    run = run_cli("status", env=env, cwd=root)
    assert run.returncode == 0
    gone = [line for line in run.stdout.splitlines() if "post-002" in line]
    assert len(gone) == 4 and all(" orphaned " in line for line in gone), run.stdout
    url = "https://blog.example.com/posts/post-002/"
    assert f"crosspost records move {url} NEW_FILE" in run.stderr
    assert f"crosspost records forget {url}" in run.stderr
    listed = json.loads(run_cli("records", "list", "--json", env=env, cwd=root).stdout)
    assert {r["orphaned"] for r in listed if r["canonical_url"] == url} == {True}


def test_records_list_names_canonical_urls_and_files(blog) -> None:
    root, _, env = blog
    run = run_cli("records", "list", "--to", "devto", env=env, cwd=root)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["canonical", "url", "file", "/", "platform", "state", "copy"]
    assert lines[1].split()[:2] == ["https://blog.example.com/posts/post-000/", "posts/post-000.md"]
    assert lines[2].split()[:2] == ["devto", "published"]
    assert len(lines) == 1 + 3 * 2


def test_records_forget_one_platform_then_the_post(blog) -> None:
    root, sandbox, env = blog
    url = "https://blog.example.com/posts/post-000/"
    one = run_cli("records", "forget", "posts/post-000.md", "--to", "devto", env=env, cwd=root)
    assert one.returncode == 0, one.stderr
    assert one.stdout.strip() == "forgot the devto record(s) of posts/post-000.md"
    dry = run_cli("publish", "--dry-run", "--json", env=env, cwd=root)
    planned = {k: v for k, v in _results(dry).items() if v != "unchanged"}
    assert planned == {("post-000.md", "devto"): "planned"}
    every = run_cli("records", "forget", url, env=env, cwd=root)
    assert every.stdout.strip() == f"forgot the hashnode, mastodon, medium record(s) of {url}"
    missing = run_cli("records", "forget", url, env=env, cwd=root)
    assert missing.returncode == 2 and "no records for" in missing.stderr
    assert "`crosspost records list`" in missing.stderr
    assert len(sandbox.fakes["devto"].copies(url)) == 1, "forgetting never deletes a copy"


def test_a_medium_draft_gets_one_line_and_a_way_out(tmp_path: Path, sandbox_factory) -> None:
    """`publish = "draft"` for Medium, then taken out to go live: crosspost cannot publish the
    draft there, and said "unsupported" on every run with no way out."""
    sandbox = sandbox_factory(["medium"])
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=1, extra='publish = "draft"\n')
    env = crosspost_env(sandbox)
    assert run_cli("publish", env=env, cwd=root).returncode == 0
    config = root / "crosspost.toml"
    config.write_text(config.read_text().replace('publish = "draft"\n', ""))
    for _ in range(2):  # every run says the same, until the user settles it
        again = run_cli("publish", "--json", env=env, cwd=root)
        (result,) = json.loads(again.stdout)["results"]
        assert result["status"] == "unsupported"
        assert result["message"].startswith("a draft on Medium-style, which crosspost cannot")
        assert "crosspost records set posts/post-000.md --to medium --url URL" in result["message"]
    (copy,) = sandbox.fakes["medium"].posts
    settled = _set_medium(root, env, "posts/post-000.md", copy["url"])
    assert settled.returncode == 0, settled.stderr
    assert "it counts as up to date" in settled.stdout
    after = run_cli("publish", "--json", env=env, cwd=root)
    assert [r["status"] for r in json.loads(after.stdout)["results"]] == ["unchanged"]
    assert len(sandbox.fakes["medium"].posts) == 1


def test_after_a_records_rebuild_medium_does_not_need_attention_forever(blog) -> None:
    root, sandbox, env = blog
    (root / ".crosspost" / "records.json").unlink()
    rebuilt = run_cli("status", "--refresh", "--write", env=env, cwd=root)
    assert rebuilt.returncode == 0, rebuilt.stderr
    again = run_cli("publish", "--json", env=env, cwd=root)
    assert again.returncode == 3
    attention = [r for r in json.loads(again.stdout)["results"] if r["status"] == "attention"]
    assert {r["platform"] for r in attention} == {"medium"} and len(attention) == 3
    assert all("crosspost records set " in r["message"] for r in attention)
    for n in range(3):
        url = f"https://blog.example.com/posts/post-{n:03d}/"
        (copy,) = sandbox.fakes["medium"].copies(url)
        run = _set_medium(root, env, f"posts/post-{n:03d}.md", copy["url"])
        assert run.returncode == 0, run.stderr
    settled = run_cli("publish", "--json", env=env, cwd=root)
    assert settled.returncode == 0, settled.stdout
    assert {r["status"] for r in json.loads(settled.stdout)["results"]} == {"unchanged"}
    assert all(
        len(sandbox.fakes["medium"].copies(f"https://blog.example.com/posts/post-{n:03d}/")) == 1
        for n in range(3)
    )


def test_records_set_needs_an_id_where_copies_are_updated_by_id(blog) -> None:
    root, sandbox, env = blog
    run_cli("records", "forget", "posts/post-001.md", "--to", "devto", env=env, cwd=root)
    url = "https://blog.example.com/posts/post-001/"
    (copy,) = sandbox.fakes["devto"].copies(url)
    no_id = run_cli(
        "records",
        "set",
        "posts/post-001.md",
        "--to",
        "devto",
        "--url",
        copy["url"],
        env=env,
        cwd=root,
    )
    assert no_id.returncode == 2 and "give the copy's --id" in no_id.stderr
    ok = run_cli(
        "records",
        "set",
        "posts/post-001.md",
        "--to",
        "devto",
        "--id",
        str(copy["id"]),
        "--url",
        copy["url"],
        env=env,
        cwd=root,
    )
    assert ok.returncode == 0 and "the next publish updates it" in ok.stdout
    after = run_cli("publish", "--json", env=env, cwd=root)
    assert _results(after)[("post-001.md", "devto")] == "updated"
    assert len(sandbox.fakes["devto"].copies(url)) == 1
