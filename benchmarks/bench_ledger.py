"""Ledger benchmark: decisions recorded per second, and `due`/`metrics` over many disputes.

Run:  python benchmarks/bench_ledger.py [--quick] [--decisions 400] [--disputes 100000]
      (PostgreSQL too when POLICYENGINE_BENCH_PG_URL, or POLICYENGINE_TEST_PG_URL, names a
      server where the user may create databases)

In one run, with the ledger scenario's policy (tests/ledger/data/partner-conflict, which has a
derived recurrence fact):
  * bare evaluate   Policy.evaluate(dispute) -> to_dict(), the derived count given
  * ledger, 1 proc  Ledger.open + Ledger.decide, each one transaction (events, state, log)
  * ledger, 4 procs four processes doing the same at once on one ledger (wall clock)
on SQLite (a file in a temporary folder) and PostgreSQL; then `due` and `metrics` over
--disputes disputes (recorded in bulk with the ledger's own fold and hashing, then each timed
through the public API). Prints medians (of --repeat runs for the short timings) and ratios.
Machines are shared and noisy: read the ratios. --quick: a small run for CI.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policyengine import load_policy  # noqa: E402
from policyengine.ledger import Ledger  # noqa: E402

POLICY = ROOT / "tests" / "ledger" / "data" / "partner-conflict" / "partner-conflict-1.0.yaml"
KINDS = ["pricing", "territory", "lead_routing"]
START = _dt.date(2026, 1, 5)


def facts(i: int) -> dict[str, Any]:
    return {"kind": KINDS[i % 3], "amount": float(500 + (i * 7919) % 60000),
            "partner": {"id": f"P-{i % 97}", "tier": "gold" if i % 2 else "silver"}}


def bare(n: int) -> float:
    policy = load_policy(POLICY)
    t = time.perf_counter()
    for i in range(n):
        policy.evaluate(dict(facts(i), recurrences_90d=i % 3),
                        as_of=START + _dt.timedelta(days=i % 200)).to_dict()
    return n / (time.perf_counter() - t)


def _record(url: str, worker: str, n: int, barrier: float = 0.0) -> float:
    """Opens n/2 disputes and decides each once: n decisions recorded. Returns seconds (or,
    with ``barrier``, waits until that wall-clock time and returns the wall-clock end)."""
    with Ledger(url) as lg:
        lg.policies()  # connect and check the schema before timing
        load_policy(POLICY)
        while time.time() < barrier:
            time.sleep(0.01)
        t = time.perf_counter()
        for i in range(n // 2):
            did = f"{worker}-{i}"
            day = START + _dt.timedelta(days=(i * 3) % 200)
            lg.open(did, POLICY, facts(i), on=day, actor=worker)
            lg.decide(did, on=day + _dt.timedelta(days=9), actor=worker)
        return time.time() if barrier else time.perf_counter() - t


def one_process(url: str, n: int) -> float:
    return n / _record(url, "solo-" + uuid.uuid4().hex[:6], n)


def four_processes(url: str, n: int) -> float:
    per = n // 4
    code = ("import sys; sys.path.insert(0, %r); sys.path.insert(0, %r); import bench_ledger as b;"
            " print(b._record(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))"
            % (str(ROOT), str(Path(__file__).parent)))
    # the workers start (imports, policy load, connection) first, then all begin at `start`:
    # start-up is not recording
    start = time.time() + 20.0
    procs = [subprocess.Popen([sys.executable, "-c", code, url, f"w{w}-{uuid.uuid4().hex[:6]}",
                               str(per), repr(start)], stdout=subprocess.PIPE, text=True)
             for w in range(4)]
    ends = []
    for p in procs:
        out, _ = p.communicate()
        if p.returncode != 0:
            raise SystemExit("a writer process failed")
        ends.append(float(out.strip().splitlines()[-1]))
    if min(ends) < start:
        raise SystemExit("a writer started late: raise the start-up allowance")
    return (per // 2 * 2 * 4) / (max(ends) - start)


def populate(url: str, count: int) -> None:
    """``count`` disputes, each opened, decided and (one in three) granted a remedy, a third
    resolved: written in bulk with the ledger's own fold (state.apply) and hash chain."""
    from sqlalchemy import insert

    from policyengine.ledger import engine as eng
    from policyengine.ledger import state as fold
    from policyengine.ledger.records import canonical_json, event_hash, utc_stamp
    from policyengine.ledger.tables import disputes, events, policy_versions

    policy = load_policy(POLICY)
    cache: dict[tuple[Any, ...], dict[str, Any]] = {}
    rng = random.Random(7)
    engine = eng.create(eng.resolve_url(url))
    with engine.begin() as conn:
        conn.execute(insert(policy_versions).values(
            digest=policy.digest, policy_id=policy.id, version=policy.version,
            effective=policy.meta.effective.isoformat(), expires=None,
            source_name=str(POLICY), source_text=POLICY.read_text(), recorded_at=utc_stamp()))
    batch_d: list[dict[str, Any]] = []
    batch_e: list[dict[str, Any]] = []

    def flush() -> None:
        with engine.begin() as conn:
            conn.execute(insert(disputes), batch_d)
            conn.execute(insert(events), batch_e)
        batch_d.clear()
        batch_e.clear()

    at = utc_stamp()
    for i in range(count):
        did = f"B-{i}"
        f = facts(i)
        opened = START + _dt.timedelta(days=rng.randrange(330))
        rec = i % 3
        key = (f["kind"], f["amount"] >= 5000, f["amount"] >= 10000, rec, opened.weekday())
        dec = cache.get(key)
        if dec is None:
            dec = policy.evaluate(dict(f, recurrences_90d=rec), as_of=opened).to_dict()
            cache[key] = dec
        # shift the cached decision's dates to this dispute's opening date
        base = _dt.date.fromisoformat(dec["as_of"])
        delta = opened - base

        def shift(d: str | None) -> str | None:
            return None if d is None else (_dt.date.fromisoformat(d) + delta).isoformat()

        dec = dict(dec, as_of=opened.isoformat(), respond_by=shift(dec["respond_by"]),
                   decide_by=shift(dec["decide_by"]))
        history: list[tuple[str, _dt.date, dict[str, Any]]] = [("opened", opened, {"policy": {"id": policy.id, "version": policy.version,
                                                  "digest": policy.digest},
                                       "facts": f, "derived": {"recurrences_90d": rec},
                                       "input": dict(f, recurrences_90d=rec), "decision": dec,
                                       "decision_id": uuid.uuid4().hex,
                                       "pinned_on": opened.isoformat()})]
        if i % 3 == 0:
            history.append(("remedy_granted", opened, {
                "remedy": "hold", "expires_on": (opened + _dt.timedelta(days=60)).isoformat(),
                "review_on": (opened + _dt.timedelta(days=14)).isoformat()}))
        if i % 3 == 1:
            history.append(("resolved", opened + _dt.timedelta(days=rng.randrange(1, 60)),
                            {"outcome": "settled", "memo": None}))
        st: dict[str, Any] | None = None
        prev: str | None = None
        for n, (kind, on, payload) in enumerate(history, start=1):
            pj = canonical_json(payload)
            h = event_hash(did, n, kind, "bench", on.isoformat(), at, pj, prev)
            st = fold.apply(st, did, kind, on.isoformat(), json.loads(pj))
            batch_e.append({"dispute_id": did, "n": n, "kind": kind, "actor": "bench",
                            "on_date": on.isoformat(), "at": at, "payload": pj,
                            "prev_hash": prev, "hash": h})
            prev = h
        assert st is not None
        batch_d.append(dict(fold.columns(st), id=did, state=canonical_json(st),
                            opened_facts=canonical_json(st["opened_facts"]),
                            last_n=len(history), last_hash=prev, opened_at=at))
        if len(batch_d) >= 2000:
            flush()
    if batch_d:
        flush()
    engine.dispose()


def record(name: str, fresh: Any, n: int, base: float) -> None:
    url = fresh()
    with Ledger(url) as lg:
        lg.init()
    one = one_process(url, n)
    url4 = fresh()
    with Ledger(url4) as lg:
        lg.init()
    four = four_processes(url4, n)
    print(f"{name}: recorded {one:,.0f} decisions/s in one process "
          f"({base / one:,.0f}x slower than bare evaluate), {four:,.0f}/s with four "
          f"processes at once (all four together, wall clock)")


def timed(fn: Any, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def backends(tmp: str) -> Iterator[tuple[str, Any]]:
    """(name, a function making a fresh empty ledger URL)."""
    yield "SQLite", lambda: os.path.join(tmp, uuid.uuid4().hex + ".db")
    admin = os.environ.get("POLICYENGINE_BENCH_PG_URL") or os.environ.get(
        "POLICYENGINE_TEST_PG_URL")
    if not admin:
        print("PostgreSQL: skipped (set POLICYENGINE_BENCH_PG_URL to a server URL)")
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    def fresh() -> str:
        name = "pe_bench_" + uuid.uuid4().hex[:10]
        eng = create_engine(admin, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        eng.dispose()
        made.append(name)
        return make_url(admin).set(database=name).render_as_string(hide_password=False)

    made: list[str] = []
    try:
        yield "PostgreSQL", fresh
    finally:
        eng = create_engine(admin, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        eng.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a small run (CI)")
    ap.add_argument("--decisions", type=int, default=400)
    ap.add_argument("--disputes", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-record", action="store_true",
                    help="only `due` and `metrics` over --disputes disputes")
    args = ap.parse_args()
    if args.quick:
        args.decisions, args.disputes, args.repeat = 40, 2_000, 3
    n = args.decisions
    base = bare(max(n, 2000))
    print(f"bare evaluate: {base:,.0f} decisions/s (one process)")
    with tempfile.TemporaryDirectory() as tmp:
        for name, fresh in backends(tmp):
            if not args.skip_record:
                record(name, fresh, n, base)
            big = fresh()
            with Ledger(big) as lg:
                lg.init()
            t = time.perf_counter()
            populate(big, args.disputes)
            print(f"{name}: {args.disputes:,} disputes written in bulk in "
                  f"{time.perf_counter() - t:.1f} s")
            with Ledger(big) as lg:
                if args.disputes <= 5_000:
                    report = lg.verify()
                    assert report.ok, report.problems[:3]
                on = START + _dt.timedelta(days=200)
                items: list[Any] = []
                d = timed(lambda: items.extend(lg.due(on=on, within=7)), args.repeat)
                m = timed(lambda: lg.metrics(by="category"), max(1, args.repeat // 2))
                mf = timed(lambda: lg.metrics(by="partner.tier"), 1)
                print(f"{name}: due over {args.disputes:,} disputes: {d * 1000:,.0f} ms median "
                      f"({len(items) // args.repeat:,} items); metrics by category: "
                      f"{m * 1000:,.0f} ms; by partner.tier: {mf * 1000:,.0f} ms")


if __name__ == "__main__":
    main()
