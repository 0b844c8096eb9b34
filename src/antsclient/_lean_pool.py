"""httpcore's async connection pool, with its bookkeeping made linear.

Each time a request enters or leaves httpcore's :class:`httpcore.AsyncConnectionPool`, the pool
walks its connections: for every idle one it counts all the connections again (a walk per
connection, so the cost grows with the square of the pool), and asks whether the server
closed it — through anyio, which builds a table of every attribute of the socket to find the
socket itself. With 20 requests in flight, this bookkeeping cost more client CPU than the
rest of a create. The pool here walks once, asks the connection it is about to use (the
others once a second), and the connections keep their socket at hand to look at it. The
blocking pool walks the same way, but its socket is cheap to reach and a session shared by
threads keeps fewer connections: it is left as it is.
"""

from __future__ import annotations

import select
import ssl
import sys
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

__all__ = ["SWEEP_EVERY", "LeanAsyncPool", "lean_async_transport", "socket_readable"]

SWEEP_EVERY = 1.0
"""Seconds between two looks at every idle connection of a :class:`LeanAsyncPool`."""


def socket_readable(sock: Any) -> bool:
    """Whether ``sock`` has something to read (an idle connection's server closed it) —
    ``True`` for a socket already closed or missing, as httpcore reads it."""
    if sock is None or sock.fileno() < 0:
        return True
    if sys.platform == "win32" or not hasattr(select, "poll"):  # pragma: no cover - not POSIX
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable)
    poll = select.poll()
    poll.register(sock, select.POLLIN)
    return bool(poll.poll(0))


class _LeanStream(httpcore.AsyncNetworkStream):
    """A network stream that looks at its socket directly when asked if it is readable."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: Any = stream.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _LeanStream(await self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._socket is not None:
            return socket_readable(self._socket)
        return self._stream.get_extra_info(info)


class _LeanBackend(httpcore.AsyncNetworkBackend):
    """httpcore's own network backend, its streams wrapped in :class:`_LeanStream`."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _LeanStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - the sessions speak TCP
        return _LeanStream(await self._backend.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore's retries only
        await self._backend.sleep(seconds)


class LeanAsyncPool(httpcore.AsyncConnectionPool):
    """:class:`httpcore.AsyncConnectionPool` whose assignment of requests to connections
    walks the pool once, and asks the sockets whether their server closed them only where
    it matters: the connection about to be used is always asked (as httpcore does), the
    other idle ones at most once every :data:`SWEEP_EVERY` seconds — a connection the server
    closed, or past its keep-alive, is closed by the next sweep rather than the next
    request. The choices are httpcore's, in the same order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._next_sweep = 0.0

    def _clean(self, closing: list[Any]) -> None:
        connections = self._connections
        now = time.monotonic()
        sweep = now >= self._next_sweep
        if sweep:
            self._next_sweep = now + SWEEP_EVERY
        for connection in list(connections):
            if connection.is_closed():
                connections.remove(connection)
            elif (sweep and connection.has_expired()) or (
                # httpcore counts every connection here (not the idle ones only): so do we.
                connection.is_idle() and len(connections) > self._max_keepalive_connections
            ):
                connections.remove(connection)
                closing.append(connection)

    def _available(self, origin: Any, closing: list[Any]) -> Any:
        """The first connection that can take a request to ``origin`` now (``None``: none)."""
        connections = self._connections
        for connection in list(connections):
            if connection.can_handle_request(origin) and connection.is_available():
                if not connection.has_expired():
                    return connection
                connections.remove(connection)
                closing.append(connection)
        return None

    def _assign_requests_to_connections(self) -> list[Any]:
        closing: list[Any] = []
        self._clean(closing)
        connections = self._connections
        for pool_request in [r for r in self._requests if r.is_queued()]:
            origin = pool_request.request.url.origin
            connection = self._available(origin, closing)
            if connection is None:
                if len(connections) >= self._max_connections:
                    idle = next((c for c in connections if c.is_idle()), None)
                    if idle is None:
                        continue  # it waits for a connection to come free
                    connections.remove(idle)
                    closing.append(idle)
                connection = self.create_connection(origin)
                connections.append(connection)
            pool_request.assign_to_connection(connection)
        return closing


def lean_async_transport(context: ssl.SSLContext, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's async transport over a :class:`LeanAsyncPool` (``limits`` its sizes)."""
    transport = httpx.AsyncHTTPTransport(verify=context, limits=limits)
    transport._pool = LeanAsyncPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_LeanBackend(),
    )
    return transport
