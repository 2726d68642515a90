"""Derived facts: counted by the ledger as of the decision's date; a clear refusal without a
ledger and without the value."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine import DisputeError, load_policy
from policyengine.ledger import Ledger
from policyengine.ledger.derived import count
from policyengine.model.nodes import DerivedCount
from policyengine.core.calendar import Duration

from .conftest import V1

BASE = {"kind": "pricing", "amount": 1000.0, "partner": {"id": "P-1"}}


def test_evaluate_without_the_derived_value_names_the_fact() -> None:
    policy = load_policy(V1)
    with pytest.raises(DisputeError) as info:
        policy.evaluate(BASE, as_of=_dt.date(2026, 11, 27))
    [problem] = info.value.problems
    assert (problem.code, problem.path, problem.detail) == \
        ("invalid_facts", "recurrences_90d", "missing")
    assert "derived from the dispute ledger" in problem.message
    assert "ledger decide" in (problem.hint or "")
    decided = policy.evaluate(dict(BASE, recurrences_90d=2), as_of=_dt.date(2026, 11, 27))
    assert decided.level.id == "regional"


def test_the_declaration_is_in_the_model_and_the_digest() -> None:
    policy = load_policy(V1)
    fact = policy.fact("recurrences_90d")
    assert fact is not None and fact.derived is not None
    assert (fact.derived.count, str(fact.derived.within), fact.derived.same) == \
        ("disputes", "90d", ("partner.id", "kind"))
    contact = policy.fact("partner").field_named("contact")  # type: ignore[union-attr]
    assert contact is not None and contact.sensitive
    from policyengine.compile.policy import canonical_form

    assert canonical_form(policy)["facts"]["recurrences_90d"]["derived"]["within"] == "90d"


def test_the_window_ends_on_the_decision_date(ledger: Ledger) -> None:
    ledger.open("A", V1, BASE, on="2026-01-02")
    # 89 days later A is inside the window, 90 days later it is not
    inside = ledger.open("B", V1, BASE, on="2026-04-01")
    assert inside.dispute["recurrences_90d"] == 1
    outside = ledger.open("C", V1, BASE, on="2026-04-02")
    assert outside.dispute["recurrences_90d"] == 1  # B counts, A (90 days before) does not
    # another partner or another kind does not count
    other = ledger.open("D", V1, dict(BASE, partner={"id": "P-2"}), on="2026-04-02")
    assert other.dispute["recurrences_90d"] == 0
    kind = ledger.open("E", V1, dict(BASE, kind="territory"), on="2026-04-02")
    assert kind.dispute["recurrences_90d"] == 0


def test_a_decision_counts_as_of_its_own_date(ledger: Ledger) -> None:
    ledger.open("A", V1, BASE, on="2026-03-01")
    ledger.open("B", V1, BASE, on="2026-03-02")
    # a dispute recorded now but opened later is not counted for an earlier decision date
    ledger.open("C", V1, BASE, on="2026-05-20")
    first = ledger.decide("B", on="2026-03-10")
    again = ledger.decide("B", on="2026-03-10")
    assert first.dispute["recurrences_90d"] == again.dispute["recurrences_90d"] == 1
    later = ledger.decide("B", on="2026-06-05")  # A left the window, C entered it
    assert later.dispute["recurrences_90d"] == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.sampled_from(["P-1", "P-2"])), max_size=12),
       st.integers(1, 120), st.integers(0, 200))
def test_count_matches_a_direct_definition(others: list[tuple[int, str]], window: int,
                                           day: int) -> None:
    start = _dt.date(2026, 1, 1)
    derived = DerivedCount("disputes", Duration(window, "d"), ("partner.id",))
    as_of = start + _dt.timedelta(days=day)
    rows = [((start + _dt.timedelta(days=d)).isoformat(), {"partner": {"id": p}})
            for d, p in others]
    want = sum(1 for d, p in others if p == "P-1" and day - window < d <= day)
    assert count(derived, {"partner": {"id": "P-1"}}, rows, as_of) == want


def test_same_compares_json_values_strictly() -> None:
    derived = DerivedCount("disputes", Duration(30, "d"), ("flag", "n"))
    day = _dt.date(2026, 1, 31)
    mine = {"flag": True, "n": 1}
    rows: list[tuple[str, dict[str, Any]]] = [
        ("2026-01-30", {"flag": True, "n": 1.0}), ("2026-01-30", {"flag": 1, "n": 1}),
        ("2026-01-30", {"n": 1})]
    assert count(derived, mine, rows, day) == 1
    assert count(derived, {"n": 1}, rows, day) == 1  # absent equals absent
