"""Time the four benchmark triggers of issue 3 with every evaluator, in one run, one table.

    python benchmarks/bench_expressions.py [--repeats 7] [--target-ms 40]

Implementations: hand-written Python lambdas (the floor), our compiled form (``ce.function``, the
raw callable the evaluator uses, and ``ce.evaluate``, which first checks the bindings against the
declarations), our reference interpreter, cel-python (``celpy``), the Rust CEL bindings (``cel``, package
common-expression-language) and the C++ CEL bindings (``cel_expr_python``, package
cel-expr-python: Google's cel-cpp, Python >= 3.11). The peers come from the ``bench`` extra
(``pip install -e .[bench]``); a missing one is skipped with a note.

Each cell is the median over ``--repeats`` runs of the per-call time (ns) of a loop sized to take
about ``--target-ms``. Facts are declared (amount double, category/region string enums, partner
map {tier enum, exclusive bool}, days_open int, history map {disputes_90d int}); each
implementation gets the bindings in its own form, converted once, outside the timed loop.
"""

from __future__ import annotations

import argparse
import itertools
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policyengine.expr import compile_expression  # noqa: E402

DECLARATIONS = {
    "amount": {"type": "double", "min": 0},
    "category": {"type": "string", "enum": ["pricing", "territory", "exclusivity", "mdf"]},
    "region": {"type": "string", "enum": ["NA", "EMEA", "APAC", "LATAM"]},
    "partner": {"type": "map", "fields": {
        "tier": {"type": "string", "enum": ["platinum", "gold", "silver", "registered"]},
        "exclusive": {"type": "bool"}}},
    "days_open": {"type": "int", "min": 0},
    "history": {"type": "map", "fields": {"disputes_90d": {"type": "int", "min": 0}}},
}

FACTS = {
    "amount": 120000.0, "category": "pricing", "region": "EMEA",
    "partner": {"tier": "gold", "exclusive": True}, "days_open": 10,
    "history": {"disputes_90d": 4},
}

TRIGGERS: list[tuple[str, Callable[[dict], Any]]] = [
    ("amount >= 100000.0",
     lambda f: f["amount"] >= 100000.0),
    ('category == "pricing" && region in ["EMEA", "APAC"]',
     lambda f: f["category"] == "pricing" and f["region"] in ("EMEA", "APAC")),
    ('(amount > 50000.0 && partner.tier == "gold") || (days_open > 14 && history.disputes_90d >= 3)',
     lambda f: (f["amount"] > 50000.0 and f["partner"]["tier"] == "gold")
     or (f["days_open"] > 14 and f["history"]["disputes_90d"] >= 3)),
    ('partner.exclusive && region == "EMEA" && amount >= 10000.0 && amount < 250000.0 && days_open <= 30',
     lambda f: f["partner"]["exclusive"] and f["region"] == "EMEA" and f["amount"] >= 10000.0
     and f["amount"] < 250000.0 and f["days_open"] <= 30),
]


def per_call_ns(call: Callable[[Any], Any], arg: Any, repeats: int, target_ms: float) -> float:
    """Median per-call time of ``call(arg)`` in ns."""
    n = 1
    while True:  # calibrate the loop size
        start = time.perf_counter_ns()
        for _ in itertools.repeat(None, n):
            call(arg)
        elapsed = time.perf_counter_ns() - start
        if elapsed >= target_ms * 1e6 / 4 or n >= 1 << 24:
            break
        n *= 4
    n = max(1, int(n * (target_ms * 1e6) / max(elapsed, 1)))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        for _ in itertools.repeat(None, n):
            call(arg)
        samples.append((time.perf_counter_ns() - start) / n)
    return statistics.median(samples)


def celpy_runner(text: str):
    import celpy
    from celpy import celtypes

    annotations = {
        "amount": celtypes.DoubleType, "category": celtypes.StringType,
        "region": celtypes.StringType, "partner": celtypes.MapType,
        "days_open": celtypes.IntType, "history": celtypes.MapType,
    }
    env = celpy.Environment(annotations=annotations)
    program = env.program(env.compile(text))
    activation = {k: celpy.json_to_cel(v) for k, v in FACTS.items()}
    return program.evaluate, activation


def rust_runner(text: str):
    import cel

    program = cel.compile(text)
    try:
        context = cel.Context(variables=FACTS)
        program.execute(context)
        return program.execute, context
    except Exception:  # older bindings: a plain dict
        return program.execute, dict(FACTS)


def cpp_runner(text: str):
    """cel-cpp through cel-expr-python: the expression compiled (and type-checked) once against
    the declared variables, the bindings made into an Activation once, outside the timed loop."""
    from cel_expr_python import cel

    variables = {"amount": cel.Type.DOUBLE, "category": cel.Type.STRING,
                 "region": cel.Type.STRING, "partner": cel.Type.Map(cel.Type.STRING, cel.Type.DYN),
                 "days_open": cel.Type.INT, "history": cel.Type.Map(cel.Type.STRING, cel.Type.DYN)}
    env = cel.NewEnv(variables=variables)
    program = env.compile(text)
    activation = env.Activation(FACTS)

    def run(act: Any) -> Any:
        return program.eval(act).value()
    return run, activation


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--target-ms", type=float, default=40.0)
    args = parser.parse_args(argv)

    columns = ["lambda", "ours.function", "ours.evaluate", "ours.interpret", "cel-python",
               "rust-cel", "cpp-cel"]
    notes: list[str] = []
    table: list[dict[str, float]] = []
    for number, (text, handwritten) in enumerate(TRIGGERS, 1):
        ce = compile_expression(text, DECLARATIONS, expect="bool")
        row: dict[str, float] = {}
        expected = handwritten(FACTS)
        runners: dict[str, tuple[Callable, Any]] = {
            "lambda": (handwritten, FACTS),
            "ours.function": (ce.function, FACTS),
            "ours.evaluate": (ce.evaluate, FACTS),
            "ours.interpret": (ce.interpret, FACTS),
        }
        for name, factory in (("cel-python", celpy_runner), ("rust-cel", rust_runner),
                              ("cpp-cel", cpp_runner)):
            try:
                runners[name] = factory(text)
            except ImportError as err:
                note = f"{name} skipped: not installed ({err.name}); pip install -e .[bench]"
                if note not in notes:
                    notes.append(note)
        for name, (call, arg) in runners.items():
            result = call(arg)
            if bool(result) != expected:
                notes.append(f"trigger {number}: {name} returned {result!r}, expected {expected!r}")
            row[name] = per_call_ns(call, arg, args.repeats, args.target_ms)
        table.append(row)
        print(f"[{number}] {text}", file=sys.stderr)
        if number == 1 and ce.python_source:
            print(f"    compiled: {ce.python_source}", file=sys.stderr)

    print(f"Per-call median, ns (Python {sys.version.split()[0]}, {args.repeats} repeats)\n")
    header = f"{'trigger':<8}" + "".join(f"{c:>16}" for c in columns)
    print(header)
    print("-" * len(header))
    for number, row in enumerate(table, 1):
        cells = "".join(f"{row[c]:>16,.0f}" if c in row else f"{'-':>16}" for c in columns)
        print(f"{number:<8}{cells}")

    def geomean(values: list[float]) -> float:
        return math.exp(sum(math.log(v) for v in values) / len(values))

    print("\nRatios (geometric mean over the four triggers in the last row)\n")
    ratio_cols = [("ours.function / lambda", "ours.function", "lambda"),
                  ("ours.evaluate / lambda", "ours.evaluate", "lambda"),
                  ("cel-python / ours.function", "cel-python", "ours.function"),
                  ("rust-cel / ours.function", "rust-cel", "ours.function"),
                  ("cpp-cel / ours.function", "cpp-cel", "ours.function"),
                  ("ours.interpret / ours.function", "ours.interpret", "ours.function")]
    header = f"{'trigger':<8}" + "".join(f"{name:>32}" for name, _, _ in ratio_cols)
    print(header)
    print("-" * len(header))
    ratios: dict[str, list[float]] = {name: [] for name, _, _ in ratio_cols}
    for number, row in enumerate(table, 1):
        cells = ""
        for name, num, den in ratio_cols:
            if num in row and den in row:
                r = row[num] / row[den]
                ratios[name].append(r)
                cells += f"{r:>31.2f}x"
            else:
                cells += f"{'-':>32}"
        print(f"{number:<8}{cells}")
    cells = "".join(f"{geomean(ratios[name]):>31.2f}x" if len(ratios[name]) == len(table)
                    else f"{'-':>32}" for name, _, _ in ratio_cols)
    print(f"{'geomean':<8}{cells}")

    print()
    fn_vs_lambda = geomean(ratios["ours.function / lambda"])
    print(f"bar: ours.function within 3x of the lambdas: {fn_vs_lambda:.2f}x -> "
          f"{'PASS' if fn_vs_lambda <= 3 else 'FAIL'}")
    if len(ratios["cel-python / ours.function"]) == len(table):
        speedup = geomean(ratios["cel-python / ours.function"])
        print(f"bar: ours.function at least 100x faster than cel-python: {speedup:.0f}x -> "
              f"{'PASS' if speedup >= 100 else 'FAIL'}")
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
