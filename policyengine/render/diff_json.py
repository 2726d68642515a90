"""A policy diff as one JSON object, valid against ``schemas/diff.schema.json``."""

from __future__ import annotations

import json


def render(diff) -> str:
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
