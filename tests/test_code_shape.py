"""The shape of the package's code: no function or method of src/antsclient is longer than
80 lines, from its ``def`` to its last line, so that each one reads on a screen."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
MAX_LINES = 80

HOT_PATHS = {
    "antsclient/geo/match.py::suggest_communes": (
        "every city, typed or checked, is matched here and its latency is benchmarked "
        "(benchmarks/geo/bench_geo.py): its steps share the parsed query and the "
        "referential's indexes as locals instead of passing them between helpers"
    ),
}
"""Functions allowed to be longer, each with its reason."""

Def = ast.FunctionDef | ast.AsyncFunctionDef


class Function(NamedTuple):
    """A function or method: ``key`` is ``module path::qualified name``."""

    key: str
    path: str
    line: int
    length: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.key.partition('::')[2]} ({self.length} lines)"


def _defs(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, Def]]:
    """Every function in ``node`` with its qualified name (``Class.method``, ``outer.inner``)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, Def):
            yield prefix + child.name, child
            yield from _defs(child, f"{prefix}{child.name}.")
        elif isinstance(child, ast.ClassDef):
            yield from _defs(child, f"{prefix}{child.name}.")
        else:
            yield from _defs(child, prefix)


def _measure(source: str, module: str, path: str) -> list[Function]:
    return [
        Function(f"{module}::{name}", path, node.lineno, (node.end_lineno or 0) - node.lineno + 1)
        for name, node in _defs(ast.parse(source, filename=path))
    ]


def package_functions() -> list[Function]:
    """Every function and method of every module of src/antsclient."""
    found: list[Function] = []
    for file in sorted((SRC / "antsclient").rglob("*.py")):
        module = file.relative_to(SRC).as_posix()
        source = file.read_text(encoding="utf-8")
        found += _measure(source, module, file.relative_to(ROOT).as_posix())
    return found


def test_no_function_is_longer_than_80_lines() -> None:
    exempt = HOT_PATHS.keys()
    offenders = [f for f in package_functions() if f.length > MAX_LINES and f.key not in exempt]
    assert not offenders, f"longer than {MAX_LINES} lines:\n" + "\n".join(map(str, offenders))


def test_every_exemption_still_names_a_long_function() -> None:
    lengths = {f.key: f.length for f in package_functions()}
    stale = [
        f"{key}: {lengths[key]} lines" if key in lengths else f"{key}: not found"
        for key in sorted(HOT_PATHS.keys())
        if lengths.get(key, 0) <= MAX_LINES
    ]
    assert not stale, "exempt but not longer than the limit, drop them:\n" + "\n".join(stale)


def test_the_measure_names_methods_and_nested_functions() -> None:
    source = textwrap.dedent(
        """
        class Session:
            async def call(self):
                def attempt():
                    return 1

                return attempt()

        @decorated
        def short(): ...
        """
    )
    measured = {f.key: (f.line, f.length) for f in _measure(source, "m.py", "src/m.py")}
    assert measured == {
        "m.py::Session.call": (3, 5),
        "m.py::Session.call.attempt": (4, 2),
        "m.py::short": (10, 1),
    }
    (call,) = (f for f in _measure(source, "m.py", "src/m.py") if f.key == "m.py::Session.call")
    assert str(call) == "src/m.py:3 Session.call (5 lines)"
