"""`crosspost publish`, `status`, `records move`, `platforms`, `login` end to end: the real
console script in a subprocess against fakes on 127.0.0.1, with canary tokens throughout."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner

from crosspost.cli.commands import main
from crosspost.records import Records
from crosspost.testing import Canaries

from .blogs import copy_example_blog, crosspost_env, run_cli, sandbox_blog, write_posts
from .conftest import EXAMPLE_BLOG, REPO
from .docs_samples import commands, sample
from .test_credentials import MemoryKeyring, PlaintextKeyring

ALL = ["devto", "hashnode", "medium", "mastodon"]


@pytest.fixture
def canaries():
    with Canaries().watching() as c:
        yield c


@pytest.fixture
def blog(tmp_path, sandbox_factory, canaries):
    sandbox = sandbox_factory(ALL, tokens=canaries.tokens)
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=3)
    return root, sandbox, crosspost_env(sandbox)


def outputs(result) -> list[str]:
    return [result.stdout, result.stderr]


def test_quickstart_publishes_the_example_blog_to_the_embedded_sandbox():
    """The quickstart of docs/getting-started.md (and README.md), word for word, run from the
    repository, prints what the page says it prints."""
    [command] = commands(sample("quickstart"))
    program, *args = shlex.split(command)
    assert program == "crosspost"
    before = sorted(p.name for p in EXAMPLE_BLOG.rglob("*"))
    result = run_cli(*args, env=crosspost_env_plain(), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "reaching-1000-followers.md" in result.stdout
    for platform in ALL:
        assert platform in result.stdout
    assert "bluesky" in result.stdout
    assert "dated before site.since" in result.stdout
    assert result.stdout.rstrip().endswith("20 created, 10 held"), "as the page says"
    # warnings name files as the user would type them, like the table does
    seed = "examples/blog/src/content/posts/reaching-1000-followers.md:14: '#image"
    assert f"warning: {seed}" in result.stderr
    assert sorted(p.name for p in EXAMPLE_BLOG.rglob("*")) == before, "no records in the blog"


def crosspost_env_plain() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    return {**env, "NO_COLOR": "1", "COLUMNS": "200"}


def test_publish_then_unchanged_then_edit(blog, canaries):
    root, sandbox, env = blog
    first = run_cli("publish", str(root), env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.rstrip().endswith("12 created")
    for n in range(3):
        url = f"https://blog.example.com/posts/post-{n:03d}/"
        for name in ALL:
            assert len(sandbox.fakes[name].copies(url)) == 1, (name, url)
    second = run_cli("publish", str(root), env=env)
    assert second.returncode == 0
    assert "12 unchanged" in second.stdout
    post = root / "posts" / "post-001.md"
    post.write_text(post.read_text("utf-8").replace("Text of post", "Edited text of post"), "utf-8")
    third = run_cli("publish", str(root), "--json", env=env)
    data = json.loads(third.stdout)
    changed = {(r["platform"], r["status"]) for r in data["results"] if r["status"] != "unchanged"}
    assert changed == {
        ("devto", "updated"),
        ("hashnode", "updated"),
        ("medium", "unsupported"),
    }, "the toot only carries title, description and tags: unchanged"
    canaries.assert_clean(
        [*outputs(first), *outputs(second), *outputs(third)], [root / ".crosspost/records.json"]
    )


def test_debug_logs_of_every_library_reach_stderr_without_a_token(blog, canaries):
    """-vv turns on httpx's and httpcore's debug logs (headers included) in the real script:
    the canaries must not appear in them, nor in an edit, nor in a failure quoting them."""
    root, sandbox, env = blog
    first = run_cli("-vv", "publish", str(root), env=env)
    assert first.returncode == 0, first.stderr
    assert "DEBUG httpcore" in first.stderr and "httpx: HTTP Request" in first.stderr
    assert "INFO crosspost" not in run_cli("publish", str(root), env=env).stderr
    post = root / "posts" / "post-000.md"
    post.write_text(post.read_text("utf-8").replace("Text of post", "Edited"), "utf-8")
    sandbox.fakes["devto"].inject("echo-token", method="PUT")
    second = run_cli("-vv", "publish", str(root), env=env)
    assert "DEBUG httpcore" in second.stderr
    canaries.assert_clean([*outputs(first), *outputs(second)], [root / ".crosspost/records.json"])


def test_dry_run_sends_and_writes_nothing(blog):
    root, sandbox, env = blog
    result = run_cli("publish", str(root), "--dry-run", env=env)
    assert result.returncode == 0
    assert "dry run: 12 planned" in result.stdout
    assert not (root / ".crosspost" / "records.json").exists()
    assert all(not fake.requests for fake in sandbox.fakes.values())


def test_only_one_platform(blog):
    root, sandbox, env = blog
    result = run_cli("publish", str(root), "--to", "devto", "--json", env=env)
    assert {r["platform"] for r in json.loads(result.stdout)["results"]} == {"devto"}
    assert not sandbox.fakes["hashnode"].requests


def test_lost_records_are_rebuilt_by_status_refresh(blog, canaries):
    root, sandbox, env = blog
    assert run_cli("publish", str(root), env=env).returncode == 0
    records = root / ".crosspost" / "records.json"
    records.unlink()
    shown = run_cli("status", str(root), "--refresh", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "run again with --write" in shown.stdout
    assert not records.exists(), "--refresh alone writes nothing"
    written = run_cli("status", str(root), "--refresh", "--write", "--json", env=env)
    assert written.returncode == 0, written.stderr
    verdicts = {
        (r["platform"], r["verdict"]) for r in json.loads(written.stdout.split("\nrecords")[0])
    }
    assert verdicts == {
        ("devto", "adopt"),
        ("hashnode", "adopt"),
        ("mastodon", "adopt"),
        ("medium", "suspect"),
    }
    again = run_cli("publish", str(root), "--json", env=env)
    statuses = {(r["platform"], r["status"]) for r in json.loads(again.stdout)["results"]}
    assert ("medium", "attention") in statuses, "Medium cannot be searched: never re-posted blindly"
    assert again.returncode == 3
    for n in range(3):
        url = f"https://blog.example.com/posts/post-{n:03d}/"
        assert all(len(sandbox.fakes[name].copies(url)) == 1 for name in ALL)
    canaries.assert_clean([*outputs(shown), *outputs(written), *outputs(again)], [records])


def test_status_lists_the_records(blog):
    root, _, env = blog
    run_cli("publish", str(root), "--to", "devto", env=env)
    result = run_cli("status", "--config", str(root / "crosspost.toml"), "--json", env=env)
    rows = json.loads(result.stdout)
    assert {r["state"] for r in rows} == {"published"}
    assert len(rows) == 3


def test_records_move_keeps_the_remote_copy(blog):
    root, sandbox, env = blog
    run_cli("publish", str(root), "--to", "devto", env=env)
    old = "https://blog.example.com/posts/post-000/"
    new = "https://blog.example.com/posts/renamed/"
    (root / "posts" / "post-000.md").rename(root / "posts" / "renamed.md")
    moved = run_cli("records", "move", old, new, "--config", str(root / "crosspost.toml"), env=env)
    assert moved.returncode == 0, moved.stderr
    result = run_cli("publish", str(root), "--to", "devto", "--json", env=env)
    statuses = {r["canonical_url"]: r["status"] for r in json.loads(result.stdout)["results"]}
    assert statuses[new] == "updated"
    (article,) = sandbox.fakes["devto"].copies(new)
    assert not sandbox.fakes["devto"].copies(old)
    assert article["canonical_url"] == new


def test_a_bad_post_does_not_stop_the_others(blog, canaries):
    root, sandbox, env = blog
    (root / "posts" / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n", "utf-8")
    result = run_cli("publish", str(root), "--to", "devto", env=env)
    assert result.returncode == 2
    assert re.search(r"broken\.md:\d+: YAML syntax error", result.stderr)
    assert "Traceback" not in result.stderr
    assert len(sandbox.fakes["devto"].articles) == 3
    canaries.assert_clean(outputs(result))


def test_bad_config_is_exit_2_naming_file_and_key(tmp_path):
    root = tmp_path / "blog"
    write_posts(root / "posts", 1)
    (root / "crosspost.toml").write_text(
        '[site]\nurl = "https://b.example"\ncontent = "posts"\n\n'
        '[platforms.devto]\npublish = "sometimes"\n',
        "utf-8",
    )
    result = run_cli("publish", str(root), env=crosspost_env_plain())
    assert result.returncode == 2
    assert "crosspost.toml:6" in result.stderr
    assert "platforms.devto.publish" in result.stderr
    assert "'published'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_platform_option_is_named(tmp_path):
    root = tmp_path / "blog"
    write_posts(root / "posts", 1)
    (root / "crosspost.toml").write_text(
        '[site]\nurl = "https://b.example"\ncontent = "posts"\n\n[platforms.devto]\napi_ur = "x"\n',
        "utf-8",
    )
    result = run_cli("publish", str(root), env=crosspost_env_plain())
    assert result.returncode == 2
    assert "platforms.devto.api_ur" in result.stderr and "api_url" in result.stderr
    # the keys every platform table takes are allowed too, and named
    assert "enabled" in result.stderr and "read_lag" in result.stderr


def test_missing_token_names_the_variable(tmp_path):
    root = tmp_path / "blog"
    write_posts(root / "posts", 1)
    (root / "crosspost.toml").write_text(
        '[site]\nurl = "https://b.example"\ncontent = "posts"\n\n[platforms.devto]\n', "utf-8"
    )
    env = {**crosspost_env_plain(), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = run_cli("publish", str(root), env=env)
    assert result.returncode == 2
    assert "CROSSPOST_DEVTO_TOKEN" in result.stdout + result.stderr


def test_platforms_lists_installed_adapters(blog):
    root, _, env = blog
    result = run_cli("platforms", "--json", "--config", str(root / "crosspost.toml"), env=env)
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert set(ALL) <= set(rows)
    assert rows["medium"]["update"] is False
    assert rows["devto"]["token"] == "env CROSSPOST_DEVTO_TOKEN"
    assert "canary" not in result.stdout


def test_login_and_logout_use_the_keyring(monkeypatch):
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        runner = CliRunner()
        result = runner.invoke(main, ["login", "devto", "--token-stdin"], input="  tok-abc123\n")
        assert result.exit_code == 0, result.output
        assert "tok-abc123" not in result.output
        assert backend.values[("crosspost", "devto")] == "tok-abc123"
        bad = runner.invoke(main, ["login", "devto", "--token-stdin"], input="two words\n")
        assert bad.exit_code == 2 and "whitespace" in bad.output
        unknown = runner.invoke(main, ["login", "nowhere", "--token-stdin"], input="x\n")
        assert unknown.exit_code == 2 and "installed:" in unknown.output
        assert runner.invoke(main, ["logout", "devto"]).exit_code == 0
        assert not backend.values
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.mark.parametrize("pasted", ["tok-abc123\r\n", "\t tok-abc123 \n\n", "tok-abc123"])
def test_login_strips_whitespace_around_a_pasted_token(memory_keyring, pasted):
    result = CliRunner().invoke(main, ["login", "devto", "--token-stdin"], input=pasted)
    assert result.exit_code == 0, result.output
    assert memory_keyring.values == {("crosspost", "devto"): "tok-abc123"}
    assert "tok-abc123" not in result.output


@pytest.mark.parametrize(
    "pasted",
    ["tok-abc123\nsecond-line\n", "tok-abc123 second-line", "tok-abc123\tsecond-line", "\n \n"],
)
def test_login_refuses_a_token_with_whitespace_inside_and_never_echoes_it(memory_keyring, pasted):
    result = CliRunner().invoke(main, ["login", "devto", "--token-stdin"], input=pasted)
    assert result.exit_code == 2, result.output
    assert memory_keyring.values == {}
    assert "tok-abc123" not in result.output and "second-line" not in result.output
    assert "Traceback" not in result.output


def test_login_never_writes_a_plain_file_without_being_asked():
    """A keyring backend that stores tokens in a plain file (keyrings.alt's PlaintextKeyring)
    is refused unless --allow-plaintext says the user accepts it."""
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)
    try:
        runner = CliRunner()
        refused = runner.invoke(main, ["login", "devto", "--token-stdin"], input="tok-abc123\n")
        assert refused.exit_code == 2, refused.output
        assert "plain file" in refused.output and "CROSSPOST_DEVTO_TOKEN" in refused.output
        assert backend.values == {}
        allowed = runner.invoke(
            main, ["login", "devto", "--token-stdin", "--allow-plaintext"], input="tok-abc123\n"
        )
        assert allowed.exit_code == 0, allowed.output
        assert backend.values == {("crosspost", "devto"): "tok-abc123"}
    finally:
        keyring.set_keyring(previous)


def test_example_blog_in_a_copy_publishes_and_keeps_its_records(tmp_path, sandbox_factory):
    sandbox = sandbox_factory(ALL)
    root = copy_example_blog(tmp_path / "blog", sandbox)
    result = run_cli("publish", str(root), env=crosspost_env(sandbox))
    assert result.returncode == 0, result.stderr
    records = Records.read(root / ".crosspost" / "records.json")
    seed = "https://blog.example.com/posts/reaching-1000-followers/"
    assert {e.state for e in records.entries(seed).values()} == {"published"}
    assert Path(root / ".crosspost" / ".gitignore").exists()


def test_verify_new_adopts_instead_of_posting_twice_after_lost_records(blog, canaries):
    """A job killed before it pushed its records: the next run looks each new post up first."""
    root, sandbox, env = blog
    assert run_cli("publish", str(root), env=env).returncode == 0
    (root / ".crosspost" / "records.json").unlink()
    result = run_cli("publish", str(root), "--verify-new", "--json", env=env)
    statuses = {(r["platform"], r["status"]) for r in json.loads(result.stdout)["results"]}
    assert statuses == {
        ("devto", "adopted"),
        ("hashnode", "adopted"),
        ("mastodon", "adopted"),
        ("medium", "attention"),
    }, "Medium cannot be searched: it is flagged, not posted again"
    assert result.returncode == 3
    for n in range(3):
        url = f"https://blog.example.com/posts/post-{n:03d}/"
        assert all(len(sandbox.fakes[name].copies(url)) == 1 for name in ALL)
    again = run_cli("publish", str(root), "--json", env=env)
    rows = json.loads(again.stdout)["results"]
    assert {r["status"] for r in rows if r["platform"] != "medium"} == {"unchanged"}
    canaries.assert_clean([result.stdout, result.stderr, again.stdout, again.stderr])


def test_a_link_to_a_missing_post_file_is_warned_about_and_linked_as_the_site_links_it(blog):
    """`[x](./missing-post.md)`: Hugo and Docusaurus leave a link to a file that does not exist
    as written, so a reader of the site lands on `missing-post.md` beside the page; the copy
    links the same address (no made-up one), and check, the dry run and publish name the file
    and line."""
    root, sandbox, env = blog
    post = root / "posts" / "linker.md"
    post.write_text(
        '---\ntitle: "Linker"\ndate: 2024-05-01\n---\nFirst line.\n\n'
        "See [the next one](./missing-post.md#part) and [this one](./post-000.md).\n",
        "utf-8",
    )
    said = "posts/linker.md:7: link to ./missing-post.md#part: no such file beside the post"
    check = run_cli("check", "posts/linker.md", env=env, cwd=root)
    assert check.returncode == 0, check.stderr
    assert said in check.stdout + check.stderr
    dry = run_cli("publish", "--dry-run", "--to", "devto", "posts/linker.md", env=env, cwd=root)
    assert dry.returncode == 0 and said in dry.stderr, dry.stderr
    run = run_cli("publish", "--to", "devto", "posts/linker.md", env=env, cwd=root)
    assert run.returncode == 0 and said in run.stderr, run.stderr
    (copy,) = sandbox.fakes["devto"].copies("https://blog.example.com/posts/linker/")
    body = copy["body_markdown"]
    assert "[the next one](https://blog.example.com/posts/linker/missing-post.md#part)" in body
    assert "[this one](https://blog.example.com/posts/post-000/)" in body


@pytest.mark.parametrize("where", [".", "posts"], ids=["root", "subfolder"])
def test_json_names_posts_as_the_table_does_relative_to_the_current_folder(blog, where):
    """`publish --json` used the absolute paths the content folder was walked with (and the
    table relative ones); both now name a post as the user would type it from where they are,
    in results, warnings and errors alike."""
    root, _, env = blog
    (root / "posts" / "post-000.md").write_text(
        '---\ntitle: "Edited"\ndate: 2024-05-01\n---\nNow with [a link](./missing-post.md).\n',
        "utf-8",
    )
    (root / "posts" / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n", "utf-8")
    cwd = root / where
    prefix = "" if where == "posts" else "posts/"
    assert run_cli("publish", "--to", "devto", env=env, cwd=root).returncode == 2
    (root / "posts" / "post-000.md").write_text(
        '---\ntitle: "Edited again"\ndate: 2024-05-01\n---\nWith [a link](./missing-post.md).\n',
        "utf-8",
    )
    table = run_cli("publish", "--to", "devto", "--dry-run", env=env, cwd=cwd)
    assert f"\n{prefix}post-000.md  devto" in "\n" + table.stdout
    for args in (["--dry-run"], []):
        run = run_cli("publish", "--to", "devto", "--json", *args, env=env, cwd=cwd)
        assert run.returncode == 2, run.stderr
        report = json.loads(run.stdout)
        assert sorted(r["post"] for r in report["results"]) == [
            f"{prefix}post-{n:03d}.md" for n in range(3)
        ]
        (warning,) = report["warnings"]
        assert warning.startswith(f"{prefix}post-000.md:5: link to ./missing-post.md")
        assert [e["path"] for e in report["errors"]] == [f"{prefix}broken.md"]
