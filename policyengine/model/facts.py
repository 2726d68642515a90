"""Dispute facts -> normalized facts, every problem at once with its dotted path.

Defaults are applied; a missing required fact, a wrong type, a value outside ``enum``, ``min`` or
``max``, or an undeclared fact is a problem. Nothing is coerced except the one widening the
rulebook allows: an integer given for a ``double`` fact. A boolean is never a number. The input
is never mutated: normalized maps and lists are new objects.

What a valid value of a fact is lives in one place, next to the declarations:
:mod:`policyengine.model.values`. This module is the dispute stage's name for it.
"""

from __future__ import annotations

from .values import (Checker, checker_for, default_of, describe, fields_checker, show,
                     unicode_problem)

__all__ = ["Checker", "checker_for", "default_of", "describe", "fields_checker", "show",
           "unicode_problem"]
