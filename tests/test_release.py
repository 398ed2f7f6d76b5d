"""The release path users install from: the sdist and the wheel build and pass `twine check`, the
release workflow publishes them from a version tag with trusted publishing, and every `uses:`
line in the docs names a release that CHANGELOG.md lists, never a placeholder."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from crosspost import __version__

REPO = Path(__file__).resolve().parents[1]
RELEASE = REPO / ".github" / "workflows" / "release.yml"
USES = re.compile(r"uses:\s*([\w.-]+/crosspost@[\w.-]*[\w])")


def _source_repo() -> str:
    urls = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["urls"]
    return str(urls["Source"]).removeprefix("https://github.com/")


def test_the_distributions_build_and_pass_twine_check(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"crosspost-{__version__}-py3-none-any.whl", f"crosspost-{__version__}.tar.gz"]
    twine = Path(sys.executable).with_name("twine")
    checked = subprocess.run(
        [str(twine), "check", "--strict", *map(str, tmp_path.iterdir())],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2


def test_the_release_workflow_publishes_a_version_tag_by_trusted_publishing() -> None:
    workflow = yaml.safe_load(RELEASE.read_text())
    assert workflow[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads `on` as a boolean
    assert workflow["permissions"] == {}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    script = next(s["run"] for s in build["steps"] if "run" in s)
    assert "python -m build" in script and "twine check --strict dist/*" in script
    assert 'if [ "v$version" != "$TAG" ]' in script, "a tag must match the package's version"
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}, "OIDC only: no stored token"
    assert publish["environment"]["name"] == "pypi"
    last = publish["steps"][-1]
    assert last["uses"].startswith("pypa/gh-action-pypi-publish@") and "with" not in last


def test_the_changelog_lists_the_released_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert f"\n## [{__version__}]\n" in changelog
    assert changelog.index("## [Unreleased]") < changelog.index(f"## [{__version__}]")


def _docs() -> list[Path]:
    """Every page a user reads, and the example workflow they copy."""
    docs = [REPO / "README.md", REPO / "CHANGELOG.md", *sorted((REPO / "examples").rglob("*.yml"))]
    return docs + sorted((REPO / "docs").rglob("*.md"))


def test_every_uses_line_in_the_docs_names_the_release_tag() -> None:
    expected = f"{_source_repo()}@v{__version__}"
    docs = _docs()
    found = {path.name: USES.findall(path.read_text()) for path in docs}
    lines = [line for per_file in found.values() for line in per_file]
    assert lines, "the docs show the Action's uses: line"
    assert set(lines) == {expected}, found
    for text in map(Path.read_text, docs):
        assert "OWNER/crosspost" not in text and "crosspost@<sha>" not in text


THIRD_PARTY = ("actions/", "pypa/")
"""Owners of the actions the docs and workflows use besides crosspost's own."""
ANY_USES = re.compile(r"uses:\s*`?([\w.-]+/[\w.-]+)@")
GITHUB = re.compile(r"(?:git\+)?https://github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?(?=[@/\s`)\"']|$)")


def test_every_repository_address_in_the_docs_is_the_projects() -> None:
    """The repository's address is one fact, `[project.urls] Source` (to confirm at release,
    as CHANGELOG.md says): every `uses:` of an action that is not a known third party's, every
    install and clone line, and the project's other URLs name that repository."""
    source = _source_repo()
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", source), source
    urls = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["urls"]
    assert all(str(u).startswith(f"https://github.com/{source}") for u in urls.values()), urls
    seen: dict[str, set[str]] = {}
    for path in _docs():
        text = path.read_text()
        ours = [u for u in ANY_USES.findall(text) if not u.startswith(THIRD_PARTY)]
        named = [m for m in GITHUB.findall(text) if m.split("/")[0] not in ("actions", "pypa")]
        named = [m for m in named if m.split("/")[1] == "crosspost" or m in ours]
        if ours or named:
            seen[path.relative_to(REPO).as_posix()] = {*ours, *named}
        for line in text.splitlines():
            if "git clone" in line or "pip install git+" in line or "tool install git+" in line:
                assert f"https://github.com/{source}" in line, f"{path}: {line}"
    assert {"README.md", "docs/getting-started.md", "docs/github-action.md"} <= set(seen)
    assert {r for repos in seen.values() for r in repos} == {source}, seen
    assert "To confirm at release" in (REPO / "CHANGELOG.md").read_text()
