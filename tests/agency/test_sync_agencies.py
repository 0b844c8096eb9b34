"""sync_agencies_async, and what both many-agency syncs share, against the scripted fake ANTS."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fake_search import T0, FakeSearch

import antsclient as ants
from antsclient import agency
from antsclient.models import OnlineRequest
from antsclient.storage import MemoryStore

Make = Callable[..., OnlineRequest]
URL = "http://ants.test"


def test_many_agencies_as_tasks_each_with_its_own_report(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    good = [fake.credentials(f"E00000000{i}") for i in range(3)]
    for i, creds in enumerate(good):
        fake.add(*(make_online(100 * i + n) for n in range(1, 11 + i)), agreement=creds.agreement)
    wrong = fake.credentials("E0000000099", password="not-the-password")
    store = MemoryStore()
    followed: dict[str, tuple[int, int]] = {}

    async def main() -> list[agency.SyncReport]:
        return await agency.sync_agencies_async(
            [good[0], wrong, good[1], good[2]],
            store,
            base_url=URL,
            transport=httpx.MockTransport(fake.slow),
            retry=retry,
            concurrency=2,
            page_concurrency=2,
            progress=lambda a, done, total: followed.__setitem__(a, (done, total)),
        )

    reports = asyncio.run(main())
    assert [r.agreement for r in reports] == [
        good[0].agreement,
        wrong.agreement,
        good[1].agreement,
        good[2].agreement,
    ]
    for i, creds in enumerate(good):
        report = next(r for r in reports if r.agreement == creds.agreement)
        assert report.ok
        assert report.new == 10 + i
        assert len(store.search(creds.agreement)) == 10 + i
        assert followed[creds.agreement] == (10 + i, 10 + i)
    assert reports[1].error_code == "authentication_failed"
    assert "not-the-password" not in repr(reports[1])
    assert fake.max_in_flight <= 2 * 2


def test_without_a_transport_one_pool_is_made_and_closed(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = fake.credentials()
    fake.add(make_online(1), make_online(2))
    made: list[tuple[int, Any]] = []

    class Counted(httpx.MockTransport):
        closed = False

        async def aclose(self) -> None:
            self.closed = True

    def spy(connections: int, base_url: str) -> httpx.AsyncBaseTransport:
        transport = Counted(fake)
        made.append((connections, transport))
        return transport

    monkeypatch.setattr(agency, "pooled_async_transport", spy)
    reports = asyncio.run(
        agency.sync_agencies_async(
            [creds], MemoryStore(), base_url=URL, retry=retry, concurrency=3, page_concurrency=5
        )
    )
    assert reports[0].ok and reports[0].new == 2
    [(connections, transport)] = made
    assert connections == 3 * 5
    assert transport.closed


def test_one_options_value_applies_to_every_agency(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    first, second = fake.credentials("E0000000001"), fake.credentials("E0000000002")
    fake.add(*(make_online(n) for n in range(1, 6)), agreement=first.agreement)
    fake.add(*(make_online(n) for n in range(1, 4)), agreement=second.agreement)
    store = MemoryStore()
    window = agency.SyncOptions(modified=(T0 + dt.timedelta(minutes=3), None))
    reports = agency.sync_agencies(
        [first, second],
        store,
        base_url=URL,
        transport=httpx.MockTransport(fake),
        retry=retry,
        options=window,
    )
    assert [(r.new, r.watermark) for r in reports] == [(3, None), (1, None)]
    assert store.watermark(first.agreement) is None  # a windowed sync keeps none


class AsyncOnlyStore:
    """A store whose methods are coroutines: it serves the async sessions only."""

    async def upsert(self, agreement: str, requests: Any) -> None:
        return None

    async def get(self, agreement: str, number: str) -> OnlineRequest | None:
        return None

    async def delete(self, agreement: str, number: str) -> None:
        return None


def test_an_agency_whose_session_cannot_start_has_its_report(
    fake: FakeSearch, retry: ants.RetryPolicy
) -> None:
    creds = fake.credentials()
    reports = agency.sync_agencies(
        [creds],
        AsyncOnlyStore(),  # type: ignore[arg-type]
        base_url=URL,
        transport=httpx.MockTransport(fake),
        retry=retry,
    )
    assert reports[0].agreement == creds.agreement
    assert reports[0].error_code == "configuration_missing"
    assert reports[0].error_fr
    assert not reports[0].ok
