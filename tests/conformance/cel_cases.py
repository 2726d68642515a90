"""Loading and judging the shared CEL conformance cases (see ../shared/cel-conformance/README.md)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "cel-conformance"
SKIPS_FILE = Path(__file__).with_name("skips.json")


def case_id(case: dict) -> str:
    return f"{case['file']}/{case['section']}/{case['name']}"


def load_cases(name: str) -> list[dict]:
    path = SHARED / name
    if not path.is_file():
        return []
    return json.loads(path.read_text("utf-8"))


def load_skips() -> dict[str, dict[str, str]]:
    """``{cases file: {case id: reason}}``."""
    data = json.loads(SKIPS_FILE.read_text("utf-8"))
    return {name: {s["case"]: s["reason"] for s in entries}
            for name, entries in data.items() if not name.startswith("$")}


def decode(value: Any) -> Any:
    """A value in the cases' JSON encoding -> the plain Python value."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "null" in value:
            return None
        if "int" in value:
            return int(value["int"])
        if "double" in value:
            return float(value["double"].replace("Infinity", "inf"))
        if "list" in value:
            return [decode(v) for v in value["list"]]
        if "map" in value:
            return {decode(k): decode(v) for k, v in value["map"]}
    raise ValueError(f"cannot decode {value!r}")


def same(actual: Any, expected: Any) -> bool:
    """The judging rule: CEL equality where the type matters, maps unordered, NaN matches NaN."""
    ta, te = type(actual), type(expected)
    if ta is not te and not (ta in (list, tuple) and te is list):
        return False
    if te is float:
        if math.isnan(expected):
            return math.isnan(actual)
        return actual == expected
    if te is list:
        return len(actual) == len(expected) and all(same(a, e) for a, e in zip(actual, expected))
    if te is dict:
        if len(actual) != len(expected):
            return False
        for key, value in expected.items():
            match = [k for k in actual if type(k) is type(key) and k == key]
            if not match or not same(actual[match[0]], value):
                return False
        return True
    return actual == expected
