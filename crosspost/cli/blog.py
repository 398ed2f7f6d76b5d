"""`crosspost init`, `crosspost sandbox` and `crosspost records …`: setting a blog up, trying
crosspost without accounts, and keeping the records right by hand (list, move after a slug
change, forget, set a copy made or published by hand)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from crosspost import api
from crosspost.errors import CrosspostError, shown

from .group import config_option, main, resolve_config, to_option
from .output import print_table

__all__ = [
    "init",
    "records",
    "records_forget",
    "records_list",
    "records_move",
    "records_set",
    "sandbox",
]


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Write it even inside a blog that has a crosspost.toml in a folder above.",
)
def init(directory: Path, force: bool) -> None:
    """Write a commented crosspost.toml for the blog in DIRECTORY (default: here).

    The generator (Astro, Hugo, Jekyll, Docusaurus, Eleventy, Zola, Gatsby) and the site's
    address are read from the files there. An existing crosspost.toml is never overwritten,
    and none is written inside a blog that has one above unless --force.
    """
    path, found = api.write_config(directory, force=force)
    generator = (
        f"detected {found.profile.description}" if found.profile else "no generator detected"
    )
    click.echo(f"wrote {shown(path)} ({generator})")
    click.echo("next steps:")
    for number, step in enumerate(_next_steps(path, has_url=bool(found.url)), 1):
        click.echo(f"  {number}. {step}")


def _next_steps(path: Path, *, has_url: bool) -> list[str]:
    """What to do after `init`, for this blog: the address crosspost computes for its newest
    post (to compare with the real page), how to include the posts older than `since`, how to
    add a platform, and the commands that follow."""
    config = shown(path)
    try:
        posts = [item for item in api.check([path]).posts if item.doc is not None]
    except CrosspostError:
        posts = []
    steps = []
    if not has_url:
        steps.append(f"set url in [site] of {config}: your blog's address was not found")
    sample = api.sample_address(path)
    if sample is not None:
        post, url = sample
        steps.append(
            f"{shown(post)} would be cross-posted as {url}: compare it with the live page; if "
            "they differ, fix url or permalink in [site]"
        )
    elif has_url:
        steps.append(f"no post could be read: check content in [site] of {config}")
    live = [item for item in posts if item.live]
    older = [item for item in live if item.before_since and item.doc and item.doc.date]
    if older:
        oldest = min(item.doc.date for item in older if item.doc and item.doc.date)
        unpublished = len(posts) - len(live)
        apart = (
            f"; {unpublished} more are not counted: the blog does not publish them now "
            "(drafts, scheduled, expired or unbuilt), and they are cross-posted once it does"
            if unpublished
            else ""
        )
        steps.append(
            f"{len(older)} of your {len(live)} published posts are dated before since (today) "
            f"and will stay home; to cross-post them too, set since = "
            f"{oldest.date().isoformat()} in [site] of {config}{apart}"
        )
    tables = re.findall(r"^# \[platforms\.([\w-]+)\]", path.read_text("utf-8"), re.M)
    steps += [
        f"add a platform: uncomment its [platforms.NAME] table in {config} "
        f"({', '.join(tables)}; `crosspost platforms` lists every installed one), then run "
        "`crosspost login NAME` and `crosspost doctor`",
        "run `crosspost check`, then `crosspost publish --dry-run`, then `crosspost publish` "
        "(or try it first without accounts: `crosspost publish --sandbox`)",
    ]
    return steps


SANDBOX_CONFIG = "crosspost.sandbox.toml"


def _blog_config() -> str | None:
    """The text of the blog's crosspost.toml, for the sandbox's copy of it (None: none here)."""
    try:
        path = resolve_config(None).path
    except CrosspostError:
        return None
    return path.read_text("utf-8") if path and path.name == "crosspost.toml" else None


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
        click.echo(
            f"# 2. save what follows as {SANDBOX_CONFIG} beside crosspost.toml (the blog's "
            "config pointed at the fakes, with its own records: the blog's are never touched), "
            f"then run `crosspost publish --config {SANDBOX_CONFIG}`:"
        )
        click.echo(box.config_file(_blog_config()))
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
    """Move a post's records from OLD to NEW (after a rename or a slug change).

    OLD is the post's recorded canonical URL or its old file (gone or not); NEW its file now,
    or the canonical URL it has now. The platforms' copies are kept: the next publish updates
    them with the new canonical URL instead of creating new posts.
    """
    config = resolve_config(config_file)
    moved = api.move_records(old, new, config=config)
    file = shown(config.root / moved.source)
    click.echo(f"moved the records of {moved.old} to {moved.new} ({file})")


@records.command("list")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@to_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@config_option
def records_list(
    paths: tuple[Path, ...], to: tuple[str, ...], as_json: bool, config_file: Path | None
) -> None:
    """List the records: each post's canonical URL (what `records move` and `records forget`
    take), its file, and its copy on each platform. PATHS limits it to the posts there."""
    config = resolve_config(config_file, paths)
    if to:
        api.platform_names(to, parameter="--to")
    rows = api.list_records(config, paths, to or None)
    if as_json:
        import json  # only --json needs it

        data = [
            {
                "canonical_url": r.canonical_url,
                "file": str(r.file(config)) if r.source else None,
                "orphaned": r.orphaned,
                "platform": r.platform,
                "state": r.entry.state,
                "id": r.entry.id,
                "url": r.entry.url,
                "draft": r.entry.draft,
            }
            for r in rows
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no records")
        return
    last = None
    lines = []
    for r in rows:
        if r.canonical_url != last:
            where = f"{r.file(config)}" if r.source else "(file not recorded)"
            if r.orphaned:
                where += " (gone)"
            lines.append((r.canonical_url, where, "", ""))
            last = r.canonical_url
        state = r.entry.state + (" (draft)" if r.entry.draft else "")
        lines.append(("", r.platform, state, r.entry.url or r.entry.id or ""))
    print_table(("canonical url", "file / platform", "state", "copy"), lines)
    for r in {r.canonical_url: r for r in rows if r.orphaned}.values():
        click.echo(f"orphaned: {r.canonical_url}: {api.orphan_hint(r)}", err=True)


@records.command("forget")
@click.argument("post")
@click.option("--to", "to", multiple=True, help="Only this platform's copy (repeat for several).")
@config_option
def records_forget(post: str, to: tuple[str, ...], config_file: Path | None) -> None:
    """Forget POST's records (its canonical URL or its file): every platform's, or with --to
    one platform's. The copies on the platforms are not touched; the next publish posts the
    post again where it was forgotten (for a copy you deleted there)."""
    config = resolve_config(config_file)
    if to:
        api.platform_names(to, parameter="--to")
    gone = api.forget_records(config, post, to)
    click.echo(f"forgot the {', '.join(gone)} record(s) of {post}")


@records.command("set")
@click.argument("post")
@click.option("--to", "platform", required=True, metavar="PLATFORM", help="The platform.")
@click.option("--id", "remote_id", metavar="ID", help="The copy's id on the platform.")
@click.option("--url", metavar="URL", help="The copy's address on the platform.")
@config_option
def records_set(
    post: str, platform: str, remote_id: str | None, url: str | None, config_file: Path | None
) -> None:
    """Record that PLATFORM has POST (its file, or a recorded canonical URL) as the copy at
    --url / --id: one posted by hand, a draft published by hand, or one an unknown outcome
    left. Nothing is sent. A platform that can update brings the copy up to date on the next
    publish; one that cannot (Medium-style) counts it as matching the post as it is now."""
    config = resolve_config(config_file)
    api.platform_names(platform, parameter="--to")
    entry = api.mark_known(config, post, platform, remote_id=remote_id, url=url)
    then = "the next publish updates it" if entry.hash is None else "it counts as up to date"
    click.echo(f"recorded {post} on {platform} as {url or remote_id}; {then}")
