"""ladder.py: the ladder as a graph; order by distance from the entry; cycles spelled out,
unreachable levels, no terminal level (refused at load); windows and the resolution budget
(lint findings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyengine.core.calendar import Duration
from policyengine.compile.policy import derived_facts, policy_calendars
from policyengine.compile.ladder import (escalation_path, ladder_graph, structure_diagnostics,
                                         window_diagnostics as _window_diagnostics, worst_path_days)
from policyengine.compile.pipeline import inspect_text

ROOT = Path(__file__).resolve().parents[2]
CLEAN = (ROOT / "tests" / "golden" / "clean.yaml").read_text("utf-8")
LADDER = CLEAN[CLEAN.index("ladder:\n"):CLEAN.index("actions:\n")]
ROLES = ["account_manager", "regional_director", "executive_sponsor", "neutral_mediator"]


def level(ident: str, role: str, decide: str = "10bd", next_: str | None = None,
          respond: str | None = None, advisory: bool = False) -> str:
    out = f"    - id: {ident}\n      title: {ident.title()}\n      role: {role}\n"
    if respond:
        out += f"      respond_within: {respond}\n"
    out += f"      decide_within: {decide}\n"
    if next_:
        out += f"      next: {next_}\n"
    if advisory:
        out += "      advisory: true\n"
    return out


def with_ladder(levels: str, head: str = "") -> str:
    text = CLEAN.replace(LADDER, f"ladder:\n{head}  levels:\n{levels}\n")
    rows = "".join(f"  {r}: {{hold_unilateral: true, price_adjustment: true}}\n" for r in ROLES
                   if f"role: {r}\n" in levels)
    start, end = text.index("authority:\n"), text.index("categories:\n")
    return text[:start] + "authority:\n" + rows + "\n" + text[end:]


def load(text: str):
    return inspect_text(text, "t.yaml")


def window_diagnostics(policy):
    """As the lint rule calls it: the path and calendars the compiled layer derives."""
    return _window_diagnostics(policy, derived_facts(policy).levels, policy_calendars(policy))


def level_order(policy) -> dict[str, int]:
    return derived_facts(policy).rank


def codes(diags) -> list[str]:
    return [d.code for d in diags]


FOUR = (level("frontline", ROLES[0], "5bd", "regional", respond="2bd")
        + level("regional", ROLES[1], "10bd", "executive", respond="3bd")
        + level("executive", ROLES[2], "20d", "mediation")
        + level("mediation", ROLES[3], "30d", advisory=True))


def test_order_path_and_graph():
    policy = load(with_ladder(FOUR)).policy
    ladder = policy.ladder
    assert [lv.id for lv in escalation_path(ladder)] == ["frontline", "regional", "executive",
                                                         "mediation"]
    assert level_order(policy) == {"frontline": 0, "regional": 1, "executive": 2, "mediation": 3}
    graph = ladder_graph(ladder)
    assert sorted(graph.edges) == [("executive", "mediation"), ("frontline", "regional"),
                                   ("regional", "executive")]
    assert graph.nodes["regional"]["level"].role == "regional_director"


def test_order_follows_next_not_the_listing_order():
    levels = (level("executive", ROLES[2], "20d") + level("frontline", ROLES[0], "5bd", "regional")
              + level("regional", ROLES[1], "10bd", "executive"))
    policy = load(with_ladder(levels, head="  entry: frontline\n")).policy
    assert level_order(policy) == {"frontline": 0, "regional": 1, "executive": 2}


def test_cycle_is_spelled_out_with_each_edge():
    levels = (level("frontline", ROLES[0], "5bd", "regional")
              + level("regional", ROLES[1], "10bd", "executive")
              + level("executive", ROLES[2], "20d", "frontline"))
    text = with_ladder(levels)
    result = load(text)
    assert result.policy is None
    [d] = [d for d in result.diagnostics if d.code == "PE301"]
    assert d.message == ("the ladder has a cycle: `frontline` -> `regional` -> `executive` -> "
                         "`frontline`")
    lines = text.splitlines()
    assert lines[d.line - 1].strip() == "next: frontline"
    assert [note for note, _ in d.related] == ["`frontline` -> `regional`",
                                              "`regional` -> `executive`",
                                              "`executive` -> `frontline`"]
    assert [lines[span.line - 1].strip() for _, span in d.related] == [
        "next: regional", "next: executive", "next: frontline"]
    assert "`executive`" in d.hint
    assert "PE304" not in codes(result.diagnostics)


def test_self_loop_and_two_cycles():
    levels = (level("frontline", ROLES[0], "5bd", "frontline")
              + level("regional", ROLES[1], "10bd", "executive", )
              + level("executive", ROLES[2], "20d", "regional"))
    result = load(with_ladder(levels))
    messages = [d.message for d in result.diagnostics if d.code == "PE301"]
    assert messages == ["the ladder has a cycle: `frontline` -> `frontline`",
                        "the ladder has a cycle: `regional` -> `executive` -> `regional`"]


def test_dangling_next_is_reported_at_load_with_no_terminal_level():
    result = load(with_ladder(level("frontline", ROLES[0], "5bd", "regional")
                              + level("regional", ROLES[1], "10bd", "executve")))
    by_code = {d.code: d for d in result.diagnostics}
    assert sorted(by_code) == ["PE302", "PE304"] and len(result.diagnostics) == 2
    assert by_code["PE302"].message == "level `regional`: next: unknown level `executve`"
    assert by_code["PE302"].hint == "define it, or use `frontline` or `regional`"
    assert by_code["PE304"].message == "no level ends the ladder: every level has a `next`"
    assert result.policy is None and result.draft is not None


def test_a_terminal_level_is_enough():
    result = load(with_ladder(level("frontline", ROLES[0], "5bd", "regional")
                              + level("regional", ROLES[1], "10bd")))
    assert result.diagnostics == [] and structure_diagnostics(result.policy) == []


def test_unreachable_levels():
    levels = (level("frontline", ROLES[0], "5bd", "regional") + level("regional", ROLES[1])
              + level("executive", ROLES[2], "20d", "mediation")
              + level("mediation", ROLES[3], "30d", advisory=True))
    text = with_ladder(levels)
    result = load(text)
    found = [d for d in result.diagnostics if d.code == "PE303"]
    assert [d.message for d in found] == [
        "level `executive` cannot be reached from the entry level `frontline`",
        "level `mediation` cannot be reached from the entry level `frontline`"]
    assert found[0].hint == "point the `next` of the level below it at it, or remove the level"
    assert found[1].hint == "it is only reached from `executive`, which is itself unreachable"
    assert text.splitlines()[found[0].line - 1].strip() == "- id: executive"
    assert result.policy is None


def test_entry_changes_what_is_reachable():
    levels = level("frontline", ROLES[0], "5bd", "regional") + level("regional", ROLES[1])
    result = load(with_ladder(levels, head="  entry: regional\n"))
    assert [d.message for d in result.diagnostics] == [
        "level `frontline` cannot be reached from the entry level `regional`"]


# -- windows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("respond,decide,late", [
    ("10bd", "5bd", True), ("5bd", "5bd", False), ("6bd", "7d", True), ("5bd", "7d", False),
    ("2w", "10bd", True), ("8d", "1w", True), ("7d", "1w", False),
    # 5bd from a Saturday ends on Friday, before a week has passed
    ("1w", "5bd", True), ("1w", "6bd", False),
])
def test_respond_after_decide(respond, decide, late):
    policy = load(with_ladder(level("frontline", ROLES[0], decide, "regional", respond=respond)
                              + level("regional", ROLES[1]))).policy
    found = [d for d in window_diagnostics(policy) if d.code == "PE305"]
    assert bool(found) == late
    if late:
        assert found[0].message == (f"level `frontline`: `respond_within` ({respond}) can end "
                                    f"after `decide_within` ({decide})")
        assert found[0].hint.endswith(f"make `respond_within` at most {decide}")


def test_resolution_budget():
    levels = level("frontline", ROLES[0], "5bd", "regional") + level("regional", ROLES[1], "10bd")
    text = with_ladder(levels, head="  max_resolution: 15d\n")
    policy = load(text).policy
    [d] = window_diagnostics(policy)
    assert d.code == "PE306"
    assert d.message == ("the longest path through the ladder (`frontline` -> `regional`) takes "
                         "up to 21 days, over `max_resolution` 15d (15 days)")
    assert [note for note, _ in d.related] == ["`frontline`: decide within 5bd",
                                              "`regional`: decide within 10bd"]
    assert text.splitlines()[d.line - 1].strip() == "max_resolution: 15d"
    fits = load(with_ladder(levels, head="  max_resolution: 21d\n")).policy
    assert window_diagnostics(fits) == []


def test_budget_in_business_days_is_taken_at_its_shortest():
    levels = level("frontline", ROLES[0], "5bd", "regional") + level("regional", ROLES[1], "10bd")
    # 15bd spans 19 to 21 calendar days; the path takes up to 21: over at the budget's shortest
    policy = load(with_ladder(levels, head="  max_resolution: 15bd\n")).policy
    assert [d.code for d in window_diagnostics(policy)] == ["PE306"]


def test_worst_path_days_against_brute_force():
    import datetime as dt

    policy = load(with_ladder(FOUR)).policy
    days, path = worst_path_days(derived_facts(policy).levels)
    windows = [Duration.parse(w) for w in ("5bd", "10bd", "20d", "30d")]
    brute = 0
    for weekday in range(7):
        start = day = dt.date(2030, 1, 7) + dt.timedelta(days=weekday)
        for w in windows:
            day = w.add_to(day)
        brute = max(brute, (day - start).days)
    assert days == brute
    assert [lv.id for lv in path] == ["frontline", "regional", "executive", "mediation"]
