"""Layers and cycles, read from the source with `ast` (function-local imports included).

The core (everything in crosspost/ and the built-in adapters that is not a front end) never
imports a front end. A front end (the CLI, the Action) imports only its own package and the
public surface below, so every rule it applies is the core's and every front end applies the
same ones. And no module imports itself back through others, even from inside a function: such a
cycle means two modules are one job split in two, or one of them is in the wrong layer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import crosspost

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"crosspost": ROOT / "crosspost", "crosspost.adapters": ROOT / "adapters"}
"""Where each top-level package's source is (pyproject's package-dir)."""

FRONT_ENDS = ("crosspost.cli", "crosspost.action")
"""The front-end packages."""

PUBLIC: Mapping[str, frozenset[str] | None] = {
    # The package root: `crosspost.__version__` and the documented names of `crosspost.__all__`
    # (types included), plus `api`; `import crosspost` itself loads nothing else.
    "crosspost": frozenset([*crosspost.__all__, "api"]),
    # The core's API and its errors, all of them: what the library offers is what front ends get.
    "crosspost.api": None,
    "crosspost.errors": None,
    # The result types `api.check`, `api.status` and `api.doctor` return, named in a front
    # end's annotations.
    "crosspost.check": frozenset({"Checked", "Checkup"}),
    "crosspost.status": frozenset({"Finding", "StatusReport"}),
    "crosspost.doctor": frozenset({"Diagnosis"}),
    # The up-to-date check of a no-op publish: the console entry asks it before click is
    # imported, and `publish` stamps its run; importing crosspost.api alone costs more than
    # the whole quiet run, so these two are reached directly.
    "crosspost.uptodate": frozenset({"try_quiet_run", "record"}),
    # The events a run reports to its `watch` callback (api.publish(..., watch=)).
    "crosspost.progress": frozenset({"Event", "Started", "Waiting"}),
}
"""What a front end may import from the core: module -> the names it may take (None: any)."""

ACCEPTED_CYCLES: dict[tuple[str, str], str] = {}
"""Cycles allowed, each with why; none is. The last one, `document ⇄ sources`
(`Document.from_markdown` built a Document through the module that builds Documents), went when
that constructor became `crosspost.load_text`."""

FRONT_END_CALLS = {("crosspost.cli", "crosspost.action")}
"""Front ends that hand over to another: `crosspost publish --github` runs the Action once."""


@dataclass(frozen=True)
class Import:
    """One `import` statement's target as seen from `module`."""

    module: str  # the importing module
    target: str  # the module imported (for `from X import y`: X.y when that is a module)
    names: tuple[str, ...]  # the names taken with `from X import ...` (empty for `import X`)
    line: int
    type_only: bool  # under `if TYPE_CHECKING:`: never runs


def modules(packages: Mapping[str, Path] = PACKAGES) -> dict[str, str]:
    """Every module's dotted name and source text."""
    found: dict[str, str] = {}
    for package, folder in packages.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join([package, *parts])
            if package == "crosspost" and name.startswith("crosspost.adapters"):
                continue  # not a real folder; `adapters/` is that package
            found[name] = path.read_text("utf-8")
    return found


def imports(name: str, source: str, known: set[str]) -> Iterator[Import]:
    """Every import in `source` (module `name`), wherever it is in the file."""
    tree = ast.parse(source)
    type_only = _type_checking_nodes(tree)
    is_package = any(other.startswith(name + ".") for other in known)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, (), node.lineno, id(node) in type_only)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(name, node, is_package)
            names = tuple(alias.name for alias in node.names)
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in known]
            for target in submodules:
                yield Import(name, target, (), node.lineno, id(node) in type_only)
            rest = tuple(n for n in names if f"{base}.{n}" not in known)
            if rest or not submodules:
                yield Import(name, base, rest, node.lineno, id(node) in type_only)


def _absolute(name: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = name.split(".")
    if not is_package:
        parts.pop()
    if node.level > 1:
        parts = parts[: -(node.level - 1)]
    return ".".join([*parts, node.module] if node.module else parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """The ids of the import nodes inside `if TYPE_CHECKING:` blocks."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                inside.update(id(n) for n in ast.walk(stmt))
    return inside


def graph(sources: Mapping[str, str]) -> list[Import]:
    """Every import between the modules of `sources`, and every import of a crosspost module."""
    known = set(sources)
    return [
        found
        for name, source in sources.items()
        for found in imports(name, source, known)
        if found.target in known or found.target.split(".")[0] == "crosspost"
    ]


def front_end(module: str) -> str | None:
    """The front-end package `module` belongs to, or None for the core."""
    return next((f for f in FRONT_ENDS if module == f or module.startswith(f + ".")), None)


def violations(edges: list[Import]) -> list[str]:
    """Every import that crosses the layers the wrong way, as `module:line: why`."""
    found = []
    for edge in edges:
        mine, theirs = front_end(edge.module), front_end(edge.target)
        where = f"{edge.module}:{edge.line}"
        if mine is None and theirs is not None:
            found.append(f"{where}: the core imports the front end {edge.target}")
        elif mine is not None and theirs is not None and theirs != mine:
            if (mine, theirs) not in FRONT_END_CALLS:
                found.append(f"{where}: the front end imports another front end, {edge.target}")
        elif mine is not None and theirs is None:
            allowed = PUBLIC.get(edge.target, frozenset())
            names = edge.names or ("",)
            if allowed is not None and not all(n in allowed for n in names):
                taken = ", ".join(n for n in names if n and n not in allowed)
                what = f"{taken} from {edge.target}" if taken else edge.target
                found.append(
                    f"{where}: the front end imports {what}, not the public API "
                    "(crosspost.api, crosspost.errors, crosspost's names)"
                )
    return found


def cycles(edges: list[Import]) -> list[list[str]]:
    """The import cycles (strongly connected components of two or more modules, or a module
    importing itself), counting every import that runs, function-local ones included; imports
    under `if TYPE_CHECKING:` never run, so they cannot make a cycle."""
    following: dict[str, set[str]] = {}
    for edge in edges:
        if not edge.type_only:
            following.setdefault(edge.module, set()).add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(following.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in following.get(node, ()):
                found.append(sorted(component))

    for node in sorted(following):
        if node not in index:
            visit(node)
    return found


# --------------------------------------------------------------------------- the real tree


def test_the_scan_sees_every_package_and_front_end() -> None:
    found = modules()
    assert {"crosspost", "crosspost.api", "crosspost.cli", "crosspost.adapters.devto"} <= set(found)
    assert any(front_end(name) for name in found)
    # function-local imports are seen: the fast entry point imports the group inside a method
    edges = graph(found)
    assert any(e.module == "crosspost.cli" and e.target == "crosspost.cli.commands" for e in edges)


def test_no_layer_violations() -> None:
    assert violations(graph(modules())) == []


def test_no_import_cycles() -> None:
    assert cycles(graph(modules())) == [sorted(pair) for pair in ACCEPTED_CYCLES]


LONG = 600
"""Lines past which a module says, in its docstring, why it is still one module."""


def test_a_long_module_says_why_it_is_one() -> None:
    unexplained = [
        name
        for name, source in modules().items()
        if source.count("\n") > LONG
        and "It stays one module" not in (ast.get_docstring(ast.parse(source)) or "")
    ]
    assert unexplained == []


# --------------------------------------------------------------------------- the scanner itself


def test_a_function_local_import_back_is_a_cycle() -> None:
    sources = {
        "crosspost.a": "from crosspost.b import x\n",
        "crosspost.b": "def f():\n    from . import c\n",
        "crosspost.c": "def g():\n    import crosspost.a\n",
        "crosspost.d": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from crosspost.a import y\nfrom crosspost import b\n",
    }
    assert cycles(graph(sources)) == [["crosspost.a", "crosspost.b", "crosspost.c"]]


def test_a_type_only_import_is_no_cycle_but_still_a_layer_crossing() -> None:
    sources = {
        "crosspost.plan": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from crosspost.cli.output import x\n",
        "crosspost.cli.output": "from crosspost.plan import Plan\n",
    }
    edges = graph(sources)
    assert cycles(edges) == []
    assert violations(edges) == [
        "crosspost.plan:3: the core imports the front end crosspost.cli.output",
        "crosspost.cli.output:1: the front end imports Plan from crosspost.plan, not the public "
        "API (crosspost.api, crosspost.errors, crosspost's names)",
    ]


def test_front_ends_may_use_the_public_surface_and_their_own_package() -> None:
    sources = {
        "crosspost.cli": "from .group import main\n",
        "crosspost.cli.group": "from crosspost import Plan, api\nfrom crosspost.errors import "
        "shown\nfrom crosspost.api import check\nimport click\n",
        "crosspost.cli.publish": "from crosspost.sources import load_post\n"
        "def f():\n    from crosspost.action import run\n",
        "crosspost.action": "from crosspost import cli\n",
    }
    assert violations(graph(sources)) == [
        "crosspost.cli.publish:1: the front end imports load_post from crosspost.sources, not "
        "the public API (crosspost.api, crosspost.errors, crosspost's names)",
        "crosspost.action:1: the front end imports another front end, crosspost.cli",
    ]
