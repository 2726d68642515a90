"""The batch's chunk path gives the bytes of the line-by-line reference: ``decide_chunk`` (orjson
reading where provably the same, records spliced from ``Decision.to_json``, one block per chunk)
against ``decide_line`` + ``LineOutcome.to_bytes`` with both JSON fast paths switched off (the
standard library reads and writes every line), on hostile lines of every kind."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.core import decision as decision_module
from policyengine.decide import jsonlines
from policyengine.load import json_input

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
from hostile_support import GOOD, hostile_lines  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
POLICY = policyengine.load_policy(ROOT / "policies" / "acme-channel-conflict.yaml")
AS_OF = dt.date(2026, 11, 22)
EXAMPLES = [p.read_bytes().replace(b"\n", b" ") for p in sorted((ROOT / "examples").glob(
    "acme-channel-conflict--*.json"))]


def reference(block: bytes, first: int = 1) -> bytes:
    """The records line by line, by the standard library alone."""
    saved = json_input._orjson, decision_module._orjson
    json_input._orjson = decision_module._orjson = None  # type: ignore[assignment]
    try:
        return b"".join(jsonlines.decide_line(POLICY, n, raw, AS_OF).to_bytes() + b"\n"
                        for n, raw in enumerate(jsonlines.split_block(block), first))
    finally:
        json_input._orjson, decision_module._orjson = saved


def _line(**changes: object) -> bytes:
    return json.dumps({**GOOD, **changes}, ensure_ascii=False).encode("utf-8", "surrogatepass")


#: lines whose records take every path: small amounts (orjson spells them otherwise), a lone
#: surrogate next to other non-ASCII text, escapes, CRLF, spaces, a BOM, refusals of each kind
SPECIAL = [
    _line(amount=1.5e-7), _line(amount=0.00002), _line(amount=1e16), _line(amount=5e-324),
    _line(kind="pricing\udfff"), _line(**{"é\ud800": 1, "kind": "lead_routing"}),
    _line(partner={"tier": "gold", "name": "Müller \"AG\" \\ 😀"}),
    json.dumps(GOOD).encode() + b"\r", b"  " + json.dumps(GOOD).encode() + b"\t",
    b"\xef\xbb\xbf" + json.dumps(GOOD).encode(), _line(kind="nope"), _line(amount=-1),
    b'{"kind": "pricing", "kind": "mdf"}', b"NaN", b'{"amount": NaN}', b"{", b"", b"\x0c",
    _line(as_of="2020-01-01"), b"[]", b"18446744073709551616", _line(recurrences_90d=2 ** 64),
]


@pytest.mark.parametrize("first", [1, 2, 1000])
def test_chunk_of_examples_and_special_lines_is_the_reference(first: int) -> None:
    block = b"\n".join(EXAMPLES + SPECIAL) + b"\n"
    got = jsonlines.decide_chunk(POLICY, first, block, AS_OF)
    assert got[0] == reference(block, first)
    assert got[1] == len(EXAMPLES) + len(SPECIAL) and got[5] == len(block)
    decided = sum(got[2].values())
    assert decided == sum(got[3].values()) and decided + sum(got[4].values()) == got[1]


def test_a_block_without_its_last_newline_and_empty_lines() -> None:
    for block in (b"\n", b"\n\n", EXAMPLES[0], EXAMPLES[0] + b"\n\n" + EXAMPLES[1],
                  b"\xef\xbb\xbf \t" + EXAMPLES[0], b"\xef\xbb\xbf\n" + EXAMPLES[0]):
        assert jsonlines.decide_chunk(POLICY, 1, block, AS_OF)[0] == reference(block)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.one_of(hostile_lines, st.sampled_from(EXAMPLES + SPECIAL)), min_size=1,
                max_size=6))
def test_chunk_of_hostile_lines_is_the_reference(lines: list[bytes]) -> None:
    block = b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n"
    assert jsonlines.decide_chunk(POLICY, 1, block, AS_OF)[0] == reference(block)


class _Stub:
    """A decision whose JSON holds what no real one can (a lone surrogate: facts refuse it; a
    NaN: numbers are checked finite), spelt as ``Decision.to_json`` spells it."""

    def __init__(self, data: dict) -> None:
        self.data = data

    def to_dict(self) -> dict:
        return self.data

    def to_json(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":")).encode("utf-8", "backslashreplace")


@pytest.mark.parametrize("data", [
    {"a": "\ud800"}, {"a": "\ud800", "b": "é"}, {"a": "\udfff\x7f"}, {"a": "\\ud800 é"},
    {"a": "é"}, {"a": float("nan")}, {"a": [1.5, "\x7f"]}, {"a": "\\udc00\x7f\ud800"}])
def test_decision_record_is_the_record_encoded_whole(data: dict) -> None:
    want = jsonlines.dumps_record({"line": 7, "decision": data}) + b"\n"
    assert jsonlines.decision_record(7, _Stub(data)) == want  # type: ignore[arg-type]


#: lines longer than any chunk: a decision (its dispute padded with spaces) and a refusal
#: whose record echoes a long value (records bigger than a pipe holds)
HUGE = [EXAMPLES[0][:1] + b" " * 200_000 + EXAMPLES[0][1:],
        _line(kind="k" * 150_000), _line(partner={"tier": "gold", "name": "n" * 90_000})]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(lines=st.lists(st.one_of(hostile_lines, st.sampled_from(EXAMPLES + SPECIAL + HUGE)),
                      min_size=1, max_size=14),
       crlf=st.booleans(), last_newline=st.booleans(), block=st.integers(1, 4000),
       jobs=st.sampled_from(["2", "3"]))
def test_jobs_give_the_reference_bytes_whatever_the_lines_and_chunks(
        lines: list[bytes], crlf: bool, last_newline: bool, block: int, jobs: str) -> None:
    """``evaluate --input --jobs N``: worker processes deciding chunks cut anywhere (a chunk
    of one line, a line longer than a chunk), handed back in order, give the records of the
    line-by-line reference, with the right line numbers; the exit code says whether any
    line was refused."""
    import tempfile

    from click.testing import CliRunner

    from policyengine.cli import batch
    from policyengine.cli.main import cli

    end = b"\r\n" if crlf else b"\n"
    data = end.join(line.replace(b"\n", b" ") for line in lines) + (end if last_newline else b"")
    want = reference(data)
    saved = batch.BLOCK
    batch.BLOCK = block
    try:
        with tempfile.TemporaryDirectory() as tmp:
            src, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
            src.write_bytes(data)
            res = CliRunner().invoke(cli, ["evaluate", str(ROOT / "policies" /
                                                       "acme-channel-conflict.yaml"),
                                           "--input", str(src), "--output", str(out),
                                           "--as-of", AS_OF.isoformat(), "--jobs", jobs])
            got = out.read_bytes() if out.exists() else None
    finally:
        batch.BLOCK = saved
    assert got == want, res.output
    codes = {o.code for o in (jsonlines.decide_line(POLICY, n, raw, AS_OF)
                              for n, raw in enumerate(jsonlines.split_block(data), 1))}
    assert res.exit_code == (3 if "internal_error" in codes else 1 if codes - {None} else 0), \
        res.output
