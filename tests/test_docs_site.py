"""The manual builds as a site without a warning, and the front page stays a front page.

`mkdocs build --strict` fails on a broken link or anchor and on a page left out of the nav
(mkdocs.yml's `validation`); README.md is outside the site, so its links are checked here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

README = REPO / "README.md"
ARCHITECTURE = REPO / "docs" / "architecture.md"
MKDOCS = Path(sys.executable).with_name("mkdocs")


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "architecture" / "index.html").is_file()


def test_readme_is_a_front_page() -> None:
    assert len(README.read_text("utf-8").splitlines()) <= 300


def test_readme_links_lead_somewhere() -> None:
    text = README.read_text("utf-8")
    targets = re.findall(r"\]\((?!https?://|#)([^)\s]+)\)", text)
    assert targets
    for target in targets:
        assert (REPO / target.split("#", 1)[0]).exists(), target


def test_architecture_keeps_the_numbered_sections_the_code_cites() -> None:
    """Code comments cite "docs/architecture.md §N": the numbers never move."""
    headings = re.findall(r"^## (\d+)\. ", ARCHITECTURE.read_text("utf-8"), re.M)
    assert headings == [str(n) for n in range(1, 14)]


CITING = ("crosspost", "adapters", "tests", "benchmarks", "examples", "docs", ".ci", "action.yml")
"""Where the project's own text cites the architecture: code, tests, benchmarks, CI and docs."""


def _citing_files() -> list[Path]:
    found: list[Path] = []
    for name in CITING:
        top = REPO / name
        paths = [top] if top.is_file() else sorted(top.rglob("*"))
        found += [
            path
            for path in paths
            if path.is_file()
            and "node_modules" not in path.parts
            and path.suffix in {".py", ".md", ".yml", ".yaml", ".toml", ".sh", ""}
        ]
    return found


def test_every_section_the_code_cites_exists() -> None:
    """A citation is "docs/architecture.md §N" (or "§N, §M"), and §N is a heading there."""
    text = ARCHITECTURE.read_text("utf-8")
    numbers = set(re.findall(r"^## (\d+)\. ", text, re.M))
    cites = 0
    for path in _citing_files():
        for first, more in re.findall(
            r"docs/architecture\.md §(\d+)((?:, §\d+)*)", path.read_text("utf-8", "replace")
        ):
            for cited in [first, *re.findall(r"§(\d+)", more)]:
                cites += 1
                assert cited in numbers, f"{path.relative_to(REPO)} cites §{cited}"
    assert cites > 20  # the scan reads the files that cite (a wrong folder would pass silently)


def test_nothing_cites_the_design_document_that_is_not_in_the_repository() -> None:
    """DESIGN.md is the project's design note, kept outside the repository; its sections live on
    in docs/architecture.md under the same numbers, and only that name is cited."""
    stale = [
        str(path.relative_to(REPO))
        for path in _citing_files()
        if re.search(r"DESIGN(?:\.md)? ?§", path.read_text("utf-8", "replace"))
    ]
    assert not stale, f"cite docs/architecture.md §N instead of the DESIGN note in: {stale}"


def test_architecture_names_every_module() -> None:
    """§2's table of modules is compared with crosspost/: a new module gets its line."""
    section = ARCHITECTURE.read_text("utf-8").split("## 2. ", 1)[1].split("\n## 3. ", 1)[0]
    named = set(re.findall(r"`([\w.]+)/?`", section))  # a package as `name/`
    package = REPO / "crosspost"
    modules = {p.stem for p in package.glob("*.py")} | {
        p.name for p in package.iterdir() if (p / "__init__.py").is_file()
    }
    missing = sorted(modules - named - {"_version"})
    assert not missing, f"docs/architecture.md §2 does not name: {missing}"


def test_the_readme_and_the_help_name_every_built_in_platform() -> None:
    """Issue 17 trial: the README's Platforms table and `crosspost -h` left Bluesky out. Every
    platform crosspost ships (an adapter in adapters/) has its row, linking its page, and its
    name in the one-line description of the CLI."""
    from crosspost.adapter import load_adapters
    from crosspost.cli._help import TEXT

    readme = (REPO / "README.md").read_text()
    table = readme.split("## Platforms", 1)[1].split("\n## ", 1)[0]
    built_in = [name for name in load_adapters() if (REPO / "adapters" / name).is_dir()]
    assert len(built_in) >= 5
    for name in built_in:
        assert f"(docs/platforms/{name}.md)" in table, name
    summary = " ".join(TEXT.split())
    for shown in ("dev.to", "Hashnode", "Medium-style APIs", "Mastodon", "Bluesky"):
        assert shown in summary, shown
