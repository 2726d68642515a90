"""Structural changes, matched by id (diff/structural.py, diff/compat.py)."""

from __future__ import annotations

import pytest
from diff_rulebooks import BASE, DAY, bump, edit, policy

from policyengine import loads_policy
from policyengine.diff.comparison import Comparison
from policyengine.diff.structural import duration_effect, structural_changes
from policyengine.core.calendar import Duration


def changes(*pairs, version=True, oracle=True):
    old = policy()
    new = policy(*((bump(),) if version else ()), *pairs)
    overlap = Comparison(old, new, DAY, timeout=10, budget=60).overlap if oracle else None
    return structural_changes(old, new, as_of=DAY, overlap=overlap)


def one(found, path):
    hits = [c for c in found if c.path == path]
    assert len(hits) == 1, [c.path for c in found]
    return hits[0]


def test_same_policy_has_no_change():
    assert structural_changes(policy(), policy(), as_of=DAY) == []


def test_layout_and_expression_spelling_are_not_changes():
    respaced = edit(BASE, ("amount < 10000.0, level: l1}", "'amount<10000.0', level: l1}"),
                    ('when: kind == "pricing"', "when: kind=='pricing'"),
                    ("  flag:    {type: bool, default: false}",
                     "  flag:\n    default: false\n    type: bool"))
    assert structural_changes(policy(), loads_policy(respaced), as_of=DAY) == []


def test_version_bump_alone():
    found = changes()
    assert [(c.path, c.effect, c.note) for c in found] == [
        ("policy.version", "raised", "a minor release")]


def test_a_version_that_does_not_increase_is_a_problem():
    found = changes(("title: Diff fixture policy", "title: Renamed"), version=False)
    assert one(found, "policy.version").problem.startswith("the version must increase")
    lowered = structural_changes(policy(bump("2.0.0")), policy(), as_of=DAY)
    assert "lower than" in one(lowered, "policy.version").problem


def test_policy_id_change_is_a_problem():
    found = changes(("id: diff-fixture", "id: other-policy"))
    assert one(found, "policy.id").problem


def test_term_dates():
    found = changes(("expires: 2027-12-31", "expires: 2026-06-30"),
                    ("effective: 2026-01-01", "effective: 2026-02-01"))
    expires = one(found, "policy.expires")
    assert (expires.old, expires.new, expires.effect) == ("2027-12-31", "2026-06-30", "shortened")
    assert "the old version is in force, the new one is not" in expires.note
    assert one(found, "policy.effective").effect == "later"


def test_moved_threshold():
    c = one(changes(("amount < 10000.0, level: l1", "amount < 25000.0, level: l1")),
            "categories.pricing.thresholds[0].when")
    assert (c.kind, c.old, c.new) == ("changed", "amount < 10000.0", "amount < 25000.0")
    assert c.old_span.line == c.new_span.line == 40 and c.old_span.column == 16


def test_band_added_removed_and_level_changed():
    found = changes(("      - {when: amount < 100000.0, level: l2}\n",
                     "      - {when: amount < 50000.0, level: l2}\n"
                     "      - {when: amount < 100000.0, level: l3}\n"))
    assert [(c.path, c.kind) for c in found if c.section == "categories"] == [
        ("categories.pricing.thresholds[1].when", "changed"),
        ("categories.pricing.thresholds[2]", "added")] or \
        [(c.path, c.kind) for c in found if c.section == "categories"] == [
        ("categories.pricing.thresholds[1]", "added"),
        ("categories.pricing.thresholds[2].level", "changed")]
    removed = changes(("      - {when: amount < 100000.0, level: l2}\n", ""))
    assert [(c.path, c.kind) for c in removed if c.section == "categories"] == [
        ("categories.pricing.thresholds[1]", "removed")]


def test_category_added_and_removed():
    found = changes(("  - id: territory\n    title: Territory\n", "  - id: turf\n    title: Turf\n"))
    kinds = {c.path: c.kind for c in found}
    assert kinds["categories.territory"] == "removed"
    assert kinds["categories.turf"] == "added"
    assert one(found, "categories.turf").new["when"] == 'kind == "territory"'


TERRITORY = """  - id: territory
    title: Territory
    class: strategic
    when: kind == "territory"
    thresholds:
      - {otherwise: l2}
    remedies: [hold-all]
"""


def test_swapping_categories_that_never_both_hold_is_cosmetic():
    found = changes((TERRITORY, ""), ("  - id: pricing\n", TERRITORY + "  - id: pricing\n"))
    moves = [c for c in found if c.kind == "moved"]
    assert len(moves) == 1 and moves[0].effect == "cosmetic"
    assert "never holds together" in moves[0].note


def test_moving_a_category_past_one_it_overlaps_reorders():
    found = changes((TERRITORY, ""), ('    remedies: [hold-all]\n\noverrides',
                                      '    remedies: [hold-all]\n' + TERRITORY + '\noverrides'))
    moves = [c for c in found if c.kind == "moved"]
    assert len(moves) == 1 and moves[0].effect == "reorders"
    assert "`other`" in moves[0].note


def test_without_the_solver_a_move_is_not_called_cosmetic():
    found = changes((TERRITORY, ""), ("  - id: pricing\n", TERRITORY + "  - id: pricing\n"),
                    oracle=False)
    assert [c.effect for c in found if c.kind == "moved"] == ["reorders"]


def test_authority_cells():
    found = changes(("am:       {adjust: 1000, hold: true}", "am:       {adjust: 2500}"),
                    ("director: {adjust: 25000, hold: true}", "director: {adjust: true, hold: true}"))
    c = one(found, "authority.am.adjust")
    assert (c.old, c.new, c.effect, c.note) == (1000, 2500, "widened", "by 1500")
    c = one(found, "authority.am.hold")
    assert (c.old, c.new, c.effect) == (True, False, "narrowed")
    c = one(found, "authority.director.adjust")
    assert (c.new, c.effect) == (True, "widened") and "without limit" in c.note


def test_windows_with_the_dates_they_produce():
    found = changes(("decide_within: 10bd", "decide_within: 15bd"),
                    ("respond_within: 2bd, decide_within: 5bd", "decide_within: 5bd"))
    c = one(found, "ladder.levels.l2.decide_within")
    assert (c.old, c.new, c.effect) == ("10bd", "15bd", "longer")
    assert c.note == "on 2026-11-23: decide by 2026-12-07 -> 2026-12-14"
    c = one(found, "ladder.levels.l1.respond_within")
    assert (c.old, c.new) == ("2bd", None) and c.note.endswith("2026-11-25 -> none")


def test_duration_effects():
    d = Duration.parse
    assert duration_effect(d("5bd"), d("7d")) == "longer"
    assert duration_effect(d("2w"), d("10d")) == "shorter"
    assert duration_effect(d("6bd"), d("9d")) is None  # depends on the weekday
    assert duration_effect(d("30d"), d("45d"), "extended", "shortened") == "extended"


def test_sunsets_and_reviews():
    found = changes(("    sunset: 90d\n    review_every: 30d", "    sunset: 60d\n    review_every: 6w"))
    c = one(found, "remedies.realign.sunset")
    assert (c.effect, c.note) == ("shortened", "granted on 2026-11-23: expires 2027-02-21 -> "
                                                "2027-01-22")
    assert one(found, "remedies.realign.review_every").effect == "extended"


def test_facts_breaking_for_integrators():
    found = changes(
        ("  kind:    {type: string, enum: [pricing, territory, lead, other]}",
         "  kind:    {type: string, enum: [pricing, territory, other]}\n"
         "  channel: {type: string}\n  note: {type: string, default: none}"),
        ("  amount:  {type: double, min: 0}", "  amount:  {type: double, min: 10}"),
        ("  flag:    {type: bool, default: false}", "  flag:    {type: bool}"),
        ("      tier: {type: string, enum: [gold, silver], default: silver}",
         "      tier: {type: string, enum: [gold, silver, bronze], default: silver}\n"
         "      since: {type: int}"))
    by = {c.path: c for c in found}
    assert by["facts.kind.enum"].breaking and by["facts.kind.enum"].effect == "narrowed"
    assert by["facts.channel"].breaking and by["facts.channel"].kind == "added"
    assert not by["facts.note"].breaking
    assert by["facts.amount.min"].breaking and by["facts.amount.min"].effect == "narrowed"
    assert by["facts.flag.default"].breaking and by["facts.flag.default"].effect == "now required"
    assert not by["facts.partner.tier.enum"].breaking
    assert by["facts.partner.tier.enum"].effect == "widened"
    assert by["facts.partner.since"].breaking


def test_removed_fact_and_changed_type_are_breaking():
    found = changes(("  flag:    {type: bool, default: false}\n", ""),
                    ("  count:   {type: int, min: 0, max: 100, default: 0}",
                     "  count:   {type: double, min: 0, max: 100, default: 0.0}"),
                    ("  - {id: flagged, when: flag, min_level: l3, reason: Flagged}\n", ""))
    by = {c.path: c for c in found}
    assert by["facts.flag"].kind == "removed" and by["facts.flag"].breaking
    assert by["facts.count.type"].breaking


def test_levels_and_roles():
    found = changes(
        ("    - {id: l2, title: Director, role: director, decide_within: 10bd, next: l3}",
         "    - {id: l2b, title: Director, role: vp, decide_within: 10bd, next: l3}"),
        ("respond_within: 2bd, decide_within: 5bd, next: l2}",
         "respond_within: 2bd, decide_within: 5bd, next: l2b}"),
        ("      - {when: amount < 100000.0, level: l2}", "      - {when: amount < 100000.0, level: l2b}"),
        ("      - {otherwise: l2}\n    remedies: [hold-all]\n  - id: other",
         "      - {otherwise: l2b}\n    remedies: [hold-all]\n  - id: other"),
        ("      - {otherwise: l2}\n    remedies: [hold-all]\n\noverrides",
         "      - {otherwise: l2b}\n    remedies: [hold-all]\n\noverrides"),
        ("min_level: l2, reason", "min_level: l2b, reason"),
        ("  director: {adjust: 25000, hold: true}", "  vp: {adjust: 25000, hold: true}"))
    by = {c.path: c for c in found}
    assert by["ladder.levels.l2"].kind == "removed" and by["ladder.levels.l2"].breaking
    assert by["ladder.levels.l2b"].kind == "added"
    assert by["roles.director"].kind == "removed" and by["roles.vp"].kind == "added"
    assert by["ladder.levels.l1.next"].new == "l2b"
    assert by["overrides.recurring.min_level"].new == "l2b"


def test_overrides_and_remedies():
    found = changes(("when: count >= 3, min_level: l2", "when: count >= 2, min_level: l3"),
                    ("    amount: amount * 0.1\n", "    amount: amount * 0.2\n"),
                    ("  - id: hold-all\n    title: Hold\n", "  - id: hold-all\n    title: Hold it\n"),
                    ("    remedies: [realign, hold-all]", "    remedies: [hold-all]"))
    by = {c.path: c for c in found}
    assert (by["overrides.recurring.when"].old, by["overrides.recurring.when"].new) == (
        "count >= 3", "count >= 2")
    assert by["overrides.recurring.min_level"].effect == "raised"
    assert by["remedies.realign.amount"].new == "amount * 0.2"
    assert by["remedies.hold-all.title"].new == "Hold it"
    assert by["categories.pricing.remedies.realign"].kind == "removed"


def test_removed_remedy_is_breaking():
    found = changes(("    remedies: [realign, hold-all]", "    remedies: [hold-all]"),
                    ("""  - id: realign
    title: Price realignment
    action: adjust
    amount: amount * 0.1
    when: amount >= 5000.0
    sunset: 90d
    review_every: 30d
""", ""))
    c = one(found, "remedies.realign")
    assert c.kind == "removed" and c.breaking and "remedies_in_force" in c.note


def test_reordered_overrides_and_remedy_lists_are_cosmetic():
    found = changes(("  - {id: recurring, when: count >= 3, min_level: l2, reason: Recurring}\n"
                     "  - {id: flagged, when: flag, min_level: l3, reason: Flagged}",
                     "  - {id: flagged, when: flag, min_level: l3, reason: Flagged}\n"
                     "  - {id: recurring, when: count >= 3, min_level: l2, reason: Recurring}"),
                    ("    remedies: [realign, hold-all]", "    remedies: [hold-all, realign]"))
    moves = [c for c in found if c.kind == "moved"]
    assert {c.path for c in moves} == {"overrides.recurring", "categories.pricing.remedies"} or \
        {c.path for c in moves} == {"overrides.flagged", "categories.pricing.remedies"}
    assert all(c.effect == "cosmetic" for c in moves)


@pytest.mark.parametrize("pairs", [
    (("amount < 10000.0, level: l1", "amount < 25000.0, level: l1"),),
    (("am:       {adjust: 1000, hold: true}", "am:       {adjust: 2500}"),),
    (("  flag:    {type: bool, default: false}", "  flag:    {type: bool}"),),
    ((TERRITORY, ""),),
])
def test_diff_mirrors(pairs):
    a, b = policy(), policy(bump(), *pairs)
    forward = structural_changes(a, b, as_of=DAY)
    backward = structural_changes(b, a, as_of=DAY)
    flip = {"added": "removed", "removed": "added", "changed": "changed", "moved": "moved"}
    assert sorted((c.path, flip[c.kind], c.new, c.old) for c in forward) == \
        sorted((c.path, c.kind, c.old, c.new) for c in backward)
    for c in forward:
        m = c.mirrored()
        assert (m.old, m.new, m.old_span, m.new_span) == (c.new, c.old, c.new_span, c.old_span)


def test_changes_serialize_with_both_sources():
    c = one(changes(("amount < 10000.0, level: l1", "amount < 25000.0, level: l1")),
            "categories.pricing.thresholds[0].when")
    d = c.to_dict()
    assert d["old_source"] == d["new_source"] == "<string>:40:16"
    assert set(d) >= {"path", "kind", "old", "new", "breaking"}
