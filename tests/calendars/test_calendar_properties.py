"""Properties of decisions under a business calendar (policies/global-channel-conflict.yaml,
the ACME rules with regional calendars): deterministic and schema-valid, and, where the
weekend is Saturday and Sunday, holidays and closures only ever delay (every date on or after
the Monday-to-Friday one of policies/acme-channel-conflict.yaml) and a longer window never
escalates further."""

from __future__ import annotations

import copy

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from conftest import POLICIES
from policyengine.load.schema import load_schema
from tests.property.test_evaluate_properties import acme_disputes

ACME = policyengine.load_policy(POLICIES / "acme-channel-conflict.yaml")
GLOBAL = policyengine.load_policy(POLICIES / "global-channel-conflict.yaml")
VALIDATOR = jsonschema.Draft202012Validator(load_schema("decision"))
RANK = {lv.id: i for i, lv in enumerate(ACME.compiled.levels)}


@settings(max_examples=150, deadline=None)
@given(acme_disputes(), st.sampled_from(["NA", "EMEA", "APAC", "LATAM", "MENA"]))
def test_deterministic_and_schema_valid(case, region):
    dispute, as_of = case
    dispute = {**dispute, "region": region}
    before = copy.deepcopy(dispute)
    try:
        a = GLOBAL.evaluate(dispute, as_of=as_of)
    except policyengine.DisputeError as exc:
        assert exc.code == "outside_calendar"  # an escalation or grant before the horizon
        return
    assert a.to_json() == GLOBAL.evaluate(copy.deepcopy(dispute), as_of=as_of).to_json()
    assert dispute == before
    VALIDATOR.validate(a.to_dict())
    assert a.calendar["region"] == region


@settings(max_examples=150, deadline=None)
@given(acme_disputes())
def test_holidays_and_closures_only_delay(case):
    dispute, as_of = case  # regions NA, EMEA, APAC, LATAM: all rest on Saturday and Sunday
    plain = ACME.evaluate(dispute, as_of=as_of)
    try:
        cal = GLOBAL.evaluate(dispute, as_of=as_of)
    except policyengine.DisputeError as exc:
        assert exc.code == "outside_calendar"
        return
    assert RANK[cal.level.id] <= RANK[plain.level.id] or cal.level == plain.level
    if cal.level == plain.level:
        assert cal.decide_by >= plain.decide_by
        assert (cal.respond_by is None) == (plain.respond_by is None)
        if cal.respond_by is not None:
            assert cal.respond_by >= plain.respond_by
        for x, y in zip(cal.remedies, plain.remedies):
            assert x.id == y.id
            assert x.expires_on is None or x.expires_on >= y.expires_on
    for x, y in zip(cal.remedies_in_force, plain.remedies_in_force):
        assert x.expires_on is None or x.expires_on >= y.expires_on
