"""The reserved keys of a dispute (``escalation``, ``remedies_in_force``, ``as_of``): keys that
are not facts (RULEBOOK.md, "How a dispute is decided"), each rule written once.

Each key is described here (:data:`ESCALATION`, :data:`REMEDIES_IN_FORCE`, :data:`AS_OF`):
its fields in order, what each holds (a level id of the ladder, a remedy id of the policy, an
ISO date), which are required, where ``null`` counts as absent, and the order rules between
its dates and ``as_of``. Two consumers derive from the descriptions:

* the engine's check (:func:`check_record`, called by ``decide/evaluate.py``), which reports
  every problem at once, each at its path, as an ``invalid_facts`` problem;
* the dispute JSON Schema (:func:`reserved_schema`, :mod:`policyengine.model.dispute_schema`).

What JSON Schema cannot say (a date that does not exist, the order rules) is stated in the
schema's description (``dispute_schema.LIMITS``), which a test holds to these descriptions.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Collection, Mapping

from ..core.errors import Problem
from ..core.suggest import did_you_mean, one_of
from .values import DATE_SCHEMA, check_date, show

_ABSENT: Any = object()
_NULL = {"type": "null"}


@dataclass(frozen=True)
class ReservedField:
    """One field of a reserved record."""

    name: str
    #: ``level`` (a level id of the ladder), ``remedy`` (a remedy id of the policy) or
    #: ``date`` (ISO ``YYYY-MM-DD``; from Python a ``date``)
    kind: str
    required: bool = True
    #: whether ``null`` counts as absent (else a null is a value of the wrong type)
    null_is_absent: bool = False
    #: a date that may not lie before this field's date (the name of an earlier field)
    not_before: str | None = None
    #: whether the date may not lie after ``as_of`` (and the hint when it does)
    not_after_as_of: bool = False
    future_hint: str | None = None


#: what an id of each kind must name, in a problem's words
_IDS_OF = {"level": "a level of the ladder", "remedy": "a remedy of the policy"}


@dataclass(frozen=True)
class ReservedKey:
    """One reserved key: a date (``as_of``), one record or a list of records of its fields."""

    name: str
    description: str  # the dispute schema's description of the key
    shape: str  # "date", "record" or "records"
    fields: tuple[ReservedField, ...] = ()
    noun: str = ""  # how an unknown key's problem names the record ("not a key of ...")
    key_hint: str | None = None  # the hint for an unknown key no known key resembles

    @cached_property
    def keys(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)

    @cached_property
    def plan(self) -> tuple[tuple[str, str, bool, bool, str], ...]:
        """(name, kind, required, null_is_absent, ".name") of each field, in order (for the
        check)."""
        return tuple((f.name, f.kind, f.required, f.null_is_absent, "." + f.name)
                     for f in self.fields)

    @cached_property
    def order_rules(self) -> tuple[tuple[str, str | None, bool, str | None], ...]:
        """(name, not_before, not_after_as_of, future_hint) of each date field with a rule."""
        return tuple((f.name, f.not_before, f.not_after_as_of, f.future_hint)
                     for f in self.fields if f.kind == "date"
                     and (f.not_before is not None or f.not_after_as_of))

    @property
    def spelled(self) -> str:
        """The record's fields as a problem shows them: ``{id, granted_on, last_reviewed?}``."""
        return "{" + ", ".join(f.name + ("" if f.required else "?") for f in self.fields) + "}"


ESCALATION = ReservedKey(
    "escalation", "Where the dispute stands now and since when.", "record",
    (ReservedField("level", "level", null_is_absent=True),
     ReservedField("since", "date", not_after_as_of=True,
                   future_hint="an escalation cannot start in the future")),
    noun="`escalation`", key_hint="use `level` and `since`")
REMEDIES_IN_FORCE = ReservedKey(
    "remedies_in_force", "Remedies granted earlier.", "records",
    (ReservedField("id", "remedy", null_is_absent=True),
     ReservedField("granted_on", "date", not_after_as_of=True),
     ReservedField("last_reviewed", "date", required=False, null_is_absent=True,
                   not_before="granted_on", not_after_as_of=True)),
    noun="a remedy in force")
AS_OF = ReservedKey("as_of", "The decision date (default: today).", "date")

#: every reserved key, in the order the schema lists them; a null value counts as absent
RESERVED: tuple[ReservedKey, ...] = (ESCALATION, REMEDIES_IN_FORCE, AS_OF)
#: the keys of a dispute that are not facts
RESERVED_KEYS = frozenset(k.name for k in RESERVED)


def check_record(key: ReservedKey, raw: Mapping[Any, Any], path: str,
                 ids: Mapping[str, Collection[str]], as_of: _dt.date, problems: list[Any]
                 ) -> dict[str, Any] | None:
    """The fields of one record of ``key`` (absent optional ones None), or None when it has a
    problem; every problem is appended. ``ids`` holds, per id kind, the ids it may name."""
    bad = len(problems)
    keys = key.keys
    if not keys.issuperset(raw):
        for name in raw:
            if name not in keys:
                problems.append(Problem("invalid_facts", f"not a key of {key.noun}",
                                        f"{path}.{name}", "unknown",
                                        hint=did_you_mean(str(name), keys) or key.key_hint))
    got: dict[str, Any] = {}
    for name, kind, required, null_is_absent, suffix in key.plan:
        value = raw.get(name, _ABSENT)
        if value is _ABSENT or (null_is_absent and value is None):
            if required:
                problems.append(Problem("invalid_facts", "required", path + suffix,
                                        "missing"))
            got[name] = None
        elif kind == "date":
            got[name] = check_date(value, path + suffix, problems)
        else:
            got[name] = value
            if value.__class__ is not str or value not in ids[kind]:
                _unknown_id(value, kind, ids[kind], path + suffix, problems)
    for name, not_before, not_after_as_of, future_hint in key.order_rules:
        day = got[name]
        if day is None:
            continue
        if not_before is not None and got[not_before] is not None and day < got[not_before]:
            problems.append(Problem("invalid_facts", f"{day} is before {not_before} "
                                    f"{got[not_before]}", f"{path}.{name}", "order"))
        if not_after_as_of and day > as_of:
            problems.append(Problem("invalid_facts", f"{day} is after as_of {as_of}",
                                    f"{path}.{name}", "order", hint=future_hint))
    return None if len(problems) > bad else got


def _unknown_id(value: Any, kind: str, known: Collection[str], path: str,
                problems: list[Any]) -> None:
    if isinstance(value, str) and value in known:
        return  # a subclass of str naming a known id
    listed = list(known)
    problems.append(Problem("invalid_facts", f"{show(value)} is not {_IDS_OF[kind]}", path,
                            "unknown", hint=did_you_mean(str(value), listed)
                            or (f"use {one_of(listed)}" if listed else None)))


def reserved_schema(key: ReservedKey, ids: Mapping[str, list[str]]) -> dict[str, Any]:
    """The JSON Schema of ``key``'s value (``null`` counts as absent), with ``ids`` per id
    kind: what JSON Schema can say of the rules :func:`check_record` applies."""
    if key.shape == "date":
        return {"description": key.description, "anyOf": [DATE_SCHEMA, _NULL]}
    properties: dict[str, Any] = {}
    for f in key.fields:
        if f.kind == "date":
            one: dict[str, Any] = DATE_SCHEMA
        else:
            one = {"enum": ids[f.kind]} if ids[f.kind] else {"type": "string"}
        properties[f.name] = {"anyOf": [one, _NULL]} if f.null_is_absent and not f.required \
            else one
    record = {"type": "object", "additionalProperties": False,
              "required": [f.name for f in key.fields if f.required],
              "properties": properties}
    value = record if key.shape == "record" else {"type": "array", "items": record}
    return {"description": key.description, "anyOf": [value, _NULL]}


__all__ = ["AS_OF", "ESCALATION", "REMEDIES_IN_FORCE", "RESERVED", "RESERVED_KEYS",
           "ReservedField", "ReservedKey", "check_record", "reserved_schema"]
