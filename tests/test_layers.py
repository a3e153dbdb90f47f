"""The import graph of `src/interviewer`: data flows one way, and no two packages import each other.

Imports are read with `ast` (nothing is imported). Imports under `if TYPE_CHECKING:` are skipped: they
never load the module at run time, so they name a type without creating a dependency.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import interviewer

PACKAGE = Path(interviewer.__file__).parent

# Lower layers never import higher ones; a unit may import its own layer (but no cycle between units).
LAYERS: dict[str, int] = {
    "limits": 0,
    "exits": 0,
    "paths": 0,
    "cache": 1,
    "config_file": 1,
    "tokens": 0,
    "prompts": 1,
    "printed": 1,
    "text": 1,
    "bank": 2,
    "settings": 3,
    "engine": 3,
    "grading": 4,
    "backends": 5,
    "transcripts": 6,
    "session": 6,
    "batch": 6,
    "history": 7,
    "ui": 8,
    "fast_exit": 9,
    "commands": 9,
    "practice": 7,
    "cli": 9,
    "__main__": 9,
    "__init__": 0,
}


def _unit(module: str) -> str:
    """`interviewer.grading.grade` -> `grading`; the unit a layer is given to."""
    return module.split(".")[1] if "." in module else "__init__"


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name).is_dir()


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, module: str) -> set[str]:
    """The `interviewer.*` modules a file imports at run time, anywhere in the file."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("interviewer."))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                parts = module.split(".")[: -node.level]
                base = ".".join([*parts, base] if base else parts)
            if base == "interviewer":  # `from interviewer import app` (a module) or `__version__` (the package's)
                found.update(f"interviewer.{a.name}" if _is_module(a.name) else "interviewer" for a in node.names)
            elif base.startswith("interviewer."):
                found.add(base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return found


def _graph() -> dict[str, set[str]]:
    """Unit -> the other units it imports."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        module = ".".join(["interviewer", *rel.parts])
        unit = _unit(module)
        deps = {_unit(m) for m in _imports(path, module)} - {unit, "__init__"}
        graph.setdefault(unit, set()).update(deps)
    return graph


def test_every_module_and_package_has_a_layer():
    assert set(_graph()) - set(LAYERS) == set(), "give the new module or package a layer in LAYERS"


def _upward(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{unit} (layer {LAYERS[unit]}) imports {dep} (layer {LAYERS[dep]})"
        for unit, deps in graph.items()
        for dep in deps
        if LAYERS.get(dep, 0) > LAYERS.get(unit, 0)
    )


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return []


def test_no_layer_imports_a_higher_one():
    assert _upward(_graph()) == []


def test_no_two_packages_import_each_other_even_indirectly():
    assert _cycle(_graph()) == []


def test_the_checker_sees_every_kind_of_import_and_skips_type_only_ones(tmp_path):
    path = tmp_path / "grade.py"
    path.write_text(
        "from typing import TYPE_CHECKING\n"
        "from interviewer.backends.base import BackendError\n"
        "from ..engine import actions\n"
        "def late():\n    import interviewer.session\n"
        "if TYPE_CHECKING:\n    from interviewer.ui.terminal import InterviewIO\n"
    )
    found = _imports(path, "interviewer.grading.grade")
    assert found == {"interviewer.backends.base", "interviewer.engine", "interviewer.session"}


def test_the_checker_reports_the_old_grading_backends_arrows():
    old = {"grading": {"backends", "bank"}, "backends": {"grading"}, "bank": set()}
    assert _upward(old) == ["grading (layer 4) imports backends (layer 5)"]
    assert set(_cycle(old)) == {"grading", "backends"}
