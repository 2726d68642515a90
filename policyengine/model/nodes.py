"""The immutable model of a rulebook. Every node remembers where it came from (``span``, and
``path`` into the YAML document); both are ignored by equality, so two policies compare by
meaning, not by layout."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from ..core.calendar import Duration
from ..core.diagnostics import Diagnostic, Span

if TYPE_CHECKING:  # pragma: no cover
    from ..compile.policy import CompiledPolicy
    from ..core.decision import Decision
    from ..load.sourcemap import SourceMap


def _loc() -> Any:
    return field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class Expression:
    """A trigger expression: its text as written, its canonical form and where it is.

    ``element`` names the rule (``categories.pricing.thresholds[1]``); ``offsets[i]`` is the
    character offset in the file of ``text[i]`` (one extra entry for the end), so positions
    inside the expression map back to the YAML file whatever the scalar style.
    """

    text: str = field(compare=False)  # layout: equality and the digest read `canonical`
    canonical: str
    role: str  # "when" or "amount"
    element: str = field(compare=False)
    span: Span | None = _loc()
    offsets: Sequence[int] | None = _loc()  # a range where the scalar reads as written
    analysis: Any = _loc()

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class DerivedCount:
    """A fact the dispute ledger computes instead of the caller (``derived:`` on a fact).

    Its value is the number of *other* disputes of the same policy id opened in the ``within``
    window that ends on the decision date (``as_of - within < opened_on <= as_of``) whose facts
    at each path of ``same`` equal this dispute's (``same: [partner.id, kind]``).
    """

    count: str  # "disputes"
    within: Duration
    same: tuple[str, ...] = ()
    span: Span | None = _loc()


@dataclass(frozen=True, slots=True)
class FactDecl:
    name: str
    path: str  # dotted: partner.tier
    type: str  # string | int | double | bool | map | list
    enum: tuple[Any, ...] | None = None
    min: float | int | None = None
    max: float | int | None = None
    has_default: bool = False
    default: Any = None
    unit: str | None = None
    description: str | None = None
    fields: tuple["FactDecl", ...] = ()
    items: "FactDecl | None" = None
    sensitive: bool = False  # redacted in ledger output, logs and shared memos
    derived: DerivedCount | None = None  # computed by the dispute ledger
    max_items: int | None = None  # list facts: the most items a dispute may give (None: default)
    max_length: int | None = None  # string facts: the longest text (None: the default bound)
    span: Span | None = _loc()

    @property
    def required(self) -> bool:
        """A fact without a default must be given; a map may be left out when all its fields
        have defaults."""
        if self.has_default:
            return False
        if self.type == "map":
            return any(f.required for f in self.fields)
        return True

    def field_named(self, name: str) -> "FactDecl | None":
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def to_declaration(self) -> dict[Any, Any]:
        """The fact in the rulebook's ``facts`` format (for the expression checker)."""
        out: dict[str, Any] = {"type": self.type}
        if self.enum is not None:
            out["enum"] = list(self.enum)
        for key in ("min", "max", "unit", "description", "max_items", "max_length"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.has_default:
            out["default"] = self.default
        if self.fields:
            out["fields"] = {f.name: f.to_declaration() for f in self.fields}
        if self.items is not None:
            out["items"] = self.items.to_declaration()
        return out


@dataclass(frozen=True, slots=True)
class Level:
    id: str
    title: str
    role: str
    decide_within: Duration
    respond_within: Duration | None = None
    next: str | None = None
    advisory: bool = False
    description: str | None = None
    span: Span | None = _loc()
    path: tuple[Any, ...] = _loc()


@dataclass(frozen=True, slots=True)
class Ladder:
    levels: tuple[Level, ...]
    entry: str
    max_resolution: Duration | None = None
    entry_explicit: bool = field(default=False, compare=False)
    span: Span | None = _loc()

    def level(self, level_id: str) -> Level | None:
        for lv in self.levels:
            if lv.id == level_id:
                return lv
        return None


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    title: str
    unit: str | None = None
    description: str | None = None
    span: Span | None = _loc()


@dataclass(frozen=True, slots=True)
class Grant:
    """One cell of the authority matrix: ``limit`` is True (unlimited), False, or a number
    (up to, inclusive)."""

    role: str
    action: str
    limit: bool | int | float
    span: Span | None = _loc()

    def allows(self, amount: float | int | None) -> bool:
        if self.limit is True:
            return True
        if self.limit is False:
            return False
        return amount is None or amount <= self.limit


@dataclass(frozen=True, slots=True)
class Band:
    index: int  # 0-based position in the category's thresholds
    level: str
    when: Expression | None = None  # None: `otherwise`
    span: Span | None = _loc()
    path: tuple[Any, ...] = _loc()

    @property
    def is_otherwise(self) -> bool:
        return self.when is None


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    title: str
    class_: str
    confidentiality: str
    when: Expression
    bands: tuple[Band, ...]
    remedies: tuple[str, ...] = ()
    description: str | None = None
    confidentiality_explicit: bool = field(default=False, compare=False)
    span: Span | None = _loc()
    path: tuple[Any, ...] = _loc()


# -- sooner constructors of the nodes a large rulebook has thousands of -------------------------
# A frozen dataclass's constructor stores each field with ``object.__setattr__``; these fill a
# *draft* (the class's slots, no frozen ``__setattr__``) by plain stores and make it the node
# (assigning ``__class__``, which Python allows between classes of the same layout): the same
# frozen node, fields, equality, hash and refusal of assignment. Pinned by
# ``tests/unit/test_model_constructors.py``.
_DRAFTS: dict[type, type] = {
    cls: type(f"_{cls.__name__}Draft", (), {"__slots__": cls.__slots__})
    for cls in (Expression, Band, Category)}


def new_expression(text: str, canonical: str, role: str, element: str,
                   span: Span | None = None, offsets: Sequence[int] | None = None,
                   analysis: Any = None) -> Expression:
    d: Any = _DRAFTS[Expression]()
    d.text, d.canonical, d.role, d.element = text, canonical, role, element
    d.span, d.offsets, d.analysis = span, offsets, analysis
    d.__class__ = Expression
    made: Expression = d
    return made


def new_band(index: int, level: str, when: Expression | None = None, span: Span | None = None,
             path: Any = None) -> Band:
    d: Any = _DRAFTS[Band]()
    d.index, d.level, d.when, d.span, d.path = index, level, when, span, path
    d.__class__ = Band
    made: Band = d
    return made


def new_category(id: str, title: str, class_: str, confidentiality: str, when: Expression,
                 bands: tuple[Band, ...], remedies: tuple[str, ...] = (),
                 description: str | None = None, confidentiality_explicit: bool = False,
                 span: Span | None = None, path: Any = None) -> Category:
    d: Any = _DRAFTS[Category]()
    d.id, d.title, d.class_, d.confidentiality, d.when = id, title, class_, confidentiality, when
    d.bands, d.remedies, d.description = bands, remedies, description
    d.confidentiality_explicit, d.span, d.path = confidentiality_explicit, span, path
    d.__class__ = Category
    made: Category = d
    return made


@dataclass(frozen=True, slots=True)
class Override:
    id: str
    when: Expression
    min_level: str
    reason: str
    span: Span | None = _loc()
    path: tuple[Any, ...] = _loc()


@dataclass(frozen=True, slots=True)
class Remedy:
    id: str
    title: str
    action: str
    amount: Expression | None = None
    when: Expression | None = None
    sunset: Duration | None = None
    review_every: Duration | None = None
    description: str | None = None
    span: Span | None = _loc()
    path: tuple[Any, ...] = _loc()


@dataclass(frozen=True, slots=True)
class CalendarRule:
    """One business calendar as written: the top level of ``calendar:`` or one ``regions``
    entry. A key left out is None (a region inherits it from the top level)."""

    timezone: str | None = None
    holidays: str | None = None
    closed: tuple[tuple[_dt.date, _dt.date], ...] | None = None  # inclusive ranges
    weekend: tuple[int, ...] | None = None  # Monday = 0
    roll: str | None = None  # "none" | "next"
    span: Span | None = _loc()
    path: tuple[Any, ...] = field(default=(), compare=False, hash=False, repr=False)

    def inherit(self, base: "CalendarRule") -> "CalendarRule":
        """This entry with every unset key taken from ``base``."""
        return CalendarRule(
            self.timezone if self.timezone is not None else base.timezone,
            self.holidays if self.holidays is not None else base.holidays,
            self.closed if self.closed is not None else base.closed,
            self.weekend if self.weekend is not None else base.weekend,
            self.roll if self.roll is not None else base.roll, span=self.span, path=self.path)


@dataclass(frozen=True, slots=True)
class CalendarDecl:
    """``calendar:``: the top-level calendar, the fact (``by``) whose value picks a ``regions``
    entry, and the entries in file order."""

    base: CalendarRule
    by: str | None = None
    regions: tuple[tuple[str, CalendarRule], ...] = ()
    span: Span | None = _loc()


@dataclass(frozen=True, slots=True)
class Metadata:
    id: str
    title: str
    version: str
    effective: _dt.date
    expires: _dt.date | None
    owners: tuple[str, ...]
    description: str | None = None
    span: Span | None = _loc()


@dataclass(frozen=True, eq=False)
class Policy:
    """A loaded rulebook. Immutable; compare two policies with ``==`` to compare their meaning.

    ``warnings`` holds the non-fatal diagnostics found while loading; ``digest`` is the sha256
    of the canonical serialization (comments and layout do not change it). Two policies are
    equal exactly when their digests are: the same meaning, whatever the layout, quoting,
    spacing of expressions or order of mappings.

    The model is data: its fields hold no compiled program. ``compiled``, ``digest`` and
    ``evaluate`` are conveniences that ask the compiled layer (``policyengine.compile.policy.program``
    remembers the program of each live policy object, and leaves it on the object as the
    private, non-field attribute ``_program``: one attribute read per decision instead of a
    lookup). That cache is never compared, hashed, copied or pickled, and
    ``dataclasses.replace(policy, ...)`` builds a new object without it, so the new policy
    decides, and hashes, by its own content. (Not slotted, so that the compiled layer can refer
    to it weakly and leave the cache on it.)
    """

    meta: Metadata
    facts: tuple[FactDecl, ...]
    ladder: Ladder
    actions: tuple[Action, ...]
    authority: tuple[Grant, ...]
    categories: tuple[Category, ...]
    overrides: tuple[Override, ...]
    remedies: tuple[Remedy, ...]
    calendar: CalendarDecl | None = None
    path: str | None = _loc()
    warnings: tuple[Diagnostic, ...] = field(default=(), compare=False, hash=False, repr=False)
    sourcemap: "SourceMap | None" = _loc()

    # -- lookups -----------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> str:
        return self.meta.version

    def fact(self, name: str) -> FactDecl | None:
        for f in self.facts:
            if f.name == name:
                return f
        return None

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def remedy(self, remedy_id: str) -> Remedy | None:
        return next((r for r in self.remedies if r.id == remedy_id), None)

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.actions if a.id == action_id), None)

    def grant(self, role: str, action: str) -> Grant | None:
        return next((g for g in self.authority if g.role == role and g.action == action), None)

    def declarations(self) -> dict[str, Any]:
        """The facts in the rulebook's ``facts`` format."""
        return {f.name: f.to_declaration() for f in self.facts}

    def span_at(self, *path: Any) -> Span | None:
        """The span of a node of the YAML document (nearest ancestor when absent)."""
        return self.sourcemap.value_span(path) if self.sourcemap is not None else None

    # -- conveniences over the compiled layer ----------------------------------------------
    @property
    def compiled(self) -> CompiledPolicy:
        """The compiled decision procedure (``policyengine.compile.policy.program(policy)``)."""
        return _LAYER.compile(self)

    @property
    def digest(self) -> str:
        return _LAYER.compile(self).digest

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self is other or self.digest == other.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def evaluate(self, dispute: Mapping[str, Any], *,
                 as_of: _dt.date | _dt.datetime | str | None = None) -> "Decision":
        """Decide a dispute (facts plus the reserved keys ``escalation`` and
        ``remedies_in_force``) as of a date (default: today). Raises DisputeError."""
        try:
            cp = self._program  # type: ignore[attr-defined]  # left by the compiled layer
        except AttributeError:
            cp = _LAYER.compile(self)
        return _LAYER.evaluate(cp, dispute, as_of=as_of)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle and copy the fields only: the compiled program (``_program``) is made again
        by the copy's first use."""
        state = dict(self.__dict__)
        state.pop("_program", None)
        return state


class _Layer:
    """The two functions of the layers above that the conveniences of :class:`Policy` call.
    The model imports nothing above it: ``policyengine.compile.policy`` installs ``compile`` and
    ``policyengine.decide.evaluate`` installs ``evaluate`` when they are imported (``import
    policyengine`` imports both)."""

    __slots__ = ("compile", "evaluate")

    def __init__(self) -> None:
        self.compile: Callable[[Policy], CompiledPolicy] = _missing
        self.evaluate: Callable[..., Decision] = _missing


def _missing(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("the compiled layer is not loaded: `import policyengine` (or load the "
                       "policy with policyengine.load_policy) before evaluating")


_LAYER = _Layer()


def use_compiler(compile: Callable[[Policy], CompiledPolicy]) -> None:
    """Install the compiler (``policyengine.compile.policy.program``) behind ``Policy.compiled``."""
    _LAYER.compile = compile


def use_evaluator(evaluate: Callable[..., Decision]) -> None:
    """Install ``evaluate.evaluate_compiled`` behind ``Policy.evaluate``."""
    _LAYER.evaluate = evaluate
