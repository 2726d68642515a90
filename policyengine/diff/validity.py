"""Validity regions: disputes one version accepts and the other refuses as ``invalid_facts``.

Facts are validated one by one (RULEBOOK.md step 2): a dispute is valid under a version when
every fact it carries (and every reserved key) is, and none it leaves out is required. So the
disputes valid under version A and refused by version B are exactly those where some fact (or
``escalation.level``, or a ``remedies_in_force`` id) takes a value, or is left out, in a way A
accepts and B does not. For each declared fact of A (map fields one by one) the candidates that
can differ are tried: left out, every enum value, both versions' bounds and the values just
beyond B's, a value of A's type; each is put into a dispute A accepts (found by the solver, so
that A decides it when it can) and decided by the real evaluator under both versions. Every
candidate B refuses at that fact's path is a region, grouped by the reason B gives (``missing``,
``unknown``, ``enum``, ``min``, ``max``, ``type``): ``every dispute with `kind` == "mdf"``,
``every dispute with `amount` < 100``, ``every dispute that leaves out `channel```. Both
directions are searched (valid under old and refused by new, and the reverse); the witness is the
dispute as sent, not projected.
"""

from __future__ import annotations

import copy
import datetime as _dt
import math
from typing import Any, Callable, Iterator

from ..core.errors import DisputeError
from ..model.nodes import FactDecl, Policy
from .outcome import Outcome, outcome_of
from ..decide.evaluate import evaluate_compiled

_ABSENT = object()


def _candidates(a: FactDecl, b: FactDecl | None) -> Iterator[Any]:
    """Values (or ``_ABSENT``) of fact ``a`` that may be valid under A and not under B."""
    if not a.required:
        yield _ABSENT
    t = a.type
    if t == "bool":
        yield from (False, True)
    elif t == "string":
        if a.enum is not None:
            yield from a.enum
        else:
            yield "example"
            if b is not None and b.enum:
                yield from b.enum
    elif t in ("int", "double"):
        if a.enum is not None:
            yield from a.enum
            return
        raw: list[Any] = [0, a.min, a.max]
        if a.has_default:
            raw.append(a.default)
        if b is not None:
            for bound, step in ((b.min, -1), (b.max, 1)):
                if bound is None:
                    continue
                raw.append(bound)
                if t == "int":
                    raw.append(math.floor(bound) + step if step < 0 else math.ceil(bound) + step)
                else:
                    raw.append(float(bound) + step)
                    raw.append(math.nextafter(float(bound), step * math.inf))
        for v in raw:
            if v is None or isinstance(v, bool):
                continue
            if t == "int":
                if isinstance(v, float) and not v.is_integer():
                    continue
                yield int(v)
            else:
                yield float(v)
    elif t == "list":
        yield list(a.default) if a.has_default and a.default is not None else []
        if a.items is not None and a.items.enum:
            for v in a.items.enum:
                yield [v]


def _paths(decls: tuple[FactDecl, ...], lookup: Callable[[str], FactDecl | None]
           ) -> Iterator[tuple[FactDecl, FactDecl | None]]:
    """Every declaration of A (map fields too) with B's declaration at the same path."""
    stack = [(d, lookup(d.path)) for d in reversed(decls)]
    while stack:
        a, b = stack.pop()
        yield a, b
        if a.type == "map" and (b is None or b.type == "map"):
            for f in reversed(a.fields):
                stack.append((f, b.field_named(f.name) if b is not None else None))


def _finder(policy: Policy) -> Callable[[str], FactDecl | None]:
    def find(path: str) -> FactDecl | None:
        parts = path.split(".")
        decl = policy.fact(parts[0])
        for part in parts[1:]:
            if decl is None or decl.type != "map":
                return None
            decl = decl.field_named(part)
        return decl

    return find


def _set(dispute: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(dispute)
    keys = path.split(".")
    node = out
    for key in keys[:-1]:
        nxt = node.get(key)
        if not isinstance(nxt, dict):
            nxt = node[key] = {}
        node = nxt
    if value is _ABSENT:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value
    return out


def _evaluate(policy: Policy, dispute: dict[str, Any], as_of: _dt.date) -> tuple[Outcome, list[Any]]:
    try:
        decision = evaluate_compiled(policy.compiled, dispute, as_of=as_of)
    except DisputeError as exc:
        return Outcome(refusal=exc.code), list(exc.problems)
    return outcome_of(decision), []


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float):
        return repr(value)
    return str(value)


class ValiditySearch:
    """``regions()``: the validity regions of two versions on ``as_of`` (both in force)."""

    def __init__(self, old: Policy, new: Policy, as_of: _dt.date, *, timeout: float,
                 remaining: Callable[[], float] | None = None):
        self.old, self.new, self.as_of, self.timeout = old, new, as_of, timeout
        #: seconds left of the diff's budget (None: no limit beyond each search's own)
        self.remaining = remaining

    def base(self, policy: Policy) -> dict[str, Any] | None:
        """A dispute ``policy`` accepts, decided by it when the solver finds one."""
        from ..analysis import DecisionEncoding, FactSpace, Prover

        space = FactSpace(policy)
        budget = 4 * self.timeout
        if self.remaining is not None:
            budget = min(budget, self.remaining())  # within the diff's deadline
        prover = Prover(space, timeout=self.timeout, budget=budget)
        from ..analysis.witness import canonical_model, numerals

        formula = DecisionEncoding(space).decided()
        out = prover.check(formula)
        if not out.sat:
            formula = space.true
            out = prover.check()
        if not out.sat:
            return None
        model = canonical_model(space, lambda *f: prover.check(formula, *f), out.model,
                                numerals(formula))  # the same dispute on every z3 release
        return dict(space.witness(model, self.as_of)["facts"])

    def regions(self) -> list[Any]:
        from .behavior import Behavior

        found: list[Any] = []
        for a, b, a_is_old in ((self.old, self.new, True), (self.new, self.old, False)):
            base = self.base(a)
            if base is None:
                continue
            groups: dict[tuple[str, str], list[Any]] = {}
            for path, value, dispute, problem, o_a, o_b in self._offending(a, b, base):
                groups.setdefault((path, problem.detail or ""), []).append(
                    (value, dispute, problem, o_a, o_b))
            for (path, detail), items in groups.items():
                value, dispute, problem, o_a, o_b = items[0]
                condition, exact = self._condition(a, b, path, detail, items)
                label = "old" if a_is_old else "new"
                other = "new" if a_is_old else "old"
                subject = f"disputes valid under the {label} version"
                change = (f"refused by the {other} version (invalid_facts: `{path}`: "
                          f"{problem.message})")
                o_old, o_new = (o_a, o_b) if a_is_old else (o_b, o_a)
                text = f"{subject} with {condition}" + ("" if exact else " (in part)")
                found.append(Behavior(
                    f"{text}: {change}", subject, condition, exact, change,
                    {"facts": dispute, "as_of": self.as_of.isoformat()}, o_old.to_dict(),
                    o_new.to_dict(), "escalation" in dispute, change, kind="validity"))
        return found

    def _offending(self, a: Policy, b: Policy, base: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        find_b = _finder(b)
        tried: set[tuple[str, str]] = set()
        for decl, other in _paths(a.facts, find_b):
            if decl.type == "map":
                cands: list[Any] = [_ABSENT] if not decl.required else []
            else:
                cands = list(_candidates(decl, other))
            for value in cands:
                key = (decl.path, repr(value) if value is not _ABSENT else "<absent>")
                if key in tried:
                    continue
                tried.add(key)
                dispute = _set(base, decl.path, value)
                hit = self._check(a, b, dispute, decl.path)
                if hit is not None:
                    yield (decl.path, value, dispute, *hit)
        # facts only B declares: a dispute valid under A leaves them out (A refuses them)
        find_a = _finder(a)
        for decl, _ in _paths(b.facts, find_a):
            if find_a(decl.path) is not None or not decl.required:
                continue
            dispute = _set(base, decl.path, _ABSENT)
            hit = self._check(a, b, dispute, decl.path)
            if hit is not None:
                yield (decl.path, _ABSENT, dispute, *hit)
        # the reserved keys: an escalation level, a remedy in force
        for lv in a.ladder.levels:
            dispute = dict(base, escalation={"level": lv.id, "since": self.as_of.isoformat()})
            hit = self._check(a, b, dispute, "escalation.level")
            if hit is not None:
                yield ("escalation.level", lv.id, dispute, *hit)
        for r in a.remedies:
            dispute = dict(base, remedies_in_force=[{"id": r.id,
                                                     "granted_on": self.as_of.isoformat()}])
            hit = self._check(a, b, dispute, "remedies_in_force[0].id")
            if hit is not None:
                yield ("remedies_in_force.id", r.id, dispute, *hit)

    def _check(self, a: Policy, b: Policy, dispute: dict[str, Any], path: str) -> tuple[Any, ...] | None:
        o_a, problems_a = _evaluate(a, dispute, self.as_of)
        if o_a.refusal == "invalid_facts":
            return None
        o_b, problems_b = _evaluate(b, dispute, self.as_of)
        if o_b.refusal != "invalid_facts":
            return None
        for p in problems_b:
            if p.path == path:
                return p, o_a, o_b
        return None

    def _condition(self, a: Policy, b: Policy, path: str, detail: str, items: list[Any]
                   ) -> tuple[str, bool]:
        decl_b = None if path.startswith(("escalation.", "remedies_in_force.")) else \
            _finder(b)(path)
        values = [v for v, *_ in items]
        if path == "escalation.level":
            return ("`escalation.level` " + _one_of(values)), True
        if path == "remedies_in_force.id":
            return ("`remedies_in_force` listing " + ", ".join(f"`{v}`" for v in values)), True
        if detail == "missing" or values == [_ABSENT]:
            return f"`{path}` left out", True
        if detail == "unknown":
            return f"`{path}` given", True
        if detail == "enum":
            shown = [v for v in values if v is not _ABSENT]
            return f"`{path}` " + _one_of(shown), True
        if detail == "min" and decl_b is not None and decl_b.min is not None:
            return f"`{path}` < {_show(decl_b.min)}", True
        if detail == "max" and decl_b is not None and decl_b.max is not None:
            return f"`{path}` > {_show(decl_b.max)}", True
        shown = [v for v in values if v is not _ABSENT]
        return f"`{path}` given (e.g. {_show(shown[0]) if shown else 'any value'})", False


def _one_of(values: list[Any]) -> str:
    if len(values) == 1:
        return f"== {_show(values[0])}"
    return "in [" + ", ".join(_show(v) for v in values) + "]"
