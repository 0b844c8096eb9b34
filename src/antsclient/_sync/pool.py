"""Pages in flight, for the blocking session: a thread pool over the shared ``httpx.Client``."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Pool"]

T = TypeVar("T")


class Pool(Generic[T]):
    """Runs ``fetch(n)`` for each ``n`` added, in at most ``limit`` worker threads.

    :meth:`next` returns the first result to complete as ``(n, result)`` (its error, if it
    failed), or ``None`` when nothing is in flight. Leaving the ``with`` cancels what has not
    started and waits for what has.
    """

    def __init__(self, fetch: Callable[[int], T], limit: int) -> None:
        self._fetch = fetch
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max(limit, 1), thread_name_prefix="antsclient-page"
        )
        self._futures: dict[concurrent.futures.Future[T], int] = {}

    def add(self, n: int) -> None:
        """Start fetching ``n`` (it waits for a free thread)."""
        self._futures[self._executor.submit(self._fetch, n)] = n

    def meanwhile(self, work: Callable[[], object]) -> None:
        """Do ``work`` while the pages added are fetched: at once, in this thread (the
        fetching threads need the interpreter only to send and receive)."""
        work()

    @property
    def idle(self) -> bool:
        """Whether nothing is in flight."""
        return not self._futures

    def next(self) -> tuple[int, T] | None:
        """The next result to complete, or ``None`` when nothing is in flight."""
        if not self._futures:
            return None
        done, _ = concurrent.futures.wait(
            self._futures, return_when=concurrent.futures.FIRST_COMPLETED
        )
        future = min(done, key=self._futures.__getitem__)
        n = self._futures.pop(future)
        return n, future.result()

    def __enter__(self) -> Pool[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for future in self._futures:
            future.cancel()
        self._futures.clear()
        self._executor.shutdown(wait=True)
