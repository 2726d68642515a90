"""Decide and log: every answer the service gives is first written to the decision log (the
ledger). When the entry cannot be written, :class:`LogUnavailable` is raised and the request
fails with 503: the service never answers a decision it did not log.

The entry holds the dispute with its sensitive facts masked, and the decision (masked as the
ledger masks its own entries: ``redact_facts``/``redact_decision``) or the refusal, the token's name (never the token) and the latency: the
time from the request's arrival to the decision, before the log write.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import logging
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

from ..decide.jsonlines import LineOutcome
from .metrics import ServiceMetrics
from .registry import PolicyVersion

if TYPE_CHECKING:
    from ..ledger import DecisionLogEntry

logger = logging.getLogger("policyengine.service")


class LogUnavailable(Exception):
    """The decision log could not be written."""


class DecisionRecorder:
    def __init__(self, ledger: Any, metrics: ServiceMetrics) -> None:
        self.ledger = ledger
        self.metrics = metrics
        # SQLite has one writer at a time, and a writer that finds the database locked sleeps
        # in growing steps (its busy handler): under concurrent load that, not the writes,
        # sets the latency. One lock per process queues the writers instead. PostgreSQL takes
        # concurrent inserts: no lock.
        self._write_lock: Any = (contextlib.nullcontext()
                                 if getattr(ledger, "is_postgresql", False) else threading.Lock())

    def record(self, version: PolicyVersion, outcome: LineOutcome, *, actor: str | None,
               started: float) -> str:
        """Log one outcome; returns its decision id. Raises LogUnavailable."""
        entry = self.entry(version, outcome, actor=actor, started=started)
        self.write(version, [(entry, outcome)])
        return entry.decision_id

    def entry(self, version: PolicyVersion, outcome: LineOutcome, *, actor: str | None,
              started: float) -> "DecisionLogEntry":
        """The log entry of one outcome (its latency taken now); raises LogUnavailable."""
        from ..ledger import DecisionLogEntry, redact_decision, redact_facts

        latency_ms = (time.perf_counter() - started) * 1000.0
        policy = version.policy
        dispute = outcome.dispute if isinstance(outcome.dispute, dict) else {}
        refusal = None
        category = outcome.decision.category.id if outcome.decision is not None else None
        if outcome.decision is None:
            refusal = {"code": outcome.code,
                       "problems": [p.to_dict() for p in outcome.problems]}
        try:
            return DecisionLogEntry(
                decision_id=uuid.uuid4().hex, at=_dt.datetime.now(_dt.timezone.utc),
                policy_id=policy.id, policy_version=policy.version,
                policy_digest=policy.digest, actor=actor, source="service",
                dispute=redact_facts(policy, dispute, category=category),
                decision=(redact_decision(policy, outcome.decision.to_dict())
                          if outcome.decision is not None else None),
                refusal=refusal, latency_ms=round(latency_ms, 3))
        except Exception as exc:
            self._failed(exc)

    def write(self, version: PolicyVersion, items: Sequence[tuple["DecisionLogEntry", LineOutcome]]) -> None:
        """Write the entries of ``items`` in one transaction (one entry: ``log_decision``,
        several: ``log_decisions``), then count their outcomes; all are written or none
        (LogUnavailable)."""
        if not items:
            return
        try:
            with self._write_lock:
                if len(items) == 1:
                    self.ledger.log_decision(items[0][0])
                else:
                    self.ledger.log_decisions([entry for entry, _ in items])
        except Exception as exc:
            self._failed(exc)
        policy = version.policy
        for _, outcome in items:
            if outcome.decision is not None:
                self.metrics.decisions.labels(policy.id, outcome.decision.category.id,
                                              outcome.decision.level.id).inc()
            else:
                self.metrics.refusals.labels(policy.id, outcome.code or "unknown").inc()

    def _failed(self, exc: Exception) -> NoReturn:
        self.metrics.log_failures.inc()
        logger.error("decision log unavailable: %s: %s", type(exc).__name__, exc)
        raise LogUnavailable(str(exc)) from exc
