"""Git repositories with a bare "origin", push events, and a tiny composite-action runner.

The runner executes action.yml the way GitHub's runner does for what matters here: each `run:`
step with bash (`bash --noprofile --norc -eo pipefail`), in its working directory, with its
`env:` mapping evaluated, `$GITHUB_OUTPUT` collected into `steps.<id>.outputs`, and `if:`
conditions of the `failure()` / `cancelled()` / `steps.x.outputs.y != ''` kind. A job can be
cancelled while the publish step runs (`cancel=`): from then on `cancelled()` is true, `failure()`
false, and steps without a status function are skipped, as on GitHub. `uses:` steps are skipped
(they are other people's actions), and so is any step named in `skip` (the install step: the test
venv already has crosspost, first on PATH). Only the simple expressions `inputs.x`, `secrets.x`,
`github.action_path`, `github.run_id`, `github.run_attempt`, `runner.temp`, `runner.os` and
`steps.x.outputs.y` are evaluated; anything else is an error, so the action cannot grow an
expression this runner would silently get wrong.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
WORKFLOW = REPO / "examples" / "github-workflow.yml"
VENV_BIN = Path(sys.executable).parent
ZERO = "0" * 40

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}


def git(cwd: Path, *args: str) -> str:
    """Run git as the test's "human" user; raise with stderr on failure."""
    env = {**os.environ, **_GIT_ENV, "HOME": str(cwd)}
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout.strip()


def commit(repo: Path, message: str = "change") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class Remote:
    """A bare origin plus the author's clone that pushes to it."""

    origin: Path
    author: Path

    @classmethod
    def create(cls, root: Path) -> Remote:
        origin = root / "origin.git"
        git(root, "init", "-q", "--bare", "-b", "main", str(origin))
        author = root / "author"
        git(root, "clone", "-q", origin.as_uri(), str(author))
        git(author, "checkout", "-q", "-b", "main")
        return cls(origin, author)

    def push(self, message: str = "change") -> tuple[str, str]:
        """Commit everything in the author's clone and push; (before, after) of the push."""
        before = self.head()
        after = commit(self.author, message)
        git(self.author, "push", "-q", "origin", "HEAD:main")
        return before, after

    def head(self) -> str:
        found = git(self.origin, "for-each-ref", "--format=%(objectname)", "refs/heads/main")
        return found or ZERO

    def checkout(self, target: Path, *, depth: int | None = None) -> Path:
        """What actions/checkout leaves: a clone of main at its tip, on the branch."""
        extra = [f"--depth={depth}"] if depth else []
        git(target.parent, "clone", "-q", *extra, self.origin.as_uri(), str(target))
        return target


def event_file(folder: Path, name: str = "push", **payload: Any) -> Path:
    """Write an event JSON as the runner does and return its path."""
    path = folder / f"event-{name}-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(payload), "utf-8")
    return path


def actions_env(
    tmp: Path, workspace: Path, *, event: str, event_path: Path, sha: str = ""
) -> dict[str, str]:
    """The GITHUB_* / RUNNER_* variables a job step sees, with fresh output and summary files."""
    runner_temp = tmp / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    stamp = time.monotonic_ns()
    output = tmp / f"output-{stamp}"
    summary = tmp / f"summary-{stamp}"
    output.touch()
    summary.touch()
    return {
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_SHA": sha,
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_REF_NAME": "main",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_REPOSITORY": "someone/blog",
        "RUNNER_TEMP": str(runner_temp),
        "RUNNER_OS": "Linux",
    }


def parse_outputs(text: str) -> dict[str, str]:
    """Read a $GITHUB_OUTPUT file: `name=value` lines and `name<<DELIM` blocks."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i)
            values[name] = "\n".join(lines[i:end])
            i = end + 1
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


# --------------------------------------------------------------------------- the action runner

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class StepRun:
    id: str
    returncode: int
    stdout: str
    stderr: str


@dataclass
class ActionResult:
    """Everything a composite action run left behind."""

    steps: list[StepRun] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    step_outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    summary: str = ""
    failed: bool = False
    cancelled: bool = False
    skipped_uses: list[str] = field(default_factory=list)
    reached: list[str] = field(default_factory=list)  # ids of the steps whose `if:` held

    @property
    def log(self) -> str:
        return "".join(s.stdout + s.stderr for s in self.steps)

    @property
    def stdout(self) -> str:
        return "".join(s.stdout for s in self.steps)

    @property
    def returncode(self) -> int:
        codes = [s.returncode for s in self.steps if s.returncode]
        return codes[0] if codes else 0

    def json(self, name: str) -> Any:
        return json.loads(self.outputs[name])


class CompositeRunner:
    """Runs action.yml's steps under a simulated job environment (see the module docstring)."""

    def __init__(self, action: Path = ACTION, *, skip: frozenset[str] = frozenset({"install"})):
        self.action = action
        self.definition = yaml.safe_load(action.read_text("utf-8"))
        self.skip = skip

    def inputs(self, given: Mapping[str, str]) -> dict[str, str]:
        declared = self.definition["inputs"]
        unknown = set(given) - set(declared)
        assert not unknown, f"not inputs of action.yml: {unknown}"
        return {
            name: str(given.get(name, spec.get("default", ""))) for name, spec in declared.items()
        }

    def run(
        self,
        env: Mapping[str, str],
        inputs: Mapping[str, str],
        *,
        workspace: Path,
        secrets: Mapping[str, str] | None = None,
        cancel: Callable[[subprocess.Popen[str]], None] | None = None,
        timeout: float = 60.0,
    ) -> ActionResult:
        """Run every step. `cancel` gets the publish step's process while it runs, to signal it
        as the runner does; the job counts as cancelled from then on."""
        result = ActionResult()
        context = _Context({}, dict(secrets or {}), env, result)
        # `with:` values are the caller's expressions (secrets), evaluated before the action runs.
        context.inputs = self.inputs({k: context.evaluate(v) for k, v in inputs.items()})
        for step in self.definition["runs"]["steps"]:
            step_id = step.get("id", "")
            if not context.condition(step.get("if")):
                continue
            result.reached.append(step_id)
            if "uses" in step:
                result.skipped_uses.append(step["uses"].split("@")[0])
                continue
            if step_id in self.skip:
                continue
            output_file = Path(env["RUNNER_TEMP"]) / f"step-output-{time.monotonic_ns()}"
            output_file.touch()
            step_env = {
                **_base_env(),
                **env,
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_ACTION_PATH": str(self.action.parent),
                **{k: context.evaluate(str(v)) for k, v in (step.get("env") or {}).items()},
            }
            cwd = workspace / context.evaluate(step.get("working-directory", "."))
            assert step.get("shell") == "bash", "composite run steps must say shell: bash"
            script = Path(env["RUNNER_TEMP"]) / f"step-{time.monotonic_ns()}.sh"
            script.write_text(step["run"], "utf-8")
            process = subprocess.Popen(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=cwd,
                env=step_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            if cancel is not None and step_id == "publish":
                cancel(process)
                result.cancelled = True
            try:
                stdout, stderr = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                stdout, stderr = process.communicate()
                raise AssertionError(f"step {step_id} timed out:\n{stdout}\n{stderr}") from None
            result.steps.append(StepRun(step_id, process.returncode, stdout, stderr))
            produced = parse_outputs(output_file.read_text("utf-8"))
            result.step_outputs[step_id] = produced
            if process.returncode != 0:
                result.failed = True
        result.outputs = {
            name: context.evaluate(spec["value"])
            for name, spec in self.definition.get("outputs", {}).items()
        }
        result.summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text("utf-8")
        return result


def _base_env() -> dict[str, str]:
    """A runner-like environment: the venv's bin first on PATH, no stray crosspost settings."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("CROSSPOST_", "GITHUB_"))}
    keep["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    keep.update(_GIT_ENV)
    return keep


@dataclass
class _Context:
    inputs: dict[str, str]
    secrets: dict[str, str]
    env: Mapping[str, str]
    result: ActionResult

    def value(self, expression: str) -> str:
        parts = expression.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return self.inputs[parts[1]]
        if parts[0] == "secrets" and len(parts) == 2:
            return self.secrets.get(parts[1], "")
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.result.step_outputs.get(parts[1], {}).get(parts[3], "")
        simple = {
            "github.action_path": str(ACTION.parent),
            "github.run_id": self.env.get("GITHUB_RUN_ID", ""),
            "github.run_attempt": self.env.get("GITHUB_RUN_ATTEMPT", ""),
            "runner.temp": self.env.get("RUNNER_TEMP", ""),
            "runner.os": self.env.get("RUNNER_OS", ""),
        }
        if expression in simple:
            return simple[expression]
        raise AssertionError(f"the test runner cannot evaluate ${{{{ {expression} }}}}")

    def evaluate(self, text: str) -> str:
        return _EXPR.sub(lambda m: self.value(m.group(1)), text)

    def condition(self, expression: str | None) -> bool:
        succeeding = not self.result.failed and not self.result.cancelled
        if expression is None:
            return succeeding
        terms = [t.strip() for t in expression.split("&&")]
        outcome = True
        saw_status = False
        for term in terms:
            if term == "failure()":
                saw_status = True
                outcome = outcome and self.result.failed and not self.result.cancelled
            elif term == "cancelled()":
                saw_status = True
                outcome = outcome and self.result.cancelled
            elif term == "always()":
                saw_status = True
            elif m := re.fullmatch(r"(steps\.[\w-]+\.outputs\.[\w-]+)\s*(==|!=)\s*'(.*)'", term):
                equal = self.value(m.group(1)) == m.group(3)
                outcome = outcome and (equal if m.group(2) == "==" else not equal)
            else:
                raise AssertionError(f"the test runner cannot evaluate if: {expression}")
        return outcome if saw_status else outcome and succeeding


def workflow_action_inputs() -> dict[str, str]:
    """The `with:` of the example workflow's crosspost step (secrets still as expressions)."""
    workflow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    steps = workflow["jobs"]["crosspost"]["steps"]
    step = next(s for s in steps if "/crosspost@" in s.get("uses", ""))
    return {k: str(v) for k, v in (step.get("with") or {}).items()}
