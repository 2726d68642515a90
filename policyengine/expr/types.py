"""The type lattice of the checker: ``int``, ``double``, ``string``, ``bool``, ``null_type``,
``list(T)``, ``map(K, V)`` (optionally with declared fields), enums (a ``string`` or ``int`` with
its listed values) and ``dyn`` (unknown until run time; compatible with everything).

Types print with CEL's names (``list(int)``, ``map(string, dyn)``): messages never show Python's.
Also here: turning a rulebook ``facts`` declaration, or a CEL type name, into a type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Tuple

from ..core.fact_types import KINDS


@dataclass(frozen=True, slots=True)
class Primitive:
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class ListType:
    elem: "Type"

    def __str__(self) -> str:
        return f"list({self.elem})"


@dataclass(frozen=True, slots=True)
class MapType:
    key: "Type"
    value: "Type"
    #: Declared fields of a map fact, ``((name, type), ...)``; None for an open map.
    fields: Optional[Tuple[Tuple[str, "Type"], ...]] = None

    def __str__(self) -> str:
        return f"map({self.key}, {self.value})"

    def field(self, name: str) -> Optional["Type"]:
        for field_name, field_type in self.fields or ():
            if field_name == name:
                return field_type
        return None


@dataclass(frozen=True, slots=True)
class EnumType:
    base: Primitive  # STRING or INT
    values: Tuple[Any, ...]

    def __str__(self) -> str:
        return str(self.base)


_TYPED_VALUES: dict[int, tuple[EnumType, frozenset[tuple[type, Any]]]] = {}


def typed_values(t: EnumType) -> frozenset[tuple[type, Any]]:
    """``{(type(v), v)}`` of an enum's values, computed once per enum type (a rulebook's
    thousands of expressions share its declarations' types: without this each would pay for
    the whole enum, and a load would grow with categories x enum values)."""
    hit = _TYPED_VALUES.get(id(t))
    if hit is None or hit[0] is not t:
        if len(_TYPED_VALUES) > 4096:
            _TYPED_VALUES.clear()
        hit = (t, frozenset((type(v), v) for v in t.values))
        _TYPED_VALUES[id(t)] = hit
    return hit[1]


Type = Any  # Primitive | ListType | MapType | EnumType

INT = Primitive("int")
DOUBLE = Primitive("double")
STRING = Primitive("string")
BOOL = Primitive("bool")
NULL = Primitive("null_type")
DYN = Primitive("dyn")

_BY_NAME = {t.name: t for t in (INT, DOUBLE, STRING, BOOL, NULL, DYN)}


#: Deeper list/map types are cut to ``dyn`` below this depth, so that every function here (and
#: the generated dataclass equality) stays shallow even for a 5,000-deep list literal.
MAX_TYPE_DEPTH = 16


def cap(t: Type) -> Type:
    """``t``, with anything nested deeper than :data:`MAX_TYPE_DEPTH` replaced by ``dyn``."""
    chain: list[Type] = []
    current = t
    while type(current) in (ListType, MapType) and len(chain) <= MAX_TYPE_DEPTH:
        chain.append(current)
        current = current.elem if type(current) is ListType else current.value
    if len(chain) <= MAX_TYPE_DEPTH:
        return t
    result: Type = DYN
    for outer in reversed(chain[:MAX_TYPE_DEPTH]):
        if type(outer) is ListType:
            result = ListType(result)
        else:
            result = MapType(outer.key, result, None)
    return result


def base(t: Type) -> Type:
    """An enum's underlying type; any other type unchanged."""
    return t.base if type(t) is EnumType else t


def is_dyn(t: Type) -> bool:
    return t is DYN or t == DYN


def is_numeric(t: Type) -> bool:
    b = base(t)
    return bool(b == INT or b == DOUBLE)


def join(a: Type, b: Type) -> Type:
    """The least type holding both (``dyn`` when they differ)."""
    if a == b:
        return a
    ba, bb = base(a), base(b)
    if ba == bb:
        return ba
    if type(ba) is ListType and type(bb) is ListType:
        return ListType(join(ba.elem, bb.elem))
    if type(ba) is MapType and type(bb) is MapType:
        return MapType(join(ba.key, bb.key), join(ba.value, bb.value))
    return DYN


def comparable_eq(a: Type, b: Type) -> bool:
    """Whether ``a == b`` type-checks: same kind, both numbers, ``dyn`` or ``null`` on a side."""
    ba, bb = base(a), base(b)
    if ba == DYN or bb == DYN or ba == NULL or bb == NULL or ba == bb:
        return True
    if is_numeric(ba) and is_numeric(bb):
        return True
    if type(ba) is ListType and type(bb) is ListType:
        return comparable_eq(ba.elem, bb.elem)
    if type(ba) is MapType and type(bb) is MapType:
        return comparable_eq(ba.key, bb.key) and comparable_eq(ba.value, bb.value)
    return False


def ordered(a: Type, b: Type) -> bool:
    """Whether ``a < b`` type-checks: numbers (int and double mix), strings, bools, or dyn."""
    ba, bb = base(a), base(b)
    if ba == DYN:
        return bb in (DYN, INT, DOUBLE, STRING, BOOL)
    if bb == DYN:
        return ba in (INT, DOUBLE, STRING, BOOL)
    if is_numeric(ba) and is_numeric(bb):
        return True
    return ba == bb and ba in (STRING, BOOL)


def elem_of(t: Type) -> Optional[Type]:
    """What a comprehension iterates over: list elements, map keys; None when not iterable."""
    b = base(t)
    if b == DYN:
        return DYN
    if type(b) is ListType:
        return b.elem
    if type(b) is MapType:
        return b.key
    return None


# --- declarations -------------------------------------------------------------------------------

#: The fact types a declaration may name: the rows of the one table of fact types.
DECLARED_TYPES = tuple(KINDS)


class DeclarationError(ValueError):
    """A ``facts`` declaration the type checker cannot use (the schema normally catches it)."""


def from_declaration(decl: Any, path: str) -> Type:
    """The type of one ``facts`` entry (``{"type": "double", ...}``); raises DeclarationError."""
    if not isinstance(decl, Mapping):
        raise DeclarationError(f"fact `{path}`: a declaration is a mapping with a `type`")
    kind = decl.get("type")
    if kind not in DECLARED_TYPES:
        raise DeclarationError(f"fact `{path}`: unknown type `{kind}`, expected one of "
                               + ", ".join(f"`{k}`" for k in DECLARED_TYPES))
    if kind == "map":
        fields = decl.get("fields")
        if fields is None:
            return MapType(STRING, DYN)
        if not isinstance(fields, Mapping):
            raise DeclarationError(f"fact `{path}`: `fields` is a mapping of field declarations")
        typed = tuple((str(name), from_declaration(sub, f"{path}.{name}"))
                      for name, sub in fields.items())
        value = DYN
        if typed:
            value = typed[0][1]
            for _, t in typed[1:]:
                value = join(value, t)
            value = base(value) if type(value) is EnumType else value
        return MapType(STRING, value, typed)
    if kind == "list":
        items = decl.get("items")
        return ListType(DYN if items is None else from_declaration(items, f"{path}[]"))
    prim = _BY_NAME[kind]
    enum = decl.get("enum")
    if enum is not None:
        if prim not in (STRING, INT):
            raise DeclarationError(f"fact `{path}`: `enum` is allowed on `string` and `int` only")
        if not isinstance(enum, (list, tuple)):
            raise DeclarationError(f"fact `{path}`: `enum` is a list of values")
        return EnumType(prim, tuple(enum))
    return prim


_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z_0-9.]*|[(),])")


def parse_cel_type(text: str) -> Type:
    """A CEL type name (``int``, ``list(int)``, ``map(string, dyn)``, ``null_type``) as a type."""
    tokens = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise DeclarationError(f"cannot read the type `{text}`")
        tokens.append(m.group(1))
        pos = m.end()
    tokens.reverse()

    def read() -> Type:
        if not tokens:
            raise DeclarationError(f"cannot read the type `{text}`")
        word = tokens.pop()
        if word in ("list", "map"):
            if not tokens or tokens.pop() != "(":
                raise DeclarationError(f"cannot read the type `{text}`")
            args = [read()]
            while tokens and tokens[-1] == ",":
                tokens.pop()
                args.append(read())
            if not tokens or tokens.pop() != ")":
                raise DeclarationError(f"cannot read the type `{text}`")
            if word == "list" and len(args) == 1:
                return ListType(args[0])
            if word == "map" and len(args) == 2:
                return MapType(args[0], args[1])
            raise DeclarationError(f"cannot read the type `{text}`")
        if word in _BY_NAME:
            return _BY_NAME[word]
        raise DeclarationError(f"unknown type `{word}` in `{text}`")

    result = read()
    if tokens:
        raise DeclarationError(f"cannot read the type `{text}`")
    return result
