"""The sans-IO listing engine: pages to ask for, what each page brings, the tally, the
watermark and the report — driven by hand, as a shell drives it, without any I/O."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient._listing import (
    DEFAULT_OVERLAP,
    MAX_PASSES,
    PAGE_SIZE,
    Arrival,
    Listing,
    SyncOptions,
    SyncPlan,
)
from antsclient.errors import AntsUnavailable
from antsclient.models import Cerfa, OnlineRequest, RequestStatus
from antsclient.protocol import MAX_PAGE_SIZE, Page
from antsclient.storage.protocols import MergeResult

AGENCY = "E1706900030"
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
LATER = T0 + dt.timedelta(days=365)


def req(number: int, minute: int | None = None, **changes: object) -> OnlineRequest:
    """Request ``number``, modified ``minute`` minutes after T0 (``number`` by default)."""
    at = T0 + dt.timedelta(minutes=number if minute is None else minute)
    base: dict[str, object] = {
        "number": str(number),
        "cerfa": Cerfa.C02,
        "status": RequestStatus.UNDER_REVIEW,
        "status_label": RequestStatus.UNDER_REVIEW.label,
        "type_label": Cerfa.C02.label,
        "created": T0,
        "modified": at,
        "student_id": f"S{number}",
    }
    return OnlineRequest(**{**base, **changes})  # type: ignore[arg-type]


def page(
    number: int, items: Iterable[OnlineRequest], *, total: int, size: int = 2, failed: int = 0
) -> Page:
    return Page(
        items=tuple(items),
        page=number,
        page_size=size,
        total=total,
        pages=math.ceil(total / size),
        failed=failed,
    )


def numbers(items: Iterable[OnlineRequest]) -> list[str]:
    return [r.number for r in items]


class Server:
    """ANTS's listing: rows ordered by (modified, number); touching a row moves it to the end.

    ``broken`` rows are sent but cannot be read (counted in :attr:`Page.failed`).
    """

    def __init__(
        self, requests: Iterable[OnlineRequest], *, size: int, broken: Iterable[str] = ()
    ) -> None:
        self.rows = {r.number: r for r in requests}
        self.size = size
        self.broken = set(broken)
        self.clock = max((r.modified for r in self.rows.values()), default=T0)
        self.reads: list[int] = []
        self.sent: list[OnlineRequest] = []

    def ordered(self) -> list[OnlineRequest]:
        return sorted(self.rows.values(), key=lambda r: (r.modified, r.number))

    def touch(self, number: str) -> None:
        self.clock += dt.timedelta(minutes=1)
        self.rows[number] = attrs.evolve(self.rows[number], modified=self.clock)

    def page(self, number: int) -> Page:
        self.reads.append(number)
        rows = self.ordered()[(number - 1) * self.size : number * self.size]
        items = [r for r in rows if r.number not in self.broken]
        self.sent += items
        return page(
            number,
            items,
            total=len(self.rows),
            size=self.size,
            failed=len(rows) - len(items),
        )


def merge(store: dict[str, OnlineRequest], batch: Iterable[OnlineRequest]) -> MergeResult:
    """A store's merge, counting new, updated and unchanged."""
    new = updated = unchanged = 0
    for request in batch:
        before = store.get(request.number)
        if before is None:
            new += 1
        elif before == request:
            unchanged += 1
        else:
            updated += 1
        store[request.number] = request
    return MergeResult(new=new, updated=updated, unchanged=unchanged)


Pick = Callable[[list[int]], int]
Before = Callable[[int], None]


def drive(
    plan: SyncPlan,
    server: Server,
    store: dict[str, OnlineRequest] | None = None,
    *,
    pick: Pick = lambda pending: 0,
    before: Before = lambda n: None,
) -> tuple[dict[str, OnlineRequest], list[Arrival]]:
    """The shells' loop: ask the pages, store each arrival, another pass when idle.

    ``pick`` chooses which page in flight answers next; ``before(n)`` runs just before page
    ``n`` is read (the server may change then).
    """
    store = {} if store is None else store
    arrivals: list[Arrival] = []
    listing = plan.listing
    pending = list(listing.start())
    while pending:
        number = pending.pop(pick(pending))
        before(number)
        more, arrival = listing.arrived(number, server.page(number))
        pending += more
        arrivals.append(arrival)
        result = merge(store, arrival.fresh)
        merge(store, arrival.again)
        plan.stored(arrival, result)
        if not pending:
            pending += listing.next_pass()
    return store, arrivals


def first_sync(**options: object) -> SyncPlan:
    """A first sync (complete) with two pages in flight: pages 1 and 2 asked first."""
    settings = {"concurrency": 2, **options}
    return SyncPlan(AGENCY, SyncOptions(**settings), None, now=LATER, wall=1000.0)  # type: ignore[arg-type]


def later_sync(**options: object) -> SyncPlan:
    """An incremental sync (page 1 asked first)."""
    return SyncPlan(AGENCY, SyncOptions(**options), T0 - dt.timedelta(days=1), now=LATER)  # type: ignore[arg-type]


def touching(server: Server, script: dict[int, list[str]]) -> Before:
    """Touch ``script[k]``'s rows just before the ``k``-th page read."""

    def before(number: int) -> None:
        for row in script.get(len(server.reads) + 1, []):
            server.touch(row)

    return before


# --- which pages are asked for ----------------------------------------------------------------


def test_an_incomplete_listing_asks_page_one_then_every_page_it_reveals() -> None:
    listing = Listing()
    assert listing.start() == [1]
    more, arrival = listing.arrived(1, page(1, [req(1), req(2)], total=7))
    assert more == [2, 3, 4]
    assert numbers(arrival.fresh) == ["1", "2"]
    assert arrival.again == ()
    assert arrival.failed == 0
    for n in (3, 2, 4):
        rows = [req(i) for i in range(2 * n - 1, min(2 * n, 7) + 1)]
        assert listing.arrived(n, page(n, rows, total=7))[0] == []
    assert listing.pages_read == 4
    assert listing.total == 7
    assert len(listing.seen) == 7
    assert listing.whole
    assert listing.next_pass() == []


def test_a_complete_listing_asks_the_first_two_pages_and_never_a_page_twice() -> None:
    listing = Listing(complete=True)
    assert listing.start() == [1, 2]
    # page 2 answers first: it already tells how many pages there are
    more, _ = listing.arrived(2, page(2, [req(3), req(4)], total=6))
    assert more == [3]
    more, _ = listing.arrived(1, page(1, [req(1), req(2)], total=6))
    assert more == []
    more, _ = listing.arrived(3, page(3, [req(5), req(6)], total=6))
    assert more == []
    assert listing.pages_read == 3
    assert listing.whole


def test_page_one_revealing_more_pages_than_page_two_said_adds_only_the_new_ones() -> None:
    listing = Listing(complete=True)
    listing.start()
    assert listing.arrived(2, page(2, [req(3), req(4)], total=6))[0] == [3]
    # a request was added meanwhile: page 1 counts one more page
    assert listing.arrived(1, page(1, [req(1), req(2)], total=7))[0] == [4]


def test_the_page_beyond_the_last_is_read_but_not_counted() -> None:
    listing = Listing(complete=True)
    assert listing.start() == [1, 2]
    more, _ = listing.arrived(1, page(1, [req(1)], total=1))
    assert more == []
    more, arrival = listing.arrived(2, page(2, [], total=1))
    assert (more, arrival.fresh, arrival.again) == ([], (), ())
    assert listing.pages_read == 1
    assert listing.whole
    assert listing.next_pass() == []


def test_an_empty_listing_is_whole_after_its_first_page() -> None:
    listing = Listing()
    listing.start()
    more, arrival = listing.arrived(1, page(1, [], total=0))
    assert more == []
    assert arrival.fresh == ()
    assert listing.pages_read == 1
    assert listing.whole
    assert listing.next_pass() == []


def test_the_call_of_a_page_carries_the_listing_windows_and_page_size() -> None:
    low = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    high = dt.date(2025, 12, 31)
    listing = Listing(created=(low, None), modified=(None, high), page_size=50)
    call = listing.call(3)
    assert call.method == "GET"
    assert call.path == "/requests"
    assert call.params == {
        "page": "3",
        "page_size": "50",
        "shape": "rows",
        "created_from": low.isoformat(),
        "modified_to": dt.datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC).isoformat(),
    }
    assert Listing().call(1).params == {"page": "1", "page_size": str(PAGE_SIZE), "shape": "rows"}
    assert PAGE_SIZE == MAX_PAGE_SIZE


# --- what each page brings --------------------------------------------------------------------


def test_the_tally_keeps_the_largest_total_and_adds_up_unreadable_rows() -> None:
    listing = Listing()
    listing.start()
    _, first = listing.arrived(1, page(1, [req(1)], total=5, failed=1))
    assert first.failed == 1
    listing.arrived(2, page(2, [req(3), req(4)], total=6))
    _, third = listing.arrived(3, page(3, [req(5)], total=5, failed=1))
    assert third.failed == 1
    assert listing.total == 6
    assert listing.failed == 2
    assert listing.pages_read == 3
    assert sorted(listing.seen) == ["1", "3", "4", "5"]


def test_a_request_seen_twice_is_kept_once_in_its_newest_copy() -> None:
    listing = Listing()
    listing.start()
    old = req(1, minute=1)
    new = attrs.evolve(old, modified=T0 + dt.timedelta(minutes=30), status=RequestStatus.REJECTED)
    _, first = listing.arrived(1, page(1, [old, req(2)], total=4))
    assert numbers(first.fresh) == ["1", "2"]
    _, second = listing.arrived(2, page(2, [req(3), new], total=4))
    assert numbers(second.fresh) == ["3"]
    assert second.again == (new,)
    assert listing.seen["1"] == new.modified
    # the same copy again, or an older one, brings nothing
    _, third = listing.arrived(2, page(2, [new, old], total=4))
    assert (third.fresh, third.again) == ((), ())
    assert listing.seen["1"] == new.modified
    assert len(listing.seen) == 3


def test_rows_shifted_while_listing_lead_to_another_pass_that_finds_the_missed_one() -> None:
    server = Server([req(n) for n in range(1, 5)], size=2)
    listing = Listing(passes=3)
    assert listing.start() == [1]
    more, _ = listing.arrived(1, server.page(1))
    assert more == [2]
    server.touch("1")  # request 1 moves to the end: request 3 slides onto page 1, unseen
    _, arrival = listing.arrived(2, server.page(2))
    assert numbers(arrival.fresh) == ["4"]
    assert numbers(arrival.again) == ["1"]
    assert sorted(listing.seen) == ["1", "2", "4"]
    assert not listing.whole
    assert listing.next_pass() == [1]
    assert listing.passes_left == 1
    more, arrival = listing.arrived(1, server.page(1))
    assert more == [2]
    assert numbers(arrival.fresh) == ["3"]
    assert listing.whole
    assert listing.next_pass() == []


def test_a_new_pass_forgets_the_failures_of_the_last_one() -> None:
    listing = Listing()
    listing.start()
    listing.arrived(1, page(1, [req(1)], total=4, failed=1))
    listing.arrived(2, page(2, [req(4)], total=4))
    assert (listing.failed, listing.whole) == (1, False)
    assert listing.next_pass() == [1]
    assert listing.failed == 0


def test_passes_are_spent_after_max_passes() -> None:
    # ANTS counts 3 requests but only ever sends 2: the hole never closes
    listing = Listing()
    asked = [listing.start()]
    for _ in range(10):
        for n in asked[-1]:
            listing.arrived(n, page(n, [req(1), req(2)] if n == 1 else [], total=3))
        pages = listing.next_pass()
        if not pages:
            break
        asked.append(pages)
    assert asked == [[1], [1], [1]]
    assert len(asked) == MAX_PASSES
    assert listing.passes_left == 0
    assert not listing.whole


# --- the sync plan: tally, watermark, removals, report ----------------------------------------


def test_a_clean_first_sync_stores_everything_and_moves_the_watermark() -> None:
    server = Server([req(n) for n in range(1, 8)], size=3)
    plan = first_sync()
    assert plan.complete
    assert plan.since is None
    assert plan.listing.modified is None
    store, _ = drive(plan, server)
    assert sorted(store, key=int) == [str(n) for n in range(1, 8)]
    assert sorted(server.reads) == [1, 2, 3]
    assert plan.clean
    removals = plan.removals()
    assert removals is not None
    assert (sorted(removals[0], key=int), removals[1]) == ([str(n) for n in range(1, 8)], 1000.0)
    assert set(plan.removals()[0]) == set(server.rows)  # type: ignore[index]
    assert plan.next_watermark() == T0 + dt.timedelta(minutes=7)
    report = plan.report()
    assert report.ok
    assert (report.new, report.updated, report.unchanged, report.failed) == (7, 0, 0, 0)
    assert (report.total, report.pages, report.seen) == (7, 3, 7)
    assert report.watermark == T0 + dt.timedelta(minutes=7)
    assert (report.incremental, report.since, report.error) == (False, None, None)
    assert report.agreement == AGENCY
    assert report.elapsed_s >= 0


def test_unlinked_requests_are_counted_once() -> None:
    requests = [req(1, student_id=None), req(2), req(3, student_id=None)]
    server = Server(requests, size=2)
    plan = first_sync()
    drive(plan, server, before=touching(server, {2: ["1"]}))
    report = plan.report()
    assert report.unlinked == 2
    assert report.seen == 3


def test_the_newest_copy_is_stored_and_counted_once() -> None:
    server = Server([req(n) for n in range(1, 5)], size=2)
    plan = first_sync()
    store, arrivals = drive(plan, server, before=touching(server, {2: ["1"]}))
    assert store["1"] == server.rows["1"]
    assert store["1"].modified == T0 + dt.timedelta(minutes=5)
    fresh = [r.number for a in arrivals for r in a.fresh]
    assert sorted(fresh) == ["1", "2", "3", "4"]
    report = plan.report()
    assert report.ok
    assert report.new == 4
    assert plan.next_watermark() == T0 + dt.timedelta(minutes=5)


def test_passes_spent_report_the_gap_as_failed_and_keep_the_watermark() -> None:
    previous = T0 - dt.timedelta(days=1)
    server = Server([req(n) for n in range(1, 5)], size=2)
    plan = SyncPlan(AGENCY, SyncOptions(), previous, now=LATER)
    assert not plan.complete
    hidden = {"3"}

    def page_hiding(number: int) -> Page:  # a row the listing counts but never sends
        sent = server.ordered()[(number - 1) * 2 : number * 2]
        return page(number, [r for r in sent if r.number not in hidden], total=4)

    server.page = page_hiding  # type: ignore[method-assign]
    store, _ = drive(plan, server)
    assert sorted(store) == ["1", "2", "4"]
    assert not plan.listing.whole
    assert not plan.clean
    assert plan.removals() is None
    assert plan.next_watermark() is None
    report = plan.report()
    assert report.failed == 1
    assert not report.ok
    assert report.watermark == previous
    assert report.total == 4
    assert report.seen == 3


def test_unreadable_rows_fail_the_sync_and_keep_the_watermark() -> None:
    server = Server([req(n) for n in range(1, 6)], size=2, broken={"2"})
    plan = first_sync()
    store, arrivals = drive(plan, server)
    assert sorted(store) == ["1", "3", "4", "5"]
    assert sum(a.failed for a in arrivals) == 1
    assert plan.listing.whole  # every row is accounted for …
    assert not plan.clean  # … but one could not be read
    assert plan.removals() is None
    assert plan.next_watermark() is None
    report = plan.report()
    assert (report.failed, report.seen, report.total) == (1, 4, 5)
    assert not report.ok
    assert report.watermark is None
    assert server.reads == [1, 2, 3]  # a whole listing is not walked again


def test_the_watermark_is_never_past_our_own_clock() -> None:
    now = T0 + dt.timedelta(minutes=2)
    plan = SyncPlan(AGENCY, SyncOptions(), None, now=now)
    drive(plan, Server([req(1), req(2, minute=90)], size=2))  # ANTS's clock runs ahead
    assert plan.next_watermark() == now
    assert plan.report().watermark == now


def test_the_watermark_never_moves_back() -> None:
    previous = T0 + dt.timedelta(minutes=10)
    # an incremental sync sees requests modified in the overlap, before the watermark
    plan = SyncPlan(AGENCY, SyncOptions(), previous, now=LATER)
    drive(plan, Server([req(1, minute=7), req(2, minute=8)], size=2))
    assert plan.clean
    assert plan.next_watermark() == previous


def test_a_clean_sync_that_sees_nothing_keeps_the_previous_watermark() -> None:
    previous = T0 + dt.timedelta(minutes=10)
    plan = SyncPlan(AGENCY, SyncOptions(), previous, now=LATER)
    drive(plan, Server([], size=2))
    assert plan.next_watermark() == previous
    empty = first_sync()
    drive(empty, Server([], size=2))
    assert empty.next_watermark() is None
    assert empty.report().ok


def test_an_incremental_sync_asks_from_the_watermark_minus_the_overlap() -> None:
    previous = T0 + dt.timedelta(hours=1)
    plan = SyncPlan(AGENCY, SyncOptions(), previous, now=LATER, wall=5.0)
    assert plan.previous == previous
    assert plan.since == previous - DEFAULT_OVERLAP
    assert plan.listing.modified == (previous - DEFAULT_OVERLAP, None)
    assert not plan.complete
    params = plan.listing.call(1).params or {}
    assert params["modified_from"] == (previous - DEFAULT_OVERLAP).isoformat()
    server = Server([req(70), req(80), req(90)], size=2)
    drive(plan, server)
    assert server.reads == [1, 2]
    assert plan.removals() is None  # an incremental listing cannot see deletions
    report = plan.report()
    assert report.incremental
    assert report.since == previous - DEFAULT_OVERLAP
    wider = SyncPlan(AGENCY, SyncOptions(overlap=dt.timedelta(hours=2)), previous, now=LATER)
    assert wider.since == previous - dt.timedelta(hours=2)


def test_a_full_sync_ignores_the_watermark_but_writes_one() -> None:
    previous = T0 + dt.timedelta(hours=1)
    options = SyncOptions(full=True, concurrency=2)
    assert not SyncPlan.reads_watermark_for(options)
    plan = SyncPlan(AGENCY, options, previous, now=LATER)
    assert (plan.previous, plan.since, plan.complete) == (None, None, True)
    assert plan.listing.modified is None
    server = Server([req(1), req(2), req(3)], size=2)
    drive(plan, server, pick=lambda pending: len(pending) - 1)
    assert server.reads == [2, 1]
    assert plan.removals() is not None
    assert plan.next_watermark() == T0 + dt.timedelta(minutes=3)


@pytest.mark.parametrize(
    "window",
    [
        {"created": (T0, None)},
        {"modified": (None, LATER)},
        {"created": (dt.date(2026, 1, 1), dt.date(2026, 1, 31)), "modified": (T0, None)},
    ],
)
def test_a_windowed_sync_keeps_no_watermark(window: dict[str, object]) -> None:
    previous = T0 - dt.timedelta(days=3)
    options = SyncOptions(**window)  # type: ignore[arg-type]
    assert options.windowed
    assert not SyncPlan.reads_watermark_for(options)
    plan = SyncPlan(AGENCY, options, previous, now=LATER)
    assert (plan.previous, plan.since, plan.complete) == (None, None, False)
    assert plan.listing.modified == window.get("modified")
    assert plan.listing.created == window.get("created")
    drive(plan, Server([req(1), req(2), req(3)], size=2))
    assert plan.clean
    assert plan.removals() is None
    assert plan.next_watermark() is None
    report = plan.report()
    assert report.ok
    assert (report.watermark, report.incremental) == (None, False)


def test_a_first_sync_asks_as_many_pages_as_it_keeps_in_flight() -> None:
    server = Server([req(n) for n in range(1, 8)], size=3)
    plan = first_sync(concurrency=8)
    assert plan.listing.start() == list(range(1, 9))
    plan.listing.passes_left += 1  # the walk below starts the pass again
    store, _ = drive(plan, server)
    assert sorted(store, key=int) == [str(n) for n in range(1, 8)]
    assert sorted(server.reads) == list(range(1, 9))  # pages 4 to 8 come back empty
    report = plan.report()
    assert report.ok and (report.new, report.total, report.pages) == (7, 7, 3)
    assert Listing(complete=True, first_wave=0).start() == [1]


def test_removals_only_for_a_clean_complete_listing() -> None:
    clean = first_sync()
    drive(clean, Server([req(1), req(2), req(3)], size=2))
    removals = clean.removals()
    assert removals is not None
    assert (tuple(removals[0]), removals[1]) == (("1", "2", "3"), 1000.0)
    dirty = first_sync()
    drive(dirty, Server([req(1), req(2), req(3)], size=2, broken={"3"}))
    assert dirty.removals() is None


def test_a_sync_stopped_by_an_error_counts_what_was_not_stored_as_failed() -> None:
    server = Server([req(n) for n in range(1, 8)], size=3)
    plan = first_sync()
    listing = plan.listing
    pages = listing.start()
    assert pages == [1, 2]
    store: dict[str, OnlineRequest] = {}
    asked: list[int] = []
    for n in pages:  # pages 1 and 2 are stored, then page 3 fails
        more, arrival = listing.arrived(n, server.page(n))
        asked += more
        plan.stored(arrival, merge(store, arrival.fresh))
    assert asked == [3]
    error = AntsUnavailable("ANTS is down", code="unavailable", message_fr="ANTS est indisponible")
    report = plan.report(error)
    assert (report.new, report.failed, report.total) == (6, 1, 7)
    assert not report.ok
    assert report.error == "ANTS is down"
    assert (report.error_code, report.error_fr) == ("unavailable", "ANTS est indisponible")
    assert report.watermark is None
    bare = plan.report(RuntimeError())
    assert (bare.error, bare.error_code, bare.error_fr) == ("RuntimeError", "RuntimeError", None)


def test_an_error_before_anything_arrived_fails_nothing_known() -> None:
    plan = first_sync()
    plan.listing.start()
    report = plan.report(TimeoutError("slow"))
    assert (report.failed, report.total, report.seen) == (0, 0, 0)
    assert report.error == "slow"
    assert not report.ok


def test_progress_is_monotonic_and_ends_at_the_total() -> None:
    calls: list[tuple[int, int]] = []
    server = Server([req(n) for n in range(1, 12)], size=3)
    plan = first_sync(progress=lambda done, total: calls.append((done, total)))
    drive(plan, server, pick=lambda pending: len(pending) - 1)
    assert len(calls) == 4
    assert calls[-1] == (11, 11)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert all(total == 11 and 0 <= done <= total for done, total in calls)


def test_progress_across_a_second_pass_is_monotonic_and_ends_at_the_total() -> None:
    calls: list[tuple[int, int]] = []
    server = Server([req(n) for n in range(1, 5)], size=2)
    plan = later_sync(progress=lambda done, total: calls.append((done, total)))
    drive(plan, server, before=touching(server, {2: ["1"]}))
    assert server.reads == [1, 2, 1, 2]  # a second pass
    assert calls[-1] == (4, 4)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_progress_never_goes_back_when_a_pass_with_unreadable_rows_is_walked_again() -> None:
    calls: list[tuple[int, int]] = []
    # rows a=1, x=2 (unreadable), b=3, c=4; pages of 2
    server = Server([req(n) for n in range(1, 5)], size=2, broken={"2"})
    plan = later_sync(progress=lambda done, total: calls.append((done, total)))
    store, _ = drive(plan, server, before=touching(server, {2: ["1"], 3: ["2", "3"]}))
    assert server.reads == [1, 2, 1, 2]
    assert sorted(store) == ["1", "3", "4"]
    assert calls[-1] == (4, 4)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls), calls


# --- any listing, any shifting ----------------------------------------------------------------


@given(data=st.data())
def test_any_walk_stores_each_request_once_in_its_newest_copy_or_reports_it_failed(
    data: st.DataObject,
) -> None:
    count = data.draw(st.integers(min_value=0, max_value=14), label="requests")
    size = data.draw(st.integers(min_value=1, max_value=4), label="page size")
    minutes = data.draw(
        st.lists(st.integers(0, 20), min_size=count, max_size=count), label="modified"
    )
    requests = [req(n, minute=m) for n, m in zip(range(1, count + 1), minutes, strict=True)]
    broken = (
        {str(n) for n in data.draw(st.sets(st.integers(1, count)), label="broken")}
        if count
        else set()
    )
    complete = data.draw(st.booleans(), label="complete")
    server = Server(requests, size=size, broken=broken)
    initial = dict(server.rows)
    progress: list[tuple[int, int]] = []
    plan = SyncPlan(
        AGENCY,
        SyncOptions(full=complete, progress=lambda d, t: progress.append((d, t))),
        None if complete else T0 - dt.timedelta(days=1),
        now=LATER,
    )
    received: dict[str, OnlineRequest] = {}

    def before(number: int) -> None:
        if requests:
            moved = data.draw(
                st.lists(st.sampled_from(sorted(server.rows)), max_size=2), label="touched"
            )
            for row in moved:
                server.touch(row)

    def pick(pending: list[int]) -> int:
        return data.draw(st.integers(0, len(pending) - 1), label="answers next")

    store, arrivals = drive(plan, server, pick=pick, before=before)
    fresh = [r.number for arrival in arrivals for r in arrival.fresh]
    for r in server.sent:
        if r.number not in received or r.modified > received[r.number].modified:
            received[r.number] = r

    report = plan.report()
    missing = set(server.rows) - set(store)
    # each request stored once, counted once, in the newest copy the walk was sent
    assert len(fresh) == len(set(fresh)) == len(store) == report.seen == report.new
    assert store == received
    assert all(store[n].modified >= initial[n].modified for n in store)
    assert not set(store) & broken
    # never ok with a hole; a hole is counted as failed
    assert report.failed >= len(missing)
    if report.ok:
        assert missing == set()
        assert plan.clean
    if not broken:
        assert report.ok == (missing == set())
    # what a clean walk writes back
    if plan.clean:
        assert missing == set()
        mark = plan.next_watermark()
        newest = max((r.modified for r in store.values()), default=None)
        assert mark == (newest if complete else max(m for m in (newest, plan.previous) if m))
        removals = plan.removals()
        assert (removals is not None) == complete
        if removals is not None:
            assert set(removals[0]) == set(server.rows)
    else:
        assert plan.next_watermark() is None
        assert plan.removals() is None
    # the passes are bounded
    assert plan.listing.passes_left >= 0
    # progress: in requests, never past the total, ending at it when the walk is whole
    assert all(0 <= d <= t for d, t in progress)
    assert [t for _, t in progress] == sorted(t for _, t in progress)
    if not broken:
        assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    if plan.listing.whole and progress:
        assert progress[-1] == (plan.listing.total, plan.listing.total)
