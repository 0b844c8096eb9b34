"""The sandbox in a process of its own, as ANTS would be: the benchmarks' server side.

:class:`SandboxProcess` starts ``antsclient.sandbox.serve()`` in a spawned process, seeds the
agencies it is asked for, and drives it through a pipe: latency (``set_latency``), bandwidth
(``set_bandwidth``), the bytes and CPU it spent, changes on the other side. The clients talk
to it over loopback TCP, never through the pipe.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Self

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))


def _agency_info(sb: Any, agreement: str) -> dict[str, str]:
    creds = sb.credentials_of(agreement)
    return {
        "url": sb.url,
        "agreement": creds.agreement,
        "login": creds.login,
        "password": creds.password.reveal(),
        "prefecture": creds.prefecture or "",
        "postal_code": creds.postal_code or "",
    }


def _serve(conn: Connection, sizes: list[int], latency_ms: float) -> None:
    """Child process: a sandbox with one seeded agency per size, driven through ``conn``."""
    sys.path.insert(0, str(SRC))
    from antsclient.models import RequestStatus
    from antsclient.sandbox import serve

    with serve(seed=1) as sb:
        agencies = sorted(sb.state.agencies)
        infos = []
        for size, agreement in zip(sizes, agencies, strict=False):
            sb.seed_requests(size, agreement=agreement)
            infos.append(_agency_info(sb, agreement))
        sb.set_latency(latency_ms)
        conn.send(infos)
        while True:
            command, arg = conn.recv()
            if command == "stop":
                conn.send("stopped")
                return
            if command == "latency":
                sb.set_latency(float(arg))
                conn.send("ok")
            elif command == "bandwidth":
                sb.set_bandwidth(float(arg))
                conn.send("ok")
            elif command == "stats":
                conn.send(
                    {
                        "bytes_sent": sb.link.bytes_sent,
                        "answers": sb.link.answers,
                        "cpu_s": time.process_time(),
                    }
                )
            elif command == "reset":
                sb.link.reset_counters()
                conn.send("ok")
            elif command == "change":
                agreement, count = arg
                reviewing = [
                    r.number
                    for r in sb.requests(agreement)
                    if r.status in {RequestStatus.UNDER_REVIEW, RequestStatus.IN_PROGRESS}
                ]
                for number in reviewing[: count // 2]:
                    sb.prefecture_decides(number, "accept")
                for _ in range(count - count // 2):
                    sb.register_direct(agreement=agreement)
                conn.send("changed")
            else:
                conn.send(f"unknown command {command!r}")


class ServerProcess:
    """A server running ``target(conn, *args)`` in a spawned process, driven through a pipe:
    ``target`` sends its agencies first (url, agreement, login, password), then answers
    each command (``stop``, ``latency``, ``stats``…)."""

    def __init__(self, target: Callable[..., None], args: tuple[Any, ...]) -> None:
        context = mp.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=target, args=(child, *args))
        self.process.start()
        self.agencies: list[dict[str, str]] = self.conn.recv()

    def ask(self, command: str, arg: Any = None) -> Any:
        self.conn.send((command, arg))
        return self.conn.recv()

    def set_latency(self, ms: float) -> None:
        self.ask("latency", ms)

    def stats(self) -> dict[str, Any]:
        """The bytes the server sent, its answers and its process's CPU time so far."""
        result: dict[str, Any] = self.ask("stats")
        return result

    def close(self) -> None:
        try:
            self.ask("stop")
        finally:
            self.process.join(10)
            if self.process.is_alive():  # pragma: no cover - a stuck server
                self.process.terminate()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SandboxProcess(ServerProcess):
    """A running sandbox process; ``agencies[i]`` has ``sizes[i]`` requests (url,
    agreement, login, password). A sandbox holds a handful of agencies: at most four sizes."""

    def __init__(self, sizes: list[int], latency_ms: float = 0.0) -> None:
        super().__init__(_serve, (sizes, latency_ms))

    def set_bandwidth(self, mbit_per_s: float) -> None:
        self.ask("bandwidth", mbit_per_s)
