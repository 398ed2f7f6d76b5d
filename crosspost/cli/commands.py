"""The whole command tree: the group with every command family registered on it.

The entry point (`crosspost.cli.main`) uses the group alone, which imports a family when one of
its commands is asked for (`group.COMMAND_FAMILIES`); this module is the tree at once, for whoever
reads `main.commands` (tests, type checkers).
"""

from __future__ import annotations

from .group import load_all_commands, main

__all__ = ["main"]

load_all_commands()
