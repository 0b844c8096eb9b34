"""The async session's lean connection pool: :mod:`antsclient._lean_pool`'s assignment
over httpcore's async pool, its connections on asyncio's own streams, their socket at hand
to look at it (anyio's backend builds a table of every attribute of the socket to find it).
Loaded by the async session only: the blocking one never needs asyncio.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from antsclient._lean_pool import LeanAssignment, socket_readable

__all__ = ["LeanAsyncPool", "lean_async_transport"]


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


class LeanAsyncPool(LeanAssignment, httpcore.AsyncConnectionPool):
    """:class:`httpcore.AsyncConnectionPool` with the lean assignment."""


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
