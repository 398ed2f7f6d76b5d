"""Issue 17, tokens: each reproduction as a CLI end-to-end test, over the sandbox's real sockets.

`check` and `--dry-run` report a missing token, a real run refuses before sending anything (one
line per platform), near-miss variable names get a hint, `doctor` tells which account a token
is, and `--github` outside GitHub Actions is refused before anything is printed or published.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from crosspost.adapters.devto.fake import FakeDevTo
from crosspost.sandbox import Sandbox

from .blogs import crosspost_env, run_cli, sandbox_blog
from .conftest import fake_of

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture
def box(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_factory(["devto", "hashnode", "mastodon"])


def _without(env: dict[str, str], *platforms: str) -> dict[str, str]:
    gone = {f"CROSSPOST_{p.upper()}_TOKEN" for p in platforms}
    return {k: v for k, v in env.items() if k not in gone}


def test_real_run_without_a_token_refuses_before_sending_anything(
    tmp_path: Path, box: Sandbox
) -> None:
    blog = sandbox_blog(tmp_path / "blog", box, posts=3)
    env = _without(crosspost_env(box, **NO_KEYRING), "hashnode", "mastodon")
    run = run_cli("publish", env=env, cwd=blog)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.splitlines()
    assert lines[0].startswith("error: hashnode, mastodon: no usable token, nothing was sent:")
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["hashnode", "mastodon"]
    assert "set CROSSPOST_HASHNODE_TOKEN" in lines[1]
    assert all(not fake.requests for fake in box.fakes.values()), "nothing may be sent"
    assert not (blog / ".crosspost" / "records.json").exists() or not json.loads(
        (blog / ".crosspost" / "records.json").read_text()
    ).get("posts")


def test_dry_run_and_check_report_a_missing_token(tmp_path: Path, box: Sandbox) -> None:
    blog = sandbox_blog(tmp_path / "blog", box, posts=2)
    env = _without(crosspost_env(box, **NO_KEYRING), "devto")
    dry = run_cli("publish", "--dry-run", env=env, cwd=blog)
    assert dry.returncode == 0, dry.stderr
    assert dry.stderr.count("[devto]: no token") == 1, dry.stderr
    assert "a real run would refuse" in dry.stderr
    checked = run_cli("check", env=env, cwd=blog)
    assert checked.returncode == 0, checked.stderr
    assert "warning: devto: no token: CROSSPOST_DEVTO_TOKEN is not set" in checked.stderr
    assert "hashnode" not in checked.stderr


@pytest.mark.parametrize("near", ["DEVTO_TOKEN", "CROSSPOST_DEV_TO_TOKEN", "DEV_TO_API_KEY"])
def test_a_near_miss_variable_name_gets_a_hint(tmp_path: Path, box: Sandbox, near: str) -> None:
    blog = sandbox_blog(tmp_path / "blog", box, posts=1)
    env = _without(crosspost_env(box, **NO_KEYRING), "devto") | {near: "s3cr3t-near-miss"}
    run = run_cli("publish", env=env, cwd=blog)
    assert run.returncode == 2
    assert f"{near} is set, but crosspost reads CROSSPOST_DEVTO_TOKEN: rename it" in run.stderr
    assert "s3cr3t-near-miss" not in run.stderr + run.stdout


def test_doctor_names_the_account_of_each_token(tmp_path: Path, box: Sandbox) -> None:
    blog = sandbox_blog(tmp_path / "blog", box)
    env = crosspost_env(box, **NO_KEYRING)
    run = run_cli("doctor", env=env, cwd=blog)
    assert run.returncode == 0, run.stderr
    assert "devto (dev.to): ok, account sandbox" in run.stdout
    assert "mastodon (Mastodon): ok, account @sandbox" in run.stdout
    assert "token from env CROSSPOST_HASHNODE_TOKEN" in run.stdout
    assert run.stdout.splitlines()[-1] == "3 platforms ready"
    for name in ("devto", "hashnode", "mastodon"):
        assert [r.path for r in box.fakes[name].requests], f"{name}: one authenticated read"
        assert all(r.method in ("GET", "POST") for r in box.fakes[name].requests)
    assert not fake_of(box, "devto", FakeDevTo).articles, "doctor never publishes"
    for value in box.env.values():
        assert value not in run.stdout + run.stderr


def test_doctor_says_what_to_fix_and_where_a_token_is_made(tmp_path: Path, box: Sandbox) -> None:
    blog = sandbox_blog(tmp_path / "blog", box)
    env = _without(crosspost_env(box, **NO_KEYRING), "hashnode")
    env["CROSSPOST_DEVTO_TOKEN"] = "wrong-token"
    run = run_cli("doctor", "--json", env=env, cwd=blog)
    assert run.returncode == 2  # a missing token (2) before a refused one (1), as documented
    found = {d["platform"]: d for d in json.loads(run.stdout)}
    assert found["mastodon"]["ok"] and found["mastodon"]["account"] == "@sandbox"
    assert not found["devto"]["ok"] and "wrong-token" not in run.stdout
    assert "CROSSPOST_DEVTO_TOKEN" in found["devto"]["fix"]
    assert found["hashnode"]["token"] == "none (no keyring)"
    # The sandbox's tables: no platform page makes those tokens (see the test below).
    for name in ("devto", "hashnode"):
        assert found[name]["token_page"] is None
        assert found[name]["fix"].endswith(
            "is a sandbox on this machine (`crosspost sandbox`), not the platform: its tokens "
            "are the ones the sandbox prints"
        )
        assert "; http://127.0.0.1:" in found[name]["fix"]
        assert "a token is made at" not in found[name]["fix"]


def test_doctor_names_where_a_token_is_made_for_the_real_platform(tmp_path: Path) -> None:
    """Issue 17 trial: the page followed `api_url`, so the sandbox's tables printed
    http://127.0.0.1:…/settings/extensions. A real address keeps the page, on a Forem
    instance its own; a platform with its own page keeps it."""
    blog = tmp_path / "blog"
    (blog / "posts").mkdir(parents=True)
    (blog / "crosspost.toml").write_text(
        '[site]\nurl = "https://blog.example.com"\ncontent = "posts"\n\n'
        '[platforms.devto]\napi_url = "https://forem.example.org/api"\n\n'
        '[platforms.hashnode]\npublication = "jane.hashnode.dev"\n\n'
        '[platforms.bluesky]\nhandle = "jane.example.org"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    env.update(NO_KEYRING, NO_COLOR="1", COLUMNS="200", GITHUB_ACTIONS="false")
    run = run_cli("doctor", "--json", env=env, cwd=blog)
    assert run.returncode == 2, run.stdout + run.stderr
    found = {d["platform"]: d for d in json.loads(run.stdout)}
    assert found["devto"]["token_page"] == "https://forem.example.org/settings/extensions"
    assert found["devto"]["fix"].endswith(
        "a token is made at https://forem.example.org/settings/extensions"
    )
    assert found["hashnode"]["fix"].endswith("https://hashnode.com/settings/developer")
    assert found["bluesky"]["token_page"] == "https://bsky.app/settings/app-passwords"


def test_doctor_exits_2_without_tokens_and_1_for_a_refused_one(
    tmp_path: Path, box: Sandbox
) -> None:
    """Issue 17 trial: with no token at all doctor exited 1, which the docs give to a platform
    failing; a missing token is 2 (bad input or config), as `publish` refuses it."""
    blog = sandbox_blog(tmp_path / "blog", box)
    bare = _without(crosspost_env(box, **NO_KEYRING), "devto", "hashnode", "mastodon")
    missing = run_cli("doctor", env=bare, cwd=blog)
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert missing.stdout.splitlines()[-1] == "0 platforms ready, 3 to fix"
    refused = crosspost_env(box, **NO_KEYRING) | {"CROSSPOST_DEVTO_TOKEN": "wrong-token"}
    assert run_cli("doctor", env=refused, cwd=blog).returncode == 1


def test_doctor_without_whoami_says_not_supported(tmp_path: Path, box: Sandbox) -> None:
    """An adapter without `whoami` (a plugin, say) gets one clear line, not a failure."""
    from crosspost.adapter import BaseAdapter, load_adapters
    from crosspost.config import load_config
    from crosspost.doctor import diagnose

    devto = load_adapters()["devto"]
    plain = type("Plain", (devto,), {"whoami": BaseAdapter.whoami})
    blog = sandbox_blog(tmp_path / "blog", box)
    config = box.configure(load_config(blog / "crosspost.toml"))
    found = diagnose(config, to=["devto"], adapters={"devto": plain})
    assert [(d.ok, d.supported, d.account) for d in found] == [(True, False, None)]


def test_github_outside_actions_is_refused_before_anything(tmp_path: Path, box: Sandbox) -> None:
    blog = sandbox_blog(tmp_path / "blog", box, posts=2)
    env = crosspost_env(box, **NO_KEYRING)
    env.pop("GITHUB_ACTIONS")
    run = run_cli("publish", "--github", env=env, cwd=blog)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.startswith("error: field '--github': --github runs crosspost as the GitHub")
    assert "::add-mask::" not in run.stderr
    assert all(not fake.requests for fake in box.fakes.values())


def test_every_whoami_request_matches_the_platforms_spec(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    """doctor's one authenticated read per platform, checked against the published specs:
    Forem's and Mastodon's OpenAPI, Hashnode's GraphQL schema (Medium's API README documents
    `GET /v1/me`, which its fake serves)."""
    from graphql import build_schema, parse, validate

    from crosspost.adapters.hashnode import WHOAMI
    from crosspost.config import load_config
    from crosspost.doctor import diagnose

    from .conftest import SPECS, needs_shared
    from .spec_check import FOREM_ERRATA, openapi_errors

    needs_shared(SPECS / "forem" / "api_v1.json")
    box = sandbox_factory(["devto", "hashnode", "mastodon", "medium"])
    blog = sandbox_blog(tmp_path / "blog", box)
    found = diagnose(box.configure(load_config(blog / "crosspost.toml")))
    assert [d.account.handle if d.account else None for d in found] == [
        "sandbox",
        "sandbox",
        "@sandbox",
        "sandbox",
    ]
    devto = box.fakes["devto"].requests
    assert [(r.method, r.path) for r in devto] == [("GET", "/api/users/me")]
    forem = SPECS / "forem" / "api_v1.json"
    assert openapi_errors(forem, "https://dev.to", devto, errata=FOREM_ERRATA) == []
    mastodon = box.fakes["mastodon"].requests
    assert [(r.method, r.path) for r in mastodon] == [
        ("GET", "/api/v1/accounts/verify_credentials")
    ]
    assert (
        openapi_errors(SPECS / "mastodon" / "schema.json", "https://mastodon.social", mastodon)
        == []
    )
    schema = build_schema((SPECS / "hashnode" / "schema.graphql").read_text("utf-8"))
    assert validate(schema, parse(WHOAMI)) == []
    assert [r.json()["query"] for r in box.fakes["hashnode"].requests] == [WHOAMI]
    assert [(r.method, r.path) for r in box.fakes["medium"].requests] == [("GET", "/v1/me")]


def test_doctor_names_the_bluesky_account_by_its_handle(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    """Bluesky's whoami: sign in, then `app.bsky.actor.getProfile` of the account's DID with the
    access token, every request valid by the lexicons (the fake refuses the others)."""
    from crosspost.adapters.bluesky.fake import FakeBluesky

    from .conftest import needs_shared
    from .spec_check import LEXICONS, lexicon_errors, lexicon_problem

    needs_shared(LEXICONS)
    box = sandbox_factory(["bluesky"], fake_options={"bluesky": {"validator": lexicon_problem}})
    blog = sandbox_blog(tmp_path / "blog", box)
    run = run_cli("doctor", env=crosspost_env(box, **NO_KEYRING), cwd=blog)
    assert run.returncode == 0, run.stderr
    handle = "sandbox.bsky.example"
    assert (
        f"bluesky (Bluesky): ok, account @{handle} (https://bsky.app/profile/{handle}); "
        "token from env CROSSPOST_BLUESKY_TOKEN"
    ) in run.stdout
    fake = fake_of(box, "bluesky", FakeBluesky)
    paths = [r.path for r in fake.requests]
    assert paths == ["/xrpc/com.atproto.server.createSession", "/xrpc/app.bsky.actor.getProfile"]
    assert fake.requests[1].query == {"actor": [fake.did]}
    assert fake.requests[1].bearer(), "getProfile is sent with the access token"
    assert lexicon_errors(fake.requests) == [] and not fake.refused
    assert not fake.records, "doctor never posts"
    assert box.tokens["bluesky"] not in run.stdout + run.stderr


def test_doctor_says_a_refused_bluesky_app_password_and_where_to_make_one(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    box = sandbox_factory(["bluesky"])
    blog = sandbox_blog(tmp_path / "blog", box)
    env = crosspost_env(box, **NO_KEYRING)
    env["CROSSPOST_BLUESKY_TOKEN"] = "sandbox.bsky.example:wrong-app-password"
    run = run_cli("doctor", "--json", env=env, cwd=blog)
    assert run.returncode == 1
    (found,) = json.loads(run.stdout)
    assert not found["ok"] and "refused the app password" in found["problem"]
    assert found["token_page"] is None  # the sandbox; the real page: the test above
    assert "is a sandbox on this machine" in found["fix"]
    assert "wrong-app-password" not in run.stdout + run.stderr
