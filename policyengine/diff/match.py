"""Pair the elements of two policy versions: by id, never by position.

``pair_by_id`` pairs categories, overrides, remedies, levels, actions and facts. Bands have no
id; ``pair_bands`` pairs the bands of one category (rule in ``docs/diff.md``):

1. bands equal in both condition and level are anchors, paired in order (a longest common
   subsequence, so an inserted band does not make every later band "changed");
2. a leftover band equal to a leftover band of the other version was *moved*;
3. between two anchors, the leftovers are paired by the same condition (its level changed), then
   by the same level (its condition changed: a threshold moved), then by position;
4. what is still left over was added or removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterable, Sequence, TypeVar

from ..model.nodes import Band

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pair(Generic[T]):
    """Two versions of one element; ``old`` is None when it was added, ``new`` when removed.
    ``old_index``/``new_index`` are the positions in each version's sequence."""

    old: T | None
    new: T | None
    old_index: int | None = None
    new_index: int | None = None
    moved: bool = False

    @property
    def key(self) -> Any:
        return getattr(self.new if self.new is not None else self.old, "id", None)


def pair_by_id(old: Iterable[T], new: Iterable[T],
               key: Callable[[T], Any] = lambda x: getattr(x, "id")) -> list[Pair[T]]:
    """Pairs in a stable order: the old sequence's order, each added element after the element
    that precedes it in the new sequence."""
    olds, news = list(old), list(new)
    new_at = {key(x): i for i, x in enumerate(news)}
    old_at = {key(x): i for i, x in enumerate(olds)}
    pairs: list[Pair[T]] = []
    for i, x in enumerate(olds):
        j = new_at.get(key(x))
        pairs.append(Pair(x, news[j] if j is not None else None, i, j))
    # insert added elements after their predecessor in the new order
    for j, y in enumerate(news):
        if key(y) in old_at:
            continue
        at = len(pairs)
        if j > 0:
            before = key(news[j - 1])
            for k, p in enumerate(pairs):
                if p.key == before:
                    at = k + 1
                    break
        else:
            at = 0
        pairs.insert(at, Pair(None, y, None, j))
    return pairs


def _index(i: int | None) -> int:
    """A position for sorting: every pair sorted here has one (-1 would come first)."""
    return -1 if i is None else i


def moved_ids(pairs: Sequence[Pair[T]]) -> set[Any]:
    """Ids of matched elements whose relative order changed: the fewest elements that explain
    every inversion (two elements in the other order), found greedily: the element in the most
    inversions is moved first, ties going to the greatest id. Inversions, counts and ids do not
    depend on which version is called old, so diff(a, b) and diff(b, a) name the same moves."""
    matched = [p for p in pairs if p.old is not None and p.new is not None]
    by_old = sorted(matched, key=lambda p: _index(p.old_index))
    n = len(by_old)
    partners: list[set[int]] = [set() for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if _index(by_old[i].new_index) > _index(by_old[j].new_index):
                partners[i].add(j)
                partners[j].add(i)
    moved: set[Any] = set()
    remaining = {i for i in range(n) if partners[i]}
    while remaining:
        worst = max(remaining, key=lambda i: (len(partners[i]), str(by_old[i].key)))
        moved.add(by_old[worst].key)
        for j in partners[worst]:
            partners[j].discard(worst)
            if not partners[j]:
                remaining.discard(j)
        partners[worst].clear()
        remaining.discard(worst)
    return moved


# -- bands -------------------------------------------------------------------------------------
def _cond(b: Band) -> str | None:
    return None if b.when is None else b.when.canonical


def _lcs(a: Sequence[Any], b: Sequence[Any]) -> list[tuple[int, int]]:
    """Index pairs of a longest common subsequence; among the longest, the one whose pairs are
    closest in position (a rule that does not depend on which sequence comes first, so that
    diff(a, b) and diff(b, a) pair the same bands). Bands per category are few."""
    n, m = len(a), len(b)
    # best[i][j]: (pairs, -displacement) of the best subsequence of a[i:], b[j:]
    best = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            if a[i] == b[j]:
                k, d = best[i + 1][j + 1]
                options.append((k + 1, d - abs(i - j)))
            best[i][j] = max(options)
    out = []
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            k, d = best[i + 1][j + 1]
            if (k + 1, d - abs(i - j)) == best[i][j]:
                out.append((i, j))
                i += 1
                j += 1
                continue
        if best[i + 1][j] == best[i][j]:
            i += 1
        else:
            j += 1
    return out


def _closest(candidates: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pairs chosen greedily, closest positions first (no index used twice)."""
    out, used_i, used_j = [], set(), set()
    for i, j in sorted(candidates, key=lambda p: (abs(p[0] - p[1]), p[0] + p[1])):
        if i not in used_i and j not in used_j:
            out.append((i, j))
            used_i.add(i)
            used_j.add(j)
    return out


def pair_bands(old: Sequence[Band], new: Sequence[Band]) -> list[Pair[Band]]:
    """Pair the bands of one category (see the module docstring); sorted by new position, each
    removed band right after the band that preceded it in the old version."""
    keys_old = [(_cond(b), b.level) for b in old]
    keys_new = [(_cond(b), b.level) for b in new]
    anchors = _lcs(keys_old, keys_new)
    matched: dict[int, tuple[int, bool]] = {i: (j, False) for i, j in anchors}
    used_new = {j for _, j in anchors}
    # 2. moved: an identical band elsewhere
    same = [(i, j) for i in range(len(old)) if i not in matched
            for j in range(len(new)) if j not in used_new and keys_old[i] == keys_new[j]]
    for i, j in _closest(same):
        matched[i] = (j, True)
        used_new.add(j)
    # 3. between anchors: same condition, then same level, then position
    bounds = [(-1, -1)] + sorted(anchors) + [(len(old), len(new))]
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:]):
        criteria: tuple[Callable[[int, int], bool], ...] = (
                lambda i, j: keys_old[i][0] == keys_new[j][0],
                lambda i, j: keys_old[i][1] == keys_new[j][1],
                lambda i, j: True)
        for criterion in criteria:
            rest = [(i, j) for i in range(i0 + 1, i1) if i not in matched
                    for j in range(j0 + 1, j1) if j not in used_new and criterion(i, j)]
            for i, j in _closest(rest):
                matched[i] = (j, False)
                used_new.add(j)
    pairs: list[Pair[Band]] = [Pair(old[i], new[j], i, j, mv) for i, (j, mv) in matched.items()]
    pairs.extend(Pair(None, new[j], None, j) for j in range(len(new)) if j not in used_new)
    pairs.sort(key=lambda p: _index(p.new_index))
    for i in range(len(old)):
        if i in matched:
            continue
        at = 0
        for k, p in enumerate(pairs):
            if p.old_index is not None and p.old_index < i:
                at = k + 1
        pairs.insert(at, Pair(old[i], None, i, None))
    return pairs
