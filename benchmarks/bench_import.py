"""Import cost: `import antsclient` against importing its core dependencies alone.

Each measurement is a fresh interpreter (`python -X importtime` is too noisy for a ratio):
the median wall time of N runs of `python -c "import …"`. The figure that matters is the
difference: what antsclient adds on top of httpx, attrs, cattrs, tenacity and dateutil.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

CORE = "import httpx, attrs, cattrs, tenacity, dateutil.parser"
RUNS = 21


def _median_ms(code: str) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    bare = _median_ms("pass")
    core = _median_ms(CORE)
    full = _median_ms(f"{CORE}; import antsclient")
    print(f"{'interpreter alone':32} {bare:8.1f} ms")
    print(f"{'core dependencies':32} {core:8.1f} ms")
    print(f"{'core + antsclient':32} {full:8.1f} ms")
    print(f"{'antsclient adds':32} {full - core:8.1f} ms  (target: at most 20 ms)")
    print(
        json.dumps(
            {
                "runs": RUNS,
                "core_ms": round(core, 1),
                "with_antsclient_ms": round(full, 1),
                "antsclient_adds_ms": round(full - core, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
