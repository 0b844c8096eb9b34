"""The blocking session's sockets: every read, write, TLS handshake and connection is bounded
by the exchange's cut-off, and past it fails as a read timeout."""

from __future__ import annotations

import ssl
from typing import Any

import httpcore
import pytest

from antsclient import _sockets as sockets
from antsclient import _transport as transport


class _Recorder(httpcore.NetworkStream):
    def __init__(self) -> None:
        self.timeouts: list[float | None] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.timeouts.append(timeout)
        return b"x"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.timeouts.append(timeout)

    def close(self) -> None:
        self.timeouts.append(-1.0)

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: Any = None
    ) -> httpcore.NetworkStream:
        self.timeouts.append(timeout)
        return self

    def get_extra_info(self, info: str) -> Any:
        return info


class _Backend:
    def __init__(self, stream: _Recorder) -> None:
        self.stream = stream
        self.slept: list[float] = []

    def connect_tcp(self, host: str, port: int, timeout: Any = None, *_: Any) -> _Recorder:
        self.stream.timeouts.append(timeout)
        return self.stream

    def connect_unix_socket(self, path: str, timeout: Any = None, *_: Any) -> _Recorder:
        self.stream.timeouts.append(timeout)
        return self.stream

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_every_socket_operation_is_cut_to_the_time_left() -> None:
    recorder = _Recorder()
    backend = sockets.CutBackend(transport.CUT_OFF_AT)
    backend._backend = _Backend(recorder)  # type: ignore[assignment]
    with transport.CutOff(30.0):
        stream = backend.connect_tcp("127.0.0.1", 1, timeout=90.0)
        stream.write(b"GET", timeout=None)
        assert stream.read(10, timeout=90.0) == b"x"
        tls = stream.start_tls(ssl.create_default_context(), "ants.example.fr", timeout=5.0)
        assert tls.get_extra_info("ssl_object") == "ssl_object"
        backend.connect_unix_socket("/tmp/none.sock", timeout=None)
        backend.sleep(0.1)
        tls.close()
    cut = [t for t in recorder.timeouts if t != -1.0]
    assert all(t is not None and t <= 30.0 for t in cut)
    assert 5.0 in cut  # a shorter timeout stays
    assert backend._backend.slept == [0.1]  # type: ignore[attr-defined]
    # Outside a cut-off, timeouts are as given.
    assert stream.read(1, timeout=None) == b"x"
    assert recorder.timeouts[-1] is None


def test_past_the_cut_off_a_read_is_a_timeout() -> None:
    stream = sockets.CutStream(_Recorder(), transport.CUT_OFF_AT)
    with transport.CutOff(0.0), pytest.raises(httpcore.ReadTimeout):
        stream.read(1)


def test_the_blocking_session_has_a_transport_of_its_own() -> None:
    assert isinstance(
        transport.GuardedTransport.for_server("http://127.0.0.1:1"), transport.GuardedTransport
    )
