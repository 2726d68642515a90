"""Fact changes and what they mean for integrators.

A change is *breaking* when a dispute valid under the old version can be refused as
``invalid_facts`` by the new one: a new required fact, a removed fact (sending it is now an
undeclared fact), a changed type, a narrowed ``enum``, a raised ``min`` or lowered ``max``, a
removed ``default`` (the fact becomes required). Widening (a new enum value, a new optional fact,
a relaxed bound, a new default) is not breaking.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from ..model.nodes import FactDecl
from .match import pair_by_id
from .records import Added, Change, Changed, Removed


def _num(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def fact_value(f: FactDecl) -> dict[Any, Any]:
    """A fact declaration as plain data (the rulebook's ``facts`` format)."""
    out = f.to_declaration()
    for key in ("min", "max"):
        if key in out:
            out[key] = _num(out[key])
    return out


def _show(values: Iterable[Any]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def fact_changes(old: tuple[FactDecl, ...], new: tuple[FactDecl, ...], prefix: str = "facts."
                 ) -> Iterator[Change]:
    for pair in pair_by_id(old, new, key=lambda f: f.name):
        a, b = pair.old, pair.new
        if a is None:
            assert b is not None  # a pair holds at least one side
            path = prefix + b.name
            if b.required:
                yield Added(path, None, fact_value(b), note="a new required fact: every dispute "
                            "must now carry it", breaking=True, new_span=b.span)
            else:
                yield Added(path, None, fact_value(b), note="a new optional fact (it has a "
                            "default)", new_span=b.span)
        elif b is None:
            yield Removed(prefix + a.name, fact_value(a), None, note="disputes that still send "
                          "it are refused as an undeclared fact", breaking=True, old_span=a.span)
        else:
            yield from _one_fact(a, b, prefix + a.name)


def _one_fact(a: FactDecl, b: FactDecl, path: str) -> Iterator[Change]:
    spans: dict[str, Any] = {"old_span": a.span, "new_span": b.span}
    if a.type != b.type:
        yield Changed(path + ".type", a.type, b.type, note=f"values of type `{a.type}` are now "
                      "refused", breaking=True, **spans)
        return  # the rest of the declaration is not comparable
    if a.enum != b.enum:
        yield _enum_change(a, b, path, spans)
    bounds: tuple[tuple[str, Callable[[Any, Any], bool]], ...] = (
        ("min", lambda x, y: bool(y > x)), ("max", lambda x, y: bool(y < x)))
    for key, tighter in bounds:
        x, y = getattr(a, key), getattr(b, key)
        if x == y or (x is not None and y is not None and float(x) == float(y)):
            continue
        if y is not None and (x is None or tighter(x, y)):
            yield Changed(f"{path}.{key}", _num(x), _num(y), "narrowed",
                          f"values between the old and the new {key} are now refused",
                          breaking=True, **spans)
        else:
            yield Changed(f"{path}.{key}", _num(x), _num(y), "widened", None, **spans)
    if a.has_default and not b.has_default and b.type != "map":
        yield Changed(path + ".default", a.default, None, "now required",
                      "disputes that leave it out are now refused", breaking=True, **spans)
    elif b.has_default and not a.has_default:
        yield Changed(path + ".default", None, b.default, "now optional",
                      "disputes may now leave it out", **spans)
    elif a.has_default and b.has_default and a.default != b.default:
        yield Changed(path + ".default", a.default, b.default, None, "disputes that leave it "
                      "out are now decided with the new default", **spans)
    for key in ("unit", "description"):
        x, y = getattr(a, key), getattr(b, key)
        if x != y:
            yield Changed(f"{path}.{key}", x, y, **spans)
    if a.type == "map":
        yield from fact_changes(a.fields, b.fields, prefix=path + ".")
    if a.type == "list" and a.items is not None and b.items is not None:
        yield from _one_fact(a.items, b.items, path + "[]")
    elif a.type == "list" and (a.items is None) != (b.items is None):
        yield Changed(path + ".items", fact_value(a.items) if a.items else None,
                      fact_value(b.items) if b.items else None,
                      "widened" if b.items is None else "narrowed",
                      breaking=b.items is not None, **spans)


def _enum_change(a: FactDecl, b: FactDecl, path: str, spans: dict[Any, Any]) -> Change:
    old, new = a.enum, b.enum
    jold = list(old) if old is not None else None
    jnew = list(new) if new is not None else None
    if new is None:
        return Changed(path + ".enum", jold, None, "widened", "any value is now allowed",
                       **spans)
    if old is None:
        return Changed(path + ".enum", None, jnew, "narrowed", "only the listed values are "
                       "now allowed", breaking=True, **spans)
    gone = [v for v in old if v not in new]
    added = [v for v in new if v not in old]
    parts = []
    if gone:
        parts.append(f"removed {_show(gone)}")
    if added:
        parts.append(f"added {_show(added)}")
    if not parts:
        return Changed(path + ".enum", jold, jnew, "cosmetic", "the same values, reordered",
                       **spans)
    if gone:
        return Changed(path + ".enum", jold, jnew, "narrowed", "; ".join(parts) +
                       ": disputes with a removed value are now refused", breaking=True, **spans)
    return Changed(path + ".enum", jold, jnew, "widened", "; ".join(parts), **spans)
