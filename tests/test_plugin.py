"""examples/plugin (crosspost-webhook) works end to end as a third-party package would.

crosspost and the plugin are pip-installed (regular, non-editable installs from copies of their
sources) into a fresh virtualenv; the CLI of that venv must list the plugin, publish through it
to its own fake with `--sandbox`, and survive a broken plugin next to it. The new venv sees this
test venv's site-packages through a `.pth` line, for the dependencies only: that keeps the test
offline apart from the build backend pip fetches (setuptools, from the package index), and fast
(about 15 s). crosspost itself and the plugin come from the venv's own site-packages, which comes
first on sys.path.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import tomllib
import venv
from pathlib import Path

import pytest

from tests.blogs import write_posts
from tests.conftest import REPO

PLUGIN = REPO / "examples" / "plugin"
COPY = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", ".venv")


class Env:
    """A fresh venv with crosspost and crosspost-webhook installed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = root / "venv" / "bin"
        self.plugin = root / "plugin"

    def run(
        self, *args: str, cwd: Path, extra_path: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CROSSPOST_", "PYTHON"))}
        env.update(NO_COLOR="1", COLUMNS="200", GITHUB_ACTIONS="false")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        if extra_path is not None:
            env["PYTHONPATH"] = str(extra_path)
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Env:
    root = tmp_path_factory.mktemp("plugin-venv")
    env = Env(root)
    venv.create(root / "venv", with_pip=False)
    [purelib] = list((root / "venv" / "lib").glob("python3*/site-packages"))
    (purelib / "_test_venv_dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", "utf-8"
    )
    source = root / "crosspost"
    for part in ("crosspost", "adapters"):
        shutil.copytree(REPO / part, source / part, ignore=COPY)
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / part, source / part)
    shutil.copytree(PLUGIN, env.plugin, ignore=COPY)
    # Both projects' build requirements, installed once into the venv (pip's build isolation
    # would install them twice, each time in a throwaway environment: 4 s more).
    backends = sorted({req for project in (source, env.plugin) for req in build_requires(project)})
    pip = ["python", "-m", "pip", "install", "--quiet"]
    for args in (backends, ["--no-deps", "--no-build-isolation", str(source), str(env.plugin)]):
        install = env.run(*pip, *args, cwd=root)
        assert install.returncode == 0, install.stderr
    return env


def build_requires(project: Path) -> list[str]:
    with (project / "pyproject.toml").open("rb") as file:
        requires: list[str] = tomllib.load(file)["build-system"]["requires"]
    return requires


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    (tmp_path / "crosspost.toml").write_text(
        '[site]\nurl = "https://blog.example.com"\ncontent = "posts"\n\n'
        '[platforms.webhook]\napi_url = "https://hooks.example.com/crosspost"\n',
        "utf-8",
    )
    write_posts(tmp_path / "posts", 2)
    return tmp_path


def test_the_fresh_venv_runs_the_installed_copies_typed(fresh: Env, tmp_path: Path) -> None:
    script = "import crosspost as c, crosspost_webhook as w; print(c.__file__, w.__file__)"
    where = fresh.run("python", "-c", script, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    for path in map(Path, where.stdout.split()):
        assert path.is_relative_to(fresh.root / "venv"), path
        assert (path.parent / "py.typed").is_file()  # PEP 561: type checkers use the hints


def test_platforms_lists_the_plugin(fresh: Env, blog: Path) -> None:
    listed = fresh.run("crosspost", "platforms", "--json", cwd=blog)
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert {"devto", "hashnode", "medium", "mastodon", "webhook"} <= set(rows)
    assert rows["webhook"]["display_name"] == "JSON webhook"
    assert rows["webhook"]["configured"] and rows["webhook"]["sandbox"]
    assert rows["webhook"]["env"] == "CROSSPOST_WEBHOOK_TOKEN"
    assert listed.stderr == ""


def test_publish_sandbox_goes_through_the_plugins_fake(fresh: Env, blog: Path) -> None:
    published = fresh.run("crosspost", "publish", "--sandbox", "--json", cwd=blog)
    assert published.returncode == 0, published.stderr
    results = json.loads(published.stdout)["results"]
    assert [(r["platform"], r["status"]) for r in results] == [("webhook", "created")] * 2
    # The URL is the one the fake gave the stored item: the post is in the plugin's fake.
    urls = sorted(r["url"] for r in results)
    assert all(re.fullmatch(r"http://127\.0\.0\.1:\d+/items/[12]", url) for url in urls)
    assert not (blog / ".crosspost").exists()  # the sandbox never touches the blog's records


def test_the_plugins_own_tests_pass(fresh: Env) -> None:
    """Its own 8 tests, and crosspost's conformance kit as an installed crosspost offers it:
    11 contract checks and the 14 faults a plain HTTP API can have (no platform-specific ones)."""
    # -P: the plugin's source folder (the cwd) stays off sys.path; the installed copy runs.
    pytest_args = ["-P", "-m", "pytest", "-v", "-p", "no:cacheprovider", "tests"]
    tested = fresh.run("python", *pytest_args, cwd=fresh.plugin)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert re.search(r"\b33 passed\b", tested.stdout), tested.stdout
    contract = re.findall(r"TestWebhookContract::(\w+) PASSED", tested.stdout)
    faults = re.findall(r"TestWebhookFaults::test_fault\[([\w-]+)\] PASSED", tested.stdout)
    assert (
        len(contract) == 11 and "test_a_burst_of_posts_is_paced_and_each_published_once" in contract
    )
    assert len(faults) == 14 and "reset-after-commit" in faults and "slow-media" not in faults


def test_crossposts_own_matrix_and_contract_tests_take_in_an_installed_plugin(fresh: Env) -> None:
    """The registry is the one list of platforms in crosspost's tests: with the plugin installed,
    the contract checks and the fault matrix are generated for it too (collected, not run: the
    plugin's own tests above run the same kit)."""
    modules = [REPO / "tests" / "adapters" / "test_conformance.py", REPO / "tests" / "faults"]
    config = ["-c", str(REPO / "pyproject.toml"), "--rootdir", str(REPO)]
    args = ["-P", "-m", "pytest", "--collect-only", "-q", *config, *map(str, modules)]
    collected = fresh.run("python", *args, cwd=fresh.root)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    contract = re.findall(r"TestContract_webhook::(test_\w+)", collected.stdout)
    faults = re.findall(r"TestFaults_webhook::test_fault\[([\w-]+)\]", collected.stdout)
    assert len(contract) == 11 and len(faults) == 14, collected.stdout
    assert "TestFaults_devto::test_fault[reset-after-commit]" in collected.stdout


def test_a_broken_plugin_is_a_warning_not_a_crash(fresh: Env, blog: Path, tmp_path: Path) -> None:
    # What pip leaves for a package whose entry point names a module it does not ship.
    broken = tmp_path / "broken"
    dist = broken / "crosspost_broken-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: crosspost-broken\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[crosspost.adapters]\nbroken = crosspost_missing:Broken\n"
    )
    expected = "adapter plugin 'broken' (crosspost_missing:Broken) failed to load"

    listed = fresh.run("crosspost", "platforms", "--json", cwd=blog, extra_path=broken)
    assert listed.returncode == 0, listed.stderr
    assert "webhook" in {row["name"] for row in json.loads(listed.stdout)}
    assert expected in listed.stderr and "No module named 'crosspost_missing'" in listed.stderr

    # A run imports the adapters of its platforms only: the broken plugin is none of them.
    published = fresh.run("crosspost", "publish", "--sandbox", cwd=blog, extra_path=broken)
    assert published.returncode == 0, published.stderr
    assert "broken" not in published.stderr
    assert "Traceback" not in published.stderr
