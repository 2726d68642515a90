"""``Decision.to_dict()`` and ``to_json()`` are the record of the reference
(``core.decision.reference_dict`` / ``reference_json``: built field by field, encoded by the
standard library), though they reuse what depends on the rulebook only and write the JSON from
the standard library's own pieces (issue 14): the same dicts (key order and types included) and
the same bytes, for any decision, refusals included (a number that is not finite, a value the
encoder cannot write)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.core.decision import (STEP_WORDS, CategoryRef, Decision, DecisionWarning,
                                        LevelRef, RemedyInForce, RemedyOutcome, StepSite,
                                        TraceStep, reference_dict, reference_json, rendered)

ROOT = Path(__file__).resolve().parents[2]

_odd_text = st.sampled_from(["", "\ud800", "a\udfffb", "\x00\x1f\x7f", "\u2028\u2029", "é€😀",
                             '"\\/', "\b\f\n\r\t", "1e-7", "0.00001", "sha256:3e4", "[1e-5, 2]"])
_text = st.text(max_size=10) | _odd_text
_float = (st.floats(allow_nan=False, allow_infinity=False)
          | st.sampled_from([1e16, -1e16, 1.5e-7, 1e-5, 1e-4, 9.999e-5, 1e22, 5e-324, -0.0, 0.0,
                             123456789.0, 1.7976931348623157e308, 12000.0, 0.1]))
_int = st.integers(-(2 ** 70), 2 ** 70) | st.sampled_from([0, 1, -1, 2 ** 63, 2 ** 64, -(2 ** 63)])
_scalar = st.none() | st.booleans() | _int | _float | _text
_value = st.recursive(_scalar, lambda inner: st.lists(inner, max_size=3)
                      | st.tuples(inner, inner)
                      | st.dictionaries(_text, inner, max_size=3), max_leaves=8)
_day = st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))
_amount = st.none() | _int | _float


def _site(kind: str) -> Any:
    return st.builds(StepSite, st.just(kind), _text, st.none() | _text, st.none() | _text,
                     st.none() | _text, st.none() | st.integers(0, 5))


@st.composite
def _words(draw: Any) -> Any:
    key = draw(st.sampled_from(sorted(STEP_WORDS)))
    args: tuple[Any, ...]
    if key == "category":
        args = (draw(_text),)
    elif key == "band":
        args = (draw(st.integers(1, 9)), draw(_text))
    elif key == "otherwise":
        args = (draw(_text),)
    elif key == "override":
        args = (draw(_text), draw(_text), draw(_text), draw(st.booleans()))
    elif key == "deadline":
        args = (draw(_text), draw(_text), draw(_day), draw(_day), draw(_text))
    elif key == "remedy":
        args = (draw(_text), draw(st.booleans()))
    elif key == "no_authority":
        args = (draw(_text), draw(_amount))
    else:
        args = (draw(_text), draw(_amount), draw(_text), draw(_text))
    form = draw(st.sampled_from(["tuple", "rendered", "text"]))
    if form == "rendered":
        return rendered(key, args)
    if form == "text":
        return draw(_text)
    return (key, args)


_values = st.lists(st.tuples(st.sampled_from(["amount", "kind", "partner.tier"]) | _text,
                             _value), max_size=3).map(tuple)
_step = st.builds(
    TraceStep,
    st.sampled_from(["category", "band", "remedy", "authority", "deadline", "calendar"]
                    ).flatmap(_site),
    st.just(True) | st.booleans() | st.none() | _text | _value,
    _values | st.just(()), _words())
_outcome = st.builds(RemedyOutcome, _text, _text, _amount, st.none() | _text,
                     st.none() | _day, st.none() | _day)
_in_force = st.builds(RemedyInForce, _text, _day, st.none() | _day, st.none() | _day,
                      st.none() | _day, st.sampled_from(["expired", "review_due", "active"]))
_calendar = st.none() | st.fixed_dictionaries(
    {"region": st.none() | _text, "timezone": _text,
     "holidays": st.lists(_day.map(dt.date.isoformat), max_size=3),
     "weekend": st.lists(st.sampled_from(["sat", "sun"]), max_size=2), "roll": _text})
_decision = st.builds(
    Decision, _text, _text, _text, _day, st.builds(CategoryRef, _text, _text, _text, _text),
    st.builds(LevelRef, _text, _text, _text), st.sampled_from(["escalate", "handle"]) | _text,
    st.none() | _day, _day, st.lists(_outcome, max_size=3).map(tuple),
    st.lists(_in_force, max_size=2).map(tuple), st.lists(_step, max_size=6).map(tuple),
    st.lists(st.builds(DecisionWarning, _text, _text, st.none() | _text), max_size=2
             ).map(tuple), _calendar)


def _typed(x: Any) -> Any:
    """``x`` with every type and every dict's key order made part of its value."""
    if isinstance(x, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in x.items()])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_typed(v) for v in x])
    if isinstance(x, float) and x == 0.0:
        return ("float", str(x))  # -0.0 is not 0.0
    return (type(x).__name__, x)


def _outcome_of(fn: Any) -> Any:
    try:
        return fn()
    except (TypeError, ValueError) as exc:
        return type(exc)


def _same_record(decision: Decision) -> None:
    for _ in range(2):  # first use (the parts made once), then with them made
        assert _typed(decision.to_dict()) == _typed(reference_dict(decision))
        assert _outcome_of(decision.to_json) == _outcome_of(lambda: reference_json(decision))
    want = _outcome_of(lambda: json.dumps(reference_dict(decision), ensure_ascii=False,
                                          allow_nan=False, indent=2, separators=(",", ": "))
                       .encode("utf-8", errors="backslashreplace"))
    assert _outcome_of(lambda: decision.to_json(indent=2)) == want


@settings(max_examples=150, deadline=None)
@given(_decision)
def test_the_record_of_any_decision_is_the_reference(decision: Decision) -> None:
    _same_record(decision)


@settings(max_examples=40, deadline=None)
@given(_decision, st.sampled_from([float("nan"), float("inf"), -float("inf")]),
       st.sampled_from(["amount", "value", "result", "nested"]))
def test_a_number_not_finite_is_refused_as_the_reference_refuses_it(
        decision: Decision, bad: float, where: str) -> None:
    import dataclasses

    if where == "amount":
        decision = dataclasses.replace(decision, remedies=(
            RemedyOutcome("r", "a", bad, None, None, None),))
    else:
        site = StepSite("band", "r", None)
        step = TraceStep(site, bad if where == "result" else True,
                         (("x", [1, {"y": bad}] if where == "nested" else bad),),
                         rendered("band", (1, "l")))
        decision = dataclasses.replace(decision, trace=(step,))
    _same_record(decision)
    try:
        decision.to_json()
    except ValueError:
        pass
    else:  # pragma: no cover - the assertion says what went wrong
        raise AssertionError("a number that is not finite was written")


def test_values_the_encoder_cannot_write_are_refused_in_its_words() -> None:
    base = StepSite("band", "r", None)
    for value in (dt.date(2026, 1, 1), object(), {1.5j: 1}, b"bytes"):
        step = TraceStep(base, True, (("x", value),), "words")
        decision = Decision("p", "1", "d", dt.date(2026, 1, 1), CategoryRef("c", "t", "k", "x"),
                            LevelRef("l", "r", "t"), "handle", None, dt.date(2026, 1, 2), (),
                            (), (step,), ())
        _same_record(decision)


def test_keys_that_are_not_text_are_written_as_the_encoder_writes_them() -> None:
    step = TraceStep(StepSite("band", "r", None), True,
                     ((1, "a"), (2.5, "b"), (None, "c"), (True, "d"), ("1", "e")), "w")
    decision = Decision("p", "1", "d", dt.date(2026, 1, 1), CategoryRef("c", "t", "k", "x"),
                        LevelRef("l", "r", "t"), "handle", None, dt.date(2026, 1, 2), (), (),
                        (step, TraceStep(step.site, False, ((7, 1),), "w")), ())
    _same_record(decision)


def test_a_repeated_name_keeps_the_last_value_at_the_first_place() -> None:
    step = TraceStep(StepSite("band", "r", None), True, (("a", 1), ("b", 2), ("a", 3)), "w")
    decision = Decision("p", "1", "d", dt.date(2026, 1, 1), CategoryRef("c", "t", "k", "x"),
                        LevelRef("l", "r", "t"), "handle", None, dt.date(2026, 1, 2), (), (),
                        (step,), ())
    _same_record(decision)
    assert b'"values":{"a":3,"b":2}' in decision.to_json()


def test_dates_of_other_types_are_written_by_their_own_isoformat() -> None:
    class Day(dt.date):
        def isoformat(self) -> str:
            return "day " + super().isoformat()

    when = dt.datetime(2026, 1, 1, 12, 30, tzinfo=dt.timezone.utc)
    for day in (Day(2026, 1, 1), when):
        decision = Decision("p", "1", "d", day, CategoryRef("c", "t", "k", "x"),
                            LevelRef("l", "r", "t"), "handle", day, day,
                            (RemedyOutcome("r", "a", 1, "x", day, day),), (), (), ())
        dt.date(2026, 1, 1).isoformat()  # a plain date of the same day, composed
        _same_record(decision)


def test_the_records_of_real_decisions_are_the_reference() -> None:
    for name in ("acme-channel-conflict.yaml",):
        policy = policyengine.load_policy(ROOT / "policies" / name)
        for path in sorted((ROOT / "examples").glob("acme*.json")):
            try:
                decision = policy.evaluate(json.loads(path.read_text()), as_of="2026-11-22")
            except policyengine.DisputeError:
                continue
            _same_record(decision)


@settings(max_examples=30, deadline=None)
@given(_decision)
def test_a_record_with_its_parts_made_pickles_and_copies(decision: Decision) -> None:
    import copy
    import pickle

    first = _outcome_of(decision.to_json)
    for again in (pickle.loads(pickle.dumps(decision)), copy.deepcopy(decision)):
        assert again == decision
        assert _outcome_of(again.to_json) == first
        assert _typed(again.to_dict()) == _typed(decision.to_dict())


def test_words_composed_once_at_two_sites_with_two_results() -> None:
    # a step that reads no fact is written whole and kept with its words: another site or
    # another result (even an equal text that is another object) is written anew
    words = rendered("authority", ("hold", None, "director", "regional"))
    one, two = StepSite("authority", "remedies.a", "p.yaml:1:1"), StepSite(
        "authority", "remedies.b", "p.yaml:2:1", "amount")
    role = "director"
    other = "".join(["dir", "ector"])
    steps = [TraceStep(one, role, (), words), TraceStep(two, role, (), words),
             TraceStep(one, other, (), words), TraceStep(one, None, (), words),
             TraceStep(one, True, (("amount", 1.5),), words), TraceStep(two, False, (), words)]
    for order in (steps, steps[::-1], steps + steps):
        decision = Decision("p", "1", "d", dt.date(2026, 1, 1), CategoryRef("c", "t", "k", "x"),
                            LevelRef("l", "r", "t"), "handle", None, dt.date(2026, 1, 2), (),
                            (), tuple(order), ())
        _same_record(decision)


def test_drawn_decisions_take_the_orjson_path_too() -> None:
    # the property above is not only about the fallbacks: a plain decision is orjson's
    from policyengine.core.decision import _orjson_record

    decision = Decision("p", "1", "d", dt.date(2026, 1, 1), CategoryRef("c", "t", "k", "x"),
                        LevelRef("l", "r", "t"), "handle", None, dt.date(2026, 1, 2),
                        (RemedyOutcome("r", "a", 12.5, "x", dt.date(2026, 2, 1), None),), (),
                        (TraceStep(StepSite("band", "r", None), True, (("a", 1.0),),
                                   rendered("band", (1, "l"))),), ())
    decision.to_json()
    assert _orjson_record(decision) == reference_json(decision)
