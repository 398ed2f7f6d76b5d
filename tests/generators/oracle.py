"""The oracle: what crosspost says about each post, held against what the generator built.

For every post file of a site, crosspost (configured by its own `init`) either holds the post,
with a reason, or computes its canonical URL and the URLs it would send. The generator's output
folder is the truth: a canonical URL must be a page it built, every URL into the site (images,
covers, links to other posts) must be a file it wrote, and a held post must be one whose title
appears on no page it built.
"""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from crosspost.config import load_config
from crosspost.discover import find_posts
from crosspost.document import Document
from crosspost.plan import hold_reason, holds
from crosspost.scaffold import config_text, detect
from crosspost.sources import load_post

SITES = Path(__file__).parent / "sites"

_LINK = re.compile(r"\]\(\s*<?(https?://[^\s)>]+)>?|(?:src|href)\s*=\s*[\"'](https?://[^\"']+)")


def copy_site(name: str, tmp: Path) -> Path:
    """A private copy of the site `name` under tests/generators/sites, to build and configure."""
    site = tmp / name
    shutil.copytree(SITES / name, site)
    return site


def configure(site: Path, *, since: date = date(2000, 1, 1), extra: str = "") -> None:
    """Write the crosspost.toml `crosspost init` would, keeping every post (an early `since`)."""
    text = config_text(detect(site), since=since)
    (site / "crosspost.toml").write_text(text + extra, encoding="utf-8")


@dataclass
class Verdict:
    """What the oracle found: per post, its URL or the reason it is held; and every mismatch."""

    urls: dict[str, str] = field(default_factory=dict)
    held: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def served_file(out: Path, url: str, site_url: str) -> Path | None:
    """The file in the build output that answers `url`, if the site serves one."""
    base = urlsplit(site_url)
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    prefix = base.path.rstrip("/")
    path = unquote(parts.path)
    if not path.startswith(prefix + "/"):
        return None
    relative = path[len(prefix) + 1 :]
    candidates = [out / relative / "index.html"] if relative.endswith("/") or not relative else []
    candidates += [out / relative, out / relative / "index.html", out / f"{relative}.html"]
    return next((c for c in candidates if c.is_file()), None)


def internal_urls(doc: Document, site_url: str) -> set[str]:
    """Every URL crosspost sends that points into the site: body links and images, the cover."""
    found = {a or b for a, b in _LINK.findall(doc.body)}
    if doc.cover is not None:
        found.add(doc.cover.url)
    host = urlsplit(site_url).netloc
    return {u.split("#")[0] for u in found if urlsplit(u).netloc == host}


def verify(
    site: Path, out: Path, *, named: tuple[str, ...] = (), now: datetime | None = None
) -> Verdict:
    """Hold crosspost's view of every post in `site` against the build in `out`; `named` are
    files outside the content folder a user could name on the command line (Jekyll drafts)."""
    config = load_config(site)
    site_url = config.site.url or ""
    now = now or datetime.now(UTC)
    pages = [html.unescape(p.read_text("utf-8", "replace")) for p in out.rglob("*.html")]
    verdict = Verdict()
    for path in find_posts([site, *(site / name for name in named)], config):
        name = path.relative_to(site).as_posix()
        doc = load_post(path, config)
        held = holds(doc, config, now, recorded=False)
        reason = hold_reason(held[0], doc, config) if held else ""
        if reason:
            verdict.held[name] = reason
            if any(f">{doc.title}<" in page for page in pages):
                verdict.problems.append(f"{name}: held ({reason}) but the site built it")
            continue
        verdict.urls[name] = doc.canonical_url
        if served_file(out, doc.canonical_url, site_url) is None:
            verdict.problems.append(f"{name}: {doc.canonical_url} is not a page the site built")
        for url in sorted(internal_urls(doc, site_url)):
            if served_file(out, url, site_url) is None:
                verdict.problems.append(f"{name}: sends {url}, which the site does not serve")
    return verdict
