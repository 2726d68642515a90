"""The trigger-expression language of rulebooks: CEL's core, plus ``and``, ``or``, ``not``.

For integrators::

    from policyengine.expr import compile_expression, ExpressionError
    ce = compile_expression("amount >= 100000.0", {"amount": {"type": "double"}})
    ce.evaluate({"amount": 120000.0})   # True

For the loader, lint and the evaluator: ``Environment``, ``analyze`` (never raises for bad user
text; returns issues with PE6xx codes), ``compile_analysis``, ``parse_expression`` and
``print_expression``. See ``docs/expressions.md``.
"""

from ..core.errors import (ExpressionError, ExpressionEvalError, ExpressionSyntaxError,
                           ExpressionTypeError)
from .check import Analysis, Issue, analyze
from .environment import Environment
from .compile import CompiledExpression, compile_analysis, compile_expression
from .parser import parse_expression
from .printer import print_expression

__all__ = [
    "Analysis",
    "CompiledExpression",
    "Environment",
    "ExpressionError",
    "ExpressionEvalError",
    "ExpressionSyntaxError",
    "ExpressionTypeError",
    "Issue",
    "analyze",
    "compile_analysis",
    "compile_expression",
    "parse_expression",
    "print_expression",
]
