"""The Decision record: what to do about a dispute, who owns it, by when, and why.

``Decision.to_dict()`` returns plain JSON types (dates as ISO strings) in a fixed key order and
validates against ``schemas/decision.schema.json``; ``Decision.to_json()`` gives its canonical
bytes: the same (policy, facts, as_of) always gives the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .diagnostics import Span


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


@dataclass(frozen=True, slots=True)
class RemedyOutcome:
    """A remedy the decision requires, who authorizes it, and when it lapses and is reviewed."""

    id: str
    action: str
    amount: float | int | None
    authorized_by: str | None
    expires_on: _dt.date | None
    review_on: _dt.date | None

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


def _words(words: str | tuple[str, tuple[Any, ...]]) -> str:
    if isinstance(words, str):
        return words
    key, args = words
    if key in _STATIC_WORDS:
        return _static_words(key, *args)
    return STEP_WORDS[key](*args)


@dataclass(frozen=True, slots=True, eq=False)
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
        return {"kind": site.kind, "rule": site.rule, "source": site.source,
                "expression": site.expression, "result": self.result,
                "values": dict(self.values), "detail": _words(self.words)}


@dataclass(frozen=True, slots=True)
class DecisionWarning:
    code: str
    message: str
    rule: str | None = None

    def to_dict(self) -> dict[Any, Any]:
        return {"code": self.code, "message": self.message, "rule": self.rule}


@dataclass(frozen=True, slots=True)
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
            fast = fast_compact_json(data)
            if fast is not None:
                return fast
            # one encoder for every decision: json.dumps builds one per call
            return _COMPACT.encode(data).encode("utf-8", errors="backslashreplace")
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False, indent=indent,
                          separators=(",", ": ")
                          ).encode("utf-8", errors="backslashreplace")  # a lone surrogate: \udXXX


_COMPACT = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


try:  # a faster encoder, where installed, for what it spells exactly as the standard library
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib does the same job
    _orjson = None  # type: ignore[assignment]

#: what orjson may spell differently from the standard library: a number below 1e-4, which it
#: writes ``1.5e-7`` (the stdlib ``1.5e-07``) or ``0.00001`` (the stdlib ``1e-05``); a large
#: one, which orjson 3.9 and 3.10 write ``1e16`` (the stdlib and orjson 3.13 ``1e+16``). So
#: any exponent but ``e+`` takes the stdlib's path; so does text that merely looks like one.
_EXPONENT_OTHER = re.compile(rb"e(?<=[0-9]e)[-0-9]")  # a literal first: the fast search


def _maybe_other_number(out: bytes) -> bool:
    return b"0.0000" in out or _EXPONENT_OTHER.search(out) is not None


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
