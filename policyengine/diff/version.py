"""Semantic-version comparison of policy versions (``3.1.0``, ``2``, ``1.4``, ``2.0.0-rc.1``).

Missing parts count as zero (``1.4`` is ``1.4.0``); a pre-release sorts before its release and
pre-release identifiers compare as Semantic Versioning 2.0.0 says (numbers numerically, below
words); build metadata (``+build.5``) is ignored, so ``1.0.0+a`` and ``1.0.0+b`` are the same
version.
"""

from __future__ import annotations

import re
from typing import Any
from functools import total_ordering

_VERSION = re.compile(r"^([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([0-9A-Za-z.-]+))?"
                      r"(?:\+([0-9A-Za-z.-]+))?$")


@total_ordering
class Version:
    __slots__ = ("text", "release", "pre")

    def __init__(self, text: str):
        m = _VERSION.match(text.strip())
        if not m:
            raise ValueError(f"`{text}` is not a version like 3.1.0")
        self.text = text
        self.release = tuple(int(g) if g is not None else 0 for g in m.group(1, 2, 3))
        self.pre = tuple(m.group(4).split(".")) if m.group(4) else ()

    def _key(self) -> tuple[Any, ...]:
        # a release (no pre-release) sorts after every pre-release of the same numbers
        pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.pre)
        return (self.release, 0 if self.pre else 1, pre)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key()

    def __lt__(self, other: "Version") -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Version({self.text!r})"


def bump_kind(old: str, new: str) -> str | None:
    """``major``, ``minor``, ``patch`` or ``pre-release`` for an increase; None otherwise (or when
    either is not a version)."""
    try:
        a, b = Version(old), Version(new)
    except ValueError:
        return None
    if not b > a:
        return None
    for name, x, y in zip(("major", "minor", "patch"), a.release, b.release):
        if x != y:
            return name
    return "pre-release"


def version_problem(old: str, new: str) -> str | None:
    """Why the step from ``old`` to ``new`` is not an increase, or None when it is."""
    try:
        a, b = Version(old), Version(new)
    except ValueError as exc:
        return str(exc)
    if b == a:
        return f"the version must increase: `{new}` is the same version as `{old}`"
    if b < a:
        return f"the version must increase: `{new}` is lower than `{old}`"
    return None
