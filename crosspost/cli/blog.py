"""`crosspost init`, `crosspost sandbox` and `crosspost records move`: setting a blog up, trying
crosspost without accounts, and keeping the records right after a slug change."""

from __future__ import annotations

from pathlib import Path

import click

from crosspost import api
from crosspost.errors import shown

from .group import config_option, main, resolve_config

__all__ = ["init", "records", "records_move", "sandbox"]


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Write a commented crosspost.toml for the blog in DIRECTORY (default: here).

    The generator (Astro, Hugo, Jekyll, Docusaurus, Eleventy, Zola, Gatsby) and the site's
    address are read from the files there. An existing crosspost.toml is never overwritten.
    """
    path, found = api.write_config(directory)
    generator = (
        f"detected {found.profile.description}" if found.profile else "no generator detected"
    )
    todo = "check [site] url" if found.url else "set [site] url (it was not found)"
    click.echo(f"wrote {path} ({generator}); {todo}, then uncomment your platforms")
    sample = api.sample_address(path)
    if sample is not None:
        post, url = sample
        click.echo(f"{shown(post)} would be cross-posted as {url}: compare it with the live page")


@main.command()
@click.option("--to", "to", multiple=True, help="Only this platform's fake.")
def sandbox(to: tuple[str, ...]) -> None:
    """Run the fake platforms in the foreground and print how to point crosspost at them."""
    import threading  # only this command waits in the foreground

    from crosspost import Sandbox  # the fake platforms' servers: only this command needs them

    with Sandbox(to or None) as box:
        click.echo("# fake platforms on 127.0.0.1; press Ctrl-C to stop")
        click.echo("# 1. in another shell, export the sandbox tokens:")
        for key, value in box.env.items():
            click.echo(f"export {key}={value}")
        click.echo("# 2. and put these tables in crosspost.toml (or a copy of it):")
        click.echo(box.toml())
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopped", err=True)


@main.group()
def records() -> None:
    """Maintain the records file (.crosspost/records.json)."""


@records.command("move")
@click.argument("old")
@click.argument("new")
@config_option
def records_move(old: str, new: str, config_file: Path | None) -> None:
    """Re-key a post's records from canonical URL OLD to NEW (after a slug change).

    The platforms' copies are kept: the next publish updates them with the new canonical URL
    instead of creating new posts.
    """
    api.move_records(old, new, config=resolve_config(config_file))
    click.echo(f"moved the records of {old} to {new}")
