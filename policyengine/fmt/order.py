"""The canonical key order of each section of a rulebook, as docs/rulebook.md lists the keys.

``KEY_ORDER`` maps a section name to its keys in order; ``section_of(path)`` names the section a
mapping at a YAML path belongs to. Keys a section does not list (a key another version of the
format adds) keep their relative order after the listed ones. To order a new key, add it to its
section's tuple here (``tests/fmt/test_fmt.py`` checks these tuples against the tables of
docs/rulebook.md, so the documentation and the formatter cannot disagree).
"""

from __future__ import annotations

from typing import Sequence

KEY_ORDER: dict[str, tuple[str, ...]] = {
    "file": ("policy", "facts", "ladder", "actions", "authority", "categories", "overrides",
             "remedies"),
    "policy": ("id", "title", "description", "version", "effective", "expires", "owners"),
    "fact": ("type", "description", "unit", "enum", "min", "max", "default", "fields", "items",
             "sensitive", "derived"),
    "ladder": ("entry", "max_resolution", "levels"),
    "level": ("id", "title", "description", "role", "respond_within", "decide_within", "next",
              "advisory"),
    "action": ("title", "description", "unit"),
    "category": ("id", "title", "description", "class", "confidentiality", "when", "thresholds",
                 "remedies"),
    "band": ("when", "level", "otherwise"),
    "override": ("id", "when", "min_level", "reason"),
    "remedy": ("id", "title", "description", "action", "amount", "when", "sunset",
               "review_every"),
}


def section_of(path: Sequence[str | int]) -> str | None:
    """The section of the mapping at ``path`` (None: keep its keys in the order written, as
    for an authority row or a map fact's ``fields``)."""
    n = len(path)
    if n == 0:
        return "file"
    head = path[0]
    if n == 1:
        return head if head in ("policy", "ladder") else None
    if head == "facts":
        # facts.<name>, then .fields.<name> or .items, any number of times
        rest = list(path[2:])
        while rest:
            if rest[0] == "items":
                rest = rest[1:]
            elif rest[0] == "fields" and len(rest) >= 2:
                rest = rest[2:]
            else:
                return None
        return "fact"
    if head == "ladder" and n == 3 and path[1] == "levels":
        return "level"
    if head == "actions" and n == 2:
        return "action"
    if head == "categories" and isinstance(path[1], int):
        if n == 2:
            return "category"
        if n == 4 and path[2] == "thresholds":
            return "band"
    if head == "overrides" and n == 2:
        return "override"
    if head == "remedies" and n == 2:
        return "remedy"
    return None


def flow_preferred(path: Sequence[str | int]) -> bool:
    """Bands and authority rows are written in flow style when they are short."""
    n = len(path)
    return ((n == 4 and path[0] == "categories" and path[2] == "thresholds")
            or (n == 2 and path[0] == "authority"))


def ordered(keys: Sequence[str], section: str | None) -> list[str]:
    """``keys`` in the canonical order of ``section``."""
    if section is None:
        return list(keys)
    order = KEY_ORDER[section]
    rank = {k: i for i, k in enumerate(order)}
    known = sorted((k for k in keys if k in rank), key=rank.__getitem__)
    return known + [k for k in keys if k not in rank]
