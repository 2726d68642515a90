"""compile/pipeline.py's garbage-collector handling around a load: the collector is paused
while a rulebook loads and restored as it was afterwards (after a failed load too); what the
load allocated is handed to the oldest generation, and what the program froze on purpose stays
frozen."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Iterator

import pytest

from policyengine import PolicyError, loads_policy
from policyengine.compile.pipeline import inspect_text

ROOT = Path(__file__).resolve().parents[2]
CLEAN = (ROOT / "tests" / "golden" / "clean.yaml").read_text("utf-8")


@pytest.fixture
def collector() -> Iterator[None]:
    was = gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        yield
    finally:
        if gc.get_freeze_count() > frozen:
            gc.unfreeze()
        gc.enable() if was else gc.disable()


def test_enabled_before_is_enabled_after_and_nothing_stays_frozen(collector: None) -> None:
    gc.enable()
    assert gc.get_freeze_count() == 0
    loads_policy(CLEAN)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    inspect_text("not: [a rulebook", "bad.yaml")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_enabled_after_a_load_that_fails(collector: None) -> None:
    gc.enable()
    with pytest.raises(PolicyError):
        loads_policy(CLEAN.replace("policy:", "policy_:", 1))
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_disabled_before_stays_disabled(collector: None) -> None:
    gc.disable()
    loads_policy(CLEAN)
    assert not gc.isenabled()


def test_what_the_program_froze_stays_frozen(collector: None) -> None:
    gc.enable()
    gc.freeze()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    loads_policy(CLEAN)
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_garbage_handed_over_by_a_load_is_still_collected(collector: None) -> None:
    """A cycle alive during a load (moved to the oldest generation by it) is collected once it
    becomes garbage: nothing is left in the permanent generation."""
    gc.enable()

    class Holder:
        pass

    holder = Holder()
    holder.self = holder  # type: ignore[attr-defined]
    ref = weakref.ref(holder)
    holder.policy = loads_policy(CLEAN)  # type: ignore[attr-defined]
    del holder
    gc.collect()
    assert ref() is None
