"""The dispute ledger: the protocol's memory (docs/ledger.md).

    >>> from policyengine.ledger import Ledger
    >>> with Ledger("disputes.db") as ledger:           # doctest: +SKIP
    ...     ledger.init()
    ...     first = ledger.open("D-1", "policies/", facts, on="2026-11-27")
    ...     again = ledger.decide("D-1", on="2026-12-07")

An append-only, hash-chained history per dispute on SQLite (WAL) or PostgreSQL; ``evaluate``
stays pure underneath: the ledger derives ``escalation``, ``remedies_in_force`` and the facts a
rulebook declares ``derived`` from the history, and records what ``evaluate`` decided.
"""

from __future__ import annotations

from .engine import DEFAULT_PATH, ENV_VAR
from .errors import CODES, LedgerError
from .records import (DecisionLogEntry, DisputeHistory, DisputeSummary, DueItem, Event,
                      LedgerDecision, PolicyVersion, RemedyState, VerifyReport)
from .redact import MASK, redact_decision, redact_facts
from .store import Ledger, merge_patch

__all__ = [
    "CODES",
    "DEFAULT_PATH",
    "ENV_VAR",
    "DecisionLogEntry",
    "DisputeHistory",
    "DisputeSummary",
    "DueItem",
    "Event",
    "Ledger",
    "LedgerDecision",
    "LedgerError",
    "MASK",
    "PolicyVersion",
    "RemedyState",
    "VerifyReport",
    "merge_patch",
    "redact_decision",
    "redact_facts",
]
