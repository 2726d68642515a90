"""The Decision record: what to do about a dispute, who owns it, by when, and why.

``Decision.to_dict()`` returns plain JSON types (dates as ISO strings) in a fixed key order and
validates against ``schemas/decision.schema.json``; ``Decision.to_json()`` gives its canonical
bytes: the same (policy, facts, as_of) always gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping, TypeVar

from .diagnostics import Span

_R = TypeVar("_R")


def _iso(d: _dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


@dataclass(frozen=True, slots=True)
class CategoryRef:
    id: str
    title: str
    class_: str
    confidentiality: str

    def to_dict(self) -> dict[Any, Any]:
        return {"id": self.id, "title": self.title, "class": self.class_,
                "confidentiality": self.confidentiality}


@dataclass(frozen=True, slots=True)
class LevelRef:
    id: str
    role: str
    title: str

    def to_dict(self) -> dict[Any, Any]:
        return {"id": self.id, "role": self.role, "title": self.title}


@dataclass(frozen=True, slots=True, init=False)
class RemedyOutcome:
    """A remedy the decision requires, who authorizes it, and when it lapses and is reviewed."""

    id: str
    action: str
    amount: float | int | None
    authorized_by: str | None
    expires_on: _dt.date | None
    review_on: _dt.date | None

    def __new__(cls, id: str, action: str, amount: float | int | None,
                authorized_by: str | None, expires_on: _dt.date | None,
                review_on: _dt.date | None) -> RemedyOutcome:
        if cls is RemedyOutcome:  # see "fast construction" below
            return new_outcome(id, action, amount, authorized_by, expires_on, review_on)
        return _filled(cls, id, action, amount, authorized_by, expires_on, review_on)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.id, self.action, self.amount, self.authorized_by, self.expires_on,
                self.review_on)

    def to_dict(self) -> dict[Any, Any]:
        expires, review = self.expires_on, self.review_on
        return {"id": self.id, "action": self.action, "amount": self.amount,
                "authorized_by": self.authorized_by,
                "expires_on": None if expires is None else expires.isoformat(),
                "review_on": None if review is None else review.isoformat()}


@dataclass(frozen=True, slots=True)
class RemedyInForce:
    """A remedy granted earlier, with its expiry and status on ``as_of``:
    ``expired``, ``review_due`` or ``active``."""

    id: str
    granted_on: _dt.date
    last_reviewed: _dt.date | None
    expires_on: _dt.date | None
    review_on: _dt.date | None
    status: str

    def to_dict(self) -> dict[Any, Any]:
        return {"id": self.id, "granted_on": _iso(self.granted_on),
                "last_reviewed": _iso(self.last_reviewed), "expires_on": _iso(self.expires_on),
                "review_on": _iso(self.review_on), "status": self.status}


def _shown(amount: Any) -> str:
    return "" if amount is None else f" for {amount}"


#: The words of each structured trace step: ``(key, args)`` -> text. A decision records the
#: key and the values; the sentence is composed only when someone reads ``detail`` (a renderer,
#: ``to_dict``), not on every decision.
STEP_WORDS: dict[str, Callable[..., str]] = {
    "category": lambda cid: f"category `{cid}` is the first whose condition holds",
    "band": lambda n, level: f"band {n} gives level `{level}`",
    "otherwise": lambda level: f"no earlier band holds: `otherwise` gives level `{level}`",
    "override": lambda oid, reason, level, met: (
        f"override `{oid}` ({reason}) requires at least `{level}`"
        + (": already met" if met else "")),
    "deadline": lambda lid, within, start, end, nxt: (
        f"level `{lid}` had to decide within {within} from {start} (by {end}); it is now due "
        f"at `{nxt}`"),
    "remedy": lambda rid, holds: f"remedy `{rid}` is {'required' if holds else 'not required'}",
    "no_authority": lambda action, amount: f"no role may authorize `{action}`{_shown(amount)}",
    "authority": lambda action, amount, role, lid: (
        f"`{action}`{_shown(amount)} is authorized by `{role}` at level `{lid}`"),
}

#: The names of the arguments of each key of :data:`STEP_WORDS`: ``TraceStep.data`` reads
#: them by name (``step.data["start"]``), so renderers never parse ``detail``.
STEP_ARGS: dict[str, tuple[str, ...]] = {
    "category": ("category",),
    "band": ("number", "level"),
    "otherwise": ("level",),
    "override": ("override", "reason", "level", "met"),
    "deadline": ("level", "within", "start", "end", "next"),
    "remedy": ("remedy", "required"),
    "no_authority": ("action", "amount"),
    "authority": ("action", "amount", "role", "level"),
}


@dataclass(frozen=True, slots=True)
class StepSite:
    """Where a trace step comes from: the part of a decision that depends on the policy only,
    built once at load (``compiled.py``) and shared by every decision's steps.

    ``kind``: ``category``, ``band``, ``override``, ``deadline``, ``remedy``, ``authority`` or
    ``calendar``; ``rule``: the element's dotted path (``categories.pricing.thresholds[1]``, the
    JSON's ``rule``); ``source``: ``file:line:col``; ``expression``: the expression's text where
    one decides; ``element``: the id of the element the step is about (the category of a
    ``category`` or ``band`` step, the override, the remedy of a ``remedy`` or ``authority``
    step, the level whose window passed, the ``regions`` key of a ``calendar`` step or None for
    the top-level calendar); ``index``: a band's 0-based index in its category; ``span``: the
    source span."""

    kind: str
    rule: str
    source: str | None
    expression: str | None = None
    element: str | None = None
    index: int | None = None
    span: Span | None = None


#: the keys whose words depend only on the rulebook (ids, reasons, band numbers, whether a
#: level was met): their sentences are composed once and then reused (a bounded cache keyed
#: on the key and the exact, typed arguments); the others read dates and amounts
_STATIC_WORDS = frozenset({"category", "band", "otherwise", "override", "remedy"})


@functools.lru_cache(maxsize=8192, typed=True)
def _static_words(key: str, *args: Any) -> str:
    return STEP_WORDS[key](*args)


class Rendered(tuple):  # type: ignore[type-arg]
    """Structured words ``(key, args)`` whose sentence was composed once, where they are
    built (at load, for the steps whose words depend on the rulebook only): equal to the plain
    tuple, read the same way, its ``text`` the sentence :data:`STEP_WORDS` gives."""

    text: str

    def __new__(cls, key: str, args: tuple[Any, ...]) -> Rendered:
        self = super().__new__(cls, (key, args))
        self.text = STEP_WORDS[key](*args)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Rendered, (self[0], self[1]))


def rendered(key: str, args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """``(key, args)`` with its sentence composed now (:class:`Rendered`)."""
    words: Any = Rendered(key, args)
    return words  # type: ignore[no-any-return]


def _words(words: str | tuple[str, tuple[Any, ...]]) -> str:
    if type(words) is Rendered:
        text: str = words.text
        return text
    if isinstance(words, str):
        return words
    key, args = words
    if key in _STATIC_WORDS:
        return _static_words(key, *args)
    return STEP_WORDS[key](*args)


@dataclass(frozen=True, slots=True, eq=False, init=False)
class TraceStep:
    """One rule that decided the outcome.

    ``site`` (a :class:`StepSite`) says where it comes from: ``kind``, ``rule``, ``source``,
    ``expression``, ``element``, ``index`` and ``span`` read through it. ``result`` is what the
    expression gave (or the authorizing role of an ``authority`` step); ``values``: the facts
    it read; ``detail``: the step in words.

    ``words`` is either the sentence itself (a ``calendar`` step) or, as the evaluator records
    it, structured data ``(key, args)`` with a key of :data:`STEP_WORDS`; ``data`` names the
    args (:data:`STEP_ARGS`), ``detail`` is the sentence either way. Renderers read these
    fields, never the text of ``rule`` or ``detail``. Two steps are equal when they say the
    same thing, whichever form they were given in.
    """

    site: StepSite
    result: Any
    values: tuple[tuple[str, Any], ...]
    words: str | tuple[str, tuple[Any, ...]]

    def __new__(cls, site: StepSite, result: Any, values: tuple[tuple[str, Any], ...],
                words: str | tuple[str, tuple[Any, ...]]) -> TraceStep:
        if cls is TraceStep:  # see "fast construction" below
            return new_step(site, result, values, words)
        return _filled(cls, site, result, values, words)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.site, self.result, self.values, self.words)

    @classmethod
    def of(cls, kind: str, rule: str, source: str | None, expression: str | None, result: Any,
           values: tuple[tuple[str, Any], ...], words: str | tuple[str, tuple[Any, ...]], *,
           element: str | None = None, index: int | None = None, span: Span | None = None
           ) -> TraceStep:
        """A step with a site of its own (the evaluator shares sites built at load)."""
        return cls(StepSite(kind, rule, source, expression, element, index, span), result,
                   values, words)

    @property
    def kind(self) -> str:
        return self.site.kind

    @property
    def rule(self) -> str:
        return self.site.rule

    @property
    def source(self) -> str | None:
        return self.site.source

    @property
    def expression(self) -> str | None:
        return self.site.expression

    @property
    def element(self) -> str | None:
        return self.site.element

    @property
    def index(self) -> int | None:
        return self.site.index

    @property
    def span(self) -> Span | None:
        return self.site.span

    @property
    def key(self) -> str | None:
        """The key of :data:`STEP_WORDS` the step was recorded with (None for plain words)."""
        words = self.words
        return None if isinstance(words, str) else words[0]

    @property
    def data(self) -> dict[str, Any]:
        """The recorded values by name (:data:`STEP_ARGS`); empty for plain words."""
        words = self.words
        if isinstance(words, str):
            return {}
        return dict(zip(STEP_ARGS[words[0]], words[1]))

    @property
    def detail(self) -> str:
        return _words(self.words)

    def _key(self) -> tuple[Any, ...]:
        site = self.site
        return (site.kind, site.rule, site.source, site.expression, self.result, self.values,
                self.detail)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TraceStep):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def to_dict(self) -> dict[str, Any]:
        site = self.site
        words = self.words
        return {"kind": site.kind, "rule": site.rule, "source": site.source,
                "expression": site.expression, "result": self.result,
                "values": dict(self.values),
                "detail": _words(words)}


@dataclass(frozen=True, slots=True)
class DecisionWarning:
    code: str
    message: str
    rule: str | None = None

    def to_dict(self) -> dict[Any, Any]:
        return {"code": self.code, "message": self.message, "rule": self.rule}


@dataclass(frozen=True, slots=True, init=False)
class Decision:
    policy_id: str
    policy_version: str
    digest: str
    as_of: _dt.date
    category: CategoryRef
    level: LevelRef
    action: str  # "escalate" or "handle"
    respond_by: _dt.date | None
    decide_by: _dt.date
    remedies: tuple[RemedyOutcome, ...]
    remedies_in_force: tuple[RemedyInForce, ...]
    trace: tuple[TraceStep, ...]
    warnings: tuple[DecisionWarning, ...]
    #: the business calendar that applied (region, timezone, holidays, weekend, roll); None
    #: when the policy has no ``calendar:`` (then ``to_dict`` has no ``calendar`` key)
    calendar: Mapping[str, Any] | None = None

    def __new__(cls, policy_id: str, policy_version: str, digest: str, as_of: _dt.date,
                category: CategoryRef, level: LevelRef, action: str,
                respond_by: _dt.date | None, decide_by: _dt.date,
                remedies: tuple[RemedyOutcome, ...],
                remedies_in_force: tuple[RemedyInForce, ...], trace: tuple[TraceStep, ...],
                warnings: tuple[DecisionWarning, ...], calendar: Mapping[str, Any] | None = None
                ) -> Decision:
        if cls is Decision:  # see "fast construction" below
            return new_decision(policy_id, policy_version, digest, as_of, category, level,
                                action, respond_by, decide_by, remedies, remedies_in_force,
                                trace, warnings, calendar)
        return _filled(cls, policy_id, policy_version, digest, as_of, category, level, action,
                       respond_by, decide_by, remedies, remedies_in_force, trace, warnings,
                       calendar)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _DecisionDraft.__slots__)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "policy": {"id": self.policy_id, "version": self.policy_version,
                       "digest": self.digest},
            "as_of": self.as_of.isoformat(),
            "category": self.category.to_dict(),
            "level": self.level.to_dict(),
            "action": self.action,
            "respond_by": None if self.respond_by is None else self.respond_by.isoformat(),
            "decide_by": self.decide_by.isoformat(),
            "remedies": [r.to_dict() for r in self.remedies],
            "remedies_in_force": [r.to_dict() for r in self.remedies_in_force],
            "trace": [t.to_dict() for t in self.trace],
            "warnings": [w.to_dict() for w in self.warnings],
        }
        if self.calendar is not None:
            out["calendar"] = {k: list(v) if isinstance(v, list) else v
                               for k, v in self.calendar.items()}
        return out

    def to_json(self, *, indent: int | None = None) -> bytes:
        """Canonical UTF-8 JSON: fixed key order, no insignificant whitespace unless ``indent``."""
        if indent is None:
            data = self.to_dict()
            if _orjson is not None and self._plain_numbers():
                try:  # every number is one orjson spells as the stdlib does (_plain)
                    return _orjson.dumps(data)
                except TypeError:  # a lone surrogate, an integer beyond 64 bits: the stdlib
                    pass
            # one encoder for every decision: json.dumps builds one per call
            return _COMPACT.encode(data).encode("utf-8", errors="backslashreplace")
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False, indent=indent,
                          separators=(",", ": ")
                          ).encode("utf-8", errors="backslashreplace")  # a lone surrogate: \udXXX

    def _plain_numbers(self) -> bool:
        """Every number of the JSON is one orjson writes as the standard library does: the
        numbers of a decision are the remedies' amounts and the facts a step read (its
        ``result`` is a truth value or a role; every other field is text or a date)."""
        for r in self.remedies:
            if not _plain(r.amount):
                return False
        for step in self.trace:
            for _, value in step.values:
                if type(value) is not str and not _plain(value):
                    return False
            if step.result is not True and not _plain(step.result):
                return False
        return True


def _plain(value: Any) -> bool:
    """``value`` holds no float that orjson might spell otherwise than the standard library
    (see :func:`_maybe_other_number`): both write a float of magnitude in [1e-4, 1e16), and zero, as the
    same shortest decimal without an exponent."""
    t = type(value)
    if t is float:
        return bool(value == 0.0 or 1e-4 <= abs(value) < 1e16)
    if t is str or t is bool or t is int or value is None:
        return True
    if t is list or t is tuple:
        return all(_plain(v) for v in value)
    if t is dict:
        return all(_plain(v) for v in value.values())
    return False


# -- fast construction ---------------------------------------------------------------------
# A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` (its own
# ``__setattr__`` refuses): that was about three quarters of a small decision's time. The
# records built for every decision (Decision, TraceStep, RemedyOutcome) are made instead as a
# *draft*: a class with exactly the same slots and no frozen ``__setattr__``, filled by plain
# attribute stores, then turned into the frozen class by assigning ``__class__`` (which Python
# allows between classes of the same layout). Their constructors (``__new__``) do this, so
# the evaluator and anyone else get the same frozen dataclass: same fields, equality, hash,
# repr, ``dataclasses.replace`` and pickling; a subclass is filled the ordinary way.

def _filled(cls: type[_R], *values: Any) -> _R:
    """An instance of a subclass of one of the records, its fields set one by one."""
    obj = object.__new__(cls)
    for f, value in zip(dataclasses.fields(cls), values):  # type: ignore[arg-type]
        object.__setattr__(obj, f.name, value)
    return obj


class _StepDraft:
    __slots__ = ("site", "result", "values", "words")

    def __init__(self, site: StepSite, result: Any, values: tuple[tuple[str, Any], ...],
                 words: str | tuple[str, tuple[Any, ...]]) -> None:
        self.site = site
        self.result = result
        self.values = values
        self.words = words


class _DecisionDraft:
    __slots__ = ("policy_id", "policy_version", "digest", "as_of", "category", "level",
                 "action", "respond_by", "decide_by", "remedies", "remedies_in_force", "trace",
                 "warnings", "calendar")

    def __init__(self, policy_id: str, policy_version: str, digest: str, as_of: _dt.date,
                 category: CategoryRef, level: LevelRef, action: str,
                 respond_by: _dt.date | None, decide_by: _dt.date,
                 remedies: tuple[RemedyOutcome, ...],
                 remedies_in_force: tuple[RemedyInForce, ...], trace: tuple[TraceStep, ...],
                 warnings: tuple[DecisionWarning, ...], calendar: Mapping[str, Any] | None
                 ) -> None:
        self.policy_id = policy_id
        self.policy_version = policy_version
        self.digest = digest
        self.as_of = as_of
        self.category = category
        self.level = level
        self.action = action
        self.respond_by = respond_by
        self.decide_by = decide_by
        self.remedies = remedies
        self.remedies_in_force = remedies_in_force
        self.trace = trace
        self.warnings = warnings
        self.calendar = calendar


class _OutcomeDraft:
    __slots__ = ("id", "action", "amount", "authorized_by", "expires_on", "review_on")

    def __init__(self, id: str, action: str, amount: float | int | None,
                 authorized_by: str | None, expires_on: _dt.date | None,
                 review_on: _dt.date | None) -> None:
        self.id = id
        self.action = action
        self.amount = amount
        self.authorized_by = authorized_by
        self.expires_on = expires_on
        self.review_on = review_on


# the drafts' slots are the frozen classes' (else assigning __class__ fails): a unit test
# checks it (tests/unit/test_decision.py)

#: The draft of each record built per decision, for generated code (compile/decision_code.py):
#: it makes one with ``object.__new__(draft)`` (no ``__init__`` frame), stores each field, then
#: assigns ``__class__`` the frozen record, as :func:`new_step` and its siblings do.
DRAFTS: dict[type, type] = {}


def new_step(site: StepSite, result: Any, values: tuple[tuple[str, Any], ...],
             words: str | tuple[str, tuple[Any, ...]]) -> TraceStep:
    """``TraceStep(site, result, values, words)``, built fast (the evaluator's constructor)."""
    draft: Any = _StepDraft(site, result, values, words)
    draft.__class__ = TraceStep
    return draft  # type: ignore[no-any-return]


def new_outcome(id: str, action: str, amount: float | int | None, authorized_by: str | None,
                expires_on: _dt.date | None, review_on: _dt.date | None) -> RemedyOutcome:
    """``RemedyOutcome(...)`` of the same fields, built fast (the evaluator's constructor)."""
    draft: Any = _OutcomeDraft(id, action, amount, authorized_by, expires_on, review_on)
    draft.__class__ = RemedyOutcome
    return draft  # type: ignore[no-any-return]


def new_decision(policy_id: str, policy_version: str, digest: str, as_of: _dt.date,
                 category: CategoryRef, level: LevelRef, action: str,
                 respond_by: _dt.date | None, decide_by: _dt.date,
                 remedies: tuple[RemedyOutcome, ...],
                 remedies_in_force: tuple[RemedyInForce, ...], trace: tuple[TraceStep, ...],
                 warnings: tuple[DecisionWarning, ...], calendar: Mapping[str, Any] | None
                 ) -> Decision:
    """``Decision(...)`` of the same fields, built fast (the evaluator's constructor)."""
    draft: Any = _DecisionDraft(policy_id, policy_version, digest, as_of, category, level,
                                action, respond_by, decide_by, remedies, remedies_in_force,
                                trace, warnings, calendar)
    draft.__class__ = Decision
    return draft  # type: ignore[no-any-return]


DRAFTS.update({TraceStep: _StepDraft, Decision: _DecisionDraft, RemedyOutcome: _OutcomeDraft})

_COMPACT = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


try:  # a faster encoder, where installed, for what it spells exactly as the standard library
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib does the same job
    _orjson = None  # type: ignore[assignment]

#: what orjson may spell differently from the standard library: a number below 1e-4, which it
#: writes ``1.5e-7`` (the stdlib ``1.5e-07``) or ``0.00001`` (the stdlib ``1e-05``); a large
#: one, which orjson 3.9 and 3.10 write ``1e16`` (the stdlib and orjson 3.13 ``1e+16``). So a
#: number token with any exponent but ``e+``, or starting ``0.0000``, takes the stdlib's path.
#: The search finds each candidate (a digit, ``e``, a digit or ``-``; or ``0.0000``) by C
#: searches for a literal (every digit read as ``0``); a candidate counts only where it lies in
#: a number token, which in compact JSON starts the text or follows ``[``, ``,`` or a key's
#: ``":``: so a digest's hex (``sha256:3e4...``) or a word of a trace is not taken for a
#: number, and no number is missed.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_NUMBER_CHARS = frozenset(b"-+.0123456789eE")


def _in_number(out: bytes, at: int) -> bytes | None:
    """The number token around offset ``at`` of compact JSON ``out``, or None where ``at``
    lies inside a string."""
    start = at
    while start > 0 and out[start - 1] in _NUMBER_CHARS:
        start -= 1
    if start > 0:
        before = out[start - 1]
        if not (before == 0x5B or before == 0x2C  # [ or ,
                or (before == 0x3A and start > 1 and out[start - 2] == 0x22)):  # ":
            return None
    end = at
    while end < len(out) and out[end] in _NUMBER_CHARS:
        end += 1
    return out[start:end]


def _maybe_other_number(out: bytes) -> bool:
    flat = out.translate(_DIGITS_AS_ZERO)
    at = flat.find(b"0e")
    while at >= 0:
        after = flat[at + 2:at + 3]
        if (after == b"0" or after == b"-") and _in_number(out, at + 1) is not None:
            return True
        at = flat.find(b"0e", at + 1)
    at = out.find(b"0.0000")
    while at >= 0:
        token = _in_number(out, at)
        if token is not None and token.lstrip(b"-").startswith(b"0.0000"):
            return True
        at = out.find(b"0.0000", at + 1)
    return False


def fast_compact_json(value: Any) -> bytes | None:
    """``value`` as compact JSON by orjson, where its bytes are provably those of the standard
    library's ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` in UTF-8; None
    where they might not be (the caller then uses the standard library): orjson refuses a
    lone surrogate, an integer beyond 64 bits and a key that is not text, and a number it
    might spell differently is looked for in its output. The one other difference, a
    non-finite float, cannot occur: a decision's and a record's numbers are checked finite."""
    if _orjson is None:  # pragma: no cover
        return None
    try:
        out: bytes = _orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    return None if _maybe_other_number(out) else out
