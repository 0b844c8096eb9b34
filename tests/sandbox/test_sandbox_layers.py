"""The sandbox's modules import one another one way: no cycle, no import hidden in a function."""

from __future__ import annotations

import ast
from pathlib import Path

import antsclient.sandbox

PACKAGE = "antsclient.sandbox"
FOLDER = Path(antsclient.sandbox.__file__).parent


def _imports(tree: ast.Module) -> list[tuple[ast.stmt, str]]:
    """Every (statement, sandbox module) import of a module, wherever it stands."""
    found: list[tuple[ast.stmt, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node, a.name) for a in node.names if a.name.startswith(PACKAGE + ".")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == PACKAGE:
                found += [(node, f"{PACKAGE}.{a.name}") for a in node.names]
            elif node.module.startswith(PACKAGE + "."):
                found.append((node, node.module))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {f"{PACKAGE}.{p.stem}": p for p in FOLDER.glob("*.py") if p.stem != "__init__"}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = {target for _, target in _imports(tree) if target in modules}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_no_import_cycle_in_the_sandbox() -> None:
    graph = _graph()
    assert f"{PACKAGE}.state" in graph and f"{PACKAGE}.app" in graph
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_app_assembles_and_the_controls_do_not_know_it() -> None:
    graph = _graph()
    assert {f"{PACKAGE}.api", f"{PACKAGE}.control"} <= graph[f"{PACKAGE}.app"]
    assert f"{PACKAGE}.app" not in graph[f"{PACKAGE}.control"]
    assert f"{PACKAGE}.app" not in graph[f"{PACKAGE}.api"]


def test_sandbox_modules_are_imported_at_the_top() -> None:
    for path in sorted(FOLDER.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        hidden = [target for node, target in _imports(tree) if id(node) not in top]
        assert hidden == [], f"{path.name} imports {hidden} inside a block"


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
