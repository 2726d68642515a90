"""Solver-backed analysis of rulebooks (z3): imported only by lint and diff, never on the
evaluation path.

The API, stable for lint and the semantic diff::

    from policyengine.analysis import FactSpace, DecisionEncoding, Prover

    space = FactSpace(policy)                 # z3 variables + domain constraints, built once
    term = space.encode(expression)           # Term(kind, value, ok, opaque, inexact)
    space.holds(e), space.fails(e), space.errors(e)   # the outcomes of a condition (z3 bools)
    dec = DecisionEncoding(space)             # the decision procedure as z3 terms:
    dec.category_chosen(i), dec.unclassified(), dec.band_chosen(i, b), dec.gap(i),
    dec.level(), dec.final_level(), dec.remedy_required(i, rid), dec.remedy_amount(rid)
    prover = Prover(space, timeout=2.0, budget=60.0)
    out = prover.check(formula, tracked={"name": formula2})   # Outcome: sat/unsat/unknown
    space.witness(out.model, as_of, keep=[formula])   # {"facts": {...}, "as_of": "YYYY-MM-DD"}

To compare two versions of a policy over the same fact variables, build the second encoding in
the first one's space: ``DecisionEncoding(FactSpace(old))`` and a space for the new policy
sharing the context (``FactSpace(new, ctx=old_space.ctx)``) have variables of the same names,
sorts and domains when the facts agree, so their terms can be conjoined.

``check_coverage(policy, as_of=..., timeout=..., budget=...)`` runs lint's logic checks
(:mod:`policyengine.analysis.coverage`) and returns their findings with witnesses.
"""

from .coverage import Finding, Report, WitnessError, check_coverage, witness_date
from .decision import DecisionEncoding
from .encode import FactSpace
from .terms import FactVar, Term
from .solver import DEFAULT_BUDGET, DEFAULT_TIMEOUT, Outcome, Prover

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_TIMEOUT",
    "DecisionEncoding",
    "FactSpace",
    "FactVar",
    "Finding",
    "Outcome",
    "Prover",
    "Report",
    "Term",
    "WitnessError",
    "check_coverage",
    "witness_date",
]
