"""The fuzz targets (fuzz/targets.py) with few examples, so the normal suite keeps them
working; CI runs them for longer (`python fuzz/run.py --seconds 60`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fuzz"))

from targets import TARGETS  # noqa: E402


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_target(name):
    check, strategy = TARGETS[name]
    settings(max_examples=40, deadline=None,
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])(
        given(strategy)(check))()
