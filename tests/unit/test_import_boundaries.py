"""The layering of the package (docs/design.md, "The layers"), read from the source with ``ast``.

Every import counts, wherever it stands: at module level and inside functions (an import
deferred into a function is a dependency all the same, only a later one). Two kinds of import
statement are read apart:

* under ``if TYPE_CHECKING:``: never run. They are held to the layering (a lower stage does not
  even name a higher stage's types) but not to the cycle check: a loop made only of
  annotations costs nothing at run time;
* under ``if __name__ == "__main__":``: run only when the file is executed as a script
  (``python -m policyengine.service.openapi``), never when it is imported, so they are no
  edge of the import graph.

What is pinned:

* **packages by rank** (``STAGES``): a module imports its own package and packages of a lower
  rank only; packages of one rank do not import each other. The package graph is therefore
  acyclic, and the folder names read in the order the data flows;
* **no cycle between modules** (module-level and function-level imports), so within a package
  too; ``ALLOWED`` lists the edges that still break either rule, each with the branch that
  removes it, and a test fails when one of them is no longer needed, so the list only shrinks;
* ``core/`` imports nothing else of the package; only ``cli/`` imports click and calls
  ``sys.exit``; ``render/`` does not import ``lint/``;
* the evaluation path never imports networkx, jsonschema, click or z3, and ``import
  policyengine`` alone loads none of them nor lark.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

PKG = Path(__file__).resolve().parents[2] / "policyengine"

#: the packages under policyengine/, lowest first; ``__init__`` is the public face
#: (policyengine/__init__.py) and ``__main__`` is ``python -m policyengine``
STAGES = [
    ("core",),  # records and leaves: diagnostics, codes, errors, decision, calendar, ...
    ("load", "expr"),  # bytes -> RawDocument (+ schema diagnostics); the expression language
    ("model",),  # RawDocument -> Policy, and what is a function of the declarations alone
    ("compile",),  # Policy -> CompiledPolicy; load_policy
    ("decide",),  # CompiledPolicy + facts + as_of -> Decision
    ("analysis",),  # the solver's encoding of a compiled policy
    ("lint", "diff", "policytest", "ledger", "scaffold"),  # the tools on a compiled policy
    ("render", "fmt"),  # words and formats; the formatter (which keeps lint's suppressions)
    ("service", "lsp"),  # the servers
    ("cli",),
    ("__init__", "__main__"),
]
RANK = {name: rank for rank, names in enumerate(STAGES) for name in names}

#: Edges that still break the layering or close a cycle, each with its reason. A test fails
#: while an edge here is no longer needed, so the list can only shrink. Never add to it.
ALLOWED = {
    # under TYPE_CHECKING only (it never runs): the return type of the convenience
    # Policy.compiled names the compiled layer's CompiledPolicy
    ("policyengine.model.nodes", "policyengine.compile.policy"),
}

EVALUATION_PATH = ["policyengine.decide.evaluate", "policyengine.compile.policy",
                   "policyengine.model.facts", "policyengine.core.decision"]
HEAVY = {"networkx", "jsonschema", "click", "z3", "sqlalchemy", "alembic", "psycopg"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The module a dotted name lands in (``policyengine.core.errors.Problem`` ->
    ``policyengine.core.errors``), or None outside the package."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in MODULES else None


def _is_type_checking(test: ast.expr) -> bool:
    return "TYPE_CHECKING" in ast.unparse(test)


def _is_main(test: ast.expr) -> bool:
    return ast.unparse(test).replace("'", '"') in ('__name__ == "__main__"',
                                                   '"__main__" == __name__')


def _imports(path: Path) -> dict[str, tuple[set[str], set[str], set[str]]]:
    """{imported name: ...} split as (module level, inside functions, TYPE_CHECKING only) sets
    of absolute dotted names (``from .x import name`` gives both ``...x`` and ``...x.name``:
    the name may be a submodule)."""
    module = _module_name(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    top: set[str] = set()
    lazy: set[str] = set()
    typing_only: set[str] = set()

    def names(node: ast.Import | ast.ImportFrom) -> set[str]:
        if isinstance(node, ast.Import):
            return {a.name for a in node.names}
        if node.level:
            base = ".".join(package[: len(package) - (node.level - 1)])
            if node.module is None:  # `from . import x`: x is a submodule or a name of base
                return {f"{base}.{a.name}" for a in node.names}
            origin = f"{base}.{node.module}"
        else:
            origin = node.module or ""
        return {origin} | {f"{origin}.{a.name}" for a in node.names}

    def visit(node: ast.AST, in_function: bool, in_typing: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_main(child.test):
                continue  # a script's entry point: never run on import
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.body:
                    visit_one(sub, in_function, True)
                for sub in child.orelse:
                    visit_one(sub, in_function, in_typing)
                continue
            visit_one(child, in_function, in_typing)

    def visit_one(child: ast.AST, in_function: bool, in_typing: bool) -> None:
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            (typing_only if in_typing else lazy if in_function else top).update(names(child))
        visit(child, in_function or isinstance(
            child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)), in_typing)

    visit(ast.parse(path.read_text("utf-8")), False, False)
    return top, lazy, typing_only


IMPORTS = {name: _imports(path) for name, path in MODULES.items()}


def _edges(kinds: tuple[int, ...]) -> set[tuple[str, str]]:
    """(importer, imported module) inside the package, for the import kinds given
    (0 module level, 1 inside functions, 2 TYPE_CHECKING)."""
    out = set()
    for module, groups in IMPORTS.items():
        for kind in kinds:
            for name in groups[kind]:
                target = _resolve(name)
                if target is not None and target != module:
                    out.add((module, target))
    return out


RUNTIME = _edges((0, 1))
EVERY = _edges((0, 1, 2))


def _stage(module: str) -> str:
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def _breaks_layering(edge: tuple[str, str]) -> bool:
    a, b = (_stage(m) for m in edge)
    return a != b and RANK[b] >= RANK[a]


def _cycles(edges: set[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    graph = nx.DiGraph(sorted(edges))
    return [sorted(graph.subgraph(c).edges()) for c in nx.strongly_connected_components(graph)
            if len(c) > 1]


def test_every_package_has_a_stage():
    unknown = sorted({_stage(m) for m in MODULES} - set(RANK))
    assert not unknown, f"give these a stage in STAGES (docs/design.md, The layers): {unknown}"


def test_each_stage_imports_only_lower_stages():
    """Every import (module level, in functions, for type checking) from a package reaches
    its own package or one of a lower rank."""
    wrong = sorted(e for e in EVERY - ALLOWED if _breaks_layering(e))
    assert not wrong, "imports of a stage at or above the importer's: " + "; ".join(
        f"{a} -> {b} ({_stage(a)} rank {RANK[_stage(a)]}, {_stage(b)} rank {RANK[_stage(b)]})"
        for a, b in wrong)


def test_no_import_cycles_between_modules():
    cycles = _cycles(RUNTIME - ALLOWED)
    assert not cycles, "import cycles (edges of each): " + " | ".join(
        ", ".join(f"{a} -> {b}" for a, b in c) for c in cycles)


def test_the_allow_list_only_shrinks():
    """Each allowed edge is still there and still needed (it breaks the layering or lies on
    a cycle): once its branch has removed it, it must leave ``ALLOWED``."""
    on_cycles = {e for c in _cycles(RUNTIME) for e in c}
    stale = sorted(e for e in ALLOWED
                   if e not in EVERY or not (_breaks_layering(e) or e in on_cycles))
    assert not stale, f"remove from ALLOWED (no longer needed): {stale}"


def test_the_check_sees_lazy_imports_and_a_cycle():
    """The reader finds an import inside a function, and the cycle check finds a loop (so
    that the two tests above cannot pass for want of looking)."""
    assert ("policyengine.cli.lint", "policyengine.render.sarif") in RUNTIME  # in a function
    assert ("policyengine.cli.lint", "policyengine.render.sarif") not in _edges((0,))
    assert _cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [
        [("a", "b"), ("b", "c"), ("c", "a")]]
    assert _breaks_layering(("policyengine.model.nodes", "policyengine.decide.evaluate"))
    assert not _breaks_layering(("policyengine.decide.evaluate", "policyengine.model.nodes"))


def test_core_imports_nothing_else_of_the_package():
    out = sorted((a, b) for a, b in EVERY if _stage(a) == "core" and _stage(b) != "core")
    assert not out


def test_only_cli_imports_click():
    users = sorted(m for m, groups in IMPORTS.items()
                   if any(n.split(".")[0] == "click" for g in groups for n in g)
                   and _stage(m) != "cli")
    assert not users, f"click outside cli/: {users}"


def test_render_does_not_import_lint():
    users = sorted((a, b) for a, b in EVERY if _stage(a) == "render" and _stage(b) == "lint")
    assert not users


def test_only_cli_calls_sys_exit():
    callers = sorted(m for m, path in MODULES.items() if _stage(m) != "cli"
                     and "sys.exit(" in path.read_text("utf-8"))
    assert not callers


def test_evaluation_path_imports_no_heavy_dependency():
    """Module-level imports, followed transitively, plus the imports the four modules make
    inside their functions (compiling a policy imports the expression compiler and the ladder
    order when called)."""
    seen: set[str] = set()
    todo = list(EVALUATION_PATH)
    for module in EVALUATION_PATH:
        todo.extend(filter(None, map(_resolve, IMPORTS[module][1])))
    external: dict[str, str] = {}
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        top, lazy, _ = IMPORTS[module]
        names = top | (lazy if module in EVALUATION_PATH else set())
        for name in names:
            root = name.split(".")[0]
            if root != "policyengine":
                external.setdefault(root, module)
        todo.extend(m for m in map(_resolve, names) if m is not None)
        # importing a submodule runs its parent packages' __init__ first
        parts = module.split(".")
        todo.extend(".".join(parts[:i]) for i in range(2, len(parts)))
    heavy = {dep: via for dep, via in external.items() if dep in HEAVY}
    assert not heavy, f"the evaluation path imports {heavy} (dependency: imported by)"


@pytest.mark.parametrize("module", EVALUATION_PATH)
def test_the_evaluation_path_names_modules_that_exist(module):
    assert module in MODULES


def test_importing_the_package_loads_no_heavy_dependency():
    code = ("import sys, policyengine; "
            "print(sorted(m for m in ('networkx', 'jsonschema', 'click', 'z3', 'lark') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PKG.parent)
    assert out.stdout.strip() == "[]"


def test_deciding_with_a_loaded_policy_loads_no_heavy_dependency_beyond_loading():
    code = (
        "import sys, policyengine\n"
        "p = policyengine.load_policy('policies/acme-channel-conflict.yaml')\n"
        "before = set(sys.modules)\n"
        "p.evaluate({'kind': 'pricing', 'amount': 120000.0, 'region': 'EMEA',\n"
        "            'partner': {'tier': 'gold'}})\n"
        "print(sorted(m.split('.')[0] for m in set(sys.modules) - before\n"
        "             if m.split('.')[0] in ('networkx', 'jsonschema', 'click', 'z3')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PKG.parent)
    assert out.stdout.strip() == "[]"
