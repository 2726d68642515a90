"""How the other packages use ``policyengine.analysis``, read from the source with ``ast``:

* no module outside ``analysis/`` imports a private name (such as ``_helper``) from it, or reaches a
  private member of its objects (``space._helper(...)``) other than through ``self`` (a
  subclass may use what its base class keeps for subclasses);
* the modules of ``analysis/`` import one another without a cycle, counting imports inside
  functions and under ``if TYPE_CHECKING:`` (``encode`` -> ``_cel``, ``witness`` ->
  ``variables`` -> ``terms``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PKG = Path(__file__).resolve().parents[2] / "policyengine"
ANALYSIS = PKG / "analysis"


def _module(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """Every import of a file, wherever it stands: (absolute module, names, line)."""
    module = _module(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            out.extend((a.name, [], node.lineno) for a in node.names)
    return out


def _private_members() -> set[str]:
    """Names of the private methods and attributes the classes of ``analysis/`` define."""
    names: set[str] = set()
    for path in ANALYSIS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for item in ast.walk(node):
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        names.add(item.name)
                    elif isinstance(item, ast.Attribute) and isinstance(item.ctx, ast.Store):
                        names.add(item.attr)
                    elif isinstance(item, ast.Name) and isinstance(item.ctx, ast.Store):
                        names.add(item.id)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def test_no_private_access_from_other_packages():
    private = _private_members()
    assert {"_declare", "_rounded"} <= private  # the reading works
    problems = []
    for path in sorted(PKG.rglob("*.py")):
        if ANALYSIS in path.parents:
            continue
        rel = path.relative_to(PKG.parent)
        for target, names, line in _imports(path):
            if target.startswith("policyengine.analysis"):
                problems += [f"{rel}:{line}: imports {n} from {target}"
                             for n in names if n.startswith("_")]
        if not any(t.startswith("policyengine.analysis") for t, _, _ in _imports(path)):
            continue  # no analysis object reaches this module by name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in private
                    and not (isinstance(node.value, ast.Name)
                             and node.value.id in ("self", "cls"))):
                problems.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
    assert problems == []


def test_analysis_modules_import_one_another_without_a_cycle():
    graph = nx.DiGraph()
    for path in ANALYSIS.glob("*.py"):
        source = _module(path)
        graph.add_node(source)
        for target, names, _ in _imports(path):
            candidates = [target, *(f"{target}.{n}" for n in names)]
            for name in candidates:
                if name.startswith("policyengine.analysis.") and \
                        (ANALYSIS / f"{name.rsplit('.', 1)[-1]}.py").exists():
                    graph.add_edge(source, name)
    assert ("policyengine.analysis.encode", "policyengine.analysis._cel") in graph.edges
    assert list(nx.simple_cycles(graph)) == []


def test_the_analysis_walkers_handle_every_node_kind():
    from policyengine.analysis import _cel, encode
    from policyengine.expr.visitor import missing_methods

    for walker in (_cel.Encoder, encode._CanRaise, encode._FreeNames):
        assert missing_methods(walker) == [], walker.__name__
