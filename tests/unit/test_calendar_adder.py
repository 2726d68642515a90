"""The precomputed business-day adder of the weekdays-only calendar (issue 14) agrees with
counting day by day."""

from __future__ import annotations

import datetime as _dt

from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.core.calendar import WEEKDAYS_ONLY, Duration, add_business_days


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 400), st.dates())
def test_adder_agrees_with_add_business_days(count: int, start: _dt.date) -> None:
    add = WEEKDAYS_ONLY.window(Duration.parse(f"{count}bd"))
    try:
        want: object = add_business_days(start, count)
    except OverflowError:
        want = OverflowError
    try:
        got: object = add(start)
    except OverflowError:
        got = OverflowError
    assert got == want
