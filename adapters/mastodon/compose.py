"""Composing a toot that fits the instance's limit, counted exactly as Mastodon counts.

Facts (specs/NOTES.md §4, specs/mastodon/api_guidelines.md "Link shortening", and Mastodon's
`StatusLengthValidator`, `Extractor`, `Account::MENTION_RE` and `config/initializers/
twitter_regex.rb`): the length is that of `spoiler_text + text`, both stripped, where every URL
the link extractor recognises (with a protocol) counts as `characters_reserved_per_url` and every
`@user@domain` mention as `@user`, measured in extended grapheme clusters, so 👍🏽 and 🇫🇷 are one.

Known approximation: twitter-text accepts a URL only if its top-level domain is on its list of
IANA TLDs; here any ASCII TLD of two or more letters (or punycode) is accepted.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Mapping, Sequence

import regex

from crosspost.errors import ContentError

__all__ = [
    "FIELDS",
    "compose",
    "grapheme_length",
    "hashtag",
    "status_length",
    "template_fields",
]

FIELDS = ("title", "description", "excerpt", "url", "hashtags")
TRIMMABLE = ("description", "excerpt")
ELLIPSIS = "…"
_RAW_PER_LIMIT = 4
"""Fields longer than 4 times the server's limit are cut or refused before counting (`_bound`)."""

# -- Mastodon's link extractor (twitter-text as patched by Mastodon) -------------------------
_PUNCT = r"!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"
_SPACES = r"\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_DOMAIN_CHAR = rf"[^{_PUNCT}{_SPACES}\x00-\x1f\x7f\ufffe\ufeff\uffff]"
# Labels start and end with a domain character; written possessively (same language) and at most
# 127 of them (the DNS limit), so that a run like "a.a.a.a…" cannot make counting slow.
_LABEL = rf"{_DOMAIN_CHAR}(?:[_-]*+{_DOMAIN_CHAR})*+\."
_NAME = rf"{_DOMAIN_CHAR}(?:-*+{_DOMAIN_CHAR})*+\."
_TLD = r"(?:xn--[0-9a-z]++|[a-z]{2,}+(?=[^0-9a-z@]|$))"
_PATH_CHAR = r"[^\p{White_Space}<>()?]"
_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
_PATH_END = rf"(?:[^\p{{White_Space}}()?!*\"'「」<>;:=,.$%\[\]~&|@]|{_PARENS})"
_PATH = rf"(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END}|{_PATH_CHAR}+/)"
_UCHARS = (
    r"\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
    r"\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    r"\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd\U000a0000-\U000afffd"
    r"\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd"
    r"\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
)
_QUERY = rf"\?[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@^{_UCHARS}]*[a-z0-9_&=#/\-{_UCHARS}]"


@functools.cache
def _url_pattern() -> regex.Pattern[str]:
    """Compiled on first use: it is large, and most runs never compose a toot."""
    return regex.compile(
        rf"(?:[^a-z0-9@＠$#＃\ufffe\ufeff\uffff]|^)"
        rf"(?P<url>(?P<scheme>(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://)?"
        rf"(?:{_LABEL}){{0,126}}{_NAME}{_TLD}(?::[0-9]+)?(?:/{_PATH}*)?(?:{_QUERY})?)",
        regex.IGNORECASE | regex.VERSION1,
    )


_WORD = r"[\p{L}\p{M}\p{Nd}\p{Pc}]"
_MENTION = regex.compile(
    rf"(?<![=/]|{_WORD})@(?P<name>(?P<user>(?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*))"
    rf"(?:@{_WORD}+(?:[.-]+{_WORD}+)*)?)"
)
_MENTION_END = regex.compile(
    r"[@＠\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    r"\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff]|://"
)
_GRAPHEME = regex.compile(r"\X")
_RUBY_SPACE = " \t\n\v\f\r\x00"  # what Ruby's String#strip removes (Mastodon strips both fields)

# -- hashtags (Mastodon's Tag::HASHTAG_RE: word characters plus a few separators) ------------
_TAG_CHARS = regex.compile(r"[\p{L}\p{M}\p{Nd}\p{Pc}·・\u200c]+")
_TAG_SEPARATORS = "·・\u200c_"
_BREAK_SCRIPT = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")


def grapheme_length(text: str) -> int:
    """User-perceived characters (extended grapheme clusters), as Ruby's `grapheme_length`."""
    return sum(1 for _ in _GRAPHEME.finditer(text))


def status_length(text: str, spoiler: str = "", *, url_length: int = 23) -> int:
    """How many characters Mastodon's StatusLengthValidator counts for this status."""
    body = text.strip(_RUBY_SPACE)
    if not body.strip():
        return grapheme_length(spoiler.strip(_RUBY_SPACE))
    entities: list[tuple[int, int, str]] = [
        (m.start("url"), m.end("url"), "x" * url_length)
        for m in (_url_pattern().finditer(body) if ":" in body else ())
        if m.group("scheme")
    ]
    for m in _MENTION.finditer(body):
        if not _MENTION_END.match(body, m.end()):
            entities.append((m.start(), m.end(), "@" + m.group("user")))
    entities.sort(key=lambda e: e[0])
    pieces: list[str] = []
    position = 0
    for start, end, replacement in entities:
        if start < position:  # overlaps an entity already kept (remove_overlapping_entities)
            continue
        pieces += [body[position:start], replacement]
        position = end
    pieces.append(body[position:])
    return grapheme_length(spoiler.strip(_RUBY_SPACE) + "".join(pieces))


def hashtag(tag: str) -> str | None:
    """A tag as a Mastodon hashtag in CamelCase: `Social Media` → `SocialMedia`.

    Characters a hashtag cannot hold split words and are dropped; a tag left with no letter
    (empty, or all digits) cannot be a hashtag and gives None.
    """
    words = _TAG_CHARS.findall(tag)
    name = "".join(word[:1].upper() + word[1:] for word in words).strip(_TAG_SEPARATORS[:3])
    if not regex.search(r"\p{Alphabetic}", name):
        return None
    return name


def template_fields(template: str) -> list[str]:
    """The placeholders of `template`, in order; `ContentError` naming anything else.

    The URL is required: a toot announcing a post that does not link to it is pointless.
    """
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise _template_error(f"is not a valid template ({exc})") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS or spec or conversion:
            raise _template_error(f"has an unknown placeholder {{{name}}}")
        names.append(name)
    if "url" not in names:
        raise _template_error("has no {url}: the toot must link to the post")
    return names


def _template_error(problem: str) -> ContentError:
    allowed = ", ".join(f"{{{f}}}" for f in FIELDS)
    return ContentError(
        f"the template {problem}",
        platform="mastodon",
        field="platforms.mastodon.template",
        hint=f"placeholders: {allowed}; write {{{{ and }}}} for literal braces",
    )


def compose(
    template: str,
    values: Mapping[str, str],
    hashtags: Sequence[str],
    *,
    limit: int,
    url_length: int,
    spoiler: str = "",
) -> tuple[str, list[str]]:
    """The status text, and what had to give way so that it fits in `limit` characters.

    Order of sacrifice: the description and excerpt are shortened at a word boundary with `…`
    (the one lower in the toot first), then dropped, then hashtags go from the end. The title,
    the URL and the spoiler text are never touched; if they alone do not fit, `ContentError`.
    """
    fields = template_fields(template)
    current = {name: _clean(values.get(name, "")) for name in FIELDS}
    tags = [_clean(t).replace(" ", "") for t in hashtags]
    gave_way = _bound(current, tags, fields, limit)
    current["hashtags"] = " ".join(f"#{t}" for t in tags if t)

    def text() -> str:
        return _tidy(template.format_map(current))

    def fits() -> bool:
        return status_length(text(), spoiler, url_length=url_length) <= limit

    if fits():
        return text(), gave_way
    bare = {**current, "hashtags": "", **dict.fromkeys(TRIMMABLE, "")}
    needed = status_length(_tidy(template.format_map(bare)), spoiler, url_length=url_length)
    if needed > limit:  # known now, rather than after trying every shorter version
        raise _too_long(needed, limit)
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


def _too_long(needed: int, limit: int) -> ContentError:
    return ContentError(
        f"the title, link and content warning alone take {needed} characters; this Mastodon "
        f"server allows {limit}",
        platform="mastodon",
        field="title",
        hint="shorten the title, or the template's fixed text, or spoiler_text",
    )


def _bound(current: dict[str, str], tags: list[str], fields: list[str], limit: int) -> list[str]:
    """Cut what could never fit down to a size counting stays fast on; what gave way.

    Counting runs Mastodon's link extractor, whose cost grows with the text (a 4 MB title made
    it run out of memory, 1 MB of `a.a.a.` took minutes), and composing counts a dozen times.
    Nothing longer than `_RAW_PER_LIMIT` times the limit fits unless it is almost all links or
    mentions, so: the description and excerpt are cut (at a word boundary, with `…`), hashtags
    beyond it dropped, and a longer title or URL is refused.
    """
    bound = _RAW_PER_LIMIT * limit
    gave_way: list[str] = []
    for name in fields:
        value = current[name]
        if name == "hashtags" or len(value) <= bound:
            continue
        if name not in TRIMMABLE:
            raise ContentError(
                f"the {name} is {len(value)} characters long; a toot on this server holds {limit}",
                platform="mastodon",
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
    for match in _GRAPHEME.finditer(text):
        grapheme, start = match.group(), match.start()
        breakable = (
            grapheme.isspace() or _BREAK_SCRIPT.match(grapheme) or _BREAK_SCRIPT.match(previous)
        )
        if start and breakable and _cut(text, start) != ELLIPSIS:
            cuts.append(start)
        previous = grapheme
    return cuts


def _cut(text: str, at: int) -> str:
    return text[:at].rstrip(" ,;:-–—") + ELLIPSIS


def _clean(value: str) -> str:
    """One line without control characters: the template decides the layout. Runs of spaces
    and line breaks become one space; no-break and ideographic spaces are kept."""
    return str(regex.sub(r"[\p{Cc}\p{Zl}\p{Zp} ]+", " ", value)).strip()


def _tidy(text: str) -> str:
    """Drop what empty placeholders leave behind: trailing spaces and extra blank lines."""
    text = regex.sub(r"[ \t]+(?=\n|$)", "", text)
    return str(regex.sub(r"\n{3,}", "\n\n", text)).strip()
