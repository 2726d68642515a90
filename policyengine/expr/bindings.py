"""Checking bindings against the declarations before the checked ``evaluate`` runs.

Only the declared facts an expression reads are checked, each in full: a missing or wrongly
typed value is an :class:`ExpressionEvalError` naming its dotted path (``partner.tier``). The one
widening allowed is an int given for a double (``120000`` for ``120000.0``); the bindings are then
copied, never changed in place. A bool is never a number.

Which values each declared type holds is not written here: the type tests, the widening and
the int64 range are the one table of fact types (:mod:`policyengine.core.fact_types`), the
same the dispute's facts check and the dispute JSON Schema derive from. The binder checks the
types an expression needs, not a declaration's bounds: ``enum`` (part of the type), but not
``min``/``max``, ``max_length``, ``max_items`` or defaults, which are the dispute's facts
check's; and a CEL double may be NaN or infinite, a CEL string hold a lone surrogate
(:data:`~policyengine.core.fact_types.FACT_ONLY`), which no dispute's fact can.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ..core.errors import ExpressionEvalError
from ..core.fact_types import ADMIT, FACT_ONLY, KINDS, admit_list, admit_map
from .environment import Environment
from .types import (BOOL, DOUBLE, DYN, INT, NULL, STRING, EnumType, ListType, MapType,
                    Primitive, typed_values)
from .values import format_value, type_name


def binding_checker(env: Environment, reads: tuple[Any, ...]) -> Callable[[Any], Any]:
    """A function that returns the bindings (normalized) or raises ExpressionEvalError."""
    names = sorted({path.split(".", 1)[0] for path in reads} & set(env.variables))
    checks = [(name, _checker(env.variables[name], name)) for name in names]

    def check(bindings: Any) -> Any:
        if type(bindings) is not dict and not isinstance(bindings, Mapping):
            raise ExpressionEvalError("the bindings are a mapping of fact names to values")
        changed = None
        for name, check_value in checks:
            try:
                value = bindings[name]
            except KeyError:
                raise ExpressionEvalError(f"`{name}`: no value given for this fact") from None
            normalized = check_value(value)
            if normalized is not value:
                if changed is None:
                    changed = dict(bindings)
                changed[name] = normalized
        return bindings if changed is None else changed

    return check


def _fail(path: str, want: str, value: Any) -> ExpressionEvalError:
    return ExpressionEvalError(f"`{path}`: expected `{want}`, got `{type_name(value)}`")


def _refusal(path: str, want: str, value: Any, reason: str) -> ExpressionEvalError:
    """The binder's words for a reason of the one table (:mod:`core.fact_types`)."""
    if reason == "int_range":
        shown = str(value) if value.bit_length() <= 256 else \
            f"an integer of about {int(value.bit_length() * 0.30103) + 1:,} digits"
        return ExpressionEvalError(f"`{path}`: {shown} is out of the int range")
    if reason == "too_large":
        return ExpressionEvalError(f"`{path}`: the number is too large for a double")
    return _fail(path, want, value)


#: the fact type whose admission test checks a value of each primitive CEL type
_KIND_OF = {INT: "int", DOUBLE: "double", STRING: "string", BOOL: "bool"}


def _checker(t: Any, path: str) -> Callable[[Any], Any]:
    """A checker for values of type ``t`` at ``path``, built once per declaration: it returns the
    value (normalized: an int given for a double becomes a double) or raises
    ExpressionEvalError. The type tests are the one table's (:data:`core.fact_types.ADMIT`); a
    CEL value may also be what :data:`~core.fact_types.FACT_ONLY` refuses in a fact (NaN)."""
    if type(t) is EnumType:
        inner = _checker(t.base, path)
        allowed = typed_values(t)
        values = t.values

        def check_enum(value: Any) -> Any:
            value = inner(value)
            if (type(value), value) not in allowed:
                shown = ", ".join(format_value(v) for v in values)  # when it is said only
                raise ExpressionEvalError(f"`{path}`: {format_value(value)} is not one of {shown}")
            return value
        return check_enum
    if t == DYN:
        return _identity
    if t == NULL:
        def check_null(value: Any) -> Any:
            if value is not None:
                raise _fail(path, "null_type", value)
            return value
        return check_null
    kind = _KIND_OF.get(t) if type(t) is Primitive else None
    if kind is not None:
        admit = ADMIT[kind]
        want = KINDS[kind].cel

        def check_scalar(value: Any) -> Any:
            normalized, reason = admit(value)
            if reason is not None and reason not in FACT_ONLY:
                raise _refusal(path, want, value if reason == "type" else normalized, reason)
            return normalized
        return check_scalar
    if type(t) is ListType:
        return _list_checker(t, path)
    if type(t) is MapType:
        return _map_checker(t, path)
    return _identity  # pragma: no cover - every declared type is handled above


def _identity(value: Any) -> Any:
    return value


def _list_checker(t: ListType, path: str) -> Callable[[Any], Any]:
    item_check = _checker(t.elem, f"{path}[]")
    shown = str(t)

    def check_list(value: Any) -> Any:
        value, reason = admit_list(value)
        if reason is not None:
            raise _fail(path, shown, value)
        if item_check is _identity:
            return value
        items = []
        for i, item in enumerate(value):
            try:
                items.append(item_check(item))
            except ExpressionEvalError as err:  # name the element
                raise ExpressionEvalError(err.message.replace(f"`{path}[]", f"`{path}[{i}]", 1)) \
                    from None
        if type(value) is list and all(a is b for a, b in zip(items, value)):
            return value
        return items
    return check_list


def _map_checker(t: MapType, path: str) -> Callable[[Any], Any]:
    if t.fields is not None:
        fields = [(name, _checker(ft, f"{path}.{name}")) for name, ft in t.fields]

        def check_record(value: Any) -> Any:
            value, reason = admit_map(value)
            if reason is not None:
                raise _fail(path, "map", value)
            out = None
            for name, check_field in fields:
                try:
                    item = value[name]
                except KeyError:
                    raise ExpressionEvalError(f"`{path}.{name}`: no value given for this field") \
                        from None
                checked = check_field(item)
                if checked is not item:
                    out = dict(value) if out is None else out
                    out[name] = checked
            return value if out is None else out
        return check_record
    key_check = _checker(t.key, f"{path} key")
    value_check = _checker(t.value, f"{path}[]")

    def check_map(value: Any) -> Any:
        value, reason = admit_map(value)
        if reason is not None:
            raise _fail(path, "map", value)
        out = None
        for key, item in value.items():
            key_check(key)
            checked = value_check(item)
            if checked is not item:
                out = dict(value) if out is None else out
                out[key] = checked
        return value if out is None else out
    return check_map
