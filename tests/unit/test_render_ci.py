"""The CI renderers (SARIF, GitHub annotations, JUnit) on one fixed list of diagnostics, against
golden files; SARIF is also validated against the official 2.1.0 schema in ../shared/sarif."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest

from policyengine.core.codes import REGISTRY
from policyengine.core.diagnostics import Diagnostic, Severity, Span
from policyengine.render import github, junit, sarif

from conftest import shared_folder

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO
ACME = "policies/acme.yaml"

DIAGNOSTICS = [
    Diagnostic.at("PE501", E, "category `pricing`: no band holds for `amount` = 10000.0: such "
                  "disputes are refused (`threshold_gap`)", Span(ACME, 40, 5, 40, 15),
                  hint="end the thresholds with `{otherwise: <level>}`",
                  witness={"facts": {"kind": "pricing", "amount": 10000.0}, "as_of": "2026-11-23"},
                  element="categories.pricing.thresholds"),
    Diagnostic.at("PE504", W, "categories `a` and `b` can both hold: 100% of `a`, then `b`",
                  Span(ACME, 47, 11, 47, 29), related=[("category `a` comes first",
                                                        Span(ACME, 39, 11, 39, 30))],
                  element="categories.b~categories.a"),
    Diagnostic.at("PE003", E, "the YAML does not parse:\nline two\r", Span(ACME, 50, 3, 52, 7)),
    Diagnostic.at("PE703", I, "the policy expires on 2027-01-01, in 39 day(s)", None,
                  file="policies/jv, alliance: v2.yaml"),
    Diagnostic.at("PE901", E, "internal error in check `broken`: KeyError", None),
    Diagnostic.at("PE206", W, "no category lists remedy `réunion`", Span(ACME, 63, 9, 63, 16),
                  element="remedies.réunion"),
]
FILES = [ACME, "policies/jv, alliance: v2.yaml", "policies/clean.yaml"]


@pytest.fixture
def in_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_sarif_golden(golden, in_root):
    golden("render/sarif.json", sarif.render(DIAGNOSTICS))


def test_github_golden(golden):
    golden("render/github.txt", github.render(DIAGNOSTICS))


def test_junit_golden(golden):
    golden("render/junit.xml", junit.render(DIAGNOSTICS, files=FILES))


def test_sarif_is_valid_against_the_official_schema(in_root):
    import jsonschema

    schema = json.loads((shared_folder("sarif") / "sarif-schema-2.1.0.json").read_text("utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(sarif.to_sarif(DIAGNOSTICS)), key=str)
    assert not errors, [e.message for e in errors[:5]]
    empty = sarif.to_sarif([])
    assert not list(validator.iter_errors(empty))


def test_sarif_rules_and_results(in_root):
    run = sarif.to_sarif(DIAGNOSTICS)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({d.code for d in DIAGNOSTICS})
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert rule["helpUri"] == REGISTRY[rule["id"]].help_uri
        assert rule["help"]["text"]
    first = run["results"][0]
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "policies/acme.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 40, "startColumn": 5, "endLine": 40, "endColumn": 15}}
    assert first["properties"]["witness"]["facts"]["amount"] == 10000.0
    assert first["level"] == "error" and run["results"][3]["level"] == "note"
    # no line: no region; no file: no location
    assert "region" not in run["results"][3]["locations"][0]["physicalLocation"]
    assert "locations" not in run["results"][4]
    assert run["results"][1]["relatedLocations"][0]["message"]["text"] == \
        "category `a` comes first"


def test_sarif_fingerprints_survive_moved_lines(in_root):
    d = DIAGNOSTICS[0]
    moved = Diagnostic.at(d.code, d.severity, d.message, Span(ACME, 90, 5, 90, 15),
                          element=d.element)
    assert sarif.fingerprint(d, os.getcwd()) == sarif.fingerprint(moved, os.getcwd())
    other = Diagnostic.at(d.code, d.severity, d.message, Span(ACME, 40, 5, 40, 15),
                          element="categories.other.thresholds")
    assert sarif.fingerprint(d, os.getcwd()) != sarif.fingerprint(other, os.getcwd())


def test_sarif_uri_outside_the_root_is_absolute(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    outside = str(tmp_path / "b" / "p.yaml")
    d = Diagnostic.at("PE206", W, "x", Span(outside, 1, 1, 1, 2))
    loc = sarif.to_sarif([d])["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": (tmp_path / "b" / "p.yaml").as_uri()}


def test_github_escaping_and_multiline_spans():
    lines = github.render(DIAGNOSTICS).splitlines()
    assert lines[0].startswith("::error file=policies/acme.yaml,line=40,col=5,endLine=40,"
                               "endColumn=15,title=PE501::category `pricing`")
    assert "%0Ahint: end the thresholds" in lines[0]
    assert "100%25 of `a`" in lines[1]  # % in data
    # a span over three lines: no col / endColumn
    assert lines[2].startswith("::error file=policies/acme.yaml,line=50,endLine=52,title=PE003::")
    assert lines[2].endswith("parse:%0Aline two%0D")
    # `,` and `:` in a property are escaped; no line: no position at all
    assert lines[3] == ("::notice file=policies/jv%2C alliance%3A v2.yaml,title=PE703::the policy "
                        "expires on 2027-01-01, in 39 day(s)")
    assert lines[4].startswith("::error title=PE901::")
    assert len(lines) == len(DIAGNOSTICS)


def test_junit_structure():
    root = ET.fromstring(junit.render(DIAGNOSTICS, files=FILES))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == [*FILES, "policyengine"]
    assert suites[ACME].get("tests") == "4" and suites[ACME].get("failures") == "4"
    clean = suites["policies/clean.yaml"]
    assert [c.get("name") for c in clean] == ["lint"] and clean.find("testcase/failure") is None
    info = suites["policies/jv, alliance: v2.yaml"].find("testcase")
    assert info.find("failure") is None and "PE703" in info.find("system-out").text
    failure = suites[ACME].find("testcase/failure")
    assert failure.get("type") == "PE501" and "witness:" in failure.text
    assert root.get("tests") == "7" and root.get("failures") == "5"
