"""Sandbox throughput: mixed operations over loopback TCP with N concurrent clients.

The sandbox (``antsclient.sandbox.serve()``) runs in its own process, seeded with a few
thousand requests; N asyncio clients (one connection each) run here for a fixed time, each
doing a weighted mix of the protocol's operations: reads of one request, searches, counts,
slots, creates (with an Idempotency-Key) and small uploads. Every answer must be a success.

It prints a table per operation and, as its last line, one JSON object with the figures.

    python benchmarks/bench_sandbox.py [--clients 20] [--seconds 8] [--seed-requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import itertools
import json
import multiprocessing
import random
import statistics
import sys
import time
from collections import defaultdict
from multiprocessing.connection import Connection
from typing import Any

import httpx

MIX: list[tuple[str, int]] = [
    ("get_request", 30),
    ("search_requests", 15),
    ("count_requests", 10),
    ("list_attachments", 15),
    ("create_request", 15),
    ("upload_attachment", 10),
    ("get_application", 5),
]


def _serve(conn: Connection, seed_requests: int) -> None:
    """Child process: a seeded sandbox on loopback until told to stop."""
    from antsclient.sandbox import serve

    with serve(seed=1) as sb:
        sb.seed_requests(seed_requests)
        creds = sb.credentials
        conn.send(
            {
                "url": sb.url,
                "agreement": creds.agreement,
                "login": creds.login,
                "password": creds.password.reveal(),
            }
        )
        while conn.recv() == "cpu":
            conn.send(time.process_time())


def _application(rng: random.Random, serial: int) -> dict[str, Any]:
    """A conforming Cerfa 02 with an email no other call uses."""
    from antsclient.sandbox.seed import make_application

    return make_application(
        rng, serial, today=datetime.date.today(), email_domain=f"bench{time.time_ns()}.fr"
    )


async def _client(
    index: int,
    info: dict[str, Any],
    numbers: list[str],
    deadline: float,
    timings: dict[str, list[float]],
    errors: list[str],
) -> None:
    from antsclient.sandbox.assets import pdf

    document = pdf("Justificatif de domicile")
    rng = random.Random(index)
    ops = [name for name, weight in MIX for _ in range(weight)]
    random.Random(index).shuffle(ops)
    order = itertools.cycle(ops)
    limits = httpx.Limits(max_connections=1)
    async with httpx.AsyncClient(base_url=info["url"] + "/api/v1", timeout=30, limits=limits) as c:
        token = await c.post(
            "/auth/token",
            json={k: info[k] for k in ("agreement", "login", "password")},
        )
        c.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        mine: list[str] = []
        serial = 0
        while time.perf_counter() < deadline:
            op = next(order)
            serial += 1
            number = numbers[(index * 7919 + serial) % len(numbers)]
            started = time.perf_counter()
            if op == "get_request":
                response = await c.get(f"/requests/{number}")
            elif op == "search_requests":
                response = await c.get("/requests", params={"page_size": 50, "bucket": "drafts"})
            elif op == "count_requests":
                response = await c.get("/requests/counts")
            elif op == "list_attachments":
                response = await c.get(f"/requests/{number}/attachments")
            elif op == "get_application":
                response = await c.get(f"/requests/{number}/application")
            elif op == "create_request":
                body = {"cerfa": "02", "application": _application(rng, index * 1_000_000 + serial)}
                key = {"Idempotency-Key": f"bench-{index}-{serial}"}
                response = await c.post("/requests", json=body, headers=key)
                if response.status_code == 201:
                    mine.append(response.json()["number"])
            elif mine:
                response = await c.post(
                    f"/requests/{mine[-1]}/attachments/proof_of_address",
                    files={"file": ("domicile.pdf", document, "application/pdf")},
                )
                if response.status_code == 422:  # the kind's 5 pages are full: a new draft
                    mine.pop()
                    continue
            else:
                continue
            timings[op].append((time.perf_counter() - started) * 1000)
            if response.status_code >= 300:
                errors.append(f"{op}: {response.status_code}")


async def _numbers(info: dict[str, Any]) -> list[str]:
    async with httpx.AsyncClient(base_url=info["url"] + "/api/v1") as c:
        token = await c.post(
            "/auth/token", json={k: info[k] for k in ("agreement", "login", "password")}
        )
        c.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        page = await c.get("/requests", params={"page_size": 500})
        return [item["number"] for item in page.json()["items"]]


def _load(
    conn: Connection, info: dict[str, Any], first: int, count: int, start: float, seconds: float
) -> None:
    """Load process: ``count`` asyncio clients, from ``start`` for ``seconds``."""

    async def run() -> tuple[dict[str, list[float]], list[str]]:
        numbers = await _numbers(info)
        timings: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        await asyncio.sleep(max(start - time.time(), 0))
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(
                _client(i, info, numbers, deadline, timings, errors)
                for i in range(first, first + count)
            )
        )
        return dict(timings), errors

    conn.send(asyncio.run(run()))


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--seed-requests", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=_serve, args=(child, args.seed_requests), daemon=True)
    server.start()
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    try:
        info = parent.recv()
        start = time.time() + 2.0  # every load process starts together
        parent.send("cpu")
        cpu_before = parent.recv()
        loaders = []
        per = -(-args.clients // args.processes)
        for p in range(args.processes):
            first = p * per
            count = min(per, args.clients - first)
            if count <= 0:
                break
            mine, theirs = context.Pipe()
            process = context.Process(
                target=_load, args=(theirs, info, first, count, start, args.seconds)
            )
            process.start()
            loaders.append((process, mine))
        for process, conn in loaders:
            part, part_errors = conn.recv()
            for name, values in part.items():
                timings[name] += values
            errors += part_errors
            process.join()
        elapsed = args.seconds
        parent.send("cpu")
        server_cpu = parent.recv() - cpu_before
    finally:
        parent.send("stop")
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()
    result = {"errors": errors}

    total = sum(len(v) for v in timings.values())
    print(
        f"sandbox throughput — {args.clients} clients in {args.processes} processes, "
        f"{elapsed:.1f} s, loopback TCP"
    )
    print(f"{'operation':20} {'calls':>7} {'mean ms':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for name, _ in MIX:
        values = timings.get(name, [])
        mean = statistics.fmean(values) if values else 0.0
        print(
            f"{name:20} {len(values):7d} {mean:9.1f} {_p(values, 0.5):8.1f} {_p(values, 0.95):8.1f}"
        )
    everything = [v for values in timings.values() for v in values]
    rate = total / elapsed
    print(
        f"{'all':20} {total:7d} {statistics.fmean(everything):9.1f} "
        f"{_p(everything, 0.5):8.1f} {_p(everything, 0.95):8.1f}"
    )
    cpu_ms = server_cpu * 1000 / total if total else 0.0
    print(
        f"{rate:.0f} requests/s, {len(result['errors'])} errors; server CPU "
        f"{cpu_ms:.2f} ms per request (capacity ≈ {1000 / cpu_ms if cpu_ms else 0:.0f}/s "
        "on one core)"
    )
    print(
        json.dumps(
            {
                "requests_per_s": round(rate, 1),
                "clients": args.clients,
                "client_processes": args.processes,
                "seconds": round(elapsed, 2),
                "requests": total,
                "errors": len(result["errors"]),
                "p50_ms": round(_p(everything, 0.5), 2),
                "p95_ms": round(_p(everything, 0.95), 2),
                "server_cpu_ms_per_request": round(cpu_ms, 3),
                "seeded_requests": args.seed_requests,
            }
        )
    )
    sys.exit(1 if result["errors"] else 0)


if __name__ == "__main__":
    main()
