"""A typed client of policyengine: every call that docs/api.md shows, with the types a user
would write. `.ci/run` (section types) checks it with `mypy --strict`; it is not collected by
pytest (no `test_` prefix), but it runs: `python tests/typing/client.py` from the repository root
prints the documented results."""

from __future__ import annotations

import datetime
from typing import Any

import policyengine
from policyengine import (CategoryRef, Decision, DecisionWarning, Diagnostic, DisputeError,
                          LevelRef, LintResult, Policy, PolicyDiff, PolicyError, Problem,
                          RemedyInForce, RemedyOutcome, Severity, Span, TraceStep)
from policyengine.expr import CompiledExpression, ExpressionError, compile_expression


def loading() -> Policy:
    policy: Policy = policyengine.load_policy("policies/acme-channel-conflict.yaml")
    ident: str = policy.id
    version: str = policy.version
    digest: str = policy.digest
    warnings: tuple[Diagnostic, ...] = policy.warnings
    print(ident, version, digest[:14], len(warnings))
    same = policyengine.loads_policy(open("policies/acme-channel-conflict.yaml").read(),
                                     "acme.yaml")
    assert same == policy
    try:
        policyengine.loads_policy("policy: {id: x}\n", "broken.yaml")
    except policyengine.PolicyError as exc:
        for d in exc.diagnostics:
            line: str = d.format_line()
            hint: str | None = d.hint
            print(line, hint)
    return policy


def deciding(policy: Policy) -> Decision:
    decision = policy.evaluate(
        {"kind": "pricing", "amount": 120000.0, "region": "EMEA", "partner": {"tier": "gold"}},
        as_of=datetime.date(2026, 11, 22),
    )
    level: LevelRef = decision.level
    category: CategoryRef = decision.category
    decide_by: datetime.date = decision.decide_by
    respond_by: datetime.date | None = decision.respond_by
    authorized: list[str | None] = [r.authorized_by for r in decision.remedies]
    remedies: tuple[RemedyOutcome, ...] = decision.remedies
    trace: tuple[TraceStep, ...] = decision.trace
    warned: tuple[DecisionWarning, ...] = decision.warnings
    in_force: tuple[RemedyInForce, ...] = decision.remedies_in_force
    as_dict: dict[str, Any] = decision.to_dict()
    as_json: bytes = decision.to_json()
    print(level.id, category.id, decision.action, decide_by, respond_by, authorized,
          len(remedies), len(trace), len(warned), len(in_force), len(as_dict), len(as_json))

    # as_of: a date, a datetime or an ISO string; dates in reserved keys as Python dates
    by_text = policy.evaluate({"kind": "pricing", "amount": 120000.0, "region": "EMEA",
                               "partner": {"tier": "gold"},
                               "escalation": {"level": "frontline",
                                              "since": datetime.date(2026, 11, 2)}},
                              as_of="2026-11-22")
    by_datetime = policyengine.evaluate(
        {"kind": "pricing", "amount": 120000.0, "region": "EMEA", "partner": {"tier": "gold"}},
        "policies/acme-channel-conflict.yaml", as_of=datetime.datetime(2026, 11, 22, 9, 30))
    print(by_text.action, by_datetime.level.id)

    try:
        policy.evaluate({"kind": "pricng", "amount": "12", "region": "EMEA"}, as_of="2026-11-22")
    except policyengine.DisputeError as exc:
        code: str = exc.code
        problems: list[tuple[str | None, str | None]] = [(p.path, p.detail)
                                                         for p in exc.problems]
        first: Problem = exc.problems[0]
        print(code, problems, first.message)
    return decision


def linting() -> LintResult:
    result = policyengine.lint("policies/", as_of=datetime.date(2026, 11, 23))
    for d in result:
        line: str = d.format_line()
        severity: Severity = d.severity
        span: Span | None = d.span
        print(line, severity.value, span)
    files: list[str] = result.files
    counts: tuple[int, int] = (result.errors, result.warnings)
    plain: list[Diagnostic] = result
    more = policyengine.lint("policies/acme-channel-conflict.yaml", "policies/jv-alliance.yaml",
                             select=["PE5"], ignore=["PE509"], as_of="2026-11-23",
                             max_bytes=1 << 20)
    print(files, counts, len(plain), len(more))
    return result


def diffing() -> PolicyDiff:
    diff = policyengine.diff_policies("tests/golden/diff/acme-renewal/old.yaml",
                                      "tests/golden/diff/acme-renewal/new.yaml",
                                      as_of=datetime.date(2026, 11, 23))
    verdict: str = diff.verdict
    for change in diff.changes:
        print(change.path, change.kind, change.old, change.new, change.breaking)
    for region in diff.behavior.regions:
        print(region.summary, region.witness)
    as_dict: dict[str, Any] = diff.to_dict()
    quick = policyengine.diff_policies(diff.old, diff.new, as_of="2026-11-23", behavior=False,
                                       timeout=5.0, budget=30.0, max_regions=10, examples=3)
    print(verdict, len(as_dict), quick.verdict)
    return diff


def expressions() -> CompiledExpression:
    ce = compile_expression("amount >= 100000.0 && region in ['EMEA', 'APAC']",
                            {"amount": {"type": "double"},
                             "region": {"type": "string",
                                        "enum": ["NA", "EMEA", "APAC", "LATAM"]}})
    held: Any = ce.evaluate({"amount": 120000.0, "region": "EMEA"})
    print(held)
    try:
        compile_expression("amount >=", {"amount": {"type": "double"}})
    except ExpressionError as exc:
        print(exc)
    return ce


def errors_form_one_tree() -> None:
    for cls in (PolicyError, DisputeError, ExpressionError):
        assert issubclass(cls, policyengine.PolicyengineError)
        assert issubclass(cls, ValueError)


if __name__ == "__main__":
    p = loading()
    deciding(p)
    linting()
    diffing()
    expressions()
    errors_form_one_tree()
