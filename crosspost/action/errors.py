"""The Action's own error: the run cannot go on safely."""

from __future__ import annotations

from crosspost.errors import CrosspostError

__all__ = ["ActionError"]


class ActionError(CrosspostError):
    """The Action cannot run safely: bad event data, unreadable records branch, git failure."""

    exit_code = 2
