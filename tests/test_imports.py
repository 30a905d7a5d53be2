"""Imports in ``kpi_helpers`` flow one way: no cycle, and the lower layers never import the upper
ones.

The graph is read from the source with :mod:`ast`, so imports inside functions count as much as
those
at the top of a module: a function-level import only postpones a cycle, it does not remove it.
Importing ``a.b.c`` also runs the ``__init__`` of ``a.b``, so that package counts as imported too,
unless the importing module lives inside it; a module that names its own package (``from . import
register``) does depend on the package's ``__init__``, and that is a cycle when the ``__init__``
imports the module back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kpi_helpers"
ROOT = "kpi_helpers"

#: The layers, bottom first. A module may import its own layer and the ones below it, never one
#: above:
#: core (files, language, schemas) < metrics (formulas, registry, statistics) < loaders (client
#: config and
#: files) < analysis (the review) < report (what the notebook shows, the report's files) < run (CLI,
#: batch).
LAYERS = ("core", "metrics", "loaders", "analysis", "report", "run")
#: The one documented exception to "the runner never computes": ``batch --benchmark`` computes the
#: peer
#: table before the notebooks run.
BATCH_MAY_IMPORT = {"analysis.benchmarks"}


def _modules(package: Path) -> dict[str, Path]:
    out = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _package_of(name: str, path: Path) -> list[str]:
    parts = name.split(".")
    return parts if path.name == "__init__.py" else parts[:-1]


def _targets(name: str, path: Path, node: ast.AST, modules) -> set[str]:
    """The kpi_helpers modules an import statement runs."""
    if isinstance(node, ast.Import):
        wanted = [a.name for a in node.names]
    else:
        base = _package_of(name, path)
        if node.level:
            base = base[: len(base) - node.level + 1]
            mod = ".".join(base + ([node.module] if node.module else []))
        else:
            mod = node.module or ""
        wanted = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in modules else mod for a in node.names]
    found = set()
    for target in wanted:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if (
            target.startswith(ROOT + ".") and target != name
        ):  # what the statement names, even its own package
            found.add(target)
        parent = target.rpartition(".")[0]
        while parent.startswith(
            ROOT + "."
        ):  # packages whose __init__ runs first, unless they hold the importer
            if name != parent and not name.startswith(parent + "."):
                found.add(parent)
            parent = parent.rpartition(".")[0]
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    modules = _modules(package)
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[name] = set().union(
            *(
                _targets(name, path, n, modules)
                for n in ast.walk(tree)
                if isinstance(n, (ast.Import, ast.ImportFrom))
            )
        )
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _layer(module: str) -> int | None:
    """The layer's rank of ``kpi_helpers.<layer>.…``; None for the package's own ``__init__``."""
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_the_cycle_finder_finds_a_hidden_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_function_level_and_parent_package_imports_are_edges(tmp_path):
    pkg = tmp_path / ROOT
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from .leaf import x\n")
    (pkg / "sub" / "leaf.py").write_text("x = 1\n")
    (pkg / "low.py").write_text("def f():\n    from .sub.leaf import x\n    return x\n")
    graph = import_graph(pkg)
    assert graph[f"{ROOT}.low"] == {f"{ROOT}.sub", f"{ROOT}.sub.leaf"}
    assert graph[f"{ROOT}.sub"] == {f"{ROOT}.sub.leaf"}
    assert (
        graph[f"{ROOT}.sub.leaf"] == set()
    )  # its own package's __init__ is not imported by being inside it
    (pkg / "sub" / "leaf.py").write_text("from . import y\nx = 1\n")  # the registration pattern
    (pkg / "sub" / "__init__.py").write_text("y = 2\nfrom .leaf import x\n")
    assert cycles(import_graph(pkg)) == [[f"{ROOT}.sub", f"{ROOT}.sub.leaf"]]


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_no_import_cycle(graph):
    found = cycles(graph)
    assert not found, (
        "import cycles (move the shared function down, or pass the value in): "
        + "; ".join(" <-> ".join(c) for c in found)
    )


def test_every_module_lives_in_a_layer():
    stray = [m for m in import_graph() if m != ROOT and _layer(m) is None]
    assert not stray, f"put these in one of the layers {LAYERS}: {stray}"


def test_imports_flow_down_the_layers(graph):
    bad = [
        (m, t)
        for m, targets in graph.items()
        if _layer(m) is not None
        for t in targets
        if _layer(t) is None or _layer(t) > _layer(m)
    ]
    assert not bad, bad


def test_the_runner_never_imports_the_analysis(graph):
    direct = {t.removeprefix(ROOT + ".") for t in graph[f"{ROOT}.run.batch"]}
    assert {t for t in direct if t.startswith("analysis.")} <= BATCH_MAY_IMPORT, direct
    assert {t for t in graph[f"{ROOT}.report.export"] if t.startswith(f"{ROOT}.report.")} == {
        f"{ROOT}.report.portfolio"
    }
