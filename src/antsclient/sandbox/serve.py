"""Run the sandbox on loopback: uvicorn in a background thread, and a handle to drive it."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from antsclient.sandbox._extra import require
from antsclient.sandbox.app import Sandbox
from antsclient.sandbox.faults import FaultConfig

__all__ = ["SandboxHandle", "serve"]

_START_TIMEOUT_S = 15.0
_GRACE_S = 2.0
"""How long requests still running may end on their own once the server is asked to stop."""
_STOP_TIMEOUT_S = 30.0
"""How long, after that, the server may take to cancel them and end (a slow machine's)."""


class SandboxHandle(Sandbox):
    """A running sandbox: ``url`` (the server root; the API is under ``url + "/api/v1"``),
    ``credentials`` the seeded agency's, ``app`` and ``state``, and the controls of
    :class:`~antsclient.sandbox.app.Sandbox` (the student, the prefecture, the clock,
    latency and faults)."""

    url: str = ""

    @property
    def api_url(self) -> str:
        """The protocol's base URL: ``url + "/api/v1"``."""
        return f"{self.url}/api/v1"


def _server_class() -> type[Any]:
    import uvicorn  # noqa: PLC0415 - only when a server is wanted

    class Server(uvicorn.Server):
        """uvicorn's server, stopped at once from another thread (no 0.1 s polling)."""

        _stop: asyncio.Event | None = None
        _loop: asyncio.AbstractEventLoop | None = None

        async def main_loop(self) -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            counter = 0
            while not self.should_exit:
                try:
                    await asyncio.wait_for(self._stop.wait(), timeout=1.0)
                except TimeoutError:
                    counter = (counter + 1) % 864000
                    if await self.on_tick(counter):
                        return

        def stop(self) -> None:
            self.should_exit = True
            loop, stop = self._loop, self._stop
            if loop is not None and stop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(stop.set)

    return Server


@contextmanager
def serve(
    *,
    port: int = 0,
    db: str | Path | None = None,
    latency_ms: float = 0,
    seed: int = 0,
    token_ttl_s: float = 3600,
    faults: FaultConfig | None = None,
    host: str = "127.0.0.1",
) -> Iterator[SandboxHandle]:
    """Serve a sandbox on ``host:port`` (0: a free port) while the block runs.

    ``db`` keeps the state in a SQLite file (resumed if it exists); ``seed`` makes the
    sample data deterministic; ``latency_ms`` delays every API answer. Needs uvicorn (the
    ``sandbox`` extra).
    """
    require("uvicorn")
    import uvicorn  # noqa: PLC0415 - only when a server is wanted

    config = faults or FaultConfig(seed=seed)
    if latency_ms:
        config.latency_ms = latency_ms
    handle = SandboxHandle(seed=seed, db=db, token_ttl_s=token_ttl_s, faults=config)
    server = _server_class()(
        uvicorn.Config(
            handle.app,
            host=host,
            port=port,
            http="h11",
            loop="asyncio",
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_keep_alive=30,
            timeout_graceful_shutdown=1,
            backlog=512,
        )
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: no 40 ms Nagle / delayed-ACK stall per answer.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))  # a busy port fails here, in the caller's thread
    except OSError:
        sock.close()
        handle.close()
        raise
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="antsclient-sandbox", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:  # pragma: no cover
            sock.close()
            handle.close()
            msg = f"the sandbox could not start on {host}:{port}"
            raise RuntimeError(msg)
        time.sleep(0.005)
    bound_port = sock.getsockname()[1]
    handle.url = f"http://{host}:{bound_port}"
    handle.state.mailbox.base_url = handle.url  # the links the students receive
    try:
        yield handle
    finally:
        _stop(server, thread, sock, handle)


def _stop(server: Any, thread: threading.Thread, sock: socket.socket, handle: Sandbox) -> None:
    """Stop the server; close its socket and state once its thread has ended, never under
    it (its loop would still be serving them: a closed socket ends the thread in an error)."""
    server.stop()
    thread.join(timeout=_GRACE_S)
    if thread.is_alive():  # pragma: no cover - the server cancels a hanging request in 1 s
        server.force_exit = True
        thread.join(timeout=_STOP_TIMEOUT_S)
    if thread.is_alive():  # pragma: no cover - a thread stuck outside the loop
        warnings.warn(
            f"the sandbox's server did not stop within {_GRACE_S + _STOP_TIMEOUT_S:.0f} s: "
            "its socket and state are left to its thread",
            ResourceWarning,
            stacklevel=4,
        )
        return
    sock.close()  # the server closed it as it stopped, unless it never started serving
    handle.close()
