"""Redaction: what ``show``, ``export``, ``metrics``, memos and the decision log may show.

Two marks in a rulebook ask for it: a fact declared ``sensitive: true`` (its value is masked
wherever it appears), and a category with ``confidentiality: restricted`` (every fact value of
a dispute in it is masked, and so are the values its decision's trace read and its remedy
amounts). The ledger itself keeps everything; ``reveal=True`` shows it.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from ..model.nodes import FactDecl, Policy
from ..model.reserved import RESERVED_KEYS

#: what a masked value is replaced by
MASK = "[redacted]"
_AMOUNT = re.compile(r" for -?[0-9][0-9.eE+-]*")


def sensitive_paths(policy: Policy) -> frozenset[str]:
    """Dotted paths of the facts marked ``sensitive`` (a list's items: ``tags[]``)."""
    out: set[str] = set()
    stack: list[FactDecl] = list(policy.facts)
    while stack:
        f = stack.pop()
        if f.sensitive:
            out.add(f.path)
            continue
        stack.extend(f.fields)
        if f.items is not None:
            stack.append(f.items)
    return frozenset(out)


def is_restricted(policy: Policy, category: str | None) -> bool:
    if category is None:
        return False
    cat = policy.category(category)
    return cat is not None and cat.confidentiality == "restricted"


def _mask_tree(value: Any, path: str, paths: frozenset[str]) -> Any:
    if path in paths:
        return MASK
    if isinstance(value, Mapping):
        return {k: _mask_tree(v, f"{path}.{k}" if path else str(k), paths)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_tree(v, f"{path}[]", paths) for v in value]
    return value


def redact_facts(policy: Policy, facts: Mapping[str, Any], *, reveal: bool = False,
                 category: str | None = None) -> dict[str, Any]:
    """A copy of ``facts`` (a dispute: facts and the reserved keys) with sensitive facts masked;
    with ``category`` naming a restricted category, every fact value is masked (the keys stay,
    so a reader sees what was given). ``reveal=True`` returns an unmasked copy."""
    if reveal:
        return dict(facts)
    if is_restricted(policy, category):
        return {k: (v if k in RESERVED_KEYS else MASK) for k, v in facts.items()}
    paths = sensitive_paths(policy)
    if not paths:
        return dict(facts)
    return {k: (v if k in RESERVED_KEYS else _mask_tree(v, str(k), paths))
            for k, v in facts.items()}


def _masked_name(name: str, paths: frozenset[str]) -> bool:
    return any(name == p or name.startswith(p + ".") or name.startswith(p + "[")
               for p in paths)


def redact_decision(policy: Policy, decision: Mapping[str, Any], *, reveal: bool = False
                    ) -> dict[str, Any]:
    """A copy of a decision's ``to_dict()`` form: the trace's fact values of sensitive facts
    masked; for a restricted category every trace value and remedy amount too."""
    out = dict(decision)
    if reveal:
        return out
    category = (decision.get("category") or {}).get("id")
    restricted = is_restricted(policy, category)
    paths = sensitive_paths(policy)
    if not restricted and not paths:
        return out
    trace = []
    for step in decision.get("trace", ()):
        values = step.get("values") or {}
        masked = {k: (MASK if restricted or _masked_name(k, paths) else v)
                  for k, v in values.items()}
        hide = restricted or any(_masked_name(k, paths) for k in values)
        detail = step.get("detail")
        if hide and step.get("kind") == "authority" and isinstance(detail, str):
            detail = _AMOUNT.sub(" for " + MASK, detail)
        trace.append(dict(step, values=masked, detail=detail))
    out["trace"] = trace
    remedies = []
    for r in decision.get("remedies", ()):
        rem = policy.remedy(r["id"])
        reads = _reads(policy, r["id"])
        hide = restricted or (rem is not None and any(_masked_name(k, paths) for k in reads))
        remedies.append(dict(r, amount=MASK if hide and r.get("amount") is not None
                             else r.get("amount")))
    out["remedies"] = remedies
    return out


def _reads(policy: Policy, remedy_id: str) -> tuple[str, ...]:
    crem = policy.compiled.remedies.get(remedy_id)
    if crem is None or crem.amount is None:
        return ()
    return tuple(p for p, _ in crem.amount.reads)


def redact_text(text: str | None, restricted: bool, *, reveal: bool = False) -> str | None:
    """Free text (an outcome, a memo) of a restricted dispute is masked unless revealed."""
    if text is None or reveal or not restricted:
        return text
    return MASK


def redact_decision_object(policy: Policy, decision: Any, *, reveal: bool = False) -> Any:
    """:func:`redact_decision` for a ``Decision`` object (for memos)."""
    import dataclasses

    if reveal:
        return decision
    restricted = is_restricted(policy, decision.category.id)
    paths = sensitive_paths(policy)
    if not restricted and not paths:
        return decision
    steps = []
    for step in decision.trace:
        hide = restricted or any(_masked_name(k, paths) for k, _ in step.values)
        words = step.words
        if hide and step.kind == "authority":
            if isinstance(words, str):
                words = _AMOUNT.sub(" for " + MASK, words)
            elif words[1][1] is not None:  # (action, amount, ...): the amount, masked
                words = (words[0], (words[1][0], MASK, *words[1][2:]))
        steps.append(dataclasses.replace(step, words=words, values=tuple(
            (k, MASK if restricted or _masked_name(k, paths) else v) for k, v in step.values)))
    remedies = tuple(dataclasses.replace(r, amount=MASK) if r.amount is not None and (
        restricted or any(_masked_name(k, paths) for k in _reads(policy, r.id))) else r
        for r in decision.remedies)
    return dataclasses.replace(decision, trace=tuple(steps), remedies=remedies)
