"""source.py: SourceFile converts offsets to 1-based (line, column) and back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from policyengine.core.source import SourceFile


def test_positions_of_a_small_text():
    src = SourceFile("p.yaml", "ab\ncde\n\nf")
    assert src.line_count == 4
    assert [src.position(i) for i in range(len(src.text) + 1)] == [
        (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (2, 4), (3, 1), (4, 1), (4, 2)]


def test_offsets_out_of_range_are_clamped():
    src = SourceFile("p.yaml", "ab\ncd")
    assert src.position(-5) == (1, 1)
    assert src.position(999) == (2, 3)
    assert src.offset(0, 1) == 0
    assert src.offset(99, 1) == 3
    assert src.offset(2, 99) == len(src.text)


def test_line_text_strips_the_break_and_a_carriage_return():
    src = SourceFile("p.yaml", "one\r\ntwo\nthree")
    assert [src.line_text(n) for n in (1, 2, 3)] == ["one", "two", "three"]
    assert src.line_text(0) == "" and src.line_text(4) == ""


def test_empty_text_has_one_empty_line():
    src = SourceFile("p.yaml", "")
    assert src.line_count == 1
    assert src.position(0) == (1, 1)
    assert src.line_text(1) == ""


def test_trailing_newline_starts_a_last_empty_line():
    src = SourceFile("p.yaml", "a\n")
    assert src.line_count == 2
    assert src.position(2) == (2, 1)


def test_columns_count_characters_not_bytes():
    src = SourceFile("p.yaml", "title: Directeur régional")
    assert src.position(src.text.index("g")) == (1, 20)


def test_equality_ignores_the_index():
    assert SourceFile("a", "x\ny") == SourceFile("a", "x\ny")


@given(st.text(alphabet=st.sampled_from("ab\n\t é"), max_size=60), st.data())
def test_position_and_offset_round_trip(text, data):
    src = SourceFile("p.yaml", text)
    offset = data.draw(st.integers(0, len(text)))
    line, column = src.position(offset)
    assert 1 <= line <= src.line_count
    assert src.offset(line, column) == offset
    assert text[:offset].count("\n") == line - 1
    assert src.line_text(line) == text.split("\n")[line - 1]


@given(st.text(alphabet=st.sampled_from("ab\n\t é"), max_size=60), st.integers(-5, 70),
       st.integers(-5, 70))
def test_positions_is_the_two_ends_positions(text, start, end):
    """``positions`` (one search of the line index for both ends of a span) is what the two
    ``position`` calls give, for any offsets, out of range and reversed included."""
    src = SourceFile("p.yaml", text)
    assert src.positions(start, end) == src.position(start) + src.position(max(end, start + 1))
