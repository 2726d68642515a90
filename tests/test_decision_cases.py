"""Data-driven decision cases (tests/golden/decisions/*.yaml), each run through the library and
through `policyengine evaluate`; and golden decisions for every bundled example dispute."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from click.testing import CliRunner

import policyengine
from conftest import EXAMPLES, GOLDEN, POLICIES, ROOT
from policyengine.cli.main import cli

CASE_FILES = sorted((GOLDEN / "decisions").glob("*.cases.yaml"))


def _cases():
    for path in CASE_FILES:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, case in enumerate(spec["cases"]):
            yield pytest.param(spec["policy"], case, id=f"{path.name.split('.')[0]}[{i}]")


def _subset(want, got, where="decision"):
    if isinstance(want, dict):
        assert isinstance(got, dict), where
        for k, v in want.items():
            assert k in got, f"{where}.{k} missing"
            _subset(v, got[k], f"{where}.{k}")
    else:
        assert want == got, f"{where}: want {want!r}, got {got!r}"


@pytest.mark.parametrize("policy_path,case", list(_cases()))
def test_case_through_library_and_cli(monkeypatch, policy_path, case):
    monkeypatch.chdir(ROOT)
    policy = policyengine.load_policy(policy_path)
    as_of = dt.date.fromisoformat(case["as_of"])
    res = CliRunner().invoke(cli, ["evaluate", policy_path, "-", "--as-of", case["as_of"]],
                             input=json.dumps(case["dispute"]))
    if "want_error_code" in case:
        with pytest.raises(policyengine.DisputeError) as info:
            policy.evaluate(case["dispute"], as_of=as_of)
        assert info.value.code == case["want_error_code"], case["note"]
        assert res.exit_code == 1
        assert json.loads(res.output)["error"]["code"] == case["want_error_code"]
    else:
        got = policy.evaluate(case["dispute"], as_of=as_of).to_dict()
        _subset(case["want_decision"], got)
        assert res.exit_code == 0, res.output
        assert json.loads(res.output) == got


EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_golden_decision_of_each_example(monkeypatch, golden, example):
    monkeypatch.chdir(ROOT)
    policy_path = f"policies/{example.stem.split('--')[0]}.yaml"
    res = CliRunner().invoke(cli, ["evaluate", policy_path, str(example.relative_to(ROOT)),
                                   "--as-of", "2026-11-22"])
    assert res.exit_code == 0, res.output
    golden(f"decisions/{example.stem}.json", res.output)
    text = CliRunner().invoke(cli, ["evaluate", policy_path, str(example.relative_to(ROOT)),
                                    "--as-of", "2026-11-22", "--format", "text"])
    golden(f"decisions/{example.stem}.txt", text.output)


def test_every_bundled_policy_has_examples():
    for path in POLICIES.glob("*.yaml"):
        if not path.name.endswith(".test.yaml"):
            assert list(EXAMPLES.glob(path.stem + "--*.json")), path.name
