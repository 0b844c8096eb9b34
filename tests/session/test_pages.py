"""The search page of both sessions against the sandbox: walking every request once, page by
page, the exports and the notebook view; a store's list follows the same page protocol."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from sandbox_fixtures import FAST, aw

import antsclient as ants
from antsclient.codec import to_data
from antsclient.export import RequestList
from antsclient.models import Bucket, Cerfa, OnlineRequest, RequestStatus
from antsclient.pages import RequestsPage
from antsclient.protocol import Page
from antsclient.sandbox import Sandbox, SandboxHandle, serve
from antsclient.storage import MemoryStore

pytestmark = pytest.mark.anyio

SEEDED = 2000
SIZE = 500


@pytest.fixture(scope="module")
def in_process() -> Iterator[Sandbox]:
    """A sandbox in process (reached through httpx.ASGITransport), 2,000 requests seeded."""
    sb = Sandbox(seed=11)
    sb.seed_requests(SEEDED)
    yield sb
    sb.close()


@pytest.fixture(scope="module")
def served() -> Iterator[SandboxHandle]:
    """The same sandbox, served on loopback for the blocking session."""
    with serve(seed=11) as sb:
        sb.seed_requests(SEEDED)
        yield sb


@pytest.fixture(scope="module")
def pandas() -> Any:
    """pandas, imported once (it takes seconds)."""
    return pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def openpyxl() -> Any:
    return pytest.importorskip("openpyxl")


@attrs.define
class Shell:
    """One of the two sessions on a sandbox that holds 2,000 requests or more."""

    blocking: bool
    sandbox: Sandbox
    url: str

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[Any]:
        credentials = self.sandbox.credentials
        if self.blocking:
            with ants.AntsSession(credentials, base_url=self.url, retry=FAST) as s:
                yield s
            return
        transport = httpx.ASGITransport(app=self.sandbox.app)
        async with ants.AsyncAntsSession(
            credentials, base_url=self.url, transport=transport, retry=FAST
        ) as s:
            yield s

    def expected(self) -> list[OnlineRequest]:
        """Every request of the agency, in the listing's order (modified, number)."""
        held = self.sandbox.requests(self.sandbox.credentials.agreement)
        return sorted(held, key=lambda r: (r.modified, r.number))


@pytest.fixture(params=[pytest.param("blocking", marks=pytest.mark.network), pytest.param("async")])
def shell(request: pytest.FixtureRequest) -> Shell:
    if request.param == "blocking":
        handle: SandboxHandle = request.getfixturevalue("served")
        return Shell(blocking=True, sandbox=handle, url=handle.url)
    sb: Sandbox = request.getfixturevalue("in_process")
    return Shell(blocking=False, sandbox=sb, url="http://sandbox.test")


async def walk(page: Any) -> list[OnlineRequest]:
    """Every request the page's iteration yields (``for`` or ``async for``)."""
    if isinstance(page, ants.AsyncRequestPage):
        return [r async for r in page]
    return list(page)


async def pages_of(page: Any) -> list[Any]:
    if isinstance(page, ants.AsyncRequestPage):
        return [p async for p in page.iter_pages()]
    return list(page.iter_pages())


def numbers(requests: Any) -> list[str]:
    return [r.number for r in requests]


def rows_of(html: str) -> list[str]:
    """The body rows of the requests table."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>.*?</tr>", body)


# --- walking every request --------------------------------------------------------------------


async def test_iterating_a_page_walks_every_request_exactly_once(shell: Shell) -> None:
    expected = shell.expected()
    assert len(expected) >= SEEDED
    async with shell.session() as s:
        page = await aw(s.requests.search(page_size=SIZE))
        walked = await walk(page)
    assert isinstance(page, ants.RequestPage if shell.blocking else ants.AsyncRequestPage)
    assert len(walked) == len(set(numbers(walked))) == len(expected)
    assert numbers(walked) == numbers(expected)
    assert walked == expected
    assert len(page) == page.total == len(expected)


async def test_a_page_holds_only_its_requests_and_counts_them_all(shell: Shell) -> None:
    expected = shell.expected()
    async with shell.session() as s:
        first = await aw(s.requests.search(page_size=SIZE))
        third = await aw(s.requests.search(page=3, page_size=SIZE))
    pages = math.ceil(len(expected) / SIZE)
    assert (first.page, first.pages, first.page_size, first.failed) == (1, pages, SIZE, 0)
    assert first.items == tuple(expected[:SIZE])
    assert len(first) == len(expected)
    assert (third.page, len(third)) == (3, len(expected))
    assert third.items == tuple(expected[2 * SIZE : 3 * SIZE])
    assert repr(first) == (
        f"{type(first).__name__}(page=1, pages={pages}, total={len(expected)}, items={SIZE})"
    )


async def test_next_page_walks_page_by_page_then_refuses(shell: Shell) -> None:
    expected = shell.expected()
    pages = math.ceil(len(expected) / SIZE)
    async with shell.session() as s:
        page = await aw(s.requests.search(page_size=SIZE))
        seen = [page]
        while page.has_next_page():
            page = await aw(page.next_page())
            seen.append(page)
        assert not page.has_next_page()
        with pytest.raises(IndexError, match="no next page"):
            await aw(page.next_page())
    assert [p.page for p in seen] == list(range(1, pages + 1))
    assert [r for p in seen for r in p.items] == expected
    assert len(seen[-1].items) == len(expected) - (pages - 1) * SIZE


async def test_iter_pages_gives_the_pages_in_order_from_the_one_asked(shell: Shell) -> None:
    expected = shell.expected()
    pages = math.ceil(len(expected) / SIZE)
    async with shell.session() as s:
        every = await pages_of(await aw(s.requests.search(page_size=SIZE)))
        tail = await pages_of(await aw(s.requests.search(page=pages - 1, page_size=SIZE)))
        from_last = await walk(await aw(s.requests.search(page=pages, page_size=SIZE)))
    assert [p.page for p in every] == list(range(1, pages + 1))
    assert [r for p in every for r in p.items] == expected
    assert [p.page for p in tail] == [pages - 1, pages]
    assert from_last == expected[(pages - 1) * SIZE :]


async def test_a_filtered_search_walks_only_what_matches(shell: Shell) -> None:
    drafts = [r for r in shell.expected() if Bucket.DRAFTS in r.buckets]
    assert 100 < len(drafts) < SEEDED
    async with shell.session() as s:
        page = await aw(s.requests.search(bucket=Bucket.DRAFTS, page_size=100))
        walked = await walk(page)
    assert len(page) == len(drafts)
    assert page.pages == math.ceil(len(drafts) / 100)
    assert walked == drafts
    assert all(r.status is RequestStatus.DRAFT for r in walked)


# --- exports and the notebook view ------------------------------------------------------------


async def test_to_dataframe_covers_every_matching_request(shell: Shell, pandas: Any) -> None:
    expected = shell.expected()
    async with shell.session() as s:
        page = await aw(s.requests.search(page_size=SIZE))
        frame = await aw(page.to_dataframe())
    assert isinstance(frame, pandas.DataFrame)
    assert len(frame) == len(expected) == len(page)
    assert list(frame["number"]) == numbers(expected)
    assert frame["number"].is_unique


async def test_to_excel_writes_every_matching_request(
    shell: Shell, openpyxl: Any, tmp_path: Path
) -> None:
    expected = shell.expected()
    async with shell.session() as s:
        page = await aw(s.requests.search(page_size=SIZE))
        written = await aw(page.to_excel(tmp_path / "demandes.xlsx"))
    assert written == tmp_path / "demandes.xlsx"
    book = openpyxl.load_workbook(written, read_only=True)
    try:
        rows = list(book.active.iter_rows(values_only=True))
    finally:
        book.close()
    assert rows[0][:2] == ("Élève", "Numéro")
    assert len(rows) == len(expected) + 1
    assert [row[1] for row in rows[1:]] == numbers(expected)


async def test_the_html_view_shows_this_page_and_the_total(shell: Shell) -> None:
    expected = shell.expected()
    pages = math.ceil(len(expected) / 100)
    async with shell.session() as s:
        first = await aw(s.requests.search(page_size=100))
        last = await aw(s.requests.search(page=pages, page_size=100))
        big = await aw(s.requests.search(page_size=SIZE))
    html = first._repr_html_()
    assert html.startswith(f"<p>{len(expected)} demande(s) — page 1 sur {pages}</p><table>")
    rows = rows_of(html)
    assert len(rows) == 100
    for request, row in zip(expected[:100], rows, strict=True):
        assert f"<td>{request.number}</td>" in row
    assert f"<td>{expected[100].number}</td>" not in html
    last_html = last._repr_html_()
    assert f"page {pages} sur {pages}" in last_html
    assert len(rows_of(last_html)) == len(expected) - (pages - 1) * 100
    # a long page shows its first 200 rows and says how many more it holds
    big_html = big._repr_html_()
    assert len(rows_of(big_html)) == 200
    assert big_html.endswith(f"<p>… {SIZE - 200} demande(s) de plus</p>")


# --- the page protocol ------------------------------------------------------------------------


async def test_pages_and_a_stores_list_follow_the_page_protocol(in_process: Sandbox) -> None:
    shell = Shell(blocking=False, sandbox=in_process, url="http://sandbox.test")
    expected = shell.expected()
    agreement = in_process.credentials.agreement
    store = MemoryStore()
    store.upsert(agreement, expected[:30])
    found = store.search(agreement)
    assert isinstance(found, RequestList)
    assert isinstance(found, RequestsPage)
    assert not isinstance(list(found), RequestsPage)
    assert (found.page, found.pages, found.total, len(found)) == (1, 1, 30, 30)
    assert found.items == tuple(expected[:30])
    assert not found.has_next_page()
    with pytest.raises(IndexError):
        found.next_page()
    assert list(found.iter_pages()) == [found]
    assert found._repr_html_().startswith("<p>30 demande(s)</p>")
    assert len(rows_of(found._repr_html_())) == 30
    async with shell.session() as s:
        page = await s.requests.search(page_size=10)
    assert isinstance(page, RequestsPage)
    assert page.has_next_page()
    alone = ants.RequestPage(Page(items=(), page=1, page_size=10, total=20, pages=2))
    assert isinstance(alone, RequestsPage)
    assert not alone.has_next_page()  # a page with no way to fetch the next one
    with pytest.raises(IndexError):
        alone.next_page()


# --- a request met twice ----------------------------------------------------------------------


T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def _request(number: int, minutes: int) -> OnlineRequest:
    return OnlineRequest(
        number=str(number),
        cerfa=Cerfa.C02,
        status=RequestStatus.UNDER_REVIEW,
        status_label=RequestStatus.UNDER_REVIEW.label,
        type_label=Cerfa.C02.label,
        created=T0,
        modified=T0 + dt.timedelta(minutes=minutes),
        student_id=f"S{number}",
    )


def shifted_ants(searches: list[int]) -> Callable[[httpx.Request], httpx.Response]:
    """ANTS whose page 2 repeats request 2 of page 1: it changed while the pages were read."""
    one, two, three = _request(1, 1), _request(2, 2), _request(3, 3)
    two_again = attrs.evolve(two, modified=T0 + dt.timedelta(minutes=9))
    pages = {1: [one, two], 2: [three, two_again]}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/auth/token":
            return httpx.Response(
                200, json={"access_token": "tok", "token_type": "Bearer", "expires_in": 3600}
            )
        assert request.url.path == "/api/v1/requests"
        number = int(request.url.params["page"])
        searches.append(number)
        items = [to_data(r) for r in pages[number]]
        return httpx.Response(
            200, json={"items": items, "page": number, "page_size": 2, "total": 4, "pages": 2}
        )

    return handle


@pytest.mark.parametrize("blocking", [True, False], ids=["blocking", "async"])
async def test_a_request_met_on_two_pages_is_given_once(blocking: bool) -> None:
    searches: list[int] = []
    transport = httpx.MockTransport(shifted_ants(searches))
    credentials = ants.Credentials(agreement="E1706900030", login="claboret662", password="pw")
    options: dict[str, Any] = {"base_url": "http://ants.test", "transport": transport}
    if blocking:
        with ants.AntsSession(credentials, **options) as s:
            page = s.requests.search(page_size=2)
            walked = list(page)
    else:
        async with ants.AsyncAntsSession(credentials, **options) as s:
            page = await s.requests.search(page_size=2)
            walked = [r async for r in page]
    assert numbers(walked) == ["1", "2", "3"]
    assert walked[1].modified == T0 + dt.timedelta(minutes=2)  # the copy met first
    assert searches == [1, 2]
    assert len(page) == 4
    assert numbers(page.items) == ["1", "2"]
