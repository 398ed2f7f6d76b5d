"""`crosspost --version` and `--help` against a bare `python -c pass`
(≤ 2×, docs/architecture.md §13).

Runs each command many times, interleaved so that machine noise hits all of them alike, and
prints medians and ratios. Prints figures; asserts nothing.

    python benchmarks/startup.py [--runs 40]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--runs", type=int, default=40)
    args = options.parse_args()
    script = shutil.which("crosspost", path=str(Path(sys.executable).parent)) or shutil.which(
        "crosspost"
    )
    if script is None:
        sys.exit("the crosspost script is not installed (pip install -e .)")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "crosspost --version": [script, "--version"],
        "crosspost --help": [script, "--help"],
    }
    for command in commands.values():  # warm the file cache and byte-code
        timed(command)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            samples[name].append(timed(command))
    base = statistics.median(samples["python -c pass"])
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:22} median {median * 1000:6.1f} ms  ({median / base:.2f}× python -c pass)")


if __name__ == "__main__":
    main()
