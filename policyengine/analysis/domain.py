"""A cheap syntactic over-approximation of where a condition can be true: the prefilter that
keeps the solver away from pairs of conditions that obviously cannot hold together.

``Region`` maps a fact path to the values it may take: a frozenset for a fact with a finite
domain (an enum, an int enum, a bool) and an :class:`Interval` for a number. ``regions(node)``
returns ``(true, false)``: every dispute for which the condition evaluates to ``true`` lies in
``true`` (and likewise for ``false``); ``BOTTOM`` is the empty region. Atoms are comparisons of a
fact with literals (``kind == "pricing"``, ``kind in [...]``, ``amount < 10000.0``, a bool fact);
``&&``, ``||`` and ``!`` combine them; anything else constrains nothing. So two conditions whose
regions meet in ``BOTTOM`` cannot both hold, and the solver need not be asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable

from ..expr import ast
from ..expr.visitor import Interpreter, Step


@dataclass(frozen=True, slots=True)
class Interval:
    lo: Fraction | None = None  # None: unbounded
    lo_closed: bool = False
    hi: Fraction | None = None
    hi_closed: bool = False

    @property
    def empty(self) -> bool:
        if self.lo is None or self.hi is None:
            return False
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def meet(self, other: "Interval") -> "Interval":
        lo, lc = _max_lo((self.lo, self.lo_closed), (other.lo, other.lo_closed))
        hi, hc = _min_hi((self.hi, self.hi_closed), (other.hi, other.hi_closed))
        return Interval(lo, lc, hi, hc)

    def join(self, other: "Interval") -> "Interval":
        if self.empty:
            return other
        if other.empty:
            return self
        if self.lo is None or other.lo is None:
            lo, lc = None, False
        elif self.lo != other.lo:
            low = self if self.lo < other.lo else other
            lo, lc = low.lo, low.lo_closed
        else:
            lo, lc = self.lo, self.lo_closed or other.lo_closed
        if self.hi is None or other.hi is None:
            hi, hc = None, False
        elif self.hi != other.hi:
            high = self if self.hi > other.hi else other
            hi, hc = high.hi, high.hi_closed
        else:
            hi, hc = self.hi, self.hi_closed or other.hi_closed
        return Interval(lo, lc, hi, hc)


_Bound = tuple[Any, bool]  # (value or None for unbounded, closed)


def _max_lo(a: _Bound, b: _Bound) -> _Bound:
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] != b[0]:
        return a if a[0] > b[0] else b
    return (a[0], a[1] and b[1])


def _min_hi(a: _Bound, b: _Bound) -> _Bound:
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] != b[0]:
        return a if a[0] < b[0] else b
    return (a[0], a[1] and b[1])


BOTTOM = None  # the empty region
Region = Any  # dict[str, frozenset | Interval] or BOTTOM


def meet(a: Region, b: Region) -> Region:
    if a is BOTTOM or b is BOTTOM:
        return BOTTOM
    out = dict(a)
    for path, allowed in b.items():
        if path in out:
            mine = out[path]
            if type(mine) is not type(allowed):
                continue
            both = mine & allowed if isinstance(mine, frozenset) else mine.meet(allowed)
            empty = not both if isinstance(both, frozenset) else both.empty
            if empty:
                return BOTTOM
            out[path] = both
        else:
            out[path] = allowed
    return out


def join(a: Region, b: Region) -> Region:
    if a is BOTTOM:
        return b
    if b is BOTTOM:
        return a
    out = {}
    for path, mine in a.items():
        other = b.get(path)
        if other is None or type(other) is not type(mine):
            continue
        out[path] = mine | other if isinstance(mine, frozenset) else mine.join(other)
    return out


class Domains:
    """The regions of conditions over one policy's facts."""

    def __init__(self, policy: Any):
        self.finite: dict[str, frozenset[Any]] = {}
        self.numeric: set[str] = set()
        stack = list(policy.facts)
        while stack:
            decl = stack.pop()
            if decl.type == "map":
                stack.extend(decl.fields)
            elif decl.type == "bool":
                self.finite[decl.path] = frozenset((True, False))
            elif decl.enum is not None:
                self.finite[decl.path] = frozenset(decl.enum)
            elif decl.type in ("int", "double"):
                self.numeric.add(decl.path)
        self._cache: dict[str, tuple[Region, Region]] = {}

    def regions(self, expression: Any) -> tuple[Region, Region]:
        """``(true, false)`` regions of a model Expression (cached by canonical text)."""
        key = expression.canonical
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._walk(expression.analysis.ast)
        return hit

    def _walk(self, root: ast.Node) -> tuple[Region, Region]:
        return _Regions(self).run(root, None)

    def _path(self, node: ast.Node) -> str | None:
        if type(node) is ast.Name:
            return node.name
        if type(node) is ast.Select and not node.test and type(node.operand) is ast.Name:
            return f"{node.operand.name}.{node.field}"
        if (type(node) is ast.Index and type(node.operand) is ast.Name
                and type(node.index) is ast.Literal and node.index.kind == "string"):
            return f"{node.operand.name}.{node.index.value}"
        return None

    def _atom(self, node: ast.Node) -> tuple[Region, Region]:
        if isinstance(node, ast.Literal) and node.kind == "bool":
            return ({}, BOTTOM) if node.value else (BOTTOM, {})
        path = self._path(node)
        if path is not None and self.finite.get(path) == frozenset((True, False)):
            return {path: frozenset((True,))}, {path: frozenset((False,))}
        if not isinstance(node, ast.Binary):
            return {}, {}
        op = node.op
        if op == "in" and type(node.right) is ast.ListLit:
            path = self._path(node.left)
            items = node.right.items
            if path in self.finite and all(isinstance(i, ast.Literal) for i in items):
                values = frozenset(i.value for i in items if isinstance(i, ast.Literal))
                return self._finite_atom(path, values)
            return {}, {}
        left, right = node.left, node.right
        if type(left) is ast.Literal and type(right) is not ast.Literal:
            left, right = right, left
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        if type(right) is not ast.Literal:
            return {}, {}
        path = self._path(left)
        if path is None:
            return {}, {}
        if path in self.finite and op in ("==", "!="):
            t, f = self._finite_atom(path, frozenset((right.value,)))
            return (t, f) if op == "==" else (f, t)
        if path in self.numeric and right.kind in ("int", "double") and op in (
                "==", "!=", "<", "<=", ">", ">="):
            c = Fraction(right.value)
            below = {"<": Interval(hi=c), "<=": Interval(hi=c, hi_closed=True),
                     ">": Interval(lo=c), ">=": Interval(lo=c, lo_closed=True)}
            if op in below:
                t = below[op]
                f = below[{"<": ">=", "<=": ">", ">": "<=", ">=": "<"}[op]]
                return {path: t}, {path: f}
            point = {path: Interval(c, True, c, True)}
            return (point, {}) if op == "==" else ({}, point)
        return {}, {}

    def _finite_atom(self, path: str, values: frozenset[Any]) -> tuple[Region, Region]:
        domain = self.finite[path]
        # a bool literal must not match the ints 1/0 (True == 1 in Python): compare by type
        inside = frozenset(v for v in domain if any(type(v) is type(x) and v == x
                                                    for x in values))
        t = BOTTOM if not inside else {path: inside}
        rest = domain - inside
        f = BOTTOM if not rest else {path: rest}
        return t, f

    def earlier_overlaps(self, regions: list[Region], *, keep: Iterable[int] = ()
                         ) -> list[list[int]]:
        """For each region, the earlier ones it may meet (``BOTTOM`` meets none), plus the
        earlier indices in ``keep`` whatever their region (e.g. conditions that may fail with an
        error). Finite facts go through bitmasks (for each value, the regions allowing it), so
        1,000 categories do not cost 500,000 comparisons; intervals are compared for the pairs
        that remain."""
        keep = frozenset(keep)
        keep_mask = sum(1 << j for j in keep)
        masks: dict[str, dict[Any, int]] = {}
        for path, values in self.finite.items():
            per = {v: 0 for v in values}
            for i, r in enumerate(regions):
                if r is BOTTOM:
                    continue
                allowed = r.get(path, values)
                if not isinstance(allowed, frozenset):
                    allowed = values
                for v in allowed:
                    per[v] = per.get(v, 0) | (1 << i)
            masks[path] = per
        out = []
        for i, r in enumerate(regions):
            below = (1 << i) - 1
            cand = 0
            if r is not BOTTOM:
                cand = below
                for path, allowed in r.items():
                    if isinstance(allowed, frozenset) and path in masks:
                        m = 0
                        for v in allowed:
                            m |= masks[path].get(v, 0)
                        cand &= m
            bits = cand | (keep_mask & below)
            found = []
            while bits:
                low = bits & -bits
                j = low.bit_length() - 1
                bits ^= low
                if j in keep or (r is not BOTTOM and _intervals_meet(r, regions[j])):
                    found.append(j)
            out.append(found)
        return out

    def restricts(self, region: Region) -> bool:
        """Whether a region leaves out some value of a finite fact (so a condition with this
        ``true`` region cannot hold for every dispute)."""
        if region is BOTTOM:
            return True
        return any(isinstance(v, frozenset) and v != self.finite.get(p)
                   for p, v in region.items())


def _intervals_meet(a: dict[Any, Any], b: Region) -> bool:
    if b is BOTTOM:
        return False
    for path, mine in a.items():
        other = b.get(path)
        if other is None or isinstance(mine, frozenset) or isinstance(other, frozenset):
            continue
        if mine.meet(other).empty:
            return False
    return True


_Pair = tuple[Region, Region]  # (true region, false region)


class _Regions(Interpreter[None, _Pair]):
    """``&&``, ``||`` and ``!`` combine their operands' regions; every other node is an atom,
    whose parts are not walked (a :class:`~policyengine.expr.visitor.Interpreter`)."""

    def __init__(self, domains: Domains):
        self.atom = domains._atom

    def visit_literal(self, node: ast.Literal, scope: None) -> _Pair:
        return self.atom(node)

    def visit_name(self, node: ast.Name, scope: None) -> _Pair:
        return self.atom(node)

    def visit_binary(self, node: ast.Binary, scope: None) -> Step[None, _Pair]:
        if node.op not in ("&&", "||"):
            return self.atom(node)
        ta, fa = yield node.left, None
        tb, fb = yield node.right, None
        if node.op == "&&":
            return meet(ta, tb), join(fa, fb)
        return join(ta, tb), meet(fa, fb)

    def visit_unary(self, node: ast.Unary, scope: None) -> Step[None, _Pair]:
        if node.op != "!":
            return self.atom(node)
        t, f = yield node.operand, None
        return f, t

    def _atom(self, node: ast.Node, scope: None) -> Step[None, _Pair]:
        return self.atom(node)
        yield  # an atom: nothing below it is visited

    visit_select = visit_index = visit_call = visit_ternary = _atom
    visit_list_lit = visit_map_lit = visit_comprehension = _atom
