"""`open` with a loaded Policy records the source it was loaded from, whatever its file holds
since (a service keeps a version active after refusing an edit of its file)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from policyengine import load_policy, loads_policy
from policyengine.ledger import Ledger, LedgerError
from policyengine.ledger import store as _store

from .conftest import V1, V2

P = {"kind": "pricing", "amount": 7000.0, "partner": {"id": "P-1"}}


def recorded_versions(url: str) -> dict[str, dict[str, Any]]:
    """The rows of policy_versions by digest."""
    from sqlalchemy import select

    from policyengine.ledger import engine as eng
    from policyengine.ledger.tables import policy_versions

    engine = eng.create(eng.resolve_url(url))
    try:
        with engine.begin() as conn:
            return {r.digest: dict(r._mapping) for r in conn.execute(select(policy_versions))}
    finally:
        engine.dispose()


def test_open_with_a_policy_whose_file_changed_after_loading(
        ledger: Ledger, ledger_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rulebook = tmp_path / "partner-conflict.yaml"
    shutil.copy(V1, rulebook)
    loaded = load_policy(rulebook)
    original = V1.read_text(encoding="utf-8")
    rulebook.write_text(V2.read_text(encoding="utf-8"), encoding="utf-8")  # another version now
    assert load_policy(rulebook).digest != loaded.digest

    # 7000 is frontline under 1.0.0 and regional under 1.1.0 (its band ends at 5000)
    opened = ledger.open("D-1", loaded, P, on="2026-12-01")
    assert opened.decision["policy"] == {**opened.decision["policy"], "version": "1.0.0",
                                         "digest": loaded.digest}
    assert opened.level == "frontline"
    assert ledger.show("D-1").events[0].payload["policy"]["digest"] == loaded.digest
    rows = recorded_versions(ledger_url)
    assert list(rows) == [loaded.digest]
    assert rows[loaded.digest]["source_text"] == original
    assert rows[loaded.digest]["source_name"] == str(rulebook)

    rulebook.unlink()  # gone altogether: the ledger needs only what it recorded
    monkeypatch.setattr(_store, "_BY_DIGEST", {})
    with Ledger(ledger_url) as fresh:  # decides from the stored source, not a cached Policy
        later = fresh.decide("D-1", on="2026-12-02")
        assert later.decision["policy"]["digest"] == loaded.digest
        assert later.level == "frontline"
        assert fresh.verify().ok
    assert _store._BY_DIGEST[loaded.digest].digest == loaded.digest  # it was loaded back


def test_open_with_policies_loaded_from_text(ledger: Ledger, ledger_url: str) -> None:
    """Several loaded versions, one without a file: the one in force is chosen, every one is
    recorded with its text."""
    v1 = loads_policy(V1.read_text(encoding="utf-8"))
    v2 = load_policy(V2)
    assert v1.path is None
    first = ledger.open("D-1", [v1, v2], P, on="2026-12-01")
    assert first.decision["policy"]["version"] == "1.0.0"
    second = ledger.open("D-2", [v1, v2], dict(P, partner={"id": "P-2"}), on="2027-01-04")
    assert second.decision["policy"]["version"] == "1.1.0" and second.level == "regional"
    rows = recorded_versions(ledger_url)
    assert rows[v1.digest]["source_text"] == V1.read_text(encoding="utf-8")
    assert rows[v2.digest]["source_text"] == V2.read_text(encoding="utf-8")


def test_a_policy_changed_after_loading_is_refused(ledger: Ledger, ledger_url: str) -> None:
    loaded = load_policy(V1)
    meta = dataclasses.replace(loaded.meta, version="9.9.9")
    changed = dataclasses.replace(loaded, meta=meta)
    if changed.digest == loaded.digest:  # pragma: no cover - the digest follows the meaning
        pytest.skip("the digest did not follow the change")
    with pytest.raises(LedgerError) as info:
        ledger.open("D-1", changed, P, on="2026-12-01")
    assert info.value.code == "policy_unreadable" and "changed after loading" in str(info.value)
    assert recorded_versions(ledger_url) == {}


def test_a_policy_without_its_source_falls_back_to_its_file(
        ledger: Ledger, tmp_path: Path) -> None:
    rulebook = tmp_path / "p.yaml"
    shutil.copy(V1, rulebook)
    bare = dataclasses.replace(load_policy(rulebook), sourcemap=None)
    assert ledger.open("D-1", bare, P, on="2026-12-01").level == "frontline"
    rulebook.write_text(V2.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(LedgerError) as info:
        ledger.open("D-2", bare, P, on="2026-12-01")
    assert info.value.code == "policy_unreadable" and "changed since" in str(info.value)
    nowhere = dataclasses.replace(bare, path=None)
    with pytest.raises(LedgerError) as info:
        ledger.open("D-3", nowhere, P, on="2026-12-01")
    assert info.value.code == "policy_unreadable" and "not loaded from" in str(info.value)
