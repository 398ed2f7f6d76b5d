"""`Notice`, a warning about a post, in a module of its own.

The Markdown transforms (crosspost.transform, crosspost.mdlines) leave Notices and the Document
carries them; the Document also renders itself with the transforms (`Document.to_html`). Keeping
Notice apart lets the transforms import it without importing the Document, which imports them.
`crosspost.document` re-exports it: `from crosspost.document import Notice` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Notice"]


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning about a post: something a platform will show differently, trim or drop."""

    message: str
    code: str
    path: Path | None = None
    line: int | None = None
    field: str | None = None
    platform: str | None = None

    def __str__(self) -> str:
        where = str(self.path) if self.path else ""
        if self.line is not None:
            where = f"{where or '<text>'}:{self.line}"  # a post given as text has no file
        if self.platform:
            where = f"{where} [{self.platform}]" if where else f"[{self.platform}]"
        return f"{where}: {self.message}" if where else self.message
