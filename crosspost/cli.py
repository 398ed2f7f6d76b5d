"""The `crosspost` console entry point; the command tree lives in `crosspost.commands`.

Importing click alone takes about three times as long as starting Python, and DESIGN §13 wants
`crosspost --version` within twice a bare interpreter. So `main` answers `--version` itself and
imports the click group only when a command actually runs. Everywhere else it behaves as that
group: `CliRunner().invoke(main, …)`, `main.command()`, `main.commands` all reach the real one.
"""

from __future__ import annotations

import sys

from ._version import __version__

TYPE_CHECKING = False  # `typing` itself costs a tenth of the start-up budget
if TYPE_CHECKING:
    from typing import Any

__all__ = ["main"]


class _Entry:
    """Callable stand-in for the click group, cheap until a command runs."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        argv = kwargs.get("args", args[0] if args else None)
        if (sys.argv[1:] if argv is None else list(argv)) == ["--version"]:
            sys.stdout.write(f"crosspost, version {__version__}\n")
            raise SystemExit(0)
        return self._group()(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._group(), name)

    @staticmethod
    def _group() -> Any:
        from . import commands_publish  # noqa: F401 - registers publish, status, login, ...
        from .commands import main as group

        return group


main = _Entry()
