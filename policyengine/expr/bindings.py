"""Checking bindings against the declarations before the checked ``evaluate`` runs.

Only the declared facts an expression reads are checked, each in full: a missing or wrongly
typed value is an :class:`ExpressionEvalError` naming its dotted path (``partner.tier``). The one
widening allowed is an int given for a double (``120000`` for ``120000.0``); the bindings are then
copied, never changed in place. A bool is never a number.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ..errors import ExpressionEvalError
from .types import BOOL, DOUBLE, DYN, INT, NULL, STRING, EnumType, ListType, MapType
from .values import INT64_MAX, INT64_MIN, format_value, type_name


def binding_checker(env, reads: tuple) -> Callable[[Any], Any]:
    """A function that returns the bindings (normalized) or raises ExpressionEvalError."""
    names = sorted({path.split(".", 1)[0] for path in reads} & set(env.variables))
    declared = [(name, env.variables[name]) for name in names]

    def check(bindings: Any) -> Any:
        if not isinstance(bindings, Mapping):
            raise ExpressionEvalError("the bindings are a mapping of fact names to values")
        changed = None
        for name, t in declared:
            if name not in bindings:
                raise ExpressionEvalError(f"`{name}`: no value given for this fact")
            value = bindings[name]
            normalized = _check_value(value, t, name)
            if normalized is not value:
                if changed is None:
                    changed = dict(bindings)
                changed[name] = normalized
        return bindings if changed is None else changed

    return check


def _fail(path: str, want: str, value: Any) -> ExpressionEvalError:
    return ExpressionEvalError(f"`{path}`: expected `{want}`, got `{type_name(value)}`")


def _check_value(value: Any, t: Any, path: str) -> Any:
    tv = type(value)
    if type(t) is EnumType:
        checked = _check_value(value, t.base, path)
        if not any(type(v) is type(checked) and v == checked for v in t.values):
            shown = ", ".join(format_value(v) for v in t.values)
            raise ExpressionEvalError(f"`{path}`: {format_value(checked)} is not one of {shown}")
        return checked
    if t == DYN:
        return value
    if t == INT:
        if tv is not int:
            raise _fail(path, "int", value)
        if not INT64_MIN <= value <= INT64_MAX:
            raise ExpressionEvalError(f"`{path}`: {value} is out of the int range")
        return value
    if t == DOUBLE:
        if tv is float:
            return value
        if tv is int:
            return float(value)
        raise _fail(path, "double", value)
    if t == STRING:
        if tv is not str:
            raise _fail(path, "string", value)
        return value
    if t == BOOL:
        if tv is not bool:
            raise _fail(path, "bool", value)
        return value
    if t == NULL:
        if value is not None:
            raise _fail(path, "null_type", value)
        return value
    if type(t) is ListType:
        if tv is not list and tv is not tuple:
            raise _fail(path, str(t), value)
        items = [_check_value(item, t.elem, f"{path}[{i}]") for i, item in enumerate(value)]
        if tv is list and all(a is b for a, b in zip(items, value)):
            return value
        return items
    if type(t) is MapType:
        if tv is not dict:
            raise _fail(path, "map", value)
        out = None
        if t.fields is not None:
            for field, ft in t.fields:
                sub = f"{path}.{field}"
                if field not in value:
                    raise ExpressionEvalError(f"`{sub}`: no value given for this field")
                item = value[field]
                checked = _check_value(item, ft, sub)
                if checked is not item:
                    out = dict(value) if out is None else out
                    out[field] = checked
            return value if out is None else out
        for key, item in value.items():
            _check_value(key, t.key, f"{path} key")
            checked = _check_value(item, t.value, f"{path}.{key}")
            if checked is not item:
                out = dict(value) if out is None else out
                out[key] = checked
        return value if out is None else out
    return value
