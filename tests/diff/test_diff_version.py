"""Semantic-version comparison of policy versions (diff/version.py)."""

from __future__ import annotations

import pytest

from policyengine.diff.version import Version, bump_kind, version_problem


@pytest.mark.parametrize("low, high", [
    ("1.0.0", "1.0.1"), ("1.0.9", "1.0.10"), ("1.9", "1.10"), ("1", "1.0.1"),
    ("2.0.0-rc.1", "2.0.0"), ("2.0.0-alpha", "2.0.0-beta"), ("2.0.0-rc.2", "2.0.0-rc.10"),
    ("2.0.0-1", "2.0.0-alpha"), ("3.1.0", "10.0.0"),
])
def test_order(low, high):
    assert Version(low) < Version(high)
    assert version_problem(low, high) is None
    assert version_problem(high, low).startswith("the version must increase")


def test_missing_parts_are_zero_and_build_metadata_is_ignored():
    assert Version("1.4") == Version("1.4.0")
    assert Version("1.0.0+build.1") == Version("1.0.0+build.2")
    assert "same version" in version_problem("1.4", "1.4.0")


@pytest.mark.parametrize("old, new, kind", [
    ("1.0.0", "2.0.0", "major"), ("1.0.0", "1.1.0", "minor"), ("1.0.0", "1.0.1", "patch"),
    ("1.0.0-rc.1", "1.0.0", "pre-release"), ("1.1.0", "1.0.0", None), ("x", "1.0.0", None),
])
def test_bump_kind(old, new, kind):
    assert bump_kind(old, new) == kind


def test_not_a_version():
    with pytest.raises(ValueError, match="is not a version"):
        Version("v1")
    assert "is not a version" in version_problem("1.0.0", "one")
