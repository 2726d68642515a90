"""CEL value semantics over plain Python values.

Values are Python's own: ``int`` (CEL int, kept in the int64 range), ``float`` (double), ``str``,
``bool``, ``None`` (null), ``list`` and ``dict`` (map). A bool is never a number, so every check
here looks at the exact type, never ``isinstance``.

An error is a value too: :class:`CelError`. Every operation below returns either a result or a
CelError and never raises for a CEL-level failure; the interpreter passes errors along, and
``&&``, ``||``, ``?:`` and the macros absorb them as CEL prescribes (:func:`logical_and`,
:func:`logical_or`). No dunder methods are overloaded: ``cel_eq`` is CEL's ``==``, Python's ``==``
stays Python's.
"""

from __future__ import annotations

import math
from typing import Any

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class CelError:
    """A CEL evaluation error, carried as a value."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message

    def __repr__(self) -> str:
        return f"CelError({self.message!r})"


_NAMES = {bool: "bool", int: "int", float: "double", str: "string", type(None): "null_type",
          list: "list", tuple: "list", dict: "map"}


def type_name(value: Any) -> str:
    """CEL's name for the type of a value (``int``, ``list``, ...)."""
    return _NAMES.get(type(value), "unknown")


def no_overload(op: str, *args: Any) -> CelError:
    shown = ", ".join(type_name(a) for a in args)
    return CelError(f"no matching overload for `{op}` applied to `({shown})`")


def first_error(*values: Any) -> CelError | None:
    for v in values:
        if type(v) is CelError:
            return v
    return None


def check_int(value: int) -> Any:
    if INT64_MIN <= value <= INT64_MAX:
        return value
    return CelError("integer overflow")


# --- logic ---------------------------------------------------------------------------------------

def logical_and(a: Any, b: Any) -> Any:
    """CEL ``&&`` on two evaluated operands: false wins over errors, on either side."""
    if a is False or b is False:
        return False
    if a is True and b is True:
        return True
    for v in (a, b):
        if v is not True:
            return v if type(v) is CelError else no_overload("&&", a, b)
    return True  # pragma: no cover


def logical_or(a: Any, b: Any) -> Any:
    """CEL ``||`` on two evaluated operands: true wins over errors, on either side."""
    if a is True or b is True:
        return True
    if a is False and b is False:
        return False
    for v in (a, b):
        if v is not False:
            return v if type(v) is CelError else no_overload("||", a, b)
    return False  # pragma: no cover


def logical_not(a: Any) -> Any:
    if type(a) is bool:
        return not a
    return a if type(a) is CelError else no_overload("!", a)


def condition(a: Any) -> Any:
    """The condition of ``?:``: a bool, or the error to return."""
    if type(a) is bool or type(a) is CelError:
        return a
    return no_overload("?:", a)


# --- arithmetic ----------------------------------------------------------------------------------

def add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return check_int(a + b)
    if ta is float and tb is float:
        return a + b
    if ta is str and tb is str:
        return a + b
    if ta in (list, tuple) and tb in (list, tuple):
        return [*a, *b]
    return first_error(a, b) or no_overload("+", a, b)


def sub(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return check_int(a - b)
    if ta is float and tb is float:
        return a - b
    return first_error(a, b) or no_overload("-", a, b)


def mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return check_int(a * b)
    if ta is float and tb is float:
        return a * b
    return first_error(a, b) or no_overload("*", a, b)


def div(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        if b == 0:
            return CelError("division by zero")
        q = abs(a) // abs(b)
        return check_int(q if (a < 0) == (b < 0) else -q)
    if ta is float and tb is float:
        return fdiv(a, b)
    return first_error(a, b) or no_overload("/", a, b)


def fdiv(a: float, b: float) -> float:
    """IEEE division, which Python refuses for a zero divisor."""
    if b != 0.0:
        return a / b
    if a != a or a == 0.0:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def mod(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        if b == 0:
            return CelError("modulus by zero")
        if a == INT64_MIN and b == -1:
            return CelError("integer overflow")
        r = abs(a) % abs(b)
        return -r if a < 0 else r
    return first_error(a, b) or no_overload("%", a, b)


def neg(a: Any) -> Any:
    if type(a) is int:
        return check_int(-a)
    if type(a) is float:
        return -a
    return a if type(a) is CelError else no_overload("-", a)


# --- comparison ----------------------------------------------------------------------------------

def cel_eq(a: Any, b: Any) -> bool:
    """CEL equality: numbers compare across int and double, other kinds only with their own;
    lists element-wise, maps by key set and values; never an error. Iterative."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        tx, ty = type(x), type(y)
        if tx is ty:
            if tx is list or tx is tuple:
                if len(x) != len(y):
                    return False
                stack.extend(zip(x, y))
            elif tx is dict:
                if len(x) != len(y):
                    return False
                for k, v in x.items():
                    other = map_lookup(y, k)
                    if other is _MISSING or type(other) is CelError:
                        return False
                    stack.append((v, other))
            elif x != y:  # NaN != NaN, as IEEE says
                return False
        elif tx is int and ty is float:
            if float(x) != y:
                return False
        elif tx is float and ty is int:
            if x != float(y):
                return False
        elif (tx in (list, tuple)) and (ty in (list, tuple)):
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        else:
            return False
    return True


def equals(a: Any, b: Any) -> Any:
    return first_error(a, b) or cel_eq(a, b)


def not_equals(a: Any, b: Any) -> Any:
    return first_error(a, b) or not cel_eq(a, b)


def _order_operands(op: str, a: Any, b: Any) -> Any:  # (a, b) comparable, or a CelError
    ta, tb = type(a), type(b)
    if ta is tb and ta in (int, float, str, bool):
        return a, b
    if ta is int and tb is float:
        return float(a), b
    if ta is float and tb is int:
        return a, float(b)
    return first_error(a, b) or no_overload(op, a, b)


def less(a: Any, b: Any) -> Any:
    r = _order_operands("<", a, b)
    return r if type(r) is CelError else r[0] < r[1]


def less_equal(a: Any, b: Any) -> Any:
    r = _order_operands("<=", a, b)
    return r if type(r) is CelError else r[0] <= r[1]


def greater(a: Any, b: Any) -> Any:
    r = _order_operands(">", a, b)
    return r if type(r) is CelError else r[0] > r[1]


def greater_equal(a: Any, b: Any) -> Any:
    r = _order_operands(">=", a, b)
    return r if type(r) is CelError else r[0] >= r[1]


def contained_in(a: Any, container: Any) -> Any:
    """CEL ``a in container``: list membership by CEL equality, map key presence."""
    err = first_error(a, container)
    if err is not None:
        return err
    tc = type(container)
    if tc is list or tc is tuple:
        for item in container:
            if cel_eq(a, item):
                return True
        return False
    if tc is dict:
        found = map_lookup(container, a)
        return found is not _MISSING and type(found) is not CelError
    return no_overload("in", a, container)


# --- maps, lists, fields -------------------------------------------------------------------------

_MISSING = object()


def map_lookup(m: dict[Any, Any], key: Any) -> Any:
    """The value under ``key`` by CEL key equality, ``_MISSING``, or a CelError for a key type a
    map cannot hold. An integral double finds its int key."""
    tk = type(key)
    if tk is float:
        if key != key or key in (math.inf, -math.inf) or not key.is_integer():
            return _MISSING
        key, tk = int(key), int
    if tk is str:
        return m.get(key, _MISSING)
    if tk is bool or (tk is int and (key == 0 or key == 1)):
        # Python's dict confuses True with 1 and False with 0; CEL does not.
        for k, v in m.items():
            if type(k) is tk and k == key:
                return v
        return _MISSING
    if tk is int:
        v = m.get(key, _MISSING)
        return v
    return CelError(f"unsupported key type `{type_name(key)}`")


def _key_text(key: Any) -> str:
    return repr(key) if type(key) is str else format_value(key)


def index(container: Any, key: Any) -> Any:
    err = first_error(container, key)
    if err is not None:
        return err
    tc = type(container)
    if tc is list or tc is tuple:
        tk = type(key)
        if tk is float and key == key and key not in (math.inf, -math.inf) and key.is_integer():
            key, tk = int(key), int
        if tk is not int:
            return CelError(f"invalid list index of type `{type_name(key)}`")
        if 0 <= key < len(container):
            return container[key]
        return CelError(f"index out of range: {key}")
    if tc is dict:
        found = map_lookup(container, key)
        if found is _MISSING:
            return CelError(f"no such key: {_key_text(key)}")
        return found
    return no_overload("[]", container, key)


def select(obj: Any, field: str) -> Any:
    if type(obj) is dict:
        found = obj.get(field, _MISSING)
        if found is _MISSING:
            return CelError(f"no such key: {field!r}")
        return found
    if type(obj) is CelError:
        return obj
    return CelError(f"type `{type_name(obj)}` does not support field selection")


def has_field(obj: Any, field: str) -> Any:
    if type(obj) is dict:
        return field in obj
    if type(obj) is CelError:
        return obj
    return CelError(f"type `{type_name(obj)}` does not support field selection")


def make_map(pairs: list[tuple[Any, Any]]) -> Any:
    """A map literal from evaluated ``(key, value)`` pairs; a repeated key is an error."""
    out: dict[Any, Any] = {}
    for k, v in pairs:  # evaluation errors first, in order; then what the map cannot hold
        if type(k) is CelError:
            return k
        if type(v) is CelError:
            return v
    for k, v in pairs:
        if type(k) not in (str, int, bool):
            return CelError(f"unsupported key type `{type_name(k)}`")
        if map_lookup(out, k) is not _MISSING:
            return CelError(f"repeated key {_key_text(k)} in a map literal")
        if (type(k) is bool or type(k) is int) and k in out:
            return CelError("a map cannot hold both `true`/`false` and `1`/`0` as keys")
        out[k] = v
    return out


def make_list(items: list[Any]) -> Any:
    for v in items:
        if type(v) is CelError:
            return v
    return list(items)


def iteration_items(value: Any) -> Any:
    """What a macro iterates over: list elements, map keys; or a CelError."""
    t = type(value)
    if t is list or t is tuple:
        return list(value)
    if t is dict:
        return list(value)
    if t is CelError:
        return value
    return CelError(f"a macro needs a list or a map, not `{type_name(value)}`")


def format_value(v: Any) -> str:
    """A value in CEL syntax, for messages."""
    t = type(v)
    if t is bool:
        return "true" if v else "false"
    if v is None:
        return "null"
    if t is float:
        return repr(v)
    if t is str:
        return repr(v)
    return str(v)


def unbound_function(name: str, argc: int, receiver: bool) -> CelError:
    form = "method" if receiver else "function"
    return CelError(f"no {form} `{name}` taking {argc} argument{'s' if argc != 1 else ''}")


def unbound_name(name: str) -> CelError:
    return CelError(f"no value for `{name}`")


BINARY_OPERATORS = {"+": add, "-": sub, "*": mul, "/": div, "%": mod, "==": equals,
                    "!=": not_equals, "<": less, "<=": less_equal, ">": greater,
                    ">=": greater_equal, "in": contained_in}
