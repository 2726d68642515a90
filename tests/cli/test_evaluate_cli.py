"""policyengine evaluate (single and batch) and policyengine schema, through click's runner."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, POLICIES, ROOT
from policyengine.cli.main import cli
from policyengine.load.schema import load_schema

ACME = str(POLICIES / "acme-channel-conflict.yaml")
PRICING = str(EXAMPLES / "acme-channel-conflict--pricing-emea.json")


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture(autouse=True)
def _cwd(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_single_json_decision():
    res = run("evaluate", ACME, PRICING, "--as-of", "2026-11-22")
    assert res.exit_code == 0
    data = json.loads(res.output)
    jsonschema.validate(data, load_schema("decision"))
    assert data["level"]["id"] == "regional"


def test_single_from_stdin_and_text_format():
    with open(PRICING, encoding="utf-8") as fh:
        res = run("evaluate", ACME, "-", "--as-of", "2026-11-22", "--format", "text",
                  input=fh.read())
    assert res.exit_code == 0
    assert res.output.startswith("Escalate to Regional director")
    assert "Why:" in res.output and "amount < 250000.0" in res.output


def test_refusal_exits_1_with_every_problem():
    res = run("evaluate", ACME, "-", "--as-of", "2026-11-22",
              input='{"kind": "pricng", "amount": "x", "region": "EMEA"}')
    assert res.exit_code == 1
    err = json.loads(res.output)["error"]
    assert err["code"] == "invalid_facts"
    assert {p["path"] for p in err["problems"]} == {"kind", "amount", "partner"}
    partner = [p for p in err["problems"] if p["path"] == "partner"][0]
    assert partner["detail"] == "missing" and partner["hint"] == "a mapping with at least `tier`"


def test_refusal_as_text():
    res = run("evaluate", ACME, "-", "--as-of", "2030-01-01", "--format", "text",
              input=open(PRICING).read())
    assert res.exit_code == 1
    assert res.output.startswith("Refused (policy_not_in_force)")


def test_bad_json_and_missing_files_exit_2():
    res = run("evaluate", ACME, "-", input="{not json")
    assert res.exit_code == 2 and "not valid JSON" in res.output
    res = run("evaluate", ACME, "nope.json")
    assert res.exit_code == 2
    res = run("evaluate", "nope.yaml", PRICING)
    assert res.exit_code == 2
    res = run("evaluate", ACME, PRICING, "--as-of", "2026-02-30")
    assert res.exit_code == 2


def test_a_broken_policy_exits_2_with_its_diagnostics(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(open(ACME).read().replace("next: executive", "next: exec"))
    res = run("evaluate", str(bad), PRICING)
    assert res.exit_code == 2
    assert "PE302" in res.output


def _batch(tmp_path, lines, *extra):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = run("evaluate", ACME, "--input", str(src), "--output", str(out), "--as-of",
              "2026-11-22", *extra)
    return res, out


def test_batch_one_record_per_line_in_order(tmp_path):
    good = json.dumps(json.load(open(PRICING)))
    lines = [good, "{broken", "", '{"kind": "pricing"}', good]
    res, out = _batch(tmp_path, lines)
    assert res.exit_code == 1  # some lines were refused
    records = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3, 4, 5]
    assert [("decision" in r, r.get("error", {}).get("code")) for r in records] == [
        (True, None), (False, "invalid_json"), (False, "invalid_json"),
        (False, "invalid_facts"), (True, None)]
    assert "5 line(s): 2 decided, 3 refused" in res.output
    assert "by error: invalid_facts 1, invalid_json 2" in res.output
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".partial")]


def test_batch_with_two_jobs_gives_the_same_bytes(tmp_path):
    lines = [json.dumps(json.load(open(p))) for p in sorted(EXAMPLES.glob("acme*.json"))] * 300
    res1, out1 = _batch(tmp_path, lines)
    first = out1.read_bytes()
    res2, out2 = _batch(tmp_path, lines, "--jobs", "2")
    assert res1.exit_code == res2.exit_code == 0
    assert out2.read_bytes() == first
    assert len(first.splitlines()) == len(lines)


def test_an_interrupted_batch_leaves_no_output(tmp_path, monkeypatch):
    from policyengine.cli import batch
    from policyengine.decide import jsonlines

    calls = {"n": 0}
    real = jsonlines.decide_chunk

    def flaky(*args):
        calls["n"] += 1
        if calls["n"] == 2:  # the first chunk was decided and written
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(jsonlines, "decide_chunk", flaky)
    line = json.dumps(json.load(open(PRICING))) + "\n"
    src = tmp_path / "in.jsonl"
    src.write_text(line * (2 * batch.BLOCK // len(line) + 1), encoding="utf-8")  # 3 chunks
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(cli, ["evaluate", ACME, "--input", str(src), "--output", str(out)])
    assert calls["n"] == 2
    assert res.exit_code == 130
    assert not out.exists()
    assert os.listdir(tmp_path) == ["in.jsonl"]


def test_batch_usage_errors(tmp_path):
    res = run("evaluate", ACME, "--input", "x.jsonl")
    assert res.exit_code == 2
    res = run("evaluate", ACME, PRICING, "--input", "x.jsonl", "--output", "y.jsonl")
    assert res.exit_code == 2
    res = run("evaluate", ACME, "--input", str(tmp_path / "none.jsonl"), "--output",
              str(tmp_path / "o.jsonl"))
    assert res.exit_code == 2


def test_schema_dispute_validates_the_examples():
    for policy in sorted(POLICIES.glob("*.yaml")):
        if policy.name.endswith(".test.yaml"):
            continue
        res = run("schema", "dispute", str(policy))
        assert res.exit_code == 0
        schema = json.loads(res.output)
        jsonschema.Draft202012Validator.check_schema(schema)
        examples = sorted(EXAMPLES.glob(policy.stem + "--*.json"))
        assert examples
        for ex in examples:
            jsonschema.validate(json.load(open(ex)), schema)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"unknown_fact": 1}, schema)


def test_schema_show_prints_bundled_schemas():
    for name in ("policy", "decision", "dispute", "diff", "policytest"):
        res = run("schema", "show", name)
        assert res.exit_code == 0
        assert json.loads(res.output)["$schema"].endswith("2020-12/schema")
