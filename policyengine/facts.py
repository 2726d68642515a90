"""Dispute facts -> normalized facts, every problem at once with its dotted path.

Defaults are applied; a missing required fact, a wrong type, a value outside ``enum``, ``min`` or
``max``, or an undeclared fact is a problem. Nothing is coerced except the one widening the
rulebook allows: an integer given for a ``double`` fact. A boolean is never a number. The input
is never mutated: normalized maps and lists are new objects.

A checker is compiled once per declaration (closures over precomputed constants); the happy path
does one type test, one membership or range test per fact.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

from .errors import Problem
from .model.nodes import FactDecl
from .schema import json_type
from .suggest import did_you_mean, one_of

from .limits import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, INT64_MAX, INT64_MIN

_MISSING = object()

Checker = Callable[[Any, str, list[Any]], Any]  # (value, path, problems) -> normalized value

_KIND_WORDS = {"string": "text", "int": "a whole number (int)", "double": "a number (double)",
               "bool": "true or false", "map": "a mapping", "list": "a list"}


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


def unicode_problem(text: str) -> str | None:
    """Why ``text`` cannot be carried as Unicode text (a lone surrogate such as ``\\ud800``,
    which JSON's escapes allow but UTF-8 cannot encode), or None."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (f"the text holds a lone surrogate (U+{ord(text[exc.start]):04X}) at character "
                f"{exc.start + 1}: it is not a Unicode character")
    return None


def _type_problem(decl: FactDecl, value: Any, path: str) -> Problem:
    return Problem("invalid_facts", f"expected {_KIND_WORDS[decl.type]}, found {describe(value)}",
                   path, "type", hint=_type_hint(decl, value))


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


def _scalar_checker(decl: FactDecl) -> Checker:
    t = decl.type
    enum = frozenset(decl.enum) if decl.enum is not None else None
    enum_list = list(decl.enum) if decl.enum is not None else []
    lo, hi = decl.min, decl.max

    def bounds(value: Any, path: str, problems: list[Any]) -> None:
        if lo is not None and value < lo:
            problems.append(Problem("invalid_facts", f"{show(value)} is below the minimum {lo}",
                                    path, "min"))
        elif hi is not None and value > hi:
            problems.append(Problem("invalid_facts", f"{show(value)} is above the maximum {hi}",
                                    path, "max"))

    def in_enum(value: Any, path: str, problems: list[Any]) -> None:
        if enum is None or value not in enum:
            hint = did_you_mean(str(value), [str(e) for e in enum_list]) or \
                f"use {one_of([str(e) for e in enum_list])}"
            problems.append(Problem("invalid_facts", f"{show(value)} is not one of the allowed "
                                    "values", path, "enum", hint=hint))

    max_length = decl.max_length if decl.max_length is not None else DEFAULT_MAX_LENGTH
    if t == "string":
        def check(value: Any, path: str, problems: list[Any]) -> Any:
            if type(value) is not str:
                if not isinstance(value, str):
                    problems.append(_type_problem(decl, value, path))
                    return None
                value = str(value)
            if len(value) > max_length:
                problems.append(Problem(
                    "invalid_facts", f"the text has {len(value):,} characters, more than the "
                    f"bound of {max_length:,}", path, "max_length",
                    hint="declare a larger `max_length` for this fact in the policy"
                    if decl.max_length is None else None))
                return None
            if not value.isascii():
                bad = unicode_problem(value)
                if bad is not None:
                    problems.append(Problem("invalid_facts", bad, path, "type"))
                    return None
            if enum is not None and value not in enum:
                in_enum(value, path, problems)
            return value
    elif t == "bool":
        def check(value: Any, path: str, problems: list[Any]) -> Any:
            if type(value) is not bool:
                problems.append(_type_problem(decl, value, path))
                return None
            return value
    elif t == "int":
        def check(value: Any, path: str, problems: list[Any]) -> Any:
            if type(value) is not int:
                if isinstance(value, bool) or not isinstance(value, int):
                    problems.append(_type_problem(decl, value, path))
                    return None
                value = int(value)
            if not INT64_MIN <= value <= INT64_MAX:
                problems.append(Problem("invalid_facts", f"{show(value)} is outside the int "
                                        "range", path, "max" if value > 0 else "min"))
                return None
            if enum is not None and value not in enum:
                in_enum(value, path, problems)
            if lo is not None or hi is not None:
                bounds(value, path, problems)
            return value
    elif t == "double":
        def check(value: Any, path: str, problems: list[Any]) -> Any:
            tv = type(value)
            if tv is not float:
                if tv is int or (isinstance(value, int) and not isinstance(value, bool)):
                    try:
                        value = float(value)  # the one widening allowed
                    except OverflowError:
                        problems.append(Problem("invalid_facts", "the number is too large",
                                                path, "max"))
                        return None
                elif isinstance(value, float):
                    value = float(value)
                else:
                    problems.append(_type_problem(decl, value, path))
                    return None
            if value != value or value in (math.inf, -math.inf):
                problems.append(Problem("invalid_facts", "expected a finite number, found "
                                        f"{show(value)}", path, "type"))
                return None
            if lo is not None or hi is not None:
                bounds(value, path, problems)
            return value
    else:  # pragma: no cover - the schema allows no other type
        raise ValueError(f"unknown fact type {t!r}")
    return check


def _list_checker(decl: FactDecl) -> Checker:
    assert decl.items is not None  # the builder gives every list its item declaration
    item = checker_for(decl.items)

    bound = decl.max_items if decl.max_items is not None else DEFAULT_MAX_ITEMS

    def check(value: Any, path: str, problems: list[Any]) -> Any:
        if not isinstance(value, (list, tuple)):
            problems.append(_type_problem(decl, value, path))
            return None
        if len(value) > bound:
            problems.append(Problem(
                "invalid_facts", f"the list has {len(value):,} items, more than the bound of "
                f"{bound:,}", path, "max_items",
                hint="declare a larger `max_items` for this fact in the policy"
                if decl.max_items is None else None))
            return None
        return [item(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    return check


def _map_checker(decl: FactDecl) -> Checker:
    fields = fields_checker(decl.fields)

    def check(value: Any, path: str, problems: list[Any]) -> Any:
        if type(value) is not dict and not isinstance(value, Mapping):
            problems.append(_type_problem(decl, value, path))
            return None
        return fields(value, path + ".", problems)
    return check


def checker_for(decl: FactDecl) -> Checker:
    if decl.type == "map":
        return _map_checker(decl)
    if decl.type == "list":
        return _list_checker(decl)
    return _scalar_checker(decl)


def _default_of(decl: FactDecl) -> Any:
    if decl.has_default:
        d = decl.default
        return list(d) if isinstance(d, list) else d
    if decl.type == "map" and not decl.required:
        return {f.name: _default_of(f) for f in decl.fields}
    return _MISSING


def fields_checker(decls: tuple[FactDecl, ...], *, reserved: frozenset[Any] = frozenset()
                   ) -> Callable[[Mapping[str, Any], str, list[Any]], dict[Any, Any]]:
    """A checker for a mapping of declared names (top-level facts or a map's fields)."""
    plan = [(d.name, checker_for(d), d) for d in decls]
    names = frozenset(d.name for d in decls)
    known = sorted(names)

    def check(value: Mapping[str, Any], prefix: str, problems: list[Any]) -> dict[Any, Any]:
        out: dict[str, Any] = {}
        for name, chk, decl in plan:
            v = value.get(name, _MISSING)
            if v is _MISSING:
                default = _default_of(decl)
                if default is _MISSING:
                    hint = None
                    if decl.enum is not None:
                        hint = f"one of {one_of([str(e) for e in decl.enum])}"
                    elif decl.type == "map":
                        needed = [f.name for f in decl.fields if f.required]
                        hint = f"a mapping with at least {one_of(needed)}"
                    if decl.derived is not None:
                        problems.append(Problem(
                            "invalid_facts", "this fact is derived from the dispute ledger "
                            f"(disputes opened within {decl.derived.within}) and is missing",
                            prefix + name, "missing", hint="decide the dispute with "
                            "`policyengine ledger decide`, or give the count yourself"))
                        continue
                    problems.append(Problem("invalid_facts", "required fact is missing",
                                            prefix + name, "missing", hint=hint))
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
