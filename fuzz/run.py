"""Run the fuzz targets of ``fuzz/targets.py`` for a bounded time (CI: ``.ci/run``).

    python fuzz/run.py --seconds 60          # the time is shared among the targets

Each target runs hypothesis with many examples until its share of the time is spent; the first
failure is printed with the input that causes it (and hypothesis' reproduction blob), and the
exit status is 1. Exit 0 means no failure within the time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

from targets import TARGETS  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("targets", nargs="*", default=list(TARGETS))
    args = parser.parse_args(argv)
    share = args.seconds / max(1, len(args.targets))
    failed = False
    for name in args.targets:
        check, strategy = TARGETS[name]
        stop = time.monotonic() + share
        runs = 0
        while time.monotonic() < stop:
            test = settings(max_examples=200, deadline=None, database=None,
                            suppress_health_check=list(HealthCheck))(given(strategy)(check))
            try:
                test()
            except Exception as exc:  # noqa: BLE001 - report any failure with its input
                print(f"fuzz {name}: FAILED: {type(exc).__name__}: {exc}", flush=True)
                failed = True
                break
            runs += 200
        print(f"fuzz {name}: up to {runs} inputs in {share:.0f}s, no failure" if not failed else
              f"fuzz {name}: stopped", flush=True)
        if failed:
            break
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
