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
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, TypeVar

from .diagnostics import Span

_R = TypeVar("_R")


def _iso(d: _dt.date | None) -> str | None:
    return None if d is None else _day(d)


_DATE = _dt.date
#: the ISO text of the days records name (a decision's days are few and repeat: ``as_of``,
#: the deadlines and remedy dates near it); bounded, and only of the exact ``date`` type
_ISO: dict[_dt.date, str] = {}
_ISO_MAX = 4096


def _day(d: _dt.date) -> str:
    """``d.isoformat()`` (of a plain ``date``, looked up once composed: ``isoformat`` costs
    about twenty dict lookups)."""
    if type(d) is _DATE:
        text = _ISO.get(d)
        if text is None:
            if len(_ISO) >= _ISO_MAX:
                _ISO.clear()
            text = _ISO[d] = d.isoformat()
        return text
    return d.isoformat()


def _reduce_without_parts(self: Any) -> tuple[Any, ...]:
    """Pickle and copy a record by its constructor's fields: the parts made for
    ``to_dict``/``to_json`` (an orjson fragment cannot be pickled) are made again on use."""
    return (type(self), tuple(getattr(self, f.name) for f in dataclasses.fields(self)
                              if f.init))


@dataclass(frozen=True, slots=True)
class CategoryRef:
    id: str
    title: str
    class_: str
    confidentiality: str
    #: its compact JSON, made on first use by ``Decision.to_json`` (not fields that compare)
    _json: Any = field(default=None, init=False, repr=False, compare=False)
    _fragment: Any = field(default=None, init=False, repr=False, compare=False)
    __reduce__ = _reduce_without_parts

    def to_dict(self) -> dict[Any, Any]:
        return {"id": self.id, "title": self.title, "class": self.class_,
                "confidentiality": self.confidentiality}


@dataclass(frozen=True, slots=True)
class LevelRef:
    id: str
    role: str
    title: str
    #: its compact JSON, made on first use by ``Decision.to_json`` (not fields that compare)
    _json: Any = field(default=None, init=False, repr=False, compare=False)
    _fragment: Any = field(default=None, init=False, repr=False, compare=False)
    __reduce__ = _reduce_without_parts

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
                "expires_on": None if expires is None else _day(expires),
                "review_on": None if review is None else _day(review)}


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
    "no_authority": lambda action, amount: (
        f"no role may authorize `{action}`{'' if amount is None else f' for {amount}'}"),
    "authority": lambda action, amount, role, lid: (
        f"`{action}`{'' if amount is None else f' for {amount}'} is authorized by `{role}` "
        f"at level `{lid}`"),
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
    source span.

    The members a step's record takes from its site (``kind``, ``rule``, ``source``,
    ``expression``) are made once per site, on first use: the dict ``TraceStep.to_dict``
    copies, and their compact JSON, which ``Decision.to_json`` writes as is. They are not
    fields that compare or show."""

    kind: str
    rule: str
    source: str | None
    expression: str | None = None
    element: str | None = None
    index: int | None = None
    span: Span | None = None
    _dict_head: dict[str, Any] | None = field(default=None, init=False, repr=False,
                                              compare=False)
    _json_head: tuple[str, str] | None = field(default=None, init=False, repr=False,
                                               compare=False)
    _fragment: Any = field(default=None, init=False, repr=False, compare=False)
    __reduce__ = _reduce_without_parts


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
    #: ``},"detail":`` and ``text`` as the reference encoder writes it, then ``}`` (the end of
    #: a step's JSON), made on first use by ``Decision.to_json``
    encoded: str | None = None
    #: ``text`` as the reference encoder writes it, for orjson (``orjson.Fragment``)
    fragment: Any = None
    #: ``(site, result, fragment)``: the whole JSON of the last step of these words that read
    #: no fact, at that site (the same object) with that result (the same text or truth value)
    whole: Any = None

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
        out = site._dict_head
        if out is None:
            out = _dict_head(site)
        out = out.copy()
        out["result"] = self.result
        out["values"] = dict(self.values)
        words = self.words
        out["detail"] = words.text if type(words) is Rendered else _words(words)
        return out


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
        try:
            return _record_dict(self)
        except KeyError:  # a day not composed yet
            for day in _days_of(self):
                if day is not None:
                    _day(day)
            return _record_dict(self)

    def to_json(self, *, indent: int | None = None) -> bytes:
        """Canonical UTF-8 JSON: fixed key order, no insignificant whitespace unless ``indent``."""
        if indent is None:
            if _Fragment is not None:
                try:
                    fast = _orjson_record(self)
                except KeyError:  # a day not composed yet
                    for day in _days_of(self):
                        if day is not None:
                            _day(day)
                    try:
                        fast = _orjson_record(self)
                    except (KeyError, TypeError):
                        fast = None
                except TypeError:  # what orjson refuses (a lone surrogate, a key not text)
                    fast = None
                if fast is not None:
                    return fast
            try:
                text = _record_text(self)
            except (KeyError, TypeError, ValueError, AttributeError):
                try:  # a part not made yet (the first decision of a policy, a new day)
                    _warm(self)
                    text = _record_text(self)
                except (KeyError, TypeError, ValueError, AttributeError):  # a value the
                    text = _COMPACT.encode(self.to_dict())  # encoder refuses: in its words
            return text.encode("utf-8", errors="backslashreplace")  # a lone surrogate: \\udXXX
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False, indent=indent,
                          separators=(",", ": ")
                          ).encode("utf-8", errors="backslashreplace")  # a lone surrogate: \udXXX


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


# -- the record: the reference, and the parts made once --------------------------------------
# ``Decision.to_dict`` and ``to_json`` are the record of the reference below, built faster:
# what depends on the rulebook only (a step's site, a category, a level, the policy) is made
# once and reused, and orjson writes the rest where its bytes are provably the standard
# library's. tests/property/test_decision_record.py holds the two equal (dicts, key order,
# types, bytes and refusals) on drawn decisions.

def _reference_words(words: str | tuple[str, tuple[Any, ...]]) -> str:
    if isinstance(words, str):
        return words
    key, args = words
    return STEP_WORDS[key](*args)


def reference_dict(d: Decision) -> dict[str, Any]:
    """The record of ``d``, built field by field with no cache: what ``d.to_dict()`` gives."""
    def day(x: _dt.date | None) -> str | None:
        return None if x is None else x.isoformat()

    out: dict[str, Any] = {
        "policy": {"id": d.policy_id, "version": d.policy_version, "digest": d.digest},
        "as_of": d.as_of.isoformat(),
        "category": {"id": d.category.id, "title": d.category.title,
                     "class": d.category.class_, "confidentiality": d.category.confidentiality},
        "level": {"id": d.level.id, "role": d.level.role, "title": d.level.title},
        "action": d.action,
        "respond_by": day(d.respond_by),
        "decide_by": d.decide_by.isoformat(),
        "remedies": [{"id": r.id, "action": r.action, "amount": r.amount,
                      "authorized_by": r.authorized_by, "expires_on": day(r.expires_on),
                      "review_on": day(r.review_on)} for r in d.remedies],
        "remedies_in_force": [{"id": r.id, "granted_on": day(r.granted_on),
                               "last_reviewed": day(r.last_reviewed),
                               "expires_on": day(r.expires_on), "review_on": day(r.review_on),
                               "status": r.status} for r in d.remedies_in_force],
        "trace": [{"kind": t.site.kind, "rule": t.site.rule, "source": t.site.source,
                   "expression": t.site.expression, "result": t.result,
                   "values": dict(t.values), "detail": _reference_words(t.words)}
                  for t in d.trace],
        "warnings": [{"code": w.code, "message": w.message, "rule": w.rule}
                     for w in d.warnings],
    }
    if d.calendar is not None:
        out["calendar"] = {k: list(v) if isinstance(v, list) else v
                           for k, v in d.calendar.items()}
    return out


def _reference_bytes(value: Any) -> bytes:
    return _COMPACT.encode(value).encode("utf-8", errors="backslashreplace")


def reference_json(d: Decision) -> bytes:
    """The standard library's compact bytes of :func:`reference_dict`: what ``d.to_json()``
    gives (a lone surrogate written ``\\udXXX``; a number not finite refused, ValueError)."""
    return _reference_bytes(reference_dict(d))


# -- the record's text from the standard library's own pieces --------------------------------
# The standard library's compact encoder writes a text with ``encode_basestring`` (its C
# escaper), a float with ``float.__repr__`` (refusing one that is not finite), an int with
# ``int.__repr__``, ``true``/``false``/``null``, and joins members with ``,`` and ``:``. So
# ``to_json`` writes the record with those very pieces, in the record's order, and hands any
# other value (a list, a dict, a subclass, a number not finite) to the encoder itself: the text
# is the reference's by construction, whatever the values. What depends on the rulebook only
# (a step's site, a category, a level, the policy, a sentence composed at load) is written once
# and reused.

_text = json.encoder.encode_basestring  # the stdlib's own escaper (C), as ensure_ascii=False
_float_text = float.__repr__
_int_text = int.__repr__


def _value_text(value: Any, depth: int = 0) -> str:
    """``value`` as the reference encoder writes it (as a member of a record): text, numbers,
    booleans, None, and lists, tuples and dicts of them (of those exact types, nested up to
    32 deep) here; anything else by the encoder itself (which refuses a number that is not
    finite, a value it cannot write and a circular structure)."""
    t = type(value)
    if t is str:
        return _text(value)
    if t is float:
        if value - value == 0.0:  # finite (inf - inf and nan - nan are nan)
            return _float_text(value)
    elif t is int:
        return _int_text(value)
    elif value is True:
        return "true"
    elif value is False:
        return "false"
    elif value is None:
        return "null"
    elif depth < 32:
        if t is list or t is tuple:
            return "[" + ",".join([_value_text(v, depth + 1) for v in value]) + "]"
        if t is dict:
            return "{" + ",".join([((type(k) is str and _text(k) + ":") or _key_text(k))
                                   + _value_text(v, depth + 1) for k, v in value.items()]) + "}"
    text: str = _COMPACT.encode(value)
    return text


#: the compact JSON of each policy's ``"policy"`` member (bounded), of each fact name as a key
_POLICY_TEXT: dict[tuple[str, str, str], str] = {}
_KEY_TEXT: dict[str, str] = {}
_DAY_TEXT: dict[_dt.date, str] = {}


def _dict_head(site: StepSite) -> dict[str, Any]:
    head = {"kind": site.kind, "rule": site.rule, "source": site.source,
            "expression": site.expression}
    object.__setattr__(site, "_dict_head", head)
    return head


def _json_head(site: StepSite) -> tuple[str, str]:
    """A step's text up to its result, and up to its values when the result is ``true``:
    ``{"kind":..,"rule":..,"source":..,"expression":..,"result":`` (and ``true,"values":{``)."""
    text = _COMPACT.encode({"kind": site.kind, "rule": site.rule, "source": site.source,
                            "expression": site.expression})[:-1] + ',"result":'
    head = (text, text + 'true,"values":{')
    object.__setattr__(site, "_json_head", head)
    return head


def _ref_text(ref: CategoryRef | LevelRef, member: str) -> str:
    text = f',"{member}":' + _COMPACT.encode(ref.to_dict())
    object.__setattr__(ref, "_json", text)
    return text


def _policy_text(key: tuple[str, str, str]) -> str:
    if len(_POLICY_TEXT) >= 256:
        _POLICY_TEXT.clear()
    text = _POLICY_TEXT[key] = '{"policy":' + _COMPACT.encode(
        {"id": key[0], "version": key[1], "digest": key[2]}) + ',"as_of":'
    return text


def _key_text(name: Any) -> str:
    """``"name":`` (a fact's name as a key), as the reference writes it."""
    if type(name) is not str:  # the encoder's own rules for a key that is not text
        return _COMPACT.encode({name: 0})[1:-2]
    if len(_KEY_TEXT) >= 4096:
        _KEY_TEXT.clear()
    text = _KEY_TEXT[name] = _text(name) + ":"
    return text


def _day_text(d: Any) -> str:
    """A date member's text: ``"2026-11-22"`` (of a plain ``date``, composed once) or null."""
    if type(d) is _DATE:
        text = _DAY_TEXT.get(d)
        if text is None:
            if len(_DAY_TEXT) >= _ISO_MAX:
                _DAY_TEXT.clear()
            text = _DAY_TEXT[d] = '"' + d.isoformat() + '"'
        return text
    return "null" if d is None else _text(d.isoformat())


def _detail_text(words: Rendered) -> str:
    """``},"detail":"...."}``: a step's text from the end of its values (cached)."""
    text = words.encoded = '},"detail":' + _text(words.text) + "}"
    return text


def _warm(d: Decision) -> None:
    """Make the parts of ``d``'s record that :func:`_record_text` looks up and does not make:
    the policy's, the category's and level's, each step's site and sentence composed at load,
    the fact names, the days."""
    _policy_text((d.policy_id, d.policy_version, d.digest))
    _ref_text(d.category, "category")
    _ref_text(d.level, "level")
    for day in (d.as_of, d.respond_by, d.decide_by):
        _day_text(day)
    for r in d.remedies:
        _day_text(r.expires_on)
        _day_text(r.review_on)
    for step in d.trace:
        _json_head(step.site)
        words = step.words
        if type(words) is Rendered:
            _detail_text(words)
        for name, _ in step.values:
            _key_text(name)


def _record_text(d: Decision) -> str:
    """The text of ``reference_json(d)`` (before UTF-8), from the reference's own pieces and
    the parts made once, which it expects made (:func:`_warm`).

    Raises KeyError or TypeError where a part is not made yet, or where a value is not one it
    writes itself (a text field that is not text, say); ValueError where the encoder refuses
    one (not finite)."""
    text, value_text, float_text, days, keys, date = (
        _text, _value_text, _float_text, _DAY_TEXT, _KEY_TEXT, _DATE)
    # the text of the float last written: a decision writes the amount its steps read, and
    # the amount of a remedy, several times (the same object)
    last: Any = None
    last_text = ""
    as_of, respond_by, decide_by = d.as_of, d.respond_by, d.decide_by
    out = [_POLICY_TEXT[d.policy_id, d.policy_version, d.digest]
           + (days[as_of] if type(as_of) is date else _day_text(as_of))
           + d.category._json + d.level._json + ',"action":' + text(d.action)
           + ',"respond_by":'
           + (days[respond_by] if type(respond_by) is date else _day_text(respond_by))
           + ',"decide_by":'
           + (days[decide_by] if type(decide_by) is date else _day_text(decide_by))
           + ',"remedies":[']
    append = out.append
    sep = ""
    for r in d.remedies:
        amount, by, expires, review = r.amount, r.authorized_by, r.expires_on, r.review_on
        if type(amount) is float and amount - amount == 0.0:
            last, last_text = amount, float_text(amount)
            amount_text = last_text
        else:
            amount_text = "null" if amount is None else value_text(amount)
        append(f'{sep}{{"id":{text(r.id)},"action":{text(r.action)},"amount":{amount_text},'
               f'"authorized_by":{"null" if by is None else text(by)},"expires_on":'
               f'{days[expires] if type(expires) is date else _day_text(expires)},"review_on":'
               f'{days[review] if type(review) is date else _day_text(review)}}}')
        sep = ","
    append('],"remedies_in_force":[')
    sep = ""
    for f in d.remedies_in_force:
        append(f'{sep}{{"id":{text(f.id)},"granted_on":{_day_text(f.granted_on)},'
               f'"last_reviewed":{_day_text(f.last_reviewed)},'
               f'"expires_on":{_day_text(f.expires_on)},"review_on":{_day_text(f.review_on)},'
               f'"status":{text(f.status)}}}')
        sep = ","
    append('],"trace":[')
    sep = ""
    for step in d.trace:
        result, values, words = step.result, step.values, step.words
        head: Any = step.site._json_head  # made: _warm
        part = sep + head[1] if result is True else (
            sep + head[0] + ("null" if result is None else value_text(result)) + ',"values":{')
        sep = ","
        if values:
            if len(values) == 1:
                ((name, value),) = values
                if type(value) is float and value - value == 0.0:
                    if value is not last:
                        last, last_text = value, float_text(value)
                    part += keys[name] + last_text
                else:
                    part += keys[name] + (text(value) if type(value) is str
                                          else value_text(value))
            else:
                part += ",".join([keys[name] + value_text(value)
                                  for name, value in dict(values).items()])
        if type(words) is Rendered:
            append(part + words.encoded)  # made: _warm
        else:
            append(part + '},"detail":' + text(_words(words)) + "}")
    if d.warnings:
        append('],"warnings":[')
        append(",".join([f'{{"code":{text(w.code)},"message":{text(w.message)},'
                         f'"rule":{"null" if w.rule is None else text(w.rule)}}}'
                         for w in d.warnings]))
        append("]")
    else:
        append('],"warnings":[]')
    if d.calendar is not None:
        append(',"calendar":')
        append(value_text({k: list(v) if isinstance(v, list) else v
                           for k, v in d.calendar.items()}))
    append("}")
    return "".join(out)


# -- the record by orjson, where it writes the reference's bytes ------------------------------
# orjson writes text, booleans, None, integers (to 64 bits) and floats of magnitude in
# [1e-4, 1e16) (and zero) as the standard library does (tests/property/test_record_bytes.py);
# it refuses a lone surrogate, a key that is not text and a larger integer (TypeError); it
# writes an ``orjson.Fragment`` as it is. So the record is given to orjson as dicts whose
# parts that depend on the rulebook only are fragments of the reference's own bytes (a step's
# ``kind`` member holds its site's four members; the category, the level, the policy, the
# sentences composed at load), and whose other values are checked to be of those kinds; where
# one is not, ``_record_text`` writes the record.

try:
    _Fragment: Any = _orjson.Fragment  # orjson 3.9
except AttributeError:  # pragma: no cover - no orjson (or an older one): _record_text
    _Fragment = None
_POLICY_FRAGMENT: dict[tuple[str, str, str], Any] = {}


def _site_fragment(site: StepSite) -> Any:
    """``"kind","rule":..,"source":..,"expression":..`` (the value of a step's ``kind``
    member, then its next three), the reference's bytes."""
    text = _COMPACT.encode({"kind": site.kind, "rule": site.rule, "source": site.source,
                            "expression": site.expression})
    fragment = _Fragment(text[8:-1].encode("utf-8", errors="backslashreplace"))
    object.__setattr__(site, "_fragment", fragment)
    return fragment


def _ref_fragment(ref: CategoryRef | LevelRef) -> Any:
    fragment = _Fragment(_reference_bytes(ref.to_dict()))
    object.__setattr__(ref, "_fragment", fragment)
    return fragment


def _policy_fragment(key: tuple[str, str, str]) -> Any:
    if len(_POLICY_FRAGMENT) >= 256:
        _POLICY_FRAGMENT.clear()
    fragment = _POLICY_FRAGMENT[key] = _Fragment(_reference_bytes(
        {"id": key[0], "version": key[1], "digest": key[2]}))
    return fragment


def _words_fragment(words: Rendered) -> Any:
    fragment = words.fragment = _Fragment(_reference_bytes(words.text))
    return fragment


def _orjson_record(d: Decision) -> bytes | None:
    """``reference_json(d)`` by orjson, or None where a value is not of a kind orjson is
    shown to write as the reference does (then :func:`_record_text` writes it). Raises
    TypeError where orjson refuses a value, KeyError where a day's text is not composed yet
    (:data:`_ISO`)."""
    days, date, plain = _ISO, _DATE, _plain
    trace: list[dict[str, Any]] = []
    append = trace.append
    for step in d.trace:
        values, words = step.values, step.words
        if not values and type(words) is Rendered:  # a step that may be the same as before
            whole, site, result = words.whole, step.site, step.result
            if whole is None or whole[0] is not site or whole[1] is not result:
                if not (result is None or type(result) is bool or type(result) is str):
                    return None
                whole = words.whole = (site, result, _Fragment(_orjson.dumps({
                    "kind": site._fragment or _site_fragment(site), "result": result,
                    "values": {}, "detail": words.fragment or _words_fragment(words)})))
            append(whole[2])
            continue
        if values:
            if len(values) == 1:
                ((name, value),) = values
                kind = type(value)
                if kind is float:
                    if not (1e-4 <= abs(value) < 1e16 or value == 0.0):
                        return None
                elif not (kind is str or kind is int or kind is bool or value is None
                          or plain(value)):
                    return None
                read = {name: value}
            else:
                for _, value in values:
                    if not plain(value):
                        return None
                read = dict(values)
        else:
            read = {}
        result = step.result
        if not (result is True or type(result) is str or result is False or result is None
                or plain(result)):
            return None
        site = step.site
        append({"kind": site._fragment or _site_fragment(site), "result": result,
                "values": read, "detail": (words.fragment or _words_fragment(words))
                if type(words) is Rendered else _words(words)})
    remedies = []
    for r in d.remedies:
        amount: Any = r.amount
        by, expires, review = r.authorized_by, r.expires_on, r.review_on
        kind = type(amount)
        if kind is float:
            if not (1e-4 <= abs(amount) < 1e16 or amount == 0.0):
                return None
        elif not (amount is None or kind is int):
            return None
        if not (type(r.id) is str and type(r.action) is str and (by is None or type(by) is str)
                and (expires is None or type(expires) is date)
                and (review is None or type(review) is date)):
            return None
        remedies.append({"id": r.id, "action": r.action, "amount": amount, "authorized_by": by,
                         "expires_on": None if expires is None else days[expires],
                         "review_on": None if review is None else days[review]})
    as_of, respond_by, decide_by, action = d.as_of, d.respond_by, d.decide_by, d.action
    if not (type(as_of) is date and type(decide_by) is date and type(action) is str
            and (respond_by is None or type(respond_by) is date)):
        return None
    in_force: list[Any] = []
    for f in d.remedies_in_force:
        granted, reviewed, ends, next_review = (f.granted_on, f.last_reviewed, f.expires_on,
                                                f.review_on)
        if not (type(f.id) is str and type(f.status) is str and type(granted) is date
                and (reviewed is None or type(reviewed) is date)
                and (ends is None or type(ends) is date)
                and (next_review is None or type(next_review) is date)):
            return None
        in_force.append({"id": f.id, "granted_on": days[granted],
                         "last_reviewed": None if reviewed is None else days[reviewed],
                         "expires_on": None if ends is None else days[ends],
                         "review_on": None if next_review is None else days[next_review],
                         "status": f.status})
    warnings: list[Any] = []
    if d.warnings:
        warnings = [w.to_dict() for w in d.warnings]
        if not plain(warnings):
            return None
    key = (d.policy_id, d.policy_version, d.digest)
    category, level = d.category, d.level
    record = {"policy": _POLICY_FRAGMENT.get(key) or _policy_fragment(key),
              "as_of": days[as_of],
              "category": category._fragment or _ref_fragment(category),
              "level": level._fragment or _ref_fragment(level),
              "action": action,
              "respond_by": None if respond_by is None else days[respond_by],
              "decide_by": days[decide_by],
              "remedies": remedies,
              "remedies_in_force": in_force,
              "trace": trace,
              "warnings": warnings}
    if d.calendar is not None:
        calendar = {k: list(v) if isinstance(v, list) else v for k, v in d.calendar.items()}
        if not plain(calendar):
            return None
        record["calendar"] = calendar
    out: bytes = _orjson.dumps(record)
    return out


# -- the record as a dict --------------------------------------------------------------------
def _days_of(d: Decision) -> list[Any]:
    days = [d.as_of, d.respond_by, d.decide_by]
    for r in d.remedies:
        days += (r.expires_on, r.review_on)
    for f in d.remedies_in_force:
        days += (f.granted_on, f.last_reviewed, f.expires_on, f.review_on)
    return days


def _record_dict(d: Decision) -> dict[str, Any]:
    """``reference_dict(d)``: each step's dict a copy of its site's (made once), a day's text
    composed once. Raises KeyError where a day's text is not composed yet."""
    days, date, words_of = _ISO, _DATE, _words
    trace: list[dict[str, Any]] = []
    append = trace.append
    for step in d.trace:
        site = step.site
        out = (site._dict_head or _dict_head(site)).copy()
        out["result"] = step.result
        values = step.values
        if not values:
            out["values"] = {}
        elif len(values) == 1:
            ((name, value),) = values
            out["values"] = {name: value}
        else:
            out["values"] = dict(values)
        words = step.words
        out["detail"] = words.text if type(words) is Rendered else words_of(words)
        append(out)
    remedies = []
    for r in d.remedies:
        expires, review = r.expires_on, r.review_on
        remedies.append({
            "id": r.id, "action": r.action, "amount": r.amount,
            "authorized_by": r.authorized_by,
            "expires_on": None if expires is None else (
                days[expires] if type(expires) is date else expires.isoformat()),
            "review_on": None if review is None else (
                days[review] if type(review) is date else review.isoformat())})
    as_of, respond_by, decide_by = d.as_of, d.respond_by, d.decide_by
    category, level = d.category, d.level
    record: dict[str, Any] = {
        "policy": {"id": d.policy_id, "version": d.policy_version, "digest": d.digest},
        "as_of": days[as_of] if type(as_of) is date else as_of.isoformat(),
        "category": {"id": category.id, "title": category.title, "class": category.class_,
                     "confidentiality": category.confidentiality},
        "level": {"id": level.id, "role": level.role, "title": level.title},
        "action": d.action,
        "respond_by": None if respond_by is None else (
            days[respond_by] if type(respond_by) is date else respond_by.isoformat()),
        "decide_by": days[decide_by] if type(decide_by) is date else decide_by.isoformat(),
        "remedies": remedies,
        "remedies_in_force": [r.to_dict() for r in d.remedies_in_force]
        if d.remedies_in_force else [],
        "trace": trace,
        "warnings": [w.to_dict() for w in d.warnings] if d.warnings else [],
    }
    if d.calendar is not None:
        record["calendar"] = {k: list(v) if isinstance(v, list) else v
                              for k, v in d.calendar.items()}
    return record
