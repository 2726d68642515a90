"""Root causes 11 (Markdown and Mermaid injection), 15 (control characters in test case names
and JUnit) and 13 (options that crashed)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings

from hostile_support import ACME, AS_OF, GOOD, hostile_text, invoke
from policyengine import loads_policy
from policyengine.render import escape, markdown
from policyengine.render.ladder_graph import render_mermaid

ACME_TEXT = ACME.read_text("utf-8")
BREAKOUT = "Executive\n```\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>"


def _policy_with_level_title(title: str):
    return loads_policy(ACME_TEXT.replace("title: Executive sponsor",
                                          f"title: {json.dumps(title)}"))


def _fences(md: str) -> list[str]:
    return [line for line in md.splitlines() if line.lstrip().startswith("```")]


# -- 11 ----------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(text=hostile_text)
def test_mermaid_labels_stay_one_quoted_line(text):
    label = escape.mermaid(text)
    assert "\n" not in label and "\r" not in label and '"' not in label and "`" not in label
    assert "<" not in label and ">" not in label


def test_a_level_title_cannot_leave_the_mermaid_fence(tmp_path):
    policy = _policy_with_level_title(BREAKOUT)
    graph = render_mermaid(policy)
    assert "```" not in graph and "<img" not in graph
    assert all(line.startswith(("flowchart", "    ")) for line in graph.splitlines())
    path = tmp_path / "p.yaml"
    path.write_text(ACME_TEXT.replace("title: Executive sponsor",
                                      f"title: {json.dumps(BREAKOUT)}"), "utf-8")
    md = invoke("render", str(path), "--format", "md").stdout
    assert _fences(md) == ["```mermaid", "```"]  # the one fence, opened and closed once
    assert not re.search(r"(?<!\\)<img", md)  # shown as text (`\<img`), never an element
    assert not re.search(r"(?<!\\)\[click(?<!\\)\]\(javascript:", md)
    out = invoke("graph", str(path), "--format", "mermaid").stdout
    assert "```" not in out and "<img" not in out


@settings(max_examples=80, deadline=None)
@given(text=hostile_text)
def test_code_spans_cannot_be_escaped(text):
    span = markdown.code(text)
    fence = re.match(r"`+", span).group()
    inner = span[len(fence):-len(fence)]
    assert span.endswith(fence) and fence not in inner  # the span closes only at its end
    assert "\n" not in span and "\r" not in span


@settings(max_examples=80, deadline=None)
@given(text=hostile_text)
def test_table_cells_and_text_stay_in_place(text):
    row = markdown.table(["a"], [[markdown.escape(text)], [markdown.code(text)]])
    for line in row:
        assert line.count("|") - line.count("\\|") == 2  # no extra column
        assert "\n" not in line
    assert "<" not in markdown.escape(text).replace("\\<", "")


def test_the_memo_escapes_a_dispute_key_with_backticks(tmp_path):
    dispute = {**GOOD, "x``<b>bold</b>``y": 1, "z`</code><script>alert(1)</script>": 2}
    path = tmp_path / "d.json"
    path.write_text(json.dumps(dispute), "utf-8")
    memo = invoke("evaluate", str(ACME), str(path), "--as-of", AS_OF, "--format", "memo").stdout
    assert "x``<b>bold</b>``y" in memo  # shown, as written, inside a code span
    for line in memo.splitlines():
        # every `<` sits inside a code span or is escaped: strip the spans and look
        plain = re.sub(r"(`+)(.+?)\1", "", line)
        assert "<script" not in plain and "<b>" not in plain


# -- 15 ----------------------------------------------------------------------------------------
def _test_file(tmp_path, name: str):
    (tmp_path / "p.yaml").write_text(ACME_TEXT, "utf-8")
    path = tmp_path / "a.test.yaml"
    path.write_text(
        "policy: p.yaml\nas_of: 2026-11-22\ncases:\n"
        f"  - name: {json.dumps(name)}\n"
        "    dispute: {kind: pricing, amount: 120000.0, region: EMEA, partner: {tier: gold}}\n"
        "    expect: {level: frontline}\n", "utf-8")
    return path


def test_control_characters_in_case_names_are_shown_not_acted(tmp_path):
    name = "bell\x07 escape\x1b[2J cr\r nul\x00 del\x7f csi\x9b"
    path = _test_file(tmp_path, name)
    junit = tmp_path / "junit.xml"
    res = invoke("test", str(path), "--junit", str(junit))
    assert res.exit_code == 1
    for raw in ("\x07", "\x1b", "\r", "\x00", "\x7f", "\x9b"):
        assert raw not in res.stdout
    assert "bell\\x07" in res.stdout and "escape\\x1b[2J" in res.stdout
    root = ET.parse(junit).getroot()  # well-formed XML 1.0
    names = [c.get("name") for c in root.iter("testcase")]
    assert names and "\\x07" in names[0]


@settings(max_examples=25, deadline=None)
@given(text=hostile_text)
def test_junit_is_always_well_formed(text):
    from policyengine.render.escape import xml_text

    ET.fromstring(f"<a b=\"{xml_text(text).replace('&', '&amp;').replace('<', '&lt;').replace(chr(34), '&quot;')}\"/>")


# -- 13 ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["lint", str(ACME), "--solver-timeout", "nan"],
    ["lint", str(ACME), "--solver-timeout", "inf"],
    ["lint", str(ACME), "--max-bytes", "9" * 30],
    ["diff", str(ACME), str(ACME), "--budget", "nan"],
    ["diff", str(ACME), str(ACME), "--timeout", "inf"],
    ["diff", str(ACME), str(ACME), "--examples", "9" * 30],
    ["test", "--fail-under", "nan"],
    ["evaluate", str(ACME), "--input", "-", "--output", "-", "--jobs", "9" * 30],
])
def test_options_out_of_range_are_usage_errors(args):
    res = invoke(*args)
    assert res.exit_code == 2
    assert "Invalid value" in res.stderr


def test_a_deeply_nested_baseline_is_a_clear_error(tmp_path):
    base = tmp_path / "b.json"
    base.write_text("[" * 200000, "utf-8")
    res = invoke("lint", str(ACME), "--baseline", str(base))
    assert res.exit_code == 2 and "nests too deeply" in res.stderr
