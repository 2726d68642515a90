"""What a key means, for completion and hover: the descriptions of the rulebook's JSON Schema
(written from docs/rulebook.md by scripts/schema_descriptions.py)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# fmt.order's sections -> the schema's definitions
_DEFS = {"policy": "metadata", "fact": "fact", "ladder": "ladder", "level": "level",
         "action": "action", "category": "category", "band": "band", "override": "override",
         "remedy": "remedy"}


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    from ..load.schema import load_schema

    schema: dict[str, Any] = load_schema("policy")
    return schema


def key_description(section: str, key: str) -> str | None:
    schema = _schema()
    node = schema if section == "file" else schema.get("$defs", {}).get(_DEFS.get(section, ""))
    if not isinstance(node, dict):
        return None
    prop = node.get("properties", {}).get(key)
    if not isinstance(prop, dict):
        return None
    text = prop.get("markdownDescription") or prop.get("description")
    return str(text) if text else None
