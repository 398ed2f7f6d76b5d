"""The whole command tree: the group with every command family registered on it.

Imported by the entry point (`crosspost.cli.main`) only when a command runs.
"""

from __future__ import annotations

from . import accounts, blog, check, publish, status
from .group import main

__all__ = ["main"]

FAMILIES = (accounts, blog, check, publish, status)
"""The modules whose commands `main` holds (importing each registers its commands)."""
