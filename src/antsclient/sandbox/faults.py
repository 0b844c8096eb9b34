"""Latency and injected faults: what a slow or failing ANTS does to a client.

An ASGI middleware in front of the API (``/api/...`` only, never the ``/_sandbox`` controls)
adds latency (fixed + uniform jitter) and, at seeded rates, answers instead of the API:

* ``error`` — a 429, 500, 502 or 503 with the protocol's error body (retryable);
* ``hang`` — no answer for ``hang_seconds`` (past the client's timeout), then a 503;
* ``drop`` — the connection is closed without any response;
* ``malformed`` — a 200 whose body is not valid JSON.

A faulted request never reaches the domain: nothing is created or changed.

**Post-commit faults** are the other kind, the one a client cannot tell from the first: the
write is carried out and saved, then its answer is lost. At ``post_commit_rate``, for the
operations named in ``post_commit_operations`` (none named: every write), a saved write's
answer is replaced by one of ``post_commit_kinds``:

* ``error`` — a 500, 502, 503 or 504 with the protocol's error body;
* ``reset`` — the connection is closed without any answer;
* ``stall`` — nothing for ``post_commit_stall_seconds``; over TCP the answer comes after
  that (a client that gave up never reads it), in process the client then gets the read
  timeout its transport cannot raise itself.

Only a write the server carried out (a 2xx answer, not a replay of an ``Idempotency-Key``)
is faulted; each operation draws from its own generator seeded with ``seed``, so the n-th
write of an operation is faulted or not whatever the other operations do. ``stall_creates``
is the older form of the same case, for creates only.
"""

from __future__ import annotations

import asyncio
import collections
import enum
import json
import random
import re
import threading
from collections.abc import Iterable, Sequence
from typing import Any, Final

import attrs
import httpx

from antsclient.sandbox.errors import SandboxError, error_body

__all__ = [
    "POST_COMMIT_KINDS",
    "Fault",
    "FaultConfig",
    "FaultMiddleware",
    "Faults",
    "Operations",
    "PostCommit",
]

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
    post_commit_rate: float = 0.0
    post_commit_operations: tuple[str, ...] = ()
    post_commit_kinds: tuple[str, ...] = ("error", "reset", "stall")
    post_commit_stall_seconds: float = 5.0


_ERROR_STATUSES: Final = (429, 500, 502, 503)


class PostCommit(enum.Enum):
    """What replaces the answer of a write that was saved."""

    ERROR = "error"
    RESET = "reset"
    STALL = "stall"


POST_COMMIT_KINDS: Final = tuple(kind.value for kind in PostCommit)
_POST_COMMIT_STATUSES: Final = (500, 502, 503, 504)


class Faults:
    """The live configuration, changed at run time from the handle (thread-safe)."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.config: FaultConfig = config or FaultConfig()
        self._rng = random.Random(self.config.seed)  # noqa: S311 - reproducible, not secret
        self._post_rngs: dict[str, random.Random] = {}
        self.received: collections.Counter[str] = collections.Counter()
        """How many calls of each operation reached the API (faulted or not)."""
        self.post_committed: collections.Counter[str] = collections.Counter()
        """How many saved writes of each operation had their answer replaced."""

    def configure(self, **changes: Any) -> FaultConfig:
        """Change some settings; a new ``seed`` restarts the random sequences."""
        with self._lock:
            self.config = attrs.evolve(self.config, **changes)
            if "seed" in changes:
                self._rng = random.Random(self.config.seed)  # noqa: S311 - reproducible, not secret
                self._post_rngs.clear()
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

    def count(self, operation: str) -> None:
        """Note a call of ``operation`` that reached the API."""
        with self._lock:
            self.received[operation] += 1

    def draw_post_commit(self, operation: str) -> tuple[PostCommit, int] | None:
        """Whether the answer of this write of ``operation`` is to be lost once it is saved:
        how, and the status of an ``error``; ``None`` to answer it."""
        with self._lock:
            c = self.config
            if c.post_commit_rate <= 0 or not c.post_commit_kinds:
                return None
            if c.post_commit_operations and operation not in c.post_commit_operations:
                return None
            rng = self._post_rngs.get(operation)
            if rng is None:
                rng = random.Random(f"{c.seed}:{operation}")  # noqa: S311 - reproducible
                self._post_rngs[operation] = rng
            u = rng.random()
            kind = PostCommit(c.post_commit_kinds[rng.randrange(len(c.post_commit_kinds))])
            status = _POST_COMMIT_STATUSES[rng.randrange(len(_POST_COMMIT_STATUSES))]
            return (kind, status) if u < c.post_commit_rate else None

    def lost(self, operation: str) -> None:
        """Note a saved write of ``operation`` whose answer was replaced."""
        with self._lock:
            self.post_committed[operation] += 1

    def reset_counts(self) -> None:
        """Forget the counts of calls received and answers lost."""
        with self._lock:
            self.received.clear()
            self.post_committed.clear()


class Operations:
    """The API's operations by method and path: their names, and which change something.

    ``table`` lists ``(method, path template, name)`` in the order routes are matched
    (``/api/v1/requests/{number}``'s templates as Starlette writes them).
    """

    def __init__(self, table: Iterable[tuple[str, str, str]]) -> None:
        self._routes: list[tuple[str, re.Pattern[str], str]] = []
        for method, template, name in table:
            pattern = re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template))
            self._routes.append((method, re.compile(f"^{pattern}$"), name))
        self.writes: frozenset[str] = frozenset(
            name for method, _, name in self._routes if method != "GET" and name != "login"
        )
        """The operations that change something (every write but logging in)."""

    def name(self, method: str, path: str) -> str | None:
        """The operation ``method path`` calls, if any."""
        for route_method, pattern, name in self._routes:
            if route_method == method and pattern.match(path):
                return name
        return None

    def check_writes(self, names: Sequence[str]) -> tuple[str, ...]:
        """``names`` if each is a write of the API, else :class:`ValueError`."""
        unknown = sorted(set(names) - self.writes)
        if unknown:
            msg = f"not writes of the API: {', '.join(unknown)} (writes: {sorted(self.writes)})"
            raise ValueError(msg)
        return tuple(names)


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
    """Adds latency and faults in front of ``/api/`` paths; counts the calls of each
    operation ``operations`` names, and loses the answers of saved writes it draws."""

    def __init__(self, app: ASGIApp, faults: Faults, operations: Operations | None = None) -> None:
        self.app = app
        self.faults = faults
        self.operations: Operations = operations or Operations(())

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/api/"):
            await self.app(scope, receive, send)
            return
        operation = self.operations.name(scope.get("method", "GET"), scope["path"]) or "unknown"
        self.faults.count(operation)
        delay = self.faults.latency()
        if delay:
            await asyncio.sleep(delay)
        fault, status = self.faults.draw()
        if fault is None:
            lost = (
                self.faults.draw_post_commit(operation)
                if operation in self.operations.writes
                else None
            )
            if lost is None and operation == "create_request" and self.faults.config.stall_creates:
                lost = (PostCommit.STALL, 0)
            if lost is None:
                await self.app(scope, receive, send)
            else:
                await self._post_commit(operation, lost, scope, receive, send)
        elif fault is Fault.DROP:
            await drop_connection(send)
        elif fault is Fault.HANG:
            await asyncio.sleep(self.faults.config.hang_seconds)
            await _send_json(send, 503, _error(503), [(b"retry-after", b"0")])
        elif fault is Fault.ERROR:
            await _send_json(send, status, _error(status), [(b"retry-after", b"0")])
        else:
            await _send_json(send, 200, b'{"items": [{"number": "32', [])

    async def _post_commit(
        self, operation: str, lost: tuple[PostCommit, int], scope: Any, receive: Any, send: Any
    ) -> None:
        """Carry the write out and keep its answer; if it was saved, lose the answer."""
        messages: list[Any] = []

        async def keep(message: Any) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None or not _saved(start):
            for message in messages:
                await send(message)
            return
        self.faults.lost(operation)
        kind, status = lost
        if kind is PostCommit.ERROR:
            await _send_json(send, status, _error(status), [])
        elif kind is PostCommit.RESET:
            await drop_connection(send)
        elif status == 0:  # stall_creates: the answer comes late, in process too
            await asyncio.sleep(self.faults.config.stall_seconds)
            for message in messages:
                await send(message)
        else:
            await asyncio.sleep(self.faults.config.post_commit_stall_seconds)
            await _answer_late(send, messages)


def _saved(start: Any) -> bool:
    """Whether an answer says a write was carried out now (a 2xx, not a replay)."""
    replayed = any(name.lower() == b"idempotent-replayed" for name, _ in start.get("headers", ()))
    return 200 <= int(start["status"]) < 300 and not replayed


async def _answer_late(send: Any, messages: list[Any]) -> None:
    """After a stall: over TCP, the answer a client may no longer wait for; in process,
    the read timeout the client's transport cannot raise itself."""
    cycle = getattr(send, "__self__", None)
    if getattr(cycle, "transport", None) is None:
        raise httpx.ReadTimeout("the answer stalled after the write was saved")
    for message in messages:
        await send(message)
