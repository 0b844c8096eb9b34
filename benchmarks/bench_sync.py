"""Sync benchmark: « Mettre à jour toutes les demandes » against the sandbox over loopback.

The sandbox (``antsclient.sandbox.serve()``) runs in its own process, as ANTS would, with a
fixed latency per call; the clients run here. In one run it times:

* a naive client: list the numbers, then get each request one by one, sequentially;
* the full sync (``session.requests.sync_all()`` into a fresh SQLite store, login included);
* an incremental sync after 20 changes on the server (the same session, as a host would).

The client process is warmed up first (imports, first use of the async machinery) by a
sync of the sandbox's second agency, as in a host application that has been running; the
full and incremental syncs are repeated (``--repeat``, fresh store and session each time)
and the best time is reported, with the median beside it.

``--big`` adds a full sync of 20,000 requests, in a fresh process whose peak memory (RSS)
is measured. The last line printed is one JSON object with the figures.

    python benchmarks/bench_sync.py [--requests 2000] [--latency-ms 20] [--big]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


# --- the server side --------------------------------------------------------------------------


def _serve(conn: Connection, count: int, latency_ms: float) -> None:
    """Child process: a seeded sandbox, driven through ``conn``."""
    from antsclient.models import RequestStatus
    from antsclient.sandbox import serve

    with serve(seed=1) as sb:
        sb.seed_requests(count)
        sb.set_latency(latency_ms)
        creds = sb.credentials
        second = sb.credentials_of(next(a for a in sb.state.agencies if a != creds.agreement))
        conn.send(
            {
                "url": sb.url,
                "agreement": creds.agreement,
                "login": creds.login,
                "password": creds.password.reveal(),
                "second_agreement": second.agreement,
                "second_login": second.login,
                "second_password": second.password.reveal(),
            }
        )
        while True:
            command, arg = conn.recv()
            if command == "stop":
                conn.send("stopped")
                return
            if command == "change":
                # Half decisions on requests in review, half new requests made on ANTS.
                reviewing = [
                    r.number
                    for r in sb.requests(creds.agreement)
                    if r.status in {RequestStatus.UNDER_REVIEW, RequestStatus.IN_PROGRESS}
                ]
                for number in reviewing[: arg // 2]:
                    sb.prefecture_decides(number, "accept")
                for _ in range(arg - arg // 2):
                    sb.register_direct()
                conn.send("changed")
            if command == "counts":
                conn.send(len(sb.requests(creds.agreement)))


class Server:
    def __init__(self, count: int, latency_ms: float) -> None:
        context = mp.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, count, latency_ms))
        self.process.start()
        self.info: dict[str, str] = self.conn.recv()

    def ask(self, command: str, arg: Any = None) -> Any:
        self.conn.send((command, arg))
        return self.conn.recv()

    def credentials(self, agreement: str | None = None) -> Any:
        import antsclient as ants

        return ants.Credentials(
            agreement=agreement or self.info["agreement"],
            login=self.info["login" if agreement is None else "second_login"],
            password=self.info["password" if agreement is None else "second_password"],
        )

    def close(self) -> None:
        self.ask("stop")
        self.process.join(10)


# --- the clients ------------------------------------------------------------------------------


def naive(server: Server) -> tuple[float, int]:
    """List the numbers page by page, then get each request, one call at a time."""
    import antsclient as ants

    with ants.AntsSession(server.credentials(), base_url=server.info["url"]) as session:
        started = time.perf_counter()
        numbers: list[str] = []
        page = 1
        while True:
            result = session.requests.search(page=page, page_size=500)
            numbers += [r.number for r in result.items]
            if page >= result.pages:
                break
            page += 1
        for number in numbers:
            session.requests.get(number)
        elapsed = time.perf_counter() - started
    return elapsed, len(numbers)


def warm_up(server: Server, folder: Path) -> None:
    """Imports and first use of the async machinery, on the sandbox's other agency."""
    import antsclient as ants
    from antsclient.storage import SqliteStore

    creds = server.credentials(server.info["second_agreement"])
    with (
        SqliteStore(folder / "warm.db") as store,
        ants.AntsSession(creds, base_url=server.info["url"], store=store) as session,
    ):
        session.requests.sync_all()
        session.requests.sync_all()


def full_and_incremental(server: Server, folder: Path) -> dict[str, Any]:
    import antsclient as ants
    from antsclient.storage import SqliteStore

    folder.mkdir(parents=True, exist_ok=True)
    with SqliteStore(folder / "full.db") as store:
        with ants.AntsSession(
            server.credentials(), base_url=server.info["url"], store=store
        ) as session:
            # Timed from the call: building a session (its TLS context) is not the sync.
            started, cpu = time.perf_counter(), time.process_time()
            report = session.requests.sync_all()
            full_s, cpu = time.perf_counter() - started, time.process_time() - cpu
            server.ask("change", 20)
            started = time.perf_counter()
            incremental = session.requests.sync_all()
            incremental_s = time.perf_counter() - started
        stored = len(store.search(server.info["agreement"]))
    return {
        "full_s": full_s,
        "full_cpu_s": cpu,
        "incremental_s": incremental_s,
        "full_report": report,
        "incremental_report": incremental,
        "stored": stored,
    }


def child_full(url: str, agreement: str, login: str, password: str, db: str) -> None:
    """Fresh process: one full sync; print its time and this process's peak RSS."""
    import antsclient as ants
    from antsclient.storage import SqliteStore

    creds = ants.Credentials(agreement=agreement, login=login, password=password)
    with SqliteStore(db) as store, ants.AntsSession(creds, base_url=url, store=store) as session:
        started, cpu = time.perf_counter(), time.process_time()
        report = session.requests.sync_all()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"full_s": elapsed, "cpu_s": cpu, "peak_mb": peak_kb / 1024, "seen": report.seen}
        )
    )


def big(count: int, latency_ms: float, folder: Path) -> dict[str, Any]:
    server = Server(count, latency_ms)
    try:
        info = server.info
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child-full",
                info["url"],
                info["agreement"],
                info["login"],
                info["password"],
                str(folder / "big.db"),
            ],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")},
        )
    finally:
        server.close()
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--big", action="store_true", help="also sync 20,000 requests")
    parser.add_argument("--big-requests", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="full/incremental runs")
    parser.add_argument("--child-full", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_full:
        child_full(*args.child_full)
        return 0

    figures: dict[str, Any] = {"requests": args.requests, "latency_ms": args.latency_ms}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = Server(args.requests, args.latency_ms)
        try:
            warm_up(server, folder)
            runs = [
                full_and_incremental(server, folder / f"run{i}") for i in range(max(args.repeat, 1))
            ]
            naive_s, listed = naive(server)
        finally:
            server.close()
        fulls = [r["full_s"] for r in runs]
        incrementals = [r["incremental_s"] for r in runs]
        full_s, incremental_s = min(fulls), min(incrementals)
        synced = runs[0]
        full_report, incremental_report = synced["full_report"], synced["incremental_report"]
        print(f"naive client        {naive_s:8.3f} s  ({listed} gets, one at a time)")
        print(
            f"full sync           {full_s * 1000:8.1f} ms ({full_report.pages} pages; "
            f"runs: {', '.join(f'{t * 1000:.0f}' for t in fulls)} ms)"
        )
        print(
            f"incremental sync    {incremental_s * 1000:8.1f} ms "
            f"({incremental_report.seen} seen, {incremental_report.pages} page(s); "
            f"runs: {', '.join(f'{t * 1000:.0f}' for t in incrementals)} ms)"
        )
        figures.update(
            {
                "naive_s": round(naive_s, 3),
                "full_s": round(full_s, 4),
                "incremental_s": round(incremental_s, 4),
                "speedup": round(naive_s / full_s, 1),
                "full_median_s": round(statistics.median(fulls), 4),
                "full_client_cpu_s": round(min(r["full_cpu_s"] for r in runs), 4),
                "incremental_median_s": round(statistics.median(incrementals), 4),
                "incremental_budget_s": 3 * args.latency_ms / 1000,
                "stored": synced["stored"],
            }
        )
        if args.big:
            result = big(args.big_requests, args.latency_ms, folder)
            print(
                f"big full sync       {result['full_s']:8.3f} s  "
                f"({result['seen']} requests, client CPU {result['cpu_s']:.2f} s, "
                f"peak {result['peak_mb']:.0f} MB)"
            )
            figures.update(
                {
                    "big_requests": result["seen"],
                    "big_full_s": round(result["full_s"], 3),
                    "big_peak_mb": round(result["peak_mb"], 1),
                    "big_client_cpu_s": round(result["cpu_s"], 3),
                }
            )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
