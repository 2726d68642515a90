"""The ledger's typed results (frozen dataclasses; ``to_dict()`` gives their JSON form)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Mapping

#: the kinds of events a dispute's history holds, in the words of docs/ledger.md
EVENT_KINDS = ("opened", "decided", "facts_amended", "remedy_granted", "remedy_reviewed",
               "resolved", "reopened", "repinned")


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept, no NaN."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)


def utc_stamp(moment: _dt.datetime | None = None) -> str:
    """A UTC timestamp in the one text form the ledger stores (sorts as text)."""
    moment = moment or _dt.datetime.now(_dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def parse_stamp(text: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(text)


def event_hash(dispute_id: str, n: int, kind: str, actor: str, on: str, at: str,
               payload_json: str, prev_hash: str | None) -> str:
    """The hash that chains an event to the previous event of the same dispute."""
    blob = canonical_json({"dispute": dispute_id, "n": n, "kind": kind, "actor": actor,
                           "on": on, "at": at, "payload": json.loads(payload_json),
                           "prev": prev_hash})
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Event:
    """One recorded event of a dispute: who, the business date (``on``), the UTC timestamp
    (``at``), what (``kind`` and ``payload``), and the hash chain."""

    dispute_id: str
    n: int
    kind: str
    actor: str
    on: _dt.date
    at: _dt.datetime
    payload: Mapping[str, Any]
    prev_hash: str | None
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"dispute": self.dispute_id, "n": self.n, "kind": self.kind, "actor": self.actor,
                "on": self.on.isoformat(), "at": utc_stamp(self.at),
                "payload": dict(self.payload), "prev_hash": self.prev_hash, "hash": self.hash}


@dataclass(frozen=True, slots=True)
class LedgerDecision:
    """A decision the ledger made and recorded: ``decision`` is its ``to_dict()`` form (the
    JSON ``policyengine evaluate`` prints), ``dispute`` what was handed to ``evaluate``."""

    dispute_id: str
    decision_id: str
    event: Event
    decision: Mapping[str, Any]
    dispute: Mapping[str, Any]
    result: Any = field(default=None, compare=False, repr=False)  # the Decision object

    @property
    def level(self) -> str:
        return str(self.decision["level"]["id"])

    @property
    def action(self) -> str:
        return str(self.decision["action"])

    def to_dict(self) -> dict[str, Any]:
        return dict(self.decision)


@dataclass(frozen=True, slots=True)
class RemedyState:
    """A remedy granted to a dispute, with the dates its policy gives it."""

    id: str
    granted_on: str
    last_reviewed: str | None
    expires_on: str | None
    review_on: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "granted_on": self.granted_on,
                "last_reviewed": self.last_reviewed, "expires_on": self.expires_on,
                "review_on": self.review_on}


@dataclass(frozen=True, slots=True)
class DisputeSummary:
    """Where a dispute stands: its pinned version, level since when, deadlines, remedies."""

    id: str
    policy_id: str
    version: str
    digest: str
    status: str
    opened_on: str
    pinned_on: str
    category: str | None
    confidentiality: str | None
    level: str | None
    level_since: str | None
    respond_by: str | None
    decide_by: str | None
    responded: bool
    remedies: tuple[RemedyState, ...]
    facts: Mapping[str, Any]
    resolved_on: str | None
    outcome: str | None
    last_on: str
    events: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "policy": {"id": self.policy_id, "version": self.version,
                                          "digest": self.digest},
                "status": self.status, "opened_on": self.opened_on,
                "pinned_on": self.pinned_on,
                "category": self.category, "confidentiality": self.confidentiality,
                "level": self.level, "level_since": self.level_since,
                "respond_by": self.respond_by, "decide_by": self.decide_by,
                "responded": self.responded,
                "remedies": [r.to_dict() for r in self.remedies], "facts": dict(self.facts),
                "resolved_on": self.resolved_on, "outcome": self.outcome,
                "last_on": self.last_on, "events": self.events}


@dataclass(frozen=True, slots=True)
class DisputeHistory:
    """``show``: the dispute's state and every event, oldest first (decisions with traces)."""

    dispute: DisputeSummary
    events: tuple[Event, ...]
    redacted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"dispute": self.dispute.to_dict(), "events": [e.to_dict() for e in self.events],
                "redacted": self.redacted}


@dataclass(frozen=True, slots=True)
class DueItem:
    """One reminder: a deadline of an open dispute, or a remedy's review or sunset."""

    dispute_id: str
    kind: str  # respond_by | decide_by | review | sunset
    date: str
    overdue: bool  # the date has passed (the day itself still counts as in time)
    level: str | None
    category: str | None
    remedy: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"dispute": self.dispute_id, "kind": self.kind, "date": self.date,
                "overdue": self.overdue, "level": self.level, "category": self.category,
                "remedy": self.remedy}


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """``verify``: every hash chain and projection checked; ``problems`` empty when sound."""

    disputes: int
    events: int
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "disputes": self.disputes, "events": self.events,
                "problems": list(self.problems)}


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """A rulebook version the ledger holds (its source text is kept by digest)."""

    policy_id: str
    version: str
    digest: str
    effective: str
    expires: str | None
    source_name: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.policy_id, "version": self.version, "digest": self.digest,
                "effective": self.effective, "expires": self.expires,
                "source": self.source_name}


@dataclass(frozen=True, slots=True)
class DecisionLogEntry:
    """One decision (or refusal) as the decision log keeps it.

    ``dispute`` is the input as given to ``evaluate``, already redacted by the caller with
    :func:`redact_facts`; ``decision`` the decision's ``to_dict()`` (None for a refusal);
    ``refusal`` ``{"code", "problems"}`` (None for a decision)."""

    decision_id: str
    at: _dt.datetime
    policy_id: str
    policy_version: str
    policy_digest: str
    actor: str | None
    source: str
    dispute: Mapping[str, Any]
    decision: Mapping[str, Any] | None
    refusal: Mapping[str, Any] | None
    latency_ms: float
    dispute_id: str | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        return {"decision_id": self.decision_id, "at": utc_stamp(self.at),
                "policy": {"id": self.policy_id, "version": self.policy_version,
                           "digest": self.policy_digest},
                "actor": self.actor, "source": self.source, "dispute_id": self.dispute_id,
                "dispute": dict(self.dispute),
                "decision": dict(self.decision) if self.decision is not None else None,
                "refusal": dict(self.refusal) if self.refusal is not None else None,
                "latency_ms": self.latency_ms}
