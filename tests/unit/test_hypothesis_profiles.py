"""The hypothesis profiles of tests/conftest.py: under ``quick`` (the second and third passes of
.ci/run) no property runs more than the profile's examples, even one that sets its own count;
under the default profile a test's own count is kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PROFILE


@settings(max_examples=25, deadline=None)
@given(st.integers())
def test_a_property_with_its_own_count(n: int) -> None:
    assert isinstance(n, int)


def _own_settings(request: pytest.FixtureRequest) -> dict[str, settings]:
    out = {}
    for item in request.session.items:
        own = getattr(getattr(item, "obj", None), "_hypothesis_internal_use_settings", None)
        if isinstance(own, settings):
            out[item.nodeid] = own
    return out


def test_the_profile_decides_the_counts(request: pytest.FixtureRequest) -> None:
    own = _own_settings(request)
    mine = [s.max_examples for nodeid, s in own.items()
            if nodeid.endswith("::test_a_property_with_its_own_count")]
    if PROFILE == "quick":
        cap = settings.get_profile("quick").max_examples
        assert mine == [cap]
        assert [nodeid for nodeid, s in own.items() if s.max_examples > cap] == []
    else:
        assert mine == [25]
