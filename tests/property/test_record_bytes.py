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
