"""The house stays drawn: no import in varde/ runs from a lower layer up to a higher one, and no two
units import each other (directly or around a longer loop), lazy imports inside functions included.

The layers (docs/ARCHITECTURE.md draws them), lowest first. A unit is a package of varde/, except the
`cli` module of a domain package (and its `report_cli` / `legal_cli` parts), which belongs to the command-line layer above the access layer
(it reads records through `varde.access` like a page does), and `varde.cli.base`, the commands'
shared parts, which sits below the domains' command modules and `varde.cli` (the entry point).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

VARDE = Path(__file__).resolve().parents[2] / "varde"

LAYERS: list[set[str]] = [
    {"core"},
    {"accounts", "audit", "persons", "events"},
    {"cases"},
    {
        "identification",
        "response",
        "linkage",
        "interchange",
        "statistics",
        "assistance",
        "prosecution",
        "coordination",
    },
    {"retention"},
    {"access"},
    {"cli-base"},
    {"api", "web", "demo", "domain-cli"},
    {"cli"},
]
LEVEL = {unit: level for level, units in enumerate(LAYERS) for unit in units}


def _unit(module: str) -> str:
    """The unit a dotted module name belongs to."""
    parts = module.split(".")
    if len(parts) < 2:
        return "varde"
    if parts[1] != "cli" and len(parts) >= 3 and parts[2] in {"cli", "report_cli", "legal_cli"}:
        return "domain-cli"
    if parts[1] == "cli" and len(parts) >= 3 and parts[2] == "base":
        return "cli-base"
    return parts[1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(VARDE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every varde module the file imports, at any depth of the file (functions included)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.startswith("varde")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("varde"):
                if target in {"varde"} or node.module is None:
                    # `from . import x` / `from varde import x`: each name is a module
                    found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
                else:
                    found.append((target, node.lineno))
    return found


def _edges() -> list[tuple[str, str, str, int]]:
    edges = []
    for path in sorted(VARDE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = _module_name(path)
        for target, line in _imports(path):
            edges.append((source, target, str(path.relative_to(VARDE.parent)), line))
    return edges


def _unit_graph(edges: list[tuple[str, str, str, int]]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target, _path, _line in edges:
        a, b = _unit(source), _unit(target)
        if a != b and "varde" not in (a, b):
            graph[a].add(b)
    return graph


def upward_imports(edges: list[tuple[str, str, str, int]]) -> list[str]:
    found = []
    for source, target, path, line in edges:
        a, b = _unit(source), _unit(target)
        if a == b or "varde" in (a, b):
            continue
        if LEVEL[a] < LEVEL[b]:
            found.append(f"{path}:{line} {source} -> {target} ({a} below {b})")
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(graph) | {n for targets in graph.values() for n in targets}):
        if node not in index:
            visit(node)
    return found


def test_every_unit_has_a_layer():
    units = {_unit(source) for source, _t, _p, _l in _edges()} | {_unit(t) for _s, t, _p, _l in _edges()}
    assert sorted(units - set(LEVEL) - {"varde"}) == []


def test_no_import_runs_upward():
    assert upward_imports(_edges()) == []


def test_no_units_import_each_other():
    assert cycles(_unit_graph(_edges())) == []


def test_no_module_cycles_inside_a_unit():
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target, _path, _line in _edges():
        if source != target and not target.startswith(source + "."):
            graph[source].add(target)
    assert cycles(graph) == []


@pytest.mark.parametrize(
    ("edges", "upward", "looped"),
    [
        ([("varde.core.x", "varde.cases.models", "core/x.py", 1)], 1, 0),
        ([("varde.cases.services", "varde.core.clock", "cases/services.py", 1)], 0, 0),
        (
            [
                ("varde.response.a", "varde.linkage.b", "response/a.py", 1),
                ("varde.linkage.b", "varde.response.a", "linkage/b.py", 1),
            ],
            0,
            1,
        ),
        ([("varde.statistics.cli", "varde.access.cases", "statistics/cli.py", 1)], 0, 0),
        ([("varde.statistics.report", "varde.access.cases", "statistics/report.py", 1)], 1, 0),
    ],
)
def test_the_check_catches_what_it_should(edges, upward, looped):
    assert len(upward_imports(edges)) == upward
    assert len(cycles(_unit_graph(edges))) == looped
