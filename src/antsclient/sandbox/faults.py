"""Latency and injected faults: what a slow or failing ANTS does to a client.

An ASGI middleware in front of the API (``/api/...`` only, never the ``/_sandbox`` controls)
adds latency (fixed + uniform jitter) and, at seeded rates, answers instead of the API:

* ``error`` — a 429, 500, 502 or 503 with the protocol's error body (retryable);
* ``hang`` — no answer for ``hang_seconds`` (past the client's timeout), then a 503;
* ``drop`` — the connection is closed without any response;
* ``malformed`` — a 200 whose body is not valid JSON.

A faulted request never reaches the domain: nothing is created or changed. The one
exception is ``stall_creates``: a create is committed, then its answer waits
``stall_seconds`` — the case an ``Idempotency-Key`` exists for.
"""

from __future__ import annotations

import asyncio
import enum
import json
import random
import threading
from typing import Any, Final

import attrs
import httpx

from antsclient.sandbox.errors import SandboxError, error_body

__all__ = ["Fault", "FaultConfig", "FaultMiddleware", "Faults"]

ASGIApp = Any  # (scope, receive, send) -> awaitable; kept loose for the middleware chain


class Fault(enum.Enum):
    """A fault injected in place of the API's answer."""

    ERROR = "error"
    HANG = "hang"
    DROP = "drop"
    MALFORMED = "malformed"


@attrs.define(kw_only=True)
class FaultConfig:
    """Latency and fault rates (each between 0 and 1), drawn from a seeded generator."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    hang_rate: float = 0.0
    drop_rate: float = 0.0
    malformed_rate: float = 0.0
    hang_seconds: float = 5.0
    stall_creates: bool = False
    stall_seconds: float = 5.0
    seed: int = 0


_ERROR_STATUSES: Final = (429, 500, 502, 503)


class Faults:
    """The live configuration, changed at run time from the handle (thread-safe)."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.config = config or FaultConfig()
        self._rng = random.Random(self.config.seed)  # noqa: S311 - reproducible, not secret

    def configure(self, **changes: Any) -> FaultConfig:
        """Change some settings; a new ``seed`` restarts the random sequence."""
        with self._lock:
            self.config = attrs.evolve(self.config, **changes)
            if "seed" in changes:
                self._rng = random.Random(self.config.seed)  # noqa: S311 - reproducible, not secret
            return self.config

    def latency(self) -> float:
        """Seconds to wait before answering."""
        with self._lock:
            c = self.config
            jitter = self._rng.uniform(0, c.jitter_ms) if c.jitter_ms > 0 else 0.0
            return max(c.latency_ms + jitter, 0.0) / 1000

    def draw(self) -> tuple[Fault | None, int]:
        """The fault for the next request (or ``None``), and the status of an error."""
        with self._lock:
            c = self.config
            if not (c.drop_rate or c.hang_rate or c.error_rate or c.malformed_rate):
                return None, 0
            u = self._rng.random()
            status = _ERROR_STATUSES[self._rng.randrange(len(_ERROR_STATUSES))]
            for fault, rate in (
                (Fault.DROP, c.drop_rate),
                (Fault.HANG, c.hang_rate),
                (Fault.ERROR, c.error_rate),
                (Fault.MALFORMED, c.malformed_rate),
            ):
                if u < rate:
                    return fault, status
                u -= rate
            return None, 0


async def _send_json(
    send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _error(status: int) -> bytes:
    code = {500: "internal_error", 429: "rate_limited"}.get(status, "unavailable")
    error = SandboxError(
        f"injected fault: HTTP {status}",
        code=code,
        message_fr="La page ne répond pas : le site de l'ANTS est indisponible. Réessayez "
        "plus tard.",
        status=status,
    )
    body = error_body(error)
    body["error"]["retry_after"] = 0
    return json.dumps(body).encode()


async def drop_connection(send: Any) -> None:
    """Close the client's connection without any response.

    Under uvicorn the transport is closed and nothing is sent; elsewhere (an in-process
    ``httpx.ASGITransport``) the client gets the error it would get over TCP.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None and hasattr(transport, "close"):
        transport.close()
        for _ in range(100):
            if getattr(cycle, "disconnected", True):
                return
            await asyncio.sleep(0.001)
        return  # pragma: no cover - the loop closes the transport within a few ticks
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


class FaultMiddleware:
    """Adds latency and faults in front of ``/api/`` paths."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/api/"):
            await self.app(scope, receive, send)
            return
        delay = self.faults.latency()
        if delay:
            await asyncio.sleep(delay)
        fault, status = self.faults.draw()
        if fault is None:
            await self.app(scope, receive, send)
        elif fault is Fault.DROP:
            await drop_connection(send)
        elif fault is Fault.HANG:
            await asyncio.sleep(self.faults.config.hang_seconds)
            await _send_json(send, 503, _error(503), [(b"retry-after", b"0")])
        elif fault is Fault.ERROR:
            await _send_json(send, status, _error(status), [(b"retry-after", b"0")])
        else:
            await _send_json(send, 200, b'{"items": [{"number": "32', [])
