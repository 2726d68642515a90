"""The dependency rule of STYLE.md 8.1, read from the source with ``ast``:

* each stage imports (at module level) only itself and earlier stages; an import inside a
  function may reach a later stage (``Policy.evaluate`` is a convenience that imports the
  evaluator when called);
* ``diagnostics``, ``source``, ``errors``, ``suggest``, ``calendar`` and ``limits`` import nothing from the
  package, and ``codes`` only ``diagnostics`` (its severities): they are the leaves everything
  else stands on;
* only ``cli/`` imports click; ``render/`` does not import ``lint/``;
* the evaluation path (``evaluate``, ``compiled``, ``facts``, ``decision`` and everything they
  import) never imports networkx, jsonschema, click or z3;
* ``import policyengine`` alone loads none of networkx, jsonschema, click, z3 or lark.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "policyengine"

# stage rank of each module (by its first two name parts); lower ranks come first
STAGES = [
    ("diagnostics", "source", "errors", "codes", "suggest", "calendar", "limits", "version"),
    ("load",),
    ("schema",),
    ("expr",),
    ("model",),
    ("ladder", "facts", "decision", "dispute_schema", "facts_compiled", "calendars"),
    ("compiled",),
    ("evaluate",),
    ("pipeline", "jsonlines"),
    ("lint", "analysis", "diff", "policytest", "ledger", "scaffold", "fmt"),
    ("render",),
    ("service", "lsp"),
    ("cli", "__main__"),
]
RANK = {name: rank for rank, names in enumerate(STAGES) for name in names}
LEAVES = {"diagnostics": set(), "source": set(), "errors": set(), "suggest": set(),
          "calendar": set(), "limits": set(), "version": set(), "codes": {"policyengine.core.diagnostics"}}
EVALUATION_PATH = ["policyengine.decide.evaluate", "policyengine.compile.policy", "policyengine.model.facts",
                   "policyengine.core.decision"]
HEAVY = {"networkx", "jsonschema", "click", "z3", "sqlalchemy", "alembic", "psycopg"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(module-level imports, imports inside functions) of one file, as absolute module names;
    ``if TYPE_CHECKING:`` blocks are ignored."""
    module = _module_name(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    top: set[str] = set()
    lazy: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for sub in child.orelse:
                    visit(sub, in_function)
                continue
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                      ast.Lambda))
            target = lazy if in_function else top
            if isinstance(child, ast.Import):
                target.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - (child.level - 1)]
                    if child.module:
                        target.add(".".join(base + [child.module]))
                    else:
                        target.update(".".join(base + [a.name]) for a in child.names)
                else:
                    target.add(child.module)
            visit(child, inner)

    visit(ast.parse(path.read_text("utf-8")), False)
    return top, lazy


MODULES = {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}
IMPORTS = {name: _imports(path) for name, path in MODULES.items()}


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "policyengine" else None


def _internal(names) -> set[str]:
    """Resolve ``policyengine.x.y`` names to modules that exist (``from .x import name``)."""
    out = set()
    for name in names:
        while name and name not in MODULES and name.startswith("policyengine."):
            name = name.rsplit(".", 1)[0]
        if name in MODULES:
            out.add(name)
    return out


def test_every_module_has_a_stage():
    unknown = sorted({_stage(m) for m in MODULES if _stage(m) is not None} - set(RANK))
    assert not unknown, f"give these a stage in STAGES: {unknown}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _stage(m) in RANK))
def test_module_level_imports_only_reach_earlier_stages(module):
    top, _ = IMPORTS[module]
    rank = RANK[_stage(module)]
    later = sorted(m for m in _internal(top) if m != "policyengine"
                   and RANK.get(_stage(m), -1) > rank)
    assert not later, f"{module} imports later stages at module level: {later}"


@pytest.mark.parametrize("leaf", sorted(LEAVES))
def test_leaves_import_nothing_from_the_package(leaf):
    top, lazy = IMPORTS[f"policyengine.{leaf}"]
    assert _internal(top | lazy) <= LEAVES[leaf]


def test_only_cli_imports_click():
    users = sorted(m for m, (top, lazy) in IMPORTS.items()
                   if any(n.split(".")[0] == "click" for n in top | lazy)
                   and _stage(m) not in ("cli",))
    assert not users, f"click outside cli/: {users}"


def test_render_does_not_import_lint():
    users = sorted(m for m, (top, lazy) in IMPORTS.items() if _stage(m) == "render"
                   and any(_stage(n) == "lint" for n in _internal(top | lazy)))
    assert not users


def test_only_cli_calls_sys_exit():
    callers = sorted(m for m, path in MODULES.items() if _stage(m) not in ("cli",)
                     and "sys.exit(" in path.read_text("utf-8"))
    assert not callers


def test_evaluation_path_imports_no_heavy_dependency():
    """Module-level imports, followed transitively, plus the imports the four modules make
    inside their functions (compiling a policy imports the expression compiler and the ladder
    order when called)."""
    seen: set[str] = set()
    todo = list(EVALUATION_PATH)
    for module in EVALUATION_PATH:
        todo.extend(_internal(IMPORTS[module][1]))
    external: dict[str, str] = {}
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        top, lazy = IMPORTS[module]
        names = top | (lazy if module in EVALUATION_PATH else set())
        for name in names:
            root = name.split(".")[0]
            if root != "policyengine":
                external.setdefault(root, module)
        todo.extend(_internal(names))
        # importing a submodule runs its parent packages' __init__ first
        parts = module.split(".")
        todo.extend(".".join(parts[:i]) for i in range(2, len(parts)))
    heavy = {dep: via for dep, via in external.items() if dep in HEAVY}
    assert not heavy, f"the evaluation path imports {heavy} (dependency: imported by)"


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
