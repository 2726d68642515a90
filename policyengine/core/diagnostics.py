"""Span, Severity and Diagnostic: the one record every check of policyengine emits."""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file: 1-based lines and columns, ``end_column`` exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class _SpanDraft:
    """:class:`Span`'s slots without its frozen ``__setattr__``: :func:`new_span` fills one
    by plain attribute stores and makes it a Span (assigning ``__class__``, which Python allows
    between classes of the same layout), about four times sooner than the frozen constructor.
    A large rulebook's load makes tens of thousands of spans."""

    __slots__ = ("file", "line", "column", "end_line", "end_column")


def new_span(file: str, line: int, column: int, end_line: int, end_column: int) -> Span:
    """``Span(file, line, column, end_line, end_column)``, built sooner (the same frozen
    Span: fields, equality, hash and ``FrozenInstanceError`` on assignment)."""
    draft: Any = _SpanDraft()
    draft.file = file
    draft.line = line
    draft.column = column
    draft.end_line = end_line
    draft.end_column = end_column
    draft.__class__ = Span
    span: Span = draft
    return span


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A coded finding at a place in a file.

    ``message`` is one line, lowercase, with user input in backticks; ``hint`` says what to do;
    ``related`` lists other places that explain the finding (each edge of a cycle, the band that
    shadows another); ``witness`` is a dispute (``{"facts": ..., "as_of": ...}``) that reproduces a
    logic finding; ``fingerprint`` identifies the finding independently of line numbers.
    """

    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    hint: str | None = None
    related: tuple[tuple[str, Span], ...] = ()
    witness: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    element: str | None = None

    @classmethod
    def at(
        cls,
        code: str,
        severity: Severity,
        message: str,
        span: Span | None,
        *,
        file: str | None = None,
        hint: str | None = None,
        related: Iterable[tuple[str, Span]] = (),
        witness: Mapping[str, Any] | None = None,
        element: str | None = None,
    ) -> "Diagnostic":
        """Build a diagnostic located at ``span`` (or at ``file`` alone when there is no span)."""
        if span is None:
            return cls(code, severity, message, file, None, None, None, None, hint,
                       tuple(related), witness, element)
        return cls(code, severity, message, span.file, span.line, span.column, span.end_line,
                   span.end_column, hint, tuple(related), witness, element)

    @property
    def span(self) -> Span | None:
        if self.file is None or self.line is None:
            return None
        return Span(self.file, self.line, self.column or 1, self.end_line or self.line,
                    self.end_column or (self.column or 1) + 1)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def with_severity(self, severity: Severity) -> "Diagnostic":
        return replace(self, severity=severity)

    def location(self) -> str:
        if self.file is None:
            return "<policy>"
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    def format_line(self) -> str:
        """``file:line:col: CODE severity: message``, the first line of the text format."""
        return f"{self.location()}: {self.code} {self.severity.value}: {self.message}"

    def fingerprint(self, where: str | None = None) -> str:
        """The finding's identity across edits that do not touch it (32 hex digits): a hash of
        the code, ``where`` (the file as the output names it: relative to the baseline, the
        SARIF artifact URI; default ``file``) and the element the finding is about (or, when it
        has none, the message with its numbers blanked). Never the line: moving a rule keeps
        its findings' fingerprints. The baseline and SARIF's ``partialFingerprints`` use it."""
        if where is None:
            where = self.file or ""
        blob = "\0".join((self.code, where, self.element or _NUMBERS.sub("#", self.message)))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file or "", self.line or 0, self.column or 0, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "hint": self.hint,
        }
        if self.related:
            out["related"] = [
                {"message": note, "file": s.file, "line": s.line, "column": s.column,
                 "end_line": s.end_line, "end_column": s.end_column}
                for note, s in self.related
            ]
        if self.witness is not None:
            out["witness"] = dict(self.witness)
        return out


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by (file, line, column, code) and drop exact duplicates, keeping the first."""
    seen: set[Diagnostic] = set()
    out: list[Diagnostic] = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        if d in seen:
            continue
        seen.add(d)
        out.append(d)
    return out


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
