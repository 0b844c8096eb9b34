"""The sessions' connection pools: httpcore's choices, made in one walk of the pool."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import shutil
import socket
import ssl
import struct
import subprocess
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import httpcore
import httpx
import pytest

from antsclient import _lean_async as lean_async
from antsclient import _lean_pool as lean
from antsclient import _transport as transport

Scenario = Callable[[str, list[int]], Awaitable[None]]


def _serve(scenario: Scenario, *, close_after_each: bool = False, delay: float = 0.0) -> list[int]:
    """Run ``scenario(url, accepted)`` against a loopback HTTP/1.1 server answering ``ok``
    (after ``delay``); ``accepted`` grows by one for each connection the server accepted.
    ``close_after_each``: the server closes each connection after its first answer, without
    saying so (the client finds out when it looks at the idle socket)."""
    accepted: list[int] = []
    handlers: list[asyncio.Future[Any]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        handlers.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                await asyncio.sleep(delay)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
                if close_after_each:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()
        with contextlib.suppress(ConnectionError):  # a client that reset its connection
            await writer.wait_closed()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            await scenario(f"http://127.0.0.1:{port}/", accepted)
        # The client closed its connections: each handler ends as it reads their end.
        await asyncio.wait_for(asyncio.gather(*handlers), 5)

    asyncio.run(main())
    return accepted


def test_the_async_session_pools_its_connections_leanly_unless_behind_a_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for own in (
        transport.AsyncGuardedTransport.for_server("http://127.0.0.1:1"),
        transport.pooled_async_transport(8, "http://127.0.0.1:1"),
    ):
        assert isinstance(own, httpx.AsyncHTTPTransport)
        assert isinstance(own._pool, lean_async.LeanAsyncPool)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert transport.AsyncGuardedTransport.for_server("http://127.0.0.1:1") is None


def _transport(**limits: Any) -> httpx.AsyncHTTPTransport:
    return lean_async.lean_async_transport(ssl.create_default_context(), httpx.Limits(**limits))


def test_requests_beyond_the_connections_wait_for_one_and_surplus_idle_ones_close() -> None:
    seen: list[int] = []

    async def scenario(url: str, accepted: list[int]) -> None:
        async with httpx.AsyncClient(transport=_transport(max_connections=3)) as client:
            answers = await asyncio.gather(*(client.get(url) for _ in range(12)))
            assert [a.text for a in answers] == ["ok"] * 12
            seen.append(len(accepted))
        transport = _transport(max_connections=3, max_keepalive_connections=1)
        async with httpx.AsyncClient(transport=transport) as client:
            await asyncio.gather(*(client.get(url) for _ in range(6)))
            assert len(transport._pool.connections) <= 1  # the keep-alive bound
            assert (await client.get(url)).text == "ok"

    _serve(scenario, delay=0.01)
    assert 1 < seen[0] <= 3  # never more connections than allowed, each reused when free


@pytest.mark.parametrize("kind", ["lean", "httpx"])
def test_a_request_cancelled_at_any_moment_leaves_no_connection_open(kind: str) -> None:
    """A call's deadline cancels its request wherever it is: opening the connection, sending,
    reading. Cancelled after each number of the loop's turns in turn, the request leaves no
    connection open: the server sees every one closed, none is found unclosed when
    collected. The lean pool's, and httpx's own over anyio (which the tests use too: anyio
    before 4.16 left a connection it had just opened unclosed)."""
    turns = 40
    completed: list[int] = []

    async def scenario(url: str, accepted: list[int]) -> None:
        pool = _transport() if kind == "lean" else httpx.AsyncHTTPTransport()
        for n in range(turns):
            task = asyncio.ensure_future(pool.handle_async_request(httpx.Request("GET", url)))
            for _ in range(n):
                await asyncio.sleep(0)
            task.cancel()
            try:
                response = await task
            except asyncio.CancelledError:
                continue
            completed.append(n)
            await response.aread()
            await response.aclose()
        await pool.aclose()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        accepted = _serve(scenario)  # it waits for the server to see every connection closed
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert accepted, "some requests got as far as a connection"
    assert len(completed) < turns, "some requests were cancelled"


def test_a_connection_the_server_closed_is_not_used_again() -> None:
    async def scenario(url: str, accepted: list[int]) -> None:
        async with httpx.AsyncClient(transport=_transport()) as client:
            for _ in range(3):
                assert (await client.get(url)).text == "ok"
                await asyncio.sleep(0.05)  # the server's close reaches the client's socket
            assert len(accepted) == 3

    _serve(scenario, close_after_each=True)


def test_the_sweep_closes_idle_connections_past_their_keep_alive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lean, "SWEEP_EVERY", 0.0)

    async def scenario(url: str, accepted: list[int]) -> None:
        transport = _transport(keepalive_expiry=0.0)
        async with httpx.AsyncClient(transport=transport) as client:
            await asyncio.gather(*(client.get(url) for _ in range(3)))
            await asyncio.sleep(0.01)
            assert (await client.get(url)).text == "ok"
            assert len(transport._pool.connections) <= 1

    assert len(_serve(scenario, delay=0.01)) >= 3


def test_at_the_connection_bound_an_idle_connection_makes_room_for_another_origin() -> None:
    async def scenario(url: str, accepted: list[int]) -> None:
        transport = _transport(max_connections=1)
        async with httpx.AsyncClient(transport=transport) as client:
            assert (await client.get(url)).text == "ok"
            other = url.replace("127.0.0.1", "localhost")
            assert (await client.get(other)).text == "ok"
            assert len(transport._pool.connections) == 1
        assert len(accepted) == 2

    _serve(scenario)


def test_a_socket_is_readable_once_its_peer_wrote_or_closed() -> None:
    assert lean.socket_readable(None) is True
    left, right = socket.socketpair()
    with left, right:
        assert lean.socket_readable(left) is False
        right.send(b"x")
        assert lean.socket_readable(left) is True
    assert lean.socket_readable(left) is True  # closed: fileno() is -1


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (the system's ``openssl``)."""
    if shutil.which("openssl") is None:  # pragma: no cover - Debian ships it
        if os.environ.get("CI") == "true":
            pytest.fail("openssl is needed: apt install openssl")
        pytest.skip("openssl is needed: apt install openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


async def _tls_server(cert: tuple[str, str]) -> tuple[asyncio.AbstractServer, int]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*cert)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    return server, server.sockets[0].getsockname()[1]


def test_an_https_server_is_reached_over_asyncios_tls(certificate: tuple[str, str]) -> None:
    async def scenario() -> None:
        server, port = await _tls_server(certificate)
        trusted = ssl.create_default_context(cafile=certificate[0])
        async with (
            server,
            httpx.AsyncClient(
                transport=lean_async.lean_async_transport(trusted, httpx.Limits())
            ) as client,
        ):
            for _ in range(2):  # the second on the same connection
                answer = await client.get(f"https://127.0.0.1:{port}/")
                assert (answer.status_code, answer.content) == (200, b"secret")
            (connection,) = client._transport._pool.connections  # type: ignore[attr-defined]
            stream = connection._connection._network_stream
            assert isinstance(stream, lean_async._AsyncioStream)
            assert stream.get_extra_info("ssl_object") is not None
            assert stream.get_extra_info("server_addr") == ("127.0.0.1", port)
            assert stream.get_extra_info("is_readable") is False

    asyncio.run(scenario())


def test_a_certificate_not_trusted_is_a_connect_error(certificate: tuple[str, str]) -> None:
    async def scenario() -> None:
        server, port = await _tls_server(certificate)
        async with (
            server,
            httpx.AsyncClient(
                transport=lean_async.lean_async_transport(
                    ssl.create_default_context(), httpx.Limits()
                )
            ) as client,
        ):
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.get(f"https://127.0.0.1:{port}/")

    asyncio.run(scenario())


async def _written_until_refused(stream: httpcore.AsyncNetworkStream) -> None:
    for _ in range(10):
        await stream.write(b"y" * 65536, timeout=2)


async def _read_to_the_end(stream: httpcore.AsyncNetworkStream) -> None:
    while await stream.read(10, timeout=2):
        pass  # pragma: no cover - the server sends nothing


def test_the_streams_failures_are_httpcores() -> None:
    async def rude(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)  # reads, answers nothing, then resets the connection
        await asyncio.sleep(0.2)
        linger_zero = struct.pack("ii", 1, 0)
        writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger_zero)
        writer.transport.abort()

    async def scenario() -> None:
        backend = lean_async._LeanBackend()
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        listener.close()
        with pytest.raises(httpcore.ConnectError):
            await backend.connect_tcp("127.0.0.1", port, timeout=2)
        server = await asyncio.start_server(rude, "127.0.0.1", 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            keepalive = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
            stream = await backend.connect_tcp("127.0.0.1", port, socket_options=keepalive)
            try:
                sock = stream.get_extra_info("socket")
                assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
                await stream.write(b"")  # nothing to send: nothing sent
                await stream.write(b"xy", timeout=2)
                with pytest.raises(httpcore.ReadTimeout):
                    await stream.read(10, timeout=0.05)
                with pytest.raises(httpcore.ReadError):
                    await _read_to_the_end(stream)
                with pytest.raises(httpcore.WriteError):
                    await _written_until_refused(stream)
            finally:
                await stream.aclose()
            stream = await backend.connect_tcp("127.0.0.1", port)
            await stream.aclose()
            with pytest.raises(httpcore.ConnectError):
                await stream.start_tls(ssl.create_default_context(), "127.0.0.1", timeout=2)
            await asyncio.sleep(0.3)  # the server's side of it ends too

    asyncio.run(scenario())


# --- the blocking pool ------------------------------------------------------------------------


def test_the_blocking_session_pools_its_connections_leanly() -> None:
    own = transport.GuardedTransport.for_server("http://127.0.0.1:1")
    assert isinstance(own._pool, lean.LeanPool)
    own.close()


def _blocking(**limits: Any) -> httpx.HTTPTransport:
    chosen = httpx.Limits(**limits)
    blocking = httpx.HTTPTransport(limits=chosen)
    blocking._pool = lean.LeanPool(
        max_connections=chosen.max_connections,
        max_keepalive_connections=chosen.max_keepalive_connections,
        keepalive_expiry=chosen.keepalive_expiry,
    )
    return blocking


def test_threads_beyond_the_blocking_connections_wait_for_one() -> None:
    import concurrent.futures

    seen: list[int] = []

    def threads(url: str, accepted: list[int]) -> None:
        with httpx.Client(transport=_blocking(max_connections=3)) as client:
            with concurrent.futures.ThreadPoolExecutor(6) as pool:
                answers = list(pool.map(lambda _: client.get(url).text, range(12)))
            assert answers == ["ok"] * 12
            seen.append(len(accepted))
        keep_one = _blocking(max_connections=3, max_keepalive_connections=1)
        with httpx.Client(transport=keep_one) as client:
            with concurrent.futures.ThreadPoolExecutor(3) as pool:
                list(pool.map(lambda _: client.get(url), range(6)))
            assert len(keep_one._pool.connections) <= 1  # the keep-alive bound

    async def scenario(url: str, accepted: list[int]) -> None:
        await asyncio.to_thread(threads, url, accepted)

    _serve(scenario, delay=0.01)
    assert 1 < seen[0] <= 3  # never more connections than allowed, each reused when free


def test_a_blocking_connection_the_server_closed_is_not_used_again() -> None:
    def calls(url: str, accepted: list[int]) -> None:
        import time

        with httpx.Client(transport=_blocking()) as client:
            for _ in range(3):
                assert client.get(url).text == "ok"
                time.sleep(0.05)  # the server's close reaches the client's socket
        assert len(accepted) == 3

    async def scenario(url: str, accepted: list[int]) -> None:
        await asyncio.to_thread(calls, url, accepted)

    _serve(scenario, close_after_each=True)


def test_a_connection_given_to_a_request_is_not_given_to_another_before_it_begins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Twenty requests on twenty idle connections: each request, entering, is given a
    # connection that still looks idle until its request begins. Given twice, the second
    # request would fail with ConnectionNotAvailable and start over.
    refused: list[int] = []
    original = httpcore.ConnectionNotAvailable.__init__

    def counted(self: Any, *args: Any) -> None:
        refused.append(1)
        original(self, *args)

    monkeypatch.setattr(httpcore.ConnectionNotAvailable, "__init__", counted)

    async def scenario(url: str, accepted: list[int]) -> None:
        async with httpx.AsyncClient(transport=_transport()) as client:
            for _ in range(3):
                answers = await asyncio.gather(*(client.get(url) for _ in range(20)))
                assert [a.text for a in answers] == ["ok"] * 20
        assert len(accepted) == 20  # every connection reused by the later rounds

    _serve(scenario, delay=0.01)
    assert refused == []


class _Connection:
    """A connection as the assignment sees it: idle and available, for one origin."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def is_closed(self) -> bool:
        return False

    def has_expired(self) -> bool:
        return False

    def is_idle(self) -> bool:
        return True

    def is_available(self) -> bool:
        return True

    def can_handle_request(self, origin: str) -> bool:
        return origin == self.origin


class _Request:
    """A pool's request as the assignment sees it."""

    def __init__(self, origin: str) -> None:
        self.request = type("Request", (), {"url": type("URL", (), {"origin": origin})})()
        self.connection: Any = None

    def is_queued(self) -> bool:
        return self.connection is None

    def assign_to_connection(self, connection: Any) -> None:
        self.connection = connection


@pytest.mark.parametrize("http2", [False, True])
def test_an_idle_connection_goes_to_one_request_unless_it_multiplexes(http2: bool) -> None:
    pool = lean.LeanPool(http2=http2, max_connections=4)
    created: list[_Connection] = []

    def create_connection(origin: str) -> _Connection:
        created.append(_Connection(origin))
        return created[-1]

    pool.create_connection = create_connection  # type: ignore[method-assign]
    idle = _Connection("a")
    pool._connections = [idle]
    first, second = _Request("a"), _Request("a")
    pool._requests = [first, second]  # type: ignore[list-item]
    assert pool._assign_requests_to_connections() == []
    assert first.connection is idle
    # HTTP/1.1: one request a connection, a new one for the second; HTTP/2 shares it.
    assert second.connection is (idle if http2 else created[0])
    assert len(created) == (0 if http2 else 1)
    # Nothing queued: nothing assigned, nothing created.
    assert pool._assign_requests_to_connections() == []
    assert len(created) == (0 if http2 else 1)


def test_at_the_bound_a_connection_given_to_a_request_is_not_closed_for_another() -> None:
    pool = lean.LeanPool(max_connections=1)
    pool.create_connection = lambda origin: pytest.fail("no room for a connection")  # type: ignore[method-assign]
    idle = _Connection("a")
    pool._connections = [idle]
    first, second = _Request("a"), _Request("b")
    pool._requests = [first, second]  # type: ignore[list-item]
    assert pool._assign_requests_to_connections() == []  # nothing closed
    assert first.connection is idle
    assert second.is_queued()  # it waits for the connection to come free
    assert pool._connections == [idle]


def test_a_connection_given_to_a_request_is_not_closed_as_a_surplus_idle_one() -> None:
    pool = lean.LeanPool(max_keepalive_connections=1)
    given, spare = _Connection("a"), _Connection("a")
    pool._connections = [given, spare]
    waiting = _Request("a")
    waiting.connection = given  # its request not begun: the connection still looks idle
    pool._requests = [waiting]  # type: ignore[list-item]
    assert pool._assign_requests_to_connections() == [spare]
    assert pool._connections == [given]
