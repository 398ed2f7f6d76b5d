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


def test_every_section_the_code_cites_exists() -> None:
    text = ARCHITECTURE.read_text("utf-8")
    numbers = set(re.findall(r"^## (\d+)\. ", text, re.M))
    for folder in ("crosspost", "adapters", "tests"):
        for path in (REPO / folder).rglob("*.py"):
            for cited in re.findall(r"(?:DESIGN|architecture\.md) §(\d+)", path.read_text("utf-8")):
                assert cited in numbers, f"{path.relative_to(REPO)} cites §{cited}"


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
