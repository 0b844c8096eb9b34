"""httpcore's connection pools, with their bookkeeping made linear.

Each time a request enters or leaves httpcore's :class:`httpcore.AsyncConnectionPool` (or
the blocking :class:`httpcore.ConnectionPool`, made from the same source), the pool walks
its connections: for every idle one it counts all the connections again (a walk per
connection, so the cost grows with the square of the pool), and asks every idle connection
whether the server closed it — a ``poll`` of its socket, and in the async pool through anyio,
which builds a table of every attribute of the socket to find the socket itself. With 20
requests in flight, this bookkeeping cost more client CPU than the rest of a create; a sync of
20,000 requests made 14,000 such checks for its 42 pages. The pools here walk once, ask the
connection they are about to use (the others once a second), and the async pool's
connections run on asyncio's own streams, their socket at hand to look at it. A
connection given to a request is not given to another before that request begins (httpcore's
second request then failed with ``ConnectionNotAvailable`` and started over).
"""

from __future__ import annotations

import asyncio
import select
import ssl
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

__all__ = ["SWEEP_EVERY", "LeanAsyncPool", "LeanPool", "lean_async_transport", "socket_readable"]

SWEEP_EVERY = 1.0
"""Seconds between two looks at every idle connection of a lean pool."""


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


class _AsyncioStream(httpcore.AsyncNetworkStream):
    """A connection on asyncio's own streams, its socket at hand.

    httpcore's anyio backend wraps each read and write in a cancel scope with its deadline
    and a resource guard, and gives the event loop a turn before each: at 20 creates in
    flight, some 9 % of a create's client CPU. Here a read or a write waits on asyncio's
    stream alone, under ``asyncio.timeout`` only when it has a timeout. Its failures are
    httpcore's (``ReadTimeout``, ``ReadError``, ``ConnectError``…), as the anyio backend
    raises them; the session's own deadline (:class:`~antsclient._transport.AsyncCutOff`)
    cancels it as any wait. The async session runs on asyncio (its deadline is asyncio's).
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._socket: Any = writer.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            if timeout is None:
                return await self._reader.read(max_bytes)
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout("no answer within the read timeout") from exc
        except OSError as exc:
            raise httpcore.ReadError(_said(exc)) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            if timeout is None:
                await self._writer.drain()
            else:
                async with asyncio.timeout(timeout):
                    await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout("the request could not be sent in time") from exc
        except (OSError, RuntimeError) as exc:  # RuntimeError: a transport already closed
            raise httpcore.WriteError(_said(exc)) from exc

    async def aclose(self) -> None:
        # Closing starts at once (a TLS goodbye included) and is not awaited: a server that
        # stopped answering would hold a TLS one until its timeout.
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            self._writer.close()
            raise httpcore.ConnectTimeout("the TLS handshake did not end in time") from exc
        except OSError as exc:  # ssl.SSLError (a certificate refused) included
            self._writer.close()
            raise httpcore.ConnectError(_said(exc)) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return socket_readable(self._socket)
        if info == "socket":
            return self._socket
        asked = {"client_addr": "sockname", "server_addr": "peername"}.get(info, info)
        return self._writer.get_extra_info(asked)


def _said(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class _LeanBackend(httpcore.AsyncNetworkBackend):
    """Connections on asyncio's streams (:class:`_AsyncioStream`)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        local = (local_address, 0) if local_address is not None else None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(host, port, local_addr=local)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"no connection to {host}:{port} in time") from exc
        except OSError as exc:
            raise httpcore.ConnectError(_said(exc)) from exc
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return _AsyncioStream(reader, writer)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - the sessions speak TCP
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_unix_connection(path)
        return _AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore's retries only
        await asyncio.sleep(seconds)


class _LeanAssignment:
    """The assignment of requests to connections both lean pools share: it walks the pool
    once, and asks the sockets whether their server closed them only where it matters: the
    connection about to be used is always asked (as httpcore does), the other idle ones at
    most once every :data:`SWEEP_EVERY` seconds — a connection the server closed, or past its
    keep-alive, is closed by the next sweep rather than the next request. The choices are
    httpcore's, in the same order. It runs under the pool's own lock, as httpcore's does."""

    _connections: list[Any]
    _requests: list[Any]
    _max_connections: int
    _max_keepalive_connections: int
    _http2: bool
    _next_sweep: float = 0.0

    if TYPE_CHECKING:  # the pool's own

        def create_connection(self, origin: Any) -> Any: ...

    def _clean(self, closing: list[Any], taken: set[int]) -> None:
        connections = self._connections
        now = time.monotonic()
        sweep = now >= self._next_sweep
        if sweep:
            self._next_sweep = now + SWEEP_EVERY
        for connection in list(connections):
            if connection.is_closed():
                connections.remove(connection)
            elif id(connection) in taken:
                continue  # given to a request that has not begun: not closed under it
            elif (sweep and connection.has_expired()) or (
                # httpcore counts every connection here (not the idle ones only): so do we,
                # before asking the connection (20 in flight: 20 questions a request saved).
                len(connections) > self._max_keepalive_connections and connection.is_idle()
            ):
                connections.remove(connection)
                closing.append(connection)

    def _available(self, origin: Any, closing: list[Any], taken: set[int]) -> Any:
        """The first connection that can take a request to ``origin`` now (``None``: none),
        none of those in ``taken`` (by their ``id``)."""
        connections = self._connections
        for connection in list(connections):
            if id(connection) in taken:
                continue
            if connection.can_handle_request(origin) and connection.is_available():
                if not connection.has_expired():
                    return connection
                connections.remove(connection)
                closing.append(connection)
        return None

    def _assign_requests_to_connections(self) -> list[Any]:
        # An HTTP/1.1 connection takes one request at a time: one already given to a request
        # is neither given to another nor closed as a surplus idle one, even while it still
        # looks idle (its request not begun, waiting for its turn). httpcore gives it again,
        # and the second request then fails with ConnectionNotAvailable and starts over (at
        # 20 creates in flight, one create in four did).
        taken: set[int] = (
            set()
            if self._http2
            else {id(r.connection) for r in self._requests if r.connection is not None}
        )
        closing: list[Any] = []
        self._clean(closing, taken)
        connections = self._connections
        queued = [r for r in self._requests if r.is_queued()]
        if not queued:
            return closing
        for pool_request in queued:
            origin = pool_request.request.url.origin
            connection = self._available(origin, closing, taken)
            if connection is None:
                if len(connections) >= self._max_connections:
                    idle = next(
                        (c for c in connections if id(c) not in taken and c.is_idle()), None
                    )
                    if idle is None:
                        continue  # it waits for a connection to come free
                    connections.remove(idle)
                    closing.append(idle)
                connection = self.create_connection(origin)
                connections.append(connection)
            pool_request.assign_to_connection(connection)
            if not self._http2:
                taken.add(id(connection))
        return closing


class LeanAsyncPool(_LeanAssignment, httpcore.AsyncConnectionPool):
    """:class:`httpcore.AsyncConnectionPool` with the lean assignment."""


class LeanPool(_LeanAssignment, httpcore.ConnectionPool):
    """:class:`httpcore.ConnectionPool` (the blocking one) with the lean assignment: its
    sockets are cheap to reach, but it too asked every idle one at every request."""


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
