"""Stage 5: decide a dispute with a compiled policy (RULEBOOK.md, "How a dispute is decided").

Pure: the decision depends only on (policy, dispute, as_of). Nothing here imports networkx,
jsonschema, click or z3; everything that does not depend on the dispute was done at load.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Mapping

from ..core.calendar import Duration, HorizonError, Notes, as_day, parse_date
from ..compile.policy import CalendarPlan, CExpr, CompiledPolicy
from ..core.decision import (Decision, DecisionWarning, RemedyInForce, RemedyOutcome,
                             TraceStep, new_decision, new_outcome, new_step)
from ..core.errors import DisputeError, ExpressionEvalError, Problem
from ..model.facts import describe, show
from ..model.nodes import use_evaluator
from ..model.reserved import ESCALATION, REMEDIES_IN_FORCE, check_record
from ..model.values import check_date



def _today(zone: str | None = None) -> _dt.date:
    """Today in ``zone`` (the dispute's calendar's time zone), else the local date."""
    if zone is None:
        return _dt.date.today()
    from ..model.calendars import today_in

    return today_in(zone)


def _as_of(value: Any, dispute: Mapping[str, Any], cp: CompiledPolicy) -> _dt.date:
    """The day of the decision: ``as_of`` as given, else the dispute's ``as_of``, else today in
    the dispute's calendar's time zone. The conversion is ``calendar.as_day``'s (the one for
    every API that takes a day); its ValueError becomes an ``invalid_facts`` problem."""
    if type(value) is _dt.date:
        return value
    if value is None:
        value = dispute.get("as_of") if isinstance(dispute, Mapping) else None
        if value is None:
            return _today(cp.plan_for(dispute).calendar.timezone)
    if not isinstance(value, (str, _dt.date)):
        raise DisputeError([Problem("invalid_facts", f"as_of must be a date, found "
                                    f"{describe(value)}", "as_of", "type")])
    try:
        return as_day(value, name="")
    except ValueError as exc:
        raise DisputeError([Problem("invalid_facts", str(exc), "as_of", "type",
                                    hint="give as_of as YYYY-MM-DD")]) from None


def _escalation(cp: CompiledPolicy, raw: Any, as_of: _dt.date, problems: list[Any]
                ) -> tuple[str, _dt.date] | None:
    # the rules of the reserved keys are their descriptions' (model/reserved.py)
    if not isinstance(raw, Mapping):
        problems.append(Problem("invalid_facts", f"expected a mapping {ESCALATION.spelled}, "
                                f"found {describe(raw)}", "escalation", "type"))
        return None
    got = check_record(ESCALATION, raw, "escalation", {"level": cp.rank}, as_of, problems)
    return None if got is None else (got["level"], got["since"])


def _in_force(cp: CompiledPolicy, raw: Any, as_of: _dt.date, problems: list[Any]
              ) -> list[Any]:
    if not isinstance(raw, (list, tuple)):
        problems.append(Problem("invalid_facts", f"expected a list, found {describe(raw)}",
                                "remedies_in_force", "type"))
        return []
    out = []
    ids = {"remedy": cp.remedies}
    for i, item in enumerate(raw):
        path = f"remedies_in_force[{i}]"
        if not isinstance(item, Mapping):
            problems.append(Problem("invalid_facts", "expected a mapping "
                                    f"{REMEDIES_IN_FORCE.spelled}, found {describe(item)}",
                                    path, "type"))
            continue
        got = check_record(REMEDIES_IN_FORCE, item, path, ids, as_of, problems)
        if got is not None:
            out.append((got["id"], got["granted_on"], got["last_reviewed"]))
    return out


def _failed(expr: CExpr, exc: ExpressionEvalError) -> DisputeError:
    return DisputeError([Problem("evaluation_error", f"`{expr.text}` failed: {exc.message}",
                                 expr.rule, hint=f"see {expr.source}" if expr.source
                                 else None)])


def _run(expr: CExpr, facts: dict[Any, Any]) -> Any:
    try:
        return expr.fn(facts)
    except ExpressionEvalError as exc:
        raise _failed(expr, exc) from None


def _step(expr: CExpr, result: Any, facts: dict[Any, Any],
          words: tuple[str, tuple[Any, ...]]) -> TraceStep:
    site = expr.site
    assert site is not None  # every expression that records a step has its site (compiled.py)
    return new_step(site, result, expr.values(facts), words)


def evaluate_compiled(cp: CompiledPolicy, dispute: Mapping[str, Any], *,
                      as_of: _dt.date | _dt.datetime | str | None = None,
                      pinned_on: _dt.date | None = None) -> Decision:
    """Decide ``dispute`` with a compiled policy. Raises DisputeError with every problem.

    ``pinned_on``: for a dispute pinned to this version (the dispute ledger), the day it was
    pinned; step 1 then checks that the version was in force on that day rather than on
    ``as_of``, so a pinned dispute is still decided after its version expired."""
    code = cp.evaluate_code
    if code is not None and pinned_on is None and type(dispute) is dict:
        # the generated decision of a dispute of facts alone (compile/decision_code.py: its
        # dispatch, inline); where it does not answer (None), or an expression or a date
        # failed, the general path (_evaluate) decides, and raises the problem it always
        # raises.
        # Today is where the general path takes it: such a dispute has no `as_of`, and a
        # policy with generated code no time zone
        day = as_of if type(as_of) is _dt.date else _dt.date.today() if as_of is None \
            else None
        if day is not None:
            fact = code.fact
            if fact is None:
                fn, s0 = code.every
            else:
                v = dispute.get(fact)
                fn, s0 = code.table.get(v, code.rest) if type(v) is str else code.every
            try:
                got = fn(dispute, day, s0)
            except (ValueError, ArithmeticError):
                got = None
            if got is not None:
                return got
    return _evaluate(cp, dispute, as_of, pinned_on)


def _evaluate(cp: CompiledPolicy, dispute: Mapping[str, Any],
              as_of: _dt.date | _dt.datetime | str | None, pinned_on: _dt.date | None
              ) -> Decision:
    """The general path of :func:`evaluate_compiled` (a small function apart: the generated
    decision's caller keeps a small frame)."""
    if type(dispute) is not dict and not isinstance(dispute, Mapping):
        raise DisputeError([Problem("invalid_facts", f"a dispute is a mapping of facts, found "
                                    f"{describe(dispute)}", None, "type")])
    day = _as_of(as_of, dispute, cp)
    meta = cp.meta
    # 1. in force (on the day the dispute was pinned to this version, when it was)
    check = day if pinned_on is None else pinned_on
    if check < meta.effective or (meta.expires is not None and check > meta.expires):
        term = f"from {meta.effective}" + (f" to {meta.expires}" if meta.expires else "")
        what = f"{check} (the day the dispute was pinned)" if pinned_on is not None else str(day)
        raise DisputeError([Problem("policy_not_in_force",
                                    f"the policy is in force {term}; {what} is outside it",
                                    "as_of")])
    # 2. facts (and the reserved keys), every problem at once
    problems: list[Problem] = []
    facts = cp.check_facts(dispute, "", problems)
    if as_of is not None and dispute.get("as_of") is not None \
            and not isinstance(dispute["as_of"], _dt.date):
        # the given date wins, but a malformed `as_of` in the dispute is still a bad value
        check_date(dispute["as_of"], "as_of", problems)
    escalation = None
    if "escalation" in dispute and dispute["escalation"] is not None:
        escalation = _escalation(cp, dispute["escalation"], day, problems)
    in_force = []
    if "remedies_in_force" in dispute and dispute["remedies_in_force"] is not None:
        in_force = _in_force(cp, dispute["remedies_in_force"], day, problems)
    if problems:
        raise DisputeError(problems)
    try:
        return _decide(cp, facts, day, escalation, in_force)
    except HorizonError as exc:
        raise DisputeError([Problem(
            "outside_calendar", f"a date of this dispute needs the business calendar on "
            f"{exc.day}, outside the days it was resolved for ({exc.first} to {exc.last})",
            _horizon_path(exc.day, day, escalation, in_force), "horizon",
            hint="the calendar covers the policy's term (docs/rulebook.md, Business "
                 "calendars): check the dates, or give the policy an `expires`")]) from None
    except OverflowError:
        raise DisputeError([Problem("invalid_facts", "a date computed from this dispute lies "
                                    "beyond the year 9999", "as_of", "max")]) from None


def _horizon_path(bad: _dt.date, day: _dt.date, escalation: Any, in_force: list[Any]
                  ) -> str:
    """The dispute field whose date led outside the calendar's horizon."""
    if bad < day:
        if escalation is not None and escalation[1] <= bad:
            return "escalation.since"
        for i, (_, granted, reviewed) in enumerate(in_force):
            if granted <= bad:
                return f"remedies_in_force[{i}].granted_on"
    return "as_of"


def _note(plan: CalendarPlan, table: Notes, start: _dt.date, duration: Duration | None,
          end: _dt.date | None) -> str | None:
    """The trace words for a window from ``start`` (None: nothing skipped), looked up in the
    table found at load."""
    if duration is None or end is None:
        return None
    slots = table.slots
    if not slots:
        return None
    i = start.toordinal() - plan.base
    if 0 <= i < len(slots):
        slot = slots[i]
        return slot if slot is None or type(slot) is str else table.get(i)
    return table.calendar.note(start, duration, end)


def _calendar_step(plan: CalendarPlan, what: str, note: str) -> TraceStep:
    return new_step(plan.site, None, (), f"{what}: {note}")


def _decide(cp: CompiledPolicy, facts: dict[Any, Any], day: _dt.date,
            escalation: tuple[str, _dt.date] | None, in_force: list[Any]) -> Decision:
    trace: list[TraceStep] = []
    plan = cp.plan_for(facts)
    named = plan.calendar.resolved
    running: CExpr | None = None  # the expression being run, for the problem if it fails
    try:
        # 3. category: the first that holds, among those the dispatch table leaves
        dispatch = cp.dispatch
        candidates = cp.in_turn if dispatch is None else dispatch.candidates(facts, cp.in_turn)
        categories = cp.categories
        chosen = None
        for i, step in candidates:
            cat = categories[i]
            if step is None:
                running = cat.when
                if running.fn(facts) is not True:
                    continue
                step = _step(running, True, facts, cat.words)
            chosen = cat
            trace.append(step)
            break
        if chosen is None:
            raise DisputeError([Problem("unclassified", "no category's `when` holds for this "
                                        "dispute", None, hint="add a catch-all category last "
                                        "(`when: \"true\"`), or check the facts")])
        # 4. base level
        band = None
        for b in chosen.bands:
            when = b.when
            if when is None:
                band = b
                trace.append(b.step if b.step is not None else new_step(
                    b.site, True, (), b.words))
                break
            running = when
            if when.fn(facts) is True:
                band = b
                trace.append(_step(when, True, facts, b.words))
                break
        if band is None:
            raise DisputeError([Problem(
                "threshold_gap", f"no band of category `{chosen.ref.id}` holds for this "
                "dispute", f"categories.{chosen.ref.id}", hint="end the thresholds with "
                "`{otherwise: <level>}`; `policyengine lint` shows such gaps")])
        level = band.rank
        # 5. overrides
        for ov in cp.overrides:
            running = ov.when
            if running.fn(facts) is True:
                raised = ov.rank > level
                trace.append(_step(running, True, facts, ov.words[not raised]))
                if raised:
                    level = ov.rank
        running = None
    except ExpressionEvalError as exc:
        assert running is not None  # only the compiled expressions raise it
        raise _failed(running, exc) from None
    refs = cp.level_refs
    # 6. deadlines
    current = None
    if escalation is not None:
        current = cp.rank[escalation[0]]
        due, passed = plan.deadline(current, escalation[1], day)
        for rk, start, end in passed:
            lv = cp.levels[rk]
            trace.append(new_step(cp.deadline_sites[rk], True, (), (
                "deadline", (lv.id, lv.decide_within, start, end, cp.levels[rk + 1].id))))
            if named:
                note = _note(plan, plan.decide_notes[rk], start, lv.decide_within, end)
                if note is not None:
                    trace.append(_calendar_step(plan, f"the window of level `{lv.id}`", note))
        if due > level:
            level = due
    # 7. remedies
    final = level
    outcomes: list[tuple[Any, Any, int | None]] = []
    warnings: tuple[DecisionWarning, ...] = ()
    if chosen.remedies:
        warned: list[DecisionWarning] = []
        final = _remedies(cp, chosen, facts, level, trace, outcomes, warned)
        warnings = tuple(warned)
    # 8. dates
    respond_by, decide_by = level_dates(plan, final, day)
    remedies: tuple[RemedyOutcome, ...] = ()
    if outcomes:
        remedies = tuple([new_outcome(
            rem.remedy.id, rem.remedy.action, amount, refs[by].role if by is not None else None,
            *remedy_dates(plan, rem.remedy.id, day))
            for rem, amount, by in outcomes])
    statuses: tuple[RemedyInForce, ...] = ()
    if in_force:
        statuses = tuple(_status(cp, plan, rid, granted, reviewed, day)
                         for rid, granted, reviewed in in_force)
    calendar = None
    if named:
        calendar = plan.calendar.describe()
        _name_skipped_days(cp, plan, day, final, remedies, statuses, trace)
    action = "escalate" if current is None or final > current else "handle"
    meta = cp.meta
    return new_decision(meta.id, meta.version, cp.digest, day, chosen.ref, refs[final],
                        action, respond_by, decide_by, remedies, statuses, tuple(trace),
                        warnings, calendar)


def _remedies(cp: CompiledPolicy, chosen: Any, facts: dict[Any, Any], level: int,
              trace: list[TraceStep], outcomes: list[tuple[Any, Any, int | None]],
              warnings: list[DecisionWarning]) -> int:
    """Step 7: the remedies of the chosen category that hold, each with the lowest level at
    or above ``level`` whose role may authorize it; returns the final level."""
    refs = cp.level_refs
    needed = []
    for rem in chosen.remedies:
        r = rem.remedy
        if rem.when is not None:
            holds = _run(rem.when, facts) is True
            trace.append(_step(rem.when, holds, facts, rem.words[holds]))
            if not holds:
                continue
        amount = None
        if rem.amount is not None:
            amount = _run(rem.amount, facts)
            if isinstance(amount, bool) or not isinstance(amount, (int, float)) or (
                    isinstance(amount, float) and not math.isfinite(amount)):
                raise DisputeError([Problem("evaluation_error", f"the amount of remedy `{r.id}` "
                                            f"is {show(amount)}, not a finite number",
                                            rem.amount.rule)])
        needed.append((rem, amount))
    final = level
    for rem, amount in needed:
        r = rem.remedy
        by = None
        for rk in range(level, len(rem.limits)):
            limit = rem.limits[rk]
            if limit is True or (limit is not None and (amount is None or amount <= limit)):
                by = rk
                break
        values = rem.amount.values(facts) if rem.amount else ()
        if by is None:
            shown = "" if amount is None else f" for {amount}"
            outcomes.append((rem, amount, None))
            warnings.append(DecisionWarning(
                "no_authority", f"no level at or above `{refs[level].id}` may authorize "
                f"`{r.action}`{shown} (remedy `{r.id}`): the decision goes to the terminal "
                "level", rem.rule))
            trace.append(new_step(rem.authority_site, None, values,
                                  ("no_authority", (r.action, amount))))
            final = len(cp.levels) - 1
            continue
        outcomes.append((rem, amount, by))
        trace.append(new_step(rem.authority_site, refs[by].role, values, (
            "authority", (r.action, amount, refs[by].role, refs[by].id)) if amount is not None
            else rem.authority_words[by]))
        if by > final:  # (never past the terminal level, which a missing authority sets)
            final = by
    return final


def _name_skipped_days(cp: CompiledPolicy, plan: CalendarPlan, day: _dt.date, final: int,
                       remedies: tuple[RemedyOutcome, ...],
                       statuses: tuple[RemedyInForce, ...], trace: list[TraceStep]) -> None:
    """A ``calendar`` trace step for each date of the decision that skipped a holiday or a
    closure, or rolled (step 8 and the remedies in force), in the order of the decision. The
    dates from ``as_of`` (inside the horizon) are looked up in the tables found at load."""
    i = day.toordinal() - plan.base
    for notes in plan.level_notes[final]:
        if notes.notes.slots and notes.notes.slots[i] is not None:
            step = notes.step(i)
            if step is not None:
                trace.append(step)
    remedy_notes = plan.remedy_notes or {}
    for r in remedies:
        for notes in remedy_notes[r.id]:
            if notes.notes.slots and notes.notes.slots[i] is not None:
                step = notes.step(i)
                if step is not None:
                    trace.append(step)
    sunsets, reviews = plan.sunset_notes or {}, plan.review_notes or {}
    for s in statuses:
        spec = cp.remedies[s.id].remedy
        note = _note(plan, sunsets[s.id], s.granted_on, spec.sunset, s.expires_on)
        if note is not None:
            trace.append(_calendar_step(plan, f"remedy in force `{s.id}` expires_on", note))
        note = _note(plan, reviews[s.id], s.last_reviewed or s.granted_on, spec.review_every,
                     s.review_on)
        if note is not None:
            trace.append(_calendar_step(plan, f"remedy in force `{s.id}` review_on", note))


def remedy_status(cp: CompiledPolicy, rid: str, granted: _dt.date, reviewed: _dt.date | None,
                  day: _dt.date, facts: Mapping[str, Any] | None = None) -> RemedyInForce:
    """A remedy granted on ``granted`` (last reviewed on ``reviewed``): its expiry, its next
    review and its status on ``day`` (step 8 of the contract), in the calendar of the dispute
    whose ``facts`` are given (the top-level calendar without them). Pure."""
    return _status(cp, cp.plan_for(facts if facts is not None else {}), rid, granted, reviewed,
                   day)


def level_dates(plan: CalendarPlan, rank: int, day: _dt.date
                ) -> tuple[_dt.date | None, _dt.date]:
    """``(respond_by, decide_by)`` of a decision at the level of ``rank`` on ``day`` (step 8),
    in the calendar ``plan`` (``cp.plan_for(facts)``). The one place these dates are computed:
    the diff asks it too. HorizonError (an OverflowError) beyond the calendar."""
    respond = plan.respond_add[rank]
    return (respond(day) if respond is not None else None), plan.decide_add[rank](day)


def remedy_dates(plan: CalendarPlan, rid: str, day: _dt.date
                 ) -> tuple[_dt.date | None, _dt.date | None]:
    """``(expires_on, review_on)`` of remedy ``rid`` granted on ``day`` (step 8; also the dates
    of a remedy in force, from its ``granted_on``), in the calendar ``plan``."""
    sunset, review = plan.sunset_add[rid], plan.review_add[rid]
    return (sunset(day) if sunset is not None else None,
            review(day) if review is not None else None)


def _status(cp: CompiledPolicy, plan: CalendarPlan, rid: str, granted: _dt.date,
            reviewed: _dt.date | None, day: _dt.date) -> RemedyInForce:
    sunset, review_add = plan.sunset_add[rid], plan.review_add[rid]
    expires = sunset(granted) if sunset is not None else None
    review = review_add(reviewed or granted) if review_add is not None else None
    if expires is not None and day >= expires:
        status = "expired"
    elif review is not None and day >= review:
        status = "review_due"
    else:
        status = "active"
    return RemedyInForce(rid, granted, reviewed, expires, review, status)


use_evaluator(evaluate_compiled)  # behind the model's Policy.evaluate
