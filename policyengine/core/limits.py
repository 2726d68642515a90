"""The bounds a rulebook and its disputes live within, in one place (docs/bad-input.md lists
them with how to raise each). Imports nothing: every stage may read it."""

from __future__ import annotations

#: CEL's int is a 64-bit signed integer: an int fact's values, bounds and default lie in it.
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1

#: The most items a list fact may hold in a dispute, unless the fact declares ``max_items``.
DEFAULT_MAX_ITEMS = 10_000

#: The longest text (in characters) a string fact may hold, unless it declares ``max_length``.
DEFAULT_MAX_LENGTH = 100_000

#: Steps one evaluation of one expression may take: about a tenth of a second of Python
#: (``expr/cost.py`` holds the cost model). Kubernetes bounds each CEL expression by
#: 1,000,000 cost units (``PerCallLimit``) for Go's evaluator, one to two orders of magnitude
#: faster per step.
STEP_BUDGET = 100_000

__all__ = ["DEFAULT_MAX_ITEMS", "DEFAULT_MAX_LENGTH", "INT64_MAX", "INT64_MIN", "STEP_BUDGET"]
