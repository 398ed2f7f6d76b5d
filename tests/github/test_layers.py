"""The Action is a front end: it imports only the core's public API and itself, and nothing in
the core imports it (function-local imports included, read from the source with `ast`)."""

from __future__ import annotations

import ast
from pathlib import Path

import crosspost

PACKAGE = Path(crosspost.__file__).parent
PUBLIC = {"crosspost.api", "crosspost.errors"}
FRONT_ENDS = ("crosspost.action", "crosspost.cli", "crosspost.commands")


def imports(path: Path, package: str) -> set[str]:
    """Every crosspost module `path` imports, anywhere in it, resolved to its full name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
    return {name for name in found if name.split(".")[0] == "crosspost"}


def module_of(path: Path) -> tuple[str, str]:
    """(the module's name, the package its relative imports start from)."""
    parts = ["crosspost", *path.relative_to(PACKAGE).with_suffix("").parts]
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), ".".join(parts[:-1])
    return ".".join(parts), ".".join(parts[:-1])


def test_the_action_imports_only_the_public_api_and_itself() -> None:
    for path in sorted((PACKAGE / "action").glob("*.py")):
        _, package = module_of(path)
        wrong = {
            name
            for name in imports(path, package)
            if name not in PUBLIC and not name.startswith("crosspost.action")
        }
        assert not wrong, f"{path.name} imports {sorted(wrong)}"


def test_no_core_module_imports_a_front_end() -> None:
    core = [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if not module_of(path)[0].startswith(FRONT_ENDS)
    ]
    assert len(core) > 20
    for path in core:
        name, package = module_of(path)
        wrong = {m for m in imports(path, package) if m.startswith("crosspost.action")}
        assert not wrong, f"{name} imports the front end {sorted(wrong)}"
