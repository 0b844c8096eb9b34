"""A sync is complete or says it is not: when a page of the listing comes back short or
empty, the report is not ok, says how many are missing, the watermark stays where it was —
and the next sync, once the server answers whole again, repairs the store. Through both
sessions, against a listing server of the tests' own."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from fake_ants import NOW, FakeAnts, online
from shells import Shell

import antsclient as ants
from antsclient.codec import to_data

TOTAL = 1_200
SIZE = 500


class Listing:
    """``GET /requests`` over ``TOTAL`` requests, by pages; ``hole`` damages one page."""

    def __init__(self) -> None:
        self.requests = [
            online(str(10_000 + i), modified=NOW + dt.timedelta(seconds=i)) for i in range(TOTAL)
        ]
        self.hole: tuple[int, str] | None = None
        self.garbled: dict[int, int] = {}
        """Pages answered with a body cut short, and how many more times."""
        self.asked: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        size = int(request.url.params["page_size"])
        since = request.url.params.get("modified_from")
        rows = [
            r
            for r in self.requests
            if since is None or r.modified >= dt.datetime.fromisoformat(since)
        ]
        self.asked.append(page)
        items = rows[(page - 1) * size : page * size]
        if self.hole is not None and self.hole[0] == page:
            damage = self.hole[1]
            if damage == "repeat":  # the first page again, in place of this one
                items = rows[:size]
            else:
                items = [] if damage == "empty" else items[: len(items) // 3]
        answer = httpx.Response(
            200,
            json={
                "items": [to_data(r) for r in items],
                "page": page,
                "page_size": size,
                "total": len(rows),
                "pages": -(-len(rows) // size),
            },
        )
        if self.garbled.get(page, 0) > 0:
            self.garbled[page] -= 1
            content = answer.content[: len(answer.content) // 2]
            return httpx.Response(200, content=content, headers=answer.headers)
        return answer


def _served(
    garbled: dict[int, int] | None = None, retry: ants.RetryPolicy | None = None
) -> tuple[Listing, ants.MemoryStore, dict[str, object]]:
    """A listing behind a fake ANTS (its ``garbled`` pages), a store, and the session
    options that reach them (with ``retry``, if given)."""
    listing = Listing()
    listing.garbled = dict(garbled or {})
    fake = FakeAnts()
    fake.on("GET", "/requests", listing)
    store = ants.MemoryStore()
    options: dict[str, object] = {"transport": httpx.MockTransport(fake), "store": store}
    if retry is not None:
        options["retry"] = retry
    return listing, store, options


@pytest.mark.parametrize("damage", ["short", "empty", "repeat"])
def test_a_hole_is_reported_and_repaired(
    shell: Shell, credentials: ants.Credentials, damage: str
) -> None:
    listing, store, options = _served()
    listing.hole = (2, damage)
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        holed = s.requests.sync_all()
        assert not holed.ok
        assert holed.failed >= TOTAL - 2 * SIZE
        assert holed.watermark is None
        assert store.watermark(credentials.agreement) is None
        assert listing.asked.count(2) > 1  # the missing page was asked again
        listing.hole = None
        repaired = s.requests.sync_all()
    assert repaired.ok, repaired
    assert len(store.search(credentials.agreement)) == TOTAL
    assert store.watermark(credentials.agreement) == listing.requests[-1].modified


@pytest.mark.parametrize("damage", ["short", "empty"])
def test_an_incremental_sync_with_a_hole_keeps_its_watermark(
    shell: Shell, credentials: ants.Credentials, damage: str
) -> None:
    listing, store, options = _served()
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        first = s.requests.sync_all()
        assert first.ok
        mark = store.watermark(credentials.agreement)
        # 1,100 requests change at once, past the watermark; a page of them is lost.
        later = mark + dt.timedelta(hours=1)
        listing.requests = [
            ants.OnlineRequest(**{**_fields(r), "modified": later + dt.timedelta(seconds=i)})
            if i >= 100
            else r
            for i, r in enumerate(listing.requests)
        ]
        listing.hole = (2, damage)
        holed = s.requests.sync_all()
        assert holed.incremental
        assert not holed.ok
        assert store.watermark(credentials.agreement) == mark
        listing.hole = None
        repaired = s.requests.sync_all()
    assert repaired.ok
    assert repaired.incremental
    newest = max(r.modified for r in listing.requests)
    assert store.watermark(credentials.agreement) == newest
    stored = {r.number: r.modified for r in store.search(credentials.agreement)}
    assert stored == {r.number: r.modified for r in listing.requests}


def _fields(request: ants.OnlineRequest) -> dict[str, object]:
    import attrs

    return attrs.asdict(request, recurse=False)


def test_a_page_that_cannot_be_read_is_asked_again(
    shell: Shell, credentials: ants.Credentials
) -> None:
    # Pages are read where they are stored; one that cannot be is asked again and read on
    # arrival, under the session's retries: the sync is whole.
    listing, store, options = _served(garbled={2: 2}, retry=ants.RetryPolicy.immediate(attempts=3))
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        report = s.requests.sync_all()
    assert report.ok, report
    assert (report.seen, report.failed) == (TOTAL, 0)
    assert len(store.search(credentials.agreement)) == TOTAL
    # read where stored, then asked again and retried as a call (one more garbled answer)
    assert [listing.asked.count(page) for page in (1, 2, 3)] == [1, 3, 1]


def test_a_page_that_never_reads_stops_the_sync_after_its_retries(
    shell: Shell, credentials: ants.Credentials
) -> None:
    listing, store, options = _served(garbled={2: 99}, retry=ants.RetryPolicy.immediate(attempts=3))
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        with pytest.raises(ants.AntsUnavailable, match="not JSON"):
            s.requests.sync_all()
    assert listing.asked.count(2) == 1 + 3  # read where stored once, then retried as a call
    assert store.watermark(credentials.agreement) is None


def test_with_no_retry_an_unreadable_page_says_why_at_once(
    shell: Shell, credentials: ants.Credentials
) -> None:
    listing, store, options = _served(garbled={2: 1}, retry=ants.RetryPolicy.none())
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        with pytest.raises(ants.ProtocolError) as caught:
            s.requests.sync_all()
        assert caught.value.code == "malformed_body"
        assert "GET /api/v1/requests" in str(caught.value)
        assert listing.asked.count(2) == 1
        assert s.requests.sync_all().ok  # the page reads now
    assert len(store.search(credentials.agreement)) == TOTAL


def test_what_reading_needs_is_loaded_while_the_first_pages_are_out(
    shell: Shell, credentials: ants.Credentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``prepare_reading`` runs once a sync, after its first pages were asked for and
    before the first is read."""
    from antsclient import protocol

    events: list[str] = []
    read_page = protocol.read_page

    def reading(answer: protocol.PageAnswer) -> protocol.Page:
        events.append("read")
        return read_page(answer)

    listing, _store, options = _served()
    monkeypatch.setattr(protocol, "prepare_reading", lambda: events.append("prepare"))
    monkeypatch.setattr(protocol, "read_page", reading)
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        assert s.requests.sync_all().ok
    assert events[0] == "prepare"
    assert events.count("prepare") == 1
    assert events.count("read") >= -(-TOTAL // SIZE)
    assert listing.asked  # the pages were asked for
