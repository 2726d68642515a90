"""The exception tree of policyengine.

Every error the library raises on purpose is a :class:`PolicyengineError`, and also a
:class:`ValueError`, so ``except ValueError`` keeps working for callers that do not care::

    PolicyengineError (ValueError)
     +-- PolicyError            a rulebook cannot be loaded; ``.diagnostics`` lists every problem
     +-- DisputeError           a dispute cannot be decided; ``.problems`` lists every problem
     +-- ExpressionError        a trigger expression is wrong; ``.span`` locates it in the text
          +-- ExpressionSyntaxError   it does not parse
          +-- ExpressionTypeError     it does not type-check against the declarations
          +-- ExpressionEvalError     evaluating it failed (division by zero, overflow, ...)

Exceptions carry structured records, not only strings: render them however you like.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from .diagnostics import Diagnostic


class PolicyengineError(ValueError):
    """Base class of every error policyengine raises on purpose."""


class PolicyError(PolicyengineError):
    """A rulebook could not be loaded. ``diagnostics`` holds every problem found (errors first)."""

    def __init__(self, diagnostics: Iterable["Diagnostic"], message: str | None = None):
        self.diagnostics: tuple["Diagnostic", ...] = tuple(diagnostics)
        if message is None:
            errors = [d for d in self.diagnostics if d.severity.value == "error"]
            first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
            if first is None:
                message = "the policy could not be loaded"
            else:
                more = len(errors) - 1
                message = first.format_line() + (f" (and {more} more error(s))" if more > 0 else "")
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a dispute was refused.

    ``code`` is one of the refusal codes of RULEBOOK.md (``invalid_facts``, ``unclassified``,
    ``threshold_gap``, ``policy_not_in_force``, ``evaluation_error``, ``outside_calendar``); ``detail`` refines
    ``invalid_facts`` (``missing``, ``type``, ``enum``, ``min``, ``max``, ``unknown``, ``date``);
    ``path`` is the dotted fact path where one applies (``partner.tier``).
    """

    code: str
    message: str
    path: str | None = None
    detail: str | None = None
    hint: str | None = None

    def to_dict(self) -> dict[Any, Any]:
        out = {"code": self.code, "message": self.message}
        if self.path is not None:
            out["path"] = self.path
        if self.detail is not None:
            out["detail"] = self.detail
        if self.hint is not None:
            out["hint"] = self.hint
        return out

    def format_line(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.code}: {where}{self.message}"


class DisputeError(PolicyengineError):
    """A dispute could not be decided. ``problems`` lists every problem at once."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("DisputeError needs at least one problem")
        head = self.problems[0].format_line()
        more = len(self.problems) - 1
        super().__init__(head + (f" (and {more} more problem(s))" if more else ""))

    @property
    def code(self) -> str:
        """The code of the first problem (all problems of one refusal share a stage)."""
        return self.problems[0].code


class ExpressionError(PolicyengineError):
    """A trigger expression could not be parsed, checked or evaluated.

    ``span`` is ``(start, end)`` as 0-based character offsets into ``text`` (end exclusive), or
    None; ``line`` and ``column`` are 1-based inside the expression text; ``code`` is the lint code.
    """

    code = "PE601"
    #: every issue of the expression (set by ``compile_expression``; the message is the first)
    issues: tuple[object, ...] = ()

    def __init__(
        self,
        message: str,
        *,
        text: str | None = None,
        span: tuple[int, int] | None = None,
        hint: str | None = None,
        code: str | None = None,
    ):
        self.message = message
        self.text = text
        self.span = span
        self.hint = hint
        if code is not None:
            self.code = code
        self.line: int | None = None
        self.column: int | None = None
        if text is not None and span is not None:
            start = min(max(span[0], 0), len(text))
            self.line = text.count("\n", 0, start) + 1
            self.column = start - (text.rfind("\n", 0, start) + 1) + 1
        where = f"{self.line}:{self.column}: " if self.line is not None else ""
        super().__init__(where + message + (f" ({hint})" if hint else ""))


class ExpressionSyntaxError(ExpressionError):
    """The expression does not parse."""

    code = "PE601"


class ExpressionTypeError(ExpressionError):
    """The expression does not type-check against its declarations."""

    code = "PE605"


class ExpressionEvalError(ExpressionError):
    """Evaluating the expression failed (division by zero, overflow, no such key, ...)."""

    code = "evaluation_error"
