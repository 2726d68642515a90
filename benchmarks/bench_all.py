"""Every speed bound of issue 14 in one run, side by side: medians over shuffled rounds, ratios.

    python benchmarks/bench_all.py            # the full run (a few minutes)
    python benchmarks/bench_all.py --quick    # tiny sizes: checks the benchmarks still run (CI)

Sections (each prints its own table):
  decision   the RULEBOOK example: Policy.evaluate, + to_dict, + to_json, the hand-written
             function (benchmarks/handwritten_acme.py, equal Decisions checked first) and
             GoRules Zen (JDM table of the category/band/override logic only), when installed
  table      a 20-category x 3-band table: Policy.evaluate vs an if/elif chain with the same
             facts check (and Zen's decision table, when installed)
  load       generated rulebooks of 1,000 and 10,000 categories: load_policy wall and CPU time
  start-up   `policyengine --help` (the console script; help pages without click) and
             `evaluate` of one dispute vs `python -c pass` and `python -c 'import click'`;
             which modules each imports, and their import time (python -X importtime)
  json       encoding the batch records: json (stdlib) vs orjson vs msgspec, and whether their
             bytes are identical to the stdlib's
  expressions  one trigger per call: the compiled form vs a Python lambda, cel-python, the Rust
             and the C++ CEL bindings (benchmarks/bench_expressions.py)
  batch      in-process CPU time per line (reading, evaluate, to_json, the chunk path) and
             `policyengine evaluate --input --output` with --jobs 1 and 2: wall and CPU time of
             all processes, decisions per CPU-second, the --jobs 2 ratio, identical outputs

Rounds run the implementations in a shuffled order; each cell is the median of the rounds.
Machines are shared and noisy: read the ratios, not the absolute times. Nothing is asserted:
the numbers are for people (the CI runs --quick only to keep the benchmarks from rotting).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

import bench_decisions  # noqa: E402
import handwritten_acme  # noqa: E402

import policyengine  # noqa: E402
from policyengine.core.errors import DisputeError, Problem  # noqa: E402
from policyengine.decide.evaluate import evaluate_compiled  # noqa: E402

AS_OF = bench_decisions.AS_OF
DISPUTES = bench_decisions.DISPUTES
ACME = ROOT / "policies" / "acme-channel-conflict.yaml"


def rounds(fns: dict[str, Callable[[], None]], n_rounds: int, number: int) -> dict[str, float]:
    """Median ns per call of each function over shuffled rounds of ``number`` calls."""
    samples: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(n_rounds):
        order = list(fns)
        random.shuffle(order)
        for name in order:
            fn = fns[name]
            start = time.perf_counter_ns()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter_ns() - start) / number)
    return {k: statistics.median(v) for k, v in samples.items()}


def table(title: str, medians: dict[str, float], base: str, per: int = 1) -> None:
    print(f"\n## {title}")
    print(f"{'implementation':<48} {'median':>11} {'vs ' + base:>22}")
    for name, ns in medians.items():
        print(f"{name:<48} {ns / per / 1000:>9.2f}us {ns / medians[base]:>21.2f}x")


# -- decision ----------------------------------------------------------------------------------
def section_decision(args: argparse.Namespace) -> None:
    policy = policyengine.load_policy(ACME)
    hand = handwritten_acme.make(policy)
    general = dataclasses.replace(policy.compiled, evaluate_code=None)
    for d in DISPUTES:
        assert policy.evaluate(d, as_of=AS_OF) == hand(d, AS_OF), d
        assert evaluate_compiled(general, d, as_of=AS_OF) == hand(d, AS_OF), d

    def each(fn: Callable[[dict], Any]) -> Callable[[], None]:
        def run() -> None:
            for d in DISPUTES:
                fn(d)
        return run

    fns = {
        "hand-written Python": each(lambda d: hand(d, AS_OF)),
        "policyengine evaluate": each(lambda d: policy.evaluate(d, as_of=AS_OF)),
        "policyengine evaluate + to_dict": each(
            lambda d: policy.evaluate(d, as_of=AS_OF).to_dict()),
        "policyengine evaluate + to_json": each(
            lambda d: policy.evaluate(d, as_of=AS_OF).to_json()),
        "evaluate_compiled (general path)": each(lambda d: evaluate_compiled(
            general, d, as_of=AS_OF)),
    }
    try:
        import zen

        decision = zen.ZenEngine().create_decision(bench_decisions.zen_model())
        fns["zen-engine (category+band+overrides only)"] = each(decision.evaluate)
    except ImportError:
        print("zen-engine not installed (pip install -e '.[bench]'): skipped")
    m = rounds(fns, args.rounds, args.number)
    table(f"decision: RULEBOOK example, per decision ({len(DISPUTES)} disputes, "
          f"{args.rounds} shuffled rounds)", m, "hand-written Python", per=len(DISPUTES))
    ours = m["policyengine evaluate"]
    print(f"to_dict on top of evaluate: +{(m['policyengine evaluate + to_dict'] / ours - 1):.0%};"
          f" to_json: +{(m['policyengine evaluate + to_json'] / ours - 1):.0%}")


# -- table -------------------------------------------------------------------------------------
TABLE_KINDS = [f"k{i:02d}" for i in range(20)]


def table_rulebook() -> str:
    cats = "".join(f"""  - id: c{i:02d}
    title: Category {i}
    class: commercial
    when: kind == "{k}"
    thresholds:
      - {{when: amount < {1000 * (i + 1)}.0, level: frontline}}
      - {{when: amount < {10000 * (i + 1)}.0, level: regional}}
      - {{otherwise: executive}}
""" for i, k in enumerate(TABLE_KINDS))
    return f"""policy:
  id: table-20x3
  title: A 20 x 3 decision table
  version: 1.0.0
  effective: 2026-01-01
  owners: [legal@acme.example]
facts:
  kind: {{type: string, enum: [{", ".join(TABLE_KINDS)}]}}
  amount: {{type: double, min: 0}}
ladder:
  levels:
    - {{id: frontline, title: Account manager, role: account_manager, decide_within: 5bd, next: regional}}
    - {{id: regional, title: Regional director, role: regional_director, decide_within: 10bd, next: executive}}
    - {{id: executive, title: Executive sponsor, role: executive_sponsor, decide_within: 20d}}
actions:
  hold: {{title: Hold}}
authority:
  account_manager: {{hold: true}}
  regional_director: {{hold: true}}
  executive_sponsor: {{hold: true}}
categories:
{cats}"""


def table_handwritten() -> Callable[[dict], tuple[str, str]]:
    """An if/elif chain over the 20 kinds, then the 3 bands, after the same facts check
    (every problem at once). Written out as source once: the chain a person would type."""
    lines = ["def decide(d):",
             "    problems = []",
             "    if type(d) is not dict:",
             "        raise DisputeError([Problem('invalid_facts', 'not a mapping', None)])",
             "    for k in d:",
             "        if k not in ('kind', 'amount'):",
             "            problems.append(Problem('invalid_facts', 'undeclared', k))",
             "    kind = d.get('kind')",
             "    if type(kind) is not str or kind not in KINDS:",
             "        problems.append(Problem('invalid_facts', 'bad kind', 'kind'))",
             "    amount = d.get('amount')",
             "    if type(amount) is int:",
             "        amount = float(amount)",
             "    if type(amount) is not float or amount != amount or amount < 0.0:",
             "        problems.append(Problem('invalid_facts', 'bad amount', 'amount'))",
             "    if problems:",
             "        raise DisputeError(problems)"]
    for i, k in enumerate(TABLE_KINDS):
        lines.append(f"    {'if' if i == 0 else 'elif'} kind == {k!r}:")
        lines.append(f"        cat, low, high = 'c{i:02d}', {1000.0 * (i + 1)!r}, "
                     f"{10000.0 * (i + 1)!r}")
    lines += ["    if amount < low:", "        return cat, 'frontline'",
              "    if amount < high:", "        return cat, 'regional'",
              "    return cat, 'executive'"]
    namespace: dict[str, Any] = {"KINDS": frozenset(TABLE_KINDS), "DisputeError": DisputeError,
                                 "Problem": Problem}
    exec("\n".join(lines), namespace)  # the benchmark's own source, no user text
    fn: Callable[[dict], tuple[str, str]] = namespace["decide"]
    return fn


def table_zen_model() -> str:
    """The 20 x 3 table as a JDM decision table for zen-engine (hit policy first): one rule per
    category and band, the category's kind and the band's bound as the inputs."""
    rules = []
    for i, k in enumerate(TABLE_KINDS):
        for band, (bound, level) in enumerate(((f"< {1000 * (i + 1)}", "frontline"),
                                               (f"< {10000 * (i + 1)}", "regional"),
                                               ("", "executive"))):
            rules.append({"_id": f"{i}-{band}", "k": f'"{k}"', "a": bound,
                          "c": f'"c{i:02d}"', "l": f'"{level}"'})
    table = {"hitPolicy": "first",
             "inputs": [{"id": "k", "name": "kind", "type": "expression", "field": "kind"},
                        {"id": "a", "name": "amount", "type": "expression", "field": "amount"}],
             "outputs": [{"id": "c", "name": "category", "type": "expression",
                          "field": "category"},
                         {"id": "l", "name": "level", "type": "expression", "field": "level"}],
             "rules": rules}
    nodes = [{"id": "in", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
             {"id": "dt", "type": "decisionTableNode", "name": "Table",
              "position": {"x": 0, "y": 0}, "content": table},
             {"id": "out", "type": "outputNode", "name": "Response", "position": {"x": 0, "y": 0}}]
    edges = [{"id": "e1", "sourceId": "in", "targetId": "dt", "type": "edge"},
             {"id": "e2", "sourceId": "dt", "targetId": "out", "type": "edge"}]
    return json.dumps({"contentType": "application/vnd.gorules.decision", "nodes": nodes,
                       "edges": edges})


def section_table(args: argparse.Namespace) -> None:
    policy = policyengine.loads_policy(table_rulebook(), "table-20x3.yaml")
    hand = table_handwritten()
    rng = random.Random(14)
    disputes = [{"kind": rng.choice(TABLE_KINDS), "amount": rng.choice([500.0, 15000.0, 9e5])}
                for _ in range(20)]
    for d in disputes:
        got = policy.evaluate(d, as_of=AS_OF)
        assert (got.category.id, got.level.id) == hand(d), d

    def each(fn: Callable[[dict], Any]) -> Callable[[], None]:
        def run() -> None:
            for d in disputes:
                fn(d)
        return run

    cp = policy.compiled
    general = dataclasses.replace(cp, evaluate_code=None)
    for d in disputes:
        assert evaluate_compiled(general, d, as_of=AS_OF) == policy.evaluate(d, as_of=AS_OF)
    fns = {"if/elif chain (facts checked)": each(hand),
           "policyengine evaluate": each(lambda d: policy.evaluate(d, as_of=AS_OF)),
           "evaluate_compiled (generated code)": each(
               lambda d: evaluate_compiled(cp, d, as_of=AS_OF)),
           "evaluate_compiled (general path)": each(
               lambda d: evaluate_compiled(general, d, as_of=AS_OF)),
           "floor: the records alone": each(records_alone(policy))}
    try:
        import zen

        zen_table = zen.ZenEngine().create_decision(table_zen_model())
        for d in disputes:
            out = zen_table.evaluate(d)["result"]
            assert (out["category"], out["level"]) == hand(d), (d, out)
        fns["zen-engine (the JDM decision table, no facts check)"] = each(zen_table.evaluate)
    except ImportError:
        print("zen-engine not installed (pip install -e '.[bench]'): skipped")
    print(f"\ntable: category dispatch {'by a table on `' + cp.dispatch.fact + '`' if cp.dispatch else 'by testing each condition'}; "
          f"generated decision code: {'yes' if cp.evaluate_code is not None else 'no'}")
    m = rounds(fns, args.rounds, max(1, args.number // 4))
    table(f"table: 20 categories x 3 bands, per decision ({len(disputes)} disputes)", m,
          "if/elif chain (facts checked)", per=len(disputes))
    print("floor: one TraceStep, one Decision and its decide_by built as the generated code "
          "builds them (no facts check, no dispatch, no test): what any decision returns")


def records_alone(policy: Any) -> Callable[[dict], Any]:
    """The cost of the records a table decision returns, built the generated code's way
    (core/decision.py DRAFTS: a draft, plain stores, its frozen class): the band step, the
    Decision, its decide_by; the category step is prebuilt at load."""
    from policyengine.core.decision import DRAFTS, Decision, TraceStep

    cp = policy.compiled
    cat = cp.categories[0]
    band = cat.bands[0]
    s0 = cp.in_turn[0][1] or band.step
    site, words, ref, level = band.site, band.words, cat.ref, cp.level_refs[0]
    step_draft, decision_draft, onew = DRAFTS[TraceStep], DRAFTS[Decision], object.__new__
    shift = cp.plan.decide_add[0](AS_OF) - AS_OF
    policy_id, version, digest = cp.meta.id, cp.meta.version, cp.digest

    def build(d: dict) -> Any:
        day = AS_OF
        s = onew(step_draft)
        s.site = site
        s.result = True
        s.values = (("amount", d["amount"]),)
        s.words = words
        s.__class__ = TraceStep
        out = onew(decision_draft)
        out.policy_id = policy_id
        out.policy_version = version
        out.digest = digest
        out.as_of = day
        out.category = ref
        out.level = level
        out.action = "escalate"
        out.respond_by = None
        out.decide_by = day + shift
        out.remedies = ()
        out.remedies_in_force = ()
        out.trace = (s0, s)
        out.warnings = ()
        out.calendar = None
        out.__class__ = Decision
        return out
    return build


# -- load --------------------------------------------------------------------------------------
def generated_rulebook(n: int) -> str:
    """n categories, each pinning one (kind, region) pair, with two amount bands and an
    `otherwise`; a catch-all last (the shape of bench_lint's rulebooks, without its limit of
    1,280 combinations)."""
    kinds = [f"k{i:04d}" for i in range(max(1, n // 4 + 1))]
    regions = ["NA", "EMEA", "APAC", "LATAM"]
    head = f"""policy:
  id: generated-{n}
  title: Generated rulebook of {n} categories
  version: 1.0.0
  effective: 2026-01-01
  owners: [legal@acme.example]
facts:
  kind:   {{type: string, enum: [{", ".join(kinds)}]}}
  region: {{type: string, enum: [{", ".join(regions)}]}}
  amount: {{type: double, min: 0, unit: USD}}
  recurrences: {{type: int, min: 0, default: 0}}
ladder:
  levels:
    - {{id: frontline, title: Account manager, role: account_manager, decide_within: 5bd, next: regional}}
    - {{id: regional, title: Regional director, role: regional_director, decide_within: 10bd, next: executive}}
    - {{id: executive, title: Executive sponsor, role: executive_sponsor, decide_within: 20d}}
actions:
  price_adjustment: {{title: Price realignment, unit: USD}}
  hold_unilateral:  {{title: Hold on unilateral actions}}
authority:
  account_manager:   {{hold_unilateral: true, price_adjustment: 5000}}
  regional_director: {{hold_unilateral: true, price_adjustment: 50000}}
  executive_sponsor: {{hold_unilateral: true, price_adjustment: true}}
overrides:
  - {{id: recurring, when: recurrences >= 3, min_level: regional, reason: Recurring}}
remedies:
  - {{id: realign, title: Price realignment, action: price_adjustment, amount: amount * 0.1, when: amount >= 1000.0, sunset: 90d}}
  - {{id: hold, title: Hold, action: hold_unilateral, sunset: 30d}}
categories:
"""
    out = [head]
    for i in range(n - 1):
        k, r = kinds[i // 4], regions[i % 4]
        low = 1000 * (1 + i % 7)
        out.append(f"""  - id: c{i}
    title: Category {i}
    class: commercial
    when: 'kind == "{k}" && region == "{r}"'
    thresholds:
      - {{when: amount < {low}.0, level: frontline}}
      - {{when: amount < {low * 10}.0, level: regional}}
      - {{otherwise: executive}}
    remedies: [realign, hold]
""")
    out.append("""  - id: other
    title: Everything else
    class: operational
    when: "true"
    thresholds:
      - {otherwise: frontline}
    remedies: [hold]
""")
    return "".join(out)


def section_load(args: argparse.Namespace) -> None:
    print("\n## load: load_policy of generated rulebooks (median of rounds)")
    print("each round a fresh process (imports and a first small load done before timing), so "
          "no cache of an earlier round helps")
    print(f"{'categories':>10} {'lines':>7} {'wall':>9} {'cpu':>9} {'cpu per category':>17}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.load_sizes:
            path = Path(tmp) / f"generated-{n}.yaml"
            text = generated_rulebook(n)
            path.write_text(text, encoding="utf-8")
            walls, cpus, base = [], [], []
            bound = 2 * len(text.encode("utf-8"))  # over the default 1 MiB bound at 10,000
            for _ in range(args.load_rounds):
                if args.baseline:  # the same file loaded by another checkout, same conditions
                    base.append(_timed_load(args.baseline, path, bound)[0])
                cpu, wall, count = _timed_load(str(ROOT), path, bound)
                assert count == n, (count, n)
                cpus.append(cpu)
                walls.append(wall)
            extra = ""
            if base:
                b = statistics.median(base)
                extra = f"   baseline cpu {b:.2f}s (baseline/ours {b / statistics.median(cpus):.2f}x)"
            print(f"{n:>10} {text.count(chr(10)):>7} {statistics.median(walls):>8.2f}s "
                  f"{statistics.median(cpus):>8.2f}s "
                  f"{statistics.median(cpus) / n * 1e6:>15.0f}us{extra}")


def _timed_load(checkout: str, path: Path, bound: int) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, categories) of load_policy in a fresh process of a checkout
    (imports and a load of the ACME rulebook done before timing)."""
    code = ("import sys, time, policyengine\n"
            "policyengine.loads_policy(open(sys.argv[3]).read())\n"
            "c, w = time.process_time(), time.perf_counter()\n"
            "p = policyengine.load_policy(sys.argv[1], max_bytes=int(sys.argv[2]))\n"
            "print(time.process_time() - c, time.perf_counter() - w, len(p.categories))\n")
    done = subprocess.run([sys.executable, "-c", code, str(path), str(bound), str(ACME)],
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": checkout}, cwd=checkout)
    cpu, wall, count = done.stdout.split()[-3:]
    return float(cpu), float(wall), int(count)


# -- start-up ----------------------------------------------------------------------------------
#: what --help and evaluate of one dispute must not import (tests/unit/test_startup_imports.py
#: pins the same); printed as the ones each imports
HEAVY = ("z3", "networkx", "jsonschema", "lark", "yaml", "re2", "ruamel", "sqlalchemy",
         "alembic", "starlette", "uvicorn", "watchfiles", "pygls", "lsprotocol", "holidays",
         "policyengine.render", "policyengine.analysis", "policyengine.lint",
         "policyengine.diff", "policyengine.ledger", "policyengine.service", "policyengine.lsp",
         "policyengine.fmt")


def _startup_env() -> dict[str, str]:
    """The environment of the timed processes: bytecode caches written and read, as an
    installed package has them (pip compiles on install), whatever PYTHONDONTWRITEBYTECODE
    this shell sets."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _importtime(argv: list[str]) -> dict[str, int]:
    """``ARGV`` under ``python -X importtime`` (a script runs with this interpreter): each
    imported module's own (self) time in microseconds."""
    if argv[0] != sys.executable:
        argv = [sys.executable, *argv]
    done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], capture_output=True,
                          text=True, cwd=ROOT, env=_startup_env())
    own: dict[str, int] = {}
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "self [us]" not in line:
            head, _, name = line.rpartition("|")
            own[name.strip()] = int(head.split(":", 1)[1].split("|")[0])
    return own


def _origin(module: str) -> str:
    """Who a module's import time is charged to: policyengine, click, another distribution
    (by top-level name), or the standard library."""
    top = module.split(".")[0]
    if top in ("policyengine", "click"):
        return top
    if top in sys.stdlib_module_names or top.startswith("_") or top == "encodings":
        return "the standard library"
    return top


def _console_script() -> list[str]:
    """How a user runs ``policyengine``: the installed console script (it imports the entry
    alone, without runpy), else ``python -m policyengine.cli``."""
    script = Path(sys.executable).with_name("policyengine")
    return [str(script)] if script.exists() else [sys.executable, "-m", "policyengine.cli"]


def section_startup(args: argparse.Namespace) -> None:
    env = _startup_env()
    script = _console_script()

    def timed(argv: list[str]) -> Callable[[], None]:
        def run() -> None:
            subprocess.run(argv, capture_output=True, cwd=ROOT, env=env)
        return run

    with tempfile.TemporaryDirectory() as tmp:
        dispute = Path(tmp) / "d.json"
        dispute.write_text(json.dumps(DISPUTES[0]), encoding="utf-8")
        evaluate = ["evaluate", str(ACME), str(dispute), "--as-of", AS_OF.isoformat()]
        py = [sys.executable]
        commands = {"python -c pass": py + ["-c", "pass"],
                    "python -c 'import click'": py + ["-c", "import click"],
                    "policyengine --help": script + ["--help"],
                    "policyengine evaluate --help": script + ["evaluate", "--help"],
                    "python -m policyengine.cli --help": py + ["-m", "policyengine.cli", "--help"],
                    "policyengine --version (click)": script + ["--version"],
                    "policyengine evaluate (one dispute)": script + evaluate}
        fns = {name: timed(argv) for name, argv in commands.items()}
        for fn in fns.values():
            fn()  # warm: the bytecode caches exist before the first timed round
        m = rounds(fns, args.startup_rounds, 1)
        print(f"\n## start-up: wall time of a fresh process ({args.startup_rounds} shuffled "
              f"rounds; policyengine = {' '.join(Path(a).name for a in script)})")
        print(f"{'command':<40} {'median':>10} {'vs python -c pass':>18} "
              f"{'vs import click':>16}")
        base = m["python -c pass"]
        click_ns = m["python -c 'import click'"]
        for name, ns in m.items():
            print(f"{name:<40} {ns / 1e6:>8.1f}ms {ns / base:>17.2f}x {ns / click_ns:>15.2f}x")
        print(f"the bound of issue 14 (--help <= 2x python -c pass): "
              f"{m['policyengine --help'] / base:.2f}x, "
              f"{'met' if m['policyengine --help'] <= 2 * base else 'not met'} "
              f"(python -m: {m['python -m policyengine.cli --help'] / base:.2f}x, runpy's own "
              f"imports included); importing click alone is {click_ns / base:.2f}x; evaluate of "
              f"one dispute is {m['policyengine evaluate (one dispute)'] / base:.2f}x")
        # each module's own import time, summed by origin: the median over the runs
        runs = {"--help": script + ["--help"], "evaluate": script + evaluate}
        shares: dict[str, dict[str, list[int]]] = {k: {} for k in runs}
        seen: dict[str, set[str]] = {k: set() for k in runs}
        for _ in range(max(3, args.startup_rounds // 2)):
            for key, argv in runs.items():
                own = _importtime(argv)
                seen[key] |= set(own)
                total: dict[str, int] = {}
                for module, us in own.items():
                    total[_origin(module)] = total.get(_origin(module), 0) + us
                for origin in set(total) | set(shares[key]):
                    shares[key].setdefault(origin, []).append(total.get(origin, 0))
        med = {k: {o: statistics.median(v) for o, v in d.items()} for k, d in shares.items()}
        small = {o for o in set(med["--help"]) | set(med["evaluate"])
                 if max(med["--help"].get(o, 0), med["evaluate"].get(o, 0)) < 500}
        for key in runs:  # lumped: the many optional imports jsonschema and lark try
            rest = sum(med[key].pop(o, 0) for o in small)
            med[key][f"others ({len(small)}, each < 0.5ms)"] = rest
        origins = sorted(set(med["--help"]) | set(med["evaluate"]),
                         key=lambda o: -(med["evaluate"].get(o, 0) + med["--help"].get(o, 0)))
        print("\nimport time by origin (python -X importtime, each module's self time, "
              "median of the runs):")
        print(f"{'origin':<28} {'--help':>10} {'evaluate':>10}")
        for o in origins:
            print(f"{o:<28} " + " ".join(f"{med[k].get(o, 0) / 1000:>8.1f}ms" for k in runs))
        print(f"{'total':<28} " + " ".join(f"{sum(med[k].values()) / 1000:>8.1f}ms"
                                           for k in runs))
        print("modules imported, by origin (count):")
        for key in runs:
            counts: dict[str, int] = {}
            for module in seen[key]:
                counts[_origin(module)] = counts.get(_origin(module), 0) + 1
            print(f"  {key + ':':<10} " + ", ".join(
                f"{o} {n}" for o, n in sorted(counts.items(), key=lambda c: -c[1])))
        import textwrap

        for key in runs:
            ours = sorted(n for n in seen[key] if n.startswith("policyengine"))
            print(textwrap.fill(f"{key} imports of policyengine ({len(ours)}): "
                                + ", ".join(ours), 100, initial_indent="  ",
                                subsequent_indent="      "))
        print("heavy modules imported (of: " + ", ".join(HEAVY) + "):")
        for key in runs:
            got = sorted(h for h in HEAVY
                         if any(n == h or n.startswith(h + ".") for n in seen[key]))
            print(f"  {key + ':':<10} {', '.join(got) or 'none'}")


# -- json --------------------------------------------------------------------------------------
def section_json(args: argparse.Namespace) -> None:
    policy = policyengine.load_policy(ACME)
    records = [{"line": i, "decision": policy.evaluate(d, as_of=AS_OF).to_dict()}
               for i, d in enumerate(DISPUTES)]
    lines = [json.dumps(DISPUTES[i % len(DISPUTES)]).encode() for i in range(len(DISPUTES))]

    def stdlib_dumps(r: dict) -> bytes:
        return json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    codecs: dict[str, tuple[Callable[[dict], bytes], Callable[[bytes], Any]]] = {
        "json (stdlib)": (stdlib_dumps, json.loads)}
    try:
        import orjson

        codecs["orjson"] = (orjson.dumps, orjson.loads)
    except ImportError:
        print("orjson not installed: skipped")
    try:
        import msgspec

        enc, dec = msgspec.json.Encoder(), msgspec.json.Decoder()
        codecs["msgspec"] = (enc.encode, dec.decode)
    except ImportError:
        print("msgspec not installed: skipped")
    from policyengine.decide.jsonlines import dumps_record

    # what the batch writes: orjson where its bytes are provably the stdlib's, else the stdlib
    codecs["dumps_record (orjson, guarded)"] = (dumps_record, json.loads)
    want = [stdlib_dumps(r) for r in records]
    # amounts a decision may carry whose spelling differs between codecs (exponents)
    awkward = [{"amount": v} for v in (1e16, 1.5e-7, 1e-5, 123456789.0, 2 ** 63, 0.1)]
    fns = {}
    for name, (dumps, loads) in codecs.items():
        same = [dumps(r) for r in records] == want
        differ = [a["amount"] for a in awkward if dumps(a) != stdlib_dumps(a)]
        print(f"{name}: bytes of the benchmark records {'identical to' if same else 'DIFFER from'}"
              f" the stdlib's; amounts spelt differently: "
              f"{', '.join(map(repr, differ)) or 'none'}")

        def run(dumps: Callable[[dict], bytes] = dumps, loads: Callable[[bytes], Any] = loads
                ) -> None:
            for r in records:
                dumps(r)
            for raw in lines:
                loads(raw)
        fns[name] = run
    m = rounds(fns, args.rounds, args.number)
    table("json: encode a decision record + decode a dispute, per record", m, "json (stdlib)",
          per=len(records))
    _section_record(args, policy)


def _section_record(args: argparse.Namespace, policy: Any) -> None:
    """Decision.to_dict / to_json against the reference they must equal (core.decision:
    reference_dict built field by field, reference_json its stdlib bytes), on the RULEBOOK
    example's decisions; and the stdlib-pieces writer to_json falls back to."""
    from policyengine.core import decision as rec

    decisions = [policy.evaluate(d, as_of=AS_OF) for d in DISPUTES]
    same = all(d.to_json() == rec.reference_json(d) and d.to_dict() == rec.reference_dict(d)
               for d in decisions)
    for d in decisions:
        rec._warm(d)
    pieces = all(rec._record_text(d).encode("utf-8", errors="backslashreplace")
                 == rec.reference_json(d) for d in decisions)
    print(f"\nto_dict/to_json equal to the reference on the benchmark decisions: {same}; "
          f"the stdlib-pieces writer: {pieces}")

    def each(fn: Callable[[Any], Any]) -> Callable[[], None]:
        def run() -> None:
            for d in decisions:
                fn(d)
        return run

    fns = {"reference_json (stdlib of reference_dict)": each(rec.reference_json),
           "Decision.to_json": each(rec.Decision.to_json),
           "to_json's fallback (stdlib pieces)": each(rec._record_text),
           "reference_dict": each(rec.reference_dict),
           "Decision.to_dict": each(rec.Decision.to_dict)}
    m = rounds(fns, args.rounds, args.number)
    table("json: a decision's record, per decision (the same decisions each round)", m,
          "reference_json (stdlib of reference_dict)", per=len(decisions))


# -- batch -------------------------------------------------------------------------------------
#: run in the child: the command line, then its own CPU time and its workers' (they are its
#: children, waited for) as one JSON line on stderr's last line
_DRIVER = """
import json, resource, sys, time
from policyengine.cli.main import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"self": me.ru_utime + me.ru_stime, "workers": kids.ru_utime + kids.ru_stime,
                  "code": code}), file=sys.stderr)
"""


def _cli_run(checkout: Path, src: Path, dst: Path, jobs: int, pycache: Path
             ) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds of the command's own process, CPU seconds of its worker
    processes) of one batch run. Modules are compiled once into ``pycache`` (outside the
    checkout), as an installed package's are: start-up is not compiling sources each run."""
    cmd = [sys.executable, "-c", _DRIVER, "evaluate", str(ACME), "--input", str(src),
           "--output", str(dst), "--as-of", AS_OF.isoformat(), "--jobs", str(jobs),
           "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(checkout),
           "PYTHONPYCACHEPREFIX": str(pycache / checkout.name)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    done = subprocess.run(cmd, check=False, capture_output=True, cwd=checkout, env=env)
    wall = time.perf_counter() - start
    report = json.loads(done.stderr.decode().strip().splitlines()[-1])
    if report["code"] not in (0, None):
        raise SystemExit(f"batch run failed ({report['code']}): {done.stderr.decode()}")
    return wall, report["self"], report["workers"]


def section_batch(args: argparse.Namespace) -> None:
    import orjson

    from policyengine.decide import jsonlines
    from policyengine.load.json_input import loads, reference_loads

    policy = policyengine.load_policy(ACME)
    hand = handwritten_acme.make(policy)
    raws = [json.dumps(DISPUTES[i % len(DISPUTES)]).encode() for i in range(1000)]
    block = b"".join(raw + b"\n" for raw in raws)
    parsed = [loads(raw) for raw in raws]
    decisions = [policy.evaluate(d, as_of=AS_OF) for d in parsed]
    records = [{"line": i + 1, "decision": d.to_dict()} for i, d in enumerate(decisions)]
    for d in parsed:
        assert hand(orjson.loads(orjson.dumps(d)), AS_OF) == policy.evaluate(d, as_of=AS_OF)

    def cpu_per_line(fn: Callable[[], None]) -> float:
        samples = []
        for _ in range(args.rounds):
            start = time.process_time()
            fn()
            samples.append((time.process_time() - start) / len(raws) * 1e6)
        return statistics.median(samples)

    def parse_fast() -> None:
        for raw in raws:
            loads(raw)

    def parse_reference() -> None:
        for raw in raws:
            reference_loads(raw)

    def decide() -> None:
        for d in parsed:
            policy.evaluate(d, as_of=AS_OF)

    def encode() -> None:
        for d in decisions:
            d.to_json()

    def plain() -> None:
        for raw in raws:
            policy.evaluate(loads(raw), as_of=AS_OF).to_json()

    def chunk() -> None:
        jsonlines.decide_chunk(policy, 1, block, AS_OF)

    def codec_alone() -> None:
        for raw, rec in zip(raws, records):
            orjson.loads(raw)
            orjson.dumps(rec)

    def hand_in() -> None:
        for raw in raws:
            hand(orjson.loads(raw), AS_OF)

    def floor() -> None:
        for raw, rec in zip(raws, records):
            hand(orjson.loads(raw), AS_OF)
            orjson.dumps(rec)

    def hand_record() -> None:
        for n, raw in enumerate(raws, 1):
            orjson.dumps({"line": n, "decision": hand(orjson.loads(raw), AS_OF).to_dict()})

    chunk()
    ours = {"read a line (json_input.loads: orjson where provably the stdlib's)": parse_fast,
            "read a line (the standard library's reader alone)": parse_reference,
            "evaluate": decide, "Decision.to_json": encode,
            "a plain loop: loads, evaluate, to_json of each line": plain,
            "decide_chunk (read, evaluate, record bytes, counts)": chunk}
    floors = {"orjson.loads + orjson.dumps alone (line in, its record out)": codec_alone,
              "orjson.loads + the hand-written function": hand_in,
              "floor: orjson.loads + hand-written + orjson.dumps(record)": floor,
              "hand-written + its to_dict() + orjson.dumps, per line": hand_record}
    parts = {**ours, **floors}
    cost = {}
    for name in random.sample(list(parts), len(parts)):
        cost[name] = cpu_per_line(parts[name])
    total = cost["decide_chunk (read, evaluate, record bytes, counts)"]
    print(f"\n## batch: in-process, CPU time per line (median of {args.rounds} rounds of "
          f"{len(raws)} lines)")
    for name in ours:
        print(f"{name:<64} {cost[name]:>8.2f}us")
    rest = total - cost["a plain loop: loads, evaluate, to_json of each line"]
    print(f"{'the chunk path around them (decide_chunk - the plain loop)':<64} {rest:>8.2f}us")
    print(f"decide_chunk: {1e6 / total:,.0f} decisions per CPU-second (per core; the bound is "
          "100,000: 10us per line, JSON in and out included)")
    print("\n## batch: the floor of any Python implementation of this record (the hand-written "
          "function, benchmarks/handwritten_acme.py; the record's dict made beforehand, so "
          "its making is not counted)")
    for name in floors:
        print(f"{name:<64} {cost[name]:>8.2f}us {1e6 / cost[name]:>10,.0f}/s")
    low = cost["floor: orjson.loads + hand-written + orjson.dumps(record)"]
    print(f"floor: {1e6 / low:,.0f} decisions per CPU-second at best for a Python function of "
          f"this policy ({low / 10:.1f}x the 10us per line that 100,000/s/core needs); "
          f"decide_chunk is {total / low:.2f}x the floor")
    _batch_runs(args)


def _batch_runs(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        one = Path(tmp) / "one.jsonl"
        pycache = Path(tmp) / "pycache"
        with src.open("w") as fh:
            for i in range(args.batch_lines):
                fh.write(json.dumps(DISPUTES[i % len(DISPUTES)]) + "\n")
        one.write_text(json.dumps(DISPUTES[0]) + "\n")
        runs = {"--jobs 1": (ROOT, 1), "--jobs 2": (ROOT, 2)}
        if args.baseline:
            runs["baseline --jobs 1"] = (Path(args.baseline), 1)
            runs["baseline --jobs 2"] = (Path(args.baseline), 2)
        for checkout, jobs in set(runs.values()):  # compile the modules once: not timed
            _cli_run(checkout, one, Path(tmp) / "warm.jsonl", jobs, pycache)
        samples: dict[str, list[tuple[float, float, float]]] = {k: [] for k in runs}
        starts: list[tuple[float, float, float]] = []
        outputs = {}
        load_before = os.getloadavg()[0]
        for _ in range(args.batch_rounds):
            order = [*runs, "start-up"]
            random.shuffle(order)
            for name in order:
                if name == "start-up":  # one line: start-up, load, the output's commit
                    starts.append(_cli_run(ROOT, one, Path(tmp) / "one-out.jsonl", 1, pycache))
                    continue
                checkout, jobs = runs[name]
                dst = Path(tmp) / f"out-{name.replace(' ', '_')}.jsonl"
                samples[name].append(_cli_run(checkout, src, dst, jobs, pycache))
                outputs[name] = dst.read_bytes()
        n = args.batch_lines
        med = {k: [statistics.median(s[i] for s in v) for i in range(3)]
               for k, v in samples.items()}
        sw, sc, _ = (statistics.median(s[i] for s in starts) for i in range(3))
        print(f"\n## batch: `evaluate --input/--output`, {n:,} lines, median of "
              f"{args.batch_rounds} shuffled rounds (start-up: one line takes {sw:.2f}s wall, "
              f"{sc:.2f}s CPU; load average {load_before:.1f} before, "
              f"{os.getloadavg()[0]:.1f} after)")
        print(f"{'run':<20} {'wall':>7} {'CPU: command':>13} {'workers':>8} {'lines/s wall':>13}"
              f" {'per CPU-s':>10} {'parent us/line':>15}")
        for name in runs:
            w, me, kids = med[name]
            parent = (me - sc) / n * 1e6 if kids else float("nan")
            print(f"{name:<20} {w:>6.2f}s {me:>12.2f}s {kids:>7.2f}s {n / w:>13,.0f} "
                  f"{n / (me + kids):>10,.0f} {parent:>15.2f}")
        w1, w2 = med["--jobs 1"][0], med["--jobs 2"][0]
        c1 = med["--jobs 1"][1]
        me2, kids2 = med["--jobs 2"][1], med["--jobs 2"][2]
        print(f"--jobs 2 vs --jobs 1: {w1 / w2:.2f}x the lines per second (wall, start-up "
              f"included; the bound is 1.8x; {os.cpu_count()} cpu: on a busy machine the "
              "second core is not free)")
        if w2 > sw and w1 > sw:
            print(f"start-up off (one line's wall time subtracted from both): "
                  f"{(w1 - sw) / (w2 - sw):.2f}x; Amdahl's bound with start-up ({sw:.2f}s of "
                  f"{w1:.2f}s) in series on 2 free cores: {w1 / (sw + (w1 - sw) / 2):.2f}x")
        if kids2:
            # on 2 free cores the command and its 2 workers share them: the lines take at
            # least their CPU time over 2, and at least the command's own (it is one thread)
            steady1 = c1 - sc
            steady2 = max(me2 - sc, (me2 - sc + kids2) / 2)
            print(f"--jobs 2 uses {(me2 + kids2) / c1:.2f}x the CPU time of --jobs 1; the "
                  f"command's own share with --jobs 2 is {(me2 - sc) / n * 1e6:.2f}us per line "
                  f"(start-up off), its workers' {kids2 / n * 1e6:.2f}us (one process: "
                  f"{steady1 / n * 1e6:.2f}us); on 2 free cores those CPU times allow at most "
                  f"{(sc + steady1) / (sc + steady2):.2f}x (start-up's CPU time in series), "
                  f"{steady1 / steady2:.2f}x start-up off")
        print(f"outputs: --jobs 1 and --jobs 2 identical: {outputs['--jobs 1'] == outputs['--jobs 2']}"
              + (f"; identical to the baseline's: {outputs['--jobs 1'] == outputs['baseline --jobs 1']}"
                 if args.baseline else ""))
        _machine_ceiling(args)


_SPIN = "import time\nt=time.perf_counter()\ns=0\nfor i in range({n}): s += i * i % 7\n" \
        "print(time.perf_counter()-t)"


def _machine_ceiling(args: argparse.Namespace) -> None:
    """What two processes can do on this machine at all: a pure-Python CPU loop run alone and
    two copies at once (shuffled rounds, wall time). Where the second core is not free (a
    shared host, sibling hardware threads, other sessions), no --jobs 2 can beat this ratio."""
    n = 300_000 if args.quick else 6_000_000
    code = _SPIN.format(n=n)

    def spin(copies: int) -> float:
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL)
                 for _ in range(copies)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - start

    one, two = [], []
    for _ in range(args.batch_rounds + 2):
        for copies in random.sample([1, 2], 2):
            (one if copies == 1 else two).append(spin(copies))
    ratio = 2 * statistics.median(one) / statistics.median(two)
    print(f"this machine's ceiling for 2 processes: two CPU-bound Python loops at once do "
          f"{ratio:.2f}x the work of one per wall second (median of {len(one)} shuffled rounds; "
          f"2.00x on two free cores): the --jobs 2 bound of 1.8x needs at least that")


# -- expressions -------------------------------------------------------------------------------
def section_expressions(args: argparse.Namespace) -> None:
    """The four triggers of benchmarks/bench_expressions.py: our compiled form against a Python
    lambda, cel-python, the Rust CEL bindings and the C++ CEL bindings (cel-cpp), where
    installed."""
    import bench_expressions

    print("\n## expressions: one trigger, per call (the compiled form vs lambdas and CEL peers)")
    sys.stdout.flush()
    bench_expressions.main(["--repeats", "2" if args.quick else "7",
                            "--target-ms", "2" if args.quick else "40"])


SECTIONS = {"decision": section_decision, "table": section_table, "load": section_load,
            "startup": section_startup, "json": section_json, "batch": section_batch,
            "expressions": section_expressions}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes (CI: the code still runs)")
    ap.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    ap.add_argument("--baseline", default=None, metavar="CHECKOUT",
                    help="load and batch sections: also time another checkout of policyengine "
                         "(before/after)")
    ap.add_argument("--load-sizes", default=None, metavar="N,N",
                    help="load section: the rulebook sizes (default 1000,10000)")
    ap.add_argument("--load-rounds", type=int, default=None, help="load section: rounds")
    ap.add_argument("--batch-lines", type=int, default=None,
                    help="batch section: lines of input (default 100,000)")
    ap.add_argument("--batch-rounds", type=int, default=None, help="batch section: rounds")
    args = ap.parse_args(argv)
    q = args.quick
    args.rounds = 3 if q else 15
    args.number = 20 if q else 400
    args.load_sizes = ([int(n) for n in args.load_sizes.split(",")] if args.load_sizes
                       else [50, 200] if q else [1000, 10000])
    args.load_rounds = args.load_rounds or (1 if q else 3)
    args.startup_rounds = 2 if q else 11
    args.batch_lines = args.batch_lines or (500 if q else 100000)
    args.batch_rounds = args.batch_rounds or (1 if q else 5)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpu, load average "
          f"{os.getloadavg()[0]:.1f}{' (quick mode: numbers not meaningful)' if q else ''}")
    for name in args.only.split(","):
        SECTIONS[name](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
