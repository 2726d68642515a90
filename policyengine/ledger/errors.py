"""The ledger's error: one class, a machine-readable ``code``."""

from __future__ import annotations

from ..core.errors import PolicyengineError

#: every code a LedgerError may carry, with what it means
CODES: dict[str, str] = {
    "bad_url": "the database URL or path cannot be used",
    "not_initialized": "the ledger has no schema yet: run `policyengine ledger init`",
    "schema_outdated": "the ledger's schema is older than this policyengine: run `init` again",
    "unavailable": "the database cannot be reached or written",
    "unknown_dispute": "no dispute has this id",
    "dispute_exists": "a dispute with this id is already recorded",
    "date_before_last_event": "the date is before the dispute's last recorded event",
    "dispute_resolved": "the dispute is resolved: reopen it first",
    "dispute_open": "the dispute is not resolved",
    "unknown_remedy": "the remedy is not one the dispute's last decision requires",
    "remedy_in_force": "the remedy is already granted and has not lapsed",
    "remedy_not_granted": "the remedy is not in force for this dispute",
    "unknown_version": "no recorded version of the dispute's policy matches",
    "version_not_in_force": "the version is not in force on that day",
    "version_incompatible": "the dispute's state does not fit the version",
    "policy_unreadable": "a rulebook cannot be read or loaded",
    "several_policies": "a folder holds versions of more than one policy id",
    "reserved_key": "the dispute carries a key the ledger derives itself",
    "derived_fact_given": "the dispute gives a value for a fact the ledger derives",
    "bad_changes": "the fact changes are not a JSON object",
    "bad_argument": "an argument is out of range",
    "cannot_write": "the change could not be recorded",
}


class LedgerError(PolicyengineError):
    """A ledger operation could not be done; nothing was written.

    ``code`` is one of :data:`CODES` (``unknown_dispute``, ``dispute_exists``,
    ``date_before_last_event``, ``unknown_remedy``, ...); ``hint`` says what to do."""

    def __init__(self, code: str, message: str, *, hint: str | None = None,
                 dispute_id: str | None = None) -> None:
        if code not in CODES:
            raise ValueError(f"unknown ledger error code {code!r}")
        self.code = code
        self.message = message
        self.hint = hint
        self.dispute_id = dispute_id
        super().__init__(message + (f" ({hint})" if hint else ""))

    def to_dict(self) -> dict[str, str]:
        out = {"code": self.code, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        if self.dispute_id is not None:
            out["dispute"] = self.dispute_id
        return out
