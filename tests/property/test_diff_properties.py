"""Properties of the auditor's diff on generated rulebooks (hypothesis):

* diff(p, p) is empty, and so is the diff of p and p reformatted (comments dropped, keys
  reordered, flow style turned into block style);
* diff(a, b) mirrors diff(b, a): added <-> removed, old <-> new, for the structural changes and
  for the kinds of decisions that change;
* every behavior witness decides differently under the two versions, as the region says.

Rulebooks are small (a few categories with amount thresholds, overrides, two remedies, three
levels) and a second version is the first with one to three edits, so that each solver run
stays well under a second.
"""

from __future__ import annotations

import datetime as dt

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyengine import loads_policy
from policyengine.diff import project
from policyengine.diff.dates import region_reproduces
from policyengine.diff.outcome import decide, difference
from policyengine.diff.semantic import compare_behavior
from policyengine.diff.structural import structural_changes

DAY = dt.date(2026, 11, 23)
KINDS = ["pricing", "territory", "lead", "mdf"]
LEVELS = ["l1", "l2", "l3"]
WINDOWS = ["3bd", "5bd", "10bd", "7d", "2w"]
CUTS = [1000.0, 5000.0, 10000.0, 25000.0, 50000.0, 100000.0]
SOLVER = settings(max_examples=12, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def rulebooks(draw) -> dict:
    """A rulebook as plain data (rendered by ``text``)."""
    cats = []
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3, unique=True))
    for kind in kinds:
        cuts = sorted(draw(st.lists(st.sampled_from(CUTS), max_size=2, unique=True)))
        bands = [{"when": f"amount < {c}", "level": draw(st.sampled_from(LEVELS))} for c in cuts]
        bands.append({"otherwise": draw(st.sampled_from(LEVELS))})
        cats.append({"id": f"c-{kind}", "when": f'kind == "{kind}"', "bands": bands,
                     "remedies": draw(st.sampled_from([["realign", "hold"], ["hold"], []]))})
    if draw(st.booleans()):
        cats.append({"id": "rest", "when": "true", "bands": [{"otherwise": "l1"}],
                     "remedies": ["hold"]})
    overrides = []
    if draw(st.booleans()):
        overrides.append({"id": "recurring", "when": f"count >= {draw(st.integers(1, 5))}",
                          "min_level": draw(st.sampled_from(LEVELS[1:]))})
    if draw(st.booleans()):
        overrides.append({"id": "flagged", "when": "flag", "min_level": "l3"})
    return {
        "windows": [draw(st.sampled_from(WINDOWS)) for _ in LEVELS],
        "limits": sorted(draw(st.lists(st.sampled_from([500, 1000, 2500, 5000]), min_size=2,
                                       max_size=2))),
        "rate": draw(st.sampled_from(["0.1", "0.05"])),
        "realign_from": draw(st.sampled_from(CUTS[:3])),
        "categories": cats, "overrides": overrides,
    }


def text(r: dict, version: str = "1.0.0") -> str:
    """The rulebook in flow style, with comments."""
    lines = ["# a generated rulebook", "policy:",
             "  id: generated", "  title: Generated policy", f"  version: {version}",
             "  effective: 2026-01-01", "  owners: [legal@example.com]  # the owners", "facts:",
             f"  kind: {{type: string, enum: [{', '.join(KINDS)}]}}",
             "  amount: {type: double, min: 0}",
             "  count: {type: int, min: 0, max: 10, default: 0}",
             "  flag: {type: bool, default: false}", "ladder:", "  levels:"]
    for i, lv in enumerate(LEVELS):
        nxt = f", next: {LEVELS[i + 1]}" if i + 1 < len(LEVELS) else ""
        lines.append(f"    - {{id: {lv}, title: Level {lv}, role: r{lv}, "
                     f"decide_within: {r['windows'][i]}{nxt}}}")
    lo, hi = r["limits"]
    lines += ["actions:", "  adjust: {title: Adjust, unit: USD}", "  hold: {title: Hold}",
              "authority:", f"  rl1: {{adjust: {lo}, hold: true}}",
              f"  rl2: {{adjust: {hi}, hold: true}}", "  rl3: {adjust: true, hold: true}",
              "categories:  # first match wins"]
    for c in r["categories"]:
        lines += [f"  - id: {c['id']}", f"    title: Category {c['id']}",
                  "    class: commercial", f"    when: '{c['when']}'", "    thresholds:"]
        for b in c["bands"]:
            if "otherwise" in b:
                lines.append(f"      - {{otherwise: {b['otherwise']}}}")
            else:
                lines.append(f"      - {{when: {b['when']}, level: {b['level']}}}")
        lines.append(f"    remedies: [{', '.join(c['remedies'])}]")
    if r["overrides"]:
        lines.append("overrides:")
        for o in r["overrides"]:
            lines.append(f"  - {{id: {o['id']}, when: '{o['when']}', min_level: {o['min_level']},"
                         " reason: Because}")
    lines += ["remedies:",
              "  - {id: realign, title: Realign, action: adjust, "
              f"amount: amount * {r['rate']}, when: 'amount >= {r['realign_from']}', sunset: 90d}}",
              "  - {id: hold, title: Hold, action: hold, sunset: 30d}"]
    return "\n".join(lines) + "\n"


@st.composite
def edited(draw, r: dict) -> dict:
    """``r`` with one to three edits of the kinds a renewal makes."""
    import copy

    r = copy.deepcopy(r)
    for _ in range(draw(st.integers(1, 3))):
        what = draw(st.sampled_from(["cut", "level", "limit", "window", "swap", "override",
                                     "rate"]))
        cat = draw(st.sampled_from(r["categories"]))
        if what == "cut" and len(cat["bands"]) > 1:
            taken = {b.get("when") for b in cat["bands"]}  # no two bands alike
            free = [c for c in CUTS if f"amount < {c}" not in taken]
            cat["bands"][0]["when"] = f"amount < {draw(st.sampled_from(free))}"
        elif what == "level":
            band = draw(st.sampled_from(cat["bands"]))
            key = "otherwise" if "otherwise" in band else "level"
            band[key] = draw(st.sampled_from(LEVELS))
        elif what == "limit":
            r["limits"] = sorted([r["limits"][0], draw(st.sampled_from([1000, 2500, 10000]))])
        elif what == "window":
            r["windows"][draw(st.integers(0, 2))] = draw(st.sampled_from(WINDOWS))
        elif what == "swap" and len(r["categories"]) > 1 and r["categories"][0]["id"] != "rest" \
                and r["categories"][1]["id"] != "rest":
            r["categories"][0], r["categories"][1] = r["categories"][1], r["categories"][0]
        elif what == "override":
            r["overrides"] = [] if r["overrides"] else [
                {"id": "recurring", "when": "count >= 2", "min_level": "l2"}]
        elif what == "rate":
            r["rate"] = "0.05" if r["rate"] == "0.1" else "0.1"
    return r


@st.composite
def pairs(draw):
    """Two versions' texts (shown as such when a property fails)."""
    a = draw(rulebooks())
    b = draw(edited(a))
    return text(a), text(b, "1.1.0")


def reformat(source: str) -> str:
    """Comments dropped, mapping keys reordered, flow style turned into block style."""
    data = yaml.safe_load(source)
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=True, allow_unicode=True)


@given(rulebooks())
@settings(max_examples=25, deadline=None)
def test_diff_of_a_policy_with_itself_is_empty(r):
    source = text(r)
    p = loads_policy(source)
    assert structural_changes(p, p, as_of=DAY) == []
    assert structural_changes(p, loads_policy(source), as_of=DAY) == []
    assert compare_behavior(p, p, as_of=DAY).verdict == "identical"


@given(rulebooks())
@settings(max_examples=25, deadline=None)
def test_a_reformatted_file_diffs_empty(r):
    source = text(r)
    p, q = loads_policy(source), loads_policy(reformat(source))
    assert p == q and p.digest == q.digest
    assert structural_changes(p, q, as_of=DAY) == []
    assert compare_behavior(p, q, as_of=DAY).verdict == "identical"


FLIP = {"added": "removed", "removed": "added", "changed": "changed", "moved": "moved"}


def outcome_class(region) -> tuple:
    """What kind of change a region is, from its witness's outcomes (refusal, category,
    level, action on each side; remedies only when nothing else changes)."""
    o, n = region.old, region.new

    def main(x):
        return (x.get("refusal"), None if region.escalated else x.get("category"),
                x.get("level"), x.get("action"))
    if main(o) != main(n):
        return ("main", region.escalated, main(o), main(n))
    return ("remedies", region.escalated, main(o), region.example_change)


def mirror_class(c: tuple) -> tuple:
    if c[0] == "main":
        return ("main", c[1], c[3], c[2])
    return c  # compared by the words of the change, mirrored below


def mirror_words(words: str) -> str:
    parts = []
    for part in words.split("; "):
        head, _, change = part.partition(": ")
        if " -> " in change:
            x, y = change.rsplit(" -> ", 1)
            pre, _, who = x.rpartition(" ")
            change = f"{pre} {y} -> {who}".strip() if pre else f"{y} -> {x}"
        elif change == "no longer required":
            change = "now required"
        elif change == "now required":
            change = "no longer required"
        parts.append(f"{head}: {change}" if change else head)
    return "; ".join(parts)


@given(pairs())
@SOLVER
def test_diff_mirrors(pair):
    a, b = loads_policy(pair[0]), loads_policy(pair[1])
    forward = structural_changes(a, b, as_of=DAY)
    backward = structural_changes(b, a, as_of=DAY)
    assert sorted((c.path, FLIP[c.kind], repr(c.new), repr(c.old)) for c in forward) == \
        sorted((c.path, c.kind, repr(c.old), repr(c.new)) for c in backward)
    ab = compare_behavior(a, b, as_of=DAY, timeout=20.0, budget=120.0, max_regions=200)
    ba = compare_behavior(b, a, as_of=DAY, timeout=20.0, budget=120.0, max_regions=200)
    assert (ab.verdict == "different") == (ba.verdict == "different")
    if ab.complete and ba.complete:
        assert not ab.notes and not ba.notes
        main_ab = {mirror_class(outcome_class(r)) for r in ab.regions
                   if outcome_class(r)[0] == "main"}
        main_ba = {outcome_class(r) for r in ba.regions if outcome_class(r)[0] == "main"}
        assert main_ab == main_ba


@given(pairs())
@SOLVER
def test_every_witness_decides_differently(pair):
    a, b = loads_policy(pair[0]), loads_policy(pair[1])
    report = compare_behavior(a, b, as_of=DAY, timeout=20.0, budget=120.0)
    for region in report.regions:
        assert region_reproduces(a, b, region), region.summary
        if region.kind != "outcome":
            continue
        w = region.witness
        old, _ = decide(a, project(a, w["facts"]), dt.date.fromisoformat(w["as_of"]))
        new, _ = decide(b, project(b, w["facts"]), dt.date.fromisoformat(w["as_of"]))
        assert difference(old, new)
        assert (old.to_dict(), new.to_dict()) == (region.old, region.new)
    if report.complete and not report.regions:
        assert report.verdict == "equivalent"
