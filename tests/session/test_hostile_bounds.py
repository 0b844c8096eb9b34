"""Bounded by the client, not by the server: a hostile server on loopback answers with a body
that trickles or never ends, a gzip bomb, answers and downloads larger than their caps, and
a page count no listing could hold. Each test runs through both sessions."""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fake_ants import FakeAnts, online, request_json
from hostile_server import Exchange, HostileServer, gzip_bomb
from shells import Shell

import antsclient as ants
from antsclient import _transport as transport
from antsclient.codec import to_data

pytestmark = pytest.mark.network

COUNTS = {"all": {"drafts": 1}}
QUICK = ants.RetryPolicy(attempts=2, deadline=1.5, initial_backoff=0.0, jitter=0.0)
"""A short whole-call deadline: what a trickling body must not outlive."""


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer().running() as server:
        yield server


def _never_ending(exchange: Exchange) -> None:
    if exchange.head(200, Content_Type="application/json", Transfer_Encoding="chunked"):
        # One byte (a chunk of one) every 0.1 s, for at most a minute.
        for _ in range(600):
            if not exchange.send(b"1\r\n \r\n") or exchange.stop.wait(0.1):
                return


def _trickling(exchange: Exchange) -> None:
    body = json.dumps(COUNTS).encode()
    if exchange.head(200, Content_Type="application/json", Content_Length=str(len(body))):
        exchange.trickle(body, every=0.3, steps=len(body))


@pytest.mark.parametrize("answer", [_never_ending, _trickling], ids=["never-ending", "trickle"])
def test_a_trickling_body_does_not_outlive_the_deadline(
    shell: Shell, credentials: ants.Credentials, hostile: HostileServer, answer: object
) -> None:
    hostile.routes["GET", "/requests/counts"] = answer  # type: ignore[assignment]
    with shell.open(credentials, base_url=hostile.url, retry=QUICK) as s:
        with pytest.raises(ants.AntsUnavailable) as caught:
            s.requests.counts()
    assert "deadline" in str(caught.value)
    assert caught.value.may_have_taken_effect is False


def test_a_trickling_download_leaves_no_file(
    shell: Shell, credentials: ants.Credentials, hostile: HostileServer, tmp_path: Path
) -> None:
    def pdf(exchange: Exchange) -> None:
        if exchange.head(200, Content_Type="application/pdf", Content_Length="100000"):
            exchange.trickle(b"%PDF-1.4 ", every=0.3, steps=200)

    hostile.routes["GET", "/requests/3223/attachments/identity/f1"] = pdf
    with shell.open(credentials, base_url=hostile.url, retry=QUICK) as s:
        with pytest.raises(ants.AntsUnavailable):
            s.attachments.download("3223", ants.DocumentKind.IDENTITY, "f1", to=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(params=["zlib-ng", "zlib"])
def inflater(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Answers inflated by zlib-ng (the speedups extra) and by the standard library's zlib:
    the same answers, the same refusals."""
    if request.param == "zlib-ng":
        pytest.importorskip("zlib_ng", reason="zlib-ng (the speedups extra) is not installed")
        assert transport._zlib()[0] is not zlib
    else:
        monkeypatch.setattr(transport, "_zlib", lambda: (zlib, (zlib.error,)))
    return str(request.param)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb(1 << 30)  # 1 GB of zeros in about 1 MB


@pytest.mark.usefixtures("inflater")
def test_a_gzip_bomb_is_stopped_with_flat_memory(
    shell: Shell, credentials: ants.Credentials, hostile: HostileServer, bomb: bytes
) -> None:
    hostile.routes["GET", "/requests/counts"] = _encoded(bomb, "gzip")  # type: ignore[assignment]
    with shell.open(credentials, base_url=hostile.url, retry=QUICK) as s:
        tracemalloc.start()
        try:
            with pytest.raises(ants.ProtocolError) as caught:
                s.requests.counts()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert caught.value.code == "answer_too_large"
    assert peak < 64_000_000  # the 16 MB cap and a step of decoding, never the gigabyte


@pytest.mark.usefixtures("inflater")
def test_a_compressed_answer_within_the_cap_is_read(
    shell: Shell, credentials: ants.Credentials, hostile: HostileServer
) -> None:
    body = gzip.compress(json.dumps(COUNTS).encode())
    hostile.routes["GET", "/requests/counts"] = _encoded(body, "gzip")  # type: ignore[assignment]
    with shell.open(credentials, base_url=hostile.url, retry=QUICK) as s:
        counts = s.requests.counts()
    assert counts[None][ants.Bucket.DRAFTS] == 1


def _encoded(body: bytes, encoding: str) -> object:
    def answer(exchange: Exchange) -> None:
        headers = {"Content_Encoding": encoding, "Content_Length": str(len(body))}
        if exchange.head(200, Content_Type="application/json", **headers):
            exchange.send(body)

    return answer


@pytest.mark.usefixtures("inflater")
@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("deflate", b"not deflate at all"),
        ("gzip", b"\x1f\x8b not gzip"),
        ("br", b"whatever"),
        ("gzip, gzip", b"whatever"),
    ],
)
def test_an_answer_that_cannot_be_decoded_is_a_protocol_error(
    shell: Shell,
    credentials: ants.Credentials,
    hostile: HostileServer,
    encoding: str,
    body: bytes,
) -> None:
    hostile.routes["GET", "/requests/counts"] = _encoded(body, encoding)  # type: ignore[assignment]
    with shell.open(credentials, base_url=hostile.url, retry=ants.RetryPolicy.none()) as s:
        with pytest.raises(ants.ProtocolError) as caught:
            s.requests.counts()
    assert caught.value.code == "malformed_body"


@pytest.mark.usefixtures("inflater")
@pytest.mark.parametrize("wbits", [-15, 15], ids=["raw", "zlib"])
def test_deflate_is_read_with_or_without_its_wrapper(
    shell: Shell, credentials: ants.Credentials, hostile: HostileServer, wbits: int
) -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    raw = packer.compress(json.dumps(COUNTS).encode()) + packer.flush()
    hostile.routes["GET", "/requests/counts"] = _encoded(raw, "deflate")  # type: ignore[assignment]
    with shell.open(credentials, base_url=hostile.url, retry=QUICK) as s:
        assert s.requests.counts()[None][ants.Bucket.DRAFTS] == 1


def test_an_answer_past_its_cap_is_refused_and_a_cap_can_be_raised(
    shell: Shell, credentials: ants.Credentials, hostile: HostileServer
) -> None:
    padded = {**COUNTS, "padding": "x" * 200_000}

    def answer(exchange: Exchange) -> None:
        # Announced small, sent large: the cap counts what arrives, not what is announced.
        exchange.head(200, Content_Type="application/json")
        exchange.send(json.dumps(padded).encode())

    hostile.routes["GET", "/requests/counts"] = answer
    small = ants.Limits(answer_bytes=50_000)
    with shell.open(credentials, base_url=hostile.url, retry=QUICK, limits=small) as s:
        with pytest.raises(ants.ProtocolError) as caught:
            s.requests.counts()
    assert caught.value.code == "answer_too_large"
    assert "50,000 bytes" in str(caught.value)
    raised = ants.Limits(answer_bytes=50_000, per_operation={"count_requests": 1_000_000})
    with shell.open(credentials, base_url=hostile.url, retry=QUICK, limits=raised) as s:
        assert s.requests.counts()[None][ants.Bucket.DRAFTS] == 1


def test_a_download_past_the_document_limit_leaves_nothing(
    shell: Shell, credentials: ants.Credentials, hostile: HostileServer, tmp_path: Path
) -> None:
    def huge(exchange: Exchange) -> None:
        if exchange.head(200, Content_Type="application/pdf"):
            block = b"%PDF" + bytes(1 << 20)
            for _ in range(40):  # 40 MB, far past the 11 MB a document may weigh
                if not exchange.send(block):
                    return

    hostile.routes["GET", "/requests/3223/attachments/identity/f1"] = huge
    with shell.open(credentials, base_url=hostile.url, retry=QUICK) as s:
        with pytest.raises(ants.ProtocolError) as caught:
            s.attachments.download("3223", ants.DocumentKind.IDENTITY, "f1", to=tmp_path)
    assert caught.value.code == "answer_too_large"
    assert "11,000,000" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def _page(total: int, pages: int, page_size: int = 500, items: int = 1) -> httpx.Response:
    rows = json.dumps([to_data(online(str(4000 + i))) for i in range(items)])
    body = (  # by hand: 1e400 is no float httpx would write
        f'{{"items": {rows}, "page": 1, "page_size": {page_size}, "total": {total!s}, '
        f'"pages": {pages}}}'
    ).replace("inf", "1e400")
    return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(
    ("total", "pages"),
    [(1, 10**9), (10**12, 10**9), (1e400, 1), (-1, 0), (501, 1)],
    ids=["pages-1e9", "consistent-but-huge", "total-1e400", "negative", "pages-short"],
)
def test_a_page_count_no_listing_could_hold_stops_the_sync(
    shell: Shell, credentials: ants.Credentials, total: float, pages: int
) -> None:
    fake = FakeAnts()
    fake.on("GET", "/requests", _page(total, pages))  # type: ignore[arg-type]
    store = ants.MemoryStore()
    options = {"transport": httpx.MockTransport(fake), "retry": ants.RetryPolicy.none()}
    with shell.open(credentials, base_url="http://ants.test", store=store, **options) as s:
        # A parser's refusal is retried as a damaged answer, then said unavailable.
        with pytest.raises((ants.ProtocolError, ants.AntsUnavailable)) as caught:
            s.requests.sync_all()
        report = s.requests.sync_all(options=ants.SyncOptions(raise_errors=False))
    assert any(
        word in str(caught.value) for word in ("does not add up", "at most", "not a page")
    ), caught.value
    assert not report.ok
    assert store.watermark(credentials.agreement) is None
    # the first wave of pages asked each time (as many as are kept in flight), no more
    assert len(fake.seen("GET", "/requests")) <= 2 * max(ants.SyncOptions().concurrency, 2)


def test_a_page_holding_more_than_its_size_is_refused(
    shell: Shell, credentials: ants.Credentials
) -> None:
    fake = FakeAnts()
    fake.on("GET", "/requests", _page(total=2, pages=1, page_size=2, items=3))
    options = {"transport": httpx.MockTransport(fake), "retry": ants.RetryPolicy.none()}
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        with pytest.raises(ants.AntsUnavailable) as caught:
            s.requests.search(page_size=2)
    assert "3 requests on a page of 2" in str(caught.value)


def test_the_page_cap_is_configurable(shell: Shell, credentials: ants.Credentials) -> None:
    fake = FakeAnts()
    fake.on("GET", "/requests", _page(total=5_000, pages=10))
    store = ants.MemoryStore()
    options = {
        "transport": httpx.MockTransport(fake),
        "retry": ants.RetryPolicy.none(),
        "limits": ants.Limits(pages=5),
    }
    with shell.open(credentials, base_url="http://ants.test", store=store, **options) as s:
        with pytest.raises(ants.ProtocolError) as caught:
            s.requests.sync_all()
    assert caught.value.code == "too_many_pages"
    assert "Limits.pages" in str(caught.value)


def test_limits_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="answer_bytes"):
        ants.Limits(answer_bytes=0)
    assert ants.Limits(per_operation={"get_request": 10}).cap("get_request") == 10
    assert ants.Limits().cap("download_document") == 11_000_000


def test_a_plain_answer_is_still_read(shell: Shell, credentials: ants.Credentials) -> None:
    fake = FakeAnts()
    fake.on("GET", "/requests/3223", request_json(online()))
    with shell.open(
        credentials, base_url="http://ants.test", transport=httpx.MockTransport(fake)
    ) as s:
        assert s.requests.get("3223").number == "3223"


def test_an_answer_announced_too_large_is_refused_before_reading(
    shell: Shell, credentials: ants.Credentials, hostile: HostileServer, tmp_path: Path
) -> None:
    def announced(exchange: Exchange) -> None:
        if exchange.head(200, Content_Type="application/pdf", Content_Length="900000000"):
            exchange.send(b"%PDF-1.4\n")

    kind = ants.PrefectureDocumentKind.REQUEST_RECEIPT
    hostile.routes["GET", f"/requests/3223/documents/{kind.value}"] = announced
    hostile.routes["GET", "/requests/3223"] = lambda ex: ex.json(
        to_data(online(status=ants.RequestStatus.UNDER_REVIEW, student_id="S1"))
    )
    with shell.open(credentials, base_url=hostile.url, retry=QUICK) as s:
        with pytest.raises(ants.ProtocolError) as caught:
            s.documents.download("3223", kind, to=tmp_path)
    assert caught.value.code == "answer_too_large"
    assert list(tmp_path.iterdir()) == []


def test_trickling_headers_do_not_outlive_the_deadline(
    shell: Shell, credentials: ants.Credentials, hostile: HostileServer
) -> None:
    finished: list[bool] = []

    def headers(exchange: Exchange) -> None:
        if exchange.send(b"HTTP/1.1 200 OK\r\n"):
            line = b"X-Slow: " + b"a" * 50 + b"\r\n"
            finished.append(exchange.trickle(line, every=0.05, steps=1200))

    hostile.routes["GET", "/requests/counts"] = headers
    with shell.open(credentials, base_url=hostile.url, retry=QUICK) as s:
        with pytest.raises(ants.AntsUnavailable, match="deadline"):
            s.requests.counts()
    for _ in range(200):  # the server notices the client gone at its next byte
        if finished or hostile.stop.wait(0.05):
            break
    assert finished == [False]  # the client hung up: the server never finished its headers
