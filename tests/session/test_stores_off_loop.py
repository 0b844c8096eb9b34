"""The async session never blocks its event loop on the store: blocking stores are called in
worker threads (one dedicated thread for a store that is not thread-safe), async stores are
awaited; the blocking session refuses an async store; a store with only upsert/get/delete
still syncs in both shells."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import threading
import time
from collections.abc import AsyncIterator, Collection, Iterable, Iterator, Sequence
from typing import Any

import attrs
import httpx
import pytest
from sandbox_fixtures import FAST

import antsclient as ants
from antsclient.agency import DEFAULT_OVERLAP
from antsclient.errors import ActionNotAllowed, ConfigurationError
from antsclient.models import OnlineRequest, RequestStatus
from antsclient.sandbox import Sandbox, serve
from antsclient.storage.protocols import (
    AsyncRequestStore,
    AsyncSyncStore,
    MergeResult,
    RequestStore,
    SyncStore,
)

pytestmark = pytest.mark.anyio

DELAY = 0.2
"""How long the slow store's upsert, merge and get block at least (``time.sleep``)."""

MIN_TICKS = 3
"""Ticks a 10 ms ticker makes while a store call blocks off the loop: the call blocks until it
has seen them (about 20 come within ``DELAY``; blocking on the loop, it would see none)."""

PATIENCE = 30.0
"""How long a store call waits for those ticks before giving up (only a call that blocks the
loop waits that long): a busy machine slows the ticker, never fails the test."""

SEEDED = 600


class Ticker:
    """Counts its ticks: one each time the event loop lets it run after 10 ms."""

    def __init__(self) -> None:
        self.ticks = 0

    async def run(self) -> None:
        while True:
            await asyncio.sleep(0.01)
            self.ticks += 1


@contextlib.asynccontextmanager
async def ticking() -> AsyncIterator[Ticker]:
    ticker = Ticker()
    task = asyncio.ensure_future(ticker.run())
    try:
        yield ticker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@attrs.frozen
class Call:
    name: str
    thread: threading.Thread
    ticks: int | None  # ticks while it blocked (None: it did not block)


class SlowStore:
    """A blocking SyncStore in dictionaries whose upsert, merge and get sleep; it records the
    thread of every call and how often the ticker ticked while it slept. Not thread-safe."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], OnlineRequest] = {}
        self.marks: dict[str, dt.datetime | None] = {}
        self.calls: list[Call] = []
        self.ticker: Ticker | None = None
        self.barrier: threading.Barrier | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def _record(self, name: str, *, slow: bool) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            ticks = None
            if slow:
                before = self.ticker.ticks if self.ticker else 0
                time.sleep(DELAY)
                waited = DELAY
                while self.ticker and self.ticker.ticks - before < MIN_TICKS and waited < PATIENCE:
                    time.sleep(0.01)
                    waited += 0.01
                ticks = (self.ticker.ticks if self.ticker else 0) - before
            if self.barrier is not None and name == "upsert":
                self.barrier.wait()
        finally:
            with self._lock:
                self.in_flight -= 1
                self.calls.append(Call(name, threading.current_thread(), ticks))

    def upsert(self, agreement: str, requests: Iterable[OnlineRequest]) -> None:
        self._record("upsert", slow=True)
        for r in requests:
            self.rows[agreement, r.number] = r

    def get(self, agreement: str, number: str) -> OnlineRequest | None:
        self._record("get", slow=True)
        return self.rows.get((agreement, number))

    def delete(self, agreement: str, number: str) -> None:
        self._record("delete", slow=False)
        self.rows.pop((agreement, number), None)

    def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        self._record("merge", slow=True)
        new = updated = 0
        for r in requests:
            before = self.rows.get((agreement, r.number))
            new += before is None
            updated += before is not None and before != r
            self.rows[agreement, r.number] = r
        return MergeResult(new=new, updated=updated, unchanged=len(requests) - new - updated)

    def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        self._record("remove_missing", slow=False)
        gone = [k for k in self.rows if k[0] == agreement and k[1] not in set(keep)]
        for key in gone:
            del self.rows[key]
        return len(gone)

    def watermark(self, agreement: str) -> dt.datetime | None:
        self._record("watermark", slow=False)
        return self.marks.get(agreement)

    def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        self._record("set_watermark", slow=False)
        self.marks[agreement] = value


class SharedSlowStore(SlowStore):
    """The same store, declaring that it may be called from several threads at once."""

    thread_safe = True


class PlainStore:
    """A blocking store with only upsert, get and delete (no merge, no watermark)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], OnlineRequest] = {}
        self.threads: set[threading.Thread] = set()

    def upsert(self, agreement: str, requests: Iterable[OnlineRequest]) -> None:
        self.threads.add(threading.current_thread())
        for r in requests:
            self.rows[agreement, r.number] = r

    def get(self, agreement: str, number: str) -> OnlineRequest | None:
        self.threads.add(threading.current_thread())
        return self.rows.get((agreement, number))

    def delete(self, agreement: str, number: str) -> None:
        self.threads.add(threading.current_thread())
        self.rows.pop((agreement, number), None)


class AsyncPlainStore:
    """An async store with only upsert, get and delete; it records the loop of each call."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], OnlineRequest] = {}
        self.calls: list[tuple[str, threading.Thread, asyncio.AbstractEventLoop]] = []

    async def _record(self, name: str) -> None:
        self.calls.append((name, threading.current_thread(), asyncio.get_running_loop()))
        await asyncio.sleep(0)

    async def upsert(self, agreement: str, requests: Iterable[OnlineRequest]) -> None:
        await self._record("upsert")
        for r in requests:
            self.rows[agreement, r.number] = r

    async def get(self, agreement: str, number: str) -> OnlineRequest | None:
        await self._record("get")
        return self.rows.get((agreement, number))

    async def delete(self, agreement: str, number: str) -> None:
        await self._record("delete")
        self.rows.pop((agreement, number), None)


class AsyncMemoryStore(AsyncPlainStore):
    """A small in-memory AsyncSyncStore."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: dict[str, dt.datetime | None] = {}

    async def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        await self._record("merge")
        new = updated = 0
        for r in requests:
            before = self.rows.get((agreement, r.number))
            new += before is None
            updated += before is not None and before != r
            self.rows[agreement, r.number] = r
        return MergeResult(new=new, updated=updated, unchanged=len(requests) - new - updated)

    async def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        await self._record("remove_missing")
        gone = [k for k in self.rows if k[0] == agreement and k[1] not in set(keep)]
        for key in gone:
            del self.rows[key]
        return len(gone)

    async def watermark(self, agreement: str) -> dt.datetime | None:
        await self._record("watermark")
        return self.marks.get(agreement)

    async def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        await self._record("set_watermark")
        self.marks[agreement] = value


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    sandbox = Sandbox(seed=5)
    sandbox.seed_requests(SEEDED)
    yield sandbox
    sandbox.close()


def session(sandbox: Sandbox, store: Any) -> ants.AsyncAntsSession:
    return ants.AsyncAntsSession(
        sandbox.credentials,
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=sandbox.app),
        store=store,
        retry=FAST,
    )


def held(sandbox: Sandbox) -> list[OnlineRequest]:
    return sandbox.requests(sandbox.credentials.agreement)


def with_status(sandbox: Sandbox, status: RequestStatus) -> list[str]:
    return [r.number for r in held(sandbox) if r.status is status]


def test_the_stores_of_these_tests_follow_the_protocols() -> None:
    assert isinstance(SlowStore(), SyncStore)
    assert isinstance(PlainStore(), RequestStore)
    assert not isinstance(PlainStore(), SyncStore)
    assert isinstance(AsyncMemoryStore(), AsyncSyncStore)
    assert isinstance(AsyncPlainStore(), AsyncRequestStore)
    assert not isinstance(AsyncPlainStore(), AsyncSyncStore)


# --- blocking stores run in worker threads ----------------------------------------------------


@pytest.mark.parametrize("store_class", [SlowStore, SharedSlowStore], ids=["plain", "thread-safe"])
async def test_a_blocking_store_never_blocks_the_event_loop(
    sb: Sandbox, store_class: type[SlowStore]
) -> None:
    loop_thread = threading.current_thread()
    store = store_class()
    agreement = sb.credentials.agreement
    [first, *_] = with_status(sb, RequestStatus.UNDER_REVIEW)
    [rejected, *_] = with_status(sb, RequestStatus.REJECTED)
    async with ticking() as ticker:
        store.ticker = ticker
        async with session(sb, store) as s:
            got = await s.requests.get(first)
            report = await s.requests.sync_all()
        async with session(sb, store) as s:  # knows nothing yet: reads its copy from the store
            with pytest.raises(ActionNotAllowed):
                await s.requests.delete(rejected)
        total_ticks = ticker.ticks
    assert got.number == first
    assert report.ok
    assert report.new == len(held(sb)) - 1
    assert report.unchanged == 1
    assert report.watermark is not None
    assert store.marks[agreement] == report.watermark
    names = [c.name for c in store.calls]
    assert names.count("merge") == report.pages
    assert {"upsert", "get", "merge", "watermark", "remove_missing", "set_watermark"} <= set(names)
    slow = [c for c in store.calls if c.ticks is not None]
    assert len(slow) >= 4
    assert all(c.ticks is not None and c.ticks >= MIN_TICKS for c in slow), store.calls
    threads = {c.thread for c in store.calls}
    assert loop_thread not in threads
    if store_class is SlowStore:
        assert total_ticks >= MIN_TICKS * len(slow)  # its calls came one after the other
        # each session calls it from one dedicated worker thread, stopped with the session
        [last] = [i for i, c in enumerate(store.calls) if c.name == "set_watermark"]
        by_session = [{c.thread for c in store.calls[: last + 1]}, {store.calls[-1].thread}]
        assert store.calls[-1].name == "get"
        assert [len(t) for t in by_session] == [1, 1]
        assert by_session[0] != by_session[1]
        for worker in threads:
            assert worker.name.startswith("antsclient-store")
            assert not worker.is_alive()


async def test_concurrent_calls_reach_a_plain_store_in_turn(sb: Sandbox) -> None:
    store = SlowStore()
    numbers = with_status(sb, RequestStatus.UNDER_REVIEW)[:3]
    async with session(sb, store) as s:
        found = await asyncio.gather(*(s.requests.get(n) for n in numbers))
    assert [r.number for r in found] == numbers
    assert [c.name for c in store.calls] == ["upsert"] * 3
    assert store.max_in_flight == 1
    assert len({c.thread for c in store.calls}) == 1


async def test_concurrent_calls_reach_a_thread_safe_store_together(sb: Sandbox) -> None:
    loop_thread = threading.current_thread()
    store = SharedSlowStore()
    store.barrier = threading.Barrier(2, timeout=10)  # each upsert waits for the other
    numbers = with_status(sb, RequestStatus.UNDER_REVIEW)[:2]
    async with session(sb, store) as s:
        found = await asyncio.gather(*(s.requests.get(n) for n in numbers))
    assert [r.number for r in found] == numbers
    assert store.max_in_flight == 2
    threads = {c.thread for c in store.calls}
    assert len(threads) == 2
    assert loop_thread not in threads


# --- async stores are awaited -----------------------------------------------------------------


async def test_an_async_store_is_awaited_on_the_loop_and_serves_a_sync(sb: Sandbox) -> None:
    loop = asyncio.get_running_loop()
    store = AsyncMemoryStore()
    agreement = sb.credentials.agreement
    async with session(sb, store) as s:
        assert s.store is store
        first = await s.requests.sync_all()
        [draft, *_] = with_status(sb, RequestStatus.DRAFT)
        await s.requests.get(draft)
        again = await s.requests.sync_all()
    assert first.ok
    assert first.new == len(held(sb))
    assert not first.incremental
    assert first.watermark is not None
    assert {n for (_, n) in store.rows} == {r.number for r in held(sb)}
    assert again.ok
    assert again.incremental
    assert again.since == first.watermark - DEFAULT_OVERLAP
    assert again.pages == 1
    assert store.marks[agreement] == again.watermark
    names = [name for name, _, _ in store.calls]
    assert {"watermark", "merge", "remove_missing", "set_watermark", "upsert"} <= set(names)
    assert all(thread is threading.current_thread() for _, thread, _ in store.calls)
    assert all(running is loop for _, _, running in store.calls)


async def test_an_async_store_without_merge_cannot_serve_a_sync(sb: Sandbox) -> None:
    store = AsyncPlainStore()
    [number, *_] = with_status(sb, RequestStatus.UNDER_REVIEW)
    async with session(sb, store) as s:
        await s.requests.get(number)
        with pytest.raises(ConfigurationError) as caught:
            await s.requests.sync_all()
    assert caught.value.field == "store"
    assert (sb.credentials.agreement, number) in store.rows


async def test_the_blocking_session_refuses_an_async_store() -> None:
    credentials = ants.Credentials(agreement="E1706900030", login="claboret662", password="pw")
    with pytest.raises(ConfigurationError) as caught:
        ants.AntsSession(credentials, base_url="http://ants.test", store=AsyncMemoryStore())
    assert caught.value.field == "store"
    assert "AsyncAntsSession" in str(caught.value)
    with ants.AntsSession(credentials, base_url="http://ants.test") as s:
        with pytest.raises(ConfigurationError):
            s.store = AsyncPlainStore()  # type: ignore[assignment]
        assert s.store is None


# --- a store with only upsert/get/delete ------------------------------------------------------


def check_full_syncs(first: ants.SyncReport, second: ants.SyncReport, total: int) -> None:
    assert first.ok
    assert (first.new, first.updated, first.unchanged) == (total, 0, 0)
    assert (first.incremental, first.since, first.removed) == (False, None, 0)
    assert second.ok
    assert (second.new, second.updated, second.unchanged) == (0, 0, total)
    assert (second.incremental, second.since) == (False, None)
    assert second.pages == first.pages


async def test_a_plain_store_still_syncs_in_the_async_session(sb: Sandbox) -> None:
    store = PlainStore()
    async with session(sb, store) as s:
        first = await s.requests.sync_all()
        second = await s.requests.sync_all()
    check_full_syncs(first, second, len(held(sb)))
    assert {n for (_, n) in store.rows} == {r.number for r in held(sb)}
    assert threading.current_thread() not in store.threads
    assert len(store.threads) == 1


async def test_a_sync_into_a_plain_store_reports_no_watermark(sb: Sandbox) -> None:
    async with session(sb, PlainStore()) as s:
        first = await s.requests.sync_all()
        second = await s.requests.sync_all()
    assert not second.incremental  # the next sync did not start from a watermark …
    assert first.watermark is None  # … so the report must not name one


@pytest.mark.network
def test_a_plain_store_still_syncs_in_the_blocking_session() -> None:
    store = PlainStore()
    with serve(seed=5) as handle:
        handle.seed_requests(SEEDED)
        total = len(held(handle))
        with ants.AntsSession(
            handle.credentials, base_url=handle.url, store=store, retry=FAST
        ) as s:
            first = s.requests.sync_all()
            second = s.requests.sync_all()
    check_full_syncs(first, second, total)
    assert len(store.rows) == total
    assert store.threads == {threading.current_thread()}
