"""Analysis tests run with strict witnesses: a witness from an exact encoding that does not
reproduce its finding raises WitnessError instead of being dropped."""

import pytest


@pytest.fixture(autouse=True)
def _strict_witnesses(monkeypatch):
    monkeypatch.setenv("POLICYENGINE_STRICT_WITNESS", "1")
