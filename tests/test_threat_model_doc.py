"""docs/threat-model.md names a test for every promise: each named test exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "threat-model.md"


def test_every_test_the_threat_model_names_exists() -> None:
    named = re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)(?:\[[\w-]+\])?`", DOC.read_text("utf-8"))
    assert len(named) >= 20
    for path, name in named:
        tree = ast.parse((ROOT / path).read_text("utf-8"))
        functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert name in functions, f"{path}::{name} is named in the threat model but missing"
