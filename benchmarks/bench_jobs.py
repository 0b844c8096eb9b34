"""Agency sync on job engines: many agencies, synced by 1, 2 and 4 worker processes.

A sandbox in its own process holds ``--agencies`` agencies of ``--requests`` requests each and
answers after ``--latency-ms``; a throwaway PostgreSQL cluster holds the store (and
procrastinate's jobs), a throwaway Redis is Celery's broker (both from the machine's server
binaries, as in the tests). For each engine (Celery, procrastinate) and each count of worker
processes, every agency is enqueued into a fresh store and the run is timed until every
agency has its report. Printed for each run: total time, requests stored per second, the
peak memory (VmHWM) of each worker, the CPU each side used (sandbox, workers, PostgreSQL) and
the bottleneck read off it. Then a run where a worker is killed (SIGKILL) mid-way and
another started. After every run the store is compared with the sandbox, every request of
every agency field by field. The last line printed is one JSON object with the figures.

    python benchmarks/bench_jobs.py [--agencies 50] [--requests 1000] [--latency-ms 20]
        [--workers 1 2 4] [--engines celery procrastinate]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLES = ROOT / "examples" / "jobs"
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(EXAMPLES)]
CORES = os.cpu_count() or 1


# --- the sandbox, in its own process ---------------------------------------------------------


def _serve(conn: Connection, agencies: int, requests: int, latency_ms: float) -> None:
    from antsclient.sandbox import serve

    with serve(seed=7) as sb:
        rows: dict[str, dict[str, str]] = {}
        for i in range(agencies):
            agreement, login, password = f"E6{i:09d}", f"bench{i}", f"pw-{uuid.uuid4().hex}"
            sb.add_agency(agreement, login, password, prefecture="Préfecture du Rhône",
                          postal_code="69800")  # fmt: skip
            sb.seed_requests(requests, agreement=agreement)
            rows[agreement] = {
                "login": login,
                "password": password,
                "prefecture": "Préfecture du Rhône",
                "postal_code": "69800",
            }
        sb.set_latency(latency_ms)
        conn.send({"url": sb.url, "agencies": rows, "pid": os.getpid()})
        while True:
            command = conn.recv()
            if command == "stop":
                conn.send("stopped")
                return
            agreement = command
            found = sorted(sb.requests(agreement), key=lambda r: (r.modified, r.number))
            conn.send([_row(r) for r in found])


FIELDS = ("number", "status", "status_label", "modified", "neph", "student_id", "transferred",
          "cerfa", "created", "validated_at", "applicant_name", "email", "type_label")  # fmt: skip


def _row(request: Any) -> tuple[Any, ...]:
    return tuple(getattr(request, f) for f in FIELDS)


class Sandbox:
    def __init__(self, agencies: int, requests: int, latency_ms: float) -> None:
        context = mp.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, agencies, requests, latency_ms))
        self.process.start()
        self.info: dict[str, Any] = self.conn.recv()

    def requests(self, agreement: str) -> list[tuple[Any, ...]]:
        self.conn.send(agreement)
        rows: list[tuple[Any, ...]] = self.conn.recv()
        return rows

    def close(self) -> None:
        self.conn.send("stop")
        self.conn.recv()
        self.process.join(10)


# --- measures --------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (and its waited-for children), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(v) for v in fields[11:15]) / ticks


def peak_rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far (every process, ours or not)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def postgres_pids() -> list[int]:
    """Every process of the PostgreSQL server (its backends included)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if Path(entry, "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
    return pids


def bottleneck(
    wall: float, sandbox: float, workers: float, database: float, n: int, busy: float
) -> str:
    """The side that used its capacity most: the machine (``busy``: the share of its CPU
    time any process used, others' included), the sandbox's one core, the workers' cores,
    the database, or none (then the latency)."""
    used = {
        "server CPU (the sandbox, one core)": sandbox / wall,
        "client CPU (the workers)": workers / (wall * min(n, CORES)),
        "database (PostgreSQL)": database / wall,
    }
    ours = (sandbox + workers + database) / (wall * CORES)
    name, share = max(used.items(), key=lambda item: item[1])
    if busy > 0.85:
        return (
            f"the machine's {CORES} cores: {busy:.0%} busy, {ours:.0%} by this run "
            f"(the rest by other processes); of ours, most: {name} {share:.0%}"
        )
    if share > 0.85:
        return f"{name} ({share:.0%} busy)"
    return f"latency (no side busy: most is {name} at {share:.0%})"


# --- one run ---------------------------------------------------------------------------------


class Run:
    """One engine, N workers, a fresh store, every agency enqueued."""

    def __init__(self, engine: str, env: dict[str, str], folder: Path) -> None:
        self.engine, self.env, self.folder = engine, env, folder
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_worker(self, **extra: str) -> subprocess.Popen[bytes]:
        if self.engine == "celery":
            command = [sys.executable, "-m", "celery", "-A", "celery_app", "worker",
                       "--pool=solo", "--loglevel=WARNING", "-n", f"w{len(self.workers)}@%h",
                       "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        else:
            command = [sys.executable, "procrastinate_app.py"]
        log = (self.folder / f"{self.engine}-{len(self.workers)}.log").open("wb")
        process = subprocess.Popen(command, cwd=EXAMPLES, env={**self.env, **extra},
                                   stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        log.close()
        self.workers.append(process)
        return process

    def stop(self) -> list[float]:
        peaks = [peak_rss_mb(p.pid) for p in self.workers if p.poll() is None]
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return peaks


def _enqueue(engine: str, agreements: list[str]) -> None:
    """Enqueue every agency (through the examples' own functions)."""
    if engine == "celery":
        import celery_app

        for agreement in agreements:
            celery_app.sync_agency.delay(agreement)
    else:
        import procrastinate_app

        with procrastinate_app.app.open():
            for agreement in agreements:
                procrastinate_app.enqueue(agreement)


def _prepare(engine: str) -> None:
    if engine == "celery":
        import celery_app

        celery_app.app.connection_for_write().default_channel.client.flushdb()
    else:
        import procrastinate_app

        with procrastinate_app.app.open():
            procrastinate_app.app.schema_manager.apply_schema()


def finished(database: str) -> int:
    """How many agencies have a report of a complete sync (one cheap query)."""
    import psycopg

    with psycopg.connect(database) as db:
        row = db.execute("SELECT count(DISTINCT agreement) FROM antsclient.sync_runs WHERE ok")
        return int(row.fetchone()[0])  # type: ignore[index]


def _wait_ready(engine: str, count: int, database: str) -> None:
    """Until ``count`` workers are up (their start is not part of the timing)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if engine == "celery":
            import celery_app

            if len(celery_app.app.control.ping(timeout=0.5)) >= count:
                return
        else:
            import psycopg

            with psycopg.connect(database) as db:
                row = db.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
            if row is not None and row[0] >= count:
                return
            time.sleep(0.2)
    raise SystemExit(f"{count} {engine} workers did not start")


def run_once(engine: str, workers: int, ctx: dict[str, Any], kill: bool = False) -> dict[str, Any]:
    from antsclient.storage import PostgresStore
    from servers import new_database

    database = new_database(ctx["cluster"], f"bench_{engine}_{workers}_{int(kill)}")
    env = {**ctx["env"], "ANTS_DATABASE_URL": database}
    os.environ.update({k: v for k, v in env.items() if k.startswith("ANTS_")})
    for name in ("celery_app", "procrastinate_app", "host"):
        sys.modules.pop(name, None)
    _prepare(engine)
    agreements = sorted(ctx["sandbox"].info["agencies"])
    store = PostgresStore(database)
    run = Run(engine, env, ctx["folder"])
    extra = {"ANTS_VISIBILITY_TIMEOUT": "5", "ANTS_RESTORE_INTERVAL": "1"} if kill else {}
    try:
        for _ in range(workers):
            run.start_worker(**extra)
        _wait_ready(engine, workers, database)
        sandbox_pid = ctx["sandbox"].info["pid"]
        cpu_before = (
            cpu_seconds(sandbox_pid),
            sum(map(cpu_seconds, postgres_pids())),
            sum(cpu_seconds(p.pid) for p in run.workers),  # their start is not counted
            machine_ticks(),
        )
        started = time.perf_counter()
        _enqueue(engine, agreements)
        killed = False
        done = 0
        while done < len(agreements):
            time.sleep(0.1)
            done = finished(database)
            if kill and not killed and done >= len(agreements) // 3:
                victim = run.workers[0]
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                killed = True
                run.start_worker(**extra)
                if engine == "procrastinate":
                    time.sleep(1.5)
                    import procrastinate_app

                    procrastinate_app.rescue_stalled_jobs(1.0)
            if time.perf_counter() - started > 1800:
                raise SystemExit(f"{engine} × {workers}: not done after 30 minutes")
        wall = time.perf_counter() - started
        busy_ticks, all_ticks = (a - b for a, b in zip(machine_ticks(), cpu_before[3], strict=True))
        busy = busy_ticks / max(all_ticks, 1)
        sandbox_cpu = cpu_seconds(sandbox_pid) - cpu_before[0]
        database_cpu = sum(map(cpu_seconds, postgres_pids())) - cpu_before[1]
        workers_cpu = sum(cpu_seconds(p.pid) for p in run.workers if p.poll() is None)
        workers_cpu -= 0 if kill else cpu_before[2]
    except BaseException:
        run.stop()
        raise
    peaks = run.stop()
    exact = all(
        [_row(r) for r in store.search(a)] == ctx["sandbox"].requests(a) for a in agreements
    )
    total = sum(len(store.search(a)) for a in agreements)
    job_seconds = sorted(store.reports(a, limit=1)[0]["elapsed_s"] for a in agreements)
    store.close()
    return {
        "engine": engine,
        "workers": workers,
        "killed": kill,
        "seconds": round(wall, 2),
        "requests_per_s": round(total / wall),
        "peak_mb_per_worker": [round(p) for p in peaks],
        "job_s_median": round(statistics.median(job_seconds), 3),
        "cpu_s": {
            "sandbox": round(sandbox_cpu, 1),
            "workers": round(workers_cpu, 1),
            "postgres": round(database_cpu, 1),
        },
        "jobs_in_parallel": round(sum(job_seconds) / wall, 2),
        "machine_busy": round(busy, 2),
        "load_average": round(os.getloadavg()[0], 1),
        "bottleneck": bottleneck(wall, sandbox_cpu, workers_cpu, database_cpu, workers, busy),
        "store_equals_sandbox": exact,
    }


@contextlib.contextmanager
def servers(args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    from servers import postgres_cluster, redis_server

    with (
        tempfile.TemporaryDirectory(prefix="antsclient-bench-") as folder,
        postgres_cluster() as cluster,
        redis_server() as redis,
    ):
        sandbox = Sandbox(args.agencies, args.requests, args.latency_ms)
        credentials = Path(folder) / "agencies.json"
        credentials.write_text(json.dumps(sandbox.info["agencies"]), encoding="utf-8")
        path = os.pathsep.join([str(ROOT / "src"), str(EXAMPLES)])
        env = {**os.environ, "PYTHONPATH": path, "ANTS_BASE_URL": sandbox.info["url"],
               "ANTS_BROKER_URL": redis, "ANTS_CREDENTIALS_FILE": str(credentials),
               "ANTS_HEARTBEAT_S": "0.5"}  # fmt: skip
        try:
            yield {"cluster": cluster, "env": env, "folder": Path(folder), "sandbox": sandbox}
        finally:
            sandbox.close()


def _line(result: dict[str, Any]) -> str:
    killed = " killed" if result["killed"] else ""
    return (
        f"{result['engine']:13} {result['workers']} worker(s){killed:7}"
        f" {result['seconds']:7.1f} s {result['requests_per_s']:6} req/s"
        f"  job median {result['job_s_median']:.2f} s"
        f"  jobs in parallel {result['jobs_in_parallel']:.2f}"
        f"  peak MB {result['peak_mb_per_worker']}  cpu {result['cpu_s']}"
        f"  exact={result['store_equals_sandbox']}  load {result['load_average']}"
        f"\n    bottleneck: {result['bottleneck']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--engines", nargs="+", default=["celery", "procrastinate"])
    args = parser.parse_args()
    results = []
    with servers(args) as ctx:
        for engine in args.engines:
            for n in [*args.workers, "kill"]:
                result = run_once(engine, 2 if n == "kill" else int(n), ctx, kill=n == "kill")
                results.append(result)
                print(_line(result), flush=True)
    for engine in args.engines:
        by = {
            r["workers"]: r["seconds"] for r in results if r["engine"] == engine and not r["killed"]
        }
        if 1 in by and 2 in by:
            print(f"{engine}: 2 workers are {by[1] / by[2]:.2f}× one", flush=True)
    print(json.dumps({"agencies": args.agencies, "requests": args.requests,
                      "latency_ms": args.latency_ms, "runs": results}))  # fmt: skip


if __name__ == "__main__":
    main()
