"""Service benchmark: `policyengine serve` under load on loopback, against in-process calls.

Run:  python benchmarks/bench_service.py [--quick] [--requests 2000] [--soak 60]

In one run, on the RULEBOOK example policy and a mix of five disputes:
  * in-process       Policy.evaluate(...).to_json(): what a decision costs without HTTP or log
  * in-process+log   the same and Ledger.log_decision (one SQLite transaction): the service's
                     work without HTTP
  * http single      POST /v1/policies/ID/decisions, with 1, 16 and 64 concurrent connections
  * http batch       POST .../decisions/batch with 100 disputes per request, 1, 16 and 64
                     concurrent connections
each with throughput (decisions per second) and p50/p99 latency per request; then a soak run
(--soak seconds of the 16-connection single load) with the server's resident memory (VmRSS)
before and after. The server is a subprocess on 127.0.0.1 (a free port), with a throwaway
SQLite ledger and no access log; the client (httpx, asyncio) runs on the same machine and
takes CPU from it: read the ratios, not the absolute numbers. Bounded: each case stops after
--requests requests or --max-seconds, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as _dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policies" / "acme-channel-conflict.yaml"
AS_OF = "2026-11-22"
DISPUTES = [
    {"kind": "pricing", "amount": 120000.0, "region": "EMEA", "partner": {"tier": "gold"}},
    {"kind": "pricing", "amount": 4000.0, "region": "NA", "partner": {"tier": "silver"}},
    {"kind": "territory", "amount": 40000.0, "region": "APAC",
     "partner": {"tier": "platinum", "exclusive": True},
     "escalation": {"level": "regional", "since": "2026-11-02"}},
    {"kind": "lead_routing", "amount": 2000.0, "region": "LATAM",
     "partner": {"tier": "registered"}, "recurrences_90d": 4},
    {"kind": "mdf", "amount": 75000.0, "region": "EMEA", "partner": {"tier": "gold"},
     "compliance_flag": True},
]
BATCH = 100


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        m = re.search(r"VmRSS:\s+(\d+) kB", fh.read())
    return int(m.group(1)) if m else -1


def in_process(n: int, tmp: Path) -> tuple[float, float]:
    """(decisions/s without log, with the log write)."""
    import policyengine
    from policyengine.ledger import DecisionLogEntry, Ledger, redact_facts

    policy = policyengine.load_policy(POLICY)
    day = _dt.date(2026, 11, 22)
    t0 = time.perf_counter()
    for i in range(n):
        policy.evaluate(DISPUTES[i % 5], as_of=day).to_json()
    bare = n / (time.perf_counter() - t0)
    ledger = Ledger(str(tmp / "inproc.db"), source="bench")
    ledger.init()
    m = min(n, 2000)
    t0 = time.perf_counter()
    for i in range(m):
        started = time.perf_counter()
        d = policy.evaluate(DISPUTES[i % 5], as_of=day)
        ledger.log_decision(DecisionLogEntry(
            uuid.uuid4().hex, _dt.datetime.now(_dt.timezone.utc), policy.id, policy.version,
            policy.digest, "bench", "bench", redact_facts(policy, DISPUTES[i % 5]),
            d.to_dict(), None, (time.perf_counter() - started) * 1000.0))
        d.to_json()
    logged = m / (time.perf_counter() - t0)
    ledger.close()
    return bare, logged


def start(tmp: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    from policyengine.service.tokens import TokenStore

    store, token = TokenStore().add("bench", ("decide", "read"))
    store.write(tmp / "tokens.json")
    folder = tmp / "policies"
    folder.mkdir()
    (folder / POLICY.name).write_bytes(POLICY.read_bytes())
    log = open(tmp / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "policyengine", "serve", "--policies", str(folder),
         "--db", str(tmp / "ledger.db"), "--tokens", str(tmp / "tokens.json"), "--port", "0",
         "--no-watch", "--no-access-log"],
        stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    url = None
    while url is None:
        m = re.search(r"running on (http://127\.0\.0\.1:\d+)",
                      (tmp / "server.log").read_text(errors="replace"))
        if m:
            url = m.group(1)
        elif proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            sys.exit("the server did not start:\n" + (tmp / "server.log").read_text())
        else:
            time.sleep(0.05)
    while True:
        try:
            if httpx.get(url + "/ready").status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    return proc, url, token


async def load(url: str, token: str, *, conns: int, requests: int, max_seconds: float,
               batch: bool) -> dict[str, Any]:
    path = "/v1/policies/acme-channel-conflict/decisions"
    headers = {"Authorization": f"Bearer {token}"}
    bodies = [json.dumps({"dispute": d, "as_of": AS_OF}).encode() for d in DISPUTES]
    batch_body = "".join(json.dumps(DISPUTES[i % 5]) + "\n" for i in range(BATCH)).encode()
    latencies: list[float] = []
    count = 0
    deadline = time.perf_counter() + max_seconds
    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits,
                                 timeout=120.0) as client:
        async def worker(k: int) -> None:
            nonlocal count
            i = k
            while count < requests and time.perf_counter() < deadline:
                count += 1
                t0 = time.perf_counter()
                if batch:
                    r = await client.post(f"{path}/batch?as_of={AS_OF}", content=batch_body)
                    assert r.status_code == 200 and r.text.count("\n") == BATCH, r.text[:200]
                else:
                    r = await client.post(path, content=bodies[i % 5],
                                          headers={"Content-Type": "application/json"})
                    assert r.status_code == 200, r.text[:200]
                latencies.append(time.perf_counter() - t0)
                i += 1
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(conns)))
        elapsed = time.perf_counter() - t0
    decisions = len(latencies) * (BATCH if batch else 1)
    return {"decisions_per_s": decisions / elapsed, "requests": len(latencies),
            "p50_ms": pct(latencies, 0.50) * 1000, "p99_ms": pct(latencies, 0.99) * 1000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small counts, a 10 s soak")
    ap.add_argument("--requests", type=int, default=2000, help="requests per single case")
    ap.add_argument("--max-seconds", type=float, default=30.0, help="bound of each case")
    ap.add_argument("--soak", type=float, default=60.0, help="seconds of the memory run")
    args = ap.parse_args()
    if args.quick:
        args.requests, args.max_seconds, args.soak = 400, 10.0, 10.0
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        bare, logged = in_process(20000 if not args.quick else 4000, tmp)
        print(f"in-process      {bare:10.0f} decisions/s   (evaluate + to_json)")
        print(f"in-process+log  {logged:10.0f} decisions/s   (and Ledger.log_decision, SQLite)")
        proc, url, token = start(tmp)
        try:
            rows = []
            for batch in (False, True):
                for conns in (1, 16, 64):
                    n = args.requests if not batch else max(args.requests // 20, conns)
                    res = asyncio.run(load(url, token, conns=conns, requests=n,
                                           max_seconds=args.max_seconds, batch=batch))
                    rows.append((batch, conns, res))
            print(f"\n{'case':14} {'conns':>5} {'requests':>8} {'decisions/s':>12} "
                  f"{'p50 ms':>8} {'p99 ms':>8} {'vs in-process':>14} {'vs +log':>8}")
            for batch, conns, r in rows:
                print(f"{'http batch' if batch else 'http single':14} {conns:5d} "
                      f"{r['requests']:8d} {r['decisions_per_s']:12.0f} {r['p50_ms']:8.2f} "
                      f"{r['p99_ms']:8.2f} {bare / r['decisions_per_s']:13.1f}x "
                      f"{logged / r['decisions_per_s']:7.1f}x")
            before = rss_kib(proc.pid)
            soak = asyncio.run(load(url, token, conns=16, requests=10 ** 9,
                                    max_seconds=args.soak, batch=False))
            after = rss_kib(proc.pid)
            print(f"\nsoak {args.soak:.0f} s at 16 connections: {soak['requests']} requests, "
                  f"{soak['decisions_per_s']:.0f} decisions/s; server RSS {before / 1024:.1f} "
                  f"MiB before, {after / 1024:.1f} MiB after ({(after - before) / 1024:+.1f} MiB)")
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
