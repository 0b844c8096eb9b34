"""A hostile HTTP server on loopback: it logs in like ANTS, then answers a test's script with
whatever a broken gateway can send — a body trickling a byte at a time or never ending, a
compressed bomb, an answer far larger than announced.

Every connection is served in its own thread and closed after one answer; every loop is
bounded (a number of steps, the server's stop event, and the client hanging up), so a test
whose client failed to stop still ends.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from typing import Final

TOKEN: Final = "hostile-token-5ecret"
"""The bearer token the server gives: a test looks for it where it must not be."""

Answer = Callable[["Exchange"], None]


class Exchange:
    """One request received, and the socket to answer it on."""

    def __init__(self, sock: socket.socket, method: str, path: str, stop: threading.Event):
        self.sock = sock
        self.method = method
        self.path = path
        self.stop = stop

    def send(self, data: bytes) -> bool:
        """Send ``data``; false once the client has gone (or the server stops)."""
        if self.stop.is_set():
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def head(self, status: int = 200, **headers: str) -> bool:
        lines = [f"HTTP/1.1 {status} Whatever"]
        lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
        lines += ["Connection: close", "", ""]
        return self.send("\r\n".join(lines).encode())

    def json(self, data: object, status: int = 200) -> None:
        body = json.dumps(data).encode()
        if self.head(status, Content_Type="application/json", Content_Length=str(len(body))):
            self.send(body)

    def trickle(self, data: bytes, *, every: float, steps: int) -> bool:
        """``data`` (repeated as needed) one byte every ``every`` seconds, ``steps`` times;
        false if the client hung up first."""
        for i in range(steps):
            if not self.send(data[i % len(data) : i % len(data) + 1]) or self.stop.wait(every):
                return False
        return True


def gzip_bomb(expanded: int, *, block: int = 1 << 20) -> bytes:
    """A gzip body of ``expanded`` zero bytes (about a thousandth of that, compressed): one
    gzip member of ``block`` zeros, repeated — a body of several members is valid gzip."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    member = packer.compress(bytes(block)) + packer.flush()
    return member * (expanded // block)


class HostileServer:
    """``routes[(method, path)]`` answers a request (paths without ``/api/v1``); login is
    answered as ANTS does; anything else is a 404."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Answer] = {}
        self.stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._threads: list[threading.Thread] = []
        self.seen: list[tuple[str, str]] = []

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._answer, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _answer(self, sock: socket.socket) -> None:
        with sock:
            sock.settimeout(5)
            try:
                method, path = self._read_request(sock)
            except (OSError, ValueError):
                return
            self.seen.append((method, path))
            exchange = Exchange(sock, method, path, self.stop)
            if path == "/api/v1/auth/token":
                exchange.json({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600})
                return
            answer = self.routes.get((method, path.removeprefix("/api/v1")))
            if answer is None:
                exchange.json({"error": {"code": "not_found", "message": path}}, status=404)
                return
            answer(exchange)

    @staticmethod
    def _read_request(sock: socket.socket) -> tuple[str, str]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk or len(data) > 1 << 20:
                raise ValueError("no request")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return method, target.split("?", 1)[0]

    @contextlib.contextmanager
    def running(self) -> Iterator[HostileServer]:
        thread = threading.Thread(target=self._serve, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.stop.set()
            thread.join(5)
            self._listener.close()
            for worker in self._threads:
                worker.join(5)
