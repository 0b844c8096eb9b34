"""Latency and injected faults, over real loopback TCP and in process."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
from sandbox_helpers import alogin, application_data, create, error_of, relogin

from antsclient.sandbox import FaultConfig, SandboxHandle, create_app
from antsclient.sandbox import faults as faults_module

pytestmark = pytest.mark.network


def test_error_faults_answer_a_retryable_error(sb: SandboxHandle, client: httpx.Client) -> None:
    before = len(sb.requests())
    sb.set_faults(error_rate=1.0, seed=1)
    statuses = set()
    for _ in range(12):
        response = create(client)
        statuses.add(response.status_code)
        assert error_of(response)["code"] in {"rate_limited", "internal_error", "unavailable"}
        assert response.headers["Retry-After"] == "0"
    assert statuses <= {429, 500, 502, 503} and len(statuses) > 1
    assert len(sb.requests()) == before  # a faulted call changes nothing
    sb.set_faults()
    assert create(client).status_code == 201


def test_hang_past_the_client_timeout(
    sb: SandboxHandle, make_client: Callable[..., httpx.Client]
) -> None:
    client = make_client()
    patient = make_client(timeout=3)
    sb.set_faults(hang_rate=1.0, hang_seconds=0.5)
    with pytest.raises(httpx.ReadTimeout):  # the client gives up before the hang's 503
        client.get("/requests/counts", timeout=0.2)
    sb.set_faults(hang_rate=1.0, hang_seconds=0.3)
    assert patient.get("/requests/counts").status_code == 503
    sb.set_faults()


def test_dropped_connection(sb: SandboxHandle, client: httpx.Client) -> None:
    sb.set_faults(drop_rate=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/requests/counts")
    sb.set_faults()
    assert client.get("/requests/counts").status_code == 200


def test_malformed_body(sb: SandboxHandle, make_client: Callable[..., httpx.Client]) -> None:
    client = make_client(checked=False)
    sb.set_faults(malformed_rate=1.0)
    response = client.get("/requests/counts")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()
    sb.set_faults()


def test_latency_and_jitter(sb: SandboxHandle, client: httpx.Client) -> None:
    sb.set_latency(120, jitter_ms=40)
    delays = [sb.faults.latency() for _ in range(50)]
    assert all(0.12 <= delay <= 0.16 for delay in delays)
    assert len(set(delays)) > 1  # jittered
    assert client.get("/requests/counts").status_code == 200
    sb.set_latency(0)
    assert sb.faults.latency() == 0
    assert client.get("/requests/counts").status_code == 200


def _drive(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine that never suspends (its sleeps are recorded, not awaited)."""
    with pytest.raises(StopIteration):
        coroutine.send(None)


def test_the_middleware_waits_the_latency_before_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str | float] = []

    async def sleep(seconds: float) -> None:
        events.append(seconds)

    async def api(scope: Any, receive: Any, send: Any) -> None:
        events.append(scope["path"])

    monkeypatch.setattr(faults_module.asyncio, "sleep", sleep)
    faults = faults_module.Faults(FaultConfig(latency_ms=120, jitter_ms=40, seed=3))
    middleware = faults_module.FaultMiddleware(api, faults)
    _drive(middleware({"type": "http", "path": "/api/v1/requests/counts"}, None, None))
    delay, path = events
    assert isinstance(delay, float) and 0.12 <= delay <= 0.16
    assert path == "/api/v1/requests/counts"  # answered after the wait
    events.clear()
    _drive(middleware({"type": "http", "path": "/_sandbox/requests"}, None, None))
    assert events == ["/_sandbox/requests"]  # the controls never wait
    events.clear()
    faults.configure(latency_ms=0, jitter_ms=0)
    _drive(middleware({"type": "http", "path": "/api/v1/requests/counts"}, None, None))
    assert events == ["/api/v1/requests/counts"]


def test_faults_are_seeded(sb: SandboxHandle, make_client: Callable[..., httpx.Client]) -> None:
    client = make_client(checked=False)

    def outcomes() -> list[str]:
        result = []
        for _ in range(20):
            try:
                result.append(str(client.get("/requests/counts").status_code))
            except httpx.RemoteProtocolError:
                result.append("drop")
        return result

    sb.set_faults(error_rate=0.3, drop_rate=0.2, malformed_rate=0.1, seed=42)
    first = outcomes()
    sb.set_faults(error_rate=0.3, drop_rate=0.2, malformed_rate=0.1, seed=42)
    assert outcomes() == first
    assert {"200", "drop"} <= set(first) and len(set(first)) >= 3
    sb.set_faults()


def test_faults_never_touch_the_controls(sb: SandboxHandle) -> None:
    sb.set_faults(drop_rate=1.0)
    with httpx.Client(base_url=sb.url) as raw:
        assert raw.get("/_sandbox/requests").status_code == 200
        assert raw.get("/openapi.yaml").text.startswith("openapi: 3.1.0")
    sb.set_faults()


def test_commits_then_stalls(sb: SandboxHandle, make_client: Callable[..., httpx.Client]) -> None:
    client = make_client()
    data = application_data()
    sb.set_faults(stall_creates=True, stall_seconds=0.8)
    client.timeout = httpx.Timeout(0.25)  # only the stalled create is cut short
    with pytest.raises(httpx.ReadTimeout):
        create(client, data, key="stalled-create")
    client.timeout = httpx.Timeout(5.0)

    def held_now() -> list[Any]:
        return [r for r in sb.requests() if r.email == data["applicant"]["email"]]

    # Saved although its answer was lost; on a slow machine the client may give up before
    # the server has saved it: the save still comes, without the client.
    deadline = time.monotonic() + 10
    while not (held := held_now()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(held) == 1
    retry = create(client, data, key="stalled-create")  # a replay answers at once
    assert retry.status_code == 200
    assert retry.json()["number"] == held[0].number
    assert len([r for r in sb.requests() if r.email == data["applicant"]["email"]]) == 1
    sb.set_faults()


def test_fault_rates_are_checked(sb: SandboxHandle) -> None:
    with pytest.raises(ValueError, match="fault rates"):
        sb.set_faults(error_rate=0.8, drop_rate=0.5)
    with pytest.raises(ValueError, match="fault rates"):
        sb.set_faults(error_rate=-0.1)


def test_in_process_faults() -> None:
    app = create_app(seed=2, faults=FaultConfig(latency_ms=30, seed=2))
    sandbox = app.sandbox
    creds = sandbox.credentials

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/api/v1") as c:
            await alogin(c, creds)
            assert (await c.get("/requests/counts")).status_code == 200  # after 30 ms
            sandbox.set_latency(0)
            sandbox.set_faults(drop_rate=1.0)
            with pytest.raises(httpx.RemoteProtocolError):
                await c.get("/requests/counts")
            sandbox.set_faults(error_rate=1.0)
            assert (await c.get("/requests/counts")).status_code in {429, 500, 502, 503}
            sandbox.set_faults(hang_rate=1.0, hang_seconds=0.01)
            assert (await c.get("/requests/counts")).status_code == 503
            sandbox.set_faults(stall_creates=True, stall_seconds=0.01)
            body = {"cerfa": "02", "application": application_data()}
            created = await c.post("/requests", json=body, headers={"Idempotency-Key": "in-proc"})
            assert created.status_code == 201
            sandbox.set_faults()
            sandbox.advance_days(1)
            assert error_of(await c.get("/requests/counts"))["code"] == "token_expired"

    asyncio.run(scenario())
    sandbox.close()


def test_relogin_helper(client: httpx.Client) -> None:
    relogin(client)
    assert client.get("/requests/counts").status_code == 200
