"""Blocking work of the async session, done off the event loop.

Drawing a PDF and writing it, or writing the host's student directory (a blocking
:class:`~antsclient.storage.StudentDirectory`), runs in a worker thread so that other tasks
go on meanwhile. ``antsclient._sync.offload`` is the blocking session's twin: it just calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["off_loop", "pause"]

R = TypeVar("R")


async def off_loop(call: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """``call(*args, **kwargs)`` in a worker thread, awaited."""
    return await asyncio.to_thread(call, *args, **kwargs)


async def pause(seconds: float) -> None:
    """Wait ``seconds`` (between two tries of a call), letting other tasks run."""
    await asyncio.sleep(seconds)
