"""The comparison domain of a behavioural diff: the facts of both versions, merged.

Two versions are compared on the disputes an integrator can send to both:

* a fact declared by both versions takes values valid under both (the enums intersected, the
  tighter ``min`` and ``max``); it may be left out only when both give it a default. When the two
  defaults differ, leaving it out is a choice of its own (a *presence* variable): the old version
  then decides with its default, the new one with its own;
* a fact declared by one version only may take any value valid under that version; the other
  version does not see it (:func:`project` drops it before deciding), as an integrator upgrading
  from one version to the other would send it or not;
* a fact whose type changed cannot be valid under both versions: the behavioural comparison
  leaves it out (the structural diff reports the breaking change), and is not done at all when
  such a fact is required.

Disputes valid under one version only are the structural diff's *breaking* changes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..model.nodes import FactDecl, Policy


@dataclass
class SharedFacts:
    """A policy-like holder of the merged declarations (what ``FactSpace`` needs: ``facts`` and
    ``fact(name)``), and what the merge had to leave out."""

    facts: tuple[FactDecl, ...]
    #: dotted path -> (old default, new default) for a fact both versions default differently
    presence: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    #: dotted paths that no dispute can carry validly under both versions, with the reason
    excluded: dict[str, str] = field(default_factory=dict)

    def fact(self, name: str) -> FactDecl | None:
        for f in self.facts:
            if f.name == name:
                return f
        return None

    @property
    def comparable(self) -> bool:
        """False when a required fact cannot be valid under both versions (no dispute is)."""
        return not any(reason.startswith("required") for reason in self.excluded.values())


def merge_facts(old: Policy, new: Policy) -> SharedFacts:
    shared = SharedFacts(())
    shared.facts = tuple(_merge_list(old.facts, new.facts, shared))
    return shared


def _merge_list(old: tuple[FactDecl, ...], new: tuple[FactDecl, ...], shared: SharedFacts
                ) -> list[FactDecl]:
    by_new = {f.name: f for f in new}
    out = []
    for a in old:
        b = by_new.get(a.name)
        merged = a if b is None else _merge(a, b, shared)
        if merged is not None:
            out.append(merged)
    names = {a.name for a in old}
    out.extend(b for b in new if b.name not in names)
    return sorted(out, key=lambda f: f.name)


def _merge(a: FactDecl, b: FactDecl, shared: SharedFacts) -> FactDecl | None:
    if a.type != b.type or (a.type == "list" and (a.items is None) != (b.items is None)) or (
            a.type == "list" and a.items is not None and b.items is not None
            and a.items.type != b.items.type):
        required = a.required or b.required
        shared.excluded[a.path] = ("required under " + ("both versions" if a.required and
                                                         b.required else "one version")
                                   if required else "optional under both versions") + \
            f": its type changed from `{a.type}` to `{b.type}`"
        return None
    changes: dict[str, Any] = {}
    if a.enum is not None or b.enum is not None:
        if a.enum is None or b.enum is None:
            changes["enum"] = a.enum if b.enum is None else b.enum
        else:
            changes["enum"] = tuple(v for v in a.enum if v in b.enum)
        if not changes["enum"]:
            shared.excluded[a.path] = ("required" if a.required or b.required else
                                       "optional") + ": no value is allowed by both versions"
            return None
    lo = [x for x in (a.min, b.min) if x is not None]
    hi = [x for x in (a.max, b.max) if x is not None]
    changes["min"] = max(lo) if lo else None
    changes["max"] = min(hi) if hi else None
    if changes["min"] is not None and changes["max"] is not None and \
            changes["min"] > changes["max"]:
        shared.excluded[a.path] = ("required" if a.required or b.required else "optional") + \
            ": no value is within the bounds of both versions"
        return None
    if a.has_default and b.has_default:
        if a.default != b.default or type(a.default) is not type(b.default):
            shared.presence[a.path] = (a.default, b.default)
    else:
        changes["has_default"] = False
        changes["default"] = None
    if a.type == "map":
        changes["fields"] = tuple(_merge_list(a.fields, b.fields, shared))
    return dataclasses.replace(a, **changes)


def project(policy: Policy, dispute: Mapping[str, Any]) -> dict[Any, Any]:
    """The dispute as ``policy`` sees it: facts (and map fields) it does not declare dropped;
    the reserved keys (``escalation``, ``remedies_in_force``, ``as_of``) kept."""
    from ..model.reserved import RESERVED_KEYS

    def keep(decls: tuple[FactDecl, ...], values: Mapping[str, Any]) -> dict[Any, Any]:
        out = {}
        for key, value in values.items():
            decl = next((d for d in decls if d.name == key), None)
            if decl is None:
                continue
            if decl.type == "map" and isinstance(value, Mapping):
                value = keep(decl.fields, value)
            out[key] = value
        return out

    out = keep(policy.facts, {k: v for k, v in dispute.items() if k not in RESERVED_KEYS})
    for key in RESERVED_KEYS:
        if key in dispute:
            out[key] = dispute[key]
    return out
