"""A z3 model -> a complete, readable dispute (``{"facts": {...}, "as_of": "YYYY-MM-DD"}``).

Every declared fact is present and valid against its declaration: enum values spelled out,
``min``/``max`` respected, doubles as floats, ints as ints, maps as dicts, lists as their default
(or ``[]``). Values are made readable greedily: for each fact the formula reads, in declaration
order, the first candidate that keeps every formula of ``keep`` (and the domain) true wins. The
candidates, in order: the fact's default, zero, its bounds, the model's value rounded to one, two
and three significant digits (down, up, nearest), the model's value itself and, for a double, the
nearest floats around it. Each candidate is checked by substituting the whole assignment into the
formulas (no solver call). Facts the formulas do not read get their default or a simple value.
"""

from __future__ import annotations

import math
import sys
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable, Iterable, Iterator

import z3

from ..expr import ast
from ..expr.functions import matches
from ..model.nodes import FactDecl
from .terms import INT64_MAX, INT64_MIN, FactVar, Z3Expr
from .variables import FactVariables



def build_witness(space: FactVariables, model: Any, as_of: Any, *, keep: tuple[Z3Expr, ...] = (),
                  avoid: dict[str, Any] | None = None) -> dict[str, Any]:
    formula = space.all_of([*space.domain, *keep])
    names = constant_names(formula)
    relevant = [fv for fv in space.facts.values() if fv.path in names]
    assignment: dict[str, Any] = {}
    for fv in space.facts.values():
        assignment[fv.path] = _model_value(fv, model) if fv.path in names else None
    opaque = [(var, model.eval(var, model_completion=True))
              for var in space.opaque_vars.values() if _name(var) in names]
    avoid = avoid or {}
    for fv in relevant:
        skip = avoid.get(fv.path, ())
        for candidate in _candidates(fv, assignment[fv.path]):
            if any(type(candidate) is type(x) and candidate == x for x in skip):
                continue
            trial = dict(assignment)
            trial[fv.path] = candidate
            if _holds(space, formula, relevant, trial, opaque):
                assignment[fv.path] = candidate
                break
    for fv in space.facts.values():
        if assignment[fv.path] is None:
            assignment[fv.path] = _simple(fv)
    _satisfy_matches(space, assignment, opaque)
    facts = {}
    for decl in space.declarations.facts:
        facts[decl.name] = _fact_value(decl, assignment, space)
    day = as_of.isoformat() if hasattr(as_of, "isoformat") else str(as_of)
    return {"facts": facts, "as_of": day}


# -- the formula --------------------------------------------------------------------------------
def _name(var: Z3Expr) -> str:
    return str(var.decl().name())


def subterms(formula: Z3Expr) -> Iterator[Z3Expr]:
    """Every node of ``formula``, each shared node once: the one walk over a z3 formula
    (iterative, so a deep formula needs no recursion)."""
    seen: set[int] = set()
    stack = [formula]
    while stack:
        e = stack.pop()
        key = e.get_id()
        if key in seen:
            continue
        seen.add(key)
        yield e
        stack.extend(e.children())


def constant_names(formula: Z3Expr) -> set[str]:
    """Names of the uninterpreted constants in ``formula``."""
    return {str(e.decl().name()) for e in subterms(formula)
            if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED}


def _holds(space: FactVariables, formula: Z3Expr, relevant: list[FactVar],
           assignment: dict[str, Any], opaque: list[tuple[Z3Expr, Z3Expr]]) -> bool:
    pairs = [(fv.var, z3_value(space, fv, assignment[fv.path])) for fv in relevant]
    pairs.extend(opaque)
    rounded = ieee_values(space, pairs)
    if rounded is None:
        return False
    pairs.extend(rounded)
    ground = z3.substitute(formula, *pairs) if pairs else formula
    return bool(z3.is_true(z3.simplify(ground)))


def ieee_values(space: FactVariables, pairs: list[tuple[Z3Expr, Z3Expr]]
                ) -> list[tuple[Z3Expr, Z3Expr]] | None:
    """The value of every rounded result (:meth:`FactSpace.rounded`) for the facts of
    ``pairs``, computed as the evaluator computes it: the exact result of the operation on
    doubles, rounded to the nearest double (``float`` of a fraction rounds correctly), or an
    int converted with ``float``. None when a result overflows to infinity."""
    out: list[tuple[Z3Expr, Z3Expr]] = []
    for var, exact, how in space.rounding:
        ground = z3.simplify(z3.substitute(exact, *(pairs + out)) if pairs or out else exact)
        if how == "convert":
            if not z3.is_int_value(ground):
                continue
            value = Fraction(float(ground.as_long()))
        else:
            if not z3.is_rational_value(ground):
                continue
            try:
                value = Fraction(float(ground.as_fraction()))
            except OverflowError:
                return None
        out.append((var, z3.RealVal(f"{value.numerator}/{value.denominator}", space.ctx)))
    return out


def z3_value(space: FactVariables, fv: FactVar, value: Any) -> Z3Expr:
    """A fact's Python value as the z3 constant its variable takes (an enum by its index)."""
    ctx = space.ctx
    if fv.kind == "bool":
        return z3.BoolVal(bool(value), ctx)
    if fv.kind == "enum":
        return z3.IntVal((fv.values or ()).index(value), ctx)
    if fv.kind == "int":
        return z3.IntVal(int(value), ctx)
    if fv.kind == "double":
        frac = Fraction(value)
        return z3.RealVal(f"{frac.numerator}/{frac.denominator}", ctx)
    return z3.StringVal(value, ctx)


def _model_value(fv: FactVar, model: Any) -> Any:
    v = model.eval(fv.var, model_completion=True)
    if fv.kind == "bool":
        return z3.is_true(v)
    if fv.kind == "enum":
        index = v.as_long() if z3.is_int_value(v) else 0
        values = fv.values or ()
        return values[index] if 0 <= index < len(values) else values[0]
    if fv.kind == "int":
        return v.as_long() if z3.is_int_value(v) else 0
    if fv.kind == "double":
        if z3.is_algebraic_value(v):
            v = v.approx(20)
        return v.as_fraction() if z3.is_rational_value(v) else Fraction(0)
    return v.as_string() if z3.is_string_value(v) else ""


# -- candidates ---------------------------------------------------------------------------------
def _candidates(fv: FactVar, current: Any) -> Iterable[Any]:
    decl = fv.decl
    out: list[Any] = []
    if decl.has_default:
        out.append(decl.default)
    if fv.kind == "bool":
        out += [False, current, not current]
    elif fv.kind == "enum" or (fv.kind == "int" and fv.values is not None):
        out += [current, *(fv.values or ())]
    elif fv.kind == "string":
        out += ["example", current]
    else:
        out += _numbers(fv, Fraction(current))
    seen: list[Any] = []
    for c in out:
        if c is None or any(type(c) is type(s) and c == s for s in seen):
            continue
        if fv.kind in ("int", "double") and not _in_range(fv, c):
            continue
        seen.append(c)
    return seen


def _numbers(fv: FactVar, v: Fraction) -> list[Any]:
    decl = fv.decl
    raw: list[Fraction] = [Fraction(0)]
    for bound in (decl.min, decl.max):
        if bound is not None:
            raw.append(Fraction(bound))
    for digits in (1, 2, 3):
        raw.extend(_rounded(v, digits))
    raw += [Fraction(math.floor(v)), Fraction(math.ceil(v)), v]
    if fv.kind == "int":
        return [int(x) for x in raw if x.denominator == 1]
    out = [float(x) for x in raw]
    f = float(v)
    out += [math.nextafter(f, math.inf), math.nextafter(f, -math.inf)]
    return out


def _rounded(v: Fraction, digits: int) -> list[Fraction]:
    """``v`` rounded to ``digits`` significant digits: nearest, down, up."""
    if v == 0:
        return []
    exponent = math.floor(math.log10(abs(float(v)))) if float(v) != 0 else 0
    step = Fraction(10) ** (exponent - digits + 1)
    q = v / step
    return [round(q) * step, math.floor(q) * step, math.ceil(q) * step]


def _in_range(fv: FactVar, value: Any) -> bool:
    decl = fv.decl
    if isinstance(value, bool):
        return False
    if fv.kind == "int" and (not isinstance(value, int) or not INT64_MIN <= value <= INT64_MAX):
        return False
    if fv.kind == "double" and not (isinstance(value, float) and math.isfinite(value)):
        return False
    if decl.min is not None and value < decl.min:
        return False
    return decl.max is None or value <= decl.max


def _simple(fv: FactVar) -> Any:
    """A valid value for a fact no formula reads: its default, or the simplest valid one."""
    decl = fv.decl
    if decl.has_default:
        return decl.default
    if fv.kind == "bool":
        return False
    if fv.values is not None:
        return fv.values[0]
    if fv.kind == "string":
        return "example"
    for c in _numbers(fv, Fraction(0)):
        if _in_range(fv, c):
            return c
    return decl.min if decl.min is not None else 0  # pragma: no cover - min > max is refused


def _fact_value(decl: FactDecl, assignment: dict[str, Any], space: FactVariables) -> Any:
    if decl.type == "map":
        return {f.name: _fact_value(f, assignment, space) for f in decl.fields}
    if decl.type == "list":
        return list(decl.default) if decl.has_default and decl.default is not None else []
    value = assignment[decl.path]
    if decl.type == "double":
        return float(value)
    if decl.type == "int":
        return int(value)
    return value


# -- opaque regular expressions -------------------------------------------------------------------
def _satisfy_matches(space: FactVariables, assignment: dict[str, Any],
                     opaque: list[tuple[Z3Expr, Z3Expr]]) -> None:
    """The solver knows ``s.matches("p")`` only as an unknown boolean: give the string fact a
    value for which RE2 agrees with the unknown's value in the model (the evaluator re-checks)."""
    for var, value in opaque:
        node = space.opaque_nodes.get(_text_of(var))
        if (type(node) is not ast.Call or node.function != "matches" or len(node.args) != 1
                or type(node.args[0]) is not ast.Literal or node.args[0].kind != "string"):
            continue
        path = _fact_path(node.target)
        fv = space.facts.get(path) if path else None
        if path is None or fv is None or fv.kind != "string":
            continue
        pattern, want = node.args[0].value, z3.is_true(value)
        if matches(assignment[path], pattern) is want:
            continue
        for candidate in ([_regex_example(pattern)] if want else ["", "example", "x", "0"]):
            if candidate is not None and matches(candidate, pattern) is want:
                assignment[path] = candidate
                break


def _text_of(var: Z3Expr) -> str:
    name = str(var.decl().name())
    return name[1:-1] if name.startswith("|") and name.endswith("|") else name


def _fact_path(node: Any) -> str | None:
    parts: list[str] = []
    while type(node) is ast.Select and not node.test:
        parts.append(node.field)
        node = node.operand
    if type(node) is not ast.Name:
        return None
    return ".".join([node.name, *reversed(parts)])


def _regex_example(pattern: str) -> str | None:
    """A short string the pattern matches, read off Python's parse of it (RE2's syntax is
    close enough for a candidate: RE2 has the last word), or None."""
    if sys.version_info >= (3, 11):
        import re._parser as sre
    else:  # pragma: no cover - Python 3.10
        import sre_parse as sre
    try:
        # read as plain data: the parse tree is the re module's internal form
        tree: Any = sre.parse(pattern)
    except Exception:
        return None
    out: list[str] = []
    stack = [list(tree)]
    while stack:
        items = stack.pop()
        if not items:
            continue
        (op, av), rest = items[0], items[1:]
        stack.append(rest)
        name = str(op)
        if name == "LITERAL":
            out.append(chr(av))
        elif name in ("ANY", "NOT_LITERAL"):
            out.append("b" if name == "NOT_LITERAL" and av == ord("a") else "a")
        elif name == "IN":
            first = av[0] if av else None
            if first is None or str(first[0]) == "NEGATE":
                return None
            out.append(_class_char(first))
        elif name == "CATEGORY":
            out.append(_class_char((op, av)))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _, sub = av
            stack.extend([list(sub)] * min(low, 64))
        elif name == "SUBPATTERN":
            stack.append(list(av[-1]))
        elif name == "BRANCH":
            stack.append(list(av[1][0]))
        elif name != "AT":
            return None
        if len(out) > 256:
            return None
    return "".join(out)


def _class_char(item: tuple[Any, Any]) -> str:
    op, av = item
    name = str(op)
    if name == "LITERAL":
        return chr(av)
    if name == "RANGE":
        return chr(av[0])
    if name == "CATEGORY":
        kind = str(av)
        return "0" if "DIGIT" in kind and "NOT" not in kind else " " if (
            "SPACE" in kind and "NOT" not in kind) else "a"
    return "a"


def show_value(value: Any) -> str:
    """A fact value as a message shows it: strings in backticks, numbers as written."""
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, float):
        d = Decimal(repr(value))
        return f"{d:f}" if d == d.to_integral_value() and abs(value) < 1e16 else repr(value)
    if isinstance(value, (int,)):
        return str(value)
    return f"`{value}`"


def numerals(formula: Z3Expr) -> list[Fraction]:
    """The numeric constants of ``formula``, each once, in the order ``(|value|, value)``: the
    rulebook's own cuts and limits, for canonical witness values."""
    found: set[Fraction] = set()
    for e in subterms(formula):
        if z3.is_int_value(e):
            found.add(Fraction(e.as_long()))
        elif z3.is_rational_value(e):
            found.add(e.as_fraction())
    return sorted(found, key=lambda v: (abs(v), v))


def canonical_candidates(fv: FactVar, constants: list[Fraction], limit: int = 96) -> list[Any]:
    """Values to try, in order, for a fact in a canonical witness (the same on every z3
    release): for a bool ``False, True``; for an enum each value's index in declaration order;
    for a number its default, zero, its bounds, then the constants of the formula (and, for
    an int, each one's neighbours; for a double, the doubles next to it), then powers of ten."""
    decl = fv.decl
    if fv.kind == "bool":
        return [False, True]
    if fv.kind == "enum":
        return list(range(len(fv.values or ())))
    if fv.kind not in ("int", "double"):
        return []
    raw: list[Fraction] = []
    if decl.has_default and isinstance(decl.default, (int, float)):
        raw.append(Fraction(decl.default))
    raw.append(Fraction(0))
    raw += [Fraction(b) for b in (decl.min, decl.max) if b is not None]
    for c in constants:
        if fv.kind == "int":
            whole = math.floor(c)
            raw += [c, Fraction(whole + 1), Fraction(whole - 1)] if c.denominator == 1 else \
                [Fraction(whole), Fraction(whole + 1)]
        elif abs(c) < Fraction(2) ** 1000:
            f = float(c)
            raw += [c, Fraction(math.nextafter(f, math.inf)),
                    Fraction(math.nextafter(f, -math.inf))]
    raw += [Fraction(10) ** k for k in range(16)]  # round numbers, when no constant fits
    out: list[Any] = []
    for v in raw:
        if (fv.kind == "int" and v.denominator != 1) or abs(v) > Fraction(2) ** 1000:
            continue
        value: Any = int(v) if fv.kind == "int" else float(v)
        if not _in_range(fv, value):
            continue
        if value not in out:
            out.append(value)
        if len(out) >= limit:
            break
    return out


def canonical_model(space: FactVariables, check: Callable[..., Any], model: Any,
                    constants: list[Fraction],
                    first: Iterable[tuple[Z3Expr, list[Z3Expr]]] = ()) -> Any:
    """A model that does not depend on the z3 release, for a witness: each variable of
    ``first`` (pairs of a variable and its candidate values), then each fact in declaration
    order, takes the first of its candidates (:func:`canonical_candidates`) that the formula
    still allows together with those fixed before it, by one ``check(*equalities)`` each
    (``check`` returns an :class:`~policyengine.analysis.solver.Outcome`). A variable none of
    them fits keeps a value of the last model; an unknown answer stops the tightening there.
    ``model`` must satisfy the formula: a candidate it already has is taken without a query
    (every earlier one was refused by a query, so the choice is the same)."""
    ctx = space.ctx
    axes = list(first)
    for fv in space.facts.values():
        values = canonical_candidates(fv, constants)
        axes.append((fv.var, [z3.IntVal(v, ctx) if fv.kind == "enum" else z3_value(space, fv, v)
                              for v in values]))
    fixed: list[Z3Expr] = []
    best = model
    for var, candidates in axes:
        # the first candidate that fits: a model holding candidate k bounds it by k; ask for
        # one of the candidates before k until none fits (each answer moves k down)
        k = _held(best, var, candidates, 0, len(candidates))
        hi = len(candidates) if k is None else k
        while hi > 0:
            out = check(*fixed, z3.Or([var == c for c in candidates[:hi]]))
            if out.unknown:
                return best
            if not out.sat:
                break
            k = _held(out.model, var, candidates, 0, hi)
            if k is None:
                break  # pragma: no cover - the model satisfies the disjunction
            best, hi = out.model, k
        if k is not None:
            fixed.append(var == candidates[k])
    return best


def _held(model: Any, var: Z3Expr, candidates: list[Z3Expr], lo: int, hi: int) -> int | None:
    """The first index in ``lo..hi-1`` of a candidate the model gives ``var``, or None."""
    for i in range(lo, hi):
        if z3.is_true(model.eval(var == candidates[i], model_completion=True)):
            return i
    return None
