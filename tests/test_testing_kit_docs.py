"""docs/writing-an-adapter-testing.md stays true: its example is the plugin's conformance test
(run in a fresh venv by tests/test_plugin.py), its excerpt is the plugin's fake, and its tables
name every contract check and every fault the kit has."""

from __future__ import annotations

import re

from crosspost.testing import FAULTS, AdapterContract

from .conftest import REPO

PAGE = REPO / "docs" / "writing-an-adapter-testing.md"
PLUGIN = REPO / "examples" / "plugin"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text("utf-8"), re.S)


def contract_checks() -> list[str]:
    return [name for name in dir(AdapterContract) if name.startswith("test_")]


def test_the_example_is_the_plugins_conformance_test() -> None:
    example = python_blocks()[1]
    assert example == (PLUGIN / "tests" / "test_conformance.py").read_text("utf-8")


def test_the_excerpt_is_the_plugins_fake() -> None:
    fake = (PLUGIN / "crosspost_webhook" / "fake.py").read_text("utf-8").splitlines()
    for line in python_blocks()[0].splitlines():
        assert line in fake, line


def test_every_contract_check_and_fault_is_documented() -> None:
    text = PAGE.read_text("utf-8")
    rows = re.findall(r"^\| `(test_\w+)` \|", text, re.M)
    assert set(rows) == set(contract_checks())
    documented = {
        name
        for cell in re.findall(r"^\| (`[^|]+`) \|", text, re.M)
        for name in re.findall(r"`([\w-]+)`", cell)
    }
    assert {case.id for case in FAULTS} <= documented


def test_the_counts_the_page_gives_are_the_kits() -> None:
    common = [case for case in FAULTS if case.needs is None]
    checks = len(contract_checks())
    said = f"it is {checks + len(common)} tests ({checks} contract checks and {len(common)} faults)"
    assert said in PAGE.read_text("utf-8").replace("\n", " ")
