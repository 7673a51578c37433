"""The simulator's modules: no import cycles among them, none imports its own package back (lengths: test_layout)."""

from __future__ import annotations

import ast
from pathlib import Path

import smtui.sim

PACKAGE = Path(smtui.sim.__file__).parent


def imports_of(path: Path) -> set[str]:
    """The smtui.sim modules a module imports, wherever in it (functions and TYPE_CHECKING blocks too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "smtui.sim":
                found.update(
                    f"smtui.sim.{alias.name}" if (PACKAGE / f"{alias.name}.py").exists() else "smtui.sim"
                    for alias in node.names
                )
            elif node.module.startswith("smtui.sim."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("smtui.sim"))
    return found


def graph() -> dict[str, set[str]]:
    return {f"smtui.sim.{path.stem}": imports_of(path) for path in PACKAGE.glob("*.py") if path.stem != "__init__"}


def test_no_module_imports_the_package_back():
    offenders = sorted(module for module, imported in graph().items() if "smtui.sim" in imported)
    assert offenders == []


def test_no_import_cycles():
    edges = graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError("import cycle: " + " → ".join(path[path.index(module) :] + [module]))
        if module in done:
            return
        for imported in sorted(edges.get(module, ())):
            visit(imported, path + [module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])
