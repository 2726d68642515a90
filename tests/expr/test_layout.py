"""Structural rules of the expr package (STYLE.md habits 1 and 10)."""

from __future__ import annotations

import ast as pyast
from pathlib import Path

import re2

from policyengine.expr.functions import compile_regex

PACKAGE = Path(__file__).resolve().parents[2] / "policyengine" / "expr"


def _imports(path: Path) -> set[str]:
    tree = pyast.parse(path.read_text("utf-8"))
    found = set()
    for node in pyast.walk(tree):
        if isinstance(node, pyast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, pyast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _calls(path: Path) -> set[str]:
    tree = pyast.parse(path.read_text("utf-8"))
    return {n.func.id for n in pyast.walk(tree)
            if isinstance(n, pyast.Call) and isinstance(n.func, pyast.Name)}


def test_only_the_parser_and_to_ast_know_lark():
    users = {p.name for p in PACKAGE.glob("*.py") if "lark" in _imports(p)}
    assert users == {"parser.py", "to_ast.py"}


def test_only_the_compiler_executes_code_and_nothing_evaluates_text():
    for path in PACKAGE.glob("*.py"):
        calls = _calls(path)
        assert "eval" not in calls, path.name
        assert ("exec" in calls) == (path.name == "compile.py"), path.name
        assert "setrecursionlimit" not in path.read_text("utf-8"), path.name


def test_rulebook_patterns_go_to_re2():
    assert type(compile_regex("a+")).__module__.startswith("re2")
    assert "re2" in _imports(PACKAGE / "functions.py")
    # Python's re appears only for the package's own fixed patterns (number and type syntax,
    # the hand-written parser's tokens)
    for path in PACKAGE.glob("*.py"):
        if "re" in _imports(path):
            assert path.name in {"functions.py", "types.py", "printer.py", "fast_parser.py"}, \
                path.name
    assert re2 is not None
