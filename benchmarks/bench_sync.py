"""Full sync against its anchors: a hand-written concurrent client and the physical limits.

« Mettre à jour toutes les demandes » timed honestly, in one run:

* the sandbox runs in its own process, reached over loopback TCP, with its latency set by
  ``set_latency`` (and, for the link scenario, a bandwidth by ``set_bandwidth``);
* every client runs in a fresh process (``benchmarks/sync_clients.py``): its first sync there
  is *cold*, the next ones (fresh store, fresh client) are *warm*; a cold sync reads its
  modules' bytecode cached, as from an installed package (each client syncs once, untimed,
  before the rounds, and ``PYTHONDONTWRITEBYTECODE`` is dropped for them): otherwise a cold
  sync would compile every module it loads — msgspec's alone some 50 ms;
* the clients take turns, round after round (the order rotating), so that the machine's
  drift hits them alike; the figures are medians — never the best run;
* the clients: a naive one (one call at a time; at the smaller size only, once), the
  hand-written concurrent httpx client a competent vendor would write (``anchor``: pages 8 in
  flight, one ``executemany`` transaction per page), the same client decoding with a fast
  JSON library (``anchor_fastjson``: orjson, else msgspec's untyped decoder — when one is
  installed) and antsclient — with its ``speedups`` extra when installed, and then also
  without it (``antsclient_core``: msgspec and zlib-ng unimportable in its process) —, each
  into SQLite and into memory;
* for each: cold and warm medians, client CPU per request (warm median), the ratio of the
  anchor's warm median to antsclient's (above 1: antsclient is faster), and the limits —
  the round-trip limit (a login, the first page, then the other pages 8 at a time, each a
  round trip), the CPU limit (the client's own CPU time) and, on a limited link, the time
  the compressed bytes take to cross it;
* a second source: the largest size is also synced into SQLite from an independent server
  (``independent_server.py``: written from ``protocol/openapi.yaml`` alone, its requests
  made by a generator of its own — accented names, Paris offsets, long numbers — and
  answered in the default shape only, as a server that knows no ``shape=rows``), so that no
  target is met only on the sandbox's own data;
* the asyncio pair: the largest size is also synced into SQLite by the hand-written client
  of an asyncio application (``anchor_async``: ``httpx.AsyncClient``, 8 pages in flight) and
  by ``AsyncAntsSession`` (``antsclient_async``), in the roles ``anchor`` and ``antsclient``
  of the scenario ``sqlite_<size>_async``.

It prints a table and writes every figure to a JSON file (``--json``); its last line is the
same JSON object. Its keys are stable: ``scenarios`` holds ``sqlite_2000``, ``memory_2000``,
``sqlite_20000``, ``memory_20000``, ``sqlite_20000_link``, ``sqlite_20000_async`` and
``sqlite_20000_independent`` (for the default sizes), each with ``programs`` (the client
that ran in each role) and
``anchor`` and ``antsclient`` (``cold_ms``, ``warm_ms``, ``cpu_us_per_request``, …),
``ratio_anchor_over_antsclient_warm``, ``round_trip_limit_ms``, ``transfer_ms``,
``anchor_fastjson`` and ``ratio_anchor_fastjson_over_antsclient_warm`` (when a fast JSON
library is installed), ``antsclient_core`` and ``ratio_anchor_over_antsclient_core_warm``
(when the ``speedups`` extra is installed),
``cpu_limit_ms`` and ``antsclient_over_limit``; ``naive`` the naive client's one run;
``machine_reference_us`` how fast the machine runs Python in this run (the anchor's JSON
decoding and row building of a fixed page, µs a request, medians of 5 fresh interpreters:
the CPU figures move with it, the ratios do not);
``targets`` the sync's performance targets at the largest size (``sqlite_cpu_us_per_request``
≤ 12, ``sqlite_ratio_anchor_over_antsclient`` ≥ 1.25, ``memory_cpu_us_per_request`` ≤ the
SQLite one, ``max_antsclient_over_limit`` ≤ 2 without a limited link,
``link_over_round_trip_plus_transfer`` ≤ 1.5; ``core_sqlite_…``: the first two for
``antsclient_core``, when it ran; ``independent_…``: the first two on the independent
server; ``async_…``: the first two for the asyncio pair), each with its ``value``,
``target``, ``at_least`` and ``met``.

    python benchmarks/bench_sync.py [--sizes 2000 20000] [--rounds 5] [--warm 3]
        [--latency-ms 20] [--link-mbit 20] [--no-naive] [--no-independent] [--no-async]
        [--json build/bench/sync.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
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

from independent_server import IndependentServer  # noqa: E402
from sandbox_process import SandboxProcess  # noqa: E402
from sync_clients import SPEEDUPS, fast_json  # noqa: E402

SPEEDUPS_INSTALLED = all(importlib.util.find_spec(name) for name in SPEEDUPS)
CLIENTS = (
    "anchor",
    *(("anchor_fastjson",) if fast_json() else ()),
    "antsclient",
    *(("antsclient_core",) if SPEEDUPS_INSTALLED else ()),
)
"""The clients timed; ``antsclient_core`` (antsclient without its ``speedups`` extra) only
when the extra is installed (else ``antsclient`` is the core already)."""
ASYNC_PROGRAMS = {"anchor": "anchor_async", "antsclient": "antsclient_async"}
"""The asyncio scenario's clients in their roles: the hand-written ``httpx.AsyncClient``
client as the anchor, ``AsyncAntsSession`` as antsclient."""
STORES = ("sqlite", "memory")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The clients' environment: they may write their bytecode cache."""


def _child(
    client: str, store: str, runs: int, info: dict[str, str], folder: Path
) -> list[dict[str, float]]:
    """One fresh process: ``runs`` syncs (the first cold)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, str(HERE / "sync_clients.py"), client, store, str(runs), str(folder)],
        input=json.dumps(info),
        check=True,
        capture_output=True,
        text=True,
        env={**ENV, "PYTHONPATH": str(HERE.parent / "src")},
    )
    result: list[dict[str, float]] = json.loads(done.stdout.strip().splitlines()[-1])["runs"]
    return result


_REFERENCE = """
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from sync_clients import COLUMNS
item = {
    "number": "", "cerfa": "02", "status": "validated", "status_label": "Validée",
    "type_label": "Première demande", "created": "2026-03-02T09:15:00+01:00",
    "modified": "2026-04-17T16:40:12+02:00", "transferred": False, "neph": "123456789012",
    "student_id": "E-20417", "applicant_name": "LEFÈVRE Anaïs", "email": "a@example.fr",
    "validated_at": "2026-04-01T10:00:00+02:00",
}
body = json.dumps({"items": [dict(item, number=f"{n:011d}") for n in range(500)]}).encode()
runs = []
for _ in range(7):
    started = time.process_time()
    for _ in range(40):
        rows = [tuple(i.get(c) for c in COLUMNS) for i in json.loads(body)["items"]]
    runs.append(time.process_time() - started)
print(statistics.median(runs) / 20000 * 1e6)
"""
"""The machine's reference: the anchor's own work for a request of a fixed page (its JSON
decoded, its row built; no I/O, no store), in µs of CPU."""


def _machine_reference_us(processes: int = 5) -> float:
    """:data:`_REFERENCE` in ``processes`` fresh interpreters, median: how fast this machine
    runs Python now. CPU per request (the ≤ 12 µs targets) moves with it; the ratios do
    not, both clients being timed on the same machine in the same run."""
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", _REFERENCE, str(HERE)],
                check=True,
                capture_output=True,
                text=True,
                env=ENV,
            ).stdout
        )
        for _ in range(processes)
    ]
    return round(statistics.median(runs), 2)


def _round_trip_limit_s(requests: int, latency_ms: float, in_flight: int = 8) -> float:
    """A login, the first page, then the other pages ``in_flight`` at a time."""
    pages = max(math.ceil(requests / 500), 1)
    return latency_ms / 1000 * (2 + math.ceil((pages - 1) / in_flight))


def _summary(runs: list[list[dict[str, float]]]) -> dict[str, Any]:
    """Cold: the first run of each process; warm: the others. Medians."""
    cold = [process[0] for process in runs]
    warm = [run for process in runs for run in process[1:]] or cold
    stored = warm[0]["stored"]
    return {
        "cold_ms": round(statistics.median(r["wall_s"] for r in cold) * 1000, 1),
        "warm_ms": round(statistics.median(r["wall_s"] for r in warm) * 1000, 1),
        "cold_cpu_ms": round(statistics.median(r["cpu_s"] for r in cold) * 1000, 1),
        "warm_cpu_ms": round(statistics.median(r["cpu_s"] for r in warm) * 1000, 1),
        "cpu_us_per_request": round(
            statistics.median(r["cpu_s"] for r in warm) / max(stored, 1) * 1e6, 2
        ),
        "stored": int(stored),
        "processes": len(runs),
        "warm_runs": len(warm),
    }


def _paired_ratio(
    anchor: list[list[dict[str, float]]], ours: list[list[dict[str, float]]]
) -> float:
    """The median, over rounds, of the anchor's warm median over antsclient's in that round:
    the two ran one after the other, so a drift of the machine between rounds (on a virtual
    machine it may run a third slower for minutes) weighs on both sides of each quotient."""

    def warm(process: list[dict[str, float]]) -> float:
        return statistics.median(r["wall_s"] for r in process[1:] or process)

    return round(statistics.median(warm(a) / warm(o) for a, o in zip(anchor, ours, strict=True)), 2)


def _scenario(
    server: SandboxProcess | IndependentServer,
    info: dict[str, str],
    *,
    requests: int,
    store: str,
    rounds: int,
    warm: int,
    folder: Path,
    label: str,
    latency_ms: float,
    mbit: float = 0.0,
    programs: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Every client, ``rounds`` times in turn, on one agency and one kind of store; the
    figures with their limits (:func:`_limits`) and ``label``. ``programs`` runs other
    clients of ``sync_clients.py`` in the roles of :data:`CLIENTS` (the asyncio pair as
    ``anchor`` and ``antsclient``); by default each role is its own client."""
    programs = programs or {c: c for c in CLIENTS}
    roles = tuple(programs)
    runs: dict[str, list[list[dict[str, float]]]] = {c: [] for c in roles}
    bytes_per_sync: list[float] = []
    server_cpu: list[float] = []
    for r in range(rounds):
        for role in roles[r % len(roles) :] + roles[: r % len(roles)]:
            before = server.stats()
            client = programs[role]
            runs[role].append(
                _child(client, store, 1 + warm, info, folder / f"{store}-{client}-{r}")
            )
            after = server.stats()
            if role == "antsclient":
                bytes_per_sync.append((after["bytes_sent"] - before["bytes_sent"]) / (1 + warm))
                server_cpu.append((after["cpu_s"] - before["cpu_s"]) / (1 + warm))
    result: dict[str, Any] = {c: _summary(runs[c]) for c in roles}
    result["programs"] = programs
    ours, anchor = result["antsclient"], result["anchor"]
    result["ratio_anchor_over_antsclient_warm"] = round(anchor["warm_ms"] / ours["warm_ms"], 2)
    result["ratio_anchor_over_antsclient_cold"] = round(anchor["cold_ms"] / ours["cold_ms"], 2)
    result["paired_ratio_anchor_over_antsclient_warm"] = _paired_ratio(
        runs["anchor"], runs["antsclient"]
    )
    if "anchor_fastjson" in result:
        fast = result["anchor_fastjson"]
        result["ratio_anchor_fastjson_over_antsclient_warm"] = round(
            fast["warm_ms"] / ours["warm_ms"], 2
        )
    if "antsclient_core" in result:
        core = result["antsclient_core"]
        result["ratio_anchor_over_antsclient_core_warm"] = round(
            anchor["warm_ms"] / core["warm_ms"], 2
        )
        result["paired_ratio_anchor_over_antsclient_core_warm"] = _paired_ratio(
            runs["anchor"], runs["antsclient_core"]
        )
    result["bytes_per_sync"] = int(statistics.median(bytes_per_sync))
    result["server_cpu_ms_per_sync"] = round(statistics.median(server_cpu) * 1000, 1)
    _limits(result, result["antsclient"]["stored"], latency_ms, mbit)
    result["label"] = label
    return result


def _limits(result: dict[str, Any], requests: int, latency_ms: float, mbit: float) -> None:
    """The limits a sync cannot beat, and how far antsclient's warm median is from them."""
    round_trip = _round_trip_limit_s(requests, latency_ms)
    transfer = result["bytes_per_sync"] * 8 / (mbit * 1e6) if mbit else 0.0
    cpu = result["antsclient"]["warm_cpu_ms"] / 1000
    bound = max(round_trip + transfer, cpu)
    result["round_trip_limit_ms"] = round(round_trip * 1000, 1)
    result["transfer_ms"] = round(transfer * 1000, 1)
    result["cpu_limit_ms"] = round(cpu * 1000, 1)
    result["antsclient_over_limit"] = round(result["antsclient"]["warm_ms"] / 1000 / bound, 2)


def _targets(scenarios: dict[str, Any], size: int) -> dict[str, dict[str, Any]]:
    """The sync's performance targets, each with this run's value and whether it meets it."""
    targets: dict[str, dict[str, Any]] = {}

    def target(name: str, value: float, bound: float, *, at_least: bool = False) -> None:
        met = value >= bound if at_least else value <= bound
        targets[name] = {"value": value, "target": bound, "at_least": at_least, "met": met}

    sqlite, memory = scenarios.get(f"sqlite_{size}"), scenarios.get(f"memory_{size}")
    if sqlite is not None:
        target("sqlite_cpu_us_per_request", sqlite["antsclient"]["cpu_us_per_request"], 12.0)
        ratio = sqlite["ratio_anchor_over_antsclient_warm"]
        target("sqlite_ratio_anchor_over_antsclient", ratio, 1.25, at_least=True)
    if sqlite is not None and "antsclient_core" in sqlite:  # the same without the extra
        core = sqlite["antsclient_core"]["cpu_us_per_request"]
        target("core_sqlite_cpu_us_per_request", core, 12.0)
        ratio = sqlite["ratio_anchor_over_antsclient_core_warm"]
        target("core_sqlite_ratio_anchor_over_antsclient", ratio, 1.25, at_least=True)
    if sqlite is not None and memory is not None:
        target(
            "memory_cpu_us_per_request",
            memory["antsclient"]["cpu_us_per_request"],
            sqlite["antsclient"]["cpu_us_per_request"],
        )
    if scenarios:
        worst = max(s["antsclient_over_limit"] for s in scenarios.values() if "mbit_per_s" not in s)
        target("max_antsclient_over_limit", worst, 2.0)
    # The first two targets again, against the second source and for the asyncio pair.
    for name in ("independent", "async"):
        scenario = scenarios.get(f"sqlite_{size}_{name}")
        if scenario is not None:
            cpu = scenario["antsclient"]["cpu_us_per_request"]
            target(f"{name}_sqlite_cpu_us_per_request", cpu, 12.0)
            ratio = scenario["ratio_anchor_over_antsclient_warm"]
            target(f"{name}_sqlite_ratio_anchor_over_antsclient", ratio, 1.25, at_least=True)
    link = scenarios.get(f"sqlite_{size}_link")
    if link is not None:
        bound = (link["round_trip_limit_ms"] + link["transfer_ms"]) / 1000
        target(
            "link_over_round_trip_plus_transfer",
            round(link["antsclient"]["warm_ms"] / 1000 / bound, 2),
            1.5,
        )
    return targets


def _naive(server: SandboxProcess, info: dict[str, str], folder: Path) -> dict[str, Any]:
    runs = _child("naive", "sqlite", 1, info, folder / "naive")
    return {"cold_ms": round(runs[0]["wall_s"] * 1000, 1), "stored": int(runs[0]["stored"])}


def _print_table(figures: dict[str, Any]) -> None:
    head = (
        f"{'scenario':36} {'client':16} {'cold ms':>9} {'warm ms':>9} {'CPU µs/req':>10} "
        f"{'anchor/ours':>11} {'limit ms':>9} {'ours/limit':>10}"
    )
    print(head)
    print("-" * len(head))
    for scenario in figures["scenarios"].values():
        name = scenario["label"]
        for client in (c for c in CLIENTS if c in scenario):
            s = scenario[client]
            program = scenario["programs"][client]
            ours = client == "antsclient"
            ratio = f"{scenario['ratio_anchor_over_antsclient_warm']:.2f}" if ours else ""
            if client == "anchor_fastjson":  # its own warm median over antsclient's
                ratio = f"({scenario['ratio_anchor_fastjson_over_antsclient_warm']:.2f})"
            if client == "antsclient_core":  # the anchor's warm median over the core's
                ratio = f"{scenario['ratio_anchor_over_antsclient_core_warm']:.2f}"
            limit = scenario["round_trip_limit_ms"] + scenario["transfer_ms"]
            limit_text = f"{max(limit, scenario['cpu_limit_ms']):.0f}" if ours else ""
            over = f"{scenario['antsclient_over_limit']:.2f}" if ours else ""
            print(
                f"{name:36} {program:16} {s['cold_ms']:9.1f} {s['warm_ms']:9.1f} "
                f"{s['cpu_us_per_request']:10.2f} {ratio:>11} {limit_text:>9} {over:>10}"
            )
    paired = ", ".join(
        f"{name} {scenario['paired_ratio_anchor_over_antsclient_warm']:.2f}"
        for name, scenario in figures["scenarios"].items()
    )
    print(f"anchor/ours, the median of each round's quotient: {paired}")
    naive = figures.get("naive")
    if naive:
        print(f"{'naive, one call at a time':36} {'naive':16} {naive['cold_ms']:9.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--rounds", type=int, default=5, help="fresh processes per client")
    parser.add_argument("--warm", type=int, default=3, help="warm syncs per process")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--link-mbit", type=float, default=20.0, help="0: no link scenario")
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument(
        "--no-independent", action="store_true", help="skip the independent server's scenario"
    )
    parser.add_argument("--no-async", action="store_true", help="skip the asyncio scenario")
    parser.add_argument("--json", type=Path, default=Path("build/bench/sync.json"))
    args = parser.parse_args()

    figures: dict[str, Any] = {
        "latency_ms": args.latency_ms,
        "rounds": args.rounds,
        "warm_per_process": args.warm,
        "load_before": list(os.getloadavg()),
        "cpus": os.cpu_count(),
        "speedups": SPEEDUPS_INSTALLED,
        "machine_reference_us": _machine_reference_us(),
        "scenarios": {},
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, SandboxProcess(args.sizes, args.latency_ms) as sb:
        folder = Path(tmp)
        for client in (*CLIENTS, *ASYNC_PROGRAMS.values()):  # untimed: bytecode cached
            for store in STORES:
                _child(client, store, 1, sb.agencies[0], folder / "first")
        for size, info in zip(args.sizes, sb.agencies, strict=False):
            for store in STORES:
                name = f"{store}_{size}"
                result = _scenario(
                    sb,
                    info,
                    requests=size,
                    store=store,
                    rounds=args.rounds,
                    warm=args.warm,
                    folder=folder / f"{size}",
                    label=f"{size} requests, {store}",
                    latency_ms=args.latency_ms,
                )
                figures["scenarios"][name] = result
        size, info = args.sizes[-1], sb.agencies[len(args.sizes) - 1]

        def largest(name: str, label: str, **options: Any) -> dict[str, Any]:
            """A scenario of the largest size into SQLite (``options``: ``_scenario``'s)."""
            return _scenario(
                sb,
                info,
                requests=size,
                store="sqlite",
                rounds=args.rounds,
                warm=args.warm,
                folder=folder / name,
                label=f"{size} requests, sqlite, {label}",
                latency_ms=args.latency_ms,
                **options,
            )

        if args.link_mbit:
            sb.set_bandwidth(args.link_mbit)
            result = largest("link", f"{args.link_mbit:g} Mbit/s", mbit=args.link_mbit)
            result["mbit_per_s"] = args.link_mbit
            figures["scenarios"][f"sqlite_{size}_link"] = result
            sb.set_bandwidth(0)
        if not args.no_async:
            result = largest("async", "asyncio", programs=ASYNC_PROGRAMS)
            figures["scenarios"][f"sqlite_{size}_async"] = result
        if not args.no_naive:
            figures["naive"] = _naive(sb, sb.agencies[0], folder)
            figures["naive"]["requests"] = args.sizes[0]
    if not args.no_independent:
        size = max(args.sizes)
        with (
            tempfile.TemporaryDirectory() as tmp,
            IndependentServer(size, args.latency_ms) as other,
        ):
            result = _scenario(
                other,
                other.agencies[0],
                requests=size,
                store="sqlite",
                rounds=args.rounds,
                warm=args.warm,
                folder=Path(tmp),
                label=f"{size} requests, sqlite, independent",
                latency_ms=args.latency_ms,
            )
            result["independent"] = True
            figures["scenarios"][f"sqlite_{size}_independent"] = result
    figures["targets"] = _targets(figures["scenarios"], max(args.sizes))
    figures["load_after"] = list(os.getloadavg())
    figures["elapsed_s"] = round(time.perf_counter() - started, 1)
    _print_table(figures)
    for name, target in figures["targets"].items():
        sign = "≥" if target["at_least"] else "≤"
        verdict = "met" if target["met"] else "NOT met"
        print(f"target {name}: {target['value']:g} ({sign} {target['target']:g}) {verdict}")
    print(
        f"antsclient's speedups extra (msgspec, zlib-ng): "
        f"{'on (antsclient_core: without it)' if figures['speedups'] else 'off'}"
    )
    print(
        f"machine reference: {figures['machine_reference_us']:g} µs a request (the anchor's "
        "JSON decoding and row building of a fixed page, no I/O: CPU per request moves with it)"
    )
    print(
        f"load average before {figures['load_before'][0]:.2f}, after "
        f"{figures['load_after'][0]:.2f} on {figures['cpus']} CPUs; {figures['elapsed_s']} s"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
