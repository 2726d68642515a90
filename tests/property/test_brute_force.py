"""Every claim of lint and of the diff, checked against brute force (hypothesis).

Hypothesis generates small rulebooks (an enum, an int, a double and a bool fact; categories
with cut points `< <= > >=` on either number, overlaps, gaps, catch-alls, arithmetic in
conditions and amounts, a division that can fail) and second versions with the edits of a
renewal (moved cuts, changed levels, windows, sunsets, reviews, authority limits, added and
removed categories and facts, a narrowed enum, a raised `min`). The real evaluator decides a
grid of disputes around every cut point (each constant, the doubles just beside it, the
quotients of a cut by the rates that multiply a fact, and beyond the extremes): between two
grid values every condition keeps its truth, so the grid sees every case.

Lint's claims (`check_coverage`, strict witnesses: a finding whose witness does not reproduce
fails) are checked against the grid: a proven "no gap", "never reached", "never chosen",
"never unclassified", "no overlap" or "cannot fail" must hold on every grid dispute. The
diff's: every region's witness reproduces under both versions; an `identical` or
`equivalent` verdict means no grid dispute is decided differently (dates and refusals as
invalid included); with a complete search, every grid dispute decided differently lies in a
reported region (by the region's own formula for outcome and dates regions, by the fact path
for validity regions).

Counts (rulebooks, claims, grid points, disagreements) are printed at the end of the run.
`BRUTE_EXAMPLES` sets the number of generated rulebooks and of version pairs (default 8; CI
runs more, see `.ci/run`).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import math
import os
import re
from collections import Counter
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from policyengine import loads_policy
from policyengine.analysis import check_coverage
from policyengine.diff.dates import region_reproduces
from policyengine.diff.outcome import decide, outcome_of
from policyengine.diff.semantic import compare_behavior
from policyengine.diff.space import project
from policyengine.core.errors import DisputeError, PolicyError

EXAMPLES = int(os.environ.get("BRUTE_EXAMPLES", "8"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.reuse,
                                                                   Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])
DAY = dt.date(2026, 11, 23)
LEVELS = ["l1", "l2", "l3"]
KINDS = ["a", "b", "c"]
WINDOWS = ["3bd", "5bd", "7d", "2w"]
SUNSETS = ["30d", "60d", "90d", "120d"]
X_CUTS = [0.0, 100.0, 2500.0, 10000.0, 25000.0, 9007199254740996.0]
N_CUTS = [0, 1, 2, 3, 5, 9007199254740996]
RATES = ["0.1", "0.05", "0.3"]
COUNTS: Counter = Counter()
LOCATE = int(os.environ.get("BRUTE_LOCATE", "150"))  # differing disputes located per pair


@pytest.fixture(scope="module", autouse=True)
def _report_counts(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    line = ("brute force: {rulebooks} rulebooks, {pairs} version pairs, {claims} claims "
            "({lint_claims} lint, {diff_claims} diff), {grid} grid points, {regions} diff "
            "regions, {findings} lint findings ({witnesses} with a reproduced witness, "
            "{overlaps} overlaps), {possible} possible findings, {disagreements} "
            "disagreements").format(
        **{k: COUNTS.get(k, 0) for k in ("rulebooks", "pairs", "claims", "lint_claims",
                                         "diff_claims", "grid", "regions", "possible",
                                         "findings", "witnesses", "overlaps",
                                         "disagreements")})
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(line)


def _strict():
    return mock.patch.dict(os.environ, {"POLICYENGINE_STRICT_WITNESS": "1"})


# -- rulebooks as data ---------------------------------------------------------------------------
def _atom(draw, allow_arith: bool = True) -> str:
    what = draw(st.sampled_from(["kind", "kind", "n", "x", "x", "flag", "arith"]
                                if allow_arith else ["kind", "n", "x", "flag"]))
    op = draw(st.sampled_from(["<", "<=", ">", ">="]))
    if what == "kind":
        shape = draw(st.sampled_from(["==", "!=", "in"]))
        if shape == "in":
            vals = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=2, unique=True))
            return "kind in [" + ", ".join(f'"{v}"' for v in vals) + "]"
        return f'kind {shape} "{draw(st.sampled_from(KINDS))}"'
    if what == "n":
        return f"n {op} {draw(st.sampled_from(N_CUTS[:5]))}"
    if what == "x":
        cut = draw(st.sampled_from(X_CUTS[:5]))
        return f"x {op} {cut!r}" if draw(st.booleans()) else f"n {op} {cut!r}"
    if what == "flag":
        return "flag" if draw(st.booleans()) else "!flag"
    form = draw(st.sampled_from(["x*", "n+", "n/", "big"]))
    if form == "x*":
        return f"x * {draw(st.sampled_from(RATES))} {op} {draw(st.sampled_from(X_CUTS[1:5]))!r}"
    if form == "n+":
        return f"n + {draw(st.integers(1, 3))} {op} {draw(st.sampled_from(N_CUTS[:5]))}"
    if form == "n/":
        return f"10 / n {op} {draw(st.integers(1, 5))}"
    return f"n {op} {X_CUTS[-1]!r}" if draw(st.booleans()) else f"n {op} {N_CUTS[-1]}"


def _condition(draw) -> str:
    shape = draw(st.sampled_from(["atom", "atom", "and", "or"]))
    if shape == "atom":
        return _atom(draw)
    joiner = " && " if shape == "and" else " || "
    return joiner.join([_atom(draw), _atom(draw)])


@st.composite
def rulebooks(draw) -> dict:
    n_decl = {"type": "int"}
    if draw(st.booleans()):
        n_decl["min"] = 0
    if draw(st.booleans()):
        n_decl["default"] = 0
    cats = []
    for k in range(draw(st.integers(1, 3))):
        bands = [{"when": _atom(draw), "level": draw(st.sampled_from(LEVELS))}
                 for _ in range(draw(st.integers(0, 3)))]
        if not bands or draw(st.booleans()):
            bands.append({"otherwise": draw(st.sampled_from(LEVELS))})
        cats.append({"id": f"c{k}", "when": _condition(draw), "bands": bands,
                     "remedies": draw(st.sampled_from([["realign", "hold"], ["hold"], []]))})
    if draw(st.booleans()):
        cats.append({"id": "rest", "when": "true", "bands": [{"otherwise": "l1"}],
                     "remedies": ["hold"]})
    overrides = []
    if draw(st.booleans()):
        overrides.append({"id": "big", "when": _atom(draw, allow_arith=False),
                          "min_level": draw(st.sampled_from(LEVELS[1:]))})
    return {
        "kinds": list(KINDS), "n": n_decl, "extra": None,
        "windows": [draw(st.sampled_from(WINDOWS)) for _ in LEVELS],
        "limits": sorted(draw(st.lists(st.sampled_from([100, 500, 2500, 5000]), min_size=2,
                                       max_size=2))),
        "rate": draw(st.sampled_from(RATES)),
        "realign_from": draw(st.sampled_from(X_CUTS[:4])),
        "sunsets": [draw(st.sampled_from(SUNSETS)), draw(st.sampled_from(SUNSETS))],
        "review": draw(st.sampled_from([None, "14d", "30d"])),
        "categories": cats, "overrides": overrides,
    }


def text(r: dict, version: str = "1.0.0") -> str:
    n = r["n"]
    lines = ["policy: {id: brute, title: Brute, version: %s, effective: 2026-01-01, "
             "owners: [l@example.com]}" % version, "facts:",
             f"  kind: {{type: string, enum: [{', '.join(r['kinds'])}]}}",
             "  x: {type: double, min: 0}",
             "  n: {" + ", ".join(f"{k}: {v}" for k, v in n.items()) + "}",
             "  flag: {type: bool, default: false}"]
    if r["extra"] is not None:
        lines.append(f"  extra: {r['extra']}")
    lines += ["ladder:", "  levels:"]
    for i, lv in enumerate(LEVELS):
        nxt = f", next: {LEVELS[i + 1]}" if i + 1 < len(LEVELS) else ""
        lines.append(f"    - {{id: {lv}, title: Level {lv}, role: r{lv}, respond_within: 1bd, "
                     f"decide_within: {r['windows'][i]}{nxt}}}")
    lo, hi = r["limits"]
    lines += ["actions:", "  adjust: {title: Adjust, unit: USD}", "  hold: {title: Hold}",
              "authority:", f"  rl1: {{adjust: {lo}, hold: true}}",
              f"  rl2: {{adjust: {hi}, hold: true}}", "  rl3: {adjust: true, hold: true}",
              "categories:"]
    for c in r["categories"]:
        lines += [f"  - id: {c['id']}", f"    title: Category {c['id']}",
                  "    class: commercial", f"    when: '{c['when']}'", "    thresholds:"]
        for b in c["bands"]:
            if "otherwise" in b:
                lines.append(f"      - {{otherwise: {b['otherwise']}}}")
            else:
                lines.append(f"      - {{when: '{b['when']}', level: {b['level']}}}")
        lines.append(f"    remedies: [{', '.join(c['remedies'])}]")
    if r["overrides"]:
        lines.append("overrides:")
        for o in r["overrides"]:
            lines.append(f"  - {{id: {o['id']}, when: '{o['when']}', min_level: {o['min_level']},"
                         " reason: Because}")
    review = f", review_every: {r['review']}" if r["review"] else ""
    lines += ["remedies:",
              "  - {id: realign, title: Realign, action: adjust, "
              f"amount: 'x * {r['rate']}', when: 'x >= {r['realign_from']!r}', "
              f"sunset: {r['sunsets'][0]}{review}}}",
              f"  - {{id: hold, title: Hold, action: hold, sunset: {r['sunsets'][1]}}}"]
    return "\n".join(lines) + "\n"


@st.composite
def edited(draw, r: dict) -> dict:
    r = copy.deepcopy(r)
    for _ in range(draw(st.integers(1, 2))):
        what = draw(st.sampled_from(["cut", "level", "window", "sunset", "review", "limit",
                                     "add-category", "remove-category", "add-fact",
                                     "required-fact", "narrow-enum", "raise-min", "rate"]))
        cat = draw(st.sampled_from(r["categories"]))
        if what == "cut":
            bands = [b for b in cat["bands"] if "when" in b]
            if bands:
                draw(st.sampled_from(bands))["when"] = _atom(draw)
        elif what == "level":
            band = draw(st.sampled_from(cat["bands"]))
            band["otherwise" if "otherwise" in band else "level"] = draw(st.sampled_from(LEVELS))
        elif what == "window":
            r["windows"][draw(st.integers(0, 2))] = draw(st.sampled_from(WINDOWS))
        elif what == "sunset":
            r["sunsets"][draw(st.integers(0, 1))] = draw(st.sampled_from(SUNSETS))
        elif what == "review":
            r["review"] = draw(st.sampled_from([None, "7d", "30d"]))
        elif what == "limit":
            r["limits"] = sorted([r["limits"][0], draw(st.sampled_from([1000, 2500, 10000]))])
        elif what == "add-category":
            r["categories"].insert(0, {"id": "new", "when": _condition(draw),
                                       "bands": [{"otherwise": draw(st.sampled_from(LEVELS))}],
                                       "remedies": ["hold"]})
        elif what == "remove-category" and len(r["categories"]) > 1:
            r["categories"].remove(cat)
        elif what == "add-fact":
            r["extra"] = "{type: bool, default: false}"
        elif what == "required-fact":
            r["extra"] = "{type: bool}"
        elif what == "narrow-enum":
            r["kinds"] = ["a", "b"]
        elif what == "raise-min":
            r["n"] = dict(r["n"], min=1)
            if r["n"].get("default") == 0:
                r["n"]["default"] = 1
        elif what == "rate":
            r["rate"] = draw(st.sampled_from(RATES))
    return r


# -- the grid ------------------------------------------------------------------------------------
def _around(values) -> list:
    out = set()
    for v in values:
        out.add(v)
        if isinstance(v, float):
            out.update({math.nextafter(v, math.inf), math.nextafter(v, -math.inf),
                        v + 0.5, v - 0.5})
        else:
            out.update({v - 1, v + 1})
    return sorted(out)


def grid(*sources: str) -> list[dict]:
    """Disputes around every constant of the rulebooks' texts (every fact given): the cuts of
    `x` and `n`, and for `x * r op c` the quotient c / r, where IEEE rounding decides."""
    nums = {float(m) for s in sources
            for m in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])", s)}
    quotients = {float(c) / float(r) for s in sources
                 for r, c in re.findall(r"x \* ([0-9.]+) [<>=]+ ([0-9.]+)", s)}
    xs = _around(sorted({0.0, *(v for v in nums if v <= 1e6), *quotients}))
    xs = [v for v in xs if v >= 0 and math.isfinite(v)]
    ns = _around(sorted({0, *(int(c) for c in nums if c.is_integer() and c <= 1e6),
                         *({N_CUTS[-1]} if any(str(N_CUTS[-1]) in s for s in sources)
                           else set())}))
    out = []
    for n, x in itertools.product(ns, xs):
        for kind, flag in itertools.product(KINDS, (False, True)):
            out.append({"kind": kind, "x": x, "n": n, "flag": flag, "extra": flag})
    return out


def _facts_for(policy, dispute: dict) -> dict:
    return project(policy, dispute)


# -- lint ----------------------------------------------------------------------------------------
def _chosen(policy, facts: dict):
    """(category index or None, band index or None, refusal code or None) by the evaluator,
    plus the truth of every category's `when` (None on an error)."""
    cp = policy.compiled
    problems: list = []
    normalized = cp.check_facts(facts, "", problems)
    holds = []
    for c in cp.categories:
        try:
            holds.append(c.when.fn(normalized) is True)
        except Exception:
            holds.append(None)
    try:
        decision = policy.evaluate(facts, as_of=DAY)
    except DisputeError as exc:
        return None, exc, holds
    return decision, None, holds


def check_lint(policy, source: str, points: list[dict]) -> None:
    with _strict():
        report = check_coverage(policy, as_of=DAY, timeout=10.0, budget=60.0)
    kinds = {f.kind for f in report.findings}
    if kinds & {"timeout", "budget"}:
        return
    COUNTS["possible"] += sum(1 for f in report.findings if f.possible)
    COUNTS["findings"] += sum(1 for f in report.findings)
    COUNTS["witnesses"] += sum(1 for f in report.findings if f.witness is not None)
    COUNTS["overlaps"] += sum(1 for f in report.findings if f.kind == "overlap")
    cats = policy.categories
    rows = []
    for d in points:
        facts = _facts_for(policy, d)
        decision, error, holds = _chosen(policy, facts)
        rows.append((facts, decision, error, holds))
    COUNTS["grid"] += len(rows)
    failing = {f.expression.element for f in report.findings if f.kind == "can-fail"
               and f.expression is not None}
    failing |= {f"categories.{cats[f.subject[1]].id}" for f in report.findings
                if f.kind == "can-fail" and f.subject[0] == "category"}

    def claim(ok: bool, what: str) -> None:
        COUNTS["claims"] += 1
        COUNTS["lint_claims"] += 1
        if not ok:
            COUNTS["disagreements"] += 1
        assert ok, f"{what}\n{source}"

    for facts, decision, error, holds in rows:
        if error is not None and error.code == "invalid_facts":
            continue
        if error is not None and error.code == "evaluation_error":
            path = error.problems[0].path
            claim(path in failing or any(path.startswith(p) for p in failing),
                  f"lint says nothing can fail, yet {facts} fails at {path}")
        if error is not None and error.code == "threshold_gap":
            cid = error.problems[0].path.split(".", 1)[1]
            i = next(k for k, c in enumerate(cats) if c.id == cid)
            claim(report.gaps.get(i) is not False, f"lint proves no gap in {cid}: {facts}")
        if error is not None and error.code == "unclassified":
            claim(report.unclassified is not False, f"lint proves all classified: {facts}")
        if decision is not None:
            i = next(k for k, c in enumerate(cats) if c.id == decision.category.id)
            claim(report.chosen.get(i) is not False, f"lint: {cats[i].id} never chosen: {facts}")
            band = next(t for t in decision.trace if t.kind == "band")
            b = int(band.rule.rsplit("[", 1)[1].rstrip("]"))
            claim(report.reached.get((i, b)) is not False,
                  f"lint: band {b} of {cats[i].id} never reached: {facts}")
    # overlaps not reported: the later category holds for none or for all the earlier decides
    for i in range(len(cats)):
        for j in range(i):
            if (j, i) in report.overlaps or report.chosen.get(i) is not True or \
                    report.chosen.get(j) is not True:
                continue
            decided = [h for f, d, e, h in rows if d is not None and d.category.id == cats[j].id]
            if not decided or all(h[i] for h in decided) or all(h[i] is None for h in decided):
                continue
            claim(not any(h[i] for h in decided),
                  f"lint: no overlap of {cats[j].id} and {cats[i].id}")


@SETTINGS
@given(rulebooks())
def test_lint_claims_hold_on_the_grid(r):
    source = text(r)
    policy = loads_policy(source)
    COUNTS["rulebooks"] += 1
    check_lint(policy, source, grid(source))


# -- diff ----------------------------------------------------------------------------------------
def _dates(decision) -> tuple:
    return (decision.respond_by, decision.decide_by,
            tuple(sorted((x.id, x.expires_on, x.review_on) for x in decision.remedies)))


@SETTINGS
@given(st.data())
def test_diff_claims_hold_on_the_grid(data):
    r = data.draw(rulebooks())
    r2 = data.draw(edited(r))
    sa, sb = text(r), text(r2, "1.1.0")
    try:
        a, b = loads_policy(sa), loads_policy(sb)
    except PolicyError:
        return  # an edit the rulebook refuses (a narrowed enum still read by a condition)
    COUNTS["pairs"] += 1
    report = compare_behavior(a, b, as_of=DAY, timeout=10.0, budget=60.0, max_regions=100)
    COUNTS["regions"] += len(report.regions)

    def claim(ok: bool, what: str) -> None:
        COUNTS["claims"] += 1
        COUNTS["diff_claims"] += 1
        if not ok:
            COUNTS["disagreements"] += 1
        assert ok, f"{what}\n--- old\n{sa}\n--- new\n{sb}"

    for region in report.regions:
        claim(region_reproduces(a, b, region), f"witness of {region.summary}")
    points = grid(sa, sb)
    COUNTS["grid"] += len(points)
    same_claimed = report.verdict in ("identical", "equivalent")
    located = 0  # membership is a z3 substitution per region: checked for the first ones
    for d in points:
        da, db = project(a, d), project(b, d)
        oa, deca = decide(a, da, DAY)
        ob, decb = decide(b, db, DAY)
        valid = [oa.refusal != "invalid_facts", ob.refusal != "invalid_facts"]
        if valid == [True, True]:
            if oa != ob:
                claim(not same_claimed, f"{report.verdict}, yet {d}: {oa} -> {ob}")
                located += 1
                if report.complete and located <= LOCATE:
                    inside = [report.contains(x, d) for x in report.regions
                              if x.kind == "outcome"]
                    claim(any(inside), f"{d}: {oa} -> {ob} is in no reported region")
            elif deca is not None and decb is not None and _dates(deca) != _dates(decb):
                claim(not same_claimed, f"{report.verdict}, yet the dates of {d} move")
                located += 1
                if report.complete and located <= LOCATE:
                    inside = [report.contains(x, d) for x in report.regions
                              if x.kind == "dates"]
                    claim(any(inside), f"the dates of {d} move outside every region")
        for source, target, raw, label in ((a, b, da, "old"), (b, a, db, "new")):
            o_src, _ = decide(source, raw, DAY)
            if o_src.refusal == "invalid_facts":
                continue
            try:
                target.evaluate(raw, as_of=DAY)
                continue
            except DisputeError as exc:
                if exc.code != "invalid_facts":
                    continue
                paths = {p.path for p in exc.problems}
            claim(not same_claimed, f"{report.verdict}, yet {raw} is refused as invalid")
            found = [x for x in report.regions if x.kind == "validity"
                     and x.subject == f"disputes valid under the {label} version"
                     and any(f"`{p}`" in x.change for p in paths)]
            claim(bool(found), f"{raw} valid under the {label} version only, in no region")
