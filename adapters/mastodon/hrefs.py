"""The links and text of a status's HTML content, as Mastodon's API gives it.

A module of its own so that `html.parser` loads only when a status is read: every run imports
every installed adapter, a no-op run too (docs/architecture.md §7).
"""

from __future__ import annotations

import html.parser

__all__ = ["Hrefs"]


class Hrefs(html.parser.HTMLParser):
    """A status's links, its plain text, and its links other than hashtags and mentions."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.plain_links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            found = dict(attrs)
            href = found.get("href")
            if href:
                self.hrefs.append(href)
                classes = (found.get("class") or "").split()
                if not {"mention", "hashtag"} & set(classes) and found.get("rel") != "tag":
                    self.plain_links.append(href)
        elif tag == "br":
            self.text.append("\n")
        elif tag == "p" and self.text:
            self.text.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.text.append(data)
