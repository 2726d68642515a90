"""The dispute ledger: an append-only, hash-chained history of disputes on SQLite or
PostgreSQL, with ``evaluate`` (pure) deciding underneath.

Every operation is one transaction: it reads the dispute's state (locking its row on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` takes the write lock), checks the request, asks
``evaluate`` for a decision where one is needed, and writes the events, the new state and the
decision-log entries together, or nothing.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import json
import os
import time
import uuid
from contextlib import contextmanager
from typing import Any, Iterator, Mapping, Sequence

from sqlalchemy import (Connection, and_, bindparam, case, func, insert, or_, select, text,
                        update)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ..core.calendar import parse_date
from ..core.errors import DisputeError
from ..model.nodes import Policy
from ..core.suggest import did_you_mean, one_of
from . import derived as _derived
from . import engine as _engine
from . import state as _state
from .errors import LedgerError
from .records import (DecisionLogEntry, DisputeHistory, DueItem, Event, LedgerDecision,
                      PolicyVersion, VerifyReport, canonical_json, event_hash, parse_stamp,
                      utc_stamp)
from .redact import redact_decision, redact_facts, redact_text
from .tables import decision_log, disputes, events, policy_versions
from .versions import SourcedPolicy, choose, in_force, loaded_source, read_versions

_RESERVED = ("escalation", "remedies_in_force")
# statements built once (SQLAlchemy caches their compiled form); values come as parameters
_INSERT_DISPUTE = insert(disputes)
_UPDATE_DISPUTE = update(disputes).where(and_(disputes.c.id == bindparam("b_id"),
                                              disputes.c.last_n == bindparam("b_prev")))
_INSERT_EVENT = insert(events)
_INSERT_LOG = insert(decision_log)
_DERIVE_ROWS = select(disputes.c.opened_on, disputes.c.opened_facts).where(and_(
    disputes.c.policy_id == bindparam("p"), disputes.c.opened_on > bindparam("start"),
    disputes.c.opened_on <= bindparam("end"), disputes.c.id != bindparam("me")))
# policies loaded from recorded sources, by digest (immutable; shared by Ledger instances)
_BY_DIGEST: dict[str, Policy] = {}
_MAX_ID = 200

PolicyInput = "str | os.PathLike[str] | Policy | Sequence[Policy]"


def _default_actor() -> str:
    env = os.environ.get("POLICYENGINE_ACTOR")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # no user name (a container without passwd entry)
        return "unknown"


def _day(value: _dt.date | str, what: str = "on") -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return parse_date(value)
    except ValueError as exc:
        raise LedgerError("bad_argument", f"{what}: {exc}", hint="write dates as YYYY-MM-DD"
                          ) from None


def _check_id(dispute_id: str) -> str:
    if not isinstance(dispute_id, str) or not dispute_id.strip():
        raise LedgerError("bad_argument", "a dispute id must be a non-empty text")
    if len(dispute_id) > _MAX_ID or any(ord(c) < 32 or ord(c) == 127 for c in dispute_id):
        raise LedgerError("bad_argument", f"the dispute id is longer than {_MAX_ID} characters "
                          "or holds control characters", hint="use a short printable id")
    return dispute_id


def merge_patch(target: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7396 JSON merge patch: objects merge key by key, ``null`` removes, anything else
    replaces."""
    out = dict(target)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_patch(out[key], value)
        else:
            out[key] = value
    return out


class Ledger:
    """A dispute ledger at ``url``: a file path or ``sqlite:///PATH`` (SQLite, WAL), or
    ``postgresql+psycopg://USER@HOST:PORT/DB``; None: ``POLICYENGINE_DB``, else the file
    ``policyengine-ledger.db`` in the current folder.

    ``source`` names the caller in the decision log (``ledger``, ``cli``, ``service``).
    Use as a context manager, or call :meth:`close`."""

    def __init__(self, url: str | os.PathLike[str] | None = None, *, source: str = "ledger"
                 ) -> None:
        self.url = _engine.resolve_url(url)
        self.source = source
        self._engine: Any = None
        self._ready = False
        self._policies: dict[str, Policy] = {}
        self._last_result: Any = None

    # -- lifecycle -----------------------------------------------------------------------------
    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __repr__(self) -> str:
        return f"Ledger({_engine.display_url(self.url)!r})"

    @property
    def is_postgresql(self) -> bool:
        return _engine.sqlite_path(self.url) is None

    def _eng(self) -> Any:
        if self._engine is None:
            self._engine = _engine.create(self.url)
        return self._engine

    def init(self) -> str:
        """Create the schema, or migrate it to this version (Alembic ``upgrade head``); returns
        the schema revision. Safe to run again."""
        path = _engine.sqlite_path(self.url)
        if path is not None:
            parent = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(parent):
                raise LedgerError("bad_url", f"the folder {parent} does not exist",
                                  hint="create it first, or give another --db path")
        try:
            revision = _engine.upgrade(self._eng())
        except (OperationalError, DBAPIError) as exc:
            raise self._unavailable(exc) from None
        self._ready = True
        return revision

    def _unavailable(self, exc: BaseException) -> LedgerError:
        orig = getattr(exc, "orig", exc)
        detail = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        return LedgerError("unavailable", f"the ledger at {_engine.display_url(self.url)} "
                           f"cannot be used: {detail}",
                           hint="check the URL, that the server runs, and permissions")

    def _check_ready(self) -> None:
        if self._ready:
            return
        path = _engine.sqlite_path(self.url)
        if path is not None and not os.path.exists(path):
            raise LedgerError("not_initialized", f"there is no ledger at {path}",
                              hint="run `policyengine ledger init` (with the same --db)")
        try:
            current = _engine.current_revision(self._eng())
        except (OperationalError, DBAPIError) as exc:
            raise self._unavailable(exc) from None
        if current is None:
            raise LedgerError("not_initialized", f"the database at "
                              f"{_engine.display_url(self.url)} holds no ledger",
                              hint="run `policyengine ledger init` (with the same --db)")
        if current != _engine.head_revision():
            raise LedgerError("schema_outdated", f"the ledger's schema is at revision "
                              f"{current}, this policyengine needs {_engine.head_revision()}",
                              hint="run `policyengine ledger init` to migrate it")
        self._ready = True

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One transaction; database failures become LedgerError (nothing is written)."""
        self._check_ready()
        try:
            with self._eng().begin() as conn:
                yield conn
        except LedgerError:
            raise
        except DisputeError:
            raise
        except IntegrityError as exc:
            raise LedgerError("cannot_write", f"the change conflicts with what is recorded: "
                              f"{str(exc.orig).splitlines()[0]}",
                              hint="run the command again") from None
        except (OperationalError, DBAPIError) as exc:
            raise self._unavailable(exc) from None

    # -- policy versions -------------------------------------------------------------------------
    def _sourced(self, policy: Any) -> list[SourcedPolicy]:
        if isinstance(policy, Policy):
            policy = [policy]
        if isinstance(policy, (str, os.PathLike)):
            return read_versions(policy)
        out = []
        for p in policy:
            if not isinstance(p, Policy):
                raise LedgerError("bad_argument", "policy must be a rulebook path, a folder, or "
                                  "loaded Policy objects")
            out.append(loaded_source(p))
        if not out:
            raise LedgerError("bad_argument", "no policy given")
        ids = sorted({s.policy.id for s in out})
        if len(ids) > 1:
            raise LedgerError("several_policies", "the versions given belong to several "
                              "policies: " + ", ".join(f"`{i}`" for i in ids))
        return out

    def _store_versions(self, conn: Connection, versions: Sequence[SourcedPolicy]) -> None:
        rows = [{"digest": s.policy.digest, "policy_id": s.policy.id,
                 "version": s.policy.version,
                 "effective": s.policy.meta.effective.isoformat(),
                 "expires": s.policy.meta.expires.isoformat() if s.policy.meta.expires else None,
                 "source_name": s.name, "source_text": s.text, "recorded_at": utc_stamp()}
                for s in versions]
        ins = pg_insert if self.is_postgresql else sqlite_insert
        for row in rows:
            conn.execute(ins(policy_versions).values(**row).on_conflict_do_nothing(
                index_elements=["digest"]))
        for s in versions:
            self._policies.setdefault(s.policy.digest, s.policy)

    def _policy(self, conn: Connection, digest: str) -> Policy:
        cached = self._policies.get(digest) or _BY_DIGEST.get(digest)
        if cached is not None:
            self._policies[digest] = cached
            return cached
        from ..core.errors import PolicyError
        from ..compile.pipeline import loads_policy

        row = conn.execute(select(policy_versions.c.source_text, policy_versions.c.source_name)
                           .where(policy_versions.c.digest == digest)).first()
        if row is None:
            raise LedgerError("unknown_version", f"the ledger holds no policy version {digest}")
        try:
            policy = loads_policy(row.source_text, row.source_name)
        except PolicyError as exc:
            raise LedgerError("version_incompatible", f"the recorded version {digest} no longer "
                              f"loads: {exc}") from None
        if policy.digest != digest:
            raise LedgerError("version_incompatible", f"the recorded source of {digest} now "
                              f"has digest {policy.digest}: this policyengine reads it "
                              "differently", hint="repin the dispute to a current version")
        self._policies[digest] = policy
        if len(_BY_DIGEST) >= 64:
            _BY_DIGEST.pop(next(iter(_BY_DIGEST)))
        _BY_DIGEST[digest] = policy
        return policy

    def add_policy(self, policy: Any) -> list[PolicyVersion]:
        """Record rulebook versions (a file, a folder of versions, or loaded Policies) so that
        disputes can be repinned to them; returns what was given."""
        versions = self._sourced(policy)
        with self._tx() as conn:
            self._store_versions(conn, versions)
        return [self._version_record(s.policy, s.name) for s in versions]

    @staticmethod
    def _version_record(p: Policy, name: str) -> PolicyVersion:
        return PolicyVersion(p.id, p.version, p.digest, p.meta.effective.isoformat(),
                             p.meta.expires.isoformat() if p.meta.expires else None, name)

    def policies(self, policy_id: str | None = None) -> list[PolicyVersion]:
        """The recorded versions, by policy id and effective date."""
        q = select(policy_versions).order_by(policy_versions.c.policy_id,
                                             policy_versions.c.effective,
                                             policy_versions.c.version)
        if policy_id is not None:
            q = q.where(policy_versions.c.policy_id == policy_id)
        with self._tx() as conn:
            return [PolicyVersion(r.policy_id, r.version, r.digest, r.effective, r.expires,
                                  r.source_name) for r in conn.execute(q)]

    # -- reading a dispute -----------------------------------------------------------------------
    def _row(self, conn: Connection, dispute_id: str, *, lock: bool = True) -> Any:
        q = select(disputes).where(disputes.c.id == dispute_id)
        if lock and self.is_postgresql:
            q = q.with_for_update()
        row = conn.execute(q).first()
        if row is None:
            known = [r[0] for r in conn.execute(
                select(disputes.c.id).where(disputes.c.id.like(dispute_id[:3] + "%")).limit(50))]
            raise LedgerError("unknown_dispute", f"no dispute `{dispute_id}` is recorded",
                              hint=did_you_mean(dispute_id, known) or
                              "list them with `policyengine ledger due` or open it first",
                              dispute_id=dispute_id)
        return row

    @staticmethod
    def _check_date(row: Any, on: _dt.date) -> None:
        if on.isoformat() < row.last_on:
            raise LedgerError("date_before_last_event", f"{on} is before the dispute's last "
                              f"event ({row.last_on})",
                              hint=f"give a date on or after {row.last_on}: history is "
                              "recorded in order", dispute_id=row.id)

    @staticmethod
    def _check_open(row: Any) -> None:
        if row.status != "open":
            raise LedgerError("dispute_resolved", f"dispute `{row.id}` was resolved on "
                              f"{row.resolved_on}", hint="reopen it first", dispute_id=row.id)

    # -- writing -----------------------------------------------------------------------------------
    def _append(self, conn: Connection, row: Any, dispute_id: str, kind: str, on: _dt.date,
                actor: str, payload: Mapping[str, Any], state: dict[str, Any] | None,
                new_dispute: bool = False) -> tuple[Event, dict[str, Any]]:
        """Append one event to a dispute's chain and write its new state (same transaction)."""
        n = 1 if row is None else row.last_n + 1
        prev = None if row is None else row.last_hash
        at = utc_stamp()
        payload_json = canonical_json(payload)
        h = event_hash(dispute_id, n, kind, actor, on.isoformat(), at, payload_json, prev)
        new_state = _state.apply(state, dispute_id, kind, on.isoformat(),
                                 json.loads(payload_json))
        values = dict(_state.columns(new_state), state=canonical_json(new_state), last_n=n,
                      last_hash=h)
        if new_dispute:
            conn.execute(_INSERT_DISPUTE, dict(values, id=dispute_id, opened_at=at,
                                               opened_facts=canonical_json(
                                                   new_state["opened_facts"])))
        else:
            res = conn.execute(_UPDATE_DISPUTE, dict(values, b_id=dispute_id, b_prev=n - 1))
            if res.rowcount != 1:
                raise LedgerError("cannot_write", f"dispute `{dispute_id}` changed while this "
                                  "command ran", hint="run the command again",
                                  dispute_id=dispute_id)
        conn.execute(_INSERT_EVENT, {"dispute_id": dispute_id, "n": n, "kind": kind,
                                     "actor": actor, "on_date": on.isoformat(), "at": at,
                                     "payload": payload_json, "prev_hash": prev, "hash": h})
        event = Event(dispute_id, n, kind, actor, on, parse_stamp(at), json.loads(payload_json),
                      prev, h)
        return event, new_state

    def _lock_policy(self, conn: Connection, policy: Policy) -> None:
        """Derived counts read other disputes: serialize the writers of one policy id that has
        derived facts, so a count never misses a dispute committed in parallel (PostgreSQL;
        SQLite writers are serialized already)."""
        if self.is_postgresql and _derived.derived_facts(policy):
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                         {"k": "policyengine-ledger:" + policy.id})

    def _derive(self, conn: Connection, policy: Policy, dispute_id: str,
                facts: Mapping[str, Any], on: _dt.date) -> dict[str, int]:
        decls = _derived.derived_facts(policy)
        if not decls:
            return {}
        widest = max(d.derived.within.delta for d in decls if d.derived is not None)
        start = (on - widest).isoformat()
        rows = conn.execute(_DERIVE_ROWS, {"p": policy.id, "start": start,
                                           "end": on.isoformat(), "me": dispute_id})
        others = [(r.opened_on, json.loads(r.opened_facts)) for r in rows]
        return {d.name: _derived.count(d.derived, facts, others, on)
                for d in decls if d.derived is not None}

    def _evaluate(self, conn: Connection, policy: Policy, dispute: dict[str, Any],
                  on: _dt.date, pinned_on: _dt.date, actor: str, dispute_id: str,
                  started: float) -> tuple[dict[str, Any], str]:
        """Decide, and log the decision; a refusal is logged (committed) and raised."""
        from ..decide.evaluate import evaluate_compiled

        decision_id = uuid.uuid4().hex
        try:
            result = evaluate_compiled(policy.compiled, dispute, as_of=on, pinned_on=pinned_on)
            self._last_result = result
            decision = result.to_dict()
        except DisputeError as exc:
            refusal = {"code": exc.code, "problems": [p.to_dict() for p in exc.problems]}
            self._log(conn, DecisionLogEntry(
                decision_id, _dt.datetime.now(_dt.timezone.utc), policy.id, policy.version,
                policy.digest, actor, self.source, redact_facts(policy, dispute), None, refusal,
                (time.perf_counter() - started) * 1000.0, dispute_id))
            raise _Refused(exc) from None
        self._log(conn, DecisionLogEntry(
            decision_id, _dt.datetime.now(_dt.timezone.utc), policy.id, policy.version,
            policy.digest, actor, self.source,
            redact_facts(policy, dispute, category=decision["category"]["id"]),
            redact_decision(policy, decision), None,
            (time.perf_counter() - started) * 1000.0, dispute_id))
        return decision, decision_id

    @contextmanager
    def _decision_tx(self) -> Iterator[Connection]:
        """A transaction whose refusal still commits its decision-log entry (and nothing else
        was written before the decision), then raises the DisputeError."""
        refused: list[DisputeError] = []
        with self._tx() as conn:
            try:
                yield conn
            except _Refused as exc:
                refused.append(exc.error)
        if refused:
            raise refused[0]

    # -- the operations ----------------------------------------------------------------------------
    def open(self, dispute_id: str, policy: Any, facts: Mapping[str, Any], *,
             on: _dt.date | str, actor: str | None = None) -> LedgerDecision:
        """Record a new dispute under the version of ``policy`` (a rulebook file, a folder of
        versions of one policy, or loaded Policies) in force on ``on``, and its first
        decision. Raises LedgerError (nothing written) or DisputeError (a refusal: only the
        decision log records it)."""
        started = time.perf_counter()
        _check_id(dispute_id)
        day = _day(on)
        actor = actor or _default_actor()
        if not isinstance(facts, Mapping):
            raise LedgerError("bad_argument", "the dispute must be a JSON object of facts")
        facts = dict(facts)
        for key in _RESERVED:
            if key in facts:
                raise LedgerError("reserved_key", f"the dispute gives `{key}`: the ledger "
                                  "derives it from the dispute's history",
                                  hint=f"remove `{key}` from the dispute")
        if "as_of" in facts:
            if facts["as_of"] != day.isoformat():
                raise LedgerError("bad_argument", f"the dispute's `as_of` ({facts['as_of']}) "
                                  f"differs from the opening date {day}",
                                  hint="remove `as_of`, or open it on that day")
            del facts["as_of"]
        versions = self._sourced(policy)
        chosen = choose(versions, day).policy
        self._no_derived_given(chosen, facts)
        with self._decision_tx() as conn:
            existing = conn.execute(select(disputes.c.opened_on).where(
                disputes.c.id == dispute_id)).first()
            if existing is not None:
                raise LedgerError("dispute_exists", f"dispute `{dispute_id}` was opened on "
                                  f"{existing.opened_on}",
                                  hint="choose another id, or `decide` it", dispute_id=dispute_id)
            self._store_versions(conn, versions)
            self._lock_policy(conn, chosen)
            started = time.perf_counter()
            derived = self._derive(conn, chosen, dispute_id, facts, day)
            dispute = dict(facts, **derived)
            decision, decision_id = self._evaluate(conn, chosen, dispute, day, day, actor,
                                                   dispute_id, started)
            payload = {"policy": {"id": chosen.id, "version": chosen.version,
                                  "digest": chosen.digest},
                       "facts": facts, "derived": derived, "input": dispute,
                       "decision": decision, "decision_id": decision_id,
                       "pinned_on": day.isoformat()}
            try:
                event, _ = self._append(conn, None, dispute_id, "opened", day, actor, payload,
                                        None, new_dispute=True)
            except IntegrityError:
                raise LedgerError("dispute_exists", f"dispute `{dispute_id}` was just opened "
                                  "by someone else", dispute_id=dispute_id) from None
        return LedgerDecision(dispute_id, decision_id, event, decision, dispute,
                              self._last_result)

    @staticmethod
    def _no_derived_given(policy: Policy, facts: Mapping[str, Any]) -> None:
        for d in _derived.derived_facts(policy):
            if d.name in facts:
                raise LedgerError("derived_fact_given", f"fact `{d.name}` is derived from the "
                                  "ledger; the dispute must not give it",
                                  hint=f"remove `{d.name}`: the ledger counts it")

    def _reserved_input(self, st: dict[str, Any]) -> dict[str, Any]:
        return {"escalation": {"level": st["level"], "since": st["level_since"]},
                "remedies_in_force": [{"id": r["id"], "granted_on": r["granted_on"],
                                       "last_reviewed": r.get("last_reviewed")}
                                      for r in st["remedies"]]}

    def decide(self, dispute_id: str, *, on: _dt.date | str,
               facts: Mapping[str, Any] | None = None, actor: str | None = None
               ) -> LedgerDecision:
        """Decide the dispute again on ``on`` from its history (``escalation`` and
        ``remedies_in_force`` derived, derived facts counted), after applying ``facts`` (a JSON
        merge patch of fact changes, recorded as a ``facts_amended`` event)."""
        started = time.perf_counter()
        day = _day(on)
        actor = actor or _default_actor()
        if facts is not None and not isinstance(facts, Mapping):
            raise LedgerError("bad_changes", "the fact changes must be a JSON object",
                              hint='e.g. {"amount": 150000.0}; null removes a fact')
        with self._decision_tx() as conn:
            row = self._row(conn, dispute_id)
            self._check_open(row)
            self._check_date(row, day)
            st = json.loads(row.state)
            policy = self._policy(conn, row.digest)
            new_facts = dict(st["facts"])
            if facts:
                for key in (*_RESERVED, "as_of"):
                    if key in facts:
                        raise LedgerError("reserved_key", f"the changes give `{key}`: the "
                                          "ledger derives it", hint=f"remove `{key}`",
                                          dispute_id=dispute_id)
                self._no_derived_given(policy, facts)
                new_facts = merge_patch(new_facts, facts)
            self._lock_policy(conn, policy)
            started = time.perf_counter()
            derived = self._derive(conn, policy, dispute_id, st["opened_facts"], day)
            dispute = dict(new_facts, **derived, **self._reserved_input(st))
            decision, decision_id = self._evaluate(conn, policy, dispute, day,
                                                   parse_date(st["pinned_on"]), actor,
                                                   dispute_id, started)
            if facts:
                _, st = self._append(conn, row, dispute_id, "facts_amended", day, actor,
                                     {"changes": dict(facts), "facts": new_facts}, st)
                row = self._row(conn, dispute_id, lock=False)
            event, _ = self._append(conn, row, dispute_id, "decided", day, actor,
                                    {"facts": new_facts, "derived": derived, "input": dispute,
                                     "decision": decision, "decision_id": decision_id,
                                     "pinned_on": st["pinned_on"]}, st)
        return LedgerDecision(dispute_id, decision_id, event, decision, dispute,
                              self._last_result)

    def grant(self, dispute_id: str, remedy: str, *, on: _dt.date | str,
              actor: str | None = None) -> Event:
        """Record that a remedy the last decision requires was granted on ``on``."""
        from ..decide.evaluate import remedy_status

        day = _day(on)
        actor = actor or _default_actor()
        with self._tx() as conn:
            row = self._row(conn, dispute_id)
            self._check_open(row)
            self._check_date(row, day)
            st = json.loads(row.state)
            required = st["required_remedies"]
            if remedy not in required:
                raise LedgerError("unknown_remedy", f"remedy `{remedy}` is not one the last "
                                  "decision of this dispute requires",
                                  hint=did_you_mean(remedy, required) or
                                  (f"grant {one_of(required)}" if required else
                                   "the last decision requires no remedy"),
                                  dispute_id=dispute_id)
            policy = self._policy(conn, row.digest)
            for r in st["remedies"]:
                if r["id"] == remedy and (r.get("expires_on") is None
                                          or day.isoformat() < r["expires_on"]):
                    raise LedgerError("remedy_in_force", f"remedy `{remedy}` was granted on "
                                      f"{r['granted_on']} and is in force"
                                      + (f" until {r['expires_on']}" if r.get("expires_on")
                                         else ""),
                                      hint="review it instead", dispute_id=dispute_id)
            status = remedy_status(policy.compiled, remedy, day, None, day, st["facts"])
            event, _ = self._append(conn, row, dispute_id, "remedy_granted", day, actor, {
                "remedy": remedy, "expires_on": _iso(status.expires_on),
                "review_on": _iso(status.review_on)}, st)
        return event

    def review(self, dispute_id: str, remedy: str, *, on: _dt.date | str,
               actor: str | None = None) -> Event:
        """Record the review of a remedy in force (its next review counts from ``on``)."""
        from ..decide.evaluate import remedy_status

        day = _day(on)
        actor = actor or _default_actor()
        with self._tx() as conn:
            row = self._row(conn, dispute_id)
            self._check_open(row)
            self._check_date(row, day)
            st = json.loads(row.state)
            granted = next((r for r in st["remedies"] if r["id"] == remedy), None)
            if granted is None:
                held = [r["id"] for r in st["remedies"]]
                raise LedgerError("remedy_not_granted", f"remedy `{remedy}` is not in force "
                                  "for this dispute",
                                  hint=did_you_mean(remedy, held) or
                                  (f"review {one_of(held)}" if held else "grant it first"),
                                  dispute_id=dispute_id)
            if granted.get("expires_on") is not None and day.isoformat() >= granted["expires_on"]:
                raise LedgerError("remedy_not_granted", f"remedy `{remedy}` lapsed on "
                                  f"{granted['expires_on']}", hint="grant it again",
                                  dispute_id=dispute_id)
            policy = self._policy(conn, row.digest)
            status = remedy_status(policy.compiled, remedy, parse_date(granted["granted_on"]),
                                   day, day, st["facts"])
            event, _ = self._append(conn, row, dispute_id, "remedy_reviewed", day, actor, {
                "remedy": remedy, "expires_on": _iso(status.expires_on),
                "review_on": _iso(status.review_on)}, st)
        return event

    def resolve(self, dispute_id: str, *, on: _dt.date | str, outcome: str,
                memo: str | None = None, actor: str | None = None) -> Event:
        """Record the resolution: its outcome and, optionally, the resolution memo's text."""
        day = _day(on)
        actor = actor or _default_actor()
        if not isinstance(outcome, str) or not outcome.strip():
            raise LedgerError("bad_argument", "the outcome must be a non-empty text",
                              hint='e.g. --outcome "price realigned for 90 days"')
        with self._tx() as conn:
            row = self._row(conn, dispute_id)
            self._check_open(row)
            self._check_date(row, day)
            st = json.loads(row.state)
            event, _ = self._append(conn, row, dispute_id, "resolved", day, actor,
                                    {"outcome": outcome, "memo": memo}, st)
        return event

    def reopen(self, dispute_id: str, *, on: _dt.date | str, reason: str,
               actor: str | None = None) -> LedgerDecision:
        """Reopen a resolved dispute: it is decided again at the level it stood at, whose
        windows start on ``on``."""
        started = time.perf_counter()
        day = _day(on)
        actor = actor or _default_actor()
        if not isinstance(reason, str) or not reason.strip():
            raise LedgerError("bad_argument", "a reopening needs a reason")
        with self._decision_tx() as conn:
            row = self._row(conn, dispute_id)
            if row.status != "resolved":
                raise LedgerError("dispute_open", f"dispute `{dispute_id}` is open",
                                  hint="only a resolved dispute can be reopened",
                                  dispute_id=dispute_id)
            self._check_date(row, day)
            st = json.loads(row.state)
            policy = self._policy(conn, row.digest)
            self._lock_policy(conn, policy)
            started = time.perf_counter()
            derived = self._derive(conn, policy, dispute_id, st["opened_facts"], day)
            reserved = self._reserved_input(st)
            reserved["escalation"]["since"] = day.isoformat()
            dispute = dict(st["facts"], **derived, **reserved)
            decision, decision_id = self._evaluate(conn, policy, dispute, day,
                                                   parse_date(st["pinned_on"]), actor,
                                                   dispute_id, started)
            event, _ = self._append(conn, row, dispute_id, "reopened", day, actor, {
                "reason": reason, "facts": st["facts"], "derived": derived, "input": dispute,
                "decision": decision, "decision_id": decision_id,
                "pinned_on": st["pinned_on"]}, st)
        return LedgerDecision(dispute_id, decision_id, event, decision, dispute,
                              self._last_result)

    def repin(self, dispute_id: str, *, to: str, reason: str, on: _dt.date | str | None = None,
              policy: Any = None, actor: str | None = None) -> Event:
        """Pin the dispute to another recorded version of its policy (``to``: a version or a
        digest), in force on ``on`` (default today); ``policy`` records versions first."""
        day = _day(on) if on is not None else _dt.date.today()
        actor = actor or _default_actor()
        if not isinstance(reason, str) or not reason.strip():
            raise LedgerError("bad_argument", "a repin needs a reason",
                              hint='e.g. --reason "contract renewed under 3.2.0"')
        given = self._sourced(policy) if policy is not None else []
        with self._tx() as conn:
            row = self._row(conn, dispute_id)
            self._check_open(row)
            self._check_date(row, day)
            if given:
                if given[0].policy.id != row.policy_id:
                    raise LedgerError("several_policies", f"the rulebook given is policy "
                                      f"`{given[0].policy.id}`, the dispute's is "
                                      f"`{row.policy_id}`", dispute_id=dispute_id)
                self._store_versions(conn, given)
            versions = conn.execute(select(policy_versions).where(
                policy_versions.c.policy_id == row.policy_id)).all()
            match = [v for v in versions if to in (v.version, v.digest)
                     or (to.startswith("sha256:") and len(to) >= 15 and v.digest.startswith(to))]
            if len(match) != 1:
                known = sorted({v.version for v in versions})
                raise LedgerError("unknown_version", f"policy `{row.policy_id}` has "
                                  + ("no recorded version " if not match else
                                     "several recorded versions matching ") + f"`{to}`",
                                  hint=f"recorded: {one_of(known)}; record a new version "
                                  "with --policy PATH or `policyengine ledger add PATH`",
                                  dispute_id=dispute_id)
            target = match[0]
            if target.digest == row.digest:
                raise LedgerError("bad_argument", f"dispute `{dispute_id}` is already pinned to "
                                  f"{target.version}", dispute_id=dispute_id)
            new = self._policy(conn, target.digest)
            if not in_force(new, day):
                raise LedgerError("version_not_in_force", f"version {new.version} is in force "
                                  f"from {new.meta.effective}"
                                  + (f" to {new.meta.expires}" if new.meta.expires else "")
                                  + f", not on {day}", hint="repin on a day it is in force",
                                  dispute_id=dispute_id)
            st = json.loads(row.state)
            if new.ladder.level(st["level"]) is None:
                raise LedgerError("version_incompatible", f"version {new.version} has no level "
                                  f"`{st['level']}`, where the dispute stands",
                                  dispute_id=dispute_id)
            lost = [r["id"] for r in st["remedies"] if new.remedy(r["id"]) is None]
            if lost:
                raise LedgerError("version_incompatible", f"version {new.version} has no remedy "
                                  + ", ".join(f"`{x}`" for x in lost)
                                  + ", which the dispute holds", dispute_id=dispute_id)
            event, _ = self._append(conn, row, dispute_id, "repinned", day, actor, {
                "from": {"version": row.version, "digest": row.digest},
                "to": {"version": new.version, "digest": new.digest}, "reason": reason}, st)
        return event

    # -- reading -------------------------------------------------------------------------------------
    def show(self, dispute_id: str, *, reveal: bool = False) -> DisputeHistory:
        """The dispute's state and history; restricted categories and sensitive facts are
        redacted unless ``reveal``."""
        with self._tx() as conn:
            row = self._row(conn, dispute_id, lock=False)
            st = json.loads(row.state)
            rows = conn.execute(select(events).where(events.c.dispute_id == dispute_id)
                                .order_by(events.c.n)).all()
            policies = {d: self._policy(conn, d) for d in {row.digest} | {
                json.loads(r.payload).get("to", {}).get("digest", row.digest) for r in rows
                if r.kind == "repinned"} | {json.loads(r.payload)["policy"]["digest"]
                                            for r in rows if r.kind == "opened"}}
        summary = _state.summary(st)
        policy = policies[row.digest]
        category = st["category"]
        evs = []
        current = policy
        for r in rows:
            payload = json.loads(r.payload)
            if r.kind == "opened":
                current = policies[payload["policy"]["digest"]]
            elif r.kind == "repinned":
                current = policies[payload["to"]["digest"]]
            evs.append(Event(r.dispute_id, r.n, r.kind, r.actor, parse_date(r.on_date),
                             parse_stamp(r.at), _redact_payload(current, payload, category,
                                                                reveal), r.prev_hash, r.hash))
        restricted = st["confidentiality"] == "restricted"
        if not reveal:
            summary = _replace(summary, facts=redact_facts(policy, summary.facts,
                                                           category=category),
                               outcome=redact_text(summary.outcome, restricted))
        return DisputeHistory(summary, tuple(evs), redacted=not reveal)

    def state(self, dispute_id: str) -> dict[str, Any]:
        """The dispute's full, unredacted state (the projection ``verify`` checks)."""
        with self._tx() as conn:
            return dict(json.loads(self._row(conn, dispute_id, lock=False).state))

    def replay_last(self, dispute_id: str) -> tuple[Policy, dict[str, Any], Any]:
        """The dispute's last decision made again (``evaluate`` is pure: the same input gives
        the same decision): (policy, input, Decision)."""
        from ..decide.evaluate import evaluate_compiled

        with self._tx() as conn:
            row = self._row(conn, dispute_id, lock=False)
            last = conn.execute(select(events.c.on_date, events.c.payload).where(and_(
                events.c.dispute_id == dispute_id,
                events.c.kind.in_(("opened", "decided", "reopened"))))
                .order_by(events.c.n.desc()).limit(1)).one()
            payload = json.loads(last.payload)
            digest = payload["decision"]["policy"]["digest"]
            policy = self._policy(conn, digest)
            pinned = payload.get("pinned_on") or json.loads(row.state)["pinned_on"]
        pinned_on = parse_date(pinned)
        decision = evaluate_compiled(policy.compiled, payload["input"],
                                     as_of=parse_date(last.on_date), pinned_on=pinned_on)
        return policy, payload["input"], decision

    def policy_of(self, dispute_id: str) -> Policy:
        """The policy version the dispute is pinned to."""
        with self._tx() as conn:
            return self._policy(conn, self._row(conn, dispute_id, lock=False).digest)

    def due(self, *, on: _dt.date | str, within: int = 0) -> list[DueItem]:
        """The reminder list on ``on``: open disputes whose ``respond_by`` (until someone acts at
        the level) or ``decide_by`` has passed or falls within ``within`` days, and remedies
        whose review or sunset does; sorted by date, then dispute."""
        day = _day(on)
        if not isinstance(within, int) or within < 0:
            raise LedgerError("bad_argument", "--within must be a number of days, 0 or more")
        horizon = (day + _dt.timedelta(days=within)).isoformat()
        today = day.isoformat()
        q = select(disputes.c.id, disputes.c.state).where(and_(
            disputes.c.status == "open",
            or_(disputes.c.respond_by <= horizon, disputes.c.decide_by <= horizon,
                disputes.c.remedy_due_on <= horizon)))
        out: list[DueItem] = []
        with self._tx() as conn:
            for r in conn.execute(q):
                st = json.loads(r.state)
                lv, cat = st["level"], st["category"]
                if not st["responded"] and st["respond_by"] and st["respond_by"] <= horizon:
                    out.append(DueItem(r.id, "respond_by", st["respond_by"],
                                       st["respond_by"] < today, lv, cat))
                if st["decide_by"] and st["decide_by"] <= horizon:
                    out.append(DueItem(r.id, "decide_by", st["decide_by"],
                                       st["decide_by"] < today, lv, cat))
                for rem in st["remedies"]:
                    exp, rev = rem.get("expires_on"), rem.get("review_on")
                    if exp is not None and exp <= horizon:
                        out.append(DueItem(r.id, "sunset", exp, exp < today, lv, cat,
                                           rem["id"]))
                    elif rev is not None and rev <= horizon:
                        out.append(DueItem(r.id, "review", rev, rev < today, lv, cat,
                                           rem["id"]))
        out.sort(key=lambda d: (d.date, d.dispute_id, d.kind, d.remedy or ""))
        return out

    def metrics(self, *, from_: _dt.date | str | None = None, to: _dt.date | str | None = None,
                by: str = "category", policy_id: str | None = None,
                reveal: bool = False) -> dict[str, Any]:
        """Counts, time to resolution, deadline breaches, escalation and recurrence of the
        disputes opened between ``from_`` and ``to`` (inclusive), grouped ``by`` category,
        level or a fact path. See :mod:`policyengine.ledger.metrics`."""
        from .metrics import compute

        lo = _day(from_, "from").isoformat() if from_ is not None else None
        hi = _day(to, "to").isoformat() if to is not None else None
        if lo and hi and lo > hi:
            raise LedgerError("bad_argument", f"--from {lo} is after --to {hi}")
        keys = [disputes.c.digest, disputes.c.category, disputes.c.level]
        if by not in ("category", "level"):
            keys.append(disputes.c.opened_facts)

        def flag(col: Any) -> Any:
            return func.sum(case((col > 0, 1), else_=0))

        concat = func.string_agg if self.is_postgresql else func.group_concat
        # counts, sums and the resolution days joined, in the database, grouped as finely as
        # any grouping needs: Python sees one row per group, not per dispute
        agg = select(*keys, disputes.c.status, func.count().label("n"),
                     func.coalesce(func.sum(disputes.c.breaches), 0).label("breaches"),
                     flag(disputes.c.breaches).label("breached"),
                     flag(disputes.c.escalations).label("escalated"),
                     flag(disputes.c.recurring).label("recurring"),
                     flag(disputes.c.reopened).label("reopened"),
                     concat(disputes.c.resolution_days, ",").label("resolution_days"),
                     ).group_by(*keys, disputes.c.status)
        if lo:
            agg = agg.where(disputes.c.opened_on >= lo)
        if hi:
            agg = agg.where(disputes.c.opened_on <= hi)
        if policy_id:
            agg = agg.where(disputes.c.policy_id == policy_id)
        with self._tx() as conn:
            result = conn.execute(agg)
            names = list(result.keys())
            groups = [dict(zip(names, r)) for r in result]
            policies = {d: self._policy(conn, d) for d in {r["digest"] for r in groups}}
        return compute([(policies[r["digest"]], r) for r in groups],
                       by=by, from_=lo, to=hi, reveal=reveal)

    def export(self, *, reveal: bool = False, policy_id: str | None = None,
               since: _dt.date | str | None = None) -> Iterator[dict[str, Any]]:
        """Every recorded decision's input as ``diff --replay`` reads it: the facts, the derived
        facts and the reserved keys as the ledger gave them to ``evaluate``, with ``as_of``;
        oldest first. Sensitive and restricted values are masked unless ``reveal``."""
        q = (select(events.c.dispute_id, events.c.on_date, events.c.payload, disputes.c.digest)
             .join(disputes, disputes.c.id == events.c.dispute_id)
             .where(events.c.kind.in_(("opened", "decided", "reopened")))
             .order_by(events.c.on_date, events.c.seq))
        if policy_id:
            q = q.where(disputes.c.policy_id == policy_id)
        if since is not None:
            q = q.where(events.c.on_date >= _day(since, "since").isoformat())
        with self._tx() as conn:
            rows = conn.execute(q).all()
            policies: dict[str, Policy] = {}
            out = []
            for r in rows:
                payload = json.loads(r.payload)
                digest = payload.get("policy", {}).get("digest") or \
                    payload["decision"]["policy"]["digest"]
                if digest not in policies:
                    policies[digest] = self._policy(conn, digest)
                line = dict(payload["input"], as_of=r.on_date)
                out.append(redact_facts(policies[digest], line, reveal=reveal,
                                        category=payload["decision"]["category"]["id"]))
        return iter(out)

    def verify(self) -> VerifyReport:
        """Recompute every hash chain and every dispute's state from its events."""
        problems: list[str] = []
        n_events = 0
        with self._tx() as conn:
            rows = conn.execute(select(disputes).order_by(disputes.c.id)).all()
            for row in rows:
                evs = conn.execute(select(events).where(events.c.dispute_id == row.id)
                                   .order_by(events.c.n)).all()
                n_events += len(evs)
                prev = None
                history: list[tuple[str, str, dict[str, Any]]] = []
                for i, e in enumerate(evs, start=1):
                    where = f"dispute `{row.id}` event {e.n} ({e.kind})"
                    if e.n != i:
                        problems.append(f"{where}: expected event {i}: an event is missing")
                    if e.prev_hash != prev:
                        problems.append(f"{where}: it does not link to the previous event")
                    try:
                        json.loads(e.payload)
                        want = event_hash(e.dispute_id, e.n, e.kind, e.actor, e.on_date, e.at,
                                          e.payload, e.prev_hash)
                    except ValueError:
                        want = "unreadable"
                    if want != e.hash:
                        problems.append(f"{where}: its hash does not match its content: it was "
                                        "changed after it was recorded")
                    if history and e.on_date < history[-1][1]:
                        problems.append(f"{where}: dated {e.on_date}, before the event before "
                                        "it")
                    prev = e.hash
                    try:
                        history.append((e.kind, e.on_date, json.loads(e.payload)))
                    except ValueError:
                        pass
                if not evs:
                    problems.append(f"dispute `{row.id}`: it has no events")
                    continue
                if row.last_hash != prev or row.last_n != len(evs):
                    problems.append(f"dispute `{row.id}`: its state points at event "
                                    f"{row.last_n}, the history ends at event {len(evs)}")
                try:
                    st = _state.fold(row.id, history)
                except (KeyError, ValueError, TypeError) as exc:
                    problems.append(f"dispute `{row.id}`: its history cannot be replayed: {exc}")
                    continue
                assert st is not None
                stored = json.loads(row.state)
                if st != stored:
                    diff = sorted(k for k in set(st) | set(stored) if st.get(k) != stored.get(k))
                    problems.append(f"dispute `{row.id}`: its recorded state differs from its "
                                    f"history in {', '.join(diff)}")
                cols = _state.columns(st)
                bad = [k for k, v in cols.items() if getattr(row, k) != v]
                if row.opened_facts != canonical_json(st["opened_facts"]):
                    bad.append("opened_facts")
                if bad:
                    problems.append(f"dispute `{row.id}`: its indexed columns differ from its "
                                    f"history in {', '.join(bad)}")
            orphans = conn.execute(select(func.count()).select_from(events).where(
                ~events.c.dispute_id.in_(select(disputes.c.id)))).scalar_one()
            if orphans:
                problems.append(f"{orphans} event(s) belong to no recorded dispute")
        return VerifyReport(len(rows), n_events, tuple(problems))

    # -- the decision log ----------------------------------------------------------------------------
    def _log(self, conn: Connection, entry: DecisionLogEntry) -> None:
        conn.execute(_INSERT_LOG, self._log_row(entry))

    @staticmethod
    def _log_row(entry: DecisionLogEntry) -> dict[str, Any]:
        return dict(
            decision_id=entry.decision_id, at=utc_stamp(entry.at), policy_id=entry.policy_id,
            policy_version=entry.policy_version, policy_digest=entry.policy_digest,
            actor=entry.actor, source=entry.source, dispute=canonical_json(dict(entry.dispute)),
            decision=canonical_json(dict(entry.decision)) if entry.decision is not None
            else None,
            refusal=canonical_json(dict(entry.refusal)) if entry.refusal is not None else None,
            latency_ms=float(entry.latency_ms), dispute_id=entry.dispute_id)

    def log_decision(self, entry: DecisionLogEntry) -> None:
        """Append one entry to the decision log (one transaction). Raises LedgerError
        (``cannot_write``, ``unavailable``, ``not_initialized``) when it cannot be written."""
        if not isinstance(entry, DecisionLogEntry):
            raise LedgerError("bad_argument", "log_decision takes a DecisionLogEntry")
        try:
            with self._tx() as conn:
                self._log(conn, entry)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, LedgerError):
                raise
            raise LedgerError("cannot_write", f"the entry cannot be stored: {exc}",
                              hint="the dispute, decision and refusal must be JSON data"
                              ) from None

    def log_decisions(self, entries: Sequence[DecisionLogEntry]) -> None:
        """Append several entries in one transaction: all are written or none is. Raises
        LedgerError like :meth:`log_decision`."""
        entries = list(entries)
        if not all(isinstance(e, DecisionLogEntry) for e in entries):
            raise LedgerError("bad_argument", "log_decisions takes DecisionLogEntry values")
        if not entries:
            return
        try:
            rows = [self._log_row(e) for e in entries]
            with self._tx() as conn:
                conn.execute(_INSERT_LOG, rows)  # one executemany
        except (TypeError, ValueError) as exc:
            if isinstance(exc, LedgerError):
                raise
            raise LedgerError("cannot_write", f"an entry cannot be stored: {exc}",
                              hint="the dispute, decision and refusal must be JSON data"
                              ) from None

    def decision_log(self, *, since: _dt.datetime | None = None, policy_id: str | None = None,
                     limit: int | None = None) -> list[DecisionLogEntry]:
        """Entries oldest first, from ``since`` (a UTC datetime; a date means its midnight)."""
        q = select(decision_log).order_by(decision_log.c.at, decision_log.c.seq)
        if since is not None:
            if not isinstance(since, _dt.datetime):
                since = _dt.datetime.combine(since, _dt.time(), _dt.timezone.utc)
            q = q.where(decision_log.c.at >= utc_stamp(since))
        if policy_id is not None:
            q = q.where(decision_log.c.policy_id == policy_id)
        if limit is not None:
            if limit < 0:
                raise LedgerError("bad_argument", "limit must be 0 or more")
            q = q.limit(limit)
        with self._tx() as conn:
            rows = conn.execute(q).all()
        return [DecisionLogEntry(
            r.decision_id, parse_stamp(r.at), r.policy_id, r.policy_version, r.policy_digest,
            r.actor, r.source, json.loads(r.dispute),
            json.loads(r.decision) if r.decision is not None else None,
            json.loads(r.refusal) if r.refusal is not None else None, r.latency_ms,
            r.dispute_id) for r in rows]


class _Refused(Exception):
    """Internal: carries a refusal out of a transaction that must still commit."""

    def __init__(self, error: DisputeError) -> None:
        super().__init__(str(error))
        self.error = error


def _iso(day: _dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _replace(obj: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(obj, **changes)


def _redact_payload(policy: Policy, payload: Mapping[str, Any], category: str | None,
                    reveal: bool) -> dict[str, Any]:
    if reveal:
        return dict(payload)
    out = dict(payload)
    cat = (payload.get("decision") or {}).get("category", {}).get("id", category)
    for key in ("facts", "input", "changes"):
        if isinstance(out.get(key), Mapping):
            out[key] = redact_facts(policy, out[key], category=cat)
    if "derived" in out and isinstance(out["derived"], Mapping):
        out["derived"] = redact_facts(policy, out["derived"], category=cat)
    if isinstance(out.get("decision"), Mapping):
        out["decision"] = redact_decision(policy, out["decision"])
    restricted = policy.category(cat) is not None and \
        policy.category(cat).confidentiality == "restricted"  # type: ignore[union-attr]
    for key in ("outcome", "memo", "reason"):
        if isinstance(out.get(key), str):
            out[key] = redact_text(out[key], restricted)
    return out
