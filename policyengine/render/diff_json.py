"""A policy diff as one JSON object, valid against ``schemas/diff.schema.json``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..diff import PolicyDiff


def render(diff: PolicyDiff) -> str:
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
