"""Did-you-mean: the nearest valid name, id or enum value for a misspelt one."""

from __future__ import annotations

from typing import Iterable


def nearest(word: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The candidate closest to ``word`` (case-insensitively), or None when none is close."""
    pool = sorted({c for c in candidates if isinstance(c, str)})
    if not pool or not isinstance(word, str):
        return None
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return lowered[word.lower()]
    import difflib  # only when a name is misspelt: a valid rulebook's load does not need it

    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[match[0]] if match else None


def did_you_mean(word: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """A hint ``did you mean `x`?``, or None."""
    best = nearest(word, candidates, cutoff=cutoff)
    return f"did you mean `{best}`?" if best is not None else None


def one_of(candidates: Iterable[str], *, limit: int = 8) -> str:
    """```a`, `b` or `c``` for a hint listing the valid choices."""
    items = sorted(set(candidates))
    shown = [f"`{c}`" for c in items[:limit]]
    if len(items) > limit:
        shown.append(f"{len(items) - limit} more")
    if not shown:
        return "none"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " or " + shown[-1]
