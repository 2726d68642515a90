"""Time ``policyengine lint`` (every check, the solver-backed logic analysis included) on
generated rulebooks of 10, 100 and 1,000 categories.

    python benchmarks/bench_lint.py [--sizes 10,100,1000] [--repeats 3] [--keep DIR]

A generated rulebook looks like a large real one: facts ``kind`` (an enum of 40 values),
``region`` (4), ``segment`` (8), ``amount`` (double), ``recurrences`` (int) and a ``partner`` map;
each category pins one (kind, region, segment) combination, most with three amount bands and an
``otherwise``; one in ten is a large-amount special case followed by its general category (a
fallback the solver must recognise, not report), and a catch-all comes last. Overrides and
remedies with computed amounts complete it. The rulebook lints clean, so the time is that of the
full analysis, not of reporting.

Each row: the median wall time of ``lint_paths`` over ``--repeats`` runs (load, schema, model,
every lint rule and the logic analysis), the time of the logic analysis alone in one more run,
and its number of solver queries.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policyengine.analysis import check_coverage  # noqa: E402
from policyengine.lint import lint_paths  # noqa: E402
from policyengine.compile.pipeline import inspect_file  # noqa: E402

AS_OF = _dt.date(2026, 11, 23)
KINDS = [f"k{i:02d}" for i in range(40)]
REGIONS = ["NA", "EMEA", "APAC", "LATAM"]
SEGMENTS = [f"s{i}" for i in range(8)]

HEAD = """\
policy:
  id: generated-{n}
  title: Generated rulebook of {n} categories
  version: 1.0.0
  effective: 2026-01-01
  expires: 2028-12-31
  owners: [legal@acme.example]

facts:
  kind:    {{type: string, enum: [{kinds}]}}
  region:  {{type: string, enum: [{regions}]}}
  segment: {{type: string, enum: [{segments}]}}
  amount:  {{type: double, min: 0, unit: USD}}
  recurrences: {{type: int, min: 0, default: 0}}
  partner:
    type: map
    fields:
      tier:      {{type: string, enum: [platinum, gold, silver]}}
      exclusive: {{type: bool, default: false}}

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
  - {{id: exclusive, when: partner.exclusive && partner.tier == "platinum", min_level: executive, reason: Exclusive platinum}}

remedies:
  - {{id: realign, title: Price realignment, action: price_adjustment, amount: amount * 0.1, when: amount >= 1000.0, sunset: 90d}}
  - {{id: hold, title: Hold, action: hold_unilateral, sunset: 30d}}

categories:
"""


def _category(cid: str, when: str, bands: list[str]) -> str:
    lines = [f"  - id: {cid}", f"    title: Category {cid}", "    class: commercial",
             f"    when: '{when}'", "    thresholds:", *bands,
             "    remedies: [realign, hold]"]
    return "\n".join(lines) + "\n"


def generate(n: int) -> str:
    out = [HEAD.format(n=n, kinds=", ".join(KINDS), regions=", ".join(REGIONS),
                       segments=", ".join(SEGMENTS))]
    combos = [(k, r, s) for k in KINDS for s in SEGMENTS for r in REGIONS]
    i = 0
    for k, r, s in combos:
        if i >= n - 1:
            break
        base = f'kind == "{k}" && region == "{r}" && segment == "{s}"'
        low = 1000 * (1 + i % 7)
        bands = [f"      - {{when: amount < {low}.0, level: frontline}}",
                 f"      - {{when: amount < {low * 10}.0, level: regional}}",
                 "      - {otherwise: executive}"]
        if i % 10 == 9 and i + 1 < n - 1:  # a special case, then its general fallback
            out.append(_category(f"c{i}-large", f"{base} && amount >= 250000.0",
                                 ["      - {otherwise: executive}"]))
            i += 1
        out.append(_category(f"c{i}", base, bands))
        i += 1
    out.append(_category("other", "true", ["      - {when: amount < 10000.0, level: frontline}",
                                           "      - {otherwise: regional}"]))
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None,
                        help="write the generated rulebooks into this folder")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-lint-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'categories':>10} {'lines':>7} {'lint median':>12} {'min':>8} {'max':>8} "
          f"{'of which logic':>15} {'solver queries':>15} {'findings':>9}")
    for n in sizes:
        path = folder / f"generated-{n}.yaml"
        text = generate(n)
        path.write_text(text, encoding="utf-8")
        times = []
        findings = None
        for _ in range(args.repeats):
            started = time.perf_counter()
            result = lint_paths([path], as_of=AS_OF)
            times.append(time.perf_counter() - started)
            findings = len(result.diagnostics)
        policy = inspect_file(path).policy
        started = time.perf_counter()
        queries = check_coverage(policy, as_of=AS_OF).queries if policy is not None else 0
        logic = time.perf_counter() - started
        cats = len(policy.categories) if policy is not None else n
        print(f"{cats:>10} {text.count(chr(10)):>7} {statistics.median(times):>11.2f}s "
              f"{min(times):>7.2f}s {max(times):>7.2f}s {logic:>14.2f}s {queries:>15} "
              f"{findings:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
