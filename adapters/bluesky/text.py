"""A Bluesky post's text: its measure, its hashtags, its facets, and the record key of a post.

Facts (specs/NOTES.md "Bluesky"; lexicons app/bsky/feed/post.json and app/bsky/richtext/facet.json;
docs/bsky-docs/post-richtext.md; atproto packages/api/src/rich-text/detection.ts and util.ts):

- `text` holds at most 300 graphemes AND 3,000 UTF-8 bytes (`maxGraphemes`, `maxLength`).
- A URL in the text is a link only with a `#link` facet; a hashtag only with a `#tag` facet whose
  value has no `#` and at most 64 graphemes, the byte range covering the `#`.
- Facet offsets count UTF-8 bytes of the text, start inclusive, end exclusive.
- The official client's hashtag detection wants a letter (or emoji) right after the `#` and
  strips trailing punctuation; the tags made here are letters, marks and digits only.
- Record keys of posts are TIDs: 13 characters of base32-sortable encoding a 64-bit integer
  (top bit 0, 53 bits of microseconds since 1970, 10 bits of clock id) [docs/atproto-specs/tid.mdx].
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from crosspost.summary import Fit, grapheme_length, unicode_pattern

__all__ = [
    "MAX_BYTES",
    "MAX_GRAPHEMES",
    "TID_PATTERN",
    "facets",
    "hashtag",
    "post_fit",
    "rkey_for",
    "tid",
    "tid_parts",
]

MAX_GRAPHEMES = 300
MAX_BYTES = 3000

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_PATTERN = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_KEY_EPOCH = datetime(2023, 4, 1, tzinfo=UTC)
"""Deterministic record keys carry a time between this date and 2^40 µs (12.7 days) after it."""
_KEY_SPAN_BITS = 40

# atproto packages/api/src/rich-text/detection.ts: a link starts at the text's start, after a
# space or "(", is `https?://` and non-space characters; one trailing . , ; ! ? is not part of
# it, nor a ")" when the URL has no "(".
_LINK = r"(?i)(?:^|(?<=[\s(]))(https?://\S+)"
_TAG_WORDS = r"[\p{L}\p{M}\p{Nd}]+"


def post_fit(limit: int = MAX_GRAPHEMES) -> Fit:
    """Bluesky's measure for `crosspost.summary.compose`: graphemes, and bytes at one tenth
    (3,000 bytes is 300 tenths), so one number says whether both limits hold."""

    def measure(text: str) -> int:
        return max(grapheme_length(text), math.ceil(len(text.encode("utf-8")) * limit / MAX_BYTES))

    return Fit(
        platform="bluesky",
        limit=limit,
        measure=measure,
        noun="post",
        holder="a Bluesky post",
        allows="a Bluesky post allows",
        fixed="the title and link",
        fixed_hint=f"shorten the title or the template's fixed text (a post holds {MAX_GRAPHEMES} "
        f"graphemes and {MAX_BYTES} bytes; bytes count here as tenths)",
    )


def hashtag(tag: str) -> str | None:
    """A tag as a Bluesky hashtag in CamelCase: `Social Media` → `SocialMedia`.

    Only letters, marks and digits are kept (punctuation at its end would be cut off by the
    official client, `_` and `-` split words). It must start with a letter, as the official
    client's detection requires, and hold at most 64 graphemes; otherwise None.
    """
    words = unicode_pattern(_TAG_WORDS).findall(tag)
    name = "".join(word[:1].upper() + word[1:] for word in words)
    if not name or not unicode_pattern(r"\p{L}").match(name):
        return None
    return name


def facets(text: str, tags: Iterable[str]) -> list[dict[str, Any]]:
    """The `facets` of `text`: a link for every http(s) URL in it and a tag for every `#tag`
    of `tags` that stands alone (after a space or at the start, before a space or the end).

    Offsets are UTF-8 byte offsets. Facets never overlap: a tag inside a link is not one.
    """
    found: list[tuple[int, int, dict[str, Any]]] = []
    for match in unicode_pattern(_LINK).finditer(text):
        uri = match.group(1)
        start, end = match.span(1)
        if uri[-1] in ".,;!?":
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        found.append((start, end, {"$type": "app.bsky.richtext.facet#link", "uri": uri}))
    import regex

    for tag in dict.fromkeys(tags):
        pattern = regex.compile(rf"(?:^|(?<=\s))#{regex.escape(tag)}(?=\s|$)")
        for match in pattern.finditer(text):
            found.append(
                (match.start(), match.end(), {"$type": "app.bsky.richtext.facet#tag", "tag": tag})
            )
    found.sort(key=lambda item: item[0])
    out: list[dict[str, Any]] = []
    reached = 0
    for start, end, feature in found:
        if start < reached:
            continue
        reached = end
        out.append(
            {
                "index": {"byteStart": _byte(text, start), "byteEnd": _byte(text, end)},
                "features": [feature],
            }
        )
    return out


def _byte(text: str, index: int) -> int:
    """The UTF-8 byte offset of the character offset `index`."""
    return len(text[:index].encode("utf-8"))


def tid(micros: int, clock_id: int) -> str:
    """The TID of a moment (µs since 1970) and a 10-bit clock id."""
    if not 0 <= micros < 2**53 or not 0 <= clock_id < 2**10:
        raise ValueError("a TID holds 53 bits of microseconds and a 10-bit clock id")
    value = (micros << 10) | clock_id
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def tid_parts(key: str) -> tuple[int, int]:
    """(microseconds, clock id) of a TID; ValueError for anything that is not one."""
    if not TID_PATTERN.match(key):
        raise ValueError(f"not a TID: {key!r}")
    value = 0
    for char in key:
        value = value * 32 + _TID_ALPHABET.index(char)
    return value >> 10, value & 1023


def rkey_for(canonical_url: str) -> str:
    """The record key of the post announcing `canonical_url`: a valid TID that only the URL
    decides, so every attempt, every run and every machine writes the same key.

    50 bits of SHA-256 of the URL: 40 of them a time within 12.7 days after 2023-04-01, 10 the
    clock id. Two posts of one account collide with a probability around n²/2^51. The time is
    not the posting time, which is harmless: the App View sorts by `createdAt`/`indexedAt`, and
    Bluesky's docs say not to parse record keys as timestamps (docs/bsky-docs/timestamps.md).
    """
    digest = hashlib.sha256(f"crosspost:bluesky:{canonical_url}".encode()).digest()
    bits = int.from_bytes(digest[:8], "big")
    offset = bits >> (64 - _KEY_SPAN_BITS)
    clock_id = bits & 1023
    epoch = int(_KEY_EPOCH.timestamp()) * 1_000_000
    return tid(epoch + offset, clock_id)
