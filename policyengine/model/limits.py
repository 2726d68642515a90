"""The bounds a rulebook and its disputes live within, in one place (docs/bad-input.md lists
them with how to raise each)."""

from __future__ import annotations

#: CEL's int is a 64-bit signed integer: an int fact's values, bounds and default lie in it.
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1

#: The most items a list fact may hold in a dispute, unless the fact declares ``max_items``.
DEFAULT_MAX_ITEMS = 10_000

#: The longest text (in characters) a string fact may hold, unless it declares ``max_length``.
DEFAULT_MAX_LENGTH = 100_000

#: Steps one evaluation of one expression may take (CEL's cost units: one per node evaluated,
#: a comprehension's body once per item). Kubernetes bounds each CEL expression by the same
#: 1,000,000. An expression whose worst case (lists and strings at their bounds) is higher
#: is counted at run time; going past the budget refuses the dispute (``evaluation_error``).
STEP_BUDGET = 1_000_000
