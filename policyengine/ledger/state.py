"""A dispute's state as a fold over its events (pure: the same events give the same state).

The ledger stores this state next to the events as a projection, written in the same
transaction; ``verify`` folds every history again and compares. No decision logic lives here:
levels, deadlines, remedy dates come from the decisions ``evaluate`` made, recorded in the
events' payloads.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable, Mapping

from .records import DisputeSummary, RemedyState

State = dict[str, Any]


def _deadline_steps(decision: Mapping[str, Any]) -> int:
    return sum(1 for step in decision.get("trace", ()) if step.get("kind") == "deadline")


def _set_decision(state: State, decision: Mapping[str, Any], on: str, *, fresh: bool) -> None:
    """Take the decision's level; a level change (or a fresh start) restarts its windows."""
    state["category"] = decision["category"]["id"]
    state["confidentiality"] = decision["category"]["confidentiality"]
    state["required_remedies"] = [r["id"] for r in decision.get("remedies", ())]
    state["breaches"] += _deadline_steps(decision)
    if fresh or decision["action"] == "escalate":
        if not fresh:
            state["escalations"] += 1
        state["level"] = decision["level"]["id"]
        state["level_since"] = on
        state["respond_by"] = decision.get("respond_by")
        state["decide_by"] = decision.get("decide_by")
        state["responded"] = False
    else:
        state["responded"] = True


def apply(state: State | None, dispute_id: str, kind: str, on: str,
          payload: Mapping[str, Any]) -> State:
    """The state after one event (a new dict; ``state`` is not changed)."""
    if kind == "opened":
        if state is not None:
            raise ValueError("`opened` must be the first event")
        pol = payload["policy"]
        new: State = {
            "id": dispute_id, "policy_id": pol["id"], "version": pol["version"],
            "digest": pol["digest"], "pinned_on": on, "opened_on": on, "status": "open",
            "facts": payload["facts"], "opened_facts": payload["facts"],
            "derived": payload.get("derived", {}), "category": None,
            "confidentiality": None, "level": None, "level_since": None,
            "opened_level": payload["decision"]["level"]["id"], "respond_by": None,
            "decide_by": None, "responded": False, "remedies": [], "required_remedies": [],
            "resolved_on": None, "outcome": None, "memo": None, "last_on": on, "events": 0,
            "escalations": 0, "breaches": 0, "reopened": 0, "resolutions": [], "cycle_start": on,
        }
        _set_decision(new, payload["decision"], on, fresh=True)
    else:
        if state is None:
            raise ValueError("a history must start with `opened`")
        new = dict(state)
        if kind == "decided":
            new["facts"] = payload["facts"]
            _set_decision(new, payload["decision"], on, fresh=False)
        elif kind == "facts_amended":
            new["facts"] = payload["facts"]
            new["responded"] = True
        elif kind == "remedy_granted":
            rid = payload["remedy"]
            kept = [r for r in new["remedies"] if r["id"] != rid]
            kept.append({"id": rid, "granted_on": on, "last_reviewed": None,
                         "expires_on": payload.get("expires_on"),
                         "review_on": payload.get("review_on")})
            new["remedies"] = kept
            new["responded"] = True
        elif kind == "remedy_reviewed":
            rid = payload["remedy"]
            new["remedies"] = [
                dict(r, last_reviewed=on, expires_on=payload.get("expires_on"),
                     review_on=payload.get("review_on")) if r["id"] == rid else r
                for r in new["remedies"]]
            new["responded"] = True
        elif kind == "resolved":
            new["status"] = "resolved"
            new["resolved_on"] = on
            new["outcome"] = payload["outcome"]
            new["memo"] = payload.get("memo")
            new["resolutions"] = list(new["resolutions"]) + [
                {"opened_on": new["cycle_start"], "resolved_on": on}]
        elif kind == "reopened":
            new["status"] = "open"
            new["reopened"] += 1
            new["resolved_on"] = None
            new["outcome"] = None
            new["memo"] = None
            new["cycle_start"] = on
            _set_decision(new, payload["decision"], on, fresh=True)
        elif kind == "repinned":
            new["version"] = payload["to"]["version"]
            new["digest"] = payload["to"]["digest"]
            new["pinned_on"] = on
        else:
            raise ValueError(f"unknown event kind `{kind}`")
    new["last_on"] = on
    new["events"] = new["events"] + 1
    return new


def fold(dispute_id: str, history: Iterable[tuple[str, str, Mapping[str, Any]]]) -> State | None:
    """The state after ``(kind, on, payload)`` events, oldest first."""
    state: State | None = None
    for kind, on, payload in history:
        state = apply(state, dispute_id, kind, on, payload)
    return state


def remedy_due_on(state: State) -> str | None:
    """The first review or sunset date among the remedies in force (None when none)."""
    dates = [d for r in state["remedies"] for d in (r.get("review_on"), r.get("expires_on"))
             if d is not None]
    return min(dates) if dates else None


def columns(state: State) -> dict[str, Any]:
    """The projection's indexed columns, from the state."""
    return {"policy_id": state["policy_id"], "digest": state["digest"],
            "version": state["version"], "pinned_on": state["pinned_on"],
            "opened_on": state["opened_on"], "status": state["status"],
            "category": state["category"], "level": state["level"],
            "opened_level": state["opened_level"],
            "respond_by": None if state["responded"] else state["respond_by"],
            "decide_by": state["decide_by"], "remedy_due_on": remedy_due_on(state),
            "resolved_on": state["resolved_on"], "last_on": state["last_on"],
            "escalations": state["escalations"], "breaches": state["breaches"],
            "reopened": state["reopened"],
            "recurring": 1 if any(v > 0 for v in state.get("derived", {}).values()) else 0,
            "resolution_days": ",".join(
                str((_dt.date.fromisoformat(r["resolved_on"])
                     - _dt.date.fromisoformat(r["opened_on"])).days)
                for r in state.get("resolutions", ())) or None}


def summary(state: State) -> DisputeSummary:
    return DisputeSummary(
        state["id"], state["policy_id"], state["version"], state["digest"], state["status"],
        state["opened_on"], state["pinned_on"], state["category"], state["confidentiality"],
        state["level"], state["level_since"], state["respond_by"], state["decide_by"],
        bool(state["responded"]),
        tuple(RemedyState(r["id"], r["granted_on"], r.get("last_reviewed"), r.get("expires_on"),
                          r.get("review_on")) for r in state["remedies"]),
        state["facts"], state["resolved_on"], state["outcome"], state["last_on"],
        state["events"])
