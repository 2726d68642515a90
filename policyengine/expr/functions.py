"""CEL's functions over plain values: ``size``, the string tests, ``matches`` (RE2, never
Python's ``re``), and the conversions ``int``, ``double``, ``string``, ``bool``, ``dyn``.

Like :mod:`values`, each returns a result or a :class:`CelError` and never raises for a CEL-level
failure. The tables at the end map a call's name and argument count to its implementation, for
the interpreter and the compiler alike.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from .values import INT64_MAX, INT64_MIN, CelError, first_error, no_overload

_TWO63 = 9223372036854775808.0
NOT_UNICODE = "a string is not valid Unicode"


def size(a: Any) -> Any:
    if type(a) in (str, list, tuple, dict):
        return len(a)
    return a if type(a) is CelError else no_overload("size", a)


def contains(a: Any, b: Any) -> Any:
    if type(a) is str and type(b) is str:
        return b in a
    return first_error(a, b) or no_overload("contains", a, b)


def starts_with(a: Any, b: Any) -> Any:
    if type(a) is str and type(b) is str:
        return a.startswith(b)
    return first_error(a, b) or no_overload("startsWith", a, b)


def ends_with(a: Any, b: Any) -> Any:
    if type(a) is str and type(b) is str:
        return a.endswith(b)
    return first_error(a, b) or no_overload("endsWith", a, b)


_REGEX_CACHE: dict[str, Any] = {}
_REGEX_CACHE_SIZE = 256
_RE2: list[Any] = []  # [re2 module, its Options]: imported by the first pattern (issue 14: a
# rulebook without `matches` never pays for RE2's import)


def _re2() -> tuple[Any, Any]:
    if not _RE2:
        import re2

        options = re2.Options()
        options.log_errors = False
        _RE2[:] = [re2, options]
    return _RE2[0], _RE2[1]


def compile_regex(pattern: str) -> Any:
    """An RE2 program for ``pattern`` (cached), or a CelError when RE2 rejects it."""
    prog = _REGEX_CACHE.get(pattern)
    if prog is not None:
        return prog
    re2, options = _re2()
    try:
        prog = re2.compile(pattern, options)
    except Exception as err:  # re2 raises its own error type, with a bytes message
        detail = err.args[0] if err.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        return CelError(f"invalid regular expression `{pattern}`: {detail}")
    if len(_REGEX_CACHE) >= _REGEX_CACHE_SIZE:
        _REGEX_CACHE.clear()  # simple and thread-safe enough: patterns are few in practice
    _REGEX_CACHE[pattern] = prog
    return prog


def matches(a: Any, pattern: Any) -> Any:
    """CEL ``matches``: an unanchored RE2 search."""
    if type(a) is str and type(pattern) is str:
        prog = compile_regex(pattern)
        if type(prog) is CelError:
            return prog
        try:
            return prog.search(a) is not None
        except UnicodeError:  # a lone surrogate cannot be handed to RE2 as UTF-8
            return CelError(NOT_UNICODE)
    return first_error(a, pattern) or no_overload("matches", a, pattern)


# --- conversions ---------------------------------------------------------------------------------

_INT_TEXT = re.compile(r"[+-]?[0-9]+\Z")
_DOUBLE_TEXT = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)\Z", re.I)
_BOOL_TEXT = {"1": True, "t": True, "T": True, "true": True, "TRUE": True, "True": True,
              "0": False, "f": False, "F": False, "false": False, "FALSE": False, "False": False}


def to_int(a: Any) -> Any:
    t = type(a)
    if t is int:
        return a
    if t is float:
        if a != a or not (-_TWO63 < a < _TWO63):
            return CelError(f"double `{format_double(a)}` is out of the int range")
        return int(a)
    if t is str:
        if not _INT_TEXT.match(a):
            return CelError(f"cannot convert string {a!r} to int")
        value = int(a)
        if not INT64_MIN <= value <= INT64_MAX:
            return CelError(f"string {a!r} is out of the int range")
        return value
    return a if t is CelError else no_overload("int", a)


def to_double(a: Any) -> Any:
    t = type(a)
    if t is float:
        return a
    if t is int:
        return float(a)
    if t is str:
        if not _DOUBLE_TEXT.match(a):
            return CelError(f"cannot convert string {a!r} to double")
        value = float(a)
        if value in (math.inf, -math.inf) and "inf" not in a.lower():
            return CelError(f"string {a!r} is out of the double range")
        return value
    return a if t is CelError else no_overload("double", a)


def to_string(a: Any) -> Any:
    t = type(a)
    if t is str:
        return a
    if t is bool:
        return "true" if a else "false"
    if t is int:
        return str(a)
    if t is float:
        return format_double(a)
    return a if t is CelError else no_overload("string", a)


def to_bool(a: Any) -> Any:
    t = type(a)
    if t is bool:
        return a
    if t is str:
        if a in _BOOL_TEXT:
            return _BOOL_TEXT[a]
        return CelError(f"cannot convert string {a!r} to bool")
    return a if t is CelError else no_overload("bool", a)


def format_double(x: float) -> str:
    """A double as CEL's ``string()`` writes it (Go's ``%g``, shortest round-trip digits)."""
    if x != x:
        return "NaN"
    if x in (math.inf, -math.inf):
        return "+Inf" if x > 0 else "-Inf"
    sign, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    head = "-" if sign else ""
    if digits == (0,):
        return head + "0"
    text = "".join(map(str, digits))
    nd = len(text)
    assert isinstance(exponent, int)  # NaN and infinities were handled above
    dp = nd + exponent  # position of the decimal point relative to the digits
    exp = dp - 1
    if exp < -4 or exp >= 6:
        mantissa = text[0] + ("." + text[1:] if nd > 1 else "")
        return f"{head}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if dp <= 0:
        return f"{head}0.{'0' * -dp}{text}"
    if dp >= nd:
        return head + text + "0" * (dp - nd)
    return f"{head}{text[:dp]}.{text[dp:]}"


def identity(a: Any) -> Any:
    return a


#: (name, argument count) -> implementation, for ``f(x)`` and for ``x.f()`` (receiver first).
GLOBAL_FUNCTIONS = {("size", 1): size, ("matches", 2): matches, ("int", 1): to_int,
                    ("double", 1): to_double, ("string", 1): to_string, ("bool", 1): to_bool,
                    ("dyn", 1): identity}
RECEIVER_FUNCTIONS = {("size", 0): size, ("contains", 1): contains,
                      ("startsWith", 1): starts_with, ("endsWith", 1): ends_with,
                      ("matches", 1): matches}



