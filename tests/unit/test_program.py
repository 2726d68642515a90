"""The model and its compiled program are separate (compiled.py, model/nodes.py).

* ``dataclasses.replace(policy, ...)`` gives a policy that decides, and reports its digest, by
  its own content, never by the program of the policy it was made from;
* the compiled layer remembers a program for as long as its policy object lives, and no
  longer;
* the model imports nothing from the layers above it, not even inside a function;
* the derived facts (ladder order, ranks, limits per rank) have one home, which lint reads for
  a draft that does not compile;
* trace steps carry structured fields, and renderers read those, not the text of ``rule`` or
  ``detail``;
* the path-keyed convenience ``policyengine.evaluate`` keeps a bounded number of rulebooks.
"""

from __future__ import annotations

import ast
import dataclasses
import gc
import json
import re
import weakref
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

import policyengine
from policyengine.compile import policy as compiled_layer
from policyengine.compile.policy import compile_policy, derived_facts, loaded_program, program
from policyengine.decide.evaluate import evaluate_compiled
from policyengine.compile.pipeline import inspect_text
from policyengine.decide.api import LOADED_FILES, _load_cached

ROOT = Path(__file__).resolve().parents[2]
ACME_PATH = ROOT / "policies" / "acme-channel-conflict.yaml"
ACME = policyengine.load_policy(ACME_PATH)
AS_OF = "2026-11-23"
DISPUTES: list[dict[str, Any]] = [
    json.loads(p.read_text(encoding="utf-8"))
    for p in sorted((ROOT / "examples").glob("acme-channel-conflict--*.json"))]
DISPUTES += [
    {"kind": "pricing", "amount": 120000.0, "region": "EMEA", "partner": {"tier": "gold"}},
    {"kind": "pricing", "amount": 300000.0, "region": "NA", "partner": {"tier": "silver"},
     "compliance_flag": True, "escalation": {"level": "frontline", "since": "2026-09-01"}},
    {"kind": "mdf", "amount": 70000.0, "region": "APAC", "partner": {"tier": "gold"},
     "recurrences_90d": 4},
]


def _fresh(policy: policyengine.Policy, dispute: dict[str, Any]) -> bytes:
    """The decision of a program compiled from scratch (no cache anywhere), or its refusal."""
    try:
        return evaluate_compiled(compile_policy(policy), dispute, as_of=AS_OF).to_json()
    except policyengine.DisputeError as exc:
        return f"refused {exc.code}".encode()


def _decide(policy: policyengine.Policy, dispute: dict[str, Any]) -> bytes:
    try:
        return policy.evaluate(dispute, as_of=AS_OF).to_json()
    except policyengine.DisputeError as exc:
        return f"refused {exc.code}".encode()


def test_replace_decides_with_the_new_content():
    pricing = ACME.categories[0]
    assert pricing.id == "pricing"
    dispute = DISPUTES[-3]
    before = ACME.evaluate(dispute, as_of=AS_OF)
    assert before.category.id == "pricing"
    changed = dataclasses.replace(ACME, categories=ACME.categories[1:])
    after = changed.evaluate(dispute, as_of=AS_OF)
    assert after.category.id != "pricing"
    assert changed.digest != ACME.digest
    assert changed.digest == compile_policy(changed).digest == after.digest
    assert changed != ACME
    # the original is untouched
    assert ACME.evaluate(dispute, as_of=AS_OF) == before
    assert ACME.digest == before.digest


def test_replace_with_the_same_content_keeps_the_digest():
    same = dataclasses.replace(ACME)
    assert same is not ACME and same.digest == ACME.digest and same == ACME
    assert program(same) is not program(ACME)  # its own program, with the same meaning


def _changes(policy: policyengine.Policy) -> list[tuple[str, dict[str, Any]]]:
    """Field replacements a caller might make (each a no-op when the policy has nothing left
    to change that way)."""
    cats, ovs = policy.categories, policy.overrides
    lv = policy.ladder.levels[0]
    levels = (dataclasses.replace(lv, decide_within=type(lv.decide_within).parse("1d")),
              *policy.ladder.levels[1:])
    return [
        ("drop the first category", {"categories": cats[1:] if len(cats) > 1 else cats}),
        ("drop the overrides", {"overrides": ()}),
        ("raise an override", {"overrides": (dataclasses.replace(ovs[0], min_level="executive"),
                                             *ovs[1:]) if ovs else ovs}),
        ("a new version", {"meta": dataclasses.replace(policy.meta, version="9.9.9")}),
        ("no authority", {"authority": ()}),
        ("a shorter first window", {"ladder": dataclasses.replace(policy.ladder,
                                                                  levels=levels)}),
        ("reorder categories", {"categories": (*cats[1:-1], cats[0], cats[-1])
                                if len(cats) > 2 else cats}),
    ]


CHANGES = _changes(ACME)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(range(len(CHANGES))), min_size=1, max_size=3),
       st.sampled_from(range(len(DISPUTES))))
def test_any_replacement_decides_like_a_program_compiled_from_scratch(picks, which):
    policy = ACME
    for i in picks:  # each change made on the policy the previous one gave
        _, fields = _changes(policy)[i]
        policy = dataclasses.replace(policy, **fields)
    dispute = DISPUTES[which]
    assert policy.digest == compile_policy(policy).digest
    assert _decide(policy, dispute) == _fresh(policy, dispute)
    if compiled_layer.canonical_form(policy) != compiled_layer.canonical_form(ACME):
        assert policy.digest != ACME.digest
        assert policy != ACME


def test_a_program_lives_as_long_as_its_policy():
    policy = policyengine.load_policy(ACME_PATH)
    cp = program(policy)
    assert loaded_program(policy) is cp and policy.compiled is cp
    assert program(policy) is cp  # compiled once
    ref = weakref.ref(policy)
    del policy
    gc.collect()
    assert ref() is None, "the compiled layer keeps the policy alive"
    # the entry went with its policy (and so did those of every other policy freed by now)
    assert all(entry[0]() is not None for entry in compiled_layer._PROGRAMS._entries.values())
    # the program holds the policy's parts, not the policy
    assert not any(isinstance(v, policyengine.Policy) for v in gc.get_referents(cp))


def test_the_model_imports_nothing_above_it():
    """Not at module level, not inside a function, not under any condition but
    TYPE_CHECKING: ``Policy.evaluate`` reaches the compiled layer through the functions that
    layer installs."""
    above = {"compiled", "evaluate", "pipeline", "lint", "analysis", "diff", "render", "cli",
             "service", "ledger"}
    for path in sorted((ROOT / "policyengine" / "model").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
        for node in ast.walk(tree):
            if id(node) in guarded:
                continue
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = set(name.replace("policyengine.", "").split("."))
                assert not parts & above, f"{path.name}:{node.lineno} imports {name}"


def test_derived_facts_have_one_home():
    derived = derived_facts(ACME)
    cp = program(ACME)
    assert derived is cp.derived
    assert [lv.id for lv in derived.levels] == ["frontline", "regional", "executive",
                                                "mediation"]
    assert derived.rank == cp.rank and derived.levels == cp.levels
    assert [lv.id for lv in derived.deciders] == ["frontline", "regional", "executive"]
    assert derived.limits_of("mdf_reallocation") == (5000, 50000, True, None)
    assert derived.limit("regional_director", "price_adjustment") == 25000
    assert derived.limit("neutral_mediator", "price_adjustment") is None
    for r in cp.remedies.values():  # the evaluator's table is the derived one
        assert r.limits == derived.limits_of(r.remedy.action)


def test_a_draft_that_does_not_compile_has_derived_facts_but_no_program():
    text = ACME_PATH.read_text(encoding="utf-8").replace('when: kind == "pricing"',
                                                         "when: kind == pricing", 1)
    result = inspect_text(text, "broken.yaml")
    assert result.policy is None and result.draft is not None
    draft = result.draft
    assert loaded_program(draft) is None
    derived = derived_facts(draft)
    assert derived is derived_facts(draft)  # computed once per policy object
    assert derived.rank == program(ACME).rank
    assert loaded_program(draft) is None  # reading derived facts compiled nothing


def test_trace_steps_carry_their_element():
    steps = [s for d in DISPUTES for s in ACME.evaluate(d, as_of=AS_OF).trace]
    kinds = {s.kind for s in steps}
    assert {"category", "band", "override", "deadline", "remedy", "authority"} <= kinds
    for s in steps:
        assert s.element is not None and s.span is not None, s
        assert s.source == f"{s.span.file}:{s.span.line}:{s.span.column}"
        expected = {
            "category": f"categories.{s.element}",
            "band": f"categories.{s.element}.thresholds[{s.index}]",
            "override": f"overrides.{s.element}",
            "deadline": f"ladder.{s.element}.decide_within",
            "remedy": f"remedies.{s.element}",
            "authority": f"remedies.{s.element}",
        }[s.kind]
        assert s.rule == expected
        if s.kind == "deadline":
            data = s.data
            assert data["level"] == s.element and data["start"] < data["end"]
        assert s.to_dict()["detail"] == s.detail


def test_renderers_do_not_parse_the_evaluators_strings():
    pattern = re.compile(r"\.(rule|detail)\s*\.\s*(split|rsplit|partition|startswith|endswith"
                         r"|index|find)\b|re\.\w+\([^)]*\.(rule|detail)\b")
    for path in sorted((ROOT / "policyengine" / "render").glob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not pattern.search(line), f"{path.name}:{n}: {line.strip()}"


def test_the_path_cache_of_evaluate_is_bounded(tmp_path):
    text = ACME_PATH.read_text(encoding="utf-8")
    _load_cached.cache_clear()
    for i in range(LOADED_FILES + 4):
        path = tmp_path / f"p{i}.yaml"
        path.write_text(text, encoding="utf-8")
        assert policyengine.evaluate(DISPUTES[-3], path, as_of=AS_OF).level.id == "regional"
    info = _load_cached.cache_info()
    assert info.maxsize == LOADED_FILES and info.currsize == LOADED_FILES
    # a file that changes is loaded again
    path = tmp_path / "p0.yaml"
    path.write_text(text.replace("version: 3.1.0", "version: 3.1.1"), encoding="utf-8")
    assert policyengine.evaluate(DISPUTES[-3], path, as_of=AS_OF).policy_version == "3.1.1"


@pytest.mark.parametrize("bad, message", [
    ("2026-13-01", "`2026-13-01` is not a real date"),
    ("tomorrow", "`tomorrow` is not an ISO date YYYY-MM-DD"),
    (20261122, "as_of must be a date, found a whole number"),
])
def test_as_of_is_converted_by_the_one_day_conversion(bad, message):
    with pytest.raises(policyengine.DisputeError) as info:
        ACME.evaluate(DISPUTES[-3], as_of=bad)
    [problem] = info.value.problems
    assert (problem.code, problem.path, problem.message) == ("invalid_facts", "as_of", message)


def test_the_program_left_on_a_policy_is_never_copied_or_pickled():
    """Policy.evaluate reads the program the compiled layer left on the policy; a copy, a
    pickle and a replace carry none of it, make their own on first use and decide alike."""
    import copy
    import pickle

    policy = policyengine.loads_policy(ACME_PATH.read_text(encoding="utf-8"), "acme.yaml")
    assert policy.__dict__["_program"] is program(policy)
    dispute = DISPUTES[-3]
    expected = _decide(policy, dispute)
    for other in (copy.copy(policy), copy.deepcopy(policy),
                  pickle.loads(pickle.dumps(policy)), dataclasses.replace(policy)):
        assert "_program" not in other.__dict__
        assert other == policy and _decide(other, dispute) == expected
        assert other.__dict__["_program"] is program(other) is not program(policy)
    # the cache is not a field: equality, hashing and the fields ignore it
    assert "_program" not in {f.name for f in dataclasses.fields(policy)}
    assert hash(policy) == hash(dataclasses.replace(policy))
