"""Single calls against their anchors: a search page, and creates from many tasks or threads.

The sandbox runs in its own process (``sandbox_process.py``), reached over loopback TCP.

* **search** — ``session.requests.search(page_size=500)`` against what the same page costs
  with httpx and ``json.loads`` alone (as items, the default shape, and as rows — the shape
  antsclient asks for: the ``*_vs_rows`` ratios); client CPU per call (median of
  ``--searches`` calls, interleaved, after a warm-up), without a store and with a
  ``SqliteStore``. No latency: only the client's CPU is compared.
* **search, a second source** — the same calls against ``independent_server.py`` (a page of
  items in Paris offsets, written from the protocol's document alone; ``*_independent``
  keys; ``--no-independent`` skips it);
* **creates** — ``--creates`` requests created from ``AsyncAntsSession`` with 20 in flight,
  against ``AntsSession`` shared by 8 threads; wall time and client CPU per create, each in
  a fresh process, ``--rounds`` times in turn (medians), at ``--latency-ms``.

It prints a table and, as its last line, one JSON object with the figures.

    python benchmarks/bench_calls.py [--searches 40] [--creates 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from independent_server import IndependentServer  # noqa: E402
from sandbox_process import SandboxProcess  # noqa: E402

# --- search: one page of 500 ------------------------------------------------------------------


def _search_cpu(info: dict[str, str], searches: int) -> dict[str, float]:
    """Median client CPU (ms) of a page of 500: antsclient (no store, SQLite) and httpx."""
    import httpx

    import antsclient as ants
    from antsclient.storage import SqliteStore

    creds = ants.Credentials(
        agreement=info["agreement"], login=info["login"], password=info["password"]
    )
    folder = Path(tempfile.mkdtemp())
    plain = ants.AntsSession(creds, base_url=info["url"])
    store = SqliteStore(folder / "search.db")
    stored = ants.AntsSession(creds, base_url=info["url"], store=store)
    raw = httpx.Client(base_url=info["url"] + "/api/v1")
    token = raw.post(
        "/auth/token", json={k: info[k] for k in ("agreement", "login", "password")}
    ).json()["access_token"]
    raw.headers["Authorization"] = f"Bearer {token}"

    def httpx_json() -> Any:
        answer = raw.get("/requests", params={"page": 1, "page_size": 500})
        answer.raise_for_status()
        return json.loads(answer.content)

    def httpx_json_rows() -> Any:
        """The same page asked for as rows, as antsclient asks for it."""
        answer = raw.get("/requests", params={"page": 1, "page_size": 500, "shape": "rows"})
        answer.raise_for_status()
        return json.loads(answer.content)

    from antsclient.protocol import _fastpage

    fast = _fastpage._decoders

    def without_speedups() -> Any:
        """The same search read the ordinary way, as without the ``speedups`` extra."""
        _fastpage._decoders = lambda: None  # type: ignore[assignment]
        try:
            return plain.requests.search(page_size=500)
        finally:
            _fastpage._decoders = fast

    calls = {
        "httpx_json": httpx_json,
        "httpx_json_rows": httpx_json_rows,
        "antsclient": lambda: plain.requests.search(page_size=500),
        "antsclient_sqlite": lambda: stored.requests.search(page_size=500),
        "antsclient_no_speedups": without_speedups,
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():  # warm-up: connections, tokens, first imports
        call()
    for _ in range(searches):
        for name, call in calls.items():
            started = time.process_time()
            call()
            times[name].append(time.process_time() - started)
    plain.close()
    stored.close()
    store.close()
    raw.close()
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


# --- creates: async tasks against threads -------------------------------------------------------


def _applications(count: int, serial: int) -> list[Any]:
    import datetime
    import random

    from antsclient.codec import read_application
    from antsclient.sandbox.seed import make_application

    # Not the sandbox's own seed: the bench's applicants must not be the people it seeded.
    rng = random.Random(f"bench-{serial}")
    domain = f"bench{serial}.fr"
    today = datetime.date.today()
    adult = today.replace(year=today.year - 19, day=min(today.day, 28))
    applications = []
    for i in range(count):
        data = make_application(rng, serial * 100_000 + i, today=today, email_domain=domain)
        # A birth date of its own for each applicant of every run: the sandbox refuses the
        # same person (name, birth date and place) under another email, and a few thousand
        # applicants drawn from its lists of names would meet one (--rounds 9 did).
        birth = adult - datetime.timedelta(days=serial * count + i)
        data["applicant"]["birth_date"] = birth.isoformat()
        applications.append(read_application(data, "02", strict=False))
    return applications


def _creates_child(kind: str, count: int, serial: int) -> dict[str, float]:
    """In a fresh process: ``count`` creates, async (20 in flight) or threads (8)."""
    info = json.loads(sys.stdin.read())
    import antsclient as ants

    creds = ants.Credentials(
        agreement=info["agreement"],
        login=info["login"],
        password=info["password"],
        prefecture=info["prefecture"] or None,
        postal_code=info["postal_code"] or None,
    )
    applications = _applications(count + 1, serial)
    if kind == "async":
        import asyncio

        async def run() -> tuple[float, float]:
            async with ants.AsyncAntsSession(creds, base_url=info["url"]) as session:
                await session.requests.create(applications[-1])  # login, first use
                limit = asyncio.Semaphore(20)

                async def one(application: Any) -> None:
                    async with limit:
                        await session.requests.create(application)

                cpu = time.process_time()
                started = time.perf_counter()
                await asyncio.gather(*(one(a) for a in applications[:count]))
                wall = time.perf_counter() - started
                return wall, time.process_time() - cpu

        wall, cpu = asyncio.run(run())
    else:
        import concurrent.futures

        with ants.AntsSession(creds, base_url=info["url"]) as session:
            session.requests.create(applications[-1])
            cpu = time.process_time()
            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                list(pool.map(session.requests.create, applications[:count]))
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu
    return {"wall_s": wall, "cpu_s": cpu}


def _creates(info: dict[str, str], count: int, rounds: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, float]]] = {"async": [], "threads": []}
    for r in range(rounds):
        order = ("async", "threads") if r % 2 == 0 else ("threads", "async")
        for kind in order:
            serial = str(r * 2 + (1 if kind == "async" else 2))  # unique applicants per run
            done = subprocess.run(
                [sys.executable, __file__, "--child", kind, str(count), serial],
                input=json.dumps(info),
                check=False,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")},
            )
            if done.returncode:
                raise RuntimeError(done.stderr[-3000:])
            runs[kind].append(json.loads(done.stdout.strip().splitlines()[-1]))
    result: dict[str, Any] = {}
    for kind, values in runs.items():
        result[kind] = {
            "wall_s": round(statistics.median(v["wall_s"] for v in values), 3),
            "cpu_ms_per_create": round(
                statistics.median(v["cpu_s"] for v in values) / count * 1000, 3
            ),
        }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", type=int, default=40)
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument(
        "--no-independent", action="store_true", help="skip the independent server's search"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, count, serial = args.child
        print(json.dumps(_creates_child(kind, int(count), int(serial))))
        return 0
    figures: dict[str, Any] = {"load_before": list(os.getloadavg())}
    with SandboxProcess([2000], 0.0) as sb:
        info = sb.agencies[0]
        search = _search_cpu(info, args.searches)
        sb.set_latency(args.latency_ms)
        creates = _creates(info, args.creates, args.rounds)
    other: dict[str, float] = {}
    if not args.no_independent:  # the same page from a second source: items, Paris offsets
        with IndependentServer(2000) as server:
            other = _search_cpu(server.agencies[0], args.searches)
    figures["search_cpu_ms"] = {k: round(v, 3) for k, v in search.items()}
    figures["search_ratio"] = round(search["antsclient"] / search["httpx_json"], 2)
    figures["search_ratio_sqlite"] = round(search["antsclient_sqlite"] / search["httpx_json"], 2)
    figures["search_ratio_no_speedups"] = round(
        search["antsclient_no_speedups"] / search["httpx_json"], 2
    )
    # Against httpx and json.loads reading the page as rows too (the lean shape antsclient
    # asks for): the same bytes on both sides.
    for key, name in (
        ("search_ratio_vs_rows", "antsclient"),
        ("search_ratio_sqlite_vs_rows", "antsclient_sqlite"),
        ("search_ratio_no_speedups_vs_rows", "antsclient_no_speedups"),
    ):
        figures[key] = round(search[name] / search["httpx_json_rows"], 2)
    if other:
        figures["search_independent_cpu_ms"] = {k: round(v, 3) for k, v in other.items()}
        for key, name in (
            ("search_ratio_independent", "antsclient"),
            ("search_ratio_sqlite_independent", "antsclient_sqlite"),
            ("search_ratio_no_speedups_independent", "antsclient_no_speedups"),
        ):
            figures[key] = round(other[name] / other["httpx_json"], 2)
    figures["creates"] = creates
    figures["creates_latency_ms"] = args.latency_ms
    figures["load_after"] = list(os.getloadavg())
    print(f"{'search, page of 500':40} {'client CPU ms':>14} {'vs httpx+json':>14}")
    for name, value in search.items():
        print(f"{'  ' + name:40} {value:14.2f} {value / search['httpx_json']:14.2f}")
    if other:
        print(f"{'the same, independent server (items)':40}")
        for name, value in other.items():
            if name != "httpx_json_rows":  # it answers items whatever is asked
                print(f"{'  ' + name:40} {value:14.2f} {value / other['httpx_json']:14.2f}")
    print(
        f"{f'{args.creates} creates at {args.latency_ms:g} ms':40} {'wall s':>8} "
        f"{'CPU ms/create':>14}"
    )
    for kind, label in (
        ("async", "AsyncAntsSession, 20 in flight"),
        ("threads", "AntsSession, 8 threads"),
    ):
        c = creates[kind]
        print(f"{'  ' + label:40} {c['wall_s']:8.3f} {c['cpu_ms_per_create']:14.3f}")
    print(
        f"load average before {figures['load_before'][0]:.2f}, after {figures['load_after'][0]:.2f}"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
