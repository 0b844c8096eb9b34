"""Seeding the sandbox: ``SandboxState.seed_requests(n)`` for a few sizes of agency.

A demo or a load test starts by seeding thousands of requests in memory; this prints how
long that takes (the best and the median of ``--repeat`` fresh states per size) and the
rate, then, as its last line, one JSON object with the figures. Nothing is asserted: the
tests check what seeding produces (``tests/sandbox/test_sandbox_runner.py``), this the time.

    python benchmarks/bench_seed.py [--sizes 2000 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def _seed_seconds(size: int) -> float:
    from antsclient.sandbox import SandboxState

    state = SandboxState(seed=1)
    started = time.perf_counter()
    numbers = state.seed_requests(size)
    elapsed = time.perf_counter() - started
    if len(set(numbers)) != size:
        msg = f"seeding {size:,} requests gave {len(set(numbers)):,} distinct numbers"
        raise RuntimeError(msg)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 20_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    _seed_seconds(100)  # imports and first use, not counted
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"{'requests':>10} {'best s':>8} {'median s':>9} {'requests/s':>11}")
    figures = []
    for size in args.sizes:
        times = [_seed_seconds(size) for _ in range(args.repeat)]
        best, median = min(times), statistics.median(times)
        print(f"{size:10,d} {best:8.2f} {median:9.2f} {size / best:11,.0f}")
        figures.append(
            {
                "requests": size,
                "best_s": round(best, 3),
                "median_s": round(median, 3),
                "requests_per_s": round(size / best),
            }
        )
    print(json.dumps({"seed": figures, "load_average": load}))


if __name__ == "__main__":
    main()
