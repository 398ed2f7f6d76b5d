"""Every post of the shared corpus (10 generators + hard cases) loads or fails with a SourceError.

Never any other exception: the corpus is real-world input, including templates, broken YAML,
Latin-1 files and alias bombs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.config import Config, SiteConfig
from crosspost.discover import POST_SUFFIXES
from crosspost.document import Document
from crosspost.errors import SourceError
from crosspost.sources import load_post

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
POSTS = (
    sorted(p for p in CORPUS.glob("*/*") if p.suffix in POST_SUFFIXES) if CORPUS.is_dir() else []
)

# The constructed hard cases that must be refused, and why.
REFUSED = {
    "empty.md": "empty",
    "no-front-matter.md": "no front matter",
    "non-utf8.md": "not UTF-8",
    "tabs-in-yaml.md": "tab",
    "title-not-string.md": "title",
    "unclosed-front-matter.md": "never closed",
    "yaml-alias-bomb.md": "aliases",
}


def outcome(path: Path, config: Config) -> Document | SourceError:
    try:
        return load_post(path, config)
    except SourceError as exc:
        return exc


@pytest.mark.skipif(not POSTS, reason=f"the shared corpus is not available at {CORPUS}")
@pytest.mark.parametrize("path", POSTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_post(path: Path) -> None:
    config = Config(root=CORPUS.resolve(), site=SiteConfig(url="https://example.com"))
    result = outcome(path, config)
    if isinstance(result, SourceError):
        assert result.path == path
        assert result.message
        assert str(result).startswith(str(path))
        if path.parent.name == "constructed":
            assert path.name in REFUSED, f"{path.name} should load: {result}"
            assert REFUSED[path.name] in str(result)
        return
    assert path.name not in REFUSED
    assert result.title.strip()
    assert result.canonical_url.startswith(("https://", "http://"))
    assert result.source == path and result.source_hash.startswith("sha256:")
    for notice in result.notices:
        assert notice.path == path and (notice.line is None or notice.line >= 1)
