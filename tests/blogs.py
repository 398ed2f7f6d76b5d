"""Throwaway blogs for end-to-end tests: the kit's (crosspost.testing) plus the repository's
examples/blog, and the `crosspost` script run as a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from crosspost.sandbox import Sandbox
from crosspost.testing import sandbox_blog, write_posts

__all__ = [
    "CROSSPOST",
    "copy_example_blog",
    "crosspost_env",
    "run_cli",
    "sandbox_blog",
    "write_posts",
]

CROSSPOST = Path(sys.executable).with_name("crosspost")


def copy_example_blog(target: Path, sandbox: Sandbox) -> Path:
    """The repository's examples/blog, with its platform tables pointed at `sandbox`."""
    source = Path(__file__).resolve().parents[1] / "examples" / "blog"
    shutil.copytree(source, target)
    config = target / "crosspost.toml"
    head = config.read_text("utf-8").split("[platforms.", 1)[0]
    named = 'records = ".crosspost/records.json"\n'  # pointing at the sandbox, it must say
    config.write_text(named + head + sandbox.toml(), "utf-8")
    return target


def crosspost_env(sandbox: Sandbox, **extra: str) -> dict[str, str]:
    """The environment of a `crosspost` subprocess using `sandbox`'s tokens, no colours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    env.update(sandbox.env)
    env.update({"NO_COLOR": "1", "COLUMNS": "200", "GITHUB_ACTIONS": "false"}, **extra)
    return env


def run_cli(
    *args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CROSSPOST), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
