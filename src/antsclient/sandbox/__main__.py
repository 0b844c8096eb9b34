"""``python -m antsclient.sandbox``: a standalone sandbox server, until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence

from antsclient.sandbox.faults import FaultConfig
from antsclient.sandbox.serve import serve

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m antsclient.sandbox",
        description="Serve a simulated ANTS (the antsclient protocol) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    parser.add_argument("--db", default=None, help="SQLite file to keep (and resume) the state")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="latency of every call")
    parser.add_argument(
        "--bandwidth-mbit", type=float, default=0.0, help="line speed in Mbit/s (0: no limit)"
    )
    parser.add_argument(
        "--fault-rate", type=float, default=0.0, help="share of calls answered by a 5xx"
    )
    parser.add_argument("--drop-rate", type=float, default=0.0, help="share of dropped calls")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample data")
    parser.add_argument("--host", default="127.0.0.1")
    return parser


def main(argv: Sequence[str] | None = None, *, stop: threading.Event | None = None) -> int:
    """Run the server; ``stop`` (for tests) ends it like Ctrl-C does."""
    args = _parser().parse_args(argv)
    faults = FaultConfig(
        latency_ms=args.latency_ms,
        error_rate=args.fault_rate,
        drop_rate=args.drop_rate,
        seed=args.seed,
    )
    stop = stop or threading.Event()
    with serve(port=args.port, db=args.db, seed=args.seed, faults=faults, host=args.host) as sb:
        sb.set_bandwidth(args.bandwidth_mbit)
        creds = sb.credentials
        print(f"ANTS sandbox on {sb.url} (API: {sb.api_url}, protocol: {sb.url}/openapi.yaml)")
        print(
            f"agency: agreement {creds.agreement}, login {creds.login}, password "
            f"{creds.password.reveal()} (public sandbox test data)"
        )
        print(f"console: {sb.url}/console/ (this machine only)")
        print(f"controls: POST/GET {sb.url}/_sandbox/... — stop with Ctrl-C")
        sys.stdout.flush()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:  # pragma: no cover - interactive
            pass
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
