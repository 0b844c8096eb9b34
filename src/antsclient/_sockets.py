"""The blocking session's sockets: httpcore's, each read, write, TLS handshake and
connection bounded by the exchange's cut-off (:class:`antsclient._transport.CutOff`).

Apart from :mod:`antsclient._transport` because httpcore loads only with the first
transport, as it does in httpx."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore

from antsclient._transport import CUT_OFF_AT

__all__ = ["CutBackend", "CutStream", "cut"]


def cut(timeout: float | None) -> float | None:
    """``timeout`` cut to the time left before the exchange's cut-off (none: as is)."""
    at = CUT_OFF_AT.get()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the call's deadline passed before the answer ended")
    return left if timeout is None else min(timeout, left)


class CutStream(httpcore.NetworkStream):
    """A socket whose every operation ends by the exchange's cut-off."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, cut(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, cut(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return CutStream(self._stream.start_tls(ssl_context, server_hostname, cut(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class CutBackend(httpcore.NetworkBackend):
    """httpcore's blocking sockets, each read and write within the exchange's cut-off."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, cut(timeout), local_address, socket_options)
        return CutStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return CutStream(self._backend.connect_unix_socket(path, cut(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
