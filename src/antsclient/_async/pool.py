"""Pages in flight, for the async session: tasks under a bound, read as they complete."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["AsyncPool"]

T = TypeVar("T")


class AsyncPool(Generic[T]):
    """Runs ``fetch(n)`` for each ``n`` added, at most ``limit`` at once.

    :meth:`next` returns the first result to complete as ``(n, result)`` (its error, if it
    failed), or ``None`` when nothing is in flight. Leaving the ``async with`` cancels what is
    still running.
    """

    def __init__(self, fetch: Callable[[int], Awaitable[T]], limit: int) -> None:
        self._fetch = fetch
        self._limit = asyncio.Semaphore(max(limit, 1))
        self._tasks: dict[asyncio.Task[T], int] = {}

    async def _run(self, n: int) -> T:
        async with self._limit:
            return await self._fetch(n)

    def add(self, n: int) -> None:
        """Start fetching ``n`` (it waits for a free place)."""
        self._tasks[asyncio.ensure_future(self._run(n))] = n

    def meanwhile(self, work: Callable[[], object]) -> None:
        """Do ``work`` while the pages added are fetched: once the tasks just added have
        started (each has sent what it could and waits), before any answer is read. The
        loop does it, in its turn: a first sync in a process measured as quick either way
        (the blocking pool's threads gain its time). ``work`` must not raise."""
        asyncio.get_running_loop().call_soon(work)

    @property
    def idle(self) -> bool:
        """Whether nothing is in flight."""
        return not self._tasks

    async def next(self) -> tuple[int, T] | None:
        """The next result to complete, or ``None`` when nothing is in flight."""
        if not self._tasks:
            return None
        done, _ = await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        task = min(done, key=self._tasks.__getitem__)
        n = self._tasks.pop(task)
        return n, task.result()

    async def __aenter__(self) -> AsyncPool[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        tasks = list(self._tasks)
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
