"""Connections: the server's address checked once, the TLS context every session shares,
and transports shared by many sessions."""

from __future__ import annotations

import contextvars
import functools
import ssl
import time
import urllib.request
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any, Final

import attrs
import httpx

from antsclient.errors import ConfigurationError, ProtocolError

__all__ = [
    "ACCEPT_ENCODING",
    "CUT_OFF_AT",
    "DOCUMENT_BYTES",
    "AsyncCutOff",
    "AsyncGuardedTransport",
    "Body",
    "CutOff",
    "GuardedTransport",
    "Limits",
    "SharedAsyncTransport",
    "SharedTransport",
    "answer_too_large",
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
    from antsclient._lean_async import lean_async_transport  # noqa: PLC0415 - async only

    return lean_async_transport(tls_context(base_url), _limits(connections))


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


# --- bounds on what an answer may cost ------------------------------------------------------

_MB: Final = 1_000_000
DOCUMENT_BYTES: Final = 11 * _MB
"""The largest document ANTS holds (11 MB a file, :data:`antsclient.attachments.MAX_FILE_SIZE`)."""

_DOWNLOADS: Final = frozenset({"download_attachment", "download_document", "deposit_form"})
_INFLATE_STEP: Final = 1024 * 1024
"""Bytes of decompressed output produced at a time: a compressed bomb never expands whole.
A page of a sync (about 258 KB) is inflated in one step, kept as one piece and given to the
response without a copy (at 64 KiB a step: four steps and a join, 0.2 ms more CPU a page)."""


def _caps(value: Mapping[str, int]) -> dict[str, int]:
    """``Limits.per_operation`` as its own dict (the mapping given is copied): a converter of
    one plain signature, which type checkers take for the parameter's type (``dict`` itself,
    overloaded, made mypy refuse every argument)."""
    return dict(value)


@attrs.frozen(kw_only=True, slots=True)
class Limits:
    """Bornes: what a session accepts from a server, whatever the server says.

    ``answer_bytes`` caps every answer read into memory (after decompression), and
    ``download_bytes`` every file saved by a download (a supporting document, a prefecture
    document, the deposit form: 11 MB, the documents' own limit, by default).
    ``per_operation`` overrides either for one operation, by its name
    (``{"search_requests": 50_000_000}``). ``pages`` caps the pages a listing may announce
    (500 requests each: 5 million requests by default). Reading stops as soon as a cap is
    passed: the answer is never held whole, a download leaves no file behind.
    The whole call, retries and reading included, ends by the retry policy's ``deadline``.
    """

    answer_bytes: int = attrs.field(default=16 * _MB, validator=attrs.validators.ge(1))
    download_bytes: int = attrs.field(default=DOCUMENT_BYTES, validator=attrs.validators.ge(1))
    pages: int = attrs.field(default=10_000, validator=attrs.validators.ge(1))
    per_operation: Mapping[str, int] = attrs.field(factory=dict, converter=_caps)

    def cap(self, op: str) -> int:
        """The most bytes the answer of operation ``op`` may hold."""
        if op in self.per_operation:
            return self.per_operation[op]
        return self.download_bytes if op in _DOWNLOADS else self.answer_bytes


def answer_too_large(what: str, cap: int) -> ProtocolError:
    """The error of an answer larger than its cap."""
    return ProtocolError(
        f"{what}: the answer passed the {cap:,} bytes this client accepts for it "
        "(Limits, antsclient.Limits); reading stopped",
        code="answer_too_large",
        message_fr="Le site de l'ANTS a renvoyé une réponse trop volumineuse ; elle a été refusée.",
    )


@functools.cache
def _zlib() -> tuple[Any, tuple[type[Exception], ...]]:
    """The module that inflates answers, and the errors it raises for a body that is not
    what it claims: zlib-ng's (the ``speedups`` extra) when installed — a gzipped page of
    500 requests (258 KB) in 60 µs instead of 355 with the standard library's zlib, the
    same format and the same interface — else the standard library's."""
    try:
        from zlib_ng import zlib_ng  # noqa: PLC0415 - optional, loaded on the first answer
    except ImportError:
        return zlib, (zlib.error,)
    refused: type[Exception] = zlib_ng.error  # type: ignore[assignment] # its stub: an instance
    return zlib_ng, (zlib.error, refused)


class _Inflater:
    """A streamed ``gzip`` or ``deflate`` decoder that never expands more than a step at a
    time, so that the cap is checked before a bomb grows in memory."""

    def __init__(self, encoding: str) -> None:
        self._zlib, self.errors = _zlib()
        self.raw_fallback = encoding == "deflate"
        self._wbits = zlib.MAX_WBITS | 16 if encoding in {"gzip", "x-gzip"} else zlib.MAX_WBITS
        self._decoder = self._zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decompressed pieces of ``data``, a step at a time."""
        while data:
            try:
                out = self._decoder.decompress(data, _INFLATE_STEP)
            except self.errors:
                if not (self.raw_fallback and not self._started):
                    raise
                # Some servers send raw deflate without the zlib wrapper.
                self.raw_fallback = False
                self._wbits = -zlib.MAX_WBITS
                self._decoder = self._zlib.decompressobj(self._wbits)
                continue
            self._started = True
            data = self._decoder.unconsumed_tail
            if self._decoder.eof and self._decoder.unused_data:
                # A body of several gzip members: each is decoded in turn.
                data = self._decoder.unused_data
                self._decoder = self._zlib.decompressobj(self._wbits)
            if out:
                yield out


class Body:
    """An answer's body read as it streams, within its cap and its call's deadline.

    ``take`` each raw chunk as it arrives: it is decompressed (``gzip``, ``deflate``) a
    step at a time, counted against ``cap``, and written to ``sink`` (a download) or kept;
    ``finish`` then gives the response its content. A body that passes the cap raises
    :class:`~antsclient.ProtocolError` (``answer_too_large``); one still arriving when
    ``remaining()`` reaches zero raises :class:`httpx.ReadTimeout`, a failure like any
    other timeout — a server trickling a byte at a time cannot hold a call past its deadline.
    """

    def __init__(
        self,
        response: httpx.Response,
        cap: int,
        remaining: Callable[[], float],
        what: str,
        sink: IO[bytes] | None = None,
    ) -> None:
        self.response = response
        self.cap = cap
        self.remaining = remaining
        self.what = what
        self.sink = sink
        self.size = 0
        self._parts: list[bytes] = []
        encodings = [
            e.strip().lower()
            for e in response.headers.get("content-encoding", "").split(",")
            if e.strip() and e.strip().lower() != "identity"
        ]
        if len(encodings) > 1 or (encodings and encodings[0] not in _INFLATABLE):
            raise ProtocolError(
                f"{what}: the answer is encoded as {', '.join(encodings)!r}, which this "
                "client did not ask for",
                code="malformed_body",
            )
        self._inflater = _Inflater(encodings[0]) if encodings else None
        announced = response.headers.get("content-length", "")
        if not encodings and announced.isdigit() and int(announced) > cap:
            raise answer_too_large(what, cap)  # refused before a byte is read
        try:
            self.ready: bytes | None = response.content
            """The body, when the transport gave it read already (a mock's answer)."""
        except httpx.ResponseNotRead:
            self.ready = None

    def take(self, chunk: bytes) -> None:
        """One raw chunk of the body, as it arrived."""
        inflater = self._inflater
        refused = inflater.errors if inflater is not None else ()  # an answer not compressed
        try:
            pieces = inflater.feed(chunk) if inflater is not None else (chunk,)
            for piece in pieces:
                self._keep(piece)
        except refused as exc:
            raise ProtocolError(
                f"{self.what}: the compressed answer cannot be decoded ({exc})",
                code="malformed_body",
            ) from None
        if self.remaining() <= 0:
            raise httpx.ReadTimeout(
                "the call's deadline passed while the answer was still arriving",
                request=self.response.request,
            )

    def _keep(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.size > self.cap:
            raise answer_too_large(self.what, self.cap)
        if self.sink is not None:
            self.sink.write(piece)
        else:
            self._parts.append(piece)

    def finish(self) -> None:
        """The whole body arrived: give it to the response (or the sink has it)."""
        if self.ready is not None:
            self._keep(self.ready)
            return
        if self.sink is None:
            # What httpx's own ``read()`` does once the body is in.
            self.response._content = b"".join(self._parts)
            self._parts.clear()


_INFLATABLE: Final = frozenset({"gzip", "x-gzip", "deflate"})
ACCEPT_ENCODING: Final = "gzip, deflate"
"""The encodings a session asks for: those :class:`Body` decodes a step at a time."""


class AsyncCutOff:
    """Ends what runs inside it when the call's deadline passes (as a read timeout): the
    whole exchange, answer headers included, not only each wait between two chunks."""

    def __init__(self, seconds: float) -> None:
        import asyncio  # noqa: PLC0415 - only async sessions come here: the blocking never loads it

        self._timeout = asyncio.timeout(max(seconds, 0.0))

    async def __aenter__(self) -> None:
        await self._timeout.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            await self._timeout.__aexit__(*exc_info)
        except TimeoutError:
            raise httpx.ReadTimeout("the call's deadline passed before the answer ended") from None


CUT_OFF_AT: Final[contextvars.ContextVar[float | None]] = contextvars.ContextVar(
    "antsclient_cut_off", default=None
)
"""The instant the running exchange must end, if a :class:`CutOff` set one."""


class CutOff:
    """:class:`AsyncCutOff` for the blocking session: the instant the exchange must end,
    which the connections of a :class:`GuardedTransport` honour at every read and write of
    the socket (an answer's headers trickling a byte at a time included). Over another
    transport, the deadline is checked as each chunk of the body arrives (:class:`Body`)."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + max(seconds, 0.0)
        self._token: contextvars.Token[float | None] | None = None

    def __enter__(self) -> None:
        self._token = CUT_OFF_AT.set(self.at)

    def __exit__(self, *exc_info: Any) -> None:
        if self._token is not None:
            CUT_OFF_AT.reset(self._token)


class GuardedTransport(httpx.HTTPTransport):
    """The blocking session's own transport: httpx's, whose sockets honour :class:`CutOff`."""

    def __init__(self, base_url: str) -> None:
        # httpcore (and its h11, anyio, asyncio) loads with the first transport, as in httpx.
        import httpcore  # noqa: PLC0415

        from antsclient._lean_pool import LeanPool  # noqa: PLC0415
        from antsclient._sockets import CutBackend  # noqa: PLC0415

        context = tls_context(base_url)
        super().__init__(verify=context)
        if isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            limits = httpx.Limits()
            self._pool = LeanPool(
                ssl_context=context,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry,
                network_backend=CutBackend(CUT_OFF_AT),
            )

    @classmethod
    def for_server(cls, base_url: str) -> GuardedTransport:
        """The transport of a blocking session on ``base_url``."""
        return cls(base_url)


class AsyncGuardedTransport:
    """For the async session, cutting off is :class:`AsyncCutOff`'s work (it cancels the whole
    exchange): the transport is httpx's own, over the lean pool of
    :mod:`antsclient._lean_async` — or httpx's default behind an environment proxy."""

    @classmethod
    def for_server(cls, base_url: str) -> httpx.AsyncHTTPTransport | None:
        """The transport of an async session on ``base_url`` (``None``: httpx's default,
        which then configures the environment's proxy)."""
        if urllib.request.getproxies():
            return None
        # httpcore loads with the first transport: the blocking session never needs this one.
        from antsclient._lean_async import lean_async_transport  # noqa: PLC0415

        return lean_async_transport(tls_context(base_url), httpx.Limits())
