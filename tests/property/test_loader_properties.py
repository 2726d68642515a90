"""Properties of loading and linting (hypothesis):

* ``loads_policy`` raises nothing but ``PolicyError`` on arbitrary text and arbitrary bytes;
* a bundled policy mutated (a line deleted, duplicated, swapped with another, random characters
  inserted) never makes loading or any lint rule crash: only diagnostics come out;
* every diagnostic (and every related location) lies inside the file.

Lint rules are run directly on the loaded draft here, not through ``run_lint``, which would turn
a crashing rule into a PE901 diagnostic and hide it; a PE901 is a failure too.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from policyengine import PolicyError, loads_policy
from policyengine.lint import LintContext
from policyengine.lint.rules import RULES
from policyengine.compile.pipeline import inspect_text
from policyengine.core.source import SourceFile

ROOT = Path(__file__).resolve().parents[2]
POLICIES = [p.read_text("utf-8") for p in sorted((ROOT / "policies").glob("*.yaml"))
            if not p.name.endswith(".test.yaml")]
CLEAN = (ROOT / "tests" / "golden" / "clean.yaml").read_text("utf-8")
CONTEXT = LintContext(_dt.date(2026, 11, 23))

YAMLISH = st.text(alphabet=st.sampled_from(list("abcpolicy:-[]{}#&*!|>'\"\n\t ,?~%@`019.\\")
                                           + ["\r", "\ufeff", "é", "\x85", "\u2028", "\x00"]),
                  max_size=300)


def _normalized(text: str) -> str:
    """The text positions refer to: BOM dropped, CRLF and CR read as LF (as the reader does)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _check_inside(diagnostics, text: str) -> None:
    source = SourceFile("t.yaml", _normalized(text))
    spans = [(d.line, d.column, d.end_line, d.end_column, d.format_line())
             for d in diagnostics if d.line is not None]
    spans += [(s.line, s.column, s.end_line, s.end_column, note)
              for d in diagnostics for note, s in d.related]
    for line, column, end_line, end_column, what in spans:
        assert 1 <= line <= source.line_count, what
        assert 1 <= column <= len(source.line_text(line)) + 1, what
        assert line <= end_line <= source.line_count, what
        assert 1 <= end_column <= len(source.line_text(end_line)) + 1, what
        assert (end_line, end_column) >= (line, column), what


def _load_and_lint(text: str | bytes) -> list:
    result = inspect_text(text, "t.yaml")
    diagnostics = list(result.diagnostics)
    if result.draft is not None:
        for rule in RULES:
            diagnostics.extend(rule(result.draft, CONTEXT))
    assert "PE901" not in {d.code for d in diagnostics}
    return diagnostics


def _loads_only_policy_error(data) -> None:
    try:
        loads_policy(data, "t.yaml")
    except PolicyError as exc:
        assert exc.diagnostics
        assert any(d.severity.value == "error" for d in exc.diagnostics)


@given(st.text(max_size=400))
def test_loads_policy_on_arbitrary_text_raises_only_policy_error(text):
    _loads_only_policy_error(text)


@given(YAMLISH)
def test_loads_policy_on_yamlish_text_raises_only_policy_error(text):
    _loads_only_policy_error(text)


@given(st.binary(max_size=400))
def test_loads_policy_on_arbitrary_bytes_raises_only_policy_error(data):
    _loads_only_policy_error(data)


@given(YAMLISH)
def test_diagnostics_of_arbitrary_text_lie_inside_it(text):
    _check_inside(_load_and_lint(text), text)


@st.composite
def mutated(draw):
    """A bundled policy (or the clean fixture) with one to three mutations."""
    lines = draw(st.sampled_from(POLICIES + [CLEAN])).split("\n")
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert"]))
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            junk = draw(st.text(alphabet=st.sampled_from(list(":-[]{}#&*!|>'\" \t,?~0a\\")),
                                min_size=1, max_size=4))
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + junk + lines[i][at:]
    return "\n".join(lines)


@given(mutated())
def test_mutated_policies_give_diagnostics_never_a_crash(text):
    diagnostics = _load_and_lint(text)
    _check_inside(diagnostics, text)
    for d in diagnostics:
        assert d.message and "\n" not in d.message
        assert d.message[0] == d.message[0].lower() or d.message[0] in "`'\""


def test_the_bundled_policies_themselves_are_clean():
    for text in POLICIES + [CLEAN]:
        assert _load_and_lint(text) == []
