"""The one table of fact types: which values each ``type:`` of a rulebook's ``facts`` holds.

For each fact type (``string``, ``int``, ``double``, ``bool``, ``map``, ``list``) this module
holds, once:

* its row of :data:`KINDS`: how a problem names the type, its CEL name, the JSON Schema type
  and the type's own range in JSON Schema;
* its *admission test* (:data:`ADMIT`): whether a Python value is a value of the type, the one
  widening (an int given for a double), the normalized value (a ``str`` or ``int`` subclass
  becomes the plain type, a mapping a ``dict``), and the type's own range (int64; a double
  that a double can hold, and is finite).

Every checker of a fact's values derives from it:

* the dispute's facts check and a fact's ``default`` (:mod:`policyengine.model.values`), which
  add what a declaration says (``enum``, ``min``/``max``, ``max_length``, ``max_items``, the
  fields of a map, defaults);
* the generated dispute JSON Schema (:func:`policyengine.model.values.fact_schema`), from the
  ``schema_type`` and ``schema_extra`` of each row;
* the expression binder (:mod:`policyengine.expr.bindings`), which checks the values an
  expression reads against their declared types. A CEL value is a little wider than a fact's
  value: CEL's doubles hold NaN and the infinities, and its strings any code points, so the
  binder lets through the reasons of :data:`FACT_ONLY` (no dispute can carry them: the facts
  check refuses them first).

A reason is one of ``type``, ``int_range``, ``too_large``, ``not_finite`` (and, for text, the
``surrogate`` of :func:`unicode_problem`); each consumer words it for its reader. This module
imports nothing above ``core/``, so ``expr/`` and ``model/`` can both stand on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .limits import INT64_MAX, INT64_MIN

#: The smallest integer whose conversion to a double overflows (``float(n)`` raises from here):
#: 2**1024 minus half a unit in the last place of the largest double.
DOUBLE_OVERFLOW = 2 ** 1024 - 2 ** 970


@dataclass(frozen=True)
class Kind:
    """One fact type's value domain: how a value is named and which JSON type carries it."""

    name: str  # the fact type, as written in the rulebook
    words: str  # how a dispute's problem names the type ("expected ...")
    default_words: str  # how a PE110 default problem names it ("must be ...")
    schema_type: str  # the JSON Schema type
    schema_extra: tuple[tuple[str, Any], ...] = ()  # the type's own range, in JSON Schema
    cel: str = ""  # the CEL type's name, as the expression binder says it ("expected `int`")


#: The value domain of every fact type (the rulebook's ``type:``).
KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("string", "text", "text", "string", cel="string"),
    Kind("int", "a whole number (int)", "a whole number", "integer",
         (("minimum", INT64_MIN), ("maximum", INT64_MAX)), cel="int"),
    Kind("double", "a number (double)", "a number", "number",
         (("exclusiveMinimum", -DOUBLE_OVERFLOW), ("exclusiveMaximum", DOUBLE_OVERFLOW)),
         cel="double"),
    Kind("bool", "true or false", "true or false", "boolean", cel="bool"),
    Kind("map", "a mapping", "a mapping", "object", cel="map"),
    Kind("list", "a list", "a list", "array", cel="list"),
)}

#: The reasons that refuse a value as a fact but not as a CEL value of the same type.
FACT_ONLY = frozenset({"not_finite", "surrogate"})

#: value -> (the normalized value, None) when it is a value of the type, else (the value as far
#: as it was normalized, the reason).
Admit = Callable[[Any], "tuple[Any, str | None]"]


def _plain(exact: type, kind: type) -> Admit:
    """The admission test of a type that holds every ``kind``, read as a plain ``exact``."""
    def admit(value: Any) -> tuple[Any, str | None]:
        if type(value) is exact:
            return value, None
        if isinstance(value, kind):
            return exact(value), None
        return value, "type"
    return admit


#: Text: a ``str`` (a subclass counts as its text).
admit_string = _plain(str, str)


def admit_int(value: Any) -> tuple[Any, str | None]:
    """A whole number in int64: an ``int`` that is not a bool (never a double, even ``3.0``)."""
    if type(value) is not int:
        if isinstance(value, bool) or not isinstance(value, int):
            return value, "type"
        value = int(value)
    if not INT64_MIN <= value <= INT64_MAX:
        return value, "int_range"
    return value, None


def admit_double(value: Any) -> tuple[Any, str | None]:
    """A finite double: a ``float``, or an int that a double holds (the one widening); a bool
    is never a number."""
    tv = type(value)
    if tv is not float:
        if tv is int or (isinstance(value, int) and not isinstance(value, bool)):
            try:
                value = float(value)  # the one widening allowed
            except OverflowError:
                return value, "too_large"
        elif isinstance(value, float):
            value = float(value)
        else:
            return value, "type"
    if value != value or value == math.inf or value == -math.inf:
        return value, "not_finite"
    return value, None


def admit_bool(value: Any) -> tuple[Any, str | None]:
    """``true`` or ``false``: a ``bool`` only (never 0 or 1)."""
    return (value, None) if type(value) is bool else (value, "type")


#: A mapping (a ``dict``; another mapping is read as one).
admit_map = _plain(dict, Mapping)


def admit_list(value: Any) -> tuple[Any, str | None]:
    """A list (a ``list`` or a ``tuple``); its items are checked against the item type."""
    return (value, None) if isinstance(value, (list, tuple)) else (value, "type")


#: The admission test of every fact type.
ADMIT: dict[str, Admit] = {"string": admit_string, "int": admit_int, "double": admit_double,
                           "bool": admit_bool, "map": admit_map, "list": admit_list}


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


__all__ = ["ADMIT", "Admit", "DOUBLE_OVERFLOW", "FACT_ONLY", "KINDS", "Kind", "admit_bool",
           "admit_double", "admit_int", "admit_list", "admit_map", "admit_string",
           "unicode_problem"]
