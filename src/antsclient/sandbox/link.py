"""The link between a client and the sandbox: compressed answers, and a bandwidth limit.

A driving school reaches ANTS over an ordinary office link (a few tens of Mbit/s shared by
the whole school), so what a sync costs is as much bytes as round trips. Two layers, in
front of the API and behind the latency of :mod:`antsclient.sandbox.faults`:

* **compression** — an answer of at least :data:`MINIMUM_SIZE` bytes is sent gzipped to a
  client that says it accepts gzip (``Accept-Encoding``), as a web server in front of ANTS
  does; a page of 500 requests shrinks about thirteen times. Files that are compressed
  already (PDF, images) are sent as they are. This is Starlette's ``GZipMiddleware`` at a
  level that costs the server about a millisecond a page.
* **bandwidth** — with :meth:`Link.set_bandwidth` (the handle's ``set_bandwidth``), every
  answer's body leaves at that rate, on one link shared by every connection: two answers
  sent at once each take twice as long, as on a real line. ``0`` means no limit.

:class:`Link` also counts what it sent (bodies, after compression), so that a benchmark can
tell the bytes a sync needed.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Final

from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

__all__ = ["CHUNK_SIZE", "COMPRESS_LEVEL", "MINIMUM_SIZE", "Link", "LinkMiddleware"]

MINIMUM_SIZE: Final = 1024
"""Answers smaller than this are sent as they are (compressing them gains nothing)."""

COMPRESS_LEVEL: Final = 6
"""gzip's level: within a few per cent of the smallest output, at a third of level 9's time."""

CHUNK_SIZE: Final = 16 * 1024
"""Under a bandwidth limit, a body leaves in chunks of this size, interleaved with others."""

_ALREADY_COMPRESSED: Final = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/pdf")

ASGIApp = Any


class Link:
    """The link's live settings and counters (thread-safe: the handle changes them from the
    test's thread while the server runs)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.mbit_per_s: float = 0.0
        self.bytes_sent: int = 0
        self.answers: int = 0
        self._free_at = 0.0

    def set_bandwidth(self, mbit_per_s: float) -> None:
        """Send answers at ``mbit_per_s`` megabits per second in all (``0``: no limit)."""
        if not mbit_per_s >= 0:
            msg = f"the bandwidth is a number of Mbit/s, 0 or more, not {mbit_per_s!r}"
            raise ValueError(msg)
        with self._lock:
            self.mbit_per_s = float(mbit_per_s)
            self._free_at = 0.0

    def reset_counters(self) -> None:
        """Start counting bytes and answers from zero."""
        with self._lock:
            self.bytes_sent = 0
            self.answers = 0

    def reserve(self, size: int) -> float:
        """Take ``size`` bytes of the link: the seconds until they have left."""
        with self._lock:
            self.bytes_sent += size
            if self.mbit_per_s <= 0:
                return 0.0
            now = time.monotonic()
            start = max(now, self._free_at)
            self._free_at = start + size * 8 / (self.mbit_per_s * 1e6)
            return self._free_at - now

    def counted(self) -> None:
        with self._lock:
            self.answers += 1


class LinkMiddleware:
    """Compression (inner) and the bandwidth limit (outer), in front of ``app``."""

    def __init__(self, app: ASGIApp, link: Link) -> None:
        self.link = link
        self.app: ASGIApp = GZipMiddleware(
            app,
            minimum_size=MINIMUM_SIZE,
            compresslevel=COMPRESS_LEVEL,
            exclude_content_types=_ALREADY_COMPRESSED,
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        link = self.link

        async def paced(message: Any) -> None:
            if message["type"] != "http.response.body":
                await send(message)
                return
            body: bytes = message.get("body", b"")
            more = bool(message.get("more_body", False))
            if not more:
                link.counted()
            if link.mbit_per_s <= 0 or len(body) <= CHUNK_SIZE:
                wait = link.reserve(len(body))
                if wait > 0:
                    await asyncio.sleep(wait)
                await send(message)
                return
            for start in range(0, len(body), CHUNK_SIZE):
                chunk = body[start : start + CHUNK_SIZE]
                wait = link.reserve(len(chunk))
                if wait > 0:
                    await asyncio.sleep(wait)
                last = start + CHUNK_SIZE >= len(body)
                await send(
                    {"type": "http.response.body", "body": chunk, "more_body": more or not last}
                )

        await self.app(scope, receive, paced)
