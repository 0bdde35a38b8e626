"""Imports point one way: the graph of ccm/, etl/, ui/ and pages/ has no cycle, counting imports inside
functions and modules named by string (importlib.import_module("ccm.x"), dispatch tables of module names)."""

from __future__ import annotations

import ast
from pathlib import Path

from ccm.settings import ROOT

PACKAGES = ("ccm", "etl", "ui", "pages")
# Module names a module lists for another process to import (not an import of this process).
OTHER_PROCESS = {"etl.sandbox": {"PRELOAD"}}  # the fork server preloads the readers before forking children


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _skipped_strings(tree: ast.Module, names: set[str]) -> set[int]:
    """ids of the string constants assigned to `names` at module level."""
    skipped = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in names for t in node.targets
        ):
            skipped |= {id(c) for c in ast.walk(node.value) if isinstance(c, ast.Constant)}
    return skipped


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports, wherever the import is and however it names the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skipped = _skipped_strings(tree, OTHER_PROCESS.get(name, set()))
    targets: set[str] = set()

    def add(target: str) -> None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            targets.add(target)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
        elif isinstance(node, ast.Constant) and node.value in known and id(node) not in skipped:
            add(node.value)  # importlib.import_module("ccm.x") or a table of module names
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: imports_of(name, path, set(modules)) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per back edge of a depth-first walk (empty: the graph is acyclic)."""
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                found.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle():
    assert [" → ".join(c) for c in cycles(import_graph())] == []


def test_the_graph_sees_imports_inside_functions_and_by_string(tmp_path):
    code = (
        "import importlib\nTABLE = {'a': 'ccm.voc'}\ndef f():\n    from ccm import db\n"
        "    return importlib.import_module('ccm.kpi')\n"
    )
    path = tmp_path / "probe.py"
    path.write_text(code, encoding="utf-8")
    assert imports_of("ccm.probe", path, {"ccm", "ccm.voc", "ccm.db", "ccm.kpi"}) == {
        "ccm.voc",
        "ccm.db",
        "ccm.kpi",
    }
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_opening_the_schema_module_imports_nothing_of_the_project():
    assert imports_of("ccm.schema", ROOT / "ccm" / "schema.py", set(_modules())) == set()
