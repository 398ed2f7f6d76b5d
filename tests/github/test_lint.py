"""action.yml, the example workflow and the release workflow: schema-valid, clean under zizmor
(with the repository's policy, .github/zizmor.yml), offline."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from crosspost.action import ARTIFACT_FOLDER

from .helpers import ACTION, REPO, VENV_BIN, WORKFLOW

SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
RELEASE = REPO / ".github" / "workflows" / "release.yml"
ZIZMOR_POLICY = REPO / ".github" / "zizmor.yml"


def tool(name: str) -> str:
    path = VENV_BIN / name
    if not path.exists():
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return str(path)


@pytest.mark.parametrize(
    ("schema", "target"),
    [
        ("vendor.github-actions", ACTION),
        ("vendor.github-workflows", WORKFLOW),
        ("vendor.github-workflows", RELEASE),
    ],
)
def test_schema(schema: str, target: Path) -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", schema, str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            tool("zizmor"),
            "--offline",
            "--persona=pedantic",  # stricter than the default "regular": code smells too
            "--no-progress",
            "--color=never",
            "--format=plain",
            f"--config={ZIZMOR_POLICY}",
            str(ACTION),
            str(WORKFLOW),
            str(RELEASE),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},  # no token, no network, own cache
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_inputs_reach_scripts_only_through_env() -> None:
    """The template-injection rule, checked directly too: no `${{ }}` inside any `run:`."""
    steps = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    for step in steps:
        assert "${{" not in step.get("run", ""), step.get("name")
        if "run" in step:
            assert step.get("shell") == "bash"


def test_every_action_is_pinned_by_commit_sha() -> None:
    """Every third-party action, in the action and both workflows; crosspost's own action is
    named by its release tag in the example (`test_release.py` checks that tag)."""
    uses = [s["uses"] for s in yaml.safe_load(ACTION.read_text())["runs"]["steps"] if "uses" in s]
    for path in (WORKFLOW, RELEASE):
        workflow = yaml.safe_load(path.read_text())
        uses += [
            s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s
        ]
    source = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["urls"]["Source"]
    own = source.removeprefix("https://github.com/") + "@"
    third_party = [u for u in uses if not u.startswith(own)]
    assert len(third_party) == len(uses) - 1, uses
    assert third_party and all(SHA_PIN.match(u) for u in third_party), third_party


def test_every_token_input_becomes_its_environment_variable() -> None:
    action = yaml.safe_load(ACTION.read_text())
    publish = next(s for s in action["runs"]["steps"] if s.get("id") == "publish")
    tokens = [name for name in action["inputs"] if name.endswith("-token")]
    assert tokens == [
        "devto-token",
        "hashnode-token",
        "medium-token",
        "mastodon-token",
        "bluesky-token",
    ]
    for name in tokens:
        platform = name.removesuffix("-token").upper()
        assert publish["env"][f"CROSSPOST_{platform}_TOKEN"] == f"${{{{ inputs.{name} }}}}"


def test_example_workflow_settings() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    on = workflow[True]  # YAML 1.1 reads the key `on` as a boolean
    assert on["push"]["branches"] == ["main"]
    assert "path" in on["workflow_dispatch"]["inputs"]
    assert workflow["concurrency"] == {"group": "crosspost", "cancel-in-progress": False}
    assert workflow["permissions"] == {}
    job = workflow["jobs"]["crosspost"]
    assert job["permissions"] == {"contents": "write"}
    # A manual run on another branch would publish unmerged posts and commit records there.
    assert job["if"] == "github.ref_name == github.event.repository.default_branch"
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    # The job-level upload of a cancelled run's records (an action's own cancelled() steps do
    # not run when the job is cancelled), from the folder crosspost puts them aside in.
    keep = job["steps"][-1]
    assert keep["if"] == "cancelled()" and keep["uses"].startswith("actions/upload-artifact@")
    assert keep["with"]["path"] == "${{ runner.temp }}/" + ARTIFACT_FOLDER
