""" "Did you mean": the one rule that turns a near-miss name (a platform, a config key, a --to
value) into a suggestion, so every message that lists what is allowed also names the likely one.

`devtoo`, `dev.to` and `DevTo` all suggest `devto`; `visibilty` suggests `visibility`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["allowed_hint", "closest"]


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The choice `name` was most likely meant to be, or None when none is close: first the same
    letters and digits ignoring case and punctuation (`dev.to`), then difflib's closest match."""
    options = sorted(set(choices))
    squashed = _squash(name)
    for option in options:
        if _squash(option) == squashed:
            return option
    import difflib  # only for a name already wrong: every run imports this module, few need it

    found = difflib.get_close_matches(name.lower(), [o.lower() for o in options], n=1, cutoff=0.7)
    if not found:
        return None
    return next(o for o in options if o.lower() == found[0])


def allowed_hint(name: str, choices: Iterable[str], *, label: str = "allowed") -> str:
    """ "did you mean 'x'? allowed: a, b, x" (or only the list when nothing is close)."""
    options = sorted(set(choices))
    listed = f"{label}: {', '.join(options) or 'none'}"
    guess = closest(name, options)
    if guess is None:
        return listed
    quoted = guess if guess[:1] in "'\"" else repr(guess)  # choices may be reprs already
    return f"did you mean {quoted}? {listed}"


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())
