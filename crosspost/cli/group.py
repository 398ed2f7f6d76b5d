"""The `crosspost` click group and what every command shares (docs/architecture.md §10).

The group turns any `CrosspostError` into one line on stderr and its exit code, and any other
exception into one scrubbed "internal error" line and exit 1: a user never sees a traceback
(CROSSPOST_DEBUG=1 shows it). Commands register on `main` from their own modules, which the
group imports when one of their commands is asked for (`COMMAND_FAMILIES`); like every front end
they call `crosspost.api` only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from crosspost import __version__, api
from crosspost.errors import CrosspostError, with_shown_path

from .pipe import reader_gone

if TYPE_CHECKING:
    from crosspost import Config, Sandbox

__all__ = [
    "COMMAND_FAMILIES",
    "config_option",
    "fail",
    "internal_error",
    "load_all_commands",
    "main",
    "resolve_config",
    "sandbox_for",
]

COMMAND_FAMILIES: dict[str, str] = {
    "doctor": "accounts",
    "login": "accounts",
    "logout": "accounts",
    "platforms": "accounts",
    "init": "blog",
    "records": "blog",
    "sandbox": "blog",
    "check": "check",
    "preview": "check",
    "publish": "publish",
    "status": "status",
}
"""Each command and the module of this package that registers it on `main` when imported: a run
imports its own command's module, not all five with what they import (a tenth of a no-op
publish's imports, issue 16). tests/test_cli.py checks it against what the modules register."""


def load_all_commands() -> None:
    """Import every command family: the whole tree, registered on `main` (help, completion)."""
    for family in sorted(set(COMMAND_FAMILIES.values())):
        import_module(f"{__package__}.{family}")


def fail(exc: CrosspostError) -> NoReturn:
    """Report `exc` as one line on stderr (its file named as `shown`) and exit with its code."""
    click.echo(f"error: {with_shown_path(exc)}", err=True)
    raise click.exceptions.Exit(exc.exit_code)


def resolve_config(config_file: Path | None, paths: Sequence[Path] = ()) -> Config:
    """--config FILE if given, else the crosspost.toml nearest the first path (or the cwd)."""
    return api.run_config(paths, config_file)


def sandbox_for(config: Config, doing: str) -> Sandbox:
    """The fake platforms of `config`'s enabled platforms (all of them when none is), after
    saying so on stderr: "sandbox: `doing` fake platforms on 127.0.0.1…"."""
    from crosspost import Sandbox  # the fake platforms' servers: only --sandbox needs them

    names = [n for n, pc in config.platforms.items() if pc.enabled] or None
    click.echo(
        f"sandbox: {doing} fake platforms on 127.0.0.1; the blog's records are not "
        "touched (the sandbox keeps its own, discarded at the end)",
        err=True,
    )
    return Sandbox(names)


class _Group(click.Group):
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            family = COMMAND_FAMILIES.get(cmd_name)
            if family is None:
                # No such command: click's "Did you mean" is drawn from the registered ones.
                load_all_commands()
            else:
                import_module(f"{__package__}.{family}")
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        load_all_commands()
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # a closed pipe is found here, before click's own handling
        except BrokenPipeError:
            reader_gone()  # `crosspost status | head`: the reader left; quietly, exit 141
        except CrosspostError as exc:
            fail(exc)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise  # click's own ways out (exit codes, usage errors, Ctrl-C at a prompt)
        except Exception as exc:
            if os.environ.get("CROSSPOST_DEBUG") == "1":
                raise
            internal_error(exc)


def internal_error(exc: Exception) -> NoReturn:
    """A bug, not a user's mistake: one scrubbed line and exit 1, never a traceback (which could
    quote a token from a local variable or an HTTP header)."""
    text = " ".join(api.redacted(str(exc)).split()) or "(no message)"
    click.echo(
        f"crosspost: internal error ({type(exc).__name__}): {text} — please report it; "
        "set CROSSPOST_DEBUG=1 for the traceback",
        err=True,
    )
    raise click.exceptions.Exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crosspost")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log to stderr: -v what crosspost does, -vv every HTTP request too (tokens masked).",
)
def main(verbose: int) -> None:
    """Cross-post Markdown blog posts to dev.to, Hashnode, Medium-style APIs, Mastodon and
    Bluesky."""
    if verbose:
        _log_to_stderr(verbose)
    api.guard_output()  # untrusted text never starts a workflow command; no traceback shown


def _log_to_stderr(verbose: int) -> None:
    """-v: crosspost's INFO records; -vv: its DEBUG records and every HTTP exchange (httpx,
    httpcore). Tokens are masked in every record by `crosspost.redact`'s record factory,
    whoever logs them."""
    import logging  # only with -v: the logging machinery is not free at start-up

    api.mask_environment_tokens()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("crosspost").setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    for transport in ("httpx", "httpcore"):
        logging.getLogger(transport).setLevel(logging.DEBUG if verbose > 1 else logging.WARNING)


to_option = click.option(
    "--to", "to", multiple=True, help="Only this platform (repeat for several)."
)

config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="crosspost.toml (or pyproject.toml) to use instead of the nearest one.",
)
