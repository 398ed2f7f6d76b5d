"""`crosspost platforms`, `login` and `logout`: the installed platforms and their tokens.

Which platforms exist is the registry's word (`crosspost.api.platform_names`), where a token
comes from is `crosspost.credentials`' (through the API); these commands only print.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from crosspost import api

from .group import config_option, main, resolve_config
from .output import print_table

__all__ = ["login", "logout", "platforms"]


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
