"""The blocking session's sockets: httpcore's, each read, write, TLS handshake and
connection bounded by the exchange's cut-off: the instant a context variable holds
(:data:`antsclient._transport.CUT_OFF_AT`, which :class:`~antsclient._transport.CutOff` sets).

Apart from :mod:`antsclient._transport` because httpcore loads only with the first
transport, as it does in httpx."""

from __future__ import annotations

import contextvars
import ssl
import time
from collections.abc import Iterable
from typing import Any, TypeAlias

import httpcore

__all__ = ["CutBackend", "CutOffAt", "CutStream", "cut"]


CutOffAt: TypeAlias = contextvars.ContextVar[float | None]
"""Where the running exchange's cut-off instant is kept."""


def cut(timeout: float | None, cut_off_at: CutOffAt) -> float | None:
    """``timeout`` cut to the time left before the exchange's cut-off (none: as is)."""
    at = cut_off_at.get()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the call's deadline passed before the answer ended")
    return left if timeout is None else min(timeout, left)


class CutStream(httpcore.NetworkStream):
    """A socket whose every operation ends by the exchange's cut-off."""

    def __init__(self, stream: httpcore.NetworkStream, cut_off_at: CutOffAt) -> None:
        self._stream = stream
        self._at = cut_off_at

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, cut(timeout, self._at))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, cut(timeout, self._at))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return CutStream(
            self._stream.start_tls(ssl_context, server_hostname, cut(timeout, self._at)), self._at
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class CutBackend(httpcore.NetworkBackend):
    """httpcore's blocking sockets, each read and write within the exchange's cut-off."""

    def __init__(self, cut_off_at: CutOffAt) -> None:
        self._backend = httpcore.SyncBackend()
        self._at = cut_off_at

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, cut(timeout, self._at), local_address, socket_options
        )
        return CutStream(stream, self._at)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return CutStream(
            self._backend.connect_unix_socket(path, cut(timeout, self._at), socket_options),
            self._at,
        )

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
