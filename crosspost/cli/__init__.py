"""The `crosspost` command line, a front end over `crosspost.api`; `main` is the entry point.

The package: this fast entry point; `group` (the click group, error handling, --config);
`output` (console, tables, JSON shapes); one module per command family (`check`: check and
preview; `publish`; `status`; `accounts`: platforms, login, logout; `blog`: init, sandbox,
records); `group` imports a command's module when the command runs, `commands` all of them; `pipe`:
a closed stdout ends any command quietly.

Importing click alone takes three to four times as long as starting Python, and
docs/architecture.md §13 wants `crosspost --version` and `--help` within twice a bare interpreter.
So `main` answers those two itself (the top-level help is click's own rendering, kept in
`crosspost.cli._help` and compared with click's output by the tests) and imports the click group
only when a command actually runs. Everywhere else it behaves as that group:
`CliRunner().invoke(main, …)`, `main.command()`, `main.commands` all reach the real one, and type
checkers are shown the group's own type.
"""

# No `from __future__ import annotations` (it imports `__future__`): the annotations naming
# type-checking-only names are quoted.
import os
import sys

from crosspost import __version__

TYPE_CHECKING = False  # `typing` itself costs a tenth of the start-up budget
if TYPE_CHECKING:
    from typing import Any

__all__ = ["main", "run"]


class _Entry:
    """Callable stand-in for the click group, cheap until a command runs."""

    def __call__(self, *args: "Any", **kwargs: "Any") -> "Any":
        argv = kwargs.get("args", args[0] if args else None)
        given = sys.argv[1:] if argv is None else list(argv)
        try:
            try:
                if given == ["--version"]:
                    sys.stdout.write(f"crosspost, version {__version__}\n")
                    raise SystemExit(0)
                if argv is None and given[:1] == ["publish"]:
                    # Nothing changed since the last no-op run: its output, before click, the
                    # adapters and the records are loaded (docs/architecture.md §7).
                    from crosspost.uptodate import try_quiet_run

                    code = try_quiet_run(given)
                    if code is not None:
                        raise SystemExit(code)
                if given in (["--help"], ["-h"]) and _columns() >= HELP_WIDTH:
                    from ._help import TEXT  # a string constant: no click, unlike the group

                    sys.stdout.write(TEXT)
                    raise SystemExit(0)
                return self._group()(*args, **kwargs)
            finally:
                sys.stdout.flush()  # a reader gone is found here, not by the interpreter's exit
        except BrokenPipeError:
            from .pipe import reader_gone  # only when the reader left: --help imports no more

            reader_gone()

    def __getattr__(self, name: str) -> "Any":
        from .commands import main as tree  # `main.commands` and the like: the whole tree

        return getattr(tree, name)

    @staticmethod
    def _group() -> "Any":
        from .group import main as group  # click, and a command's module when it runs

        return group


def run() -> None:
    """The `crosspost` console script: `main`, then the process ends without the interpreter's
    teardown, which frees every object one by one (a no-op run over 10,000 posts holds about
    200,000 of them: 15-20 ms, a tenth of the run). What a normal exit does that matters is
    done first: the `atexit` handlers run (logging's flush, temporary folders' cleanup) and
    stdout and stderr are flushed. Every file crosspost writes is closed by the code that
    wrote it. A run that left a thread running (or exits with a message) exits normally, which
    waits for it."""
    try:
        main()
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    threading = sys.modules.get("threading")
    if not (code is None or isinstance(code, int)) or (
        threading is not None and threading.active_count() > 1
    ):
        raise SystemExit(code)
    import atexit  # built in: no file read

    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        from .pipe import READER_GONE

        code = READER_GONE
    os._exit(code or 0)


HELP_WIDTH = 80
"""click wraps help at the terminal's width, but never wider than this."""


def _columns() -> int:
    """The terminal width as click measures it (COLUMNS, else the terminal, else 80), without
    importing shutil."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return HELP_WIDTH


if TYPE_CHECKING:
    # What `main` stands for: type checkers see the click group, so `CliRunner().invoke(main,
    # …)` and `main.command()` check as they run, while run time never imports click here.
    from .commands import main as main
else:
    main = _Entry()
