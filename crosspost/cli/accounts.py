"""`crosspost platforms`, `doctor`, `login` and `logout`: the installed platforms and their
tokens.

Which platforms exist is the registry's word (`crosspost.api.platform_names`), where a token
comes from is `crosspost.credentials`' (through the API); these commands only print.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crosspost import api

from .group import config_option, main, resolve_config, sandbox_for, to_option
from .output import count, print_table

if TYPE_CHECKING:
    from crosspost.doctor import Diagnosis

__all__ = ["doctor", "login", "logout", "platforms"]


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@config_option
def platforms(as_json: bool, config_file: Path | None) -> None:
    """List the installed platforms, whether they are configured and where the token comes from."""
    config = resolve_config(config_file)
    rows = api.describe_platforms(config, warn=lambda m: click.echo(f"warning: {m}", err=True))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    lines = [
        (
            f"{row['name']} ({row['display_name']})",
            "yes" if row["configured"] else "no",
            str(row["token"]),
            ", ".join(k for k in ("update", "drafts", "find", "announces") if row[k])
            or "create only",
        )
        for row in rows
    ]
    print_table(("platform", "configured", "token", "can"), lines)


@main.command()
@to_option
@click.option("--sandbox", is_flag=True, help="Check against the built-in fake platforms.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@config_option
def doctor(to: tuple[str, ...], sandbox: bool, as_json: bool, config_file: Path | None) -> None:
    """Check each configured platform's token before publishing: where it comes from, which
    account it is (one authenticated read, nothing is sent) and what to fix.

    Exits 2 when a token is missing or cannot be sent, 1 when a platform refuses its token or
    fails, 0 when every platform is ready.
    """
    config = resolve_config(config_file)
    if sandbox:
        with sandbox_for(config, "checking") as box:
            found = api.doctor(box.configure(config), to=to or None)
    else:
        found = api.doctor(config, to=to or None)
    if as_json:
        click.echo(json.dumps([_diagnosis_data(d) for d in found], indent=2))
    else:
        for diagnosis in found:
            _print_diagnosis(diagnosis)
        broken = sum(not d.ok for d in found)
        ready = count(len(found) - broken, "platform") + " ready"
        click.echo(f"{ready}, {broken} to fix" if broken else ready)
    status = api.doctor_status(found)
    if status:
        raise click.exceptions.Exit(status)


def _print_diagnosis(d: Diagnosis) -> None:
    head = f"{d.platform} ({d.display_name})"
    if not d.ok:
        click.echo(f"{head}: {d.problem} [token: {d.token}]")
        click.echo(f"  fix: {d.fix}")
    elif d.account is None:
        click.echo(
            f"{head}: token from {d.token}; which account it is cannot be checked "
            "(not supported by this platform's adapter)"
        )
    else:
        where = f" ({d.account.url})" if d.account.url else ""
        click.echo(f"{head}: ok, account {d.account.handle}{where}; token from {d.token}")


def _diagnosis_data(d: Diagnosis) -> dict[str, object]:
    return {
        "platform": d.platform,
        "ok": d.ok,
        "token": d.token,
        "account": d.account.handle if d.account else None,
        "account_url": d.account.url if d.account else None,
        "whoami_supported": d.supported,
        "problem": d.problem,
        "fix": d.fix,
        "token_page": d.page,
    }


@main.command()
@click.argument("platform")
@click.option("--token-stdin", is_flag=True, help="Read the token from standard input (scripts).")
@click.option(
    "--allow-plaintext",
    is_flag=True,
    help="Accept a keyring backend that stores tokens in a plain file.",
)
def login(platform: str, token_stdin: bool, allow_plaintext: bool) -> None:
    """Store PLATFORM's token in the system keyring (prompted, never echoed)."""
    api.platform_names(platform, parameter="PLATFORM")
    api.check_keyring(platform, allow_plaintext=allow_plaintext)  # before asking for the token
    if token_stdin:
        token = sys.stdin.read()
    else:
        token = click.prompt(f"{platform} token", hide_input=True, err=True)
    api.store_token(platform, token, allow_plaintext=allow_plaintext)
    click.echo(
        f"stored the {platform} token in the system keyring (service 'crosspost'); "
        f"{api.env_var(platform)} still takes precedence when set"
    )


@main.command()
@click.argument("platform")
def logout(platform: str) -> None:
    """Remove PLATFORM's token from the system keyring."""
    api.platform_names(platform, parameter="PLATFORM")
    removed = api.delete_token(platform)
    click.echo(f"removed the {platform} token" if removed else f"no {platform} token was stored")
