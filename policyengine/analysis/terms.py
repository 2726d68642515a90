"""The values of the encoding: :class:`Term` (an encoded sub-expression), :class:`Choice` (a
string known to be one of finitely many literals) and :class:`FactVar` (the z3 variable of one
scalar fact).

They live apart from :mod:`~policyengine.analysis.encode` (the fact space that makes them),
:mod:`~policyengine.analysis._cel` (CEL's operators on them) and
:mod:`~policyengine.analysis.witness` (a z3 model -> a dispute), so that those three import this
module and not each other: ``encode`` imports ``_cel`` and ``witness``; neither imports back.

z3-solver ships no type information: a z3 expression is typed :data:`Z3Expr` (``Any`` by
another name), to say where a value is a z3 term.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

from ..core.limits import INT64_MAX, INT64_MIN
from ..model.nodes import FactDecl

#: A z3 expression (``z3.ExprRef``, ``BoolRef``, ``ArithRef``, ...): z3 has no stubs.
Z3Expr: TypeAlias = Any


class FactSource(Protocol):
    """Where a fact space reads its declarations: a :class:`~policyengine.model.nodes.Policy`,
    or the diff's merged declarations of two versions (``diff/space.py``)."""

    @property
    def facts(self) -> tuple[FactDecl, ...]: ...

    def fact(self, name: str) -> FactDecl | None: ...


@dataclass(frozen=True, slots=True)
class Choice:
    """A string known to be one of finitely many literals: ``((condition, value), ...)``, the
    conditions mutually exclusive and, over the domain, exhaustive."""

    alternatives: tuple[tuple[Z3Expr, str], ...]


@dataclass(frozen=True, slots=True)
class Term:
    """An encoded sub-expression. ``kind``: ``bool``, ``int``, ``double``, ``string``, ``null``
    or ``other`` (a value the encoding does not follow, such as a list); inside a walk also
    ``map`` (``value`` is the map fact's declaration), ``list`` and ``mapkeys`` (``value`` is the
    tuple of the items' or keys' terms). ``value`` is a z3 expression (a :class:`Choice` for a
    finite string); ``ok`` holds when it evaluates without error."""

    kind: str
    value: Any
    ok: Z3Expr
    opaque: frozenset[str] = frozenset()
    inexact: frozenset[str] = frozenset()

    @property
    def exact(self) -> bool:
        return not self.opaque and not self.inexact


@dataclass(frozen=True, slots=True)
class FactVar:
    """The z3 variable of one scalar fact (``path`` is dotted: ``partner.tier``)."""

    path: str
    decl: FactDecl
    kind: str  # bool | int | double | enum | string
    var: Z3Expr
    values: tuple[Any, ...] | None = None  # enum values

    def term(self, true: Z3Expr) -> Term:
        if self.kind == "enum":
            return Term("string", Choice(tuple((self.var == i, v)
                                               for i, v in enumerate(self.values or ()))),
                        true)
        return Term(self.kind, self.var, true)


__all__ = ["INT64_MAX", "INT64_MIN", "Choice", "FactSource", "FactVar", "Term", "Z3Expr"]
