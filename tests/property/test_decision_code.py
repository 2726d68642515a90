"""The generated decision (compile/decision_code.py, issue 14) decides as the general path.

On rulebooks drawn by hypothesis (categories dispatched by a table or tested in turn, bands
with and without `otherwise`, overrides, remedies with and without a condition or an amount,
authority that may be missing, windows in days, weeks and business days, conditions and
amounts that fail or are not finite) and disputes drawn around them (valid facts, wrong
types, values outside their bounds, missing and undeclared keys, integers for doubles,
reserved keys, days inside and outside the term), the policy with its generated code gives
the same Decision, the same bytes and the same refusals (the same problems, in the same
order) as the same policy with none. And the generated source holds only its own names and
small integers: every value of the rulebook is an argument of its factory."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.compile import decision_code
from policyengine.core.errors import DisputeError
from policyengine.decide.evaluate import evaluate_compiled

KINDS = ["a", "b", "c", "d"]
LEVELS = ["one", "two", "three"]

CONDITIONS = st.one_of(
    st.sampled_from(KINDS).map(lambda k: f'kind == "{k}"'),
    st.lists(st.sampled_from(KINDS), min_size=1, max_size=3).map(
        lambda ks: "kind in [" + ", ".join(f'"{k}"' for k in ks) + "]"),
    st.sampled_from(KINDS).map(lambda k: f'kind == "{k}" && flag'),
    st.sampled_from(KINDS).map(lambda k: f'kind == "{k}" && partner.tier == "gold"'),
    st.just("amount > 50.0"),
    st.just("n >= 3"),
    st.just("100 / (n - 2) > 10"),  # fails where n is 2
    st.just("tags.exists(t, t == \"x\")"),
    st.just("true"),
)
BAND_WHENS = st.sampled_from(["amount < 10.0", "amount < 100.0", "amount <= 20.0", "n < 2",
                              "flag", "100 / n > 5", "partner.exclusive", "20.0 > amount",
                              "n == 3", "amount != 5.0", "3 <= n", "amount >= 1e300"])
DURATIONS = st.sampled_from(["1bd", "3bd", "5bd", "2d", "10d", "1w", "3w"])
AMOUNTS = st.sampled_from(["amount", "amount * 0.1", "amount * 1e308 * 10.0", "double(n)",
                           "n * 1000", "amount / (double(n) - 1.0)"])
LIMITS = st.sampled_from(["true", "false", "10", "100.0", "5000", None])


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@st.composite
def rulebooks(draw: Any) -> str:
    levels = []
    for i, lv in enumerate(LEVELS):
        respond = draw(st.none() | st.sampled_from(["1bd", "2bd", "1d"]))
        parts = [f"id: {lv}", f"title: Level {lv}", f"role: r{i}",
                 f"decide_within: {draw(DURATIONS)}"]
        if respond is not None:
            parts.append(f"respond_within: {respond}")
        if i + 1 < len(LEVELS):
            parts.append(f"next: {LEVELS[i + 1]}")
        levels.append("    - {" + ", ".join(parts) + "}")
    remedies = []
    rids = [f"m{i}" for i in range(draw(st.integers(0, 3)))]
    actions = [f"act{i}" for i in range(len(rids))]
    for rid, action in zip(rids, actions):
        parts = [f"id: {rid}", f"title: Remedy {rid}", f"action: {action}",
                 f"sunset: {draw(DURATIONS)}"]
        if draw(st.booleans()):
            parts.append(f"when: {_quoted(draw(CONDITIONS | BAND_WHENS))}")
        if draw(st.booleans()):
            parts.append(f"amount: {_quoted(draw(AMOUNTS))}")
        if draw(st.booleans()):
            parts.append(f"review_every: {draw(DURATIONS)}")
        remedies.append("  - {" + ", ".join(parts) + "}")
    authority = []
    for i in range(len(LEVELS)):
        cells = [f"{a}: {lim}" for a in actions if (lim := draw(LIMITS)) is not None]
        authority.append(f"  r{i}: {{{', '.join(cells + ['hold: true'])}}}")
    categories = []
    count = draw(st.integers(1, 6))
    catch_all = draw(st.booleans())  # often a last `true`: fewer disputes left unclassified
    for i in range(count):
        bands = []
        for _ in range(draw(st.integers(0, 3))):
            bands.append(f"      - {{when: {_quoted(draw(BAND_WHENS))}, "
                         f"level: {draw(st.sampled_from(LEVELS))}}}")
        if not bands or draw(st.integers(0, 4)):  # mostly an `otherwise`; sometimes a gap
            bands.append(f"      - {{otherwise: {draw(st.sampled_from(LEVELS))}}}")
        mine = draw(st.lists(st.sampled_from(rids), unique=True)) if rids else []
        categories.append(f"""  - id: c{i}
    title: Category {i}
    class: commercial
    when: {_quoted("true" if catch_all and i == count - 1 else draw(CONDITIONS))}
    thresholds:
{chr(10).join(bands) if bands else "      []"}
    remedies: [{", ".join(mine)}]
""")
    overrides = [f"  - {{id: o{i}, when: {_quoted(draw(CONDITIONS | BAND_WHENS))}, "
                 f"min_level: {draw(st.sampled_from(LEVELS))}, reason: Reason {i}}}"
                 for i in range(draw(st.integers(0, 2)))]
    expires = draw(st.sampled_from(["", "  expires: 2027-06-30\n"]))
    return f"""policy:
  id: drawn
  title: Drawn
  version: 1.0.0
  effective: 2026-01-01
{expires}  owners: [legal@example.com]
facts:
  kind: {{type: string, enum: [{", ".join(KINDS)}]}}
  amount: {{type: double, min: 0}}
  n: {{type: int, min: 0, max: 100, default: 0}}
  flag: {{type: bool, default: false}}
  tags: {{type: list, items: {{type: string}}, default: []}}
  partner:
    type: map
    fields:
      tier: {{type: string, enum: [gold, silver], default: silver}}
      exclusive: {{type: bool, default: false}}
ladder:
  levels:
{chr(10).join(levels)}
actions:
  hold: {{title: Hold}}
{"".join(f"  {a}: {{title: Action {a}}}{chr(10)}" for a in actions)}authority:
{chr(10).join(authority)}
categories:
{"".join(categories)}overrides:
{chr(10).join(overrides) if overrides else "  []"}
remedies:
{chr(10).join(remedies) if remedies else "  []"}
"""


GOOD = {
    "kind": st.sampled_from(KINDS),
    "amount": st.one_of(st.sampled_from([0.0, 5.0, 10.0, 20.0, 99.9, 1000.0, 1e300]),
                        st.integers(0, 200)),
    "n": st.integers(0, 5),
    "flag": st.booleans(),
    "tags": st.lists(st.sampled_from(["x", "y"]), max_size=2),
    "partner": st.fixed_dictionaries({}, optional={
        "tier": st.sampled_from(["gold", "silver"]), "exclusive": st.booleans()}),
}
ODD = {
    "kind": st.sampled_from(["e", 1, None]),
    "amount": st.sampled_from([-1.0, "7", True, float("inf"), 2 ** 1100]),
    "n": st.sampled_from([101, -1, 2.0]),
    "flag": st.just(1),
    "tags": st.just("x"),
    "partner": st.sampled_from([[], {"tier": "bronze"}, {"other": 1}]),
}
REQUIRED = ("kind", "amount")
IN_TERM = st.dates(dt.date(2026, 1, 1), dt.date(2027, 6, 30))


@st.composite
def disputes(draw: Any) -> tuple[Any, Any]:
    """Mostly valid disputes on a day of the term; else one thing odd about them."""
    d: dict[str, Any] = draw(st.fixed_dictionaries(
        {k: GOOD[k] for k in REQUIRED},
        optional={k: v for k, v in GOOD.items() if k not in REQUIRED}))
    day: Any = draw(IN_TERM)
    odd = draw(st.integers(0, 14)) - 8  # the simplest draw (0) is a valid dispute
    if odd == 0:
        key = draw(st.sampled_from(sorted(ODD)))
        d[key] = draw(ODD[key])
    elif odd == 1:
        del d[draw(st.sampled_from(REQUIRED))]
    elif odd == 2:
        d["undeclared"] = 1
    elif odd == 3:
        d["escalation"] = {"level": draw(st.sampled_from(LEVELS)), "since": "2026-03-01"}
    elif odd == 4:
        d[draw(st.sampled_from(["escalation", "remedies_in_force"]))] = None
    elif odd == 5:
        d["as_of"] = "2026-04-01"
    elif odd == 6:
        day = draw(st.one_of(st.dates(dt.date(2025, 12, 1), dt.date(2027, 12, 31)),
                             st.sampled_from(["2026-05-05", None, dt.datetime(2026, 5, 5, 12),
                                              "bad", 7, dt.date(9999, 12, 30)])))
    return d, day


def _outcome(cp: Any, dispute: Any, day: Any) -> Any:
    try:
        decision = evaluate_compiled(cp, dispute, as_of=day)
    except DisputeError as exc:
        return ("refused", [p.to_dict() for p in exc.problems])
    return ("decided", decision, decision.to_json())


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rulebooks(), st.lists(disputes(), min_size=1, max_size=12))
def test_the_generated_decision_is_the_general_paths(text: str, cases: list[Any]) -> None:
    policy = policyengine.loads_policy(text, "drawn.yaml")
    cp = policy.compiled
    assert cp.evaluate_code is not None  # no calendar: every policy here has generated code
    general = dataclasses.replace(cp, evaluate_code=None)
    for dispute, day in cases:
        got = _outcome(cp, dispute, day)
        want = _outcome(general, dispute, day)
        assert got[0] == want[0], (dispute, day, got, want)
        if got[0] == "refused":
            assert got[1] == want[1], (dispute, day)
        else:
            assert got[1] == want[1] and got[2] == want[2], (dispute, day)
            assert repr(got[1]) == repr(want[1])  # same types too (ints, floats, refs)
        # the generated function itself answers or leaves it, never anything else
        try:
            direct = cp.evaluate_code(dispute, day)
        except (ValueError, ArithmeticError):  # a failing expression: the caller's fallback
            direct = None
        if direct is not None:
            assert got[0] == "decided" and direct == got[1]


def test_the_benchmark_table_and_the_rulebook_example_are_decided_by_generated_code(
        ) -> None:
    from conftest import POLICIES

    acme = policyengine.load_policy(POLICIES / "acme-channel-conflict.yaml")
    code = acme.compiled.evaluate_code
    assert code is not None
    d = {"kind": "pricing", "amount": 120000.0, "region": "EMEA", "partner": {"tier": "gold"}}
    got = code(d, dt.date(2026, 11, 22))
    assert got is not None
    assert got == evaluate_compiled(dataclasses.replace(acme.compiled, evaluate_code=None), d,
                                    as_of=dt.date(2026, 11, 22))


def test_a_named_calendar_gets_no_generated_code() -> None:
    from conftest import POLICIES

    policy = policyengine.load_policy(POLICIES / "global-channel-conflict.yaml")
    assert policy.compiled.evaluate_code is None


_VOCABULARY = re.compile(
    r"_factory|fn|value|day|s0|facts|value_out|s|d|o|t|lv|final|w|ra|respond|decide|outs|by|"
    r"k|rid|act|amt|role|sa|rv|v\d+(_out)?|[hak]\d+|_[A-Za-z0-9]+")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rulebooks(), st.lists(disputes(), min_size=1, max_size=6))
def test_the_generated_source_holds_no_text_of_the_rulebook(text: str,
                                                             cases: list[Any]) -> None:
    decision_code._FACTORIES.clear()  # a cache: only this policy's factories, from here on
    policy = policyengine.loads_policy(text, "drawn.yaml")
    cp = policy.compiled
    cases = cases + [({"kind": k, "amount": 5.0}, dt.date(2026, 3, 2)) for k in KINDS]
    for dispute, day in cases:  # build the functions these disputes reach
        try:
            evaluate_compiled(cp, dispute, as_of=day)
        except DisputeError:
            pass
    declared = {"kind", "amount", "n", "flag", "tags", "partner", "tier", "exclusive"}
    sources = list(decision_code._FACTORIES)  # every factory's source, this policy's among them
    assert sources
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Name):
                assert _VOCABULARY.fullmatch(node.id), node.id
            elif isinstance(node, ast.arg):
                assert _VOCABULARY.fullmatch(node.arg), node.arg
            elif isinstance(node, ast.Attribute):
                assert node.attr in _ATTRIBUTES, node.attr
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                # fact names, as the facts check writes them (repr, dictionary keys)
                assert node.value in declared or node.value == "", node.value
            elif isinstance(node, ast.Constant):
                assert node.value is None or type(node.value) in (bool, int), node.value
            assert not isinstance(node, (ast.Import, ast.ImportFrom, ast.Lambda)), \
                ast.dump(node)


_ATTRIBUTES = {"get", "issuperset", "isascii", "append", "weekday", "site", "result",
               "values", "words", "__class__", "policy_id", "policy_version", "digest",
               "as_of", "category", "level", "action", "respond_by", "decide_by", "remedies",
               "remedies_in_force", "trace", "warnings", "calendar", "id", "amount",
               "authorized_by", "expires_on", "review_on"}


@pytest.mark.parametrize("n", [2, 40])
def test_categories_of_one_shape_share_one_factory(n: int) -> None:
    cats = "".join(f"""  - id: c{i}
    title: Category {i}
    class: commercial
    when: kind == "k{i}"
    thresholds:
      - {{when: amount < {i + 1}.0, level: one}}
      - {{otherwise: two}}
""" for i in range(n))
    text = f"""policy:
  id: shapes
  title: Shapes
  version: 1.0.0
  effective: 2026-01-01
  owners: [legal@example.com]
facts:
  kind: {{type: string, enum: [{", ".join(f"k{i}" for i in range(n))}]}}
  amount: {{type: double, min: 0}}
ladder:
  levels:
    - {{id: one, title: One, role: r1, decide_within: 5bd, next: two}}
    - {{id: two, title: Two, role: r2, decide_within: 5d}}
actions:
  hold: {{title: Hold}}
authority:
  r1: {{hold: true}}
  r2: {{hold: true}}
categories:
{cats}"""
    policy = policyengine.loads_policy(text, "shapes.yaml")
    code = policy.compiled.evaluate_code
    assert code is not None
    fns = set()
    for i in range(n):
        got = policy.evaluate({"kind": f"k{i}", "amount": 0.5}, as_of=dt.date(2026, 3, 2))
        assert got.level.id == "one" and got.category.id == f"c{i}"
        fn, _ = code.table[f"k{i}"]
        fns.add(fn.python_source)
    assert len(fns) == 1  # one source: one compiled factory for every category
