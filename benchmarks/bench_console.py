"""Console pages at the agency size: the time to serve each view with 2,000 requests.

A sandbox in process holds an agency of N requests (2,000 by default: a large driving school)
plus the student's mail of a validated request; each view of the console is asked for many
times through the ASGI app (no socket: the server's own cost — reading the state, rendering
the template, escaping). It prints the median and the 95th percentile per page, and as its
last line one JSON object with the figures. The target is a median under 20 ms.

    python benchmarks/bench_console.py [--requests 2000] [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import httpx


async def _measure(app: object, paths: dict[str, str], rounds: int) -> dict[str, list[float]]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    times: dict[str, list[float]] = {name: [] for name in paths}
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        for path in paths.values():  # warm: templates compiled, caches filled
            assert (await client.get(path)).status_code == 200, path
        for _ in range(rounds):
            for name, path in paths.items():
                start = time.perf_counter()
                answer = await client.get(path)
                times[name].append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200, path
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    from antsclient.sandbox import create_app

    app = create_app(seed=1)
    sb = app.sandbox
    agreement = sb.credentials.agreement
    sb.seed_requests(args.requests - len(sb.requests(agreement)), agreement=agreement)
    held = sb.requests(agreement)
    number = held[len(held) // 2].number
    sb.prefecture_decides(
        next(r for r in held if r.status.value == "under_review").number,
        "ask_completion",
        reason="Justificatif illisible",
    )
    message = sb.outbox()[0]
    paths = {
        "agence (tableau de bord + liste)": "/console/agence",
        "agence, rubrique Brouillons": "/console/agence?rubrique=drafts",
        "agence, page 20": "/console/agence?page=20",
        "demande": f"/console/agence/demandes/{number}",
        "eleve (messages)": "/console/eleve",
        "message": f"/console/eleve/messages/{message.id}",
        "prefecture (file)": "/console/prefecture",
        "bac a sable": "/console/bac-a-sable",
    }
    times = asyncio.run(_measure(app, paths, args.rounds))
    sb.close()

    figures = {}
    print(f"{'page':34} {'median ms':>10} {'p95 ms':>8}")
    for name, values in times.items():
        values.sort()
        median = statistics.median(values)
        p95 = values[int(len(values) * 0.95) - 1]
        figures[name] = {"median_ms": round(median, 2), "p95_ms": round(p95, 2)}
        print(f"{name:34} {median:10.2f} {p95:8.2f}")
    worst = max(f["median_ms"] for f in figures.values())
    print(f"requests of the agency: {args.requests}; worst median {worst:.2f} ms (target < 20 ms)")
    print(json.dumps({"requests": args.requests, "rounds": args.rounds, "pages": figures}))


if __name__ == "__main__":
    main()
