"""A fake Mastodon server that answers like the real one, for tests and `crosspost sandbox`.

Modelled on specs/mastodon/ (methods_statuses.md, methods_media.md, methods_instance.md,
entities_Instance.md, api_guidelines.md, api_rate-limits.md; NOTES.md §4): Bearer auth with
Mastodon's 401 body; statuses from JSON or form bodies; `Idempotency-Key` remembered for an hour
per token; the character limit enforced with Mastodon's counting, implemented here a second time
from the Ruby sources (not imported from the adapter, so that a bug in one is caught by the
other); visibility that edits cannot change; media that edits set to exactly their
`media_ids` (none sent: none kept); media processed asynchronously (202, then 206 until done);
timelines newest first with `Link` headers; `X-RateLimit-*` headers on every answer, 300
requests per 5 minutes per token and 30 uploads per 30 minutes, 429 at the limit.

Calibrated on Mastodon's source (issue 14; docs/platforms/facts.md):
- status creates and edits count in their own family, 300 per 3 h per account, answered 429
  with that family's `X-RateLimit-*` headers at the limit (app/lib/rate_limiter.rb);
- older servers also count every PUT of a signed-in user, status edits included, at 10 per
  10 min (`legacy_put_throttle`; rack_attack.rb `throttle_password_change/account`, 020228dd);
- Mastodon's own 429 is JSON with the X-RateLimit headers and no Retry-After (rack_attack.rb
  throttled_responder); 404 is `{"error":"Record not found"}` (api/base_controller.rb);
- error messages follow the request's language (`Accept-Language`, or `language` for every
  request); the German validation message is transcribed from halcy/Mastodon.py
  tests/cassettes/test_lang_for_errors.yaml.

It stays one module because a fake is one calibrated model of one platform: its handlers share the
same state, rate-limit counters and error shapes, and a split would make the calibration harder to
compare with its sources.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode

import regex

from crosspost.document import image_type
from crosspost.fake import FakePlatform, FakeRequest, FakeResponse, FaultKind, FixedWindow, Route

from .tlds import COUNTRY, GENERIC

__all__ = ["FakeMastodon", "countable_length"]

_GERMAN = (  # halcy/Mastodon.py tests/cassettes/test_lang_for_errors.yaml @ 0159bd7c
    ("Validation failed: ", "Gültigkeitsprüfung ist fehlgeschlagen: "),
    (r"Text character limit of (\d+) exceeded", r"Text Zeichenlimit von \1 überschritten"),
)

# --- Mastodon's length validation, ported from twitter-text + Mastodon's overrides ----------
UNICODE_SPACES = (
    "\u0009-\u000d\u0020\u0085\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
INVALID_CHARACTERS = "\ufffe\ufeff\uffff"
PUNCTUATION_CHARS = r"""!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"""
DOMAIN_VALID_CHARS = f"[^{PUNCTUATION_CHARS}{UNICODE_SPACES}\\x00-\\x1f\\x7f{INVALID_CHARACTERS}]"
REGEXEN = {
    "valid_url_preceding_chars": f"(?:[^A-Z0-9@＠$#＃{INVALID_CHARACTERS}]|^)",
    "valid_subdomain": f"(?:(?:{DOMAIN_VALID_CHARS}(?:[_-]|{DOMAIN_VALID_CHARS})*)?"
    f"{DOMAIN_VALID_CHARS}\\.)",
    "valid_domain_name": f"(?:(?:{DOMAIN_VALID_CHARS}(?:[-]|{DOMAIN_VALID_CHARS})*)?"
    f"{DOMAIN_VALID_CHARS}\\.)",
    # twitter-text's list of TLDs, each list an alternation in its order (`valid_gTLD`,
    # `valid_ccTLD`, then `valid_punycode`)
    "valid_tld": f"(?:(?:(?:{'|'.join(GENERIC)})(?=[^0-9a-z@+-]|$))"
    f"|(?:(?:{'|'.join(COUNTRY)})(?=[^0-9a-z@+-]|$))|(?:xn--[0-9a-z]+))",
    "valid_general_url_path_chars": r"[^\p{White_Space}<>()?]",
}
REGEXEN["valid_domain"] = (  # `*` bounded by the DNS limit of 127 labels: "a.a.a…" stays fast
    f"(?:{REGEXEN['valid_subdomain']}{{0,126}}{REGEXEN['valid_domain_name']}{REGEXEN['valid_tld']})"
)
# twitter-text's own (rb/lib/twitter-text/regex.rb @ 11a4852), before Mastodon's overrides:
# Mastodon's `valid_url_path_ending_chars` is set while `valid_url_balanced_parens` is still
# this one, built of these path characters.
LATIN_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253-\u0254\u0256-\u0257\u0259"
    "\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_T = f"[a-z\\p{{Cyrillic}}0-9!\\*';:=\\+\\,\\.\\$\\/%#\\[\\]\\p{{Pd}}_~&\\|@{LATIN_ACCENTS}]"
TWITTER_TEXT_BALANCED_PARENS = f"\\((?:{_T}+|(?:{_T}*\\({_T}+\\){_T}*))\\)"
# Mastodon's (config/initializers/twitter_regex.rb @ 3208bd8). Where a Ruby Regexp is
# interpolated into another, Ruby wraps it in a group of its own (`(?iu-mx:…)`): the ending
# characters, an alternation, are one group inside `valid_url_path`.
REGEXEN["valid_url_path_ending_chars"] = (
    r"(?:[^\p{White_Space}()?!*\"'「」<>;:=,.$%\[\]~&|@]|(?:" + TWITTER_TEXT_BALANCED_PARENS + "))"
)
_G = REGEXEN["valid_general_url_path_chars"]
REGEXEN["valid_url_balanced_parens"] = f"\\((?:{_G}+|(?:{_G}*\\({_G}+\\){_G}*))\\)"
REGEXEN["valid_url_path"] = (
    f"(?:(?:{_G}*(?:{REGEXEN['valid_url_balanced_parens']}{_G}*)*"
    f"{REGEXEN['valid_url_path_ending_chars']})|(?:{_G}+/))"
)
_UCHARS = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
    "\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    "\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd\U000a0000-\U000afffd"
    "\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd"
    "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
)
REGEXEN["valid_url_query_chars"] = f"[a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@^{_UCHARS}]"
REGEXEN["valid_url_query_ending_chars"] = f"[a-z0-9_&=#/\\-{_UCHARS}]"
VALID_URL = regex.compile(
    "("  # $1 total match
    f"({REGEXEN['valid_url_preceding_chars']})"  # $2 preceding character
    "("  # $3 URL
    "((?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://)?"  # $4 protocol
    f"({REGEXEN['valid_domain']})"  # $5 domain
    "(?::([0-9]+))?"  # $6 port
    f"(/{REGEXEN['valid_url_path']}*)?"  # $7 path
    f"(\\?{REGEXEN['valid_url_query_chars']}*{REGEXEN['valid_url_query_ending_chars']})?"
    "))",
    regex.IGNORECASE | regex.VERSION1,
)
WORD = r"[\p{L}\p{M}\p{Nd}\p{Pc}]"  # Ruby's [[:word:]]
USERNAME_RE = r"(?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)"
MENTION_RE = regex.compile(
    f"(?<![=/]|{WORD})@(({USERNAME_RE})(?:@{WORD}+(?:[.-]+{WORD}+)*)?)", regex.VERSION1
)
LATIN_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    "\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
END_MENTION_MATCH = regex.compile(f"\\A(?:[@＠]|[{LATIN_ACCENTS}]|://)")
HASHTAG_RE = regex.compile(
    r"(?<![=/)\p{Alnum}])[#＃]([\p{L}\p{M}\p{Nd}\p{Pc}·・\u200c]*\p{Alphabetic}"
    r"[\p{L}\p{M}\p{Nd}\p{Pc}·・\u200c]*)"
)
URL_PLACEHOLDER_CHARS = 23
RUBY_STRIP = " \t\n\v\f\r\x00"


def countable_length(text: str, spoiler_text: str = "", url_chars: int = 23) -> int:
    """StatusLengthValidator#too_long?'s measure: [spoiler, countable_text(text)].join, in
    grapheme clusters, where countable_text rewrites URLs and remote mentions."""
    return len(regex.findall(r"\X", spoiler_text + _countable_text(text, url_chars)))


def _countable_text(text: str, url_chars: int) -> str:
    if not text.strip():  # Ruby's blank?
        return ""
    entities: list[dict[str, Any]] = []
    for match in VALID_URL.finditer(text) if ":" in text else ():  # twitter-text's early exit
        if match.group(4):  # extract_url_without_protocol: false
            entities.append({"url": match.group(3), "indices": (match.start(3), match.end(3))})
    for match in MENTION_RE.finditer(text):
        if not END_MENTION_MATCH.match(text[match.end() :]):
            entities.append(
                {"screen_name": match.group(1), "indices": (match.start(1) - 1, match.end(1))}
            )
    kept: list[dict[str, Any]] = []
    for entity in sorted(entities, key=lambda e: e["indices"][0]):
        if not kept or kept[-1]["indices"][1] <= entity["indices"][0]:
            kept.append(entity)
    result, last = "", 0
    for entity in kept:
        start, end = entity["indices"]
        result += text[last:start]
        if "url" in entity:
            result += "x" * url_chars
        else:
            result += "@" + entity["screen_name"].split("@")[0]
        last = end
    return result + text[last:]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _sniff(data: bytes) -> str | None:
    """The image type from its first bytes, among those Mastodon takes; it checks content, not
    file names."""
    kind = image_type(data[:16])
    return kind if kind in ("image/jpeg", "image/png", "image/gif", "image/webp") else None


class FakeMastodon(FakePlatform):
    """State: `statuses` (Status entities, oldest first) and `media`, for tests to inspect.

    `max_characters` and `characters_reserved_per_url` are what `/api/v2/instance` announces
    and what the server enforces; `domain` is the host in status URLs.
    """

    name: ClassVar[str] = "mastodon"
    create_route: ClassVar[Route | None] = Route("POST", path=r"/api/v1/statuses$")
    platform_faults: ClassVar[Mapping[FaultKind, Mapping[str, Any]]] = {
        "slow-media": {"upload_cover": True}
    }
    VISIBILITIES: ClassVar[tuple[str, ...]] = ("public", "unlisted", "private", "direct")

    def __init__(
        self,
        *,
        tokens: tuple[str, ...] = ("sandbox-token",),
        latency: float = 0.0,
        time_scale: float = 1.0,
        max_characters: int = 500,
        characters_reserved_per_url: int = URL_PLACEHOLDER_CHARS,
        request_limit: tuple[int, float] = (300, 300.0),
        upload_limit: tuple[int, float] = (30, 1800.0),
        status_limit: tuple[int, float] = (300, 10_800.0),
        legacy_put_throttle: bool = False,
        language: str | None = None,
        idempotency_ttl: float = 3600.0,
        domain: str = "mastodon.example",
        username: str = "sandbox",
    ) -> None:
        super().__init__(tokens=tokens, latency=latency, time_scale=time_scale)
        self.max_characters = max_characters
        self.characters_reserved_per_url = characters_reserved_per_url
        self.window = FixedWindow(request_limit[0], request_limit[1] * time_scale)
        self.uploads = FixedWindow(upload_limit[0], upload_limit[1] * time_scale)
        self.status_writes = FixedWindow(status_limit[0], status_limit[1] * time_scale)
        self.puts = FixedWindow(10, 600.0 * time_scale) if legacy_put_throttle else None
        self.language = language
        self.idempotency_ttl = idempotency_ttl * time_scale
        self.domain = domain
        self.statuses: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.rate_limited = 0
        self._idempotent: dict[tuple[str, str], tuple[str, float]] = {}
        self._ready_at: dict[str, float] = {}
        self._sources: dict[str, str] = {}  # the plain text of each status, as edits need it
        self._last_id = 0
        self.account = self._account(username)

    def settings(self) -> dict[str, Any]:
        return {"instance": self.url}

    def too_many(self, retry_after: float) -> FakeResponse:
        """A 429 with `Retry-After` too, as a reverse proxy in front of Mastodon answers."""
        response = self.ratelimit_headers_only(retry_after)
        response.headers["Retry-After"] = str(max(0, round(retry_after)))
        return response

    def ratelimit_headers_only(self, retry_after: float, limit: int = 300) -> FakeResponse:
        """Mastodon's own 429 (Rack::Attack): no Retry-After, only the X-RateLimit headers."""
        return FakeResponse.json(
            429, {"error": "Too many requests"}, self._ratelimit_headers(limit, 0, retry_after)
        )

    @staticmethod
    def _ratelimit_headers(limit: int, remaining: int, reset_in: float) -> dict[str, str]:
        reset = datetime.now(UTC) + timedelta(seconds=reset_in)
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        }

    # ----------------------------------------------------------------- routing

    def handle(self, request: FakeRequest) -> FakeResponse:
        token = request.bearer() if self.authorized(request) else None
        bucket = token or "anonymous"
        window = refused_by = self.window
        with self.lock:
            wait = window.hit(bucket)
            for extra in self._windows(request):
                if wait is None:
                    wait, refused_by = extra.hit(bucket), extra
            if wait is not None:
                self.rate_limited += 1
                return self.ratelimit_headers_only(wait, refused_by.limit)
            # Answers carry the per-token throttle's headers (RateLimitHeaders keeps Rack::
            # Attack's when present), besides a family's own 429 above.
            remaining, reset_in = window.remaining(bucket)
        response = self._localised(self._route(request, token), request)
        response.headers.update(self._ratelimit_headers(window.limit, remaining, reset_in))
        return response

    def _windows(self, request: FakeRequest) -> list[FixedWindow]:
        """The limits besides the per-token one that this request counts against."""
        method, path = request.method, request.path
        windows = []
        if method == "POST" and path.endswith("/media"):
            windows.append(self.uploads)
        if (method == "POST" and path == "/api/v1/statuses") or (
            method == "PUT" and path.startswith("/api/v1/statuses/")
        ):
            windows.append(self.status_writes)
        if method == "PUT" and self.puts is not None:
            windows.append(self.puts)
        return windows

    def _localised(self, response: FakeResponse, request: FakeRequest) -> FakeResponse:
        """Mastodon's messages in the request's language (only German is transcribed; other
        languages fall back to English, as Mastodon does for a missing translation)."""
        wanted = (request.header("accept-language") or self.language or "en")[:2].lower()
        if wanted != "de" or response.status < 400:
            return response
        text = response.body.decode("utf-8")
        for english, german in _GERMAN:
            text = regex.sub(english, german, text)
        response.body = text.encode("utf-8")
        return response

    def _route(self, request: FakeRequest, token: str | None) -> FakeResponse:
        method, path = request.method, request.path
        if method == "GET" and path == "/api/v2/instance":
            return FakeResponse.json(200, self._instance())
        parts = path.strip("/").split("/")
        public_read = method == "GET" and (
            path.startswith("/api/v1/statuses/") or path.endswith("/statuses")
        )
        if token is None and not public_read:
            return self.error(401, "The access token is invalid")
        if method == "GET" and path == "/api/v1/accounts/verify_credentials":
            return FakeResponse.json(200, {**self.account, "source": self._source()})
        if path == "/api/v1/statuses" and method == "POST":
            return self._create(request, str(token))
        if parts[:3] == ["api", "v1", "statuses"] and len(parts) == 4:
            if method == "GET":
                status = self._status(parts[3], token)
                return FakeResponse.json(200, status) if status else self._not_found()
            if method == "PUT":
                return self._edit(request, parts[3], str(token))
        if method == "GET" and parts[:3] == ["api", "v1", "accounts"] and parts[4:] == ["statuses"]:
            return self._timeline(request, parts[3], token)
        if method == "POST" and path in ("/api/v2/media", "/api/v1/media"):
            return self._upload(request, str(token), asynchronous=path.startswith("/api/v2"))
        if method == "GET" and parts[:3] == ["api", "v1", "media"] and len(parts) == 4:
            return self._media_state(parts[3], str(token))
        return self._not_found()

    def _not_found(self) -> FakeResponse:
        return self.error(404, "Record not found")

    def _params(self, request: FakeRequest) -> dict[str, Any] | FakeResponse:
        """JSON or form parameters, `key[]` arrays folded into `key` as Rails does."""
        content_type = request.header("content-type") or ""
        if "json" in content_type:
            try:
                data = request.json() if request.body else {}
            except ValueError:
                return self.error(400, "Error occurred while parsing request parameters")
            return data if isinstance(data, dict) else {}
        params: dict[str, Any] = {}
        for key, values in request.form().items():
            if key.endswith("[]"):
                params[key[:-2]] = values
            else:
                params[key] = values[-1]
        return params

    # ----------------------------------------------------------------- statuses

    def _create(self, request: FakeRequest, token: str) -> FakeResponse:
        params = self._params(request)
        if isinstance(params, FakeResponse):
            return params
        key = request.header("idempotency-key")
        with self.lock:
            if key:
                seen = self._idempotent.get((token, key))
                if seen and time.monotonic() - seen[1] < self.idempotency_ttl:
                    status = self._status(seen[0], token)
                    if status is not None:
                        return FakeResponse.json(200, status)
            visibility = params.get("visibility") or "public"
            if visibility not in self.VISIBILITIES:
                return self.error(422, "Validation failed: Visibility is not included in the list")
            media = self._attachable(params.get("media_ids") or [], token)
            if isinstance(media, FakeResponse):
                return media
            text = str(params.get("status") or "").strip(RUBY_STRIP)
            spoiler = str(params.get("spoiler_text") or "").strip(RUBY_STRIP)
            problem = self._validate(text, spoiler, media)
            if problem is not None:
                return problem
            status = self._new_status(text, spoiler, visibility, params.get("language"), media)
            self.statuses.append(status)
            if key:
                self._idempotent[(token, key)] = (status["id"], time.monotonic())
        return FakeResponse.json(200, status)

    def _validate(
        self, text: str, spoiler: str, media: list[dict[str, Any]]
    ) -> FakeResponse | None:
        if not text.strip() and not media:
            return self.error(422, "Validation failed: Text can't be blank")
        if countable_length(text, spoiler, self.characters_reserved_per_url) > self.max_characters:
            return self.error(
                422, f"Validation failed: Text character limit of {self.max_characters} exceeded"
            )
        return None

    def _attachable(
        self, ids: Any, token: str, status_id: str | None = None
    ) -> list[dict[str, Any]] | FakeResponse:
        """Mastodon ignores ids that are not this account's media, unattached or already on
        the status being edited (`status_id`); it refuses more than four and media still
        processing."""
        ids = ids if isinstance(ids, list) else [ids]
        if len(ids) > 4:
            return self.error(422, "Cannot attach more than 4 files.")
        found = [
            self.media[str(i)]
            for i in ids
            if str(i) in self.media
            and self.media[str(i)]["_token"] == token
            and self.media[str(i)]["_status"] in (None, status_id)
        ]
        if any(self._processing(m["id"]) for m in found):
            return self.error(
                422, "Cannot attach files that have not finished processing. Try again in a moment!"
            )
        return found

    def _new_id(self) -> str:
        """Snowflake-like: milliseconds << 16, strictly increasing."""
        self._last_id = max(self._last_id + 1, int(time.time() * 1000) << 16)
        return str(self._last_id)

    def _new_status(
        self,
        text: str,
        spoiler: str,
        visibility: str,
        language: Any,
        media: list[dict[str, Any]],
    ) -> dict[str, Any]:
        status_id = self._new_id()
        status: dict[str, Any] = {
            "id": status_id,
            "created_at": _now(),
            "in_reply_to_id": None,
            "in_reply_to_account_id": None,
            "sensitive": bool(spoiler),
            "spoiler_text": spoiler,
            "visibility": visibility,
            "language": _language(language),
            "uri": f"https://{self.domain}/users/{self.account['username']}/statuses/{status_id}",
            "url": f"https://{self.domain}/@{self.account['username']}/{status_id}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "quotes_count": 0,
            "edited_at": None,
            "favourited": False,
            "reblogged": False,
            "muted": False,
            "bookmarked": False,
            "pinned": False,
            "filtered": [],
            "reblog": None,
            "application": {"name": "crosspost", "website": None},
            "account": self.account,
            "mentions": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        self._set_text(status, text, media)
        return status

    def _set_text(self, status: dict[str, Any], text: str, media: list[dict[str, Any]]) -> None:
        """The status's text and its media, in order (the media are attached to it)."""
        self._sources[status["id"]] = text
        for attachment in media:
            attachment["_status"] = status["id"]
        status["content"] = self._html(text)
        status["tags"] = [
            {"name": name.lower(), "url": f"https://{self.domain}/tags/{name.lower()}"}
            for name in dict.fromkeys(m.group(1) for m in HASHTAG_RE.finditer(text))
        ]
        status["media_attachments"] = [self._public(m) for m in media]

    def _html(self, text: str) -> str:
        """Mastodon's plain-text formatting: paragraphs, line breaks, linked URLs and tags."""
        paragraphs = []
        for paragraph in text.split("\n\n"):
            paragraphs.append(
                "<p>" + "<br />".join(map(self._linkify, paragraph.split("\n"))) + "</p>"
            )
        return "".join(paragraphs)

    def _linkify(self, line: str) -> str:
        out, last = "", 0
        links = [(m.start(3), m.end(3)) for m in VALID_URL.finditer(line) if m.group(4)]
        tags = [(m.start(), m.end()) for m in HASHTAG_RE.finditer(line)]
        for start, end in sorted(links + tags):
            if start < last:
                continue
            out += html.escape(line[last:start])
            token = line[start:end]
            if (start, end) in links:
                scheme, _, rest = token.partition("://")
                shown, hidden = rest[:30], rest[30:]
                out += (
                    f'<a href="{html.escape(token)}" target="_blank" rel="nofollow noopener" '
                    f'translate="no"><span class="invisible">{html.escape(scheme)}://</span>'
                    f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
                    f'<span class="invisible">{html.escape(hidden)}</span></a>'
                )
            else:
                name = html.escape(token[1:])
                out += (
                    f'<a href="https://{self.domain}/tags/{name.lower()}" class="mention hashtag" '
                    f'rel="tag">#<span>{name}</span></a>'
                )
            last = end
        return out + html.escape(line[last:])

    def _status(self, status_id: str, token: str | None) -> dict[str, Any] | None:
        for status in self.statuses:
            if status["id"] == status_id:
                if token is None and status["visibility"] in ("private", "direct"):
                    return None
                return status
        return None

    def _edit(self, request: FakeRequest, status_id: str, token: str) -> FakeResponse:
        """PUT /api/v1/statuses/:id: text, spoiler, language, media; visibility is ignored.

        The media become exactly `media_ids` (UpdateStatusService: Rails passes the parameter
        even when the request has none, so an edit without it removes every attachment)."""
        params = self._params(request)
        if isinstance(params, FakeResponse):
            return params
        with self.lock:
            status = self._status(status_id, token)
            if status is None:
                return self._not_found()
            text = (
                str(params.get("status") or "").strip(RUBY_STRIP)
                if "status" in params
                else self._sources.get(status_id, "")
            )
            spoiler = str(params.get("spoiler_text", status["spoiler_text"]) or "").strip(
                RUBY_STRIP
            )
            media = self._attachable(params.get("media_ids") or [], token, status_id)
            if isinstance(media, FakeResponse):
                return media
            problem = self._validate(text, spoiler, media)
            if problem is not None:
                return problem
            self._set_text(status, text, media)
            status["spoiler_text"], status["sensitive"] = spoiler, bool(spoiler)
            if params.get("language"):
                status["language"] = _language(params["language"]) or status["language"]
            status["edited_at"] = _now()
        return FakeResponse.json(200, status)

    # ----------------------------------------------------------------- timelines

    def _timeline(self, request: FakeRequest, account_id: str, token: str | None) -> FakeResponse:
        if account_id != self.account["id"]:
            return self._not_found()
        query = {k: v[-1] for k, v in request.query.items()}
        try:
            limit = max(1, min(int(query.get("limit") or 20), 40))
        except ValueError:
            return self.error(400, "limit must be an integer")
        with self.lock:
            visible = [
                s
                for s in reversed(self.statuses)
                if token is not None or s["visibility"] in ("public", "unlisted")
            ]
        try:
            below = int(query.get("max_id") or 0) or None
            above = max(int(query.get("since_id") or 0), int(query.get("min_id") or 0))
        except ValueError:
            return self._not_found()
        visible = [
            s for s in visible if int(s["id"]) > above and (below is None or int(s["id"]) < below)
        ]
        page = visible[-limit:] if query.get("min_id") else visible[:limit]
        headers = {}
        if page:
            carried = {
                k: v
                for k, v in query.items()
                if k in ("limit", "exclude_replies", "exclude_reblogs", "only_media", "pinned")
            }
            base = f"{self.url}/api/v1/accounts/{account_id}/statuses?"
            links = []
            if len(page) == limit:
                links.append(
                    f'<{base}{urlencode({**carried, "max_id": page[-1]["id"]})}>; rel="next"'
                )
            links.append(f'<{base}{urlencode({**carried, "min_id": page[0]["id"]})}>; rel="prev"')
            headers["Link"] = ", ".join(links)
        return FakeResponse.json(200, page, headers)

    # ----------------------------------------------------------------- media

    def _upload(self, request: FakeRequest, token: str, *, asynchronous: bool) -> FakeResponse:
        form = request.form() if "multipart" in (request.header("content-type") or "") else {}
        files = [f for f in form.get("file", []) if isinstance(f, bytes)]
        if not files:
            return self.error(422, "Validation failed: File can't be blank")
        mime = _sniff(files[0])
        if mime is None:
            return self.error(
                422, "Validation failed: File content type is invalid, File is invalid"
            )
        if len(files[0]) > 16 * 1024 * 1024:
            return self.error(422, "Validation failed: File file size must be less than 16 MB")
        description = str((form.get("description") or [""])[-1])
        if len(description) > 1500:
            return self.error(
                422, "Validation failed: Description is too long (maximum is 1500 characters)"
            )
        delay = self.media_delay() if asynchronous else 0.0
        with self.lock:
            media_id = self._new_id()
            self.media[media_id] = {
                "id": media_id,
                "type": "image",
                "url": f"https://files.{self.domain}/media_attachments/{media_id}/original.png",
                "preview_url": f"https://files.{self.domain}/media_attachments/{media_id}/small.png",
                "remote_url": None,
                "text_url": f"https://{self.domain}/media/{media_id}",
                "meta": {"original": {"width": 1, "height": 1, "size": "1x1", "aspect": 1.0}},
                "description": description or None,
                "blurhash": "U00000fQfQfQfQfQfQfQfQfQfQfQfQfQfQfQ",
                "_token": token,
                "_status": None,
                "_mime": mime,
            }
            self._ready_at[media_id] = time.monotonic() + delay
            processing = self._processing(media_id)
        return FakeResponse.json(202 if processing else 200, self._public(self.media[media_id]))

    def _processing(self, media_id: str) -> bool:
        return time.monotonic() < self._ready_at.get(media_id, 0.0)

    def _public(self, media: dict[str, Any]) -> dict[str, Any]:
        shown = {k: v for k, v in media.items() if not k.startswith("_")}
        if self._processing(media["id"]):
            shown["url"] = None
        return shown

    def _media_state(self, media_id: str, token: str) -> FakeResponse:
        media = self.media.get(media_id)
        if media is None or media["_token"] != token:
            return self._not_found()
        return FakeResponse.json(206 if self._processing(media_id) else 200, self._public(media))

    # ----------------------------------------------------------------- entities

    def _account(self, username: str) -> dict[str, Any]:
        return {
            "id": "109348000000000001",
            "username": username,
            "acct": username,
            "display_name": "Sandbox",
            "locked": False,
            "bot": False,
            "discoverable": True,
            "indexable": False,
            "group": False,
            "created_at": "2022-11-15T00:00:00.000Z",
            "note": "<p>crosspost's sandbox account</p>",
            "url": f"https://{self.domain}/@{username}",
            "uri": f"https://{self.domain}/users/{username}",
            "avatar": f"https://{self.domain}/avatars/original/missing.png",
            "avatar_static": f"https://{self.domain}/avatars/original/missing.png",
            "header": f"https://{self.domain}/headers/original/missing.png",
            "header_static": f"https://{self.domain}/headers/original/missing.png",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": 0,
            "last_status_at": None,
            "hide_collections": False,
            "noindex": False,
            "emojis": [],
            "roles": [],
            "fields": [],
        }

    @staticmethod
    def _source() -> dict[str, Any]:
        return {
            "privacy": "public",
            "sensitive": False,
            "language": "",
            "note": "crosspost's sandbox account",
            "fields": [],
            "follow_requests_count": 0,
            "hide_collections": False,
            "discoverable": True,
            "indexable": False,
        }

    def _instance(self) -> dict[str, Any]:
        """The documented `GET /api/v2/instance` shape, with this server's limits."""
        return {
            "domain": self.domain,
            "title": "Mastodon (crosspost sandbox)",
            "version": "4.5.0",
            "source_url": "https://github.com/mastodon/mastodon",
            "description": "A fake Mastodon server for crosspost's tests and sandbox",
            "usage": {"users": {"active_month": 1}},
            "thumbnail": {"url": f"https://{self.domain}/packs/media/images/preview.png"},
            "icon": [],
            "languages": ["en"],
            "configuration": {
                "urls": {"streaming": f"wss://{self.domain}", "status": None},
                "vapid": {"public_key": ""},
                "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
                "statuses": {
                    "max_characters": self.max_characters,
                    "max_media_attachments": 4,
                    "characters_reserved_per_url": self.characters_reserved_per_url,
                },
                "media_attachments": {
                    "description_limit": 1500,
                    "image_matrix_limit": 33177600,
                    "image_size_limit": 16777216,
                    "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
                    "video_frame_rate_limit": 120,
                    "video_matrix_limit": 8294400,
                    "video_size_limit": 103809024,
                },
                "polls": {
                    "max_options": 4,
                    "max_characters_per_option": 50,
                    "min_expiration": 300,
                    "max_expiration": 2629746,
                },
                "translation": {"enabled": False},
                "limited_federation": False,
            },
            "registrations": {
                "enabled": False,
                "approval_required": False,
                "reason_required": False,
                "message": None,
                "min_age": None,
                "url": None,
            },
            "api_versions": {"mastodon": 6},
            "contact": {"email": f"admin@{self.domain}", "account": self.account},
            "rules": [],
        }

    # ----------------------------------------------------------------- for tests

    def seed(self, texts: Iterable[str], visibility: str = "public") -> list[dict[str, Any]]:
        """Statuses already on the account (tooted by hand or by another tool), from their
        plain text, formatted as a create formats it but without a request or a rate limit
        each: a benchmark holds 10,000 of them cheaply. The timeline pages through them exactly
        as through created ones (newest first, `limit` at most 40)."""
        with self.lock:
            made = [self._new_status(text, "", visibility, None, []) for text in texts]
            self.statuses.extend(made)
        return made

    def copies(self, url: str) -> list[dict[str, Any]]:
        """Statuses whose content links to the post at `url` (its toots)."""
        needle = f'href="{html.escape(url)}"'
        with self.lock:
            return [s for s in self.statuses if needle in s["content"]]


def _language(value: Any) -> str | None:
    """Mastodon keeps a known ISO 639 code and silently falls back otherwise."""
    text = str(value or "")
    return text if regex.fullmatch(r"[a-z]{2,3}", text) else None
