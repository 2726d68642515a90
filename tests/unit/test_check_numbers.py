"""``_check_numbers`` (NaN and infinities refused, PE104) skips its walk of the source map when
the document's lower-case text holds neither ``.nan`` nor ``.inf`` (issue 14: load speed): its
findings are the walk's on generated documents."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.core.diagnostics import Diagnostic, Severity
from policyengine.core.source import SourceFile
from policyengine.load.yaml_safe import _check_numbers, _Composer


def _walked(composer: _Composer) -> list[Diagnostic]:
    """The walk alone (the definition)."""
    out: list[Diagnostic] = []
    for _, entry in composer.smap.items():
        if entry.style == "plain" and entry.raw is not None and entry.raw.lower().lstrip(
                "+-") in (".nan", ".inf"):
            out.append(Diagnostic.at("PE104", Severity.ERROR,
                                     f"`{entry.raw}` is not a finite number", entry.value_span,
                                     hint="write a finite number, or `true` for unlimited "
                                          "authority"))
    return out


_VALUES = st.sampled_from([".nan", ".NaN", ".INF", "+.inf", "-.Inf", "'.nan'", '".inf"',
                           "!!float .nan", "x.nan", ".nanx", ".in", "1.0", "inf", "nan",
                           "[.inf, 2]", "{a: -.nan}", "|\n  .nan", ".\u0130nf", "ok"])


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), _VALUES), max_size=5))
def test_the_shortcut_finds_what_the_walk_finds(pairs: list[tuple[str, str]]) -> None:
    text = "".join(f"k{i}{key}: {value}\n" for i, (key, value) in enumerate(pairs))
    composer = _Composer(SourceFile("t.yaml", text), 64)
    composer.run()
    found: list[Diagnostic] = []
    _check_numbers(composer.smap, found)
    assert found == _walked(composer)
