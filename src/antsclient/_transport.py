"""Connections: the server's address checked once, the TLS context every session shares,
and transports shared by many sessions."""

from __future__ import annotations

import functools
import ssl
import urllib.request
from typing import Final

import httpx

from antsclient.errors import ConfigurationError

__all__ = [
    "SharedAsyncTransport",
    "SharedTransport",
    "check_base_url",
    "pooled_async_transport",
    "pooled_transport",
    "server_of",
    "tls_context",
]

_SCHEMES: Final = ("http", "https")
_MAX_PORT: Final = 65535
_EXAMPLE: Final = "https://ants.example.fr"


def _bad_base_url(given: object, why: str, why_fr: str) -> ConfigurationError:
    shown = given if isinstance(given, str) else repr(given)
    return ConfigurationError(
        f"base_url {given!r} cannot be a server's address: {why}; give http:// or https:// "
        f"and a host, e.g. {_EXAMPLE!r}",
        code="base_url.invalid",
        field="base_url",
        message_fr=f"L'adresse du serveur ANTS (base_url) « {shown} » est incorrecte : "
        f"{why_fr}. Indiquez une adresse complète, par exemple {_EXAMPLE}.",
    )


def check_base_url(base_url: object) -> str:
    """``base_url`` without surrounding spaces, once it can name a server: ``http://`` or
    ``https://`` followed by a host (and a port from 1 to 65535).

    Anything else — ``not-a-url``, ``ants.example.fr`` without its scheme, ``ftp://…``,
    ``http://`` without a host — raises :class:`~antsclient.ConfigurationError` naming the
    URL and the field ``base_url``, before any connection is tried.
    """
    if not isinstance(base_url, str):
        raise _bad_base_url(base_url, "it is not a text", "ce n'est pas un texte")
    text = base_url.strip()
    if not text:
        raise _bad_base_url(base_url, "it is empty", "elle est vide")
    if any(c.isspace() for c in text):
        raise _bad_base_url(base_url, "it contains a space", "elle contient un espace")
    if "://" not in text:
        raise _bad_base_url(
            base_url,
            "it has no scheme",
            f"il manque http:// ou https:// au début (https://{text} ?)",
        )
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise _bad_base_url(base_url, f"it cannot be read ({exc})", "elle est illisible") from exc
    if url.scheme not in _SCHEMES:
        raise _bad_base_url(
            base_url,
            f"the scheme {url.scheme!r} is not supported (only http and https are)",
            f"le protocole « {url.scheme} » n'est pas pris en charge (seuls http et https le sont)",
        )
    if not url.host:
        raise _bad_base_url(base_url, "it names no host", "elle ne nomme aucun serveur")
    if url.port is not None and not 0 < url.port <= _MAX_PORT:
        raise _bad_base_url(
            base_url,
            f"the port {url.port} does not exist (1 to {_MAX_PORT})",
            f"le port {url.port} n'existe pas (de 1 à {_MAX_PORT})",
        )
    return text


def server_of(url: httpx.URL | str) -> str:
    """The server a URL points at, for messages: ``https://ants.example.fr:8443`` (never its
    user information, path or query)."""
    parsed = httpx.URL(str(url))
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{host}{port}"


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
