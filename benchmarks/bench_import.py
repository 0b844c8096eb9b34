"""Import cost: `import antsclient` against importing its core dependencies alone.

Two figures, each the median of fresh interpreters:

* ``antsclient_adds_ms`` — wall time of ``python -c "<core imports>; import antsclient"`` minus
  that of ``python -c "<core imports>"``, the two run alternately so that the machine's drift
  hits both alike (the target: at most 20 ms);
* ``antsclient_importtime_ms`` — what ``-X importtime`` reports for ``antsclient`` itself
  (cumulative), imported after the core dependencies: the same cost without the noise of
  process start-up.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

CORE = "import httpx, attrs, cattrs, tenacity, dateutil.parser"
RUNS = 31


def _wall_ms(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return (time.perf_counter() - start) * 1000


def _importtime_ms() -> float:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"{CORE}; import antsclient"],
        check=True,
        capture_output=True,
        text=True,
    )
    for line in done.stderr.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == "antsclient":
            return int(parts[1]) / 1000
    msg = "antsclient does not appear in the -X importtime report"
    raise RuntimeError(msg)


def main() -> None:
    core, full, own = [], [], []
    for _ in range(RUNS):
        core.append(_wall_ms(CORE))
        full.append(_wall_ms(f"{CORE}; import antsclient"))
        own.append(_importtime_ms())
    differences = [f - c for f, c in zip(full, core, strict=True)]
    result = {
        "runs": RUNS,
        "core_ms": round(statistics.median(core), 1),
        "with_antsclient_ms": round(statistics.median(full), 1),
        "antsclient_adds_ms": round(statistics.median(differences), 1),
        "antsclient_importtime_ms": round(statistics.median(own), 2),
    }
    print(f"{'core dependencies':34} {result['core_ms']:8.1f} ms")
    print(f"{'core + antsclient':34} {result['with_antsclient_ms']:8.1f} ms")
    print(
        f"{'antsclient adds (paired runs)':34} {result['antsclient_adds_ms']:8.1f} ms"
        "  (target: at most 20 ms)"
    )
    print(f"{'import antsclient (-X importtime)':34} {result['antsclient_importtime_ms']:8.2f} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
