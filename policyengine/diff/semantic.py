"""Behavioral changes: the regions of disputes that two versions decide differently, proven
with z3, each with a witness dispute decided by the real evaluator under both versions.

The search (``compare_behavior``), on one ``as_of``:

1. if the versions are not both in force that day, every dispute changes (or none can be
   decided): one region, no solver;
2. over the merged facts (``space.py``) and the decision terms of both versions
   (``encoding.py``), ask for a dispute whose outcome differs (refusal, category, level,
   action, required remedies, who authorizes them, their amounts). Each model gives an
   *outcome pair* (old outcome, new outcome); its region is every dispute with that same pair.
   The region is described (``describe.py``), a witness is built from the model and checked
   with ``Policy.evaluate`` under both versions, and the region is excluded from the next
   query, until no dispute differs (proven) or the budget runs out;
3. first for new disputes (no ``escalation``), then for escalated ones whose outcome differs
   although the same dispute, not yet escalated, would not (deadlines moved, levels renamed).

A region whose description is not exact is split by the values of one enum or bool fact when
that makes every part exact. ``remedies_in_force`` is not searched: it changes only the dates of
remedies already granted, which the structural diff reports with the dates they produce.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

import z3

from ..analysis.witness import canonical_model, ieee_values, numerals, z3_value
from ..model.nodes import Policy
from .behavior import Behavior, lookup as _lookup
from .boundaries import Roots
from .comparison import Comparison, differ, expressions, in_force, value
from .dates import DateSearch
from .validity import ValiditySearch
from .describe import Clause, Describer
from .keys import Keys, fine as is_fine
from .outcome import decide, difference, main_difference
from .space import project

WITNESS_TRIES = 3
SPLIT_LIMIT = 4  # parts of a split region
SPLIT_AXES = 3  # facts tried for a split (those read by changed expressions first)


@dataclass
class BehaviorReport:
    """``verdict``: ``identical`` (the versions mean the same), ``equivalent`` (the text
    changed, no decision does: proven), ``different`` (some region), ``unknown`` (no region
    found, not proven: a timeout or an expression the solver could not follow), or
    ``not-compared`` (see ``notes``)."""

    verdict: str
    regions: list[Behavior] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    complete: bool = True
    queries: int = 0
    comparison: Any = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "complete": self.complete, "notes": list(self.notes)}

    def contains(self, region: Behavior, dispute: dict[str, Any]) -> bool | None:
        """Whether a new (not escalated) dispute, every fact given, lies in the region's formula
        (None when the region has none: validity regions, the term)."""
        cmp = self.comparison
        if region.formula is None or cmp is None:
            return None
        pairs = [(cmp.esc.on, z3.BoolVal(False, cmp.space.ctx)),
                 (cmp.esc.level, z3.IntVal(0, cmp.space.ctx)),
                 (cmp.esc.days, z3.IntVal(0, cmp.space.ctx))]
        for path, fv in cmp.space.facts.items():
            value = _lookup(dispute, path)
            if value is None:
                return None
            pairs.append((fv.var, z3_value(cmp.space, fv, value)))
        for path, flag in cmp.present.items():
            pairs.append((flag, z3.BoolVal(_lookup(dispute, path) is not None, cmp.space.ctx)))
        rounded = ieee_values(cmp.space, pairs)  # each double operation as the evaluator rounds it
        if rounded is None:
            return None  # a result overflows to infinity: the formula does not say
        pairs.extend(rounded)
        return bool(z3.is_true(z3.simplify(z3.substitute(region.formula, *pairs))))


class _Search:
    def __init__(self, cmp: Comparison, max_regions: int):
        self.cmp = cmp
        self.old, self.new, self.as_of = cmp.old, cmp.new, cmp.as_of
        self.a, self.b = cmp.terms()
        self.space = cmp.space
        self.ctx = cmp.space.ctx
        self.esc = cmp.esc
        self.names = cmp.names
        self.max_regions = max_regions
        self.report = BehaviorReport("different")
        self.keys = Keys(cmp)
        numeric = [fv.var for fv in cmp.space.facts.values() if fv.kind in ("int", "double")]
        self.describer = Describer(cmp.space, cmp.check, cmp.within, cmp.base, cmp.esc,
                                   cmp.present, cmp.as_of, cmp.timeout,
                                   Roots(cmp.atoms(), numeric),
                                   remaining=lambda: cmp.prover.remaining)
        reads: set[str] = set()
        texts = [{e.canonical for e in expressions(p)} for p in (self.old, self.new)]
        self.changed_reads: set[str] = set()
        for i, p in enumerate((self.old, self.new)):
            for e in expressions(p):
                reads.update(e.analysis.reads)
                if e.canonical not in texts[1 - i]:
                    self.changed_reads.update(e.analysis.reads)
        self.reads = reads

    # -- the search ---------------------------------------------------------------------------
    def run(self) -> BehaviorReport:
        a, b = self.a, self.b
        d = differ(a, b, self.ctx)
        fresh = z3.Not(self.esc.on)
        d_fresh = z3.substitute(d, (self.esc.on, z3.BoolVal(False, self.ctx)))
        # (what to search, the disputes a region is described among, escalated?)
        phases = [(fresh, fresh, False)]
        if not escalation_is_neutral(self.old, self.new):
            phases.append((z3.And(self.esc.on, z3.Not(d_fresh)), self.esc.on, True))
        for search, phase, escalated in phases:
            session = self.cmp.session(search, d)
            while True:
                if len(self.report.regions) >= self.max_regions:
                    self.report.complete = False
                    self.report.notes.append(f"stopped after {self.max_regions} regions: "
                                             "more disputes may change in other ways")
                    return self.finish()
                out = session.check()
                if out.unknown:
                    self.report.complete = False
                    self.report.notes.append(f"the solver could not finish ({out.reason}): "
                                             "other disputes may change too")
                    return self.finish()
                if out.unsat:
                    break
                model = out.model
                ka, kb = self.keys.key(model, a), self.keys.key(model, b)
                fine = is_fine(ka, kb)
                region = self.keys.region_formula(model, ka, kb, escalated, phase)
                session.add(z3.Not(region))
                self.region(region, model, ka, kb, escalated, phase, fine)
        DateSearch(self).run()
        return self.finish()

    def finish(self) -> BehaviorReport:
        r = self.report
        order = {"validity": 0, "outcome": 1, "dates": 2}
        r.regions.sort(key=lambda b: (order.get(b.kind, 1), b.escalated, b.subject, b.summary))
        if not r.regions:
            r.verdict = "equivalent" if r.complete else "unknown"
        r.queries = self.cmp.prover.queries
        return r

    def region(self, region: z3.BoolRef, model: z3.ModelRef, ka: tuple[Any, ...],
               kb: tuple[Any, ...], escalated: bool, phase: z3.BoolRef, fine: bool) -> None:
        """Describe and report one region (split into exact parts when that helps). The
        condition is read together with its subject (``pricing`` disputes): it is exact when
        the subject's disputes that satisfy it are exactly the region's."""
        subject, context = self.subject(ka, kb, escalated and not fine)
        hidden = [Clause("", phase)] + ([Clause("", context)] if context is not None else [])
        clauses = self.describer.clauses(region, self.reads, model)
        clauses += self.describer.escalation_clauses(region) if escalated else []
        exact = self.describer.exact(region, clauses + hidden)
        parts = [(region, model, clauses, exact)]
        if exact is False:
            parts = self.split(region, escalated, hidden) or parts
        for part, hint, cls, ex in parts:
            self.report_part(part, hint, cls, bool(ex), ka, kb, escalated, fine, subject,
                             context)

    def split(self, region: z3.BoolRef, escalated: bool, hidden: list[Clause]
              ) -> list[Any] | None:
        """Split ``region`` by the values of one enum or bool fact (or, for escalated
        disputes, by the escalation level) so that every part is exact."""
        axes: list[list[Any]] = []
        if escalated:
            axes.append([self.esc.level == i for i in range(len(self.esc.levels))])
        else:
            for path in sorted(self.reads, key=lambda p: (p not in self.changed_reads, p)):
                fv = self.space.facts.get(path)
                if fv is None or fv.kind not in ("enum", "bool"):
                    continue
                if fv.kind == "bool":
                    axes.append([fv.var, z3.Not(fv.var)])
                else:
                    axes.append([fv.var == i for i in range(len(fv.values or ()))])
        for values in axes[:SPLIT_AXES]:
            self.describer.model = None
            pairs = [(i, f) for i, f in enumerate(values)]
            allowed = self.describer.allowed(region, pairs, limit=SPLIT_LIMIT)
            if allowed is None or len(allowed) < 2:
                continue
            parts: list[Any] | None = []
            for _, f in allowed:
                out = self.cmp.within(region, f)
                if not out.sat:
                    parts = None
                    break
                sub = z3.And(region, f)
                cls = self.describer.clauses(sub, self.reads, out.model)
                if escalated:
                    cls += self.describer.escalation_clauses(sub)
                if not self.describer.exact(sub, cls + hidden):
                    parts = None
                    break
                assert parts is not None
                parts.append((sub, out.model, cls, True))
            if parts:
                return parts
        return None

    def report_part(self, region: z3.BoolRef, model: z3.ModelRef, clauses: list[Clause],
                    exact: bool, ka: tuple[Any, ...], kb: tuple[Any, ...], escalated: bool,
                    fine: bool, subject: str, context: Any) -> None:
        witness, o_old, o_new = self.witness(region, model, ka, kb, fine, escalated)
        if witness is None:
            self.report.complete = False
            self.report.notes.append("a region found by the solver could not be reproduced by "
                                     "the evaluator (an expression the solver does not follow "
                                     "exactly): it is left out")
            return
        shown = [c for c in clauses if c.text and not (
            context is not None and self.describer.implied(context, c))]
        facts = [c.text for c in shown if c.kind != "escalation"]
        escalation = [c.text for c in shown if c.kind == "escalation"]
        condition = " and ".join(escalation + facts)
        change = difference(o_old, o_new) if fine else main_difference(o_old, o_new)
        if condition:
            text = " ".join([subject] + escalation) + (" with " + " and ".join(facts)
                                                        if facts else "")
        elif subject.endswith("` disputes"):
            text = f"every {subject[:-1]}"
        else:
            text = "every dispute" if subject == "disputes" else f"all {subject}"
        if not exact:
            text += " (in part)"
        self.report.regions.append(Behavior(f"{text}: {change}", subject, condition, exact,
                                             change, witness, o_old.to_dict(), o_new.to_dict(),
                                             escalated, difference(o_old, o_new),
                                             formula=region))

    def subject(self, ka: tuple[Any, ...], kb: tuple[Any, ...], any_category: bool
                ) -> tuple[str, Any]:
        """Whose disputes a region holds (``pricing`` disputes), and that as a formula: the
        condition is read within it."""
        a, b = self.a, self.b
        cats = self.names.categories
        if any_category:
            return "disputes", None
        if ka[0] == 0 and kb[0] == 0:
            both = z3.And(a.category == ka[1], b.category == kb[1], a.refusal == 0,
                          b.refusal == 0)
            if ka[1] == kb[1]:
                return f"`{cats[ka[1]]}` disputes", both
            return f"disputes moving from `{cats[ka[1]]}` to `{cats[kb[1]]}`", both
        if ka[0] == 0:
            return f"`{cats[ka[1]]}` disputes", z3.And(a.category == ka[1], a.refusal == 0)
        if kb[0] == 0:
            return f"disputes now `{cats[kb[1]]}`", z3.And(b.category == kb[1],
                                                            b.refusal == 0)
        return "disputes", None

    # -- witnesses ----------------------------------------------------------------------------
    def witness(self, region: z3.BoolRef, model: z3.ModelRef, ka: tuple[Any, ...],
                kb: tuple[Any, ...], fine: bool, escalated: bool
                ) -> tuple[dict[str, Any] | None, Any, Any]:
        """A dispute of ``region`` that the evaluator decides as the solver says, or None."""
        want_old, want_new = self.keys.predicted(ka, self.old), self.keys.predicted(kb, self.new)
        want_sig = self.keys.signature(model, ka, kb) if fine else None
        avoid: dict[str, list[Any]] = {}
        model = self.canonical(region, model)
        for _ in range(WITNESS_TRIES):
            pairs = self.ground_pairs(model)
            keep = z3.substitute(region, *pairs) if pairs else region
            w = self.space.witness(model, self.as_of, keep=[keep], avoid=avoid)
            dispute = self.dispute(w["facts"], model)
            o_old, _ = decide(self.old, project(self.old, dispute), self.as_of)
            o_new, _ = decide(self.new, project(self.new, dispute), self.as_of)
            if difference(o_old, o_new) and self.keys.matches(o_old, o_new, want_old, want_new,
                                                         want_sig, escalated):
                return {"facts": dispute, "as_of": self.as_of.isoformat()}, o_old, o_new
            for path, fv in self.space.facts.items():
                if fv.kind in ("int", "double"):
                    avoid.setdefault(path, []).append(_lookup(w["facts"], path))
        return None, None, None

    def canonical(self, region: z3.BoolRef, model: z3.ModelRef) -> z3.ModelRef:
        """A model of ``region`` that does not depend on the z3 release: the escalation, the
        presence of facts and each fact in turn (declaration order) take the first of their
        canonical candidates (``analysis.witness.canonical_candidates``: defaults, zero,
        bounds, the formula's own constants; enum values in order) that the region still
        allows, by one query each; a variable none of them fits keeps the model's value."""
        esc, ctx = self.esc, self.ctx
        first: list[tuple[Any, list[Any]]] = [
            (esc.on, [z3.BoolVal(False, ctx), z3.BoolVal(True, ctx)]),
            (esc.level, [z3.IntVal(i, ctx) for i in range(max(1, len(esc.levels)))]),
            (esc.days, [z3.IntVal(d, ctx) for d in esc.breaks]),
            *[(flag, [z3.BoolVal(True, ctx), z3.BoolVal(False, ctx)])
              for _, flag in sorted(self.cmp.present.items())]]
        return canonical_model(self.space, lambda *f: self.cmp.within(region, *f), model,
                               numerals(region), first)

    def ground_pairs(self, model: z3.ModelRef) -> list[Any]:
        pairs = []
        esc = self.esc
        for var in (esc.on, esc.level, esc.days, *self.cmp.present.values()):
            pairs.append((var, model.eval(var, model_completion=True)))
        return pairs

    def dispute(self, facts: dict[Any, Any], model: z3.ModelRef) -> dict[str, Any]:
        out = dict(facts)
        for path, flag in self.cmp.present.items():
            if z3.is_false(model.eval(flag, model_completion=True)):
                _drop(out, path)
        esc = self.esc
        if z3.is_true(model.eval(esc.on, model_completion=True)):
            level = value(model, esc.level)
            days = value(model, esc.days)
            out["escalation"] = {"level": esc.levels[level],
                                 "since": (self.as_of - _dt.timedelta(days=days)).isoformat()}
        return out



def escalation_is_neutral(old: Policy, new: Policy) -> bool:
    """Whether an escalated dispute can be decided differently only when the same dispute, not
    yet escalated, is too: true when the ladders, the authority and the remedies are equal.

    Equal calendars (the resolved days, not only the text) are required too: the deadline
    step counts in them.

    Proof sketch (docs/diff.md): with equal ladders the deadline step gives the same due level
    ``d`` in both versions. A fresh dispute gets level-so-far ``L_v``; an escalated one
    ``max(L_v, d)``. If the fresh outcomes agree, the category, the required remedies and
    their amounts agree, and each remedy's authorizer, the lowest level at or above ``L_v``
    allowed to authorize it, is the same: no level between ``L_old`` and ``L_new`` may. Then
    from ``max(L_v, d)`` the lowest allowed level is again the same, so are the final level
    (the highest authorizer, or ``max(L_v, d)`` when no remedy is required, where the fresh
    levels agree) and the action. So the search for escalated disputes is skipped.
    """
    return old.ladder == new.ladder and old.authority == new.authority and \
        old.remedies == new.remedies and \
        old.compiled.calendars.canonical() == new.compiled.calendars.canonical()


def _drop(facts: dict[Any, Any], path: str) -> None:
    keys = path.split(".")
    node: Any = facts
    for key in keys[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return
    if isinstance(node, dict):
        node.pop(keys[-1], None)


def compare_behavior(old: Policy, new: Policy, *, as_of: _dt.date, timeout: float = 10.0,
                      budget: float = 60.0, max_regions: int = 30,
                      comparison: Comparison | None = None) -> BehaviorReport:
    """The behavioral diff of two versions on ``as_of`` (see the module docstring)."""
    if old == new:
        return BehaviorReport("identical")
    fo, fn = in_force(old, as_of), in_force(new, as_of)
    if not fo and not fn:
        return BehaviorReport("not-compared", notes=[
            f"neither version is in force on {as_of}: no dispute can be decided that day"])
    cmp = comparison or Comparison(old, new, as_of, timeout=timeout, budget=budget)
    if fo != fn:
        return _term_change(cmp, fo)
    validity = ValiditySearch(old, new, as_of, timeout=cmp.timeout,
                              remaining=lambda: cmp.prover.remaining).regions()
    if not cmp.shared.comparable:
        notes = [f"no dispute is valid under both versions: fact `{path}` is {why}"
                 for path, why in cmp.shared.excluded.items()]
        report = BehaviorReport("different" if validity else "not-compared", validity,
                                notes=notes, complete=False)
        return report
    report = _Search(cmp, max_regions).run()
    report.comparison = cmp
    rounded = cmp.inexact_changes() if report.verdict == "equivalent" else []
    if rounded:
        # "no dispute changes" was proven with a division by zero left unspecified: where
        # the evaluator's infinity or NaN decides, a dispute may change, possible, not proven
        report.complete = False
        report.verdict = "unknown"
        shown = ", ".join(f"`{t}`" for t in rounded[:3]) + (", ..." if len(rounded) > 3 else "")
        report.notes.append(f"the solver leaves {shown} unspecified where the divisor is 0.0 "
                            "and the evaluator gives an infinity or NaN: disputes dividing "
                            "by zero may change too (possible, not proven)")
    if validity:
        report.regions[:0] = validity
        report.verdict = "different"
    for path, why in cmp.shared.excluded.items():
        report.notes.append(f"fact `{path}` is left out of the comparison: {why}")
    return report


def _term_change(cmp: Comparison, old_in_force: bool) -> BehaviorReport:
    """One version is in force on ``as_of``, the other not: every dispute changes."""
    out = cmp.prover.check()
    report = BehaviorReport("different")
    if not out.sat:
        report.verdict = "unknown"
        report.complete = False
        return report
    model = canonical_model(cmp.space, lambda *f: cmp.prover.check(*f), out.model, [])
    w = cmp.space.witness(model, cmp.as_of)
    dispute = w["facts"]
    o_old, _ = decide(cmp.old, project(cmp.old, dispute), cmp.as_of)
    o_new, _ = decide(cmp.new, project(cmp.new, dispute), cmp.as_of)
    if old_in_force:
        which, change = "the new version is not in force", "decided -> refused " \
            "(policy_not_in_force)"
    else:
        which, change = "the old version is not in force", "refused (policy_not_in_force) " \
            "-> decided"
    report.regions.append(Behavior(f"every dispute on {cmp.as_of} ({which}): {change}",
                                   "disputes", "", True, change,
                                   {"facts": dispute, "as_of": cmp.as_of.isoformat()},
                                   o_old.to_dict(), o_new.to_dict(), False,
                                   difference(o_old, o_new)))
    return report
