"""The service's policy registry: load under lint, versions by term, refused reloads keep the
version in use, atomic snapshots."""

from __future__ import annotations

import datetime as dt

from policyengine.service.registry import PolicyRegistry

from .conftest import acme

D = dt.date


def test_the_version_in_force_is_active(tmp_path):
    (tmp_path / "a-2026.yaml").write_text(acme(version="1.0.0", effective="2026-01-01",
                                               expires="2026-12-31"))
    (tmp_path / "a-2027.yaml").write_text(acme(version="2.0.0", effective="2027-01-01",
                                               expires="2027-12-31"))
    reg = PolicyRegistry(tmp_path)
    outcomes = reg.scan()
    assert sorted(o.status for o in outcomes) == ["loaded", "loaded"]
    snap = reg.snapshot
    assert snap.active("acme-channel-conflict", D(2026, 6, 1)).policy.version == "1.0.0"
    assert snap.active("acme-channel-conflict", D(2027, 6, 1)).policy.version == "2.0.0"
    assert snap.active("acme-channel-conflict", D(2030, 1, 1)) is None
    # a decision as of a day takes the version in force that day
    assert snap.for_decision("acme-channel-conflict", D(2027, 2, 1)).policy.version == "2.0.0"
    listing = snap.listing(D(2026, 6, 1))
    assert [(p["version"], p["active"]) for p in listing] == [("1.0.0", True), ("2.0.0", False)]
    assert snap.for_decision("nope", None) is None


def test_a_later_effective_date_wins_when_both_are_in_force(tmp_path):
    (tmp_path / "a.yaml").write_text(acme(version="1.0.0", effective="2026-01-01"))
    (tmp_path / "b.yaml").write_text(acme(version="1.1.0", effective="2026-06-01"))
    reg = PolicyRegistry(tmp_path)
    reg.scan()
    assert reg.snapshot.active("acme-channel-conflict", D(2026, 7, 1)).policy.version == "1.1.0"
    assert reg.snapshot.active("acme-channel-conflict", D(2026, 3, 1)).policy.version == "1.0.0"


def test_refused_reload_keeps_the_version_in_use(tmp_path):
    f = tmp_path / "acme.yaml"
    f.write_text(acme())
    seen = []
    reg = PolicyRegistry(tmp_path, listener=seen.append)
    reg.scan()
    before = reg.snapshot
    old = before.active("acme-channel-conflict", D(2026, 11, 22))
    f.write_text(acme(version="3.2.0", no_sunset=True))  # loads, but lint finds an error
    (outcome,) = reg.scan()
    assert outcome.status == "refused" and outcome.reason == "lint found errors"
    assert outcome.diagnostics and all(d.is_error for d in outcome.diagnostics)
    after = reg.snapshot
    assert after.active("acme-channel-conflict", D(2026, 11, 22)) is old
    assert after.outcomes["acme-channel-conflict"] is outcome
    assert before.outcomes["acme-channel-conflict"].status == "loaded"  # snapshots are values
    f.write_text(acme(broken=True))  # does not load at all
    (outcome,) = reg.scan()
    assert outcome.status == "refused" and outcome.reason == "the rulebook does not load"
    assert reg.snapshot.active("acme-channel-conflict", D(2026, 11, 22)) is old
    f.write_text(acme(version="3.3.0"))
    (outcome,) = reg.scan()
    assert outcome.status == "loaded"
    assert reg.snapshot.active("acme-channel-conflict", D(2026, 11, 22)).policy.version == "3.3.0"
    assert [o.status for o in seen] == ["loaded", "refused", "refused", "loaded"]
    assert reg.scan() == []  # nothing changed: nothing reloaded


def test_removed_file_and_duplicate_version(tmp_path):
    (tmp_path / "a.yaml").write_text(acme())
    reg = PolicyRegistry(tmp_path)
    reg.scan()
    (tmp_path / "b.yaml").write_text(acme())  # the same id and version again
    (outcome,) = reg.scan()
    assert outcome.status == "refused" and "also in" in outcome.reason
    (tmp_path / "b.yaml").unlink()
    (tmp_path / "a.yaml").unlink()
    outcomes = reg.scan()
    assert {o.status for o in outcomes} == {"removed"}
    assert reg.snapshot.versions == {}
    assert reg.snapshot.outcomes["acme-channel-conflict"].status == "removed"
