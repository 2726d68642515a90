"""The batch records' bytes do not depend on the JSON encoder: ``jsonlines.dumps_record``
(orjson where its bytes are provably the standard library's) gives exactly the bytes of the
standard-library path, for any record of JSON values (issue 14: the output bytes unchanged)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.decide.jsonlines import _stdlib_record, decide_line, dumps_record

ROOT = Path(__file__).resolve().parents[2]

_scalars = (st.none() | st.booleans()
            | st.integers(min_value=-(2 ** 80), max_value=2 ** 80)
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.sampled_from([1e16, 1.5e-7, 1e-5, 0.0001, 9.999e-5, 1e22, 5e-324, -0.0,
                               123456789.0, 1.7976931348623157e308])
            | st.text(max_size=12)
            | st.sampled_from(["\ud800", "a\udfffb", "\x00\x1f\x7f", "\u2028\u2029", "é€😀",
                               "1e-7", "0.00001"]))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _values, max_size=6))
def test_dumps_record_is_the_stdlib_bytes(record: dict) -> None:
    want = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    try:
        expected = want.encode("utf-8")
    except UnicodeEncodeError:
        expected = json.dumps(record, ensure_ascii=True, separators=(",", ":")).encode()
    assert _stdlib_record(record) == expected
    assert dumps_record(record) == expected


def test_non_text_keys_and_huge_integers_take_the_stdlib_path() -> None:
    for record in ({1: 2, None: 3, True: 4}, {"n": 2 ** 70}, {"s": "\udc80"}):
        assert dumps_record(record) == _stdlib_record(record)


def test_the_records_of_real_decisions_are_the_stdlib_bytes() -> None:
    policy = policyengine.load_policy(ROOT / "policies" / "acme-channel-conflict.yaml")
    for path in sorted((ROOT / "examples").glob("acme*.json")):
        raw = path.read_bytes().replace(b"\n", b" ")
        outcome = decide_line(policy, 1, raw, dt.date(2026, 11, 22))
        record = outcome.record()
        assert outcome.to_bytes() == json.dumps(record, ensure_ascii=False,
                                                separators=(",", ":")).encode("utf-8")


def test_decision_to_json_is_the_stdlib_bytes() -> None:
    policy = policyengine.load_policy(ROOT / "policies" / "acme-channel-conflict.yaml")
    for path in sorted((ROOT / "examples").glob("acme*.json")):
        try:
            decision = policy.evaluate(json.loads(path.read_text()), as_of="2026-11-22")
        except policyengine.DisputeError:
            continue
        assert decision.to_json() == json.dumps(
            decision.to_dict(), ensure_ascii=False, allow_nan=False,
            separators=(",", ":")).encode("utf-8", errors="backslashreplace")


def test_numbers_some_orjson_release_spells_otherwise_are_the_stdlib_bytes() -> None:
    # orjson 3.9/3.10 write 1e16 (stdlib 1e+16); every release writes 1.5e-7 and 0.00001
    for number in (1e16, -1e16, 1e22, 1.7976931348623157e308, 1.5e-7, 1e-5, 5e-324, 9.999e-5):
        record = {"n": number, "l": [number]}
        assert dumps_record(record) == json.dumps(record, separators=(",", ":")).encode()


@settings(max_examples=300, deadline=None)
@given(_values)
def test_what_a_decision_calls_plain_orjson_spells_as_the_stdlib(value: object) -> None:
    # Decision.to_json hands a decision to orjson when every number in it is `_plain`
    import orjson

    from policyengine.core.decision import _plain

    if not _plain(value):
        return
    try:
        fast = orjson.dumps(value)
    except TypeError:  # refused (a lone surrogate, an integer beyond 64 bits): the stdlib's path
        return
    assert fast == json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_ACME = None


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["pricing", "territory", "exclusivity", "lead_routing", "mdf",
                        "co_branding"]),
       st.one_of(st.floats(0, 1e22, allow_nan=False), st.sampled_from(
           [0.0, 1e-7, 0.00001, 5000.0, 12345.678, 250000.0, 1e16, 3e17])),
       st.sampled_from(["NA", "EMEA", "APAC", "LATAM"]),
       st.sampled_from(["platinum", "gold", "silver", "registered"]), st.booleans(),
       st.integers(0, 6), st.booleans(),
       st.none() | st.sampled_from(["frontline", "regional", "executive"]))
def test_a_decision_to_json_is_the_stdlib_bytes_of_its_to_dict(
        kind: str, amount: float, region: str, tier: str, exclusive: bool, recurrences: int,
        flag: bool, escalated: str | None) -> None:
    # to_json writes the bytes piece by piece (a site's first members once); they are the
    # standard library's bytes of to_dict, on either path (orjson, or the stdlib's numbers)
    global _ACME
    if _ACME is None:
        _ACME = policyengine.load_policy(ROOT / "policies" / "acme-channel-conflict.yaml")
    dispute: dict = {"kind": kind, "amount": amount, "region": region,
                     "partner": {"tier": tier, "exclusive": exclusive},
                     "recurrences_90d": recurrences, "compliance_flag": flag}
    if escalated is not None:
        dispute["escalation"] = {"level": escalated, "since": "2026-09-01"}
    try:
        decision = _ACME.evaluate(dispute, as_of="2026-11-22")
    except policyengine.DisputeError:
        return
    assert decision.to_json() == json.dumps(
        decision.to_dict(), ensure_ascii=False, allow_nan=False,
        separators=(",", ":")).encode("utf-8", errors="backslashreplace")
