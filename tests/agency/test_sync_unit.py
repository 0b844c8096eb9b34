"""sync_requests and sync_agencies against a scripted fake ANTS (httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from fake_search import AGENCY, T0, FakeSearch

import antsclient as ants
from antsclient import agency
from antsclient import protocol as ops
from antsclient.codec import to_data
from antsclient.models import OnlineRequest, RequestStatus
from antsclient.storage import MemoryStore, SqliteStore

Make = Callable[..., OnlineRequest]
URL = "http://ants.test"


def session(
    fake: FakeSearch,
    store: Any,
    retry: ants.RetryPolicy,
    transport: httpx.BaseTransport | None = None,
) -> ants.AntsSession:
    return ants.AntsSession(
        fake.credentials(),
        base_url=URL,
        store=store,
        transport=transport or httpx.MockTransport(fake),
        retry=retry,
    )


def params(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params)


def test_a_first_sync_fetches_every_page_and_stores_everything(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(*(make_online(3200 + i) for i in range(1203)))
    fake.add(make_online(1, student_id=None))
    store = MemoryStore()
    seen: list[tuple[int, int]] = []
    with session(fake, store, retry) as s:
        report = s.requests.sync_all(progress=lambda done, total: seen.append((done, total)))
    assert report == attrs.evolve(report, new=1204, updated=0, unchanged=0, unlinked=1)
    assert report.ok
    assert (report.total, report.pages, report.incremental, report.removed) == (1204, 3, False, 0)
    assert report.watermark == max(r.modified for r in fake.agencies[AGENCY].values())
    assert store.watermark(AGENCY) == report.watermark
    assert len(store.search(AGENCY)) == 1204
    searches = fake.searches()
    # The first wave asks as many pages as the sync keeps in flight (8), at once (in no
    # order the server can count on): those past the end (4 to 8) come back empty, and no
    # page is asked twice.
    assert sorted(int(params(c)["page"]) for c in searches) == list(range(1, 9))
    assert all(params(c)["page_size"] == "500" for c in searches)
    assert all("modified_from" not in params(c) for c in searches)
    assert seen[-1] == (1204, 1204)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_later_sync_asks_only_what_changed_since_the_watermark(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(*(make_online(3200 + i) for i in range(30)))
    store = MemoryStore()
    with session(fake, store, retry) as s:
        first = s.requests.sync_all()
        fake.calls.clear()
        later = T0 + dt.timedelta(days=10)
        fake.add(make_online(3205, status=RequestStatus.REJECTED, modified=later))
        fake.add(make_online(4000, modified=later, student_id=None))
        report = s.requests.sync_all()
    assert first.watermark is not None
    assert report.incremental
    assert report.since == first.watermark - agency.DEFAULT_OVERLAP
    assert (report.new, report.updated, report.unlinked) == (1, 1, 1)
    assert report.unchanged == 6  # the overlap re-reads the last minutes: harmless
    [search] = fake.searches()
    assert dt.datetime.fromisoformat(params(search)["modified_from"]) == report.since
    assert [c.url.path for c in fake.calls] == ["/api/v1/requests"]  # the token was kept
    assert report.watermark == later
    assert store.get(AGENCY, "3205").status is RequestStatus.REJECTED  # type: ignore[union-attr]


def test_an_incremental_sync_with_nothing_new_keeps_the_watermark(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(make_online(1))
    store = MemoryStore()
    with session(fake, store, retry) as s:
        s.requests.sync_all()
        mark = store.watermark(AGENCY)
        report = s.requests.sync_all(concurrency=1)
        report_overlap = agency.sync_requests(s, overlap=dt.timedelta(0))
    assert report.unchanged == 1
    assert report_overlap.seen == 1
    assert store.watermark(AGENCY) == mark
    fake.agencies[AGENCY].clear()
    empty = MemoryStore()
    with session(fake, empty, retry) as s:
        nothing = s.requests.sync_all()
    assert (nothing.total, nothing.watermark, empty.watermark(AGENCY)) == (0, None, None)


def test_the_watermark_never_passes_the_clients_clock(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    fake.add(make_online(1, modified=future))
    store = MemoryStore()
    with session(fake, store, retry) as s:
        report = s.requests.sync_all()
    assert report.watermark is not None
    assert report.watermark < future
    assert report.watermark <= dt.datetime.now(dt.UTC)


def test_windows_limit_the_sync_and_leave_the_watermark_alone(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(*(make_online(i) for i in range(1, 11)))
    store = MemoryStore()
    window = (T0 + dt.timedelta(minutes=3), T0 + dt.timedelta(minutes=5))
    with session(fake, store, retry) as s:
        report = s.requests.sync_all(modified=window)
        created = s.requests.sync_all(created=(T0.date(), None))
    assert report.new == 3
    assert not report.incremental
    assert report.watermark is None
    assert created.new == 7
    assert store.watermark(AGENCY) is None
    first = params(fake.searches()[0])
    assert dt.datetime.fromisoformat(first["modified_from"]) == window[0]
    assert "created_from" in params(fake.searches()[-1])


def test_a_full_sync_forgets_what_ants_no_longer_holds(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy, tmp_path: Path
) -> None:
    fake.add(*(make_online(i) for i in range(1, 6)))
    with SqliteStore(tmp_path / "s.db") as store, session(fake, store, retry) as s:
        s.requests.sync_all()
        del fake.agencies[AGENCY]["3"]
        incremental = s.requests.sync_all()
        assert incremental.removed == 0
        assert store.get(AGENCY, "3") is not None  # an incremental sync cannot know
        full = agency.sync_requests(s, full=True)
        assert (full.removed, full.incremental) == (1, False)
        assert store.get(AGENCY, "3") is None


def test_a_request_moving_between_two_pages_is_not_lost(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(*(make_online(i) for i in range(1, 1001)))
    moved = False

    def change_after_first_page(page: int) -> None:
        nonlocal moved
        if page == 2 and not moved:
            moved = True  # request 1 changes: it leaves page 1, everything shifts left
            fake.add(make_online(1, modified=T0 + dt.timedelta(days=30)))

    fake.before_page = change_after_first_page
    store = MemoryStore()
    with session(fake, store, retry) as s:
        report = s.requests.sync_all(concurrency=1)
    assert moved
    assert len(store.search(AGENCY)) == 1000
    assert store.get(AGENCY, "1") == fake.agencies[AGENCY]["1"]
    assert report.total == 1000
    assert report.new + report.updated + report.unchanged - report.seen == 0


@pytest.mark.parametrize("rows", [False, True], ids=["items", "rows"])
def test_an_unreadable_request_is_counted_not_fatal(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy, rows: bool
) -> None:
    fake.rows = rows  # pages of rows are read as the items they stand for
    fake.add(*(make_online(i) for i in range(1, 5)))
    fake.broken["2"] = {"number": "2", "status": "draft"}  # no dates, no cerfa
    french = dict(to_data(make_online(3)))
    french["created"] = "05/01/2026 10:03"  # the French way: read by the converter
    fake.broken["3"] = french
    store = MemoryStore()
    with session(fake, store, retry) as s:
        report = s.requests.sync_all()
        assert (report.new, report.failed, report.ok) == (3, 1, False)
        assert report.watermark is None  # the next sync fetches everything again
        assert store.watermark(AGENCY) is None
        created = store.get(AGENCY, "3").created  # type: ignore[union-attr]
        assert created == dt.datetime(2026, 1, 5, 10, 3, tzinfo=dt.UTC)
    assert {c.url.params.get("shape") for c in fake.searches()} == {"rows"}


def test_a_page_that_keeps_failing_raises_after_storing_the_others(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(*(make_online(i) for i in range(1, 1201)))
    fake.fail_pages = {2}
    store = MemoryStore()
    with session(fake, store, retry) as s, pytest.raises(ants.AntsUnavailable):
        s.requests.sync_all(concurrency=1)
    assert 500 <= len(store.search(AGENCY)) <= 700
    assert store.watermark(AGENCY) is None


def test_an_async_session_syncs_pages_concurrently_within_the_bound(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(*(make_online(i) for i in range(1, 3001)))
    fake.delay = 0.02
    store = MemoryStore()

    async def main(concurrency: int) -> agency.SyncReport:
        async with ants.AsyncAntsSession(
            fake.credentials(),
            base_url=URL,
            store=store,
            transport=httpx.MockTransport(fake.slow),
            retry=retry,
        ) as s:
            return await agency.sync_requests(s, concurrency=concurrency, full=True)

    report = asyncio.run(main(3))
    assert report.new == 3000
    assert fake.max_in_flight == 3
    fake.max_in_flight = 0
    again = asyncio.run(main(8))
    assert again.unchanged == 3000
    # A complete listing asks its first wave at once: pages 1 to 8, of which 6 hold requests.
    assert fake.max_in_flight == 8
    assert {params(c)["page"] for c in fake.searches()[-8:]} == {str(n) for n in range(1, 9)}


def test_a_blocking_session_works_inside_a_running_event_loop(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(*(make_online(i) for i in range(1, 20)))
    store = MemoryStore()

    async def notebook_cell() -> agency.SyncReport:
        with session(fake, store, retry) as s:
            return s.requests.sync_all()

    assert asyncio.run(notebook_cell()).new == 19


class BlockingOnly(httpx.BaseTransport):
    """A transport only blocking clients can use."""

    def __init__(self, fake: FakeSearch) -> None:
        self.fake = fake

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self.fake(request)


def test_a_blocking_only_transport_is_driven_from_worker_threads(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(*(make_online(i) for i in range(1, 1100)))
    store = MemoryStore()
    with session(fake, store, retry, transport=BlockingOnly(fake)) as s:
        s.requests.get  # noqa: B018 - the session is usable as is
        report = s.requests.sync_all()
    assert (report.new, report.pages) == (1099, 3)


def test_the_sessions_cache_is_refreshed_by_a_sync(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(make_online(1))
    store = MemoryStore()
    with session(fake, store, retry) as s:
        s._known["1"] = make_online(1, status=RequestStatus.DRAFT)
        s.requests.sync_all()
        assert s._known["1"].status is RequestStatus.UNDER_REVIEW


def test_a_sync_needs_a_store(fake: FakeSearch, retry: ants.RetryPolicy) -> None:
    with session(fake, None, retry) as s, pytest.raises(ants.ConfigurationError) as exc:
        s.requests.sync_all()
    assert exc.value.field == "store"


class PlainStore:
    """A host's store with only the three methods the sessions need."""

    def __init__(self) -> None:
        self.rows: dict[str, OnlineRequest] = {}
        self.threads: set[int] = set()

    def upsert(self, agreement: str, requests: Any) -> None:
        self.threads.add(threading.get_ident())
        self.rows.update({r.number: r for r in requests})

    def get(self, agreement: str, number: str) -> OnlineRequest | None:
        return self.rows.get(number)

    def delete(self, agreement: str, number: str) -> None:
        self.rows.pop(number, None)


def test_a_plain_store_gets_full_syncs(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(*(make_online(i) for i in range(1, 4)))
    store = PlainStore()
    with session(fake, store, retry) as s:
        assert s.requests.sync_all().new == 3
        fake.add(make_online(2, status=RequestStatus.ACCEPTED))
        del fake.agencies[AGENCY]["3"]
        report = s.requests.sync_all()
    assert (report.new, report.updated, report.unchanged, report.removed) == (0, 1, 1, 0)
    assert not report.incremental
    assert store.rows["2"].status is RequestStatus.ACCEPTED
    # a store that does not say it is thread-safe is only called from the caller's thread
    assert store.threads == {threading.get_ident()}


def test_many_agencies_each_with_its_own_report(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy, tmp_path: Path
) -> None:
    good = [fake.credentials(f"E00000000{i}") for i in range(4)]
    for i, creds in enumerate(good):
        fake.add(*(make_online(1000 * i + n) for n in range(1, 30 + i)), agreement=creds.agreement)
    wrong = fake.credentials("E0000000099", password="not-the-password")
    fake.credentials("E0000000098")
    down = fake.credentials("E0000000098")
    fake.down.add(down.agreement)
    followed: dict[str, tuple[int, int]] = {}
    with SqliteStore(tmp_path / "agencies.db") as store:
        reports = agency.sync_agencies(
            [good[0], wrong, good[1], down, good[2], good[3]],
            store,
            base_url=URL,
            transport=httpx.MockTransport(fake.slow_blocking),
            retry=retry,
            concurrency=2,
            progress=lambda a, done, total: followed.__setitem__(a, (done, total)),
        )
        assert [r.agreement for r in reports] == [
            good[0].agreement,
            wrong.agreement,
            good[1].agreement,
            down.agreement,
            good[2].agreement,
            good[3].agreement,
        ]
        by = {r.agreement: r for r in reports}
        for i, creds in enumerate(good):
            assert by[creds.agreement].ok
            assert by[creds.agreement].new == 29 + i
            assert len(store.search(creds.agreement)) == 29 + i
        assert by[wrong.agreement].error_code == "authentication_failed"
        assert by[wrong.agreement].error_fr is not None
        assert "not-the-password" not in repr(by[wrong.agreement])
        assert by[down.agreement].error_code == "ants_unavailable"
        assert not by[down.agreement].ok
        assert followed[good[3].agreement] == (32, 32)
        assert fake.max_in_flight <= 2 * 4


class Source:
    def __init__(self, credentials: list[ants.Credentials]) -> None:
        self.credentials = credentials

    def agencies(self) -> list[ants.Credentials]:
        return self.credentials


def test_many_agencies_from_a_credentials_source(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = fake.credentials()
    fake.add(make_online(1), make_online(2, student_id=None))
    store = MemoryStore()
    reports = agency.sync_agencies(
        Source([creds]), store, base_url=URL, transport=httpx.MockTransport(fake), retry=retry
    )
    assert [(r.new, r.unlinked) for r in reports] == [(2, 1)]
    # Without a transport, one pooled connection pool is made, used and closed.
    made: list[httpx.BaseTransport] = []
    real = agency.pooled_transport

    def spy(connections: int, base_url: str) -> httpx.BaseTransport | None:
        transport = httpx.MockTransport(fake)
        made.append(transport)
        assert real(connections, base_url) is not None
        assert real(connections, "https://ants.example") is not None
        return transport

    monkeypatch.setattr(agency, "pooled_transport", spy)
    [again] = agency.sync_agencies([creds], store, base_url=URL, retry=retry)
    assert (again.incremental, again.ok, len(made)) == (True, True, 1)


def test_the_default_transport_steps_aside_for_an_environment_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from antsclient import _transport

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert _transport.pooled_transport(4, "https://ants.example") is None
    assert _transport.pooled_async_transport(4, "https://ants.example") is None


def test_a_blocking_session_syncs_on_its_own_client(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(make_online(1))
    store = MemoryStore()
    transport = httpx.MockTransport(fake)
    with ants.AntsSession(
        fake.credentials(), base_url=URL, store=store, retry=retry, transport=transport
    ) as s:
        assert s.requests.sync_all().new == 1
        assert s._token is not None  # the login is kept for the session's next calls


def test_reports_read_well() -> None:
    report = agency.SyncReport(agreement=AGENCY, new=2, updated=1, unchanged=3)
    assert (report.seen, report.ok) == (6, True)
    assert not attrs.evolve(report, error="boom").ok


def test_the_text_progress_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    out = io.StringIO()
    ticks = iter([0.0, 0.0, 1.0, 1.0, 4.0])
    with agency.ProgressBar("Demandes", file=out, clock=lambda: next(ticks)) as bar:
        bar(0, 0)
        bar(250, 1000)
        bar(250, 1000)  # unchanged: not drawn again
        bar(1000, 1000)
    text = out.getvalue()
    assert text.count("\r") == 3
    assert "250/1000 (25 %, 250 demandes/s)" in text
    assert text.endswith("1000/1000 (100 %, 250 demandes/s)\n")
    with pytest.raises(ImportError):
        agency.ProgressBar(use_tqdm=True)
    silent = agency.ProgressBar(use_tqdm=False, file=out)
    silent.close()  # nothing drawn: nothing written


def test_the_tqdm_progress_bar() -> None:
    pytest.importorskip("tqdm")
    out = io.StringIO()
    bar = agency.ProgressBar("Demandes", file=out, use_tqdm=True)
    bar(10, 40)
    bar(40, 40)
    bar.close()
    bar.close()
    assert "40/40" in out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        {"number": 3223},  # not a text: the converter decides
        {"transferred": "yes"},
        {"status": "Dossier en cours de traitement"},  # a label, not a code
        {"modified": "06/07/2017 15:39"},
        {"validated_at": "2017-07-06T15:39:00"},
    ],
)
def test_fast_decoding_agrees_with_the_converter(make_online: Make, data: dict[str, Any]) -> None:
    from antsclient.codec import from_data

    raw = {**to_data(make_online(3223)), **data}
    try:
        expected = from_data(raw, OnlineRequest)
    except Exception:
        with pytest.raises(Exception):  # noqa: PT011
            agency.decode_request(raw)
        return
    assert agency.decode_request(raw) == expected


def test_a_page_that_is_not_a_page_is_a_protocol_error() -> None:
    request = httpx.Request("GET", "http://ants.test/api/v1/requests")
    for body in (b"[]", b"{}", b'{"items": {}, "total": 1, "pages": 1}', b"not json"):
        with pytest.raises(ants.ProtocolError):
            ops.parse_page(httpx.Response(200, content=body, request=request))


class PickyStore(MemoryStore):
    """A host's store that refuses one agency's requests."""

    def merge(self, agreement: str, requests: Any) -> Any:
        if agreement == "E0000000007":
            raise RuntimeError("disk quota of this agency exceeded")
        return super().merge(agreement, requests)


def test_a_store_failure_for_one_agency_stays_in_its_report(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fine, picky = fake.credentials("E0000000001"), fake.credentials("E0000000007")
    fake.add(make_online(1), agreement=fine.agreement)
    fake.add(make_online(2), agreement=picky.agreement)
    reports = agency.sync_agencies(
        [picky, fine], PickyStore(), base_url=URL, transport=httpx.MockTransport(fake), retry=retry
    )
    assert (reports[0].error_code, reports[0].failed) == ("RuntimeError", 1)
    assert "quota" in (reports[0].error or "")
    assert reports[1].ok


def test_the_watermark_never_moves_back(
    fake: FakeSearch, make_online: Make, retry: ants.RetryPolicy
) -> None:
    fake.add(*(make_online(i) for i in range(1, 4)))
    store = MemoryStore()
    with session(fake, store, retry) as s:
        mark = s.requests.sync_all().watermark
        del fake.agencies[AGENCY]["3"]  # the newest request is deleted on ANTS
        report = s.requests.sync_all()
    assert report.seen == 2
    assert report.watermark == mark == store.watermark(AGENCY)


def test_the_typed_keywords_name_the_sync_options_fields() -> None:
    """``SyncKeywords`` is every field of ``SyncOptions``; ``AgencySyncKeywords`` those
    ``sync_agencies`` does not take as its own parameters (a field added to the options
    without its keyword would be refused by the type checkers)."""
    fields = {field.name for field in attrs.fields(agency.SyncOptions)}
    assert agency.SyncKeywords.__optional_keys__ == fields
    own = {"concurrency", "progress", "raise_errors"}  # page_concurrency, progress, forced
    assert agency.AgencySyncKeywords.__optional_keys__ == fields - own
