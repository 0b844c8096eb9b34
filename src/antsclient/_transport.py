"""Connections: the TLS context every session shares, and transports shared by many sessions."""

from __future__ import annotations

import functools
import ssl
import urllib.request

import httpx

__all__ = [
    "SharedAsyncTransport",
    "SharedTransport",
    "pooled_async_transport",
    "pooled_transport",
    "tls_context",
]


@functools.cache
def _default_tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def tls_context(base_url: str) -> ssl.SSLContext:
    """The TLS context for a server: one verifying context shared by every session (building
    one costs 100 ms or more), or, for a plain-HTTP server such as a sandbox on loopback, an
    empty one that trusts no certificate and is never used (it fails closed if it ever were).
    """
    if base_url.lower().startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return _default_tls_context()


def _limits(connections: int) -> httpx.Limits:
    return httpx.Limits(max_connections=max(connections, 10), max_keepalive_connections=20)


def pooled_transport(connections: int, base_url: str) -> httpx.HTTPTransport | None:
    """A connection pool for ``connections`` requests in flight, reusing the shared TLS
    context (``None`` behind an environment proxy: httpx then configures the proxy)."""
    if urllib.request.getproxies():
        return None
    return httpx.HTTPTransport(verify=tls_context(base_url), limits=_limits(connections))


def pooled_async_transport(connections: int, base_url: str) -> httpx.AsyncHTTPTransport | None:
    """:func:`pooled_transport` for the async sessions."""
    if urllib.request.getproxies():
        return None
    return httpx.AsyncHTTPTransport(verify=tls_context(base_url), limits=_limits(connections))


class SharedTransport(httpx.BaseTransport):
    """A transport shared by many sessions: closing one session leaves it open."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self.transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.transport.handle_request(request)

    def close(self) -> None:
        return None


class SharedAsyncTransport(httpx.AsyncBaseTransport):
    """:class:`SharedTransport` for the async sessions."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transport.handle_async_request(request)

    async def aclose(self) -> None:
        return None
