"""`crosspost --version` and `--help` as users get them, against a bare `python -c pass`
(≤ 2×, docs/architecture.md §13).

What a user runs is the console script pip writes when it installs the wheel, not a development
checkout, and that script is part of the cost: the one older pips write (pip 23, which `python
-m venv` still bundles) imports `re` before crosspost is even imported, which alone costs about
1.6× a bare interpreter; newer pips write one that does not. So this builds the project's wheel
from a copy of its sources, installs it non-editable into a fresh virtualenv made with this
interpreter, keeps the script the bundled pip wrote, upgrades pip in that virtualenv, installs
the wheel again, and times both scripts and `python -c pass` with the virtualenv's interpreter.

Each command runs many times, interleaved so that machine noise hits all of them alike; the
figure is the median CPU time (user + system) of the child process, which a loaded machine
disturbs far less than wall-clock time. Everything is built and installed in a temporary folder
removed at the end: the repository gets no build/ or egg-info. Needs the package index pip is
configured with (for the dependencies and the newer pip). Prints figures; asserts nothing.

    python benchmarks/startup.py [--runs 100]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "crosspost", "adapters")
"""What building the wheel reads (pyproject's package-dir and readme)."""


def run(*command: str | Path, cwd: Path) -> None:
    subprocess.run([str(part) for part in command], cwd=cwd, check=True)


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """The child's CPU time (user + system) and its wall-clock time, in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def pip_version(python: Path, cwd: Path) -> str:
    shown = subprocess.run(
        [str(python), "-m", "pip", "--version"], cwd=cwd, capture_output=True, text=True, check=True
    )
    return shown.stdout.split()[1]


def install(work: Path) -> tuple[Path, dict[str, Path]]:
    """The virtualenv's interpreter and each console script, named after the pip that wrote it."""
    source = work / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            skip = shutil.ignore_patterns("__pycache__")
            shutil.copytree(ROOT / name, source / name, ignore=skip)
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=work)
    python = venv / "bin" / "python"
    quiet = ("--quiet", "--disable-pip-version-check")
    run(python, "-m", "pip", "wheel", *quiet, "--no-deps", "-w", work / "wheels", source, cwd=work)
    (wheel,) = (work / "wheels").glob("crosspost-*.whl")
    scripts: dict[str, Path] = {}
    run(python, "-m", "pip", "install", *quiet, wheel, cwd=work)
    old = f"pip {pip_version(python, work)}"
    scripts[old] = venv / "bin" / "crosspost-old-pip"
    shutil.copy2(venv / "bin" / "crosspost", scripts[old])
    run(python, "-m", "pip", "install", *quiet, "--upgrade", "pip", cwd=work)
    run(python, "-m", "pip", "install", *quiet, "--force-reinstall", "--no-deps", wheel, cwd=work)
    new = f"pip {pip_version(python, work)}"
    if new != old:
        scripts[new] = venv / "bin" / "crosspost"
    return python, scripts


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--runs", type=int, default=100)
    args = options.parse_args()
    with tempfile.TemporaryDirectory(prefix="crosspost-startup-") as folder:
        work = Path(folder)
        print("building and installing the wheel in a fresh virtualenv…", flush=True)
        python, scripts = install(work)
        commands = {"python -c pass": [str(python), "-c", "pass"]}
        for pip, script in scripts.items():
            commands[f"--version ({pip} script)"] = [str(script), "--version"]
            commands[f"--help ({pip} script)"] = [str(script), "--help"]
        # Outside the repository, with no PYTHON* variable that would change what is imported;
        # COLUMNS as on a terminal of 80 columns, the width the fast help is rendered for.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["COLUMNS"] = "80"
        for command in commands.values():  # warm the file cache
            timed(command, work, env)
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        wall: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                spent, elapsed = timed(command, work, env)
                cpu[name].append(spent)
                wall[name].append(elapsed)
        base_cpu = statistics.median(cpu["python -c pass"])
        base_wall = statistics.median(wall["python -c pass"])
        print(f"{sys.version.split()[0]}, median of {args.runs} runs each")
        print(f"{'':32} {'CPU':>8} {'ratio':>6}   {'wall':>8} {'ratio':>6}")
        for name in commands:
            c, w = statistics.median(cpu[name]), statistics.median(wall[name])
            print(
                f"{name:32} {c * 1000:6.1f}ms {c / base_cpu:5.2f}×   "
                f"{w * 1000:6.1f}ms {w / base_wall:5.2f}×"
            )


if __name__ == "__main__":
    main()
