"""httpcore's connection pools, with their bookkeeping made linear.

Each time a request enters or leaves httpcore's :class:`httpcore.AsyncConnectionPool` (or
the blocking :class:`httpcore.ConnectionPool`, made from the same source), the pool walks
its connections: for every idle one it counts all the connections again (a walk per
connection, so the cost grows with the square of the pool), and asks every idle connection
whether the server closed it — a ``poll`` of its socket, and in the async pool through anyio,
which builds a table of every attribute of the socket to find the socket itself. With 20
requests in flight, this bookkeeping cost more client CPU than the rest of a create; a sync of
20,000 requests made 14,000 such checks for its 42 pages. The pools here walk once and ask
the connection they are about to use (the others once a second). A connection given to a
request is not given to another before that request begins (httpcore's second request then
failed with ``ConnectionNotAvailable`` and started over).

The async pool and its connections on asyncio's own streams are in
:mod:`antsclient._lean_async`: the blocking session never loads asyncio.
"""

from __future__ import annotations

import select
import sys
import time
from typing import TYPE_CHECKING, Any

import httpcore

__all__ = ["SWEEP_EVERY", "LeanAssignment", "LeanPool", "socket_readable"]

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


class LeanAssignment:
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


class LeanPool(LeanAssignment, httpcore.ConnectionPool):
    """:class:`httpcore.ConnectionPool` (the blocking one) with the lean assignment: its
    sockets are cheap to reach, but it too asked every idle one at every request."""
