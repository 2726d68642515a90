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
from typing import Any, Callable, Collection, Mapping

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


RecordCheck = Callable[[Mapping[Any, Any], str, Mapping[str, Collection[str]], _dt.date,
                        list[Any]], "dict[str, Any] | None"]


def check_record(key: ReservedKey, raw: Mapping[Any, Any], path: str,
                 ids: Mapping[str, Collection[str]], as_of: _dt.date, problems: list[Any]
                 ) -> dict[str, Any] | None:
    """The fields of one record of ``key`` (absent optional ones None), or None when it has a
    problem; every problem is appended, in a fixed order: undeclared keys, then each field in
    order (missing, not an id of its kind, not a date), then the order rules of each date.
    ``ids`` holds, per id kind, the ids it may name."""
    check = _CHECKS.get(key.name)
    if check is None:
        check = _CHECKS[key.name] = _compile(key)
    return check(raw, path, ids, as_of, problems)


_CHECKS: dict[str, RecordCheck] = {}


def _compile(key: ReservedKey) -> RecordCheck:
    """The check of ``key`` as straight-line Python, generated from its description alone
    (names and words enter through ``repr``; helpers and constants are globals): a decision
    with an escalation pays for two dictionary reads and a date, not for a loop over a
    description."""
    env: dict[str, Any] = {"_ABSENT": _ABSENT, "_Problem": Problem, "_str": str, "str": str,
                           "_check_date": check_date, "_unknown_keys": _unknown_keys,
                           "_unknown_id": _unknown_id, "_key": key, "_keys": key.keys}
    lines = ["def check(raw, path, ids, as_of, problems):",
             "    bad = len(problems)",
             "    if not _keys.issuperset(raw):",
             "        _unknown_keys(_key, raw, path, problems)"]
    var = {f.name: f"v{i}" for i, f in enumerate(key.fields)}
    for f in key.fields:
        v, at = var[f.name], f"path + {'.' + f.name!r}"
        absent = f"{v} is _ABSENT" + (f" or {v} is None" if f.null_is_absent else "")
        lines += [f"    {v} = raw.get({f.name!r}, _ABSENT)", f"    if {absent}:"]
        if f.required:
            lines.append(f"        problems.append(_Problem('invalid_facts', 'required', {at}, "
                         "'missing'))")
        lines += [f"        {v} = None", "    else:"]
        if f.kind == "date":
            lines.append(f"        {v} = _check_date({v}, {at}, problems)")
        else:
            lines += [f"        if {v}.__class__ is not _str or {v} not in ids[{f.kind!r}]:",
                      f"            _unknown_id({v}, {f.kind!r}, ids[{f.kind!r}], {at}, "
                      "problems)"]
    for f in key.fields:
        if f.kind != "date" or (f.not_before is None and not f.not_after_as_of):
            continue
        v, at = var[f.name], f"path + {'.' + f.name!r}"
        lines.append(f"    if {v} is not None:")
        if f.not_before is not None:
            w = var[f.not_before]
            lines += [f"        if {w} is not None and {v} < {w}:",
                      f"            problems.append(_Problem('invalid_facts', str({v}) + "
                      f"{' is before ' + f.not_before + ' '!r} + str({w}), {at}, 'order'))"]
        if f.not_after_as_of:
            lines += [f"        if {v} > as_of:",
                      f"            problems.append(_Problem('invalid_facts', str({v}) + "
                      f"' is after as_of ' + str(as_of), {at}, 'order', "
                      f"hint={f.future_hint!r}))"]
    lines += ["    if len(problems) > bad:", "        return None",
              "    return {" + ", ".join(f"{f.name!r}: {var[f.name]}" for f in key.fields) + "}"]
    exec(compile("\n".join(lines) + "\n", f"<policyengine {key.name} check>", "exec"), env)
    check: RecordCheck = env["check"]  # generated from the description above, never user text
    return check


def _unknown_keys(key: ReservedKey, raw: Mapping[Any, Any], path: str,
                  problems: list[Any]) -> None:
    for name in raw:
        if name not in key.keys:
            problems.append(Problem("invalid_facts", f"not a key of {key.noun}",
                                    f"{path}.{name}", "unknown",
                                    hint=did_you_mean(str(name), key.keys) or key.key_hint))


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
