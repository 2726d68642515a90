"""load/ (reader.py, yaml_safe.py): hostile and careless YAML becomes diagnostics, never an
exception, a hang or a silently different document."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyengine.core.diagnostics import Severity
from policyengine.load import parse_document, read_document
from policyengine.load.yaml_safe import DEFAULT_MAX_DEPTH, quote_hint
from policyengine.compile.pipeline import inspect_text

CLEAN = (Path(__file__).resolve().parents[1] / "golden" / "clean.yaml").read_text("utf-8")
WHEN = '    when: kind == "pricing"\n'


def codes(diagnostics) -> list[str]:
    return [d.code for d in diagnostics]


def compose(text: str | bytes, **options):
    return parse_document(text, "t.yaml", **options)


def only(diagnostics, code: str):
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, [d.format_line() for d in diagnostics]
    return found[0]


def test_clean_rulebook_composes_with_a_sourcemap():
    doc = compose(CLEAN)
    assert doc.diagnostics == []
    assert doc.data["policy"]["id"] == "fixture-channel-conflict"
    span = doc.sourcemap.value_span(("policy", "id"))
    assert (span.line, span.column) == (5, 7)
    key = doc.sourcemap.key_span(("policy", "id"))
    assert (key.line, key.column, key.end_column) == (5, 3, 5)


# -- duplicate keys ---------------------------------------------------------------------------


def test_duplicate_key_reports_both_places():
    text = "policy:\n  id: a\n  title: t\n  id: b\n"
    d = only(compose(text).diagnostics, "PE006")
    assert d.message == "duplicate key `id`"
    assert (d.line, d.column, d.end_line, d.end_column) == (4, 3, 4, 5)
    [(note, first)] = d.related
    assert note == "first defined here"
    assert (first.line, first.column, first.end_column) == (2, 3, 5)
    assert d.hint and "last" in d.hint


def test_duplicate_keys_in_a_flow_mapping_and_nested():
    text = "authority:\n  r: {a: true, a: false}\n  s:\n    x: 1\n    x: 2\n"
    found = [d for d in compose(text).diagnostics if d.code == "PE006"]
    assert [(d.line, d.column) for d in found] == [(2, 16), (5, 5)]


def test_same_key_in_different_mappings_is_fine():
    assert compose("a: {x: 1}\nb: {x: 1}\n").diagnostics == []


# -- anchors and aliases ------------------------------------------------------------------------


def test_anchor_and_alias_are_refused_at_their_places():
    text = "authority:\n  a: &row {hold: true}\n  b: *row\n"
    diags = compose(text).diagnostics
    assert codes(diags) == ["PE007", "PE007"]
    anchor, alias = diags
    assert "`&row`" in anchor.message and (anchor.line, anchor.column, anchor.end_column) == (2, 6, 10)
    assert "`*row`" in alias.message and (alias.line, alias.column, alias.end_column) == (3, 6, 10)


def test_billion_laughs_is_refused_without_expansion():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    doc = compose("\n".join(lines) + "\n")
    assert set(codes(doc.diagnostics)) == {"PE007"}
    # 10 anchors and 81 aliases, each reported where it is; nothing was expanded
    assert len(doc.diagnostics) == 10 + 81
    assert all(len(v) <= 9 for v in doc.data.values())


def test_alias_as_a_key_is_refused():
    doc = compose("a: &k x\n*k : 1\n")
    assert set(codes(doc.diagnostics)) == {"PE007"}


# -- documents, tabs, encodings, size -----------------------------------------------------------


def test_several_documents_are_refused_at_the_separator():
    doc = compose("policy: {id: a}\n---\npolicy: {id: b}\n")
    d = only(doc.diagnostics, "PE005")
    assert (d.line, d.column) == (2, 1)
    assert doc.data is None


def test_a_leading_document_marker_alone_is_fine():
    doc = compose("---\npolicy: {id: a}\n...\n")
    assert doc.diagnostics == [] and doc.data == {"policy": {"id": "a"}}


def test_tab_in_indentation_is_reported_once_per_line():
    text = "policy:\n\tid: a\n  title: t\n"
    diags = compose(text).diagnostics
    d = only(diags, "PE004")
    assert (d.line, d.column) == (2, 1)
    assert "PE003" not in codes(diags)  # PyYAML's cryptic message on the same line is dropped


def test_tab_after_spaces_and_tab_inside_a_value():
    assert [(d.line, d.column) for d in compose("a:\n  \tb: 1\n").diagnostics
            if d.code == "PE004"] == [(2, 3)]
    doc = compose("title: 'a\tb'\n")
    assert doc.diagnostics == [] and doc.data == {"title": "a\tb"}


def test_non_utf8_reports_the_position_of_the_bad_byte():
    raw = "policy:\n  title: Directeur régional\n".encode("latin-1")
    doc = compose(raw)
    d = only(doc.diagnostics, "PE002")
    assert (d.line, d.column) == (2, 21)
    assert "0xe9" in d.message and f"offset {raw.index(0xe9)}" in d.message
    assert doc.data is None


def test_non_utf8_column_counts_characters_not_bytes():
    raw = "title: ÄÖÜ ".encode("utf-8") + b"\xff\n"
    d = only(compose(raw).diagnostics, "PE002")
    assert (d.line, d.column) == (1, 12)


def test_nul_character_is_binary():
    d = only(compose(b"policy:\n  id: a\x00b\n").diagnostics, "PE002")
    assert (d.line, d.column) == (2, 8) and "binary" in d.message


def test_utf8_bom_is_accepted():
    doc = compose(b"\xef\xbb\xbfpolicy: {id: a}\n")
    assert doc.diagnostics == [] and doc.data == {"policy": {"id": "a"}}


def test_bom_counts_in_the_offset_of_a_bad_byte():
    d = only(compose(b"\xef\xbb\xbfa: \xff\n").diagnostics, "PE002")
    assert "offset 6" in d.message and (d.line, d.column) == (1, 4)


def test_crlf_line_endings_keep_lines_and_columns():
    doc = compose("policy:\r\n  id: a\r\n  dup: 1\r\n  dup: 2\r\n")
    d = only(doc.diagnostics, "PE006")
    assert (d.line, d.column, d.end_column) == (4, 3, 6)
    assert doc.source.line_text(2) == "  id: a"


def test_size_bound_default_and_configurable():
    big = "a: 1\n" + "#" * (1024 * 1024) + "\n"
    d = only(compose(big).diagnostics, "PE001")
    assert "1048576 bytes (1 MiB)" in d.message and d.line is None
    assert compose("a: 1\n" + "#" * 100 + "\n", max_bytes=50).diagnostics[0].code == "PE001"
    assert compose("a: 1\n", max_bytes=5).diagnostics == []


def test_size_bound_reads_no_more_than_the_bound(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" * 1000)
    doc = read_document(path, max_bytes=100)
    assert codes(doc.diagnostics) == ["PE001"] and doc.diagnostics[0].file == str(path)


def test_unreadable_and_missing_files(tmp_path):
    assert codes(read_document(tmp_path / "nope.yaml").diagnostics) == ["PE011"]
    folder = tmp_path / "x.yaml"
    folder.mkdir()
    d = read_document(folder).diagnostics[0]
    assert d.code == "PE011" and "directory" in d.message


def test_empty_and_comment_only_files():
    for text in ("", "# nothing yet\n", "---\n", "~\n", "\n\n"):
        doc = compose(text)
        assert codes(doc.diagnostics) == ["PE010"], text
        assert doc.data is None


# -- depth ------------------------------------------------------------------------------------


@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_deep_nesting_is_pe008_not_recursion_error(opening):
    text = opening * 100_000 if opening != "- " else "".join(
        "  " * i + "-\n" for i in range(200))
    doc = compose(text)
    assert "PE008" in codes(doc.diagnostics)
    assert doc.data is None
    d = only(doc.diagnostics, "PE008")
    assert str(DEFAULT_MAX_DEPTH) in d.message


def test_nesting_up_to_the_bound_is_accepted():
    depth = DEFAULT_MAX_DEPTH
    doc = compose("a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n")
    assert doc.diagnostics == []
    assert compose("a: " + "[" * depth + "]" * depth + "\n").diagnostics[0].code == "PE008"
    assert compose("a: [[[1]]]\n", max_depth=3).diagnostics[0].code == "PE008"


# -- YAML 1.1 implicit values -----------------------------------------------------------------


@pytest.mark.parametrize("raw,read_as", [("NO", "false"), ("yes", "true"), ("on", "true"),
                                         ("off", "false"), ("~", "null"), ("Off", "false")])
def test_norway_values_where_text_is_meant_warn_and_stay_text(raw, read_as):
    text = CLEAN.replace("enum: [pricing, lead_routing, mdf]",
                         f"enum: [pricing, lead_routing, mdf, {raw}]")
    result = inspect_text(text, "t.yaml")
    d = only(result.diagnostics, "PE009")
    assert d.severity is Severity.WARNING
    assert d.message == f"`{raw}` is read by YAML 1.1 as `{read_as}`; it is taken as the text `{raw}`"
    assert d.hint == f"quote it: '{raw}'"
    line = text.splitlines()[d.line - 1]
    assert line[d.column - 1:d.end_column - 1] == raw
    assert result.policy is not None
    assert result.policy.fact("kind").enum[-1] == raw


def test_norway_value_as_a_title_and_as_a_default():
    text = CLEAN.replace("title: Fixture channel conflict policy", "title: yes").replace(
        "  kind:   {type: string, enum: [pricing, lead_routing, mdf]}",
        "  kind:   {type: string, enum: [pricing, lead_routing, mdf, 'off'], default: off}")
    result = inspect_text(text, "t.yaml")
    assert codes(result.diagnostics) == ["PE009", "PE009"]
    assert result.policy.meta.title == "yes"
    assert result.policy.fact("kind").default == "off"


def test_quoted_values_and_real_booleans_do_not_warn():
    text = CLEAN.replace("enum: [pricing, lead_routing, mdf]",
                         "enum: [pricing, lead_routing, mdf, 'NO', \"yes\"]")
    text = text.replace("      decide_within: 10bd\n", "      decide_within: 10bd\n      advisory: false\n")
    assert inspect_text(text, "t.yaml").diagnostics == []


def test_iso_date_is_accepted_where_a_date_is_meant():
    result = inspect_text(CLEAN, "t.yaml")
    assert result.diagnostics == []
    assert str(result.policy.meta.effective) == "2026-01-01"
    assert str(result.policy.meta.expires) == "2028-12-31"
    # and a date is still text where text is meant (not a YAML 1.1 timestamp)
    assert compose("title: 2026-01-01\n").data == {"title": "2026-01-01"}


def test_non_finite_numbers_are_refused():
    text = CLEAN.replace("price_adjustment: 50000}", "price_adjustment: .inf}")
    assert "PE104" in codes(inspect_text(text, "t.yaml").diagnostics)


# -- tags and complex keys ------------------------------------------------------------------------


def test_unknown_tags_are_refused_as_written():
    d = only(compose("title: !!python/object:os.system x\n").diagnostics, "PE003")
    assert d.message == "the YAML tag `!!python/object:os.system` is not supported"
    d = only(compose("title: !custom x\n").diagnostics, "PE003")
    assert "`!custom`" in d.message


def test_standard_tags_are_honoured_or_refused_with_reason():
    assert compose("a: !!str 10\nb: !!int '7'\nc: !!float 1\n").data == \
        {"a": "10", "b": 7, "c": 1.0}
    d = only(compose("a: !!int ten\n").diagnostics, "PE003")
    assert "`ten`" in d.message


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "? {a: 1}\n: 1\n", "{[a]: 1}\n"])
def test_complex_keys_are_refused(text):
    d = only(compose(text).diagnostics, "PE003")
    assert d.message.startswith("a mapping key must be a plain name")
    assert d.hint


# -- unquoted expressions -----------------------------------------------------------------------


@pytest.mark.parametrize("when,quoted", [
    ('kind == "pricing" ? amount > 1.0 : false', '\'kind == "pricing" ? amount > 1.0 : false\''),
    ("!flag", "'!flag'"),
    ('"pricing" == kind', '\'"pricing" == kind\''),
])
def test_unquoted_expressions_are_pe003_with_the_quoted_form(when, quoted):
    text = CLEAN.replace(WHEN, f"    when: {when}\n")
    result = inspect_text(text, "t.yaml")
    d = only(result.diagnostics, "PE003")
    assert d.line == text.splitlines().index(f"    when: {when}") + 1
    assert d.hint == f"quote the expression: when: {quoted}"
    assert result.policy is None


def test_unquoted_ternary_in_a_flow_band():
    band = "      - {when: amount < 10000.0, level: frontline}\n"
    text = CLEAN.replace(band, "      - {when: kind == \"mdf\" ? amount < 1.0 : true, level: frontline}\n")
    d = only(inspect_text(text, "t.yaml").diagnostics, "PE003")
    assert d.hint == ("quote the expression: {when: 'kind == \"mdf\" ? amount < 1.0 : true', "
                      "level: frontline}")


def test_quote_hint_doubles_single_quotes_and_ignores_other_lines():
    assert quote_hint("    when: note == 'x' ? a : b") == \
        "quote the expression: when: 'note == ''x'' ? a : b'"
    assert quote_hint("    title: a: b") is None
    assert quote_hint("    when: 'already quoted'") is None


def test_compose_never_raises_on_garbage():
    for text in ("{", "]", "a: b: c", "- a\nb: c", "'unterminated", "a:\n  - b\n c: d",
                 "\x85\x2028", "%YAML 1.1\n%YAML 1.1\n---\na: 1", "&a [*a]", "? ? ? a"):
        result = inspect_text(text, "t.yaml")
        assert result.policy is None, text
        assert any(d.severity is Severity.ERROR for d in result.diagnostics), text
