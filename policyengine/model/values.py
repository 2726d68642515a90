"""What a valid value of a fact is: the one checker of a fact's values, next to the declarations.

Which values each fact *type* holds (the type test, the one widening, the type's own range, and
how each type is named) is the one table of :mod:`policyengine.core.fact_types`, below ``expr/``
so that the expression binder derives from it too; this module adds what a *declaration* says
(``enum``, ``min``/``max``, ``max_length``, ``max_items``, a map's fields, defaults) and words
each violation. Every consumer derives from this module:

* the dispute check (:mod:`policyengine.model.facts` re-exports :func:`fields_checker`), which reports
  every problem at once with its dotted path;
* the generated straight-line check (:mod:`policyengine.compile.facts_check`), which emits the tests
  of :data:`KINDS` and the bounds of :func:`length_bound`, :func:`items_bound` and
  :func:`number_bounds` as code, and hands any doubt to the checker below;
* the builder's check of a fact's ``default`` (:func:`default_problem`, PE110), which runs the
  checker below and words its first violation for a rulebook author;
* the dispute JSON Schema (:func:`fact_schema`, :data:`DATE_SCHEMA`), generated from the same
  table and bounds;
* the reserved keys' dates (:func:`check_date`: ``escalation.since``, ``granted_on``, ...).

A value is checked in a fixed order, and the first failing test of a value is its violation:
the type (a bool is never a number; the one widening is an int for a double), then the range
of the type (int64; a finite double), then the text (``max_length``, no lone surrogate) or list
(``max_items``, then each item), then ``enum``, then ``min``/``max``. The checker is built once
per declaration (closures over precomputed constants): the happy path does one type test and
one membership or range test per fact.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Mapping, NamedTuple

from ..core.calendar import parse_date
from ..core.errors import Problem
from ..core.fact_types import (ADMIT, DOUBLE_OVERFLOW, KINDS, Kind, admit_list, admit_map,
                               unicode_problem)
from ..core.limits import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH
from ..load.schema import json_type
from ..core.suggest import did_you_mean, one_of
from .nodes import FactDecl

# ``Kind``, ``KINDS``, ``DOUBLE_OVERFLOW`` and ``unicode_problem`` live in the one table of fact
# types (:mod:`policyengine.core.fact_types`); they are re-exported here, where they were.

_MISSING: Any = object()


def length_bound(decl: FactDecl) -> int:
    """The longest text a string fact may hold."""
    return decl.max_length if decl.max_length is not None else DEFAULT_MAX_LENGTH


def items_bound(decl: FactDecl) -> int:
    """The most items a list fact may hold."""
    return decl.max_items if decl.max_items is not None else DEFAULT_MAX_ITEMS


def number_bounds(decl: FactDecl) -> tuple[float | int | None, float | int | None]:
    """The declared ``min`` and ``max`` of a number fact (None where not declared)."""
    return decl.min, decl.max


# -- words ---------------------------------------------------------------------------------

def describe(value: Any) -> str:
    """A JSON value's type in words (``null`` for None)."""
    return json_type(value, none="null")


def show(value: Any) -> str:
    """A value for a message: short text in backticks, a long integer by its size (Python
    refuses to spell integers of more than 4,300 digits)."""
    if isinstance(value, str):
        return f"`{value}`" if len(value) <= 60 else f"`{value[:57]}...`"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, int) and value.bit_length() > 256:
        digits = int(value.bit_length() * 0.30103) + 1
        return f"an integer of about {digits:,} digits"
    return f"`{value!r}`" if isinstance(value, (int, float)) else describe(value)


# -- violations ----------------------------------------------------------------------------

class Violation(NamedTuple):
    """Why one value is not a valid value of its declaration. ``reason`` is one of ``type``,
    ``int_range``, ``too_large``, ``not_finite``, ``surrogate``, ``max_length``, ``max_items``,
    ``enum``, ``min``, ``max``; each consumer words it for its reader."""

    reason: str
    decl: FactDecl
    path: str
    value: Any


def _type_hint(decl: FactDecl, value: Any) -> str | None:
    if decl.type == "double" and isinstance(value, str):
        return "write the number without quotes, e.g. 120000.0"
    if decl.type in ("int", "double") and isinstance(value, bool):
        return "a boolean is never a number"
    if decl.type == "int" and isinstance(value, float):
        return "write a whole number without a decimal point"
    if decl.type == "bool" and isinstance(value, str):
        return "write true or false without quotes"
    return None


def dispute_problem(v: Violation) -> Problem:
    """A violation in a dispute, as the ``invalid_facts`` problem the engine reports."""
    decl, path, value = v.decl, v.path, v.value
    reason = v.reason
    if reason == "type":
        return Problem("invalid_facts", f"expected {KINDS[decl.type].words}, found "
                       f"{describe(value)}", path, "type", hint=_type_hint(decl, value))
    if reason == "int_range":
        return Problem("invalid_facts", f"{show(value)} is outside the int range", path,
                       "max" if value > 0 else "min")
    if reason == "too_large":
        return Problem("invalid_facts", "the number is too large", path, "max")
    if reason == "not_finite":
        return Problem("invalid_facts", f"expected a finite number, found {show(value)}", path,
                       "type")
    if reason == "surrogate":
        return Problem("invalid_facts", unicode_problem(value) or "", path, "type")
    if reason == "max_length":
        return Problem("invalid_facts", f"the text has {len(value):,} characters, more than the "
                       f"bound of {length_bound(decl):,}", path, "max_length",
                       hint="declare a larger `max_length` for this fact in the policy"
                       if decl.max_length is None else None)
    if reason == "max_items":
        return Problem("invalid_facts", f"the list has {len(value):,} items, more than the "
                       f"bound of {items_bound(decl):,}", path, "max_items",
                       hint="declare a larger `max_items` for this fact in the policy"
                       if decl.max_items is None else None)
    if reason == "enum":
        allowed = [str(e) for e in decl.enum or ()]
        hint = did_you_mean(str(value), allowed) or f"use {one_of(allowed)}"
        return Problem("invalid_facts", f"{show(value)} is not one of the allowed values", path,
                       "enum", hint=hint)
    if reason == "min":
        return Problem("invalid_facts", f"{show(value)} is below the minimum {decl.min}", path,
                       "min")
    assert reason == "max", reason
    return Problem("invalid_facts", f"{show(value)} is above the maximum {decl.max}", path, "max")


def default_words(v: Violation, given: Any) -> str:
    """A violation of a fact's ``default`` (``given``, as written), worded for the PE110
    diagnostic ("default ..."). The value is shown as written, not as widened."""
    decl, reason = v.decl, v.reason
    indexes = [int(part) for part in v.path.replace("]", "").split("[")[1:]]
    value = given
    for i in indexes:
        value = value[i]
    prefix = "".join(f"item {i + 1}: " for i in indexes)
    if reason == "type":
        text = f"must be {KINDS[decl.type].default_words}, found {json_type(value)}"
    elif reason == "int_range":
        text = "is outside the int range (64 bits): no dispute could give it"
    elif reason == "too_large":
        text = "is too large for a double: no dispute could give it"
    elif reason == "not_finite":
        text = f"must be a finite number, found {show(value)}"
    elif reason == "surrogate":
        lone = next(c for c in value if 0xD800 <= ord(c) <= 0xDFFF)
        text = f"holds a lone surrogate (U+{ord(lone):04X}): no dispute could give it"
    elif reason == "max_length":
        text = "is longer than the fact's `max_length`"
    elif reason == "max_items":
        text = "has more items than the fact's `max_items`"
    elif reason == "enum":
        text = f"`{value}` is not one of the fact's enum values"
    elif reason == "min":
        text = f"`{value}` is below the fact's min ({decl.min})"
    else:
        text = f"`{value}` is above the fact's max ({decl.max})"
    return prefix + text


# -- the checker ---------------------------------------------------------------------------

#: (value, path, problems) -> normalized value; a failing value appends a Violation (a field
#: check appends Problems for missing and undeclared names) and gives None.
Checker = Callable[[Any, str, list[Any]], Any]


def _scalar_checker(decl: FactDecl) -> Checker:
    t = decl.type
    if t not in _SCALARS:  # pragma: no cover - the schema allows no other type
        raise ValueError(f"unknown fact type {t!r}")
    admit = ADMIT[t]  # the type and its own range: the one table's test
    enum = frozenset(decl.enum) if decl.enum is not None and t in ("string", "int") else None
    lo, hi = number_bounds(decl)
    bounded = t in ("int", "double") and (lo is not None or hi is not None)
    text = t == "string"
    max_length = length_bound(decl)

    def check(value: Any, path: str, problems: list[Any]) -> Any:
        value, reason = admit(value)
        if reason is not None:
            problems.append(Violation(reason, decl, path, value))
            return None
        if text:
            if len(value) > max_length:
                problems.append(Violation("max_length", decl, path, value))
                return None
            if not value.isascii() and unicode_problem(value) is not None:
                problems.append(Violation("surrogate", decl, path, value))
                return None
        if enum is not None and value not in enum:
            problems.append(Violation("enum", decl, path, value))
        if bounded:
            if lo is not None and value < lo:
                problems.append(Violation("min", decl, path, value))
            elif hi is not None and value > hi:
                problems.append(Violation("max", decl, path, value))
        return value
    return check


_SCALARS = frozenset({"string", "int", "double", "bool"})


def _list_checker(decl: FactDecl) -> Checker:
    assert decl.items is not None  # the builder gives every list its item declaration
    item = checker_for(decl.items)
    bound = items_bound(decl)

    def check(value: Any, path: str, problems: list[Any]) -> Any:
        value, reason = admit_list(value)
        if reason is not None:
            problems.append(Violation(reason, decl, path, value))
            return None
        if len(value) > bound:
            problems.append(Violation("max_items", decl, path, value))
            return None
        return [item(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    return check


def _map_checker(decl: FactDecl) -> Checker:
    fields = _fields(decl.fields, frozenset())

    def check(value: Any, path: str, problems: list[Any]) -> Any:
        value, reason = admit_map(value)
        if reason is not None:
            problems.append(Violation(reason, decl, path, value))
            return None
        return fields(value, path + ".", problems)
    return check


def checker_for(decl: FactDecl) -> Checker:
    """The check of one value of ``decl``: appends a :class:`Violation` (or, inside a map, a
    Problem for a missing or undeclared field) and returns the normalized value."""
    if decl.type == "map":
        return _map_checker(decl)
    if decl.type == "list":
        return _list_checker(decl)
    return _scalar_checker(decl)


def default_of(decl: FactDecl) -> Any:
    """The value an absent fact takes (a fresh copy), or ``_MISSING`` for a required fact."""
    if decl.has_default:
        d = decl.default
        return list(d) if isinstance(d, list) else d
    if decl.type == "map" and not decl.required:
        return {f.name: default_of(f) for f in decl.fields}
    return _MISSING


FieldsCheck = Callable[[Mapping[str, Any], str, list[Any]], dict[Any, Any]]


def _fields(decls: tuple[FactDecl, ...], reserved: frozenset[Any]) -> FieldsCheck:
    plan = [(d.name, checker_for(d), d) for d in decls]
    names = frozenset(d.name for d in decls)
    known = sorted(names)

    def check(value: Mapping[str, Any], prefix: str, problems: list[Any]) -> dict[Any, Any]:
        out: dict[str, Any] = {}
        for name, chk, decl in plan:
            v = value.get(name, _MISSING)
            if v is _MISSING:
                default = default_of(decl)
                if default is _MISSING:
                    problems.append(_missing(decl, prefix + name))
                    continue
                out[name] = default
            else:
                out[name] = chk(v, prefix + name, problems)
        for k in value:
            if k not in names and k not in reserved:
                shown = k if isinstance(k, str) else (
                    show(k).strip("`") if isinstance(k, int) else repr(k))
                problems.append(Problem(
                    "invalid_facts", "this fact is not declared by the policy",
                    prefix + shown, "unknown",
                    hint=did_you_mean(shown, known) or
                    (f"declared here: {one_of(known)}" if known else None)))
        return out
    return check


def _missing(decl: FactDecl, path: str) -> Problem:
    if decl.derived is not None:
        return Problem("invalid_facts", "this fact is derived from the dispute ledger "
                       f"(disputes opened within {decl.derived.within}) and is missing",
                       path, "missing", hint="decide the dispute with "
                       "`policyengine ledger decide`, or give the count yourself")
    hint = None
    if decl.enum is not None:
        hint = f"one of {one_of([str(e) for e in decl.enum])}"
    elif decl.type == "map":
        needed = [f.name for f in decl.fields if f.required]
        hint = f"a mapping with at least {one_of(needed)}"
    return Problem("invalid_facts", "required fact is missing", path, "missing", hint=hint)


def fields_checker(decls: tuple[FactDecl, ...], *, reserved: frozenset[Any] = frozenset()
                   ) -> FieldsCheck:
    """The check of a mapping of declared names (a dispute's facts, or a map's fields): every
    problem at once, as ``invalid_facts`` Problems with their dotted paths."""
    inner = _fields(decls, reserved)

    def check(value: Mapping[str, Any], prefix: str, problems: list[Any]) -> dict[Any, Any]:
        start = len(problems)
        out = inner(value, prefix, problems)
        for i in range(start, len(problems)):
            p = problems[i]
            if type(p) is Violation:
                problems[i] = dispute_problem(p)
        return out
    return check


def value_violation(decl: FactDecl, value: Any) -> tuple[Any, Violation | None]:
    """(the normalized value, the first violation or None) of one value of ``decl``."""
    found: list[Any] = []
    normalized = checker_for(decl)(value, "", found)
    first = next((p for p in found if type(p) is Violation), None)
    return normalized, first


def default_problem(decl: FactDecl, value: Any) -> str | None:
    """Why ``value`` is not a valid default of ``decl`` (None when it is), in the words of
    PE110 ("default ..." follows)."""
    if decl.type == "map":
        return "is not allowed on a map fact: give its fields defaults instead"
    if decl.type == "list" and decl.items is not None and _holds_map(decl.items):
        # a map has no default, in a list neither: the list itself, then each item
        if not isinstance(value, (list, tuple)):
            return default_words(Violation("type", decl, "", value), value)
        if len(value) > items_bound(decl):
            return default_words(Violation("max_items", decl, "", value), value)
        for i, item in enumerate(value):
            p = default_problem(decl.items, item)
            if p:
                return f"item {i + 1}: {p}"
        return None
    _, first = value_violation(decl, value)
    return None if first is None else default_words(first, value)


def _holds_map(decl: FactDecl) -> bool:
    while decl.type == "list" and decl.items is not None:
        decl = decl.items
    return decl.type == "map"


# -- dates (the reserved keys) -------------------------------------------------------------

#: An ISO date YYYY-MM-DD, as far as JSON Schema can say it (the engine also refuses a date
#: that does not exist, such as 2026-02-30).
DATE_SCHEMA: dict[str, Any] = {
    "type": "string", "format": "date",
    "pattern": "^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"}


def check_date(value: Any, path: str, problems: list[Any]) -> _dt.date | None:
    """A date of the reserved keys: ISO ``YYYY-MM-DD`` text, or from Python a ``date`` (a
    ``datetime`` counts as its day). A bad value appends its problem and gives None."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        problems.append(Problem("invalid_facts", f"expected an ISO date YYYY-MM-DD, found "
                                f"{describe(value)}", path, "type"))
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        problems.append(Problem("invalid_facts", str(exc), path, "type",
                                hint="write dates as YYYY-MM-DD"))
        return None


# -- the JSON Schema of a fact ---------------------------------------------------------------

#: what the engine checks and JSON Schema cannot say (each int's description)
INT_NOTE = ("an integer written without a fraction or an exponent: the engine refuses 3.0 "
            "for an int fact, but JSON Schema counts 3.0 as an integer and cannot tell them "
            "apart, so this schema accepts it")
#: text with no lone surrogate (U+D800 to U+DFFF alone), which the engine refuses
NO_SURROGATE = "^[^\\ud800-\\udfff]*$"


def fact_schema(f: FactDecl) -> dict[str, Any]:
    """The JSON Schema of the valid values of ``f``: the same table and bounds as the checker."""
    kind = KINDS[f.type]
    out: dict[str, Any] = {}
    if f.description:
        out["description"] = f.description + (f" ({f.unit})" if f.unit else "")
    elif f.unit:
        out["description"] = f"in {f.unit}"
    if f.type == "map":
        out.update(_object(f.fields))
        return out
    out["type"] = kind.schema_type
    if f.type == "int":
        out["description"] = (out["description"] + "; " if "description" in out else "") + \
            INT_NOTE
    out.update(kind.schema_extra)
    if f.type == "string":
        out["maxLength"] = length_bound(f)
        if f.enum is None:
            out["pattern"] = NO_SURROGATE
    elif f.type == "list":
        out["items"] = fact_schema(f.items) if f.items is not None else {}
        out["maxItems"] = items_bound(f)
    if f.enum is not None:
        # the values of the enum the checker accepts (an enum value beyond `max_length` or
        # holding a lone surrogate can never be given)
        checker = checker_for(f)
        out["enum"] = [e for e in f.enum if not _refused(checker, e)]
    lo, hi = number_bounds(f)
    if lo is not None:
        out.pop("exclusiveMinimum", None)
        out["minimum"] = lo
    if hi is not None:
        out.pop("exclusiveMaximum", None)
        out["maximum"] = hi
    if f.has_default:
        out["default"] = f.default
    return out


def _refused(checker: Checker, value: Any) -> bool:
    found: list[Any] = []
    checker(value, "", found)
    return bool(found)


def _object(fields: tuple[FactDecl, ...]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False,
            "properties": {f.name: fact_schema(f) for f in fields},
            "required": [f.name for f in fields if f.required]}


def object_schema(fields: tuple[FactDecl, ...]) -> dict[str, Any]:
    """The JSON Schema of a mapping of declared names (a dispute's facts)."""
    return _object(fields)


__all__ = ["DATE_SCHEMA", "DOUBLE_OVERFLOW", "INT_NOTE", "KINDS", "Kind", "Violation",
           "check_date", "checker_for", "default_of", "default_problem", "describe",
           "dispute_problem", "fact_schema", "fields_checker", "items_bound", "length_bound",
           "number_bounds", "object_schema", "show", "unicode_problem", "value_violation"]
