"""Fuzz targets for the rulebook loader and the expression parser (hypothesis-based).

Each target states the property that must hold for *any* input: the loader raises nothing but
``PolicyError`` (and returns a loaded policy otherwise), the expression compiler raises nothing
but ``ExpressionError`` (and a compiled expression evaluates to a value or an
``ExpressionEvalError``, the same in the compiled form and the interpreter).

The normal test suite runs them with a few examples (``tests/hostile/test_hostile_fuzz.py``);
CI runs them for a bounded time with many more (``python fuzz/run.py --seconds 60``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from policyengine import PolicyError, loads_policy
from policyengine.core.errors import ExpressionError, ExpressionEvalError
from policyengine.expr import compile_expression

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [p.read_text("utf-8") for p in sorted((ROOT / "policies").glob("*.yaml"))
         if not p.name.endswith(".test.yaml")]
DECLS = {"amount": {"type": "double", "min": 0}, "n": {"type": "int"},
         "kind": {"type": "string", "enum": ["pricing", "mdf"]}, "flag": {"type": "bool"},
         "tags": {"type": "list", "items": {"type": "string"}, "max_items": 20},
         "partner": {"type": "map", "fields": {"tier": {"type": "string"}}}}
BINDINGS = {"amount": 1.5, "n": 3, "kind": "pricing", "flag": True, "tags": ["a", "b"],
            "partner": {"tier": "gold"}}

_TOKENS = ["amount", "n", "kind", "flag", "tags", "partner", ".tier", "(", ")", "[", "]", "{",
           "}", ",", ":", "?", "&&", "||", "!", "==", "!=", "<", "<=", ">", "+", "-", "*", "/",
           "%", " in ", "1", "2.5", "9223372036854775807", "1e309", '"x"', "'\\u00e9'", "true",
           "null", ".all(x, ", ".exists(x, ", ".map(x, ", ".filter(x, ", "x", "size(", "has(",
           ".contains(", ".matches(", '"[a-"', "int(", "double(", "string(", "dyn(", "\\",
           "\ud800", "\x00", "`"]

#: Expression text: token soup (mostly near-valid), plus arbitrary text.
expression_text = st.one_of(
    st.lists(st.sampled_from(_TOKENS), max_size=25).map("".join),
    st.text(max_size=60),
)


def _mutate(seed: str, cuts: list[tuple[int, int, str]]) -> str:
    text = seed
    for at, width, insert in cuts:
        at %= max(1, len(text))
        text = text[:at] + insert + text[at + width % 8:]
    return text


#: Rulebook text: a bundled rulebook with small edits (structure mostly kept, so the later
#: stages run), plus arbitrary text and bytes.
rulebook_text = st.one_of(
    st.builds(_mutate, st.sampled_from(SEEDS),
              st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 7),
                                 st.one_of(st.text(max_size=12),
                                           st.sampled_from(["\n", ": ", "- ", "{", "[", "&a ",
                                                            "*a", "!!float 1e999", "9" * 5000,
                                                            "\t", "---\n", "1:30", "'"]))),
                       max_size=4)),
    st.text(max_size=200),
)


def check_loader(text: str) -> None:
    try:
        policy = loads_policy(text)
    except PolicyError as exc:
        assert exc.diagnostics, "a PolicyError carries its diagnostics"
        for d in exc.diagnostics:
            d.format_line()
        return
    json.dumps(policy.compiled.digest)


def check_loader_bytes(data: bytes) -> None:
    try:
        loads_policy(data)
    except PolicyError:
        pass


def check_expression(text: str) -> None:
    try:
        compiled = compile_expression(text, DECLS)
    except ExpressionError:
        return
    results: list[Any] = []
    for run in (compiled.function, compiled.interpret):
        try:
            results.append(("value", run(BINDINGS)))
        except ExpressionEvalError:
            results.append(("error", None))
    assert results[0][0] == results[1][0], (text, results)
    if results[0][0] == "value":
        a, b = results[0][1], results[1][1]
        assert a == b or (a != a and b != b), (text, results)  # NaN equals NaN here


TARGETS = {
    "loader": (check_loader, rulebook_text),
    "loader-bytes": (check_loader_bytes, st.binary(max_size=300)),
    "expression": (check_expression, expression_text),
}
