"""The JSON Schema of one policy's disputes, generated from its ``facts`` (so integrators can
validate upstream), and the reserved keys ``escalation``, ``remedies_in_force`` and ``as_of``."""

from __future__ import annotations

from typing import Any

from .model.nodes import FactDecl, Policy

DATE = {"type": "string", "format": "date",
        "pattern": "^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"}
#: what the engine checks and JSON Schema cannot say (the schema's and each int's description)
INT_NOTE = ("an integer written without a fraction or an exponent: the engine refuses 3.0 "
            "for an int fact, but JSON Schema counts 3.0 as an integer and cannot tell them "
            "apart, so this schema accepts it")
LIMITS = ("What this schema cannot check, and the engine refuses: 3.0 (or 3e0) for an int fact "
          "(JSON Schema counts it an integer); a date that does not exist (2026-02-30); "
          "`escalation.since`, `granted_on` or `last_reviewed` after `as_of`, and "
          "`last_reviewed` before `granted_on`; a date computed beyond the year 9999.")


def fact_schema(f: FactDecl) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if f.description:
        out["description"] = f.description + (f" ({f.unit})" if f.unit else "")
    elif f.unit:
        out["description"] = f"in {f.unit}"
    if f.type == "string":
        out["type"] = "string"
        if f.max_length is not None:
            out["maxLength"] = f.max_length
    elif f.type == "int":
        out["type"] = "integer"
        out["description"] = (out["description"] + "; " if "description" in out else "") + \
            INT_NOTE
        out["minimum"] = -(2 ** 63)
        out["maximum"] = 2 ** 63 - 1
    elif f.type == "double":
        out["type"] = "number"
    elif f.type == "bool":
        out["type"] = "boolean"
    elif f.type == "list":
        out["type"] = "array"
        out["items"] = fact_schema(f.items) if f.items is not None else {}
        if f.max_items is not None:
            out["maxItems"] = f.max_items
    elif f.type == "map":
        out.update(_object(f.fields))
    if f.enum is not None:
        out["enum"] = list(f.enum)
    if f.min is not None:
        out["minimum"] = f.min
    if f.max is not None:
        out["maximum"] = f.max
    if f.has_default:
        out["default"] = f.default
    return out


def _object(fields: tuple[FactDecl, ...]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False,
            "properties": {f.name: fact_schema(f) for f in fields},
            "required": [f.name for f in fields if f.required]}


def dispute_schema(policy: Policy) -> dict[str, Any]:
    schema = _object(policy.facts)
    levels = [lv.id for lv in policy.ladder.levels]
    remedies = [r.id for r in policy.remedies]
    schema["properties"]["escalation"] = {
        "description": "Where the dispute stands now and since when.",
        "type": "object", "additionalProperties": False, "required": ["level", "since"],
        "properties": {"level": {"enum": levels}, "since": DATE}}
    schema["properties"]["remedies_in_force"] = {
        "description": "Remedies granted earlier.",
        "type": "array",
        "items": {"type": "object", "additionalProperties": False,
                  "required": ["id", "granted_on"],
                  "properties": {"id": {"enum": remedies} if remedies else {"type": "string"},
                                 "granted_on": DATE,
                                 "last_reviewed": {"anyOf": [DATE, {"type": "null"}]}}}}
    schema["properties"]["as_of"] = dict(DATE, description="The decision date (default: today).")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:policyengine:dispute:{policy.meta.id}:{policy.meta.version}",
        "title": f"A dispute under {policy.meta.title} ({policy.meta.version})",
        "description": LIMITS,
        **schema,
    }
