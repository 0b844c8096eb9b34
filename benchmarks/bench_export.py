"""Excel export benchmark: « Exporter la liste sous Excel » for a large agency.

For each size (20,000 and 100,000 requests by default) a fresh process builds the requests in
memory, as a store's ``search`` hands them over, then times ``antsclient.export.to_excel``
into a temporary file. It reports the export's wall time, the time per thousand rows (flat
when the export is linear), the process's peak memory (RSS) before and after the export, and
the file's size. Nothing is asserted; the last line printed is one JSON object with the
figures.

    python benchmarks/bench_export.py [--sizes 20000 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux counts kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _requests(count: int) -> list[Any]:
    """``count`` requests like an agency's: every status, a seventh unlinked (red rows),
    a fifth with a long ANTS number, half with a NEPH."""
    from antsclient.models import Cerfa, OnlineRequest, RequestStatus

    start = dt.datetime(2025, 1, 6, 7, 30, tzinfo=dt.UTC)
    statuses = list(RequestStatus)
    made = []
    for n in range(count):
        status = statuses[n % len(statuses)]
        made.append(
            OnlineRequest(
                number=f"901201707051539{n:08d}" if n % 5 == 0 else str(3000 + n),
                cerfa=Cerfa.C06 if n % 3 == 0 else Cerfa.C02,
                status=status,
                status_label=status.label,
                type_label="Inscription au permis nécessitant le passage d'un examen pratique",
                created=start + dt.timedelta(minutes=7 * n),
                modified=start + dt.timedelta(minutes=7 * n + 90),
                neph=f"1508332{n:05d}" if n % 2 else None,
                student_id=None if n % 7 == 0 else f"S{n}",
                applicant_name=f"MARTIN Julie {n}",
            )
        )
    return made


def _one(count: int) -> dict[str, Any]:
    """In this process: build ``count`` requests, export them, measure."""
    from antsclient.export import to_excel

    requests = _requests(count)
    before = _peak_rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "demandes.xlsx"
        started = time.perf_counter()
        to_excel(requests, target)
        seconds = time.perf_counter() - started
        size = target.stat().st_size
    peak = _peak_rss_mb()
    return {
        "requests": count,
        "seconds": round(seconds, 2),
        "ms_per_1000_rows": round(seconds * 1000 / max(count, 1) * 1000, 1),
        "peak_rss_before_export_mb": round(before, 1),
        "peak_rss_mb": round(peak, 1),
        "export_adds_mb": round(peak - before, 1),
        "file_mb": round(size / (1024 * 1024), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(_one(args.one)))
        return
    results = []
    for count in args.sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(count)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{count:>8,} requests  {result['seconds']:7.2f} s  "
            f"{result['ms_per_1000_rows']:6.1f} ms/1000 rows  "
            f"peak RSS {result['peak_rss_mb']:7.1f} MB "
            f"(+{result['export_adds_mb']:.1f} MB for the export)  "
            f"file {result['file_mb']:.2f} MB"
        )
    print(json.dumps({"benchmark": "export.to_excel", "results": results}))


if __name__ == "__main__":
    main()
