"""Pairing elements by id, and bands by position and content (diff/match.py)."""

from __future__ import annotations

from dataclasses import dataclass

from policyengine.diff.match import moved_ids, pair_bands, pair_by_id
from policyengine.model.nodes import Band, Expression


@dataclass(frozen=True)
class Item:
    id: str
    value: int = 0


def ids(pairs):
    return [(p.old.id if p.old else None, p.new.id if p.new else None) for p in pairs]


def test_pairs_by_id_never_by_position():
    old = [Item("a"), Item("b"), Item("c")]
    new = [Item("c"), Item("a"), Item("b", 1)]
    pairs = pair_by_id(old, new)
    assert ids(pairs) == [("a", "a"), ("b", "b"), ("c", "c")]
    assert pairs[1].new.value == 1


def test_added_elements_follow_their_predecessor_and_removed_stay_in_place():
    old = [Item("a"), Item("b"), Item("c")]
    new = [Item("x"), Item("a"), Item("c"), Item("y")]
    assert ids(pair_by_id(old, new)) == [(None, "x"), ("a", "a"),
                                         ("b", None), ("c", "c"), (None, "y")]


def test_moved_ids_are_the_fewest_moves():
    old = [Item(x) for x in "abcde"]
    new = [Item(x) for x in "abdce"]
    assert moved_ids(pair_by_id(old, new)) in ({"c"}, {"d"})
    assert moved_ids(pair_by_id(old, old)) == set()
    rotated = [Item(x) for x in "eabcd"]
    assert moved_ids(pair_by_id(old, rotated)) == {"e"}


def band(index: int, level: str, when: str | None) -> Band:
    expr = None if when is None else Expression(when, when, "when", f"b{index}")
    return Band(index, level, expr)


def summary(pairs):
    return [(p.old_index, p.new_index, p.moved) for p in pairs]


def test_identical_bands_pair_in_order():
    bands = [band(0, "l1", "a < 1"), band(1, "l2", "a < 2"), band(2, "l3", None)]
    assert summary(pair_bands(bands, bands)) == [(0, 0, False), (1, 1, False), (2, 2, False)]


def test_an_inserted_band_does_not_change_the_later_ones():
    old = [band(0, "l1", "a < 1"), band(1, "l3", None)]
    new = [band(0, "l1", "a < 1"), band(1, "l2", "a < 2"), band(2, "l3", None)]
    assert summary(pair_bands(old, new)) == [(0, 0, False), (None, 1, False), (1, 2, False)]


def test_a_moved_threshold_pairs_by_level():
    old = [band(0, "l1", "a < 1"), band(1, "l2", "a < 2"), band(2, "l3", None)]
    new = [band(0, "l1", "a < 5"), band(1, "l2", "a < 2"), band(2, "l3", None)]
    pairs = pair_bands(old, new)
    assert summary(pairs) == [(0, 0, False), (1, 1, False), (2, 2, False)]


def test_a_changed_level_pairs_by_condition():
    old = [band(0, "l1", "a < 1"), band(1, "l3", None)]
    new = [band(0, "l2", "a < 1"), band(1, "l3", None)]
    assert summary(pair_bands(old, new)) == [(0, 0, False), (1, 1, False)]


def test_swapped_bands_are_moved():
    old = [band(0, "l1", "a < 1"), band(1, "l2", "b"), band(2, "l3", None)]
    new = [band(0, "l2", "b"), band(1, "l1", "a < 1"), band(2, "l3", None)]
    pairs = pair_bands(old, new)
    assert sorted(summary(pairs)) == sorted([(1, 0, False), (0, 1, True), (2, 2, False)]) or \
        sorted(summary(pairs)) == sorted([(1, 0, True), (0, 1, False), (2, 2, False)])


def test_removed_band_is_placed_after_its_predecessor():
    old = [band(0, "l1", "a < 1"), band(1, "l2", "a < 2"), band(2, "l3", None)]
    new = [band(0, "l1", "a < 1"), band(1, "l3", None)]
    assert summary(pair_bands(old, new)) == [(0, 0, False), (1, None, False), (2, 1, False)]
