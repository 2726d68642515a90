"""A JSON Schema compiled into one Python predicate: is this document valid?

jsonschema's validator walks a large rulebook in about a third of its load time: for every
value it builds a validator for the sub-schema, resolves references and yields from generators,
whatever the answer. Almost every rulebook that is loaded is valid, and a valid one needs no
error at all, only the answer. :func:`compile_check` turns a schema into nested closures that
give that answer in a small fraction of the time; the loader runs jsonschema's full error walk
only when the answer is no (the diagnostics come from it alone, so they are unchanged).

The predicate answers exactly as ``jsonschema``'s Draft 2020-12 validator does (without a
format checker): the same type rules (a bool is no number, ``1.0`` is an integer), ``enum``,
``const`` and ``uniqueItems`` with its equality (``True`` is not ``1``), ``pattern`` with
:func:`re.search`. A schema using any keyword this module does not implement compiles to None,
and the caller keeps jsonschema's answer: nothing is guessed. ``tests/unit/test_schema_check.py``
compares the two on every rulebook of the repository and on many damaged copies.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from numbers import Number
from typing import Any, Callable

Check = Callable[[Any], bool]

#: keywords that validate nothing (annotations, and where sub-schemas are kept)
_IGNORED = frozenset({"description", "markdownDescription", "title", "examples", "default",
                      "deprecated", "readOnly", "writeOnly", "$comment", "$defs"})
_ROOT_ONLY = frozenset({"$schema", "$id"})
_OBJECT = frozenset({"properties", "additionalProperties", "required", "propertyNames",
                     "minProperties", "maxProperties"})
_ARRAY = frozenset({"items", "minItems", "maxItems", "uniqueItems"})
_STRING = frozenset({"pattern", "minLength", "maxLength"})
_NUMBER = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_ANY = frozenset({"type", "enum", "const", "not", "allOf", "anyOf", "oneOf", "if", "then",
                  "else", "$ref"})
_KNOWN = _IGNORED | _OBJECT | _ARRAY | _STRING | _NUMBER | _ANY


class _Unsupported(Exception):
    """The schema uses something this module does not implement."""


# -- jsonschema's own rules, restated ---------------------------------------------------------
def _is_number(x: Any) -> bool:
    return isinstance(x, Number) and not isinstance(x, bool)


def _is_integer(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


_TYPES: dict[str, Check] = {
    "object": lambda x: isinstance(x, dict), "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str), "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None, "number": _is_number, "integer": _is_integer,
}

_TRUE, _FALSE = object(), object()


def _unbool(x: Any) -> Any:
    """True and 1 (False and 0) are different values to JSON Schema."""
    if x is True:
        return _TRUE
    if x is False:
        return _FALSE
    return x


def equal(one: Any, two: Any) -> bool:
    """JSON Schema equality (jsonschema's ``_utils.equal``): no bool is a number, lists and
    mappings compare item by item with the same rule."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(
            key in two and equal(value, two[key]) for key, value in one.items())
    return bool(_unbool(one) == _unbool(two))


def unique(items: list[Any]) -> bool:
    """No two items are :func:`equal` (jsonschema's ``_utils.uniq``)."""
    try:
        ordered = sorted(_unbool(i) for i in items)
        return not any(equal(a, b) for a, b in zip(ordered, itertools.islice(ordered, 1, None)))
    except (NotImplementedError, TypeError):
        seen: list[Any] = []
        for item in items:
            item = _unbool(item)
            if any(equal(s, item) for s in seen):
                return False
            seen.append(item)
        return True


# -- the compiler ------------------------------------------------------------------------------
def _always(x: Any) -> bool:
    return True


def _never(x: Any) -> bool:
    return False


class _Compiler:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.refs: dict[str, list[Check]] = {}  # pointer -> a cell holding its compiled check

    def ref(self, pointer: str) -> Check:
        if not pointer.startswith("#"):
            raise _Unsupported(pointer)
        cell = self.refs.get(pointer)
        if cell is None:
            cell = self.refs[pointer] = []
            target = self.root
            for part in pointer[1:].split("/")[1:] if pointer != "#" else ():
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or part not in target:
                    raise _Unsupported(pointer)
                target = target[part]
            cell.append(self.compile(target))
        return lambda x: cell[0](x)  # the cell is filled once the target is compiled

    def compile(self, schema: Any, root: bool = False) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise _Unsupported(repr(schema))
        unknown = set(schema) - _KNOWN - (_ROOT_ONLY if root else set())
        if unknown:
            raise _Unsupported(", ".join(sorted(unknown)))
        checks: list[Check] = []
        if "type" in schema:
            checks.append(self.type(schema["type"]))
        if "enum" in schema:
            values = list(schema["enum"])
            checks.append(lambda x: any(equal(v, x) for v in values))
        if "const" in schema:
            const = schema["const"]
            checks.append(lambda x: equal(x, const))
        if "$ref" in schema:
            checks.append(self.ref(schema["$ref"]))
        if "allOf" in schema:
            every = [self.compile(s) for s in schema["allOf"]]
            checks.append(lambda x: all(s(x) for s in every))
        if "anyOf" in schema:
            some = [self.compile(s) for s in schema["anyOf"]]
            checks.append(lambda x: any(s(x) for s in some))
        if "oneOf" in schema:
            ones = [self.compile(s) for s in schema["oneOf"]]
            checks.append(lambda x: sum(1 for s in ones if s(x)) == 1)
        if "not" in schema:
            negated = self.compile(schema["not"])
            checks.append(lambda x: not negated(x))
        if "if" in schema:
            checks.append(self.conditional(schema))
        keys = set(schema)
        if _OBJECT & keys:
            of_object = self.object(schema)
            checks.append(lambda x: not isinstance(x, dict) or of_object(x))
        if _ARRAY & keys:
            of_array = self.array(schema)
            checks.append(lambda x: not isinstance(x, list) or of_array(x))
        if _STRING & keys:
            of_string = self.string(schema)
            checks.append(lambda x: not isinstance(x, str) or of_string(x))
        if _NUMBER & keys:
            of_number = self.number(schema)
            checks.append(lambda x: not _is_number(x) or of_number(x))
        return _all(checks)

    def type(self, types: Any) -> Check:
        names = [types] if isinstance(types, str) else list(types)
        if any(n not in _TYPES for n in names):
            raise _Unsupported(f"type {names}")
        tests = [_TYPES[n] for n in names]
        if len(tests) == 1:
            return tests[0]
        return lambda x: any(t(x) for t in tests)

    def conditional(self, schema: dict[str, Any]) -> Check:
        test = self.compile(schema["if"])
        then = self.compile(schema["then"]) if "then" in schema else _always
        other = self.compile(schema["else"]) if "else" in schema else _always
        return lambda x: then(x) if test(x) else other(x)

    def object(self, schema: dict[str, Any]) -> Check:
        props = {k: self.compile(v) for k, v in schema.get("properties", {}).items()}
        extra_schema = schema.get("additionalProperties", True)
        extra: Check | None = None if extra_schema is True else self.compile(extra_schema)
        no_extra = extra_schema is False
        required = tuple(schema.get("required", ()))
        low = schema.get("minProperties", 0)
        high = schema.get("maxProperties")
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None

        def check(x: dict[Any, Any]) -> bool:
            if len(x) < low or (high is not None and len(x) > high):
                return False
            for key in required:
                if key not in x:
                    return False
            get = props.get
            for key, value in x.items():
                sub = get(key)
                if sub is not None:
                    if not sub(value):
                        return False
                elif no_extra or (extra is not None and not extra(value)):
                    return False
                if names is not None and not names(key):
                    return False
            return True

        return check

    def array(self, schema: dict[str, Any]) -> Check:
        item = self.compile(schema["items"]) if "items" in schema else None
        low = schema.get("minItems", 0)
        high = schema.get("maxItems")
        distinct = schema.get("uniqueItems") is True

        def check(x: list[Any]) -> bool:
            if len(x) < low or (high is not None and len(x) > high):
                return False
            if item is not None:
                for value in x:
                    if not item(value):
                        return False
            return not distinct or unique(x)

        return check

    def string(self, schema: dict[str, Any]) -> Check:
        search = re.compile(schema["pattern"]).search if "pattern" in schema else None
        low = schema.get("minLength", 0)
        high = schema.get("maxLength")

        def check(x: str) -> bool:
            n = len(x)
            if n < low or (high is not None and n > high):
                return False
            return search is None or search(x) is not None

        return check

    def number(self, schema: dict[str, Any]) -> Check:
        tests: list[Check] = []
        if "minimum" in schema:
            low = schema["minimum"]
            tests.append(lambda x: not x < low)
        if "maximum" in schema:
            high = schema["maximum"]
            tests.append(lambda x: not x > high)
        if "exclusiveMinimum" in schema:
            xlow = schema["exclusiveMinimum"]
            tests.append(lambda x: not x <= xlow)
        if "exclusiveMaximum" in schema:
            xhigh = schema["exclusiveMaximum"]
            tests.append(lambda x: not x >= xhigh)
        return _all(tests)


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda x: first(x) and second(x)
    return lambda x: all(c(x) for c in checks)


def compile_check(schema: Any) -> Check | None:
    """A predicate true exactly when ``schema`` (Draft 2020-12) accepts a document, or None when
    the schema uses a keyword this module does not implement."""
    if isinstance(schema, dict) and "$schema" in schema and \
            "2020-12" not in str(schema["$schema"]):
        return None
    try:
        return _Compiler(schema).compile(schema, root=True)
    except (_Unsupported, re.error, TypeError):
        return None


__all__ = ["Check", "compile_check", "equal", "unique"]
