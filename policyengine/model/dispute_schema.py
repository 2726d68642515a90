"""The JSON Schema of one policy's disputes, generated from its ``facts`` (so integrators can
validate upstream), and the reserved keys ``escalation``, ``remedies_in_force`` and ``as_of``.

Each reserved key's schema comes from its description in :mod:`policyengine.model.reserved`,
the same the engine's check of the reserved keys derives from.

Each fact's schema comes from :func:`policyengine.model.values.fact_schema`: the same table of
types and the same bounds as the engine's checker (a property test checks they agree)."""

from __future__ import annotations

from typing import Any

from .nodes import Policy
from .reserved import RESERVED, reserved_schema
from .values import DATE_SCHEMA, INT_NOTE, fact_schema, object_schema

DATE = DATE_SCHEMA
LIMITS = ("What this schema cannot check, and the engine refuses: 3.0 (or 3e0) for an int fact "
          "(JSON Schema counts it an integer); a date that does not exist (2026-02-30); "
          "`escalation.since`, `granted_on` or `last_reviewed` after `as_of`, and "
          "`last_reviewed` before `granted_on`; a date computed beyond the year 9999.")


def dispute_schema(policy: Policy) -> dict[str, Any]:
    schema = object_schema(policy.facts)
    ids = {"level": [lv.id for lv in policy.ladder.levels],
           "remedy": [r.id for r in policy.remedies]}
    # a reserved key given as null is as if it were absent (the engine skips it)
    for key in RESERVED:
        schema["properties"][key.name] = reserved_schema(key, ids)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:policyengine:dispute:{policy.meta.id}:{policy.meta.version}",
        "title": f"A dispute under {policy.meta.title} ({policy.meta.version})",
        "description": LIMITS,
        **schema,
    }


__all__ = ["DATE", "INT_NOTE", "LIMITS", "dispute_schema", "fact_schema"]
