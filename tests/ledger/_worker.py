"""A writer process for the reliability tests (run as a script, not collected by pytest).

    python _worker.py URL WORKER COUNT [CRASH]

opens COUNT disputes of one partner (ids W<worker>-<i>), decides each with a fact change,
grants its hold, and decides the shared dispute SHARED, printing one line per finished
command. CRASH (`after-amend`, `after-update`, `after-log`) kills this process with SIGKILL
at that point inside the first decide's transaction.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from policyengine.ledger import Ledger  # noqa: E402
from policyengine.ledger import store  # noqa: E402

POLICY = Path(__file__).parent / "data" / "partner-conflict" / "partner-conflict-1.0.yaml"


def _crash_hook(point: str) -> None:
    real_append = store.Ledger._append
    real_log = store.Ledger._log

    def append(self, conn, row, dispute_id, kind, *args, **kwargs):  # type: ignore[no-untyped-def]
        out = real_append(self, conn, row, dispute_id, kind, *args, **kwargs)
        if (point == "after-amend" and kind == "facts_amended") or \
                (point == "after-update" and kind == "decided"):
            os.kill(os.getpid(), signal.SIGKILL)
        return out

    def log(self, conn, entry):  # type: ignore[no-untyped-def]
        real_log(self, conn, entry)
        if point == "after-log":
            os.kill(os.getpid(), signal.SIGKILL)

    store.Ledger._append = append  # type: ignore[method-assign]
    store.Ledger._log = log  # type: ignore[method-assign]


def main() -> None:
    url, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    crash = sys.argv[4] if len(sys.argv) > 4 else None
    with Ledger(url) as lg:
        for i in range(count):
            did = f"W{worker}-{i}"
            lg.open(did, POLICY, {"kind": "pricing", "amount": 1000.0 + i,
                                  "partner": {"id": "P-SAME"}}, on="2026-11-27",
                    actor=f"worker{worker}")
            print("opened", did, flush=True)
            if crash and i == 0:
                _crash_hook(crash)
            lg.decide(did, on="2026-12-07", facts={"amount": 2000.0 + i})
            print("decided", did, flush=True)
            lg.grant(did, "hold", on="2026-12-07")
            lg.decide("SHARED", on="2026-12-07", actor=f"worker{worker}")
            print("shared", did, flush=True)


if __name__ == "__main__":
    main()
