"""Root causes 3 (unencodable text), 4 (huge integers), 5 (overflowing floats), 12 (silent
numbers in rulebooks), 14 (as_of), 17 (duplicate keys, BOM): through the API and the CLI."""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_support import (ACME, AS_OF, GOOD, assert_no_defect, command, hostile_dispute,
                             hostile_text, invoke)
from policyengine import DisputeError, PolicyError, load_policy, loads_policy
from policyengine.load.json_input import JsonInputError, loads

POLICY = load_policy(ACME)
DAY = datetime.date(2026, 11, 22)
ACME_TEXT = ACME.read_text("utf-8")


# -- 3 and 4 through the API: only a decision or a DisputeError --------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dispute=hostile_dispute())
def test_evaluate_is_total_on_hostile_disputes(dispute):
    try:
        decision = POLICY.evaluate(dispute, as_of=DAY)
    except DisputeError as exc:
        for p in exc.problems:  # every problem can be shown and written as JSON
            json.dumps(p.to_dict(), ensure_ascii=False).encode("utf-8", "backslashreplace")
            assert p.code in ("invalid_facts", "evaluation_error", "unclassified")
        return
    decision.to_json()  # encodable


@pytest.mark.parametrize("value", [10 ** 5000, -(10 ** 5000), 2 ** 64],
                         ids=["5001-digits", "minus-5001-digits", "2**64"])
@pytest.mark.parametrize("key", ["amount", "recurrences_90d", "region", "undeclared"])
def test_integers_beyond_python_s_conversion_limit_are_dispute_errors(key, value):
    if key == "amount" and value == 2 ** 64:  # a double fact takes it (the one widening)
        POLICY.evaluate({**GOOD, key: value}, as_of=DAY)
        return
    with pytest.raises(DisputeError) as info:
        POLICY.evaluate({**GOOD, key: value}, as_of=DAY)
    assert info.value.problems[0].path == key
    assert "Exceeds the limit" not in str(info.value)


@pytest.mark.parametrize("where", ["value", "key", "enum"])
def test_lone_surrogates_are_invalid_facts_not_a_crash(where):
    dispute = dict(GOOD)
    if where == "value":
        dispute["partner"] = {"tier": "gold\ud800"}
    elif where == "key":
        dispute["x\udfff"] = 1
    else:
        dispute["kind"] = "\ud800"
    with pytest.raises(DisputeError) as info:
        POLICY.evaluate(dispute, as_of=DAY)
    assert info.value.code == "invalid_facts"


def test_surrogates_reach_the_real_stdout_escaped(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({**GOOD, "x\ud800": 1}), "ascii")
    for fmt in ("json", "text", "memo"):
        done = command("evaluate", ACME, path, "--as-of", AS_OF, "--format", fmt)
        assert_no_defect(done)
        assert done.returncode == 1
        assert b"\\ud800" in done.stdout
    data = json.loads(command("evaluate", ACME, path, "--as-of", AS_OF).stdout)
    assert data["error"]["problems"][0]["path"] == "x\ud800"  # the escape is valid JSON


def test_huge_integers_in_a_dispute_file(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('{"kind": "pricing", "amount": ' + "9" * 5000 + "}", "ascii")
    res = invoke("evaluate", str(ACME), str(path), "--as-of", AS_OF)
    assert res.exit_code == 2
    assert f"{path}:1:31: not valid JSON: a number of 5,000 digits is too long" in res.stderr


# -- 17: duplicate keys and the BOM ----------------------------------------------------------
@given(key=st.text(min_size=1, max_size=10), depth=st.integers(0, 3))
@settings(max_examples=40, deadline=None)
def test_duplicate_keys_are_refused_at_their_line(key, depth):
    inner = "{" + json.dumps(key) + ": 1,\n " + json.dumps(key) + ": 2}"
    text = inner
    for _ in range(depth):
        text = '{"a": [1, ' + text + "]}"
    with pytest.raises(JsonInputError) as info:
        loads(text)
    assert info.value.line == 2
    assert "occurs twice" in info.value.message


def test_duplicate_keys_through_the_cli_and_the_bom(tmp_path):
    dup = tmp_path / "dup.json"
    dup.write_text('{"kind": "mdf",\n "kind": "pricing"}', "utf-8")
    res = invoke("evaluate", str(ACME), str(dup), "--as-of", AS_OF)
    assert res.exit_code == 2 and f"{dup}:2:2:" in res.stderr and "`kind` occurs twice" in \
        res.stderr
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode())
    assert invoke("evaluate", str(ACME), str(bom), "--as-of", AS_OF).exit_code == 0


def test_json_reader_raises_only_its_error():
    for text in ["[" * 100000, '{"a": 1e999999}', "\ud800", b"\xff", "", "{", '{"a": NaN}']:
        try:
            loads(text)
        except JsonInputError:
            pass


# -- 14: as_of ---------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["garbage", "2026-02-30", 20261122, [], {"y": 2026}, True])
def test_a_malformed_as_of_in_the_dispute_is_invalid_facts_even_when_as_of_is_given(bad):
    with pytest.raises(DisputeError) as info:
        POLICY.evaluate({**GOOD, "as_of": bad}, as_of=DAY)
    assert info.value.code == "invalid_facts"
    assert [p.path for p in info.value.problems] == ["as_of"]
    POLICY.evaluate({**GOOD, "as_of": "2026-01-05"}, as_of=DAY)  # a valid one is fine


def test_a_malformed_as_of_through_the_cli(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({**GOOD, "as_of": "soon"}), "utf-8")
    res = invoke("evaluate", str(ACME), str(path), "--as-of", AS_OF)
    assert res.exit_code == 1
    assert json.loads(res.stdout)["error"]["problems"][0]["path"] == "as_of"


# -- 4, 5, 12: numbers in rulebooks ----------------------------------------------------------
def _with_amount_min(value: str) -> str:
    return ACME_TEXT.replace("amount:    {type: double, min: 0, unit: USD",
                             f"amount:    {{type: double, min: {value}, unit: USD")


@pytest.mark.parametrize("value", ["1.0e+309", "-1.0e+309", "!!float 1e400",
                                   "!!float " + "9" * 400, "9" * 5000, "!!int " + "9" * 5000,
                                   "-" + "9" * 4500, "!!float .inf", ".nan"],
                         ids=lambda v: v if len(v) < 20 else f"{v[:10]}-{len(v)}-chars")
def test_numbers_a_rulebook_cannot_use_are_pe104(value, tmp_path):
    with pytest.raises(PolicyError) as info:
        loads_policy(_with_amount_min(value))
    assert [d.code for d in info.value.diagnostics if d.is_error] == ["PE104"]
    path = tmp_path / "p.yaml"
    path.write_text(_with_amount_min(value), "utf-8")
    for args in (["lint", str(path)], ["evaluate", str(path), str(tmp_path / "x.json")],
                 ["render", str(path)]):
        res = invoke(*args)
        assert res.exit_code in (1, 2) and "PE104" in res.stdout + res.stderr


def test_huge_numbers_in_a_policy_test(tmp_path):
    (tmp_path / "p.yaml").write_text(ACME_TEXT, "utf-8")
    (tmp_path / "a.test.yaml").write_text(
        "policy: p.yaml\ncases:\n  - name: big\n    as_of: 2026-11-22\n"
        f"    dispute: {{kind: pricing, amount: {'9' * 5000}, region: NA, "
        "partner: {tier: gold}}\n    expect: {level: regional}\n", "utf-8")
    res = invoke("test", str(tmp_path / "a.test.yaml"))
    assert res.exit_code == 2 and "PE104" in res.stdout


@pytest.mark.parametrize("decl, code", [
    ("{type: int, min: 0, default: 99999999999999999999}", "PE110"),
    ("{type: int, min: -99999999999999999999, default: 0}", "PE111"),
    ("{type: int, max: 9223372036854775808, default: 0}", "PE111"),
    ("{type: int, enum: [1, 9223372036854775808], default: 1}", "PE104"),
])
def test_int_bounds_and_defaults_beyond_int64_are_refused(decl, code):
    text = ACME_TEXT.replace("recurrences_90d: {type: int, min: 0, default: 0}",
                             f"recurrences_90d: {decl}")
    with pytest.raises(PolicyError) as info:
        loads_policy(text)
    assert code in {d.code for d in info.value.diagnostics if d.is_error}


@pytest.mark.parametrize("raw, value", [("1:30", 90), ("010", 8), ("1_000", 1000),
                                        ("0x10", 16), ("1_0.5", 10.5)])
def test_yaml11_number_readings_warn_pe009(raw, value):
    policy = loads_policy(_with_amount_min(raw))
    warnings = [d for d in policy.warnings if d.code == "PE009"]
    assert len(warnings) == 1 and f"as the number {value!r}" in warnings[0].message


@given(text=hostile_text)
@settings(max_examples=60, deadline=None)
def test_hostile_text_in_a_title_never_breaks_loading(text):
    quoted = json.dumps(text)  # a YAML double-quoted scalar accepts JSON's escapes
    try:
        loads_policy(ACME_TEXT.replace("title: Pricing parity conflict", f"title: {quoted}"))
    except PolicyError:
        pass
