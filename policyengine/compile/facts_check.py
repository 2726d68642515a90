"""The facts check of one policy as straight-line Python, generated once at load.

:func:`compile_fields_checker` turns the typed declarations into one function that does, for
each declared fact, the happy path of the checker of :mod:`model.values` and nothing else:
one ``get``, one type test, one membership or range test, the default when the fact is absent. The moment a
value is not plainly valid (a missing required fact, a wrong type, a value outside ``enum``,
``min`` or ``max``, a text longer than its ``max_length`` or holding a lone surrogate, a list
longer than its ``max_items``, an undeclared key, anything not a plain ``dict``), it hands the
whole dispute to the closure checker of :mod:`model.values`, which reports every problem at
once, with its path and hint, exactly as before. The bounds it emits are that module's
(``length_bound``, ``number_bounds``), so the two cannot drift. So the generated code decides nothing the closure checker
does not: it only skips, for valid facts, the work the closures do to be able to explain.

Safety: the source is built only from the declarations. Fact names enter through ``repr`` as
dictionary keys; variables are generated (``v0, v1, ...``); every constant (enum sets, bounds,
defaults, the fallback) is a global named ``_c<N>``; no text of the rulebook is ever evaluated.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Callable, Mapping

from ..core.limits import INT64_MAX, INT64_MIN
from ..model.nodes import FactDecl
from ..model.values import (_MISSING, Checker, checker_for, default_of, fields_checker,
                            length_bound, number_bounds, unicode_problem)

FieldsChecker = Callable[[Mapping[str, Any], str, list[Any]], dict[str, Any]]


class _Source:
    """Lines of generated code with an indentation level and a table of constants."""

    def __init__(self, slow: str = "return _slow(value, prefix, problems)") -> None:
        #: the statement that hands the value to the closure checker (or, in the generated
        #: decision, to the general path: compile/decision_code.py)
        self.slow = slow
        self.lines: list[str] = []
        self.globals: dict[str, Any] = {"_MISSING": _MISSING, "_INF": math.inf,
                                        "_NINF": -math.inf, "_I64MIN": INT64_MIN,
                                        "_I64MAX": INT64_MAX, "_OverflowError": OverflowError,
                                        "_type": type, "_float": float, "_str": str,
                                        "_int": int, "_bool": bool, "_dict": dict,
                                        "_len": len, "_unicode": unicode_problem}
        self._names = itertools.count()
        self._consts = itertools.count()

    def var(self) -> str:
        return f"v{next(self._names)}"

    def const(self, value: Any) -> str:
        name = f"_c{next(self._consts)}"
        self.globals[name] = value
        return name

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)


def _check_value(src: _Source, decl: FactDecl, var: str, depth: int) -> None:
    """Emit the tests of ``var`` against ``decl``; on success ``var`` holds the normalized
    value; on any doubt the whole check falls back."""
    t = decl.type
    if t == "string":
        src.emit(depth, f"if _type({var}) is not _str: {src.slow}")
        if decl.enum is not None:
            # the enum values the closure checker accepts (within `max_length`, no lone
            # surrogate): membership in them is the whole test of a valid value
            check = checker_for(decl)  # once: building it reads the whole enum
            accepted = frozenset(e for e in decl.enum if _accepted(check, e))
            src.emit(depth, f"if {var} not in {src.const(accepted)}: {src.slow}")
        else:
            src.emit(depth, f"if _len({var}) > {src.const(length_bound(decl))}: {src.slow}")
            src.emit(depth, f"if not {var}.isascii() and _unicode({var}) is not None: "
                     f"{src.slow}")
    elif t == "bool":
        src.emit(depth, f"if _type({var}) is not _bool: {src.slow}")
    elif t == "int":
        src.emit(depth, f"if _type({var}) is not _int: {src.slow}")
        src.emit(depth, f"if not _I64MIN <= {var} <= _I64MAX: {src.slow}")
        if decl.enum is not None:
            src.emit(depth, f"if {var} not in {src.const(frozenset(decl.enum))}: {src.slow}")
        _bounds(src, decl, var, depth)
    elif t == "double":
        src.emit(depth, f"if _type({var}) is not _float:")
        src.emit(depth + 1, f"if _type({var}) is not _int: {src.slow}")
        src.emit(depth + 1, "try:")
        src.emit(depth + 2, f"{var} = _float({var})")
        src.emit(depth + 1, f"except _OverflowError: {src.slow}")
        src.emit(depth, f"if {var} != {var} or {var} == _INF or {var} == _NINF: {src.slow}")
        _bounds(src, decl, var, depth)
    elif t == "map":
        src.emit(depth, f"if _type({var}) is not _dict: {src.slow}")
        _check_fields(src, decl.fields, var, depth, reserved=frozenset())
        src.emit(depth, f"{var} = {var}_out")
    else:  # a list, or any type to come: its closure checker, on a private problem list
        probs = src.var()
        chk = src.const(checker_for(decl))
        src.emit(depth, f"{probs} = []")
        src.emit(depth, f"{var} = {chk}({var}, '', {probs})")
        src.emit(depth, f"if {probs}: {src.slow}")


def _accepted(check: Checker, value: Any) -> bool:
    """The closure checker ``check`` (of a declaration) accepts ``value``."""
    found: list[Any] = []
    check(value, "", found)
    return not found


def _bounds(src: _Source, decl: FactDecl, var: str, depth: int) -> None:
    lo, hi = number_bounds(decl)
    if lo is not None:
        src.emit(depth, f"if {var} < {src.const(lo)}: {src.slow}")
    if hi is not None:
        src.emit(depth, f"if {var} > {src.const(hi)}: {src.slow}")


def _check_fields(src: _Source, decls: tuple[FactDecl, ...], mapping: str, depth: int, *,
                  reserved: frozenset[str], count: bool = False) -> dict[str, str]:
    """Emit the check of a mapping of declared names; leaves the normalized dict in
    ``<mapping>_out``; returns the variable holding each name's normalized value.

    ``count`` (no ``reserved`` names): instead of testing first that every key is declared,
    count the declared names present and compare with the mapping's size at the end (the
    keys are distinct, so the sizes are equal exactly when no other key is there); only for a
    caller whose every refusal is the same (the generated decision: the general path)."""
    allowed = frozenset(d.name for d in decls) | reserved
    count = count and not reserved
    optional = sum(1 for d in decls if default_of(d) is not _MISSING)
    counter = src.var() if count and optional else None
    if not count:
        src.emit(depth, f"if not {src.const(allowed)}.issuperset({mapping}): {src.slow}")
    elif counter is not None:
        src.emit(depth, f"{counter} = {len(decls) - optional}")
    parts: list[str] = []
    held: dict[str, str] = {}
    for decl in decls:
        var = src.var()
        held[decl.name] = var
        key = repr(decl.name)  # a name enters only as a string literal
        parts.append(f"{key}: {var}")
        src.emit(depth, f"{var} = {mapping}.get({key}, _MISSING)")
        src.emit(depth, f"if {var} is _MISSING:")
        if default_of(decl) is _MISSING:  # required: its absence is a problem to report
            src.emit(depth + 1, src.slow)
            _check_value(src, decl, var, depth)
        elif type(decl.default) in (str, int, float, bool) and decl.type != "map":
            # an immutable default: the value itself (default_of gives it as it is)
            src.emit(depth + 1, f"{var} = {src.const(default_of(decl))}")
            src.emit(depth, "else:")
            if counter is not None:
                src.emit(depth + 1, f"{counter} += 1")
            _check_value(src, decl, var, depth + 1)
        else:  # a list (a fresh copy each time), a map's defaults
            src.emit(depth + 1, f"{var} = {src.const(default_of)}({src.const(decl)})")
            src.emit(depth, "else:")
            if counter is not None:
                src.emit(depth + 1, f"{counter} += 1")
            _check_value(src, decl, var, depth + 1)
    if count:
        src.emit(depth, f"if _len({mapping}) != {counter or len(decls)}: {src.slow}")
    src.emit(depth, f"{mapping}_out = {{{', '.join(parts)}}}")
    return held


def compile_fields_checker(decls: tuple[FactDecl, ...], *,
                           reserved: frozenset[str] = frozenset()
                           ) -> FieldsChecker:
    """A checker with the signature and results of :func:`facts.fields_checker`, fast for
    valid facts."""
    slow = fields_checker(decls, reserved=reserved)
    src = _Source()
    src.globals["_slow"] = slow
    src.emit(0, "def check(value, prefix, problems):")
    src.emit(1, f"if prefix or _type(value) is not _dict: {src.slow}")
    _check_fields(src, decls, "value", 1, reserved=reserved)
    src.emit(1, "return value_out")
    text = "\n".join(src.lines) + "\n"
    try:
        code = compile(text, "<policyengine facts check>", "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return slow  # too deep for Python's compiler: the closures do the same job
    namespace = dict(src.globals)
    exec(code, namespace)  # generated from the declarations above, never from user text
    fn: FieldsChecker = namespace["check"]
    fn.python_source = text  # type: ignore[attr-defined]
    return fn
