"""Policy unit tests (policyengine.policytest): reading test files, comparing expectations,
rule coverage, and the bundled policies' own tests."""

from __future__ import annotations

import datetime as _dt
import shutil
from pathlib import Path

import pytest

from conftest import GOLDEN, POLICIES
from policyengine import load_policy
from policyengine.lint import TEST_SUFFIXES, collect_files
from policyengine.policytest import (collect_test_files, compare, parse_test_file, rules_of,
                                     run_tests)
from policyengine.policytest.coverage import exercised
from policyengine.policytest.runner import TEST_SUFFIXES as RUNNER_SUFFIXES

ACME = POLICIES / "acme-channel-conflict.yaml"
MINI = GOLDEN / "policytest" / "policy.yaml"  # fixed: counts do not move with bundled edits
MINI_CASE = "{name: %s, dispute: {kind: %s, amount: 120000.0}, expect: {level: %s}}"
DAY = _dt.date(2026, 11, 22)
PRICING = {"kind": "pricing", "amount": 120000.0, "region": "EMEA", "partner": {"tier": "gold"}}


@pytest.fixture(scope="module")
def acme():
    return load_policy(ACME)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def codes(test) -> list[tuple[str, int | None]]:
    return [(d.code, d.line) for d in test.diagnostics]


# -- reading test files ----------------------------------------------------------------------------
def test_a_valid_file_reads_every_case_with_its_line_and_date(tmp_path):
    path = write(tmp_path, "a.test.yaml", (
        "policy: acme.yaml\nas_of: 2026-11-22\ncases:\n"
        "  - name: one\n    dispute: {kind: pricing}\n    expect: {level: regional}\n"
        "  - name: two\n    as_of: 2026-12-01\n    dispute: {}\n"
        "    expect: {error: invalid_facts}\n"))
    test = parse_test_file(str(path))
    assert test.diagnostics == []
    assert [(c.name, c.as_of, c.line) for c in test.cases] == [
        ("one", DAY, 4), ("two", _dt.date(2026, 12, 1), 7)]
    assert test.policy_path == str(tmp_path / "acme.yaml")


def test_a_case_without_any_date_is_refused_with_the_reason(tmp_path):
    path = write(tmp_path, "a.test.yaml", "policy: p.yaml\ncases:\n"
                 "  - {name: one, dispute: {}, expect: {level: x}}\n")
    test = parse_test_file(str(path))
    assert codes(test) == [("PE102", 3)]
    d = test.diagnostics[0]
    assert d.message == "case `one`: missing key `as_of`"
    assert "decisions depend on the date" in d.hint


@pytest.mark.parametrize("body, code, line, message, hint", [
    ("    expect: {levle: regional}\n", "PE101", 6, "case `c`: expect: unknown key `levle`",
     "did you mean `level`?"),
    ("    expect: {error: nope}\n", "PE104", 6,
     "case `c`: expect: error: `nope` is not one of the allowed values", None),
    ("    expect: {}\n", "PE104", 6, "case `c`: expect: the mapping is empty", None),
    ("    expect: {decide_by: 2026-13-01}\n", "PE104", 6,
     "case `c`: expect: decide_by: `2026-13-01` is not an ISO date (YYYY-MM-DD)", None),
    ("    expect: {remedies: [3]}\n", "PE103", 6,
     "case `c`: expect: remedies: item 1: expected a mapping or text, found a whole number",
     None),
    ("    expect: {remedies: [{id: hold, amont: 3}]}\n", "PE101", 6,
     "case `c`: expect: remedies: item 1: unknown key `amont`", "did you mean `amount`?"),
    ("    expect: {level: regional}\n    extra: 1\n", "PE101", 7,
     "case `c`: unknown key `extra`", None),
])
def test_shape_errors_name_the_case_and_the_line(tmp_path, body, code, line, message, hint):
    path = write(tmp_path, "a.test.yaml", "policy: p.yaml\nas_of: 2026-11-22\ncases:\n"
                 "  - name: c\n    dispute: {}\n" + body)
    test = parse_test_file(str(path))
    assert [(d.code, d.line, d.message) for d in test.diagnostics] == [(code, line, message)]
    if hint is not None:
        assert test.diagnostics[0].hint == hint


def test_dates_must_be_real_names_unique_and_error_alone(tmp_path):
    path = write(tmp_path, "a.test.yaml", (
        "policy: p.yaml\nas_of: 2026-02-30\ncases:\n"
        "  - {name: c, dispute: {}, expect: {level: x}}\n"
        "  - {name: c, dispute: {}, expect: {error: unclassified, level: x}}\n"))
    test = parse_test_file(str(path))
    assert [(d.code, d.line) for d in test.diagnostics] == [
        ("PE104", 2), ("PE201", 5), ("PE104", 5)]
    assert test.diagnostics[0].message == "`2026-02-30` is not a real date"
    assert test.diagnostics[1].related[0][1].line == 4
    assert "`error` cannot be combined with `level`" in test.diagnostics[2].message


def test_hostile_yaml_is_refused_by_the_projects_loader(tmp_path):
    path = write(tmp_path, "a.test.yaml", (
        "policy: p.yaml\nas_of: 2026-11-22\nbase: &b {kind: pricing}\ncases:\n"
        "  - {name: c, dispute: *b, expect: {level: x}}\n"))
    assert "PE007" in {d.code for d in parse_test_file(str(path)).diagnostics}
    path = write(tmp_path, "b.test.yaml", "policy: p.yaml\npolicy: q.yaml\ncases: []\n")
    assert ("PE006", 2) in codes(parse_test_file(str(path)))
    path = write(tmp_path, "c.test.yaml", "")
    assert [d.code for d in parse_test_file(str(path)).diagnostics] in (["PE010"],)


def test_yaml11_values_in_a_dispute_are_text_with_a_warning(tmp_path):
    path = write(tmp_path, "a.test.yaml", "policy: p.yaml\nas_of: 2026-11-22\ncases:\n"
                 "  - {name: c, dispute: {region: NO}, expect: {level: x}}\n")
    test = parse_test_file(str(path))
    assert [(d.code, d.severity.value) for d in test.diagnostics] == [("PE009", "warning")]
    assert test.cases[0].dispute == {"region": "NO"}


# -- comparing -----------------------------------------------------------------------------------
def test_expect_is_a_subset_of_the_decision(acme):
    decision = acme.evaluate(PRICING, as_of=DAY)
    assert compare({"level": "regional"}, decision, None) == []
    assert compare({"category": "pricing", "role": "regional_director", "action": "escalate",
                    "respond_by": "2026-11-25", "decide_by": "2026-12-04"}, decision, None) == []
    [m] = compare({"level": "executive"}, decision, None)
    assert (m.field, m.expected, m.actual) == ("level", "executive", "regional")


def test_remedies_are_an_exact_set_in_any_order(acme):
    decision = acme.evaluate(PRICING, as_of=DAY)
    assert compare({"remedies": ["hold", "price-realignment"]}, decision, None) == []
    [m] = compare({"remedies": ["hold"]}, decision, None)
    assert (m.field, m.expected, m.actual) == ("remedies", ["hold"],
                                                ["hold", "price-realignment"])


def test_a_remedy_mapping_pins_its_fields(acme):
    decision = acme.evaluate(PRICING, as_of=DAY)
    good = [{"id": "price-realignment", "amount": 12000, "authorized_by": "regional_director",
             "expires_on": "2027-02-20", "review_on": "2026-12-22"},
            {"id": "hold", "review_on": None}]
    assert compare({"remedies": good}, decision, None) == []
    bad = [{"id": "price-realignment", "amount": 13000.0, "authorized_by": "executive_sponsor"},
           "hold"]
    assert [(m.field, m.expected, m.actual) for m in compare({"remedies": bad}, decision, None)
            ] == [("remedies.price-realignment.amount", 13000.0, 12000.0),
                  ("remedies.price-realignment.authorized_by", "executive_sponsor",
                   "regional_director")]


def test_warnings_are_an_exact_set(acme):
    decision = acme.evaluate(PRICING, as_of=DAY)
    assert compare({"warnings": []}, decision, None) == []
    [m] = compare({"warnings": ["no_authority"]}, decision, None)
    assert (m.expected, m.actual) == (["no_authority"], [])


def test_error_expectations(acme):
    from policyengine import DisputeError

    with pytest.raises(DisputeError) as info:
        acme.evaluate({"kind": "pricing"}, as_of=DAY)
    refusal = info.value
    assert compare({"error": "invalid_facts"}, None, refusal) == []
    [m] = compare({"error": "unclassified"}, None, refusal)
    assert m.actual.startswith("a refusal (invalid_facts): ")
    [m] = compare({"level": "regional"}, None, refusal)
    assert m.field == "decision"
    decision = acme.evaluate(PRICING, as_of=DAY)
    [m] = compare({"error": "invalid_facts"}, decision, None)
    assert m.actual == "a decision (category `pricing`, level `regional`)"


# -- coverage ------------------------------------------------------------------------------------
def test_rules_of_lists_categories_bands_overrides_and_remedies(acme):
    rules = rules_of(acme)
    assert [r.kind for r in rules].count("band") == 6
    assert {r.element for r in rules if r.kind != "band"} == {
        "categories.pricing", "categories.exclusivity", "categories.operational",
        "overrides.recurring", "overrides.compliance", "remedies.price-realignment",
        "remedies.territory-adjustment", "remedies.lead-reassignment", "remedies.hold"}
    band = next(r for r in rules if r.element == "categories.pricing.thresholds[2]")
    assert band.span.file.endswith("acme-channel-conflict.yaml") and band.span.line > 0


def test_a_decision_exercises_its_category_band_overrides_and_required_remedies(acme):
    decision = acme.evaluate(dict(PRICING, recurrences_90d=5), as_of=DAY)
    assert exercised(decision) == {
        "categories.pricing", "categories.pricing.thresholds[1]", "overrides.recurring",
        "remedies.price-realignment", "remedies.hold"}
    # a remedy whose condition was checked but did not hold is not exercised
    small = acme.evaluate(dict(PRICING, amount=100.0), as_of=DAY)
    assert "remedies.price-realignment" not in exercised(small)


def test_coverage_lists_the_rules_no_case_reached(tmp_path):
    shutil.copy(MINI, tmp_path / "mini.yaml")
    write(tmp_path, "one.test.yaml", "policy: mini.yaml\nas_of: 2026-11-22\ncases:\n  - "
          + MINI_CASE % ("one", "pricing", "regional") + "\n")
    run = run_tests([tmp_path])
    assert (run.passed, run.failed) == (1, 0)
    [cov] = run.coverage
    assert [cov.counts(k) for k in ("category", "band", "override", "remedy")] == [
        (1, 2), (1, 4), (0, 1), (2, 2)]
    assert round(run.percent, 1) == 44.4
    assert [r.element for r in cov.uncovered] == [
        "categories.other", "categories.pricing.thresholds[0]",
        "categories.pricing.thresholds[2]", "categories.other.thresholds[0]", "overrides.repeat"]
    assert [r.span.line for r in cov.uncovered] == [40, 36, 38, 45, 49]


def test_two_test_files_of_one_policy_share_its_coverage(tmp_path):
    shutil.copy(MINI, tmp_path / "mini.yaml")
    for name, kind, level in (("a", "pricing", "regional"), ("b", "other", "frontline")):
        write(tmp_path, f"{name}.test.yaml", "policy: mini.yaml\nas_of: 2026-11-22\ncases:\n"
              "  - " + MINI_CASE % ("x", kind, level) + "\n")
    run = run_tests([tmp_path])
    assert run.failed == 0
    [cov] = run.coverage
    assert cov.counts("category") == (2, 2)


def test_a_missing_or_broken_policy_stops_its_file_only(tmp_path):
    write(tmp_path, "a.test.yaml", "policy: nowhere.yaml\nas_of: 2026-11-22\ncases:\n"
          "  - {name: c, dispute: {}, expect: {level: x}}\n")
    write(tmp_path, "broken.yaml", "policy: {id: x}\n")
    write(tmp_path, "b.test.yaml", "policy: broken.yaml\nas_of: 2026-11-22\ncases:\n"
          "  - {name: c, dispute: {}, expect: {level: x}}\n")
    run = run_tests([tmp_path])
    assert len(run.broken) == 2
    a, b = run.files
    assert a.diagnostics[0].code == "PE011" and "does not exist" in a.diagnostics[0].message
    assert b.diagnostics[0].message == "the policy under test `%s` does not load" % (
        tmp_path / "broken.yaml")
    assert any(d.file == str(tmp_path / "broken.yaml") for d in b.diagnostics)


def test_expectations_must_name_ids_of_the_policy(tmp_path):
    shutil.copy(ACME, tmp_path / "acme.yaml")
    write(tmp_path, "a.test.yaml", "policy: acme.yaml\nas_of: 2026-11-22\ncases:\n"
          "  - {name: c, dispute: {}, expect: {level: regionl, remedies: [hold, {id: holdd}]}}\n")
    run = run_tests([tmp_path])
    [f] = run.files
    assert f.broken and f.cases == []
    assert [(d.code, d.hint) for d in f.diagnostics] == [
        ("PE104", "did you mean `regional`?"), ("PE104", "did you mean `hold`?")]


# -- the bundled policies -----------------------------------------------------------------------
def test_every_bundled_policy_has_a_test_file():
    rulebooks = {p.name for p in POLICIES.glob("*.yaml") if not p.name.endswith(TEST_SUFFIXES)}
    tests = {p.name.replace(".test.yaml", ".yaml") for p in POLICIES.glob("*.test.yaml")}
    assert rulebooks == tests


def test_the_bundled_policy_tests_pass_with_full_coverage():
    run = run_tests([POLICIES])
    assert run.broken == [] and run.missing == []
    assert run.failed == 0 and run.passed >= 60
    assert run.percent == 100.0
    for cov in run.coverage:
        assert cov.uncovered == [], cov.policy_path


def test_test_files_are_what_lint_skips():
    assert RUNNER_SUFFIXES == TEST_SUFFIXES
    files, _ = collect_files([POLICIES])
    assert files and not any(f.endswith(TEST_SUFFIXES) for f in files)
    tests, missing = collect_test_files([POLICIES, "no/such/folder"])
    assert tests and all(t.endswith(".test.yaml") for t in tests)
    assert missing == ["no/such/folder"]
