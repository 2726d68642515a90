"""The escalation ladder as a networkx DiGraph: order, path, and structural checks.

Levels are ordered by their distance from the entry along ``next``. A ladder the engine cannot
order (a cycle, a level not reachable from the entry, no terminal level) is refused at load;
the window checks (``respond_within`` after ``decide_within``, the path over ``max_resolution``)
are lint findings.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Sequence

from ..core.calendar import WEEKDAYS_ONLY, BusinessCalendar, CalendarError, Duration
from ..core.diagnostics import Diagnostic, Severity
from ..model.nodes import Ladder, Level, Policy

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

_MONDAY = _dt.date(2024, 1, 1)


def ladder_graph(ladder: Ladder) -> nx.DiGraph[str]:
    """Nodes are level ids (with the Level as ``level``); an edge ``a -> b`` is ``a.next == b``."""
    import networkx as nx  # lazily: the evaluation path (escalation_path) does not need it

    graph: nx.DiGraph[str] = nx.DiGraph()
    for lv in ladder.levels:
        graph.add_node(lv.id, level=lv)
    for lv in ladder.levels:
        if lv.next is not None and lv.next in graph:
            graph.add_edge(lv.id, lv.next)
    return graph


def escalation_path(ladder: Ladder) -> list[Level]:
    """The levels from the entry up to the terminal level, in order (stops at a repeat): the
    one definition of the ladder order. Consumers read it, with the ranks, from
    ``policyengine.compile.policy.derived_facts(policy)``, which computes it once per policy."""
    return _walk(ladder)[0]


def _walk(ladder: Ladder) -> tuple[list[Level], dict[str, Level]]:
    """(the escalation path, the levels by id): one pass over the levels, one walk up ``next``."""
    by_id = {lv.id: lv for lv in ladder.levels}
    out: list[Level] = []
    seen: set[str] = set()
    current = by_id.get(ladder.entry)
    while current is not None and current.id not in seen:
        out.append(current)
        seen.add(current.id)
        current = by_id.get(current.next) if current.next is not None else None
    return out, by_id


def structure_diagnostics(policy: Policy) -> list[Diagnostic]:
    """Cycles, levels unreachable from the entry, no terminal level (all fatal)."""
    ladder = policy.ladder
    path, by_id = _walk(ladder)
    # walking `next` from the entry visited every level once (the ids are distinct) and
    # stopped at a level without `next`: no cycle, no unreachable level, a terminal level
    if path and len(path) == len(ladder.levels) == len(by_id) and path[-1].next is None:
        return []  # the usual case, proved without building a graph (or importing networkx)
    import networkx as nx

    graph = ladder_graph(ladder)
    out: list[Diagnostic] = []
    in_cycle: set[str] = set()
    for cycle in sorted(nx.simple_cycles(graph), key=lambda c: min(
            ladder.levels.index(by_id[n]) for n in c)):
        start = min(cycle, key=lambda n: ladder.levels.index(by_id[n]))
        k = cycle.index(start)
        cycle = cycle[k:] + cycle[:k]
        in_cycle.update(cycle)
        spelled = " -> ".join(f"`{n}`" for n in cycle + [cycle[0]])
        related = tuple((f"`{a}` -> `{b}`", policy.span_at(*by_id[a].path, "next"))
                        for a, b in zip(cycle, cycle[1:] + cycle[:1]))
        out.append(Diagnostic.at(
            "PE301", Severity.ERROR, f"the ladder has a cycle: {spelled}",
            policy.span_at(*by_id[cycle[-1]].path, "next"),
            hint=f"remove `next` from the level meant to be terminal (the last one is "
                 f"`{cycle[-1]}`), so that escalation ends",
            related=tuple((note, span) for note, span in related if span is not None),
            element=f"ladder.{cycle[0]}"))
    if ladder.entry in graph:
        reachable = {ladder.entry} | nx.descendants(graph, ladder.entry)
        for lv in ladder.levels:
            if lv.id not in reachable:
                below = [p for p in graph.predecessors(lv.id)]
                hint = (f"it is only reached from `{below[0]}`, which is itself unreachable"
                        if below else "point the `next` of the level below it at it, "
                        "or remove the level")
                out.append(Diagnostic.at(
                    "PE303", Severity.ERROR,
                    f"level `{lv.id}` cannot be reached from the entry level `{ladder.entry}`",
                    policy.span_at(*lv.path, "id"), hint=hint, element=f"ladder.{lv.id}"))
    if all(lv.next is not None for lv in ladder.levels) and not in_cycle:
        out.append(Diagnostic.at(
            "PE304", Severity.ERROR, "no level ends the ladder: every level has a `next`",
            policy.span_at("ladder", "levels"),
            hint="the top level (often a mediator or a committee) has no `next`",
            element="ladder"))
    return out


def worst_path(path: Sequence[Level], calendar: BusinessCalendar = WEEKDAYS_ONLY
               ) -> tuple[int, list[Level], _dt.date, list[tuple[Level, _dt.date, _dt.date]]]:
    """The slowest walk up the escalation ``path`` (``derived_facts(policy).levels``) under
    ``calendar``: (calendar days from entering the ladder to the last decision, the path, the
    start day, each window's (level, start, end)). Each window starts where the last one
    ended; every start day the calendar samples is tried (each weekday; every day of the term
    for a resolved calendar)."""
    path = list(path)
    adders = [calendar.adder(lv.decide_within) for lv in path]
    best: tuple[int, _dt.date, list[tuple[Level, _dt.date, _dt.date]]] | None = None
    for start in calendar.sample_starts():
        day, rows = start, []
        try:
            for lv, add in zip(path, adders):
                assert add is not None
                end = add(day)
                rows.append((lv, day, end))
                day = end
        except (CalendarError, OverflowError):
            continue
        total = (day - start).days
        if best is None or total > best[0]:
            best = (total, start, rows)
    if best is None:
        return 0, path, _MONDAY, []
    return best[0], path, best[1], best[2]


def worst_path_days(path: Sequence[Level], calendar: BusinessCalendar = WEEKDAYS_ONLY
                    ) -> tuple[int, list[Level]]:
    """Calendar days from entering the ladder to the last decision on the escalation ``path``,
    at the worst start day (each window starts where the last one ended)."""
    days, levels, _, _ = worst_path(path, calendar)
    return days, levels


def span_days(duration: Duration, calendar: BusinessCalendar = WEEKDAYS_ONLY) -> list[int]:
    """Calendar days ``duration`` spans from each start day the calendar samples (a start
    whose end the calendar cannot compute is left out)."""
    return [d for d in span_by_start(duration, calendar) if d is not None]


def span_by_start(duration: Duration, calendar: BusinessCalendar = WEEKDAYS_ONLY
                  ) -> list[int | None]:
    """``span_days`` aligned with ``calendar.sample_starts()`` (None where it cannot count)."""
    add = calendar.window(duration)
    out: list[int | None] = []
    for start in calendar.sample_starts():
        try:
            out.append((add(start) - start).days)
        except (CalendarError, OverflowError):
            out.append(None)
    return out


def ends_after(a: Duration, b: Duration, calendar: BusinessCalendar, *, strict: bool = True
               ) -> bool:
    """Whether ``a`` can end after ``b`` (or on the same day, ``strict=False``) from some
    start day of the calendar."""
    return any(x is not None and y is not None and (x > y if strict else x >= y)
               for x, y in zip(span_by_start(a, calendar), span_by_start(b, calendar)))


def window_diagnostics(policy: Policy, path: Sequence[Level],
                       calendars: Sequence[BusinessCalendar]) -> list[Diagnostic]:
    """PE305 (respond after decide) and PE306 (path over max_resolution): lint findings.
    ``path`` is the escalation path and ``calendars`` the policy's calendars, both as the
    compiled layer derives them (``derived_facts(policy).levels``, ``policy_calendars``)."""
    ladder = policy.ladder
    out: list[Diagnostic] = []
    for lv in ladder.levels:
        r, d = lv.respond_within, lv.decide_within
        if r is None or d is None:
            continue
        late = any(ends_after(r, d, cal) for cal in calendars)
        if late:
            out.append(Diagnostic.at(
                "PE305", Severity.ERROR,
                f"level `{lv.id}`: `respond_within` ({r}) can end after `decide_within` ({d})",
                policy.span_at(*lv.path, "respond_within"),
                hint=f"a response is due before the decision: make `respond_within` at most "
                     f"{d}", element=f"ladder.{lv.id}.respond_within"))
    budget = ladder.max_resolution
    if budget is not None and len(path) == len(ladder.levels):
        worst = [(worst_path_days(path, cal), min(span_days(budget, cal) or [0]))
                 for cal in calendars]
        (days, path), allowed = max(worst, key=lambda w: w[0][0] - w[1])
        if days > allowed:
            spelled = " -> ".join(f"`{lv.id}`" for lv in path)
            out.append(Diagnostic.at(
                "PE306", Severity.ERROR,
                f"the longest path through the ladder ({spelled}) takes up to {days} days, "
                f"over `max_resolution` {budget} ({allowed} days)",
                policy.span_at("ladder", "max_resolution"),
                hint="shorten some `decide_within` windows, or raise `max_resolution`",
                related=tuple((f"`{lv.id}`: decide within {lv.decide_within}", span)
                              for lv in path
                              if (span := policy.span_at(*lv.path, "decide_within")) is not None),
                element="ladder.max_resolution"))
    return out
