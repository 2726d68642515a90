"""Properties of evaluate(): deterministic, total on valid facts, pure, monotone where the
policy is, schema-valid, and only DisputeError on bad input."""

from __future__ import annotations

import copy
import datetime as dt

import jsonschema
from hypothesis import given
from hypothesis import strategies as st

import policyengine
from conftest import POLICIES
from policyengine.load.schema import load_schema

ACME = policyengine.load_policy(POLICIES / "acme-channel-conflict.yaml")
ALL = [policyengine.load_policy(p) for p in sorted(POLICIES.glob("*.yaml"))
       if not p.name.endswith(".test.yaml")]
VALIDATOR = jsonschema.Draft202012Validator(load_schema("decision"))
RANK = {lv.id: i for i, lv in enumerate(ACME.compiled.levels)}

days = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31))
amounts = st.one_of(st.floats(min_value=0, max_value=1e9, allow_nan=False),
                    st.integers(min_value=0, max_value=10 ** 9))


@st.composite
def acme_disputes(draw):
    as_of = draw(days)
    d = {"kind": draw(st.sampled_from(["pricing", "territory", "exclusivity", "lead_routing",
                                       "mdf", "co_branding"])),
         "amount": draw(amounts),
         "region": draw(st.sampled_from(["NA", "EMEA", "APAC", "LATAM"])),
         "partner": {"tier": draw(st.sampled_from(["platinum", "gold", "silver",
                                                   "registered"]))}}
    if draw(st.booleans()):
        d["partner"]["exclusive"] = draw(st.booleans())
    if draw(st.booleans()):
        d["recurrences_90d"] = draw(st.integers(min_value=0, max_value=10))
    if draw(st.booleans()):
        d["compliance_flag"] = draw(st.booleans())
    if draw(st.booleans()):
        since = draw(st.dates(min_value=as_of - dt.timedelta(days=200), max_value=as_of))
        d["escalation"] = {"level": draw(st.sampled_from(sorted(RANK))),
                           "since": since.isoformat()}
    if draw(st.booleans()):
        d["remedies_in_force"] = [
            {"id": draw(st.sampled_from(["hold", "price-realignment", "lead-reassignment",
                                         "territory-adjustment"])),
             "granted_on": draw(st.dates(min_value=as_of - dt.timedelta(days=400),
                                         max_value=as_of)).isoformat()}
            for _ in range(draw(st.integers(0, 3)))]
    return d, as_of


@given(acme_disputes())
def test_deterministic_total_pure_and_schema_valid(case):
    dispute, as_of = case
    before = copy.deepcopy(dispute)
    a = ACME.evaluate(dispute, as_of=as_of)
    b = ACME.evaluate(copy.deepcopy(dispute), as_of=as_of)
    assert a.to_json() == b.to_json()
    assert dispute == before
    VALIDATOR.validate(a.to_dict())


@given(acme_disputes())
def test_overrides_and_deadlines_never_lower_the_level(case):
    dispute, as_of = case
    d = ACME.evaluate(dispute, as_of=as_of)
    band = next(t for t in d.trace if t.kind == "band")
    band_level = band.detail.rsplit("`", 2)[-2]
    assert RANK[d.level.id] >= RANK[band_level]
    if "escalation" in dispute:
        # a dispute never goes back down the ladder: it is handled where it stands, or escalated
        current = RANK[dispute["escalation"]["level"]]
        assert RANK[d.level.id] >= current
        assert (d.action == "handle") == (RANK[d.level.id] == current)


@given(acme_disputes(), st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_raising_the_amount_never_lowers_the_level(case, extra):
    # every band of the ACME policy is monotone in `amount`, and so are remedy amounts
    dispute, as_of = case
    low = ACME.evaluate(dispute, as_of=as_of)
    higher = dict(dispute, amount=float(dispute["amount"]) + extra)
    high = ACME.evaluate(higher, as_of=as_of)
    assert RANK[high.level.id] >= RANK[low.level.id]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                      children, max_size=4),
    max_leaves=20)


@given(st.sampled_from(ALL),
       st.dictionaries(st.sampled_from(["kind", "amount", "region", "partner", "escalation",
                                        "remedies_in_force", "as_of", "severity", "other"]),
                       json_values, max_size=8),
       days)
def test_bad_disputes_raise_dispute_error_and_nothing_else(policy, dispute, as_of):
    try:
        d = policy.evaluate(dispute, as_of=as_of)
    except policyengine.DisputeError as exc:
        assert exc.problems and all(p.code for p in exc.problems)
    else:
        VALIDATOR.validate(d.to_dict())


@given(st.sampled_from(ALL), json_values)
def test_any_json_value_as_a_dispute(policy, value):
    try:
        policy.evaluate(value, as_of=dt.date(2026, 6, 1))
    except policyengine.DisputeError:
        pass
