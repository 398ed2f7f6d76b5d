"""URL comparison: the one rule of which spellings name the same page, shared by every
adapter's `find`, the planner's URL claims and the records' lookups (docs/threat-model.md)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

__all__ = ["normalize_url", "same_url", "url_key", "url_problem"]


def normalize_url(url: str) -> str:
    """A comparable form: lower-case scheme and host, no default port, no trailing slash or
    fragment. Platforms echo canonical URLs back with such cosmetic differences."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not (
        (parts.scheme == "https" and port == 443) or (parts.scheme == "http" and port == 80)
    ):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), host, path, parts.query, ""))


def same_url(a: str | None, b: str | None) -> bool:
    """True when both are set and point to the same page."""
    if not a or not b:
        return False
    try:
        return normalize_url(a) == normalize_url(b)
    except ValueError:
        return False


def url_key(url: str) -> str:
    """The page `url` names, as a key: two parsable URLs have one key exactly when `same_url`
    holds (an unparsable URL is only its own page). Whatever compares or indexes canonical
    URLs uses it, since a platform's `find` matches any spelling of a page and a check by
    string would let another post's page pass for a new one."""
    try:
        return normalize_url(url)
    except ValueError:
        return url


def url_problem(url: str) -> str | None:
    """Why `url` cannot be read as an address (a broken IPv6 host, a port that is no number or
    out of range), or None. `urlsplit` accepts such URLs and raises only when the host or port
    is asked for, deep inside whatever asks first; a value from a pull request (the config,
    the records) is checked with it where it is read, so the error names its file and field."""
    try:
        urlsplit(url).port  # noqa: B018 - parses the host and port now
    except ValueError as exc:
        return str(exc)
    return None
