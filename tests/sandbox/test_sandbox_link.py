"""The link: compressed answers, a bandwidth shared by every connection, the bytes counted."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import httpx
import pytest

from antsclient.codec import to_data
from antsclient.sandbox import SandboxHandle, create_app
from antsclient.sandbox import link as link_module
from antsclient.sandbox.link import CHUNK_SIZE, Link, LinkMiddleware
from antsclient.sandbox.search import wire

pytestmark = pytest.mark.network


def _page(client: httpx.Client, encoding: str) -> httpx.Response:
    return client.get("/requests", params={"page_size": 500}, headers={"Accept-Encoding": encoding})


def test_a_page_is_gzipped_for_a_client_that_accepts_it(
    sb: SandboxHandle, client: httpx.Client
) -> None:
    sb.seed_requests(300)
    sb.link.reset_counters()
    zipped = _page(client, "gzip")
    sent = sb.link.bytes_sent
    plain = _page(client, "identity")
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert zipped.json() == plain.json()
    assert sent == zipped.num_bytes_downloaded < len(plain.content) / 5
    assert sb.link.answers == 2


def test_small_answers_and_files_are_sent_as_they_are(
    sb: SandboxHandle, client: httpx.Client
) -> None:
    counts = client.get("/requests/counts", headers={"Accept-Encoding": "gzip"})
    assert counts.is_success and "content-encoding" not in counts.headers
    assert len(counts.content) < link_module.MINIMUM_SIZE
    assert "application/pdf" in link_module._ALREADY_COMPRESSED


def test_bandwidth_over_http_controls(sb: SandboxHandle) -> None:
    with httpx.Client(base_url=sb.url) as control:
        answer = control.post("/_sandbox/bandwidth", json={"mbit_per_s": 20})
        assert answer.status_code == 200 and answer.json()["mbit_per_s"] == 20
        assert sb.link.mbit_per_s == 20
        refused = control.post("/_sandbox/bandwidth", json={"mbit_per_s": -1})
        assert refused.status_code == 400
    sb.set_bandwidth(0)
    assert sb.link.mbit_per_s == 0


def test_reserve_queues_bytes_on_one_shared_line(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(link_module.time, "monotonic", lambda: clock[0])
    line = Link()
    assert line.reserve(1000) == 0.0  # no limit: nothing to wait
    line.set_bandwidth(8)  # 8 Mbit/s: one byte a microsecond
    assert line.reserve(1000) == pytest.approx(0.001)
    assert line.reserve(1000) == pytest.approx(0.002)  # behind the first on the same line
    clock[0] += 0.010  # the line has been idle since
    assert line.reserve(500) == pytest.approx(0.0005)
    assert line.bytes_sent == 3500
    with pytest.raises(ValueError, match="Mbit/s"):
        line.set_bandwidth(-1)
    with pytest.raises(ValueError, match="Mbit/s"):
        line.set_bandwidth(float("nan"))


def test_a_large_body_leaves_in_paced_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(link_module.asyncio, "sleep", no_sleep)
    body = json.dumps({"items": [{"n": i, "pad": "x" * 40} for i in range(3000)]}).encode()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"image/png"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    line = Link()
    line.set_bandwidth(1)
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": []}
    asyncio.run(LinkMiddleware(app, line)(scope, receive, send))
    chunks = [m for m in sent if m["type"] == "http.response.body"]
    assert len(chunks) == -(-len(body) // CHUNK_SIZE)
    assert b"".join(m["body"] for m in chunks) == body  # an image: not compressed
    assert [m["more_body"] for m in chunks] == [True] * (len(chunks) - 1) + [False]
    assert len(waits) == len(chunks) and all(w > 0 for w in waits)
    assert line.bytes_sent == len(body) and line.answers == 1


def test_gzip_is_readable_by_any_client() -> None:
    app = create_app(seed=3)
    app.sandbox.seed_requests(50)
    transport = httpx.ASGITransport(app=app)

    async def fetch() -> tuple[bytes, dict[str, Any]]:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            creds = app.sandbox.credentials
            token = await c.post(
                "/api/v1/auth/token",
                json={
                    "agreement": creds.agreement,
                    "login": creds.login,
                    "password": creds.password.reveal(),
                },
            )
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            async with c.stream(
                "GET", "/api/v1/requests", params={"page_size": 100}, headers=headers
            ) as answer:
                raw = b"".join([chunk async for chunk in answer.aiter_raw()])
                return raw, dict(answer.headers)

    raw, headers = asyncio.run(fetch())
    assert headers["content-encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(raw))["items"]) >= 50


def test_the_page_writer_agrees_with_the_converter(sb: SandboxHandle) -> None:
    sb.seed_requests(40)
    sb.register_direct()
    records = [r for a in sb.state.agencies for r in sb.state._ledger.held(a).values()]
    assert len(records) > 40
    for record in records:
        assert wire(record) == to_data(record.online())


def test_other_scopes_and_streamed_bodies_pass_through() -> None:
    sent: list[dict[str, Any]] = []
    seen_scopes: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen_scopes.append(scope["type"])
        if scope["type"] != "http":
            return
        start = {"type": "http.response.start", "status": 200, "headers": []}
        await send({**start, "headers": [(b"content-type", b"application/pdf")]})
        await send({"type": "http.response.body", "body": b"%PDF" * 10, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    line = Link()
    middleware = LinkMiddleware(app, line)
    asyncio.run(middleware({"type": "lifespan"}, receive, send))
    scope = {"type": "http", "method": "GET", "path": "/f", "headers": []}
    asyncio.run(middleware(scope, receive, send))
    assert seen_scopes == ["lifespan", "http"]
    assert [m.get("more_body") for m in sent if m["type"] == "http.response.body"] == [True, False]
    assert (line.answers, line.bytes_sent) == (1, 40)


def test_the_command_line_sets_the_bandwidth(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from antsclient.sandbox.__main__ import main

    speeds: list[float] = []
    original = Link.set_bandwidth

    def recorded(self: Link, mbit_per_s: float) -> None:
        speeds.append(mbit_per_s)
        original(self, mbit_per_s)

    monkeypatch.setattr(Link, "set_bandwidth", recorded)
    stop = threading.Event()
    stop.set()
    assert main(["--port", "0", "--bandwidth-mbit", "20"], stop=stop) == 0
    assert speeds == [20.0]
