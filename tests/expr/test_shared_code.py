"""Expressions that differ only in their literals share one ``compile()`` (issue 14: load
speed): the code compiled once for the shape, with each expression's literals and names put
back, is the code its own source compiles to, and behaves as it."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.expr import Environment, analyze, compile_analysis
from policyengine.expr.compile import _compiled, _shared_code

DECLS = {"kind": {"type": "string"}, "amount": {"type": "double"}, "n": {"type": "int"},
         "tags": {"type": "list", "items": {"type": "string"}}}
ENV = Environment.from_declarations(DECLS)


def _compiled_expression(text: str) -> Any:
    analysis = analyze(text, ENV)
    assert analysis.ok, analysis.issues
    return compile_analysis(analysis)


def _own_code(ce: Any) -> Any:
    """What compiling the expression's own source gives."""
    prefix = next(iter(k for k in ce.function.__globals__ if k.endswith("EvalError")))
    return _compiled(prefix[: -len("EvalError")], ce.python_source)


def _same_code(a: Any, b: Any) -> bool:
    if a.co_code != b.co_code or a.co_names != b.co_names or a.co_name != b.co_name:
        return False
    ca = [c for c in a.co_consts if not hasattr(c, "co_code")]
    cb = [c for c in b.co_consts if not hasattr(c, "co_code")]
    if [(type(c), c) for c in ca] != [(type(c), c) for c in cb]:
        return False
    inner_a = [c for c in a.co_consts if hasattr(c, "co_code")]
    inner_b = [c for c in b.co_consts if hasattr(c, "co_code")]
    return len(inner_a) == len(inner_b) and all(map(_same_code, inner_a, inner_b))


def test_same_shape_one_compile() -> None:
    _shared_code.cache_clear()
    one = _compiled_expression('kind == "k1" && amount < 1000.0')
    two = _compiled_expression('kind == "k2" && amount < 7000.0')
    assert _shared_code.cache_info().misses == 1 and _shared_code.cache_info().hits == 1
    assert one.function({"kind": "k1", "amount": 5.0}) is True
    assert two.function({"kind": "k1", "amount": 5.0}) is False
    assert two.function({"kind": "k2", "amount": 6999.0}) is True
    assert one.python_source == "((f['kind'] == 'k1') and (f['amount'] < 1000.0))"


_LITERALS = st.one_of(st.integers(-3, 3), st.sampled_from([0.0, 1.5, -2.0, 1e300]),
                      st.sampled_from(["", "a", "k1", "é", "\\x00"]))


@settings(max_examples=150)
@given(st.sampled_from([
    "amount < {d} && kind == {s}", "n + {i} > {i}", "kind in [{s}, {s}]", "{s} in tags",
    "n == {i} ? amount : {d}", "tags.exists(t, t == {s})", "[{i}, n][1] == {i}",
    "{d} * {d} < amount", "size({s}) > n", "kind.startsWith({s}) || n > {i}",
    "{{{s}: {i}}}[kind] == n",
]), st.lists(_LITERALS, min_size=4, max_size=4))
def test_the_shared_code_is_the_code_of_the_own_source(template: str, values: list[Any]) -> None:
    ints = [v for v in values if type(v) is int] or [1]
    doubles = [v for v in values if type(v) is float] or [0.5]
    strings = [v for v in values if type(v) is str] or ["x"]
    text = template.format(i=ints[0], d=repr(doubles[0]), s='"' + strings[0] + '"')
    analysis = analyze(text, ENV)
    if not analysis.ok:
        return
    ce = compile_analysis(analysis)
    own = _own_code(ce)
    shared = ce.function.__code__
    module_consts = [c for c in own.co_consts if hasattr(c, "co_code")]
    if all(template.count(k) <= 1 for k in ("{i}", "{d}", "{s}")):
        # no literal written twice (Python's compiler would keep one constant for both)
        assert _same_code(shared, module_consts[0]), text
    for facts in ({"kind": "k1", "amount": 0.0, "n": 1, "tags": ["a"]},
                  {"kind": strings[0], "amount": 2.0, "n": ints[0], "tags": []}):
        try:
            got: Any = ("value", ce.function(facts))
        except Exception as err:  # noqa: BLE001 - compared, not judged
            got = ("error", type(err).__name__)
        try:
            want: Any = ("value", ce.interpret(facts))
        except Exception as err:  # noqa: BLE001
            want = ("error", type(err).__name__)
        assert got == want, (text, facts)


def test_a_folded_shape_is_compiled_from_its_own_source() -> None:
    assert _shared_code.cache_info() is not None
    ce = _compiled_expression("2.0 * 3.0 < amount")
    assert ce.function({"amount": 7.0}) is True and ce.function({"amount": 5.0}) is False
    ce = _compiled_expression("4.0 * 1.0 < amount")
    assert ce.function({"amount": 5.0}) is True and ce.function({"amount": 3.0}) is False


def test_the_shared_function_is_the_function_its_module_defines() -> None:
    """An expression of a shared shape is the function of its code over its namespace, what
    running the module ``def <prefix>fn(f): ...`` of its own source makes: same name,
    qualified name, module, defaults, closure, builtins and namespace."""
    from policyengine.expr.compile import _build_function

    ce = _compiled_expression('kind == "k9" && amount < 12.5')
    prefix = next(k for k in ce.function.__globals__ if k.endswith("EvalError"))[:-9]
    own = _build_function(prefix, ce.python_source, ce.python_globals)
    for attribute in ("__name__", "__qualname__", "__module__", "__doc__", "__defaults__",
                      "__kwdefaults__", "__closure__", "__builtins__", "__dict__"):
        assert getattr(ce.function, attribute) == getattr(own, attribute), attribute
    assert set(ce.function.__globals__) == set(own.__globals__)
    assert ce.function.__globals__[prefix + "fn"] is ce.function
    assert _same_code(ce.function.__code__, own.__code__)
