"""Never leaked: tokens stay out of errors the platforms provoke and out of crosspost's own bugs.

- a platform (or a proxy) that quotes the refused credentials in its error body: the CLI's output
  and the records stay clean, for every installed platform at once (the same fault per platform,
  in-process with the AuthError's str, repr and traceback and the logs, is a check of the
  conformance kit, `crosspost.testing.AdapterContract`, run on every installed adapter);
- an error body cut for display is scrubbed before it is cut;
- an unexpected exception in a command is one scrubbed "internal error" line and exit 1, never a
  traceback, unless CROSSPOST_DEBUG=1 asks for it.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from crosspost.cli.commands import main
from crosspost.credentials import Secret
from crosspost.http import error_message
from crosspost.sandbox import Sandbox
from crosspost.testing import Canaries, installed_platforms

from .blogs import crosspost_env, run_cli, sandbox_blog

INTERNAL = "crosspost: internal error (RuntimeError): "


# --------------------------------------------------------------------------- echoed tokens


def test_a_quoted_token_stays_out_of_the_cli_output(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    canaries = Canaries()
    sandbox = sandbox_factory(installed_platforms(), tokens=canaries.tokens)
    root = sandbox_blog(tmp_path / "blog", sandbox, posts=1)
    for fake in sandbox.fakes.values():
        fake.inject("echo-token", status=401, times=None)
    result = run_cli("publish", str(root), "--json", env=crosspost_env(sandbox))
    assert result.returncode == 1, result.stderr
    rows = json.loads(result.stdout)["results"]
    assert {r["status"] for r in rows} <= {"failed", "held"}, rows
    canaries.assert_clean([result.stdout, result.stderr], [root / ".crosspost" / "records.json"])


def test_an_error_body_is_scrubbed_before_it_is_cut() -> None:
    """error_message shows 200 characters of a text body: a token across the cut must not
    leave its first half behind."""
    token = "canary-cut-0123456789abcdef0123456789"
    Secret(token)
    body = "x" * 180 + f" denied {token} for this request"
    response = httpx.Response(
        401,
        text=body,
        headers={"content-type": "text/plain"},
        request=httpx.Request("GET", "https://api.example.com/"),
    )
    message = error_message(response)
    assert token[:8] not in message, message
    assert len(message) <= 200


# --------------------------------------------------------------------------- internal errors


def _broken_config_loader(secret: str) -> Callable[..., None]:
    def load_config(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"cannot happen\nwith {secret} in the message")

    return load_config


def test_an_internal_error_is_one_scrubbed_line_and_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    token = Secret("canary-internal-5f0c2a9e").reveal()
    monkeypatch.setattr("crosspost.check.run_config", _broken_config_loader(token))
    monkeypatch.delenv("CROSSPOST_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["check", "."])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(INTERNAL), result.output
    assert "cannot happen with *** in the message" in result.output
    assert "please report it; set CROSSPOST_DEBUG=1 for the traceback" in result.output
    assert token not in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_crosspost_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("crosspost.check.run_config", _broken_config_loader("x"))
    monkeypatch.setenv("CROSSPOST_DEBUG", "1")
    result = CliRunner().invoke(main, ["check", "."])
    assert isinstance(result.exception, RuntimeError)
    assert INTERNAL not in result.output


def test_usage_errors_and_known_errors_keep_their_own_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    usage = runner.invoke(main, ["publish", "--no-such-option"])
    assert usage.exit_code == 2 and "No such option" in usage.output
    known = runner.invoke(main, ["check", str(tmp_path / "missing.md")])
    assert known.exit_code == 2 and INTERNAL not in known.output


def test_an_internal_error_in_the_real_script_prints_no_traceback_nor_env_token(
    tmp_path: Path,
) -> None:
    """End to end: a bug planted at start-up (sitecustomize) in a subprocess; the token in the
    message was never resolved by crosspost, only set in the environment."""
    (tmp_path / "sitecustomize.py").write_text(
        "import os\n"
        "import crosspost.config\n"
        "def load_config(*args, **kwargs):\n"
        "    raise RuntimeError('planted bug ' + os.environ['CROSSPOST_DEVTO_TOKEN'])\n"
        "crosspost.config.load_config = load_config\n",
        "utf-8",
    )
    canaries = Canaries(["devto"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    env |= {"PYTHONPATH": str(tmp_path), "CROSSPOST_DEVTO_TOKEN": canaries.tokens["devto"]}
    result = run_cli("check", str(tmp_path), env=env)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(INTERNAL + "planted bug ***"), result.stderr
    assert "Traceback" not in result.stderr
    canaries.assert_clean([result.stdout, result.stderr])


@pytest.mark.parametrize(
    "shown",
    [
        lambda t: t[:8],  # a platform echoing the start of a bad token
        lambda t: t[-9:],
        lambda t: t[5:20],
        lambda t: f"key={t[:12]}… is invalid",
        lambda t: t[:10] + "\n" + t[10:],  # cut by a line break
    ],
)
def test_any_fragment_of_8_or_more_characters_of_a_token_is_masked(shown: object) -> None:
    """Issue 13: masking was exact-match only, so an error body echoing a prefix printed it."""
    from crosspost import redact

    token = "tok_" + secrets.token_hex(16)
    redact.register(token)
    text = shown(token)  # type: ignore[operator]
    cleaned = redact.scrub(f"error: {text} (HTTP 401)")
    for start in range(len(token) - 7):
        assert token[start : start + 8] not in cleaned, cleaned
    assert cleaned.startswith("error: ") and cleaned.endswith("(HTTP 401)")


def test_ordinary_text_is_not_masked_by_short_overlaps() -> None:
    from crosspost import redact

    redact.register("sk_live_" + "Zq9" * 10)
    assert redact.scrub("sk_live mode, Zq9Zq9Z") == "sk_live mode, Zq9Zq9Z"
