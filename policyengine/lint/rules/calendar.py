"""PE713 region-without-calendar, PE715 closed-outside-term, PE716 no-business-day,
PE718 roll-without-effect: the business calendar checks that need the whole policy (PE710,
PE711, PE712, PE714 and PE717 are found at load: a calendar that cannot be resolved cannot
decide)."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterator

from ...core.calendar import ResolvedCalendar
from ...model.calendars import fact_path, term
from ...compile.policy import loaded_program
from ...core.diagnostics import Diagnostic, Severity
from ...model.nodes import CalendarRule, Policy

GAP_DAYS = 14


def _entries(policy: Policy) -> list[tuple[str, CalendarRule, tuple[Any, ...]]]:
    decl = policy.calendar
    assert decl is not None
    return [("calendar", decl.base, ("calendar",))] + [
        (f"calendar: region `{k}`", r, ("calendar", "regions", k)) for k, r in decl.regions]


def regions_cover_by(policy: Policy, context: Any) -> Iterator[Diagnostic]:
    decl = policy.calendar
    if decl is None or decl.by is None or not decl.regions:
        return
    fact = fact_path(policy.facts, decl.by)
    if fact is None or fact.type != "string" or fact.enum is None:
        return
    keys = {k for k, _ in decl.regions}
    missing = [str(v) for v in fact.enum if v not in keys]
    if missing:
        shown = ", ".join(f"`{v}`" for v in missing)
        yield Diagnostic.at(
            "PE713", Severity.INFO, f"calendar: {shown} of fact `{fact.path}` "
            f"{'has' if len(missing) == 1 else 'have'} no `regions` entry: "
            f"{'it uses' if len(missing) == 1 else 'they use'} the top-level calendar",
            policy.span_at("calendar", "regions"),
            hint=f"add `{missing[0]}: {{holidays: ...}}` under `regions` if that region keeps "
                 "other days", element="calendar.regions")


def closures_in_term(policy: Policy, context: Any) -> Iterator[Diagnostic]:
    if policy.calendar is None:
        return
    first, last = term(policy)
    for where, rule, path in _entries(policy):
        for i, (a, b) in enumerate(rule.closed or ()):
            if b < first or a > last:
                yield Diagnostic.at(
                    "PE715", Severity.WARNING, f"{where}: the closure "
                    f"{_range(a, b)} lies outside the policy's term ({first} to {last})",
                    policy.span_at(*path, "closed", i),
                    hint="no dispute is decided then: check the year, or remove it",
                    element=".".join(map(str, path)) + ".closed")
            elif a < first or b > last:
                yield Diagnostic.at(
                    "PE715", Severity.WARNING, f"{where}: the closure "
                    f"{_range(a, b)} runs past the policy's term ({first} to {last})",
                    policy.span_at(*path, "closed", i),
                    hint="keep closures within `effective`..`expires`",
                    element=".".join(map(str, path)) + ".closed")


def _range(a: _dt.date, b: _dt.date) -> str:
    return f"`{a}`" if a == b else f"`{a}..{b}`"


def business_days_exist(policy: Policy, context: Any) -> Iterator[Diagnostic]:
    compiled = loaded_program(policy)
    if policy.calendar is None or compiled is None:
        return
    paths: dict[str | None, tuple[str, ...]] = {None: ("calendar",)}
    paths.update({k: ("calendar", "regions", k) for k, _ in policy.calendar.regions})
    for cal in compiled.calendars.all:
        assert isinstance(cal, ResolvedCalendar)
        gap, start = cal.longest_gap()
        if gap >= GAP_DAYS and start is not None:
            where = f"region `{cal.region}`" if cal.region else "the top-level calendar"
            end = start + _dt.timedelta(days=gap - 1)
            yield Diagnostic.at(
                "PE716", Severity.ERROR, f"calendar: {where} has no business day for {gap} "
                f"days, from {start} to {end}: business-day windows stall across it",
                policy.span_at(*paths[cal.region]),
                hint="shorten the closures, or leave at least one weekday out of `weekend`",
                element=".".join(paths[cal.region]))


def roll_has_effect(policy: Policy, context: Any) -> Iterator[Diagnostic]:
    if policy.calendar is None:
        return
    durations = [lv.decide_within for lv in policy.ladder.levels] + \
        [lv.respond_within for lv in policy.ladder.levels] + \
        [r.sunset for r in policy.remedies] + [r.review_every for r in policy.remedies]
    if any(d is not None and d.unit != "bd" for d in durations):
        return
    for where, rule, path in _entries(policy):
        if rule.roll == "next":
            yield Diagnostic.at(
                "PE718", Severity.WARNING, f"{where}: `roll: next` has no effect: "
                "every window and period of the policy counts business days, which always "
                "end on a business day", policy.span_at(*path, "roll"),
                hint="remove `roll`, or write the windows it should move in days (`30d`)",
                element=".".join(map(str, path)) + ".roll")


from ._rule import Rule  # noqa: E402

RULES = (
    Rule("region-without-calendar", ("PE713",), regions_cover_by),
    Rule("closed-outside-term", ("PE715",), closures_in_term),
    Rule("no-business-day", ("PE716",), business_days_exist),
    Rule("roll-without-effect", ("PE718",), roll_has_effect),
)
