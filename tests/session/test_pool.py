"""Pages in flight: AsyncPool (tasks under a bound) and Pool (worker threads) give results as
they complete, keep at most ``limit`` in flight, raise a fetch's error from ``next()`` and
leave nothing running behind them."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from antsclient._async.pool import AsyncPool
from antsclient._sync.pool import Pool

WAIT = 10.0
"""Seconds a test waits at most for something that should happen at once."""


def until(condition: Callable[[], bool]) -> None:
    """Wait (a worker thread's progress) until ``condition`` holds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


async def settle() -> None:
    """Let every ready task run as far as it can."""
    for _ in range(10):
        await asyncio.sleep(0)


# --- AsyncPool --------------------------------------------------------------------------------


class AsyncPages:
    """``fetch(n)`` waits for its gate, then answers ``"page n"`` (or raises for ``failing``)."""

    def __init__(self, *, failing: int | None = None) -> None:
        self.gates: dict[int, asyncio.Event] = {}
        self.opened = False
        self.failing = failing
        self.started: list[int] = []
        self.cancelled: list[int] = []
        self.in_flight = 0
        self.max_in_flight = 0

    def gate(self, n: int) -> asyncio.Event:
        if n not in self.gates:
            self.gates[n] = asyncio.Event()
            if self.opened:
                self.gates[n].set()
        return self.gates[n]

    def open_all(self) -> None:
        self.opened = True
        for gate in self.gates.values():
            gate.set()

    async def fetch(self, n: int) -> str:
        self.started.append(n)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await self.gate(n).wait()
        except asyncio.CancelledError:
            self.cancelled.append(n)
            raise
        finally:
            self.in_flight -= 1
        if n == self.failing:
            raise ValueError(f"page {n} is down")
        return f"page {n}"


@pytest.mark.anyio
async def test_async_results_come_back_as_they_complete_with_their_page() -> None:
    pages = AsyncPages()
    async with AsyncPool(pages.fetch, 3) as pool:
        for n in (1, 2, 3):
            pool.add(n)
        await settle()
        assert sorted(pages.started) == [1, 2, 3]
        got = []
        for n in (3, 1, 2):
            pages.gate(n).set()
            got.append(await pool.next())
        assert got == [(3, "page 3"), (1, "page 1"), (2, "page 2")]
        assert pool.idle
        assert await pool.next() is None


@pytest.mark.anyio
async def test_async_results_done_together_come_lowest_page_first() -> None:
    async def fetch(n: int) -> int:
        return n * 10

    async with AsyncPool(fetch, 8) as pool:
        for n in (3, 1, 2):
            pool.add(n)
        await settle()
        assert [await pool.next() for _ in range(3)] == [(1, 10), (2, 20), (3, 30)]
        assert await pool.next() is None


@pytest.mark.anyio
async def test_async_at_most_limit_in_flight() -> None:
    pages = AsyncPages()
    async with AsyncPool(pages.fetch, 3) as pool:
        for n in range(1, 11):
            pool.add(n)
        await settle()
        assert pages.in_flight == 3
        assert sorted(pages.started) == [1, 2, 3]
        assert not pool.idle
        pages.open_all()
        results = []
        while (result := await pool.next()) is not None:
            results.append(result)
    assert sorted(results) == sorted((n, f"page {n}") for n in range(1, 11))
    assert pages.max_in_flight == 3
    assert sorted(pages.started) == list(range(1, 11))


@pytest.mark.anyio
async def test_async_a_limit_below_one_still_fetches_one_at_a_time() -> None:
    pages = AsyncPages()
    async with AsyncPool(pages.fetch, 0) as pool:
        for n in range(1, 5):
            pool.add(n)
        await settle()
        assert pages.started == [1]
        pages.open_all()
        results = [await pool.next() for _ in range(4)]
    assert sorted(r for r in results if r is not None) == [(n, f"page {n}") for n in range(1, 5)]
    assert pages.max_in_flight == 1


@pytest.mark.anyio
async def test_async_an_error_of_one_fetch_is_raised_by_next() -> None:
    pages = AsyncPages(failing=2)
    async with AsyncPool(pages.fetch, 3) as pool:
        for n in (1, 2, 3):
            pool.add(n)
        pages.gate(2).set()
        with pytest.raises(ValueError, match="page 2 is down"):
            await pool.next()
        pages.gate(1).set()
        pages.gate(3).set()
        rest = [await pool.next(), await pool.next()]
        assert sorted(r for r in rest if r is not None) == [(1, "page 1"), (3, "page 3")]
        assert pool.idle


class LoopErrors:
    """What the loop reports to its exception handler (a task destroyed pending, an
    exception never retrieved)."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.loop = asyncio.get_running_loop()
        self.previous = self.loop.get_exception_handler()

    def __enter__(self) -> LoopErrors:
        self.loop.set_exception_handler(lambda _loop, context: self.seen.append(context))
        return self

    def __exit__(self, *exc_info: object) -> None:
        gc.collect()
        self.loop.set_exception_handler(self.previous)


@pytest.mark.anyio
async def test_async_leaving_the_pool_cancels_what_is_still_running() -> None:
    pages = AsyncPages()
    before = asyncio.all_tasks()
    with LoopErrors() as errors:
        async with AsyncPool(pages.fetch, 2) as pool:
            for n in (1, 2, 3, 4):
                pool.add(n)
            await settle()
            assert sorted(pages.started) == [1, 2]
        assert pool.idle
        assert await pool.next() is None
        await settle()
    assert sorted(pages.cancelled) == [1, 2]
    assert sorted(pages.started) == [1, 2]  # 3 and 4 never started
    assert asyncio.all_tasks() - before == set()
    assert errors.seen == []


@pytest.mark.anyio
async def test_async_an_error_in_the_block_still_cancels_the_fetches() -> None:
    pages = AsyncPages(failing=1)
    before = asyncio.all_tasks()

    async def stopped() -> None:
        async with AsyncPool(pages.fetch, 4) as pool:
            for n in (1, 2, 3):
                pool.add(n)
            pages.gate(1).set()  # fails: its error is never read
            await settle()
            raise RuntimeError("stop")

    with LoopErrors() as errors:
        with pytest.raises(RuntimeError, match="stop"):
            await stopped()
        await settle()
    assert sorted(pages.cancelled) == [2, 3]
    assert asyncio.all_tasks() - before == set()
    assert errors.seen == []


@pytest.mark.anyio
async def test_async_idle_follows_what_is_in_flight() -> None:
    pages = AsyncPages()
    async with AsyncPool(pages.fetch, 1) as pool:
        assert pool.idle
        assert await pool.next() is None
        pool.add(7)
        assert not pool.idle
        pages.gate(7).set()
        assert await pool.next() == (7, "page 7")
        assert pool.idle
        pool.add(8)  # a pool is used again after it went idle
        pages.gate(8).set()
        assert await pool.next() == (8, "page 8")
        assert pool.idle


# --- Pool (worker threads) --------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_work_meanwhile_runs_once_the_fetches_have_started() -> None:
    """The work waits for the tasks just added to send what they can, and is done before
    any result is read."""
    pages = AsyncPages()
    seen: list[list[int]] = []
    async with AsyncPool(pages.fetch, 3) as pool:
        for n in (1, 2):
            pool.add(n)
        pool.meanwhile(lambda: seen.append(sorted(pages.started)))
        assert seen == []  # not in the caller's step
        pages.gate(1).set()
        assert await pool.next() == (1, "page 1")
        assert seen == [[1, 2]]
        pages.gate(2).set()
        assert await pool.next() == (2, "page 2")
    assert seen == [[1, 2]]


class ThreadPages:
    """``fetch(n)`` waits for its gate in a worker thread, then answers ``"page n"``."""

    def __init__(self, *, failing: int | None = None) -> None:
        self.gates: dict[int, threading.Event] = {}
        self.opened = False
        self.failing = failing
        self.lock = threading.Lock()
        self.started: list[int] = []
        self.finished: list[int] = []
        self.threads: set[threading.Thread] = set()
        self.in_flight = 0
        self.max_in_flight = 0

    def gate(self, n: int) -> threading.Event:
        with self.lock:
            if n not in self.gates:
                self.gates[n] = threading.Event()
                if self.opened:
                    self.gates[n].set()
            return self.gates[n]

    def open_all(self) -> None:
        with self.lock:
            self.opened = True
            for gate in self.gates.values():
                gate.set()

    def fetch(self, n: int) -> str:
        gate = self.gate(n)
        with self.lock:
            self.started.append(n)
            self.threads.add(threading.current_thread())
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            assert gate.wait(WAIT), f"page {n} was never released"
        finally:
            with self.lock:
                self.in_flight -= 1
                self.finished.append(n)
        if n == self.failing:
            raise ValueError(f"page {n} is down")
        return f"page {n}"


def test_results_come_back_as_they_complete_with_their_page() -> None:
    pages = ThreadPages()
    with Pool(pages.fetch, 3) as pool:
        for n in (1, 2, 3):
            pool.add(n)
        got = []
        for n in (2, 3, 1):
            pages.gate(n).set()
            got.append(pool.next())
        assert got == [(2, "page 2"), (3, "page 3"), (1, "page 1")]
        assert pool.idle
        assert pool.next() is None
    assert all(t.name.startswith("antsclient-page") for t in pages.threads)


def test_at_most_limit_in_flight() -> None:
    pages = ThreadPages()
    with Pool(pages.fetch, 3) as pool:
        for n in range(1, 11):
            pool.add(n)
        until(lambda: pages.in_flight == 3)
        time.sleep(0.05)  # a fourth would have started by now
        assert pages.in_flight == 3
        assert len(pages.started) == 3
        pages.open_all()
        results = []
        while (result := pool.next()) is not None:
            results.append(result)
    assert sorted(results) == sorted((n, f"page {n}") for n in range(1, 11))
    assert pages.max_in_flight == 3
    assert len(pages.threads) <= 3


def test_a_limit_below_one_still_fetches_one_at_a_time() -> None:
    pages = ThreadPages()
    with Pool(pages.fetch, 0) as pool:
        for n in range(1, 4):
            pool.add(n)
        until(lambda: pages.started == [1])
        pages.open_all()
        results = [pool.next() for _ in range(3)]
    assert sorted(r for r in results if r is not None) == [(n, f"page {n}") for n in (1, 2, 3)]
    assert pages.max_in_flight == 1


def test_an_error_of_one_fetch_is_raised_by_next() -> None:
    pages = ThreadPages(failing=2)
    with Pool(pages.fetch, 3) as pool:
        for n in (1, 2, 3):
            pool.add(n)
        pages.gate(2).set()
        with pytest.raises(ValueError, match="page 2 is down"):
            pool.next()
        pages.open_all()
        rest = [pool.next(), pool.next()]
        assert sorted(r for r in rest if r is not None) == [(1, "page 1"), (3, "page 3")]
        assert pool.next() is None


def test_leaving_the_pool_cancels_what_has_not_started_and_waits_for_the_rest() -> None:
    pages = ThreadPages()
    release = threading.Timer(0.3, pages.open_all)
    try:
        with Pool(pages.fetch, 1) as pool:
            for n in (1, 2, 3):
                pool.add(n)
            until(lambda: pages.started == [1])
            release.start()  # page 1 ends only once the pool is being left
        assert pages.finished == [1]  # waited for
        assert pages.started == [1]  # 2 and 3 cancelled before they started
        assert pool.idle
        assert pool.next() is None
        assert not any(t.is_alive() for t in pages.threads)
    finally:
        release.cancel()
        release.join()


def test_an_error_in_the_block_still_shuts_the_pool_down() -> None:
    pages = ThreadPages()
    pages.open_all()

    def stopped() -> None:
        with Pool(pages.fetch, 2) as pool:
            for n in (1, 2):
                pool.add(n)
            until(lambda: len(pages.finished) == 2)
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        stopped()
    assert sorted(pages.finished) == [1, 2]
    assert not any(t.is_alive() for t in pages.threads)


def test_idle_follows_what_is_in_flight() -> None:
    pages = ThreadPages()
    with Pool(pages.fetch, 1) as pool:
        assert pool.idle
        assert pool.next() is None
        pool.add(7)
        assert not pool.idle
        pages.gate(7).set()
        assert pool.next() == (7, "page 7")
        assert pool.idle


def test_work_meanwhile_runs_at_once_while_the_threads_fetch() -> None:
    pages = ThreadPages()
    seen: list[tuple[bool, str]] = []
    with Pool(pages.fetch, 2) as pool:
        pool.add(1)
        until(lambda: pages.started == [1])
        pool.meanwhile(lambda: seen.append((pool.idle, threading.current_thread().name)))
        assert seen == [(False, threading.current_thread().name)]  # this thread, page 1 out
        pages.gate(1).set()
        assert pool.next() == (1, "page 1")
