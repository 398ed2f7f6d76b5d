"""How Mastodon counts a toot, for composing one that fits (`crosspost.summary` composes).

Facts (specs/NOTES.md §4, specs/mastodon/api_guidelines.md "Link shortening", and Mastodon's
`StatusLengthValidator`, `Extractor`, `Account::MENTION_RE` and `config/initializers/
twitter_regex.rb`): the length is that of `spoiler_text + text`, both stripped, where every URL
the link extractor recognises (with a protocol) counts as `characters_reserved_per_url` and every
`@user@domain` mention as `@user`, measured in extended grapheme clusters, so 👍🏽 and 🇫🇷 are one.

A URL is one only if its top-level domain is on twitter-text's list (`tlds`) or punycode: a
link on `.example`, or on a TLD delegated since twitter-text 3.1.0, counts its whole length.
"""

from __future__ import annotations

from crosspost.summary import Fit, grapheme_length, unicode_pattern

from .tlds import COUNTRY, GENERIC

__all__ = ["hashtag", "status_fit", "status_length"]

# -- Mastodon's link extractor (twitter-text as patched by Mastodon) -------------------------
_PUNCT = r"!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"
_SPACES = r"\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_DOMAIN_CHAR = rf"[^{_PUNCT}{_SPACES}\x00-\x1f\x7f\ufffe\ufeff\uffff]"
# Labels start and end with a domain character; written possessively (same language) and at most
# 127 of them (the DNS limit), so that a run like "a.a.a.a…" cannot make counting slow.
_LABEL = rf"{_DOMAIN_CHAR}(?:[_-]*+{_DOMAIN_CHAR})*+\."
_NAME = rf"{_DOMAIN_CHAR}(?:-*+{_DOMAIN_CHAR})*+\."
# A listed top-level domain (`tlds`, in twitter-text's order: generic, then country), whole
# (not followed by what could go on with it), or punycode.
_TLD_END = r"(?=[^0-9a-z@+-]|$)"
_TLD = rf"(?:(?:{'|'.join(GENERIC)}){_TLD_END}|(?:{'|'.join(COUNTRY)}){_TLD_END}|xn--[0-9a-z]++)"
_PATH_CHAR = r"[^\p{White_Space}<>()?]"


def _parens(inside: str) -> str:
    """Balanced parentheses holding `inside` characters, one level nested within them."""
    return rf"\((?:{inside}+|{inside}*\({inside}+\){inside}*)\)"


_PARENS = _parens(_PATH_CHAR)
# Mastodon sets the path's last character before it redefines the parentheses, so the ones a
# path may end in are still twitter-text's, of its narrower path characters (twitter-text
# rb/lib/twitter-text/regex.rb `valid_general_url_path_chars`, Latin accents included).
_LATIN_ACCENTS = (
    r"\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    r"\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_ENDING_PARENS = _parens(rf"[a-z\p{{Cyrillic}}0-9!*';:=+,.$/%#\[\]\p{{Pd}}_~&|@{_LATIN_ACCENTS}]")
_PATH_END = rf"(?:[^\p{{White_Space}}()?!*\"'「」<>;:=,.$%\[\]~&|@]|{_ENDING_PARENS})"
_PATH = rf"(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END}|{_PATH_CHAR}+/)"
_UCHARS = (
    r"\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
    r"\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    r"\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd\U000a0000-\U000afffd"
    r"\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd"
    r"\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
)
_QUERY = rf"\?[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@^{_UCHARS}]*[a-z0-9_&=#/\-{_UCHARS}]"


_URL = (
    rf"(?i)(?:[^a-z0-9@＠$#＃\ufffe\ufeff\uffff]|^)"
    rf"(?P<url>(?P<scheme>(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://)?"
    rf"(?:{_LABEL}){{0,126}}{_NAME}{_TLD}(?::[0-9]+)?(?:/{_PATH}*)?(?:{_QUERY})?)"
)
_WORD = r"[\p{L}\p{M}\p{Nd}\p{Pc}]"
_MENTION = (
    rf"(?<![=/]|{_WORD})@(?P<name>(?P<user>(?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*))"
    rf"(?:@{_WORD}+(?:[.-]+{_WORD}+)*)?)"
)
_MENTION_END = (
    r"[@＠\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    r"\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff]|://"
)
_RUBY_SPACE = " \t\n\v\f\r\x00"  # what Ruby's String#strip removes (Mastodon strips both fields)

# -- hashtags (Mastodon's Tag::HASHTAG_RE: word characters plus a few separators) ------------
_TAG_CHARS = r"[\p{L}\p{M}\p{Nd}\p{Pc}·・\u200c]+"
_TAG_SEPARATORS = "·・\u200c_"


def status_length(text: str, spoiler: str = "", *, url_length: int = 23) -> int:
    """How many characters Mastodon's StatusLengthValidator counts for this status."""
    body = text.strip(_RUBY_SPACE)
    if not body.strip():
        return grapheme_length(spoiler.strip(_RUBY_SPACE))
    entities: list[tuple[int, int, str]] = [
        (m.start("url"), m.end("url"), "x" * url_length)
        for m in (unicode_pattern(_URL, version1=True).finditer(body) if ":" in body else ())
        if m.group("scheme")
    ]
    for m in unicode_pattern(_MENTION).finditer(body):
        if not unicode_pattern(_MENTION_END).match(body, m.end()):
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
    words = unicode_pattern(_TAG_CHARS).findall(tag)
    name = "".join(word[:1].upper() + word[1:] for word in words).strip(_TAG_SEPARATORS[:3])
    if not unicode_pattern(r"\p{Alphabetic}").search(name):
        return None
    return name


def status_fit(limit: int, *, url_length: int, spoiler: str = "") -> Fit:
    """Mastodon's measure for `crosspost.summary.compose`: the status with its content warning,
    counted as the server counts (the spoiler text is never shortened)."""
    return Fit(
        platform="mastodon",
        limit=limit,
        measure=lambda text: status_length(text, spoiler, url_length=url_length),
        noun="toot",
        holder="a toot on this server",
        fixed="the title, link and content warning",
        allows="this Mastodon server allows",
        fixed_hint="shorten the title, or the template's fixed text, or spoiler_text",
    )
