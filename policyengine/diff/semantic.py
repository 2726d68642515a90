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

from ..analysis.encode import FactSpace
from ..analysis.solver import Prover
from ..model.nodes import Policy
from .describe import Clause, Describer
from .encoding import (REFUSALS, Names, VersionTerms, make_escalation, presence_substitution,
                       substitute, version_terms)
from .outcome import Outcome, decide, difference, main_difference
from .space import merge_facts, project

WITNESS_TRIES = 3
SPLIT_LIMIT = 4


@dataclass
class Behavior:
    """One region of disputes decided differently.

    ``condition``: the region in words (``10000 <= amount < 25000``); ``exact``: the condition
    describes exactly the disputes that change this way (False: it contains them, and more);
    ``change``: what changes (``level regional -> frontline``); ``witness``: a dispute of the
    region, ``{"facts": ..., "as_of": ...}`` (``facts`` may hold the reserved ``escalation``);
    ``old``/``new``: its outcomes under each version."""

    summary: str
    subject: str
    condition: str
    exact: bool
    change: str
    witness: dict | None
    old: dict
    new: dict
    escalated: bool = False
    example_change: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "subject": self.subject, "condition": self.condition,
                "exact": self.exact, "change": self.change, "escalated": self.escalated,
                "witness": self.witness, "example_change": self.example_change or self.change,
                "old": self.old, "new": self.new}


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

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "complete": self.complete, "notes": list(self.notes)}


def in_force(policy: Policy, day: _dt.date) -> bool:
    m = policy.meta
    return m.effective <= day and (m.expires is None or day <= m.expires)


class Comparison:
    """The shared space and decision terms of two versions (also the structural diff's oracle
    for reordered categories and bands)."""

    def __init__(self, old: Policy, new: Policy, as_of: _dt.date, *, timeout: float,
                 budget: float):
        self.old, self.new, self.as_of = old, new, as_of
        self.shared = merge_facts(old, new)
        self.space = FactSpace(self.shared)
        self.prover = Prover(self.space, timeout=timeout, budget=budget)
        self.timeout = timeout
        self.unknown = 0
        self.base: list = []
        self._terms: tuple | None = None

    def check(self, *formulas):
        out = self.prover.check(*self.base, *formulas)
        if out.unknown:
            self.unknown += 1
        return out

    # -- the structural diff's question ------------------------------------------------------
    def overlap(self, old_conditions: tuple, new_conditions: tuple) -> bool | None:
        """Can all the conditions of one version hold together (in either version)?"""
        verdicts = []
        for conds in (old_conditions, new_conditions):
            formulas = [self.space.holds(c) for c in conds if c is not None]
            out = self.prover.check(*formulas)
            if out.sat:
                return True
            verdicts.append(out.unsat)
        return False if all(verdicts) else None

    # -- the decision terms ------------------------------------------------------------------
    def terms(self) -> tuple[VersionTerms, VersionTerms]:
        if self._terms is None:
            self.names = Names(self.old, self.new)
            self.esc = make_escalation(self.space, self.old, self.new, self.as_of)
            self.base = list(self.esc.domain)
            pairs_a, present = presence_substitution(self.space, self.shared, 0)
            pairs_b, present_b = presence_substitution(self.space, self.shared, 1)
            present.update(present_b)
            self.present = present
            a = substitute(version_terms(self.space, self.old, self.names, self.esc,
                                         self.as_of), pairs_a)
            b = substitute(version_terms(self.space, self.new, self.names, self.esc,
                                         self.as_of), pairs_b)
            self._terms = (a, b)
        return self._terms


def differ(a: VersionTerms, b: VersionTerms, ctx):
    false = z3.BoolVal(False, ctx)
    inner = [a.category != b.category, a.level != b.level, a.escalate != b.escalate]
    for rid in sorted(set(a.required) | set(b.required)):
        ra, rb = a.required.get(rid, false), b.required.get(rid, false)
        inner.append(ra != rb)
        if rid in a.required and rid in b.required:
            inner.append(z3.And(ra, rb, z3.Or(a.by[rid] != b.by[rid], _amount_differs(a, b, rid))))
    both = z3.And(a.refusal == 0, b.refusal == 0)
    return z3.Or(a.refusal != b.refusal, z3.And(both, z3.Or(inner)))


def _amount_differs(a: VersionTerms, b: VersionTerms, rid: str):
    x, y = a.amount.get(rid), b.amount.get(rid)
    ctx = a.refusal.ctx
    if x is None and y is None:
        return z3.BoolVal(False, ctx)
    if x is None or y is None:
        return z3.BoolVal(True, ctx)
    return x != y


def _value(model, term) -> Any:
    v = model.eval(term, model_completion=True)
    if z3.is_true(v):
        return True
    if z3.is_false(v):
        return False
    return v.as_long() if z3.is_int_value(v) else None


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
        self.describer = Describer(cmp.space, cmp.check, cmp.base, cmp.esc, cmp.present,
                                   cmp.as_of, cmp.timeout)
        reads: set[str] = set()
        for p in (self.old, self.new):
            for e in _expressions(p):
                reads.update(e.analysis.reads)
        self.reads = reads

    # -- keys ---------------------------------------------------------------------------------
    def key(self, model, t: VersionTerms) -> tuple:
        refusal = _value(model, t.refusal)
        if refusal:
            return (refusal,)
        remedies = []
        for rid in sorted(t.required):
            req = _value(model, t.required[rid])
            remedies.append((rid, req, _value(model, t.by[rid]) if req else None))
        return (0, _value(model, t.category), _value(model, t.level),
                _value(model, t.escalate), tuple(remedies))

    def key_formula(self, key: tuple, t: VersionTerms, fine: bool, escalated: bool):
        """The disputes with this outcome: all of it (``fine``), or its refusal, category,
        level and action only (for an escalated dispute, not its category)."""
        parts = [t.refusal == key[0]]
        if key[0] == 0:
            _, cat, level, escalate, remedies = key
            parts += [t.level == level, t.escalate == z3.BoolVal(bool(escalate), self.ctx)]
            if fine or not escalated:
                parts.append(t.category == cat)
            if not fine:
                return z3.And(parts)
            for rid, req, by in remedies:
                parts.append(t.required[rid] == z3.BoolVal(bool(req), self.ctx))
                if req:
                    parts.append(t.by[rid] == by)
        return z3.And(parts)

    def amount_flags(self, model, ka: tuple, kb: tuple) -> list:
        """The amount-differs flag of each remedy both outcomes require, as formulas."""
        if ka[0] or kb[0]:
            return []
        ra = {rid for rid, req, _ in ka[4] if req}
        rb = {rid for rid, req, _ in kb[4] if req}
        out = []
        for rid in sorted(ra & rb):
            d = _amount_differs(self.a, self.b, rid)
            out.append(d if _value(model, d) else z3.Not(d))
        return out

    def predicted(self, key: tuple, policy: Policy) -> Outcome:
        if key[0]:
            return Outcome(refusal=REFUSALS[key[0]])
        _, cat, level, escalate, remedies = key
        rems = tuple(sorted((rid, self.names.roles[by] if by is not None and by >= 0 else None,
                             None) for rid, req, by in remedies if req))
        return Outcome(None, self.names.categories[cat] if cat >= 0 else None,
                       self.names.levels[level] if level >= 0 else None,
                       "escalate" if escalate else "handle", rems)

    # -- the search ---------------------------------------------------------------------------
    def run(self) -> BehaviorReport:
        a, b = self.a, self.b
        d = differ(a, b, self.ctx)
        fresh = z3.Not(self.esc.on)
        d_fresh = z3.substitute(d, (self.esc.on, z3.BoolVal(False, self.ctx)))
        # (what to search, the disputes a region is described among, escalated?)
        phases = [(fresh, fresh, False), (z3.And(self.esc.on, z3.Not(d_fresh)), self.esc.on,
                                          True)]
        blocks: list = []
        for search, phase, escalated in phases:
            while True:
                if len(self.report.regions) >= self.max_regions:
                    self.report.complete = False
                    self.report.notes.append(f"stopped after {self.max_regions} regions: "
                                             "more disputes may change in other ways")
                    return self.finish()
                out = self.cmp.check(search, d, *blocks)
                if out.unknown:
                    self.report.complete = False
                    self.report.notes.append(f"the solver could not finish ({out.reason}): "
                                             "other disputes may change too")
                    return self.finish()
                if out.unsat:
                    break
                model = out.model
                ka, kb = self.key(model, a), self.key(model, b)
                fine = _fine(ka, kb)
                region = z3.And(phase, self.key_formula(ka, a, fine, escalated),
                                self.key_formula(kb, b, fine, escalated),
                                *(self.amount_flags(model, ka, kb) if fine else ()))
                if escalated and not fine and ka[0] == 0 and kb[0] == 0 and ka[1] == kb[1]:
                    region = z3.And(region, a.category == b.category)
                blocks.append(z3.Not(region))
                self.region(region, model, ka, kb, escalated, phase, fine)
        return self.finish()

    def finish(self) -> BehaviorReport:
        r = self.report
        if not r.regions:
            r.verdict = "equivalent" if r.complete else "unknown"
        r.queries = self.cmp.prover.queries
        return r

    def region(self, region, model, ka, kb, escalated: bool, phase, fine: bool) -> None:
        clauses = self.describer.clauses(region, self.reads, model)
        clauses += self.describer.escalation_clauses(region) if escalated else []
        hidden = [Clause("", phase)]
        exact = self.describer.exact(region, clauses + hidden)
        parts = [(region, model, clauses, exact)]
        if exact is False:
            parts = self.split(region, escalated, hidden) or parts
        for part, hint, cls, ex in parts:
            self.report_part(part, hint, cls, bool(ex), ka, kb, escalated, fine)

    def split(self, region, escalated: bool, hidden: list[Clause]) -> list | None:
        """Split ``region`` by the values of one enum or bool fact (or, for escalated
        disputes, by the escalation level) so that every part is exact."""
        axes = []
        if escalated:
            axes.append([self.esc.level == i for i in range(len(self.esc.levels))])
        for path, fv in self.space.facts.items():
            if path not in self.reads or fv.kind not in ("enum", "bool"):
                continue
            if fv.kind == "bool":
                axes.append([fv.var, z3.Not(fv.var)])
            else:
                axes.append([fv.var == i for i in range(len(fv.values))])
        for values in axes:
            parts = []
            for f in values:
                sub = z3.And(region, f)
                out = self.cmp.check(sub)
                if out.unsat:
                    continue
                if not out.sat or len(parts) >= SPLIT_LIMIT:
                    parts = None
                    break
                cls = self.describer.clauses(sub, self.reads, out.model)
                if escalated:
                    cls += self.describer.escalation_clauses(sub)
                if not self.describer.exact(sub, cls + hidden):
                    parts = None
                    break
                parts.append((sub, out.model, cls, True))
            if parts and len(parts) > 1:
                return parts
        return None

    def report_part(self, region, model, clauses, exact: bool, ka, kb, escalated, fine
                    ) -> None:
        witness, o_old, o_new = self.witness(region, model, ka, kb, fine, escalated)
        if witness is None:
            self.report.complete = False
            self.report.notes.append("a region found by the solver could not be reproduced by "
                                     "the evaluator (an expression the solver does not follow "
                                     "exactly): it is left out")
            return
        subject, context = self.subject(ka, kb, escalated and not fine)
        shown = [c for c in clauses if c.text and not (
            context is not None and self.describer.implied(context, c))]
        facts = [c.text for c in shown if c.kind != "escalation"]
        escalation = [c.text for c in shown if c.kind == "escalation"]
        condition = " and ".join(escalation + facts)
        change = difference(o_old, o_new) if fine else main_difference(o_old, o_new)
        if condition:
            text = " ".join([subject] + escalation) + (" with " + " and ".join(facts)
                                                        if facts else "")
        else:
            text = f"every {subject[:-1]}" if subject.endswith("disputes") else subject
            if subject == "disputes":
                text = "every dispute"
        if not exact:
            text += " (in part)"
        self.report.regions.append(Behavior(f"{text}: {change}", subject, condition, exact,
                                             change, witness, o_old.to_dict(), o_new.to_dict(),
                                             escalated, difference(o_old, o_new)))

    def subject(self, ka: tuple, kb: tuple, any_category: bool) -> tuple[str, Any]:
        a, b = self.a, self.b
        if any_category:
            return "disputes", None
        if ka[0] == 0 and kb[0] == 0 and ka[1] == kb[1]:
            name = self.names.categories[ka[1]]
            return f"`{name}` disputes", z3.And(a.category == ka[1], b.category == kb[1],
                                               a.refusal == 0, b.refusal == 0)
        if ka[0] == 0:
            name = self.names.categories[ka[1]]
            return f"`{name}` disputes", z3.And(a.category == ka[1], a.refusal == 0)
        if kb[0] == 0:
            name = self.names.categories[kb[1]]
            return f"disputes now `{name}`", z3.And(b.category == kb[1], b.refusal == 0)
        return "disputes", None

    # -- witnesses ----------------------------------------------------------------------------
    def witness(self, region, model, ka, kb, fine: bool, escalated: bool):
        want_old, want_new = self.predicted(ka, self.old), self.predicted(kb, self.new)
        avoid: dict[str, list] = {}
        for _ in range(WITNESS_TRIES):
            pairs = self.ground_pairs(model)
            keep = z3.substitute(region, *pairs) if pairs else region
            w = self.space.witness(model, self.as_of, keep=[keep], avoid=avoid)
            dispute = self.dispute(w["facts"], model)
            o_old, _ = decide(self.old, project(self.old, dispute), self.as_of)
            o_new, _ = decide(self.new, project(self.new, dispute), self.as_of)
            loose = escalated and not fine  # the region does not fix the category
            if difference(o_old, o_new) and _same(o_old, want_old, fine, loose) and \
                    _same(o_new, want_new, fine, loose):
                return {"facts": dispute, "as_of": self.as_of.isoformat()}, o_old, o_new
            for path, fv in self.space.facts.items():
                if fv.kind in ("int", "double"):
                    avoid.setdefault(path, []).append(_lookup(w["facts"], path))
        return None, None, None

    def ground_pairs(self, model) -> list:
        pairs = []
        esc = self.esc
        for var in (esc.on, esc.level, esc.days, *self.cmp.present.values()):
            pairs.append((var, model.eval(var, model_completion=True)))
        return pairs

    def dispute(self, facts: dict, model) -> dict:
        out = dict(facts)
        for path, flag in self.cmp.present.items():
            if z3.is_false(model.eval(flag, model_completion=True)):
                _drop(out, path)
        esc = self.esc
        if z3.is_true(model.eval(esc.on, model_completion=True)):
            level = _value(model, esc.level)
            days = _value(model, esc.days)
            out["escalation"] = {"level": esc.levels[level],
                                 "since": (self.as_of - _dt.timedelta(days=days)).isoformat()}
        return out


def _fine(ka: tuple, kb: tuple) -> bool:
    """A region is keyed by the whole outcome when only remedies change; otherwise by the
    refusal, category, level and action (the remedies follow the level)."""
    return ka[0] == 0 and kb[0] == 0 and ka[1:4] == kb[1:4]


def _same(real: Outcome, want: Outcome, fine: bool, loose: bool) -> bool:
    """The evaluator's outcome matches the solver's (amounts aside; remedies when ``fine``;
    the category unless ``loose``)."""
    if real.refusal or want.refusal:
        return real.refusal == want.refusal
    if (real.level, real.action) != (want.level, want.action) or (
            not loose and real.category != want.category):
        return False
    return not fine or [(i, by) for i, by, _ in real.remedies] == \
        [(i, by) for i, by, _ in want.remedies]


def _lookup(facts: dict, path: str) -> Any:
    node: Any = facts
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _drop(facts: dict, path: str) -> None:
    keys = path.split(".")
    node: Any = facts
    for key in keys[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return
    if isinstance(node, dict):
        node.pop(keys[-1], None)


def _expressions(policy: Policy):
    for c in policy.categories:
        yield c.when
        for b in c.bands:
            if b.when is not None:
                yield b.when
    for o in policy.overrides:
        yield o.when
    for r in policy.remedies:
        if r.when is not None:
            yield r.when
        if r.amount is not None:
            yield r.amount


def compare_behavior(old: Policy, new: Policy, *, as_of: _dt.date, timeout: float = 2.0,
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
    if not cmp.shared.comparable:
        notes = [f"no dispute is valid under both versions: fact `{path}` is {why}"
                 for path, why in cmp.shared.excluded.items()]
        return BehaviorReport("not-compared", notes=notes, complete=False)
    if fo != fn:
        return _term_change(cmp, fo)
    report = _Search(cmp, max_regions).run()
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
    w = cmp.space.witness(out.model, cmp.as_of)
    dispute = w["facts"]
    o_old, _ = decide(cmp.old, project(cmp.old, dispute), cmp.as_of)
    o_new, _ = decide(cmp.new, project(cmp.new, dispute), cmp.as_of)
    change = difference(o_old, o_new)
    which = "the new version is not in force" if old_in_force else \
        "the old version is not in force"
    report.regions.append(Behavior(f"every dispute on {cmp.as_of} ({which}): {change}",
                                    "disputes", "", True, change,
                                    {"facts": dispute, "as_of": cmp.as_of.isoformat()},
                                    o_old.to_dict(), o_new.to_dict()))
    return report
