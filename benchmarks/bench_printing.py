"""Printing benchmark: « Impression Cerfa » and a bordereau's list, drawn as PDF.

Times, over several runs, drawing a filled Cerfa 02, a Cerfa 06 and the list of a bordereau
of 200 paper requests (two passes each: the first counts the pages for the footers), and
reports the median and the fastest run with the file's size and pages. Nothing is asserted;
the last line printed is one JSON object with the figures.

    python benchmarks/bench_printing.py [--runs 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


def _time(draw: Callable[[], bytes], runs: int) -> dict[str, float | int]:
    from pypdf import PdfReader

    seconds = []
    content = b""
    for _ in range(runs):
        started = time.perf_counter()
        content = draw()
        seconds.append(time.perf_counter() - started)
    return {
        "median_ms": round(statistics.median(seconds) * 1000, 2),
        "best_ms": round(min(seconds) * 1000, 2),
        "bytes": len(content),
        "pages": len(PdfReader(io.BytesIO(content)).pages),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs

    from antsclient import printing
    from antsclient.demo import sample_application
    from antsclient.models.paper import Bordereau, PaperRequest

    application = sample_application()
    papers = [
        PaperRequest(reference=f"P-{n:04}", application=application, registered_on="2017-07-05")
        for n in range(200)
    ]
    bordereau = Bordereau(number="17", date=dt.date(2017, 7, 6), agreement="E1706900030")
    bordereau = bordereau.add(*papers)
    figures = {
        "cerfa02": _time(lambda: printing.cerfa_pdf(application), runs),
        "cerfa06": _time(lambda: printing.cerfa_pdf(application, cerfa="06"), runs),
        "bordereau_200": _time(lambda: printing.bordereau_pdf(bordereau), max(runs // 4, 3)),
    }
    for name, figure in figures.items():
        print(
            f"{name:14} median {figure['median_ms']:8.2f} ms  best {figure['best_ms']:8.2f} ms"
            f"  {figure['pages']} page(s), {figure['bytes']} bytes"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
