"""The plain-case checks of the reserved keys (``escalation``, ``remedies_in_force``) decide
exactly as the full checks that report every problem (issue 14): for values drawn by
hypothesis (valid ones, wrong types, unknown levels and remedies, dates out of order or not
ISO, extra and missing keys), the same result and the same problems, in the same order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.decide import evaluate as ev

ROOT = Path(__file__).resolve().parents[2]
CP = policyengine.load_policy(ROOT / "policies" / "acme-channel-conflict.yaml").compiled
AS_OF = dt.date(2026, 11, 22)

_DATES = st.one_of(st.dates(dt.date(2026, 1, 1), dt.date(2027, 1, 31)).map(dt.date.isoformat),
                   st.sampled_from(["2026-02-30", "20261102", "2026-11-2", "", "2026-W44-1"]),
                   st.dates(dt.date(2026, 1, 1), dt.date(2027, 1, 31)), st.none(),
                   st.integers(0, 3))
_IDS = st.one_of(st.sampled_from(sorted(CP.remedies)), st.sampled_from(["nope", ""]),
                 st.none(), st.integers(0, 2))
_LEVELS = st.one_of(st.sampled_from([lv.id for lv in CP.levels]), st.just("ceo"), st.none(),
                    st.integers(0, 2))


def _mapping(fields: dict[str, Any]) -> Any:
    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        out = {}
        for key, strategy in fields.items():
            if draw(st.integers(0, 5)) > 0:  # now and then the key is missing
                out[key] = draw(strategy)
        if draw(st.integers(0, 8)) == 0:
            out[draw(st.sampled_from(["extra", "granted", "levels"]))] = 1
        return out
    return build()


_ISO = st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)).map(dt.date.isoformat)
_ESCALATION = st.one_of(
    st.fixed_dictionaries({"level": st.sampled_from([lv.id for lv in CP.levels]),
                           "since": _ISO}),  # mostly plain, some after as_of
    _mapping({"level": _LEVELS, "since": _DATES}), st.integers(),
    st.lists(st.integers(), max_size=2))
_ITEM = st.one_of(
    st.fixed_dictionaries({"id": st.sampled_from(sorted(CP.remedies)), "granted_on": _ISO},
                          optional={"last_reviewed": st.none() | _ISO}),
    _mapping({"id": _IDS, "granted_on": _DATES, "last_reviewed": _DATES}))
_IN_FORCE = st.one_of(st.lists(_ITEM, max_size=3), st.lists(_ITEM, max_size=2).map(tuple),
                      st.integers(), st.just({"id": "hold"}))


def _same(fast: Any, full: Any) -> None:
    got: list[Any] = []
    want: list[Any] = []
    assert fast(got) == full(want)
    assert [p.to_dict() for p in got] == [p.to_dict() for p in want]


@settings(max_examples=300, deadline=None)
@given(_ESCALATION)
def test_escalation_plain_case_is_the_full_check(raw: Any) -> None:
    _same(lambda p: ev._escalation(CP, raw, AS_OF, p),
          lambda p: ev._escalation_checked(CP, raw, AS_OF, p))


@settings(max_examples=300, deadline=None)
@given(_IN_FORCE)
def test_remedies_in_force_plain_case_is_the_full_check(raw: Any) -> None:
    _same(lambda p: ev._in_force(CP, raw, AS_OF, p),
          lambda p: ev._in_force_checked(CP, raw, AS_OF, p))
