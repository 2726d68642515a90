"""``json_input.loads`` takes orjson's value only where it is provably the standard library's:
a differential test against ``reference_loads`` (the standard library's reader alone) on
documents built to hit every place the two readers differ (duplicate keys, integers beyond 64
bits, NaN/Infinity, overflowing floats, lone surrogates, invalid UTF-8, deep nesting, escapes,
whitespace, a byte-order mark) and on those documents broken at a random byte: the same value
(types included: 1 is not 1.0, -0.0 is not 0.0) or the same error, message, line and column."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.load import json_input
from policyengine.load.json_input import JsonInputError, loads, reference_loads


def _canon(value: Any) -> list[Any]:
    """The value as a flat list of typed tokens (``==`` alone takes 1 for 1.0 and True for 1;
    a loop, not recursion: documents nest a thousand deep)."""
    out: list[Any] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            out.append(("dict", list(node)))
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            out.append(("list", len(node)))
            stack.extend(reversed(node))
        elif isinstance(node, float):
            out.append(("float", "nan" if math.isnan(node) else repr(node)))
        else:
            out.append((type(node).__name__, node))
    return out


def _outcome(fn: Any, text: str | bytes) -> Any:
    try:
        return ("value", _canon(fn(text)))
    except JsonInputError as exc:
        return ("error", exc.message, exc.line, exc.column, str(exc))


def _same(text: str | bytes) -> None:
    assert _outcome(loads, text) == _outcome(reference_loads, text), text


_numbers = st.one_of(
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.sampled_from([2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1, 2 ** 64, -(2 ** 63), -(2 ** 63) - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1e400", "-1e400", "1.7976931348623159e308", "2.4703282292062328e-324",
                     "1E+2", "-0", "-0.0", "0.1e-0", "1.00000000000000011102230246251565404",
                     "9007199254740993.0", "NaN", "Infinity", "-Infinity", "1" * 25]))
_strings = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["\ud800", "a\udfffb", "\x00\x1f\x7f", "\u2028", "é€😀", '"', "\\",
                     "\ufeff", '":', "a\":1"]))
_keys = st.one_of(st.text(max_size=4), st.sampled_from(["a", "a", "b", "\ud800", '"', '":']))


class _Literal(str):
    """A number spelt as is (``1e400``, ``NaN``)."""


class _Object(list):  # type: ignore[type-arg]
    """An object as its (key, value) members, duplicates allowed."""


def _spell(draw: Any, value: Any) -> str:
    """JSON text of ``value`` spelt several ways (escapes or not, spaces, duplicate keys)."""
    space = draw(st.sampled_from(["", " ", "\n", " \t\r\n "]))
    if isinstance(value, _Literal):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=draw(st.booleans()))
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, _Object):
        items = [space + _spell(draw, k) + space + ":" + space + _spell(draw, v)
                 for k, v in value]
        return "{" + ",".join(items) + space + "}"
    if isinstance(value, list):
        return "[" + space + ("," + space).join(_spell(draw, v) for v in value) + space + "]"
    return json.dumps(value)  # None, booleans, integers, NaN, infinities


_leaf = st.one_of(st.none(), st.booleans(), _strings, _numbers.map(
    lambda n: _Literal(n) if isinstance(n, str) else n))
_tree = st.recursive(_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.lists(st.tuples(_keys, inner), max_size=4).map(_Object)), max_leaves=12)


@st.composite
def documents(draw: Any) -> bytes:
    text = _spell(draw, draw(_tree))
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    if draw(st.integers(0, 9)) == 0:
        text = "[" * draw(st.sampled_from([900, 1100, 3000])) + text + "]" * 1100
    raw = text.encode("utf-8", "surrogatepass")  # lone surrogates as CESU bytes: invalid UTF-8
    if draw(st.integers(0, 3)) == 0 and raw:  # a broken document
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + draw(st.sampled_from([b"", b"\xff", b'"', b",", b"}", b"\\", b"e5",
                                               b"\xc3", b"\x00"])) + raw[at + 1:]
    return raw


@settings(max_examples=400, deadline=None)
@given(documents())
def test_loads_is_the_reference_on_bytes(raw: bytes) -> None:
    _same(raw)


@settings(max_examples=150, deadline=None)
@given(documents())
def test_loads_is_the_reference_on_text(raw: bytes) -> None:
    _same(raw.decode("utf-8", "surrogatepass") if _decodes(raw) else raw.decode("latin-1"))


def _decodes(raw: bytes) -> bool:
    try:
        raw.decode("utf-8", "surrogatepass")
        return True
    except UnicodeDecodeError:
        return False


def test_where_the_readers_differ_the_reference_decides() -> None:
    cases = [b'{"a": 1, "a": 2}', b'{"a":{"x":1},"a":2}', b'[{"k":1,"k" :1}]',
             b'{"a\\"":1,"a\\"":2}', b'{"\\u0061":1,"a":2}', b'{"a\\\\":1,"a\\\\" : 2}',
             b"18446744073709551616", b"-9223372036854775809", b"[1e400]", b"NaN",
             b"[-Infinity]", b'"\\ud800"', b'"\\udc00\\ud800"', b'"\xed\xa0\x80"',
             b'"\xc0\xaf"', b"[" * 1100 + b"]" * 1100, b"1" * 4002, b"\xef\xbb\xbf{}",
             b"\xef\xbb\xbf \xef\xbb\xbf{}", b" {} ", b"\x0c{}", b"", b"{", b'{"a":1,}',
             b'{"a":"x:", "b":"y\\":"}', b'{"a" :1, "a":2, "b":3}']
    for raw in cases:
        _same(raw)
        _same(raw.decode("utf-8", "surrogateescape"))


def test_the_fast_path_is_taken_for_plain_disputes() -> None:
    """Not a timing: the fast path must not refuse the common case (else it is dead code)."""
    for raw in (b'{"kind": "pricing", "amount": 120000.0, "partner": {"tier": "gold"}}',
                json.dumps({"name": "Müller \"AG\"", "list": [{"a": 1}, {"b": [2.5]}]}).encode()):
        ok, value = json_input._fast(raw)
        assert ok and value == json.loads(raw)


def test_deep_nesting_is_the_references_whatever_orjsons_own_limit() -> None:
    # orjson 3.9 reads nesting deeper than the reference accepts (3.13 stops at 1,024)
    for depth in (3, json_input.MAX_FAST_DEPTH - 1, json_input.MAX_FAST_DEPTH + 1, 500, 999,
                  1020, 1030):
        _same("[" * depth + "]" * depth)
        _same('{"a":' * depth + "1" + "}" * depth)
