"""The records of a structural diff: Added, Removed, Changed(field, before, after) and Moved, each
with the spans of the element in both versions.

``path`` names the element in the rulebook's vocabulary (``categories.pricing.thresholds[1].when``,
``authority.regional_director.price_adjustment``, ``facts.partner.tier.enum``); ``old``/``new`` are
plain JSON values (an added or removed element is its canonical form); ``effect`` says which way
a change goes (``widened``, ``narrowed``, ``longer``, ``shorter``, ``extended``, ``shortened``,
``raised``, ``lowered``, ``cosmetic``, ``reorders``); ``note`` is one line for a human (by how
much, the dates it produces); ``breaking`` marks a change that makes a dispute valid under the old
version invalid under the new one; ``problem`` says what is wrong with the change itself (a
version that does not increase).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..core.diagnostics import Span


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    old: Any = None
    new: Any = None
    effect: str | None = None
    note: str | None = None
    breaking: bool = False
    problem: str | None = None
    old_span: Span | None = field(default=None, compare=False, hash=False)
    new_span: Span | None = field(default=None, compare=False, hash=False)

    kind: ClassVar[str] = "change"

    @property
    def section(self) -> str:
        """The top-level part of the rulebook: ``policy``, ``facts``, ``ladder``, ``roles``,
        ``actions``, ``authority``, ``categories``, ``overrides`` or ``remedies``."""
        return self.path.split(".", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "kind": self.kind, "old": self.old,
                               "new": self.new, "breaking": self.breaking}
        if self.effect is not None:
            out["effect"] = self.effect
        if self.note is not None:
            out["note"] = self.note
        if self.problem is not None:
            out["problem"] = self.problem
        if self.old_span is not None:
            out["old_source"] = str(self.old_span)
        if self.new_span is not None:
            out["new_source"] = str(self.new_span)
        return out

    def mirrored(self) -> "Change":
        """The same change seen from the other side (diff(b, a) for a change of diff(a, b))."""
        kind = _MIRROR_KIND[self.kind]
        effect = None if self.effect is None else _MIRROR_EFFECT.get(self.effect, self.effect)
        return kind(self.path, self.new, self.old, effect,
                    None, False, None, self.new_span, self.old_span)


@dataclass(frozen=True, slots=True)
class Added(Change):
    kind: ClassVar[str] = "added"


@dataclass(frozen=True, slots=True)
class Removed(Change):
    kind: ClassVar[str] = "removed"


@dataclass(frozen=True, slots=True)
class Changed(Change):
    """One field of an element changed from ``before`` to ``after``."""

    kind: ClassVar[str] = "changed"

    @property
    def field(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def before(self) -> Any:
        return self.old

    @property
    def after(self) -> Any:
        return self.new


@dataclass(frozen=True, slots=True)
class Moved(Change):
    """An element kept its content but changed position: ``old``/``new`` are 0-based positions.
    ``effect`` is ``cosmetic`` when the move cannot change any decision, ``reorders`` when it
    can (or cannot be proven not to)."""

    kind: ClassVar[str] = "moved"


_MIRROR_KIND = {"added": Removed, "removed": Added, "changed": Changed, "moved": Moved}
_MIRROR_EFFECT = {"widened": "narrowed", "narrowed": "widened", "longer": "shorter",
                  "shorter": "longer", "extended": "shortened", "shortened": "extended",
                  "raised": "lowered", "lowered": "raised", "now required": "now optional",
                  "now optional": "now required"}
