"""Shared declarations for the expression tests (the facts of RULEBOOK.md's example)."""

from __future__ import annotations

import pytest

FACTS = {
    "kind": {"type": "string", "enum": ["pricing", "territory", "exclusivity", "lead_routing"]},
    "amount": {"type": "double", "min": 0, "unit": "USD"},
    "region": {"type": "string", "enum": ["NA", "EMEA", "APAC", "LATAM"]},
    "partner": {"type": "map", "fields": {
        "tier": {"type": "string", "enum": ["platinum", "gold", "silver", "registered"]},
        "exclusive": {"type": "bool", "default": False}}},
    "recurrences_90d": {"type": "int", "min": 0, "default": 0},
    "priority": {"type": "int", "enum": [1, 2, 3]},
    "tags": {"type": "list", "items": {"type": "string"}},
    "scores": {"type": "list", "items": {"type": "double"}},
    "compliance_flag": {"type": "bool"},
    "note": {"type": "string"},
}

BINDINGS = {
    "kind": "pricing", "amount": 120000.0, "region": "EMEA",
    "partner": {"tier": "gold", "exclusive": False}, "recurrences_90d": 4, "priority": 2,
    "tags": ["urgent", "vip"], "scores": [0.5, 2.0], "compliance_flag": False, "note": "ma\u00f1ana",
}


@pytest.fixture
def facts():
    return FACTS


@pytest.fixture
def bindings():
    return dict(BINDINGS)
