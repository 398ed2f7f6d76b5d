"""Issue 17, records keyed by where a copy lives, end to end (the real script, fakes on
127.0.0.1): a platform pointed at another address (the sandbox's tables replaced by the real
platform's, a Mastodon server move) is a new destination where every post is published, and
the records of the old address are kept under `NAME@ORIGIN` (crosspost.destinations)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crosspost.http import api_origin
from crosspost.sandbox import Sandbox

from .blogs import CROSSPOST, crosspost_env, run_cli, sandbox_blog
from .records_view import records_view

PLATFORMS = ["devto", "mastodon"]
POSTS = [f"https://blog.example.com/posts/post-{n:03d}/" for n in range(3)]


def _point_at(root: Path, sandbox: Sandbox) -> None:
    """Replace the blog's [platforms.*] tables with `sandbox`'s (another address)."""
    config = root / "crosspost.toml"
    head = config.read_text("utf-8").split("[platforms.", 1)[0]
    config.write_text(head + sandbox.toml(), "utf-8")


def _records(root: Path) -> dict[str, Any]:
    records: dict[str, Any] = records_view(
        (root / ".crosspost" / "records.json").read_text("utf-8")
    )
    return records


def _origin(sandbox: Sandbox, name: str) -> str:
    return api_origin(sandbox.fakes[name].url)


def test_sandbox_then_real_publishes_for_real(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    trial = sandbox_factory(PLATFORMS)
    root = sandbox_blog(tmp_path / "blog", trial, posts=3)
    first = run_cli("publish", env=crosspost_env(trial), cwd=root)
    assert first.returncode == 0, first.stderr
    real = sandbox_factory(PLATFORMS)  # "the real platforms": other addresses
    _point_at(root, real)
    env = crosspost_env(real)

    dry = run_cli("publish", "--dry-run", env=env, cwd=root)
    assert dry.returncode == 0, dry.stderr
    old = _origin(trial, "devto")
    line = (
        f"devto's address changed from {old} to {_origin(real, 'devto')}: a new destination; "
        f"3 posts to create there; the records of {old} are kept (as devto@{old})"
    )
    assert line in dry.stderr + dry.stdout
    assert all(not real.fakes[n].copies(url) for n in PLATFORMS for url in POSTS)

    run = run_cli("publish", "--json", env=env, cwd=root)
    assert run.returncode == 0, run.stderr
    statuses = {(r["platform"], r["status"]) for r in json.loads(run.stdout)["results"]}
    assert statuses == {("devto", "created"), ("mastodon", "created")}, run.stdout
    for name in PLATFORMS:
        assert all(len(real.fakes[name].copies(url)) == 1 for url in POSTS)
        assert all(len(trial.fakes[name].copies(url)) == 1 for url in POSTS)  # untouched
    records = _records(root)
    post = records["posts"][POSTS[0]]["platforms"]
    assert f"devto@{old}" in post and f"mastodon@{_origin(trial, 'mastodon')}" in post
    assert records["accounts"]["devto"]["token_host"] == _origin(real, "devto")

    again = run_cli("publish", "--json", env=env, cwd=root)  # settled: nothing to do twice
    assert {r["status"] for r in json.loads(again.stdout)["results"]} == {"unchanged"}


def test_a_mastodon_server_move_publishes_there_and_keeps_the_old_records(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    before = sandbox_factory(["mastodon"])
    root = sandbox_blog(tmp_path / "blog", before, posts=2, extra='after = "none"\n')
    assert run_cli("publish", env=crosspost_env(before), cwd=root).returncode == 0
    after = sandbox_factory(["mastodon"])
    _point_at(root, after)
    (root / "crosspost.toml").write_text(
        (root / "crosspost.toml").read_text("utf-8") + 'after = "none"\n', "utf-8"
    )
    env = crosspost_env(after)
    # Before anything is there, a refresh compares the new server with its own (no) records:
    # the old server's copies are not "gone" from it.
    refreshed = run_cli("status", "--refresh", "--json", env=env, cwd=root)
    verdicts = {(r["platform"], r["verdict"]) for r in json.loads(refreshed.stdout)}
    assert not any(verdict == "gone" for _, verdict in verdicts), refreshed.stdout
    run = run_cli("publish", env=env, cwd=root)
    assert run.returncode == 0, run.stderr
    assert all(len(after.fakes["mastodon"].copies(url)) == 1 for url in POSTS[:2])
    old = f"mastodon@{_origin(before, 'mastodon')}"

    listed = json.loads(run_cli("records", "list", "--json", env=env, cwd=root).stdout)
    assert {r["platform"] for r in listed} == {"mastodon", old}
    table = run_cli("records", "list", env=env, cwd=root)
    assert old in table.stdout

    # Moving back brings the old server's records back: nothing is posted there twice.
    _point_at(root, before)
    (root / "crosspost.toml").write_text(
        (root / "crosspost.toml").read_text("utf-8") + 'after = "none"\n', "utf-8"
    )
    back = run_cli("publish", "--json", env=crosspost_env(before), cwd=root)
    assert back.returncode == 0, back.stderr
    assert {r["status"] for r in json.loads(back.stdout)["results"]} == {"unchanged"}
    assert all(len(before.fakes["mastodon"].copies(url)) == 1 for url in POSTS[:2])


def test_records_without_a_remembered_address_are_not_published_again(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(PLATFORMS)
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=3)
    env = crosspost_env(sandbox)
    assert run_cli("publish", env=env, cwd=root).returncode == 0
    path = root / ".crosspost" / "records.json"
    records = json.loads(path.read_text("utf-8"))
    for cache in records["accounts"].values():  # as written before crosspost remembered it
        cache.pop("token_host")
    path.write_text(json.dumps(records), "utf-8")
    _point_at(root, sandbox)  # the same address, written afresh
    run = run_cli("publish", "--json", env=env, cwd=root)
    assert run.returncode == 0, run.stderr
    assert {r["status"] for r in json.loads(run.stdout)["results"]} == {"unchanged"}
    assert all(len(sandbox.fakes[n].copies(url)) == 1 for n in PLATFORMS for url in POSTS)


def test_sandbox_records_never_reach_the_blogs_records_file(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    """The trial of the issue: the sandbox's tables pasted into crosspost.toml. The publish is
    refused before anything is sent; the config `crosspost sandbox` prints instead publishes
    with its own records, and the blog's real publish afterwards creates every post."""
    sandbox = sandbox_factory(PLATFORMS)
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=3)
    config = root / "crosspost.toml"
    pasted = config.read_text("utf-8").replace('records = ".crosspost/records.json"\n', "")
    config.write_text(pasted, "utf-8")
    env = crosspost_env(sandbox)

    dry = run_cli("publish", "--dry-run", env=env, cwd=root)
    assert dry.returncode == 0, dry.stderr
    assert "a sandbox on this machine" in dry.stderr and "a real run would refuse" in dry.stderr
    refused = run_cli("publish", env=env, cwd=root)
    assert refused.returncode == 2, refused.stderr
    assert "a sandbox on this machine" in refused.stderr
    assert 'add records = ".crosspost/sandbox-records.json"' in refused.stderr
    assert len(refused.stderr.strip().splitlines()) <= 2, refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (root / ".crosspost" / "records.json").exists()
    assert all(not sandbox.fakes[n].requests for n in PLATFORMS)

    head = pasted.split("[platforms.", 1)[0]
    real = sandbox_factory(PLATFORMS)  # "the real platforms"
    config.write_text(head + real.toml(), "utf-8")
    separate = root / "crosspost.sandbox.toml"
    separate.write_text(sandbox.config_file(pasted), "utf-8")
    tried = run_cli("publish", "--config", str(separate), env=env, cwd=root)
    assert tried.returncode == 0, tried.stderr
    assert (root / ".crosspost" / "sandbox-records.json").exists()
    assert not (root / ".crosspost" / "records.json").exists()
    assert all(len(sandbox.fakes["devto"].copies(url)) == 1 for url in POSTS)

    # The real platforms here are fakes on 127.0.0.1 too: the test's blog names its records.
    config.write_text('records = ".crosspost/records.json"\n' + head + real.toml(), "utf-8")
    run = run_cli("publish", "--json", env=crosspost_env(real), cwd=root)
    assert run.returncode == 0, run.stderr
    assert {r["status"] for r in json.loads(run.stdout)["results"]} == {"created"}
    assert all(len(real.fakes[n].copies(url)) == 1 for n in PLATFORMS for url in POSTS)


def test_crosspost_sandbox_prints_a_complete_separate_config(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    blog = sandbox_factory(["devto"])
    root = sandbox_blog(tmp_path / "blog", blog)
    with subprocess.Popen(
        [str(CROSSPOST), "sandbox", "--to", "devto"],
        cwd=root,
        env=crosspost_env(blog),
        stdout=subprocess.PIPE,
        text=True,
    ) as shown:
        assert shown.stdout is not None
        lines = []
        while not (line := shown.stdout.readline()).startswith("timeout"):
            lines.append(line)
        shown.terminate()
    text = "".join(lines)
    assert "save what follows as crosspost.sandbox.toml" in text
    printed = text.split("crosspost.sandbox.toml`:\n", 1)[1]
    assert printed.startswith('records = ".crosspost/sandbox-records.json"\n')
    assert printed.count("records =") == 1  # the blog's own records line is replaced
    assert 'url = "https://blog.example.com"' in printed and "[platforms.devto]" in printed
    assert blog.fakes["devto"].url not in printed  # the new sandbox's fake, not the blog's


def test_the_records_key_names_only_a_file_of_the_records_folder(tmp_path: Path) -> None:
    from crosspost.config import load_config
    from crosspost.errors import ConfigError

    config = tmp_path / "crosspost.toml"
    config.write_text('records = ".crosspost/sandbox-records.json"\n[site]\n', "utf-8")
    assert load_config(config).records == tmp_path / ".crosspost" / "sandbox-records.json"
    for wrong in ("../records.json", ".crosspost/../x.json", "package.json", ".crosspost/a"):
        config.write_text(f'records = "{wrong}"\n[site]\n', "utf-8")
        with pytest.raises(ConfigError) as refused:
            load_config(config)
        assert refused.value.field == "records"
        assert "sandbox-records.json" in (refused.value.hint or "")


def test_an_address_change_merges_with_another_writer(tmp_path: Path) -> None:
    """Another writer (a git pull) changes the file while a run sets a platform's records
    aside: the merge (crosspost.records_merge, per post × key) keeps theirs, and the set-aside
    entries stay aside, never back under the platform."""
    from crosspost.destinations import follow_addresses
    from crosspost.records import Entry, Records

    path = tmp_path / ".crosspost" / "records.json"
    sandbox, real = "http://127.0.0.1:34121", "https://dev.to"
    with Records.open(path) as records:
        records.put(POSTS[0], "devto", Entry("published", id="1", url="u"), source="a.md")
        records.save_account("devto", {"token_host": sandbox})
    with Records.open(path) as records:
        assert records.get(POSTS[0], "devto") is not None
        theirs = records_view(path.read_text("utf-8"))
        theirs["posts"][POSTS[1]] = {"platforms": {"hashnode": {"state": "published"}}}
        path.write_text(json.dumps(theirs), "utf-8")
        [change] = follow_addresses(records, {"devto": real})
        assert (change.old, change.new, change.kept) == (sandbox, real, 1)
    data = records_view(path.read_text("utf-8"))
    assert set(data["posts"][POSTS[0]]["platforms"]) == {f"devto@{sandbox}"}
    assert set(data["posts"][POSTS[1]]["platforms"]) == {"hashnode"}
    assert data["accounts"] == {
        "devto": {"token_host": real},
        f"devto@{sandbox}": {"token_host": sandbox},
    }
