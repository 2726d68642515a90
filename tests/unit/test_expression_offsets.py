"""``expression_offsets`` (issue 14: load speed) takes a shortcut when the scalar reads as it is
written; its answer must be the character-by-character alignment's, whatever the text."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.core.source import SourceFile
from policyengine.load.sourcemap import Entry, SourceMap
from policyengine.model.build import expression_offsets, offsets_of


def _aligned(raw: str, start: int, end: int, text: str) -> tuple[int, ...]:
    """The alignment, one character at a time (the definition)."""
    pos, end = start, max(end, start)
    out = []
    for ch in text:
        while pos < end and raw[pos] != ch:
            pos += 1
        if pos >= end:
            out.append(min(pos, len(raw)))
            continue
        out.append(pos)
        pos += 1
    out.append(min(pos, len(raw)))
    return tuple(out)


_CHARS = st.text(alphabet="ab '\"\\\n", max_size=12)


@settings(max_examples=400)
@given(_CHARS, _CHARS, st.integers(0, 14), st.integers(0, 14))
def test_the_shortcut_is_the_alignment(raw: str, text: str, start: int, length: int) -> None:
    start = min(start, len(raw))
    end = min(start + length, len(raw))
    source = SourceFile("r.yaml", raw)
    entry = Entry(source, (start, end), None, start, end, text, "plain")
    smap: Any = SourceMap(source)
    assert expression_offsets(smap, entry, text) == _aligned(raw, start, end, text)
    found = offsets_of(smap, entry, text)  # a range in the usual case: the same offsets
    assert found is not None and tuple(found) == _aligned(raw, start, end, text)


def test_a_quoted_scalar() -> None:
    raw = "when: 'amount > 1.0'\n"
    source = SourceFile("r.yaml", raw)
    entry = Entry(source, (6, 20), None, 6, 20, "amount > 1.0", "'")
    assert expression_offsets(SourceMap(source), entry, "amount > 1.0") == tuple(range(7, 20))
