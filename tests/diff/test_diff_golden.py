"""Golden reports: pairs of versions of the bundled rulebooks (tests/golden/diff/<case>/), each
rendered as text, markdown and JSON; the JSON is valid against schemas/diff.schema.json and
every witness decides differently under the two versions. Update with
``pytest --update-golden`` and review the diff of the reports like code."""

from __future__ import annotations

import datetime as dt
import json
import os

import jsonschema
import pytest

from policyengine.diff import diff_policies, project
from policyengine.diff.dates import region_reproduces
from policyengine.diff.outcome import decide, difference
from policyengine.render import diff_json, diff_markdown, diff_text
from policyengine.load.schema import load_schema

from conftest import GOLDEN, ROOT

CASES = {
    "acme-renewal": dt.date(2026, 11, 23),
    "acme-integrator-breaking": dt.date(2026, 11, 23),
    "acme-reformatted": dt.date(2026, 11, 23),
    "distributor-windows": dt.date(2026, 11, 23),
    "jv-equivalent": dt.date(2026, 11, 23),
    "jv-term": dt.date(2029, 9, 1),
}
VERDICTS = {
    "acme-renewal": "different",
    "acme-integrator-breaking": "different",
    "acme-reformatted": "identical",
    "distributor-windows": "different",
    "jv-equivalent": "equivalent",
    "jv-term": "different",
}


@pytest.fixture(scope="module")
def diffs():
    """Each case diffed once (paths relative to the repository, as a user would type them)."""
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        out = {}
        for case, day in CASES.items():
            folder = f"tests/golden/diff/{case}"
            replay = f"{folder}/past.jsonl" if os.path.exists(f"{folder}/past.jsonl") else None
            out[case] = diff_policies(f"{folder}/old.yaml", f"{folder}/new.yaml", as_of=day,
                                      replay=replay, timeout=30.0, budget=300.0)
        return out
    finally:
        os.chdir(here)


def test_every_case_folder_is_listed():
    folders = {p.name for p in (GOLDEN / "diff").iterdir() if p.is_dir()}
    assert folders == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_reports(case, diffs, golden):
    d = diffs[case]
    golden(f"diff/{case}/want.txt", diff_text.render(d))
    golden(f"diff/{case}/want.md", diff_markdown.render(d))
    golden(f"diff/{case}/want.json", diff_json.render(d))


@pytest.mark.parametrize("case", sorted(CASES))
def test_verdict_and_schema(case, diffs):
    d = diffs[case]
    assert d.verdict == VERDICTS[case]
    jsonschema.validate(json.loads(diff_json.render(d)), load_schema("diff"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_witness_decides_differently(case, diffs):
    d = diffs[case]
    for region in d.behavior.regions:
        assert region_reproduces(d.old, d.new, region), region.summary
        if region.kind != "outcome":
            continue
        w = region.witness
        day = dt.date.fromisoformat(w["as_of"])
        old, _ = decide(d.old, project(d.old, w["facts"]), day)
        new, _ = decide(d.new, project(d.new, w["facts"]), day)
        assert difference(old, new), region.summary
        assert old.to_dict() == region.old and new.to_dict() == region.new


def test_renewal_finds_the_moved_threshold_as_an_exact_interval(diffs):
    regions = diffs["acme-renewal"].behavior.regions
    pricing = [r for r in regions if r.subject == "`pricing` disputes"]
    assert len(pricing) == 1
    assert "5000 <= amount < 25000" in pricing[0].condition and pricing[0].exact
    assert pricing[0].change == "level regional -> frontline"


def test_renewal_replay_counts(diffs):
    r = diffs["acme-renewal"].replay
    assert r.total == 122 and r.unreadable == 1 and r.refused_both == 1
    assert r.changed == sum(r.by_change.values()) == sum(r.by_category.values())
    assert len(r.examples) == 5
