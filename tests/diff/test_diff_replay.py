"""Replay of past disputes under both versions (diff/replay.py)."""

from __future__ import annotations

import io
import json
import tracemalloc

from diff_rulebooks import DAY, bump, policy

from policyengine.diff.replay import replay

OLD = policy()
NEW = policy(bump(), ("amount < 10000.0, level: l1", "amount < 25000.0, level: l1"),
             ("am:       {adjust: 1000, hold: true}", "am:       {adjust: 2500, hold: true}"),
             ("    sunset: 90d", "    sunset: 120d"))


def lines(*disputes) -> io.BytesIO:
    return io.BytesIO("".join((d if isinstance(d, str) else json.dumps(d)) + "\n"
                              for d in disputes).encode())


def test_counts_by_change_and_category():
    r = replay(OLD, NEW, lines(
        {"kind": "pricing", "amount": 15000.0},          # l2 -> l1
        {"kind": "pricing", "amount": 20000.0},          # l2 -> l1
        {"kind": "pricing", "amount": 7000.0},           # same outcome, later expiry
        {"kind": "other", "amount": 1.0},                # same
        {"kind": "pricing"},                             # refused by both
        "not json", "[1, 2]", ""), source="past.jsonl", as_of=DAY)
    assert (r.total, r.changed, r.unchanged, r.dates_changed, r.refused_both, r.unreadable) == (
        7, 2, 3, 1, 1, 2)
    [(change, n)] = r.by_change.items()
    assert n == 2 and change.startswith("level l2 -> l1")
    assert dict(r.by_category) == {"pricing": 2}
    assert [e.line for e in r.examples] == [1, 2]
    data = r.to_dict()
    assert data["by_change"][0]["count"] == 2 and data["source"] == "past.jsonl"


def test_a_line_may_carry_its_own_date():
    r = replay(OLD, NEW, lines({"kind": "pricing", "amount": 15000.0, "as_of": "2025-06-01"},
                               {"kind": "pricing", "amount": 15000.0, "as_of": "2026-06-01"}),
               as_of=DAY)
    # 2025-06-01 is before both versions took effect: refused alike, not a change
    assert (r.changed, r.refused_both) == (1, 1)
    assert r.examples[0].as_of == "2026-06-01"


def test_examples_are_capped_and_progress_is_reported():
    seen = []
    disputes = [{"kind": "pricing", "amount": 15000.0 + i} for i in range(20)]
    r = replay(OLD, NEW, lines(*disputes), as_of=DAY, examples=3, progress=seen.append)
    assert r.changed == 20 and len(r.examples) == 3
    assert len(seen) == 20 and sum(seen) == len(lines(*disputes).getvalue())


def test_memory_does_not_grow_with_the_input():
    """Streaming: decisions are counted, not kept (memory is measured, not time)."""
    def peak(n: int) -> int:
        data = lines(*({"kind": "pricing", "amount": 15000.0 + i % 7} for i in range(n)))
        tracemalloc.start()
        replay(OLD, NEW, data, as_of=DAY, examples=2)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    # one run first, its figure discarded, so that what any run fills once (the bounded caches of
    # loaded rulebooks and of trace words, which earlier tests may have left in any state) is
    # not counted as growth; garbage waits for the collector: compare big runs
    peak(2000)
    small, large = peak(500), peak(2000)
    assert large < small * 1.5
