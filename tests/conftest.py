"""Shared test fixtures: the repository paths, the shared data folder, golden files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
POLICIES = ROOT / "policies"
EXAMPLES = ROOT / "examples"
GOLDEN = ROOT / "tests" / "golden"

settings.register_profile("default", deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", deadline=None, max_examples=1000,
                          suppress_health_check=[HealthCheck.too_slow])
# .ci/run's second and third passes of the suite (lowest and newest releases, the unpacked sdist)
# check the dependencies and the package's contents; they run each property a few times only
settings.register_profile("quick", deadline=None, max_examples=8,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
settings.load_profile(PROFILE)


def pytest_collection_modifyitems(config, items):
    """Under the quick profile, a test's own ``@settings(max_examples=N)`` is capped at the
    profile's count too (an explicit setting outranks any profile, so without this the quick
    passes ran those properties with their full count); a lower own count is kept. The
    default profile (the readme section, a developer's run) is untouched."""
    if PROFILE != "quick":
        return
    cap = settings.get_profile("quick").max_examples
    for item in items:
        test = getattr(item, "obj", None)
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if isinstance(own, settings) and own.max_examples > cap:
            test._hypothesis_internal_use_settings = settings(own, max_examples=cap)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden files from the current output instead of comparing")


@pytest.fixture
def golden(request):
    """``golden(path, actual)``: compare ``actual`` with the golden file, or rewrite it with
    ``--update-golden``. Paths are relative to tests/golden/."""
    update = request.config.getoption("--update-golden")

    def check(relative: str, actual: str) -> None:
        path = GOLDEN / relative
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"golden file {relative} is missing: run pytest --update-golden and "
                        "review the new file")
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"output differs from golden file {relative}"

    return check


def shared_folder(name: str) -> Path:
    """A folder of ../shared, or skip the test cleanly when it is absent."""
    folder = SHARED / name
    if not folder.is_dir():
        pytest.skip(f"../shared/{name} is not available")
    return folder
