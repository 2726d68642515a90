"""Dispute JSON (one document, or one JSON Lines line) -> plain data, refusing what is ambiguous.

The standard library's reader keeps the last of two duplicate keys, raises a bare ``ValueError``
for an integer longer than Python's int/str conversion limit, ``RecursionError`` for deep nesting,
and refuses a UTF-8 byte-order mark. Here each is one :class:`JsonInputError` with the line and
column, as the rulebook loader does for YAML:

* a byte-order mark at the start is accepted (spreadsheet exports write one);
* a key that occurs twice in one object is refused, naming the key and where it occurs again;
* an integer of more than :data:`MAX_INT_DIGITS` digits is refused (no fact could hold it);
* nesting deeper than the interpreter allows is refused.

The standard library's reader (with the hooks above) is the reference. orjson reads a document
several times faster, and :func:`loads` takes its value only where it is provably the reference's:
the bytes are valid UTF-8 (checked by Python's own decoder), orjson accepts them (it refuses
``NaN``/``Infinity``, a lone surrogate escape, a number that overflows to infinity, nesting
beyond 1,024 in its newer releases: all left to the reference), the value nests at most
:data:`MAX_FAST_DEPTH` deep (the reference's own refusal depends on the interpreter's stack), no
run of 19 digits occurs (orjson reads an integer
beyond 64 bits as a float), and the value holds as many object members as the text has keys
(orjson keeps one of two duplicate keys silently; the keys are counted so that text inside a
string can only add to the count, so a difference always sends the text to the reference). Everything else, and every error, goes the
reference's way, so values, messages and line/column are the same either way.
"""

from __future__ import annotations

import json
import re
from typing import Any

try:  # a faster reader, used only where its value is provably the standard library's
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the reference does the job
    _orjson = None  # type: ignore[assignment]

#: Longest integer literal accepted, in digits (an int fact holds at most 19; Python's own
#: int/str conversion limit is 4,300). Longer numbers are refused before they are converted.
MAX_INT_DIGITS = 4000

_LONG_INT = re.compile(r"-?\d{%d,}" % (MAX_INT_DIGITS + 1))
_WS = re.compile(r"[ \t\n\r]*")
_BOM = "\ufeff"


class JsonInputError(ValueError):
    """Text that is not a usable JSON document: ``message`` with 1-based ``line``/``column``."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column


class _Duplicate(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


class _HugeInt(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return out


def _int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS + 1:
        raise _HugeInt(text)
    return int(text)


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_int)


#: the text as classes of bytes, whitespace removed: a digit becomes ``0``, a quote and a colon
#: stay, anything else becomes ``x``; then ``":`` counts object keys (at least: a quote and a
#: colon inside a string may add to the count, never take from it) and a run of 19 ``0``
#: finds an integer that may lie beyond 64 bits (orjson would read it as a float)
_CLASSES = bytes(0x30 if 0x30 <= b <= 0x39 else b if b in b'":' else 0x78 for b in range(256))
_WHITESPACE = b" \t\n\r"
_LONG_DIGITS = b"0" * 19


#: nesting deeper than this is left to the reference reader, whose refusal ("nests too deeply")
#: depends on the interpreter's recursion limit and the caller's stack; orjson's own limit
#: differs between its releases (3.9 reads deeper than 3.13). A dispute nests a few levels.
MAX_FAST_DEPTH = 100


def _members(value: Any) -> int | None:
    """How many object members ``value`` holds, nested ones included; None where it nests
    deeper than :data:`MAX_FAST_DEPTH` (a walk level by level)."""
    count = 0
    level = [value]
    for _ in range(MAX_FAST_DEPTH + 1):
        below: list[Any] = []
        push = below.extend
        for node in level:
            if type(node) is dict:
                count += len(node)
                push(node.values())
            elif type(node) is list:
                push(node)
        if not below:
            return count
        level = below
    return None


def _fast(raw: bytes) -> tuple[bool, Any]:
    """(True, the value) where orjson's value of ``raw`` is provably the reference's (see the
    module's docstring); (False, None) where the reference must decide."""
    if _orjson is None:  # pragma: no cover
        return False, None
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return False, None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        value = _orjson.loads(raw)
    except _orjson.JSONDecodeError:
        return False, None
    shape = raw.translate(_CLASSES, _WHITESPACE)
    if _LONG_DIGITS in shape:
        return False, None
    if type(value) is dict or type(value) is list:
        members = _members(value)
        if members is None or shape.count(b'":') != members:
            return False, None
    return True, value


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _show_key(key: str) -> str:
    shown = json.dumps(key)[1:-1]
    return shown if len(shown) <= 60 else shown[:57] + "..."


def loads(text: str | bytes) -> Any:
    """The value of a JSON document; raises :class:`JsonInputError` (never anything else)."""
    if isinstance(text, (bytes, bytearray)):
        ok, value = _fast(bytes(text))
    else:
        try:
            ok, value = _fast(text.encode("utf-8"))
        except UnicodeEncodeError:  # a lone surrogate: the reference reads it
            ok = False
    return value if ok else reference_loads(text)


def reference_loads(text: str | bytes) -> Any:
    """:func:`loads` by the standard library's reader alone (what the fast path must equal)."""
    if isinstance(text, (bytes, bytearray)):
        raw = bytes(text)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = raw[: exc.start].decode("utf-8", "replace")
            line, column = _position(before, len(before))
            raise JsonInputError(f"byte 0x{raw[exc.start]:02x} is not valid UTF-8 "
                                 "(save the file as UTF-8)", line, column) from None
    if text.startswith(_BOM):
        text = text[1:]
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise JsonInputError(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except _Duplicate as dup:
        line, column = _duplicate_at(text, dup.key)
        raise JsonInputError(f"the key `{_show_key(dup.key)}` occurs twice in one object: "
                             "JSON tools disagree on which one counts", line, column) from None
    except _HugeInt:
        m = _LONG_INT.search(text)
        offset = m.start() if m else 0
        digits = len(m.group().lstrip("-")) if m else MAX_INT_DIGITS + 1
        line, column = _position(text, offset)
        raise JsonInputError(f"a number of {digits:,} digits is too long (at most "
                             f"{MAX_INT_DIGITS:,})", line, column) from None
    except RecursionError:
        raise JsonInputError("the JSON nests too deeply", 1, 1) from None


def _duplicate_at(text: str, key: str) -> tuple[int, int]:
    """Where ``key`` occurs for the second time in one object (a slow walk, run only once a
    duplicate is known to exist)."""
    scanner = json.scanner.py_make_scanner(json.JSONDecoder())  # type: ignore[attr-defined]
    scanstring = json.decoder.scanstring  # type: ignore[attr-defined]
    # an explicit stack of objects being read: (keys seen so far)
    stack: list[set[str] | None] = []
    pos = 0
    n = len(text)
    expect_key = False
    while pos < n:
        ch = text[pos]
        if ch in " \t\r\n,:":
            if ch == ",":
                expect_key = bool(stack) and stack[-1] is not None
            pos += 1
            continue
        if ch == "{":
            stack.append(set())
            expect_key = True
            pos += 1
            continue
        if ch == "[":
            stack.append(None)
            expect_key = False
            pos += 1
            continue
        if ch in "}]":
            stack.pop()
            expect_key = False
            pos += 1
            continue
        if ch == '"':
            value, end = scanstring(text, pos + 1)
            top = stack[-1] if stack else None
            if expect_key and top is not None:
                if value == key and value in top:
                    return _position(text, pos)
                top.add(value)
                expect_key = False
            pos = end
            continue
        try:  # a number, true, false, null
            _, end = scanner(text, pos)
        except (StopIteration, ValueError):
            break
        pos = max(end, pos + 1)
    return 1, 1


__all__ = ["JsonInputError", "MAX_INT_DIGITS", "loads", "reference_loads"]
