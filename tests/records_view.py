"""A records file as tests read it: every entry spelled out, whatever the format on disk.

Format 3 says shared values once and writes the common entry as a list (docs/records.md); a
test that asks "what is recorded for this post" reads it through the one codec
(`crosspost.records_format.parse`) into the shape of format 1, which crosspost still reads, so
a test may change the view and write it back as a records file."""

from __future__ import annotations

from typing import Any

from crosspost.records_format import parse


def records_view(text: str | bytes) -> dict[str, Any]:
    """The document of format 1 with the same records as `text` (a records file of any
    format)."""
    data = parse(text.encode("utf-8") if isinstance(text, str) else text)
    return {
        "version": 1,
        "accounts": data.accounts,
        "posts": {
            url: {
                **({"source": post.source} if post.source else {}),
                "platforms": {name: entry.to_json() for name, entry in post.platforms.items()},
            }
            for url, post in data.posts.items()
        },
    }
