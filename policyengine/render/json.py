"""Diagnostics as one JSON object: ``{"diagnostics": [...], "summary": {...}}``."""

from __future__ import annotations

import json
from typing import Any, Iterable

from ..core.diagnostics import Diagnostic, Severity


def to_data(diagnostics: Iterable[Diagnostic], *, files: int = 0) -> dict[Any, Any]:
    items = list(diagnostics)
    return {
        "diagnostics": [d.to_dict() for d in items],
        "summary": {
            "files": files,
            "errors": sum(d.severity is Severity.ERROR for d in items),
            "warnings": sum(d.severity is Severity.WARNING for d in items),
            "infos": sum(d.severity is Severity.INFO for d in items),
        },
    }


def render(diagnostics: Iterable[Diagnostic], *, files: int = 0) -> str:
    return json.dumps(to_data(diagnostics, files=files), indent=2, ensure_ascii=False) + "\n"
