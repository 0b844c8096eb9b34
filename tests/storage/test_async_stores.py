"""The async session awaits its store: an async store as it is, a blocking one in threads."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest

from antsclient import AsyncAntsSession, RetryPolicy
from antsclient._store_contract import _bordereau
from antsclient.models import Bucket, OnlineRequest
from antsclient.sandbox import create_app
from antsclient.storage import (
    AsyncAgencyIndex,
    AsyncAgencyLocks,
    AsyncBordereauStore,
    AsyncSearchableStore,
    AsyncSyncStore,
    InThread,
    MemoryStore,
    MergeResult,
    SqliteStore,
    in_thread,
)

AGENCY = "E1706900030"
Make = Callable[..., OnlineRequest]


class SlowStore(MemoryStore):
    """A blocking store whose every merge blocks its caller for one second, counting the
    ticks of the event loop's other task meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0
        self.ticks_while_blocked: list[int] = []

    def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        before = self.ticks
        time.sleep(1.0)  # blocks its thread: never the loop's
        self.ticks_while_blocked.append(self.ticks - before)
        return super().merge(agreement, requests)


def _session(sandbox: Any, store: Any) -> AsyncAntsSession:
    return AsyncAntsSession(
        sandbox.credentials,
        base_url="http://sandbox.invalid",
        retry=RetryPolicy.immediate(),
        transport=httpx.ASGITransport(app=sandbox.app),
        store=store,
    )


def test_a_blocking_store_never_delays_the_loops_other_tasks() -> None:
    sandbox = create_app().sandbox
    sandbox.seed_requests(40)
    store = SlowStore()

    async def other_task(sync: asyncio.Task[Any]) -> None:
        while not sync.done():
            store.ticks += 1
            await asyncio.sleep(0.01)

    async def scenario() -> None:
        async with _session(sandbox, store) as session:
            sync = asyncio.create_task(session.requests.sync_all())
            await other_task(sync)
            assert (await sync).ok
        assert store.ticks_while_blocked  # the store was called, and blocked
        assert all(ticks > 0 for ticks in store.ticks_while_blocked)

    try:
        asyncio.run(scenario())
    finally:
        sandbox.close()
    assert len(store.search(AGENCY)) == len(sandbox.state.requests(AGENCY))


class PlainStore:
    """A blocking store with only upsert/get/delete, not thread-safe."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], OnlineRequest] = {}
        self.threads: set[str] = set()

    def upsert(self, agreement: str, requests: Sequence[OnlineRequest]) -> None:
        self.threads.add(threading.current_thread().name)
        for request in requests:
            self.rows[agreement, request.number] = request

    def get(self, agreement: str, number: str) -> OnlineRequest | None:
        self.threads.add(threading.current_thread().name)
        return self.rows.get((agreement, number))

    def delete(self, agreement: str, number: str) -> None:
        self.rows.pop((agreement, number), None)


def test_in_thread_serves_every_async_protocol(tmp_path: Any, make_request: Make) -> None:
    async def scenario(store: InThread) -> None:
        for protocol in (
            AsyncSyncStore,
            AsyncSearchableStore,
            AsyncAgencyIndex,
            AsyncAgencyLocks,
            AsyncBordereauStore,
        ):
            assert isinstance(store, protocol)
        await store.upsert(AGENCY, iter([make_request("1")]))
        assert await store.merge(AGENCY, [make_request("1"), make_request("2")]) == MergeResult(
            new=1, unchanged=1
        )
        assert (await store.get(AGENCY, "2")) == make_request("2")
        assert [r.number for r in await store.search(AGENCY, bucket=Bucket.DRAFTS)] == ["1", "2"]
        assert (await store.counts(AGENCY))[None][Bucket.DRAFTS] == 2
        assert await store.agreements() == [AGENCY]
        assert await store.watermark(AGENCY) is None
        await store.set_watermark(AGENCY, make_request("1").modified)
        assert await store.watermark(AGENCY) == make_request("1").modified
        assert await store.remove_missing(AGENCY, ["1"], before=float("inf")) == 1
        await store.delete(AGENCY, "1")
        assert await store.search(AGENCY) == []
        async with store.lock_agency(AGENCY) as held, store.lock_agency(AGENCY) as again:
            assert (held, again) == (True, False)
        bordereau = _bordereau("17", dt.date(2017, 7, 6))
        await store.save_bordereau(bordereau)
        assert await store.get_bordereau(AGENCY, "17") == bordereau
        assert await store.bordereaux(AGENCY) == [bordereau]
        await store.delete_bordereau(AGENCY, "17")
        assert await store.bordereaux(AGENCY) == []

    with SqliteStore(tmp_path / "s.db") as sqlite:
        asyncio.run(scenario(in_thread(sqlite)))
    asyncio.run(scenario(in_thread(MemoryStore())))
    assert "in_thread(MemoryStore" in repr(in_thread(MemoryStore()))


def test_in_thread_runs_a_plain_store_in_one_thread_of_its_own(make_request: Make) -> None:
    plain = PlainStore()
    store = in_thread(plain)

    async def scenario() -> None:
        assert await store.merge(AGENCY, [make_request("1")]) == MergeResult(new=1)
        assert await store.merge(AGENCY, [make_request("1")]) == MergeResult(unchanged=1)
        assert await store.watermark(AGENCY) is None
        await store.set_watermark(AGENCY, None)
        assert await store.remove_missing(AGENCY, [], before=float("inf")) == 0
        with pytest.raises(AttributeError, match="PlainStore has no search"):
            await store.search(AGENCY)

    asyncio.run(scenario())
    store.close()
    assert not store.keeps_watermark
    assert plain.threads and all(name.startswith("antsclient-store") for name in plain.threads)


@pytest.mark.postgres
def test_the_async_session_syncs_into_the_async_postgres_store(
    postgres_schema: tuple[str, str],
) -> None:
    from antsclient.storage import AsyncPostgresStore, PostgresStore

    conninfo, schema = postgres_schema
    sandbox = create_app().sandbox
    sandbox.seed_requests(60)

    async def scenario() -> None:
        async with (
            AsyncPostgresStore(conninfo, schema=schema) as store,
            _session(sandbox, store) as session,
        ):
            first = await session.requests.sync_all()
            again = await session.requests.sync_all()
            assert first.ok and again.ok and again.incremental
            assert await store.counts(AGENCY) == await session.requests.counts()

    try:
        asyncio.run(scenario())
        with PostgresStore(conninfo, schema=schema) as blocking:
            server = sorted(sandbox.state.requests(AGENCY), key=lambda r: (r.modified, r.number))
            assert list(blocking.search(AGENCY)) == server
    finally:
        sandbox.close()


@pytest.mark.postgres
def test_agencies_sync_at_once_into_the_async_postgres_store(
    postgres_schema: tuple[str, str],
) -> None:
    from antsclient.agency import sync_agencies_async
    from antsclient.storage import AsyncPostgresStore

    conninfo, schema = postgres_schema
    sandbox = create_app().sandbox
    agencies = list(sandbox.state.agencies)
    for agreement in agencies:
        sandbox.seed_requests(30, agreement=agreement)

    async def scenario() -> list[Any]:
        async with AsyncPostgresStore(conninfo, schema=schema) as store:
            reports = await sync_agencies_async(
                [sandbox.credentials_of(a) for a in agencies],
                store,
                base_url="http://sandbox.invalid",
                transport=httpx.ASGITransport(app=sandbox.app),
            )
            assert await store.agreements() == sorted(agencies)
            return reports

    try:
        reports = asyncio.run(scenario())
    finally:
        sandbox.close()
    assert [r.ok for r in reports] == [True] * len(agencies)


def test_the_async_sessions_view_of_no_store_and_of_a_plain_one(make_request: Make) -> None:
    from antsclient._async.stores import AsyncStore
    from antsclient.errors import ConfigurationError
    from antsclient.storage.locks import FileLocks

    async def scenario() -> None:
        with pytest.raises(ConfigurationError, match="store"):
            await AsyncStore(None).merge(AGENCY, [make_request("1")])
        memory = MemoryStore()
        view = AsyncStore(memory)
        await view.upsert(AGENCY, [make_request("1")])
        await view.delete(AGENCY, "1")
        assert memory.get(AGENCY, "1") is None
        view.close()

    asyncio.run(scenario())
    assert repr(FileLocks("/nowhere")) == "FileLocks('/nowhere')"
