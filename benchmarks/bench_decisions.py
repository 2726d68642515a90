"""Decision benchmark: policyengine's evaluate against a hand-written function and GoRules Zen.

Run:  python benchmarks/bench_decisions.py [--repeat 7] [--number 2000]

In one run, on the RULEBOOK example (policies/acme-channel-conflict.yaml) and a mix of disputes:
  * ours          Policy.evaluate(dispute, as_of=...) -> Decision (object built; to_dict apart)
  * ours+to_dict  the same, then Decision.to_dict()
  * hand-written  benchmarks/handwritten_acme.py: the same policy coded by hand, returning an
                  equal Decision (checked before timing)
  * zen-engine    GoRules Zen evaluating the category, band and override logic of the policy as a
                  JDM decision table (it does less: no fact validation, dates, remedies or trace)
and the batch throughput of `policyengine evaluate --input/--output` (decisions per second per
core). Prints per-decision medians and ratios. Machines are shared and noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import handwritten_acme  # noqa: E402

import policyengine  # noqa: E402

AS_OF = _dt.date(2026, 11, 22)
DISPUTES = [
    {"kind": "pricing", "amount": 120000.0, "region": "EMEA", "partner": {"tier": "gold"}},
    {"kind": "pricing", "amount": 4000.0, "region": "NA", "partner": {"tier": "silver"}},
    {"kind": "territory", "amount": 40000.0, "region": "APAC",
     "partner": {"tier": "platinum", "exclusive": True},
     "escalation": {"level": "regional", "since": "2026-11-02"}},
    {"kind": "lead_routing", "amount": 2000.0, "region": "LATAM",
     "partner": {"tier": "registered"}, "recurrences_90d": 4,
     "remedies_in_force": [{"id": "lead-reassignment", "granted_on": "2026-09-15"}]},
    {"kind": "mdf", "amount": 75000.0, "region": "EMEA", "partner": {"tier": "gold"},
     "compliance_flag": True},
]


def zen_model() -> str:
    """The category/band/override logic of the ACME policy as a JDM graph for zen-engine."""
    def node(i, kind, name, content=None):
        n = {"id": i, "type": kind, "name": name, "position": {"x": 0, "y": 0}}
        if content is not None:
            n["content"] = content
        return n
    table = {
        "hitPolicy": "first",
        "inputs": [{"id": "k", "name": "kind", "type": "expression", "field": "kind"},
                   {"id": "a", "name": "amount", "type": "expression", "field": "amount"},
                   {"id": "x", "name": "exclusive", "type": "expression",
                    "field": "partner.exclusive"}],
        "outputs": [{"id": "c", "name": "category", "type": "expression", "field": "category"},
                    {"id": "l", "name": "level", "type": "expression", "field": "base"}],
        "rules": [
            {"_id": "1", "k": '"pricing"', "a": "< 10000", "x": "", "c": '"pricing"', "l": "0"},
            {"_id": "2", "k": '"pricing"', "a": "< 250000", "x": "", "c": '"pricing"', "l": "1"},
            {"_id": "3", "k": '"pricing"', "a": "", "x": "", "c": '"pricing"', "l": "2"},
            {"_id": "4", "k": '"exclusivity"', "a": "", "x": "", "c": '"exclusivity"', "l": "1"},
            {"_id": "5", "k": '"territory"', "a": "", "x": "true", "c": '"exclusivity"',
             "l": "1"},
            {"_id": "6", "k": "", "a": "< 50000", "x": "", "c": '"operational"', "l": "0"},
            {"_id": "7", "k": "", "a": "", "x": "", "c": '"operational"', "l": "1"},
        ],
    }
    overrides = {"expressions": [
        {"id": "c", "key": "category", "value": "category"},
        {"id": "o", "key": "level",
         "value": "max([base, (recurrences_90d ?? 0) >= 3 ? 1 : 0, "
                  "(compliance_flag ?? false) ? 2 : 0])"}]}
    graph = {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [node("in", "inputNode", "Request"),
                  node("dt", "decisionTableNode", "Category and band", table),
                  node("ov", "expressionNode", "Overrides", overrides),
                  node("out", "outputNode", "Response")],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "dt", "type": "edge"},
                  {"id": "e2", "sourceId": "dt", "targetId": "ov", "type": "edge"},
                  {"id": "e3", "sourceId": "ov", "targetId": "out", "type": "edge"}],
    }
    return json.dumps(graph)


def median_ns(fn, number: int, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter_ns() - start) / number)
    return statistics.median(samples)


def per_decision(fn, number: int, repeat: int) -> float:
    k = len(DISPUTES)

    def run():
        for d in DISPUTES:
            fn(d)
    return median_ns(run, max(1, number // k), repeat) / k


def batch_throughput(path: Path, lines: int) -> tuple[float, float]:
    """Decisions per second of `policyengine evaluate --input --output` (jobs 1 and 2)."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with src.open("w") as fh:
            for i in range(lines):
                fh.write(json.dumps(DISPUTES[i % len(DISPUTES)]) + "\n")
        for jobs in (1, 2):
            dst = Path(tmp) / f"out{jobs}.jsonl"
            cmd = [sys.executable, "-m", "policyengine.cli", "evaluate", str(path), "--input",
                   str(src), "--output", str(dst), "--as-of", AS_OF.isoformat(), "--jobs",
                   str(jobs), "--no-progress"]
            start = time.perf_counter()
            subprocess.run(cmd, check=False, capture_output=True)
            elapsed = time.perf_counter() - start
            out.append(lines / elapsed)
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--number", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--batch-lines", type=int, default=20000)
    args = ap.parse_args()

    path = ROOT / "policies" / "acme-channel-conflict.yaml"
    policy = policyengine.load_policy(path)
    hand = handwritten_acme.make(policy)
    for d in DISPUTES:  # same answers before any timing
        assert policy.evaluate(d, as_of=AS_OF) == hand(d, AS_OF), d

    rows = []
    ours = per_decision(lambda d: policy.evaluate(d, as_of=AS_OF), args.number, args.repeat)
    rows.append(("policyengine evaluate", ours))
    rows.append(("policyengine evaluate + to_dict",
                 per_decision(lambda d: policy.evaluate(d, as_of=AS_OF).to_dict(),
                              args.number, args.repeat)))
    hand_ns = per_decision(lambda d: hand(d, AS_OF), args.number, args.repeat)
    rows.append(("hand-written Python", hand_ns))
    try:
        import zen

        engine = zen.ZenEngine()
        decision = engine.create_decision(zen_model())
        got = decision.evaluate(DISPUTES[0])["result"]
        assert got["category"] == "pricing" and got["level"] == 1, got
        rows.append(("zen-engine (category+band+overrides only)",
                     per_decision(lambda d: decision.evaluate(d), args.number, args.repeat)))
    except ImportError:
        print("zen-engine not installed (pip install -e '.[bench]'): skipped")

    print(f"per-decision medians over {args.repeat} runs, {len(DISPUTES)} disputes "
          f"(python {sys.version.split()[0]}, {os.cpu_count()} cpu)")
    print(f"{'implementation':<45} {'median':>10} {'vs hand-written':>16}")
    for name, ns in rows:
        print(f"{name:<45} {ns / 1000:>8.1f}us {ns / hand_ns:>15.2f}x")
    from policyengine.cli import batch

    batch._POLICY, batch._AS_OF = policy, AS_OF
    lines = [(i, json.dumps(DISPUTES[i % len(DISPUTES)]).encode()) for i in range(5000)]
    start = time.perf_counter()
    for item in lines:
        batch.decide_line(item)
    per_core = len(lines) / (time.perf_counter() - start)
    print(f"batch line cost in-process (parse JSON, decide, serialize): {per_core:,.0f} "
          "decisions/s per core")
    one, two = batch_throughput(path, args.batch_lines)
    print(f"batch `evaluate --input/--output`, {args.batch_lines} lines: {one:,.0f} decisions/s "
          f"with --jobs 1, {two:,.0f} with --jobs 2 (process start-up and policy load "
          "included)")


if __name__ == "__main__":
    main()
