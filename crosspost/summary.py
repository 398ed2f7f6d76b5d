"""Composing a summary post (a toot, a Bluesky post) that fits a platform's limit.

Shared by the platforms that announce posts: a template with `{title}`, `{description}`,
`{excerpt}`, `{url}` and `{hashtags}`, filled in and shortened until the platform's own measure
(`Fit.measure`: Mastodon's link-aware count, Bluesky's graphemes and bytes) says it fits. What
gives way, in order: the description and excerpt (cut at a word boundary with `…`, the lower one
first), then whole hashtags from the end; the title and the URL never.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ContentError
from .urls import same_url

if TYPE_CHECKING:
    import regex

__all__ = [
    "ELLIPSIS",
    "FIELDS",
    "Fit",
    "compose",
    "grapheme_length",
    "link_of",
    "shorten",
    "template_fields",
    "unicode_pattern",
]

FIELDS = ("title", "description", "excerpt", "url", "hashtags")
TRIMMABLE = ("description", "excerpt")
ELLIPSIS = "…"
_RAW_PER_LIMIT = 4
"""Fields longer than 4 times the limit are cut or refused before measuring (`_bound`)."""


def link_of(links: Sequence[str]) -> str | None:
    """The one URL a summary post points at, from all its links (a toot's links and preview
    card, a Bluesky post's link card and link facets; hashtags and mentions left out by the
    platform): the URL they all name, or None when there is none or they differ. The rule that
    adoption, listings and a lookup by id (the URL a copy carries) share on every platform."""
    if not links or not all(same_url(link, links[0]) for link in links):
        return None
    return links[0]


@functools.cache
def unicode_pattern(pattern: str, *, version1: bool = False) -> regex.Pattern[str]:
    """`pattern` in the `regex` module's language (Unicode properties, grapheme clusters; with
    `version1`, its VERSION1 rules), compiled on first use. Importing `regex` costs more than a
    no-op run over 10,000 posts spends planning them, and every run loads the adapters that
    compose summaries, whether it announces anything or not: this module and theirs
    (`crosspost.adapters.mastodon`, `crosspost.adapters.bluesky`) ask for their patterns here."""
    import regex

    return regex.compile(pattern, regex.VERSION1 if version1 else 0)


@dataclass(frozen=True)
class Fit:
    """One platform's measure of a summary, and the words of its refusals.

    `measure(text)` is compared with `limit`. `noun` names the post ("toot"), `holder` where it
    lives ("a toot on this server"), `fixed` what is never shortened and `allows` the limit's
    owner, for "the title and link alone take 320 characters; a Bluesky post allows 300".
    """

    platform: str
    limit: int
    measure: Callable[[str], int]
    noun: str = "post"
    holder: str = "a post"
    fixed: str = "the title and link"
    allows: str = "the platform allows"
    fixed_hint: str = "shorten the title, or the template's fixed text"


def grapheme_length(text: str) -> int:
    """User-perceived characters (extended grapheme clusters): 👍🏽, 🇫🇷 and é (e + ◌́) are one."""
    return sum(1 for _ in unicode_pattern(r"\X").finditer(text))


def template_fields(template: str, fit: Fit) -> list[str]:
    """The placeholders of `template`, in order; `ContentError` naming anything else.

    The URL is required: a summary announcing a post that does not link to it is pointless.
    """
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise _template_error(f"is not a valid template ({exc})", fit) from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS or spec or conversion:
            raise _template_error(f"has an unknown placeholder {{{name}}}", fit)
        names.append(name)
    if "url" not in names:
        raise _template_error(f"has no {{url}}: the {fit.noun} must link to the post", fit)
    return names


def _template_error(problem: str, fit: Fit) -> ContentError:
    allowed = ", ".join(f"{{{f}}}" for f in FIELDS)
    return ContentError(
        f"the template {problem}",
        platform=fit.platform,
        field=f"platforms.{fit.platform}.template",
        hint=f"placeholders: {allowed}; write {{{{ and }}}} for literal braces",
    )


def compose(
    template: str,
    values: Mapping[str, str],
    hashtags: Sequence[str],
    fit: Fit,
) -> tuple[str, list[str]]:
    """The text, and what had to give way so that `fit.measure` of it is within `fit.limit`.

    Order of sacrifice: the description and excerpt are shortened at a word boundary with `…`
    (the one lower in the text first), then dropped, then hashtags go from the end. The title
    and the URL are never touched; if they alone do not fit, `ContentError`.
    """
    limit = fit.limit
    fields = template_fields(template, fit)
    current = {name: _clean(values.get(name, "")) for name in FIELDS}
    tags = [_clean(t).replace(" ", "") for t in hashtags]
    gave_way = _bound(current, tags, fields, fit)
    current["hashtags"] = " ".join(f"#{t}" for t in tags if t)

    def text() -> str:
        return _tidy(template.format_map(current))

    def fits() -> bool:
        return fit.measure(text()) <= limit

    if fits():
        return text(), gave_way
    bare = {**current, "hashtags": "", **dict.fromkeys(TRIMMABLE, "")}
    needed = fit.measure(_tidy(template.format_map(bare)))
    if needed > limit:  # known now, rather than after trying every shorter version
        raise _too_long(needed, fit)
    for name in [f for f in reversed(fields) if f in TRIMMABLE and current[f]]:
        original = current[name]
        if name not in gave_way:
            gave_way.append(name)
        if _shorten_to_fit(current, name, original, fits):
            return text(), gave_way
        current[name] = ""
        if fits():
            return text(), gave_way
    # Hashtags go from the end: the most tags that fit, found by halving (none always fit).
    kept, most = 0, len(tags)
    while kept < most:
        middle = (kept + most + 1) // 2
        current["hashtags"] = " ".join(f"#{t}" for t in tags[:middle] if t)
        kept, most = (middle, most) if fits() else (kept, middle - 1)
    gave_way += [f"#{t}" for t in reversed(tags[kept:])]
    current["hashtags"] = " ".join(f"#{t}" for t in tags[:kept] if t)
    return text(), gave_way


def _too_long(needed: int, fit: Fit) -> ContentError:
    return ContentError(
        f"{fit.fixed} alone take {needed} characters; {fit.allows} {fit.limit}",
        platform=fit.platform,
        field="title",
        hint=fit.fixed_hint,
    )


def _bound(current: dict[str, str], tags: list[str], fields: list[str], fit: Fit) -> list[str]:
    """Cut what could never fit down to a size counting stays fast on; what gave way.

    Measuring can cost in proportion to the text (Mastodon's link extractor ran out of memory on
    a 4 MB title, 1 MB of `a.a.a.` took minutes), and composing measures a dozen times. Nothing
    longer than `_RAW_PER_LIMIT` times the limit fits unless it is almost all links or
    mentions, so: the description and excerpt are cut (at a word boundary, with `…`), hashtags
    beyond it dropped, and a longer title or URL is refused.
    """
    limit = fit.limit
    bound = _RAW_PER_LIMIT * limit
    gave_way: list[str] = []
    for name in fields:
        value = current[name]
        if name == "hashtags" or len(value) <= bound:
            continue
        if name not in TRIMMABLE:
            raise ContentError(
                f"the {name} is {len(value)} characters long; {fit.holder} holds {limit}",
                platform=fit.platform,
                field=name,
                hint=f"shorten the {name}",
            )
        head = value[:bound]
        cuts = _cut_points(head)
        current[name] = _cut(head, cuts[-1]) if cuts else ""
        gave_way.append(name)
    length = sum(len(t) + 2 for t in tags)
    while tags and length > bound:
        length -= len(tags[-1]) + 2
        gave_way.append(f"#{tags.pop()}")
    return gave_way


def shorten(text: str, fits: Callable[[str], bool]) -> str:
    """`text` if it fits, else its longest word-boundary prefix (+ `…`) that does ("" if none)."""
    if fits(text):
        return text
    current = {"text": text}
    if _shorten_to_fit(current, "text", text, lambda: fits(current["text"])):
        return current["text"]
    return ""


def _shorten_to_fit(
    current: dict[str, str], name: str, original: str, fits: Callable[[], bool]
) -> bool:
    """Binary search for the longest word-boundary prefix (+ `…`) that fits; keep it."""
    cuts = _cut_points(original)
    low, high, best = 0, len(cuts) - 1, None
    while low <= high:
        middle = (low + high) // 2
        current[name] = _cut(original, cuts[middle])
        if fits():
            best, low = cuts[middle], middle + 1
        else:
            high = middle - 1
    if best is None:
        return False
    current[name] = _cut(original, best)
    return True


def _cut_points(text: str) -> list[int]:
    """Offsets where `text` may be cut: before a space, or beside a CJK character (no spaces
    there); always between grapheme clusters, so no emoji or accent is ever split."""
    cuts: list[int] = []
    previous = ""
    script = unicode_pattern(r"[\p{Han}\p{Hiragana}\p{Katakana}]")
    for match in unicode_pattern(r"\X").finditer(text):
        grapheme, start = match.group(), match.start()
        breakable = grapheme.isspace() or script.match(grapheme) or script.match(previous)
        if start and breakable and _cut(text, start) != ELLIPSIS:
            cuts.append(start)
        previous = grapheme
    return cuts


def _cut(text: str, at: int) -> str:
    return text[:at].rstrip(" ,;:-–—") + ELLIPSIS


def _clean(value: str) -> str:
    """One line without control characters: the template decides the layout. Runs of spaces
    and line breaks become one space; no-break and ideographic spaces are kept."""
    return str(unicode_pattern(r"[\p{Cc}\p{Zl}\p{Zp} ]+").sub(" ", value)).strip()


def _tidy(text: str) -> str:
    """Drop what empty placeholders leave behind: trailing spaces and extra blank lines."""
    text = unicode_pattern(r"[ \t]+(?=\n|$)").sub("", text)
    return str(unicode_pattern(r"\n{3,}").sub("\n\n", text)).strip()
