"""Post-commit faults (a write saved, its answer lost) and the keys of every write: from
Python and over the control API, seeded, per operation; in process and over loopback TCP."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sandbox_helpers import alogin, created, error_of

from antsclient.sandbox import SandboxHandle, create_app
from antsclient.sandbox.errors import SandboxError
from antsclient.sandbox.idempotency import WriteKeys

pytestmark = pytest.mark.network


def _link(
    client: httpx.Client, number: str, student: str, key: str, *, timeout: float = 5.0
) -> httpx.Response:
    return client.post(
        f"/requests/{number}/link",
        json={"student_id": student},
        headers={"Idempotency-Key": key},
        timeout=timeout,
    )


def _student(sb: SandboxHandle, number: str) -> str | None:
    (request,) = [r for r in sb.requests() if r.number == number]
    return request.student_id


def test_a_saved_write_loses_its_answer(
    sb: SandboxHandle, make_client: Callable[..., httpx.Client]
) -> None:
    client = make_client(checked=False)
    number = created(client)
    sb.reset_received()
    sb.set_post_commit_faults(1.0, operations=["link_request"], kinds=["error"], seed=1)
    lost = _link(client, number, "S1", "k1")
    assert lost.status_code in {500, 502, 503, 504}
    assert _student(sb, number) == "S1", "saved before the answer was lost"
    replay = _link(client, number, "S1", "k1")  # a replay is never faulted
    assert (replay.status_code, replay.headers["Idempotent-Replayed"]) == (200, "true")
    assert replay.json()["student_id"] == "S1"
    assert client.get(f"/requests/{number}").status_code == 200  # reads are never faulted

    sb.set_post_commit_faults(1.0, operations=["link_request"], kinds=["reset"])
    with pytest.raises(httpx.RemoteProtocolError):
        _link(client, number, "S2", "k2")
    assert _student(sb, number) == "S2"
    sb.set_post_commit_faults(1.0, operations=["link_request"], kinds=["stall"], stall_seconds=0.6)
    with pytest.raises(httpx.ReadTimeout):
        _link(client, number, "S3", "k3", timeout=0.3)
    assert _student(sb, number) == "S3"
    assert _link(client, number, "S3", "k3").headers["Idempotent-Replayed"] == "true"

    refused = client.post(f"/requests/{number}/validate", headers={"Idempotency-Key": "v"})
    assert refused.status_code == 409, "another operation, and not saved: answered"
    sb.set_post_commit_faults()
    assert sb.lost_answers() == {"link_request": 3}
    assert sb.received()["link_request"] == 5


def test_the_draws_are_seeded_per_operation(
    sb: SandboxHandle, make_client: Callable[..., httpx.Client]
) -> None:
    client = make_client(checked=False)
    number = created(client)

    def outcomes() -> list[int]:
        return [
            _link(client, number, f"S{i}", f"key-{i}-{uuid.uuid4().hex}").status_code
            for i in range(16)
        ]

    sb.set_post_commit_faults(0.5, kinds=["error"], seed=11)
    first = outcomes()
    sb.set_post_commit_faults(0.5, kinds=["error"], seed=11)
    assert outcomes() == first
    assert 200 in first and set(first) - {200}, "some answered, some lost"
    sb.set_post_commit_faults()


def test_settings_are_checked(sb: SandboxHandle) -> None:
    with pytest.raises(ValueError, match="not writes"):
        sb.set_post_commit_faults(0.5, operations=["get_request"])
    with pytest.raises(ValueError, match="rate"):
        sb.set_post_commit_faults(1.5)
    with pytest.raises(ValueError, match="kinds"):
        sb.set_post_commit_faults(0.5, kinds=["explode"])


def test_the_control_api(sb: SandboxHandle, make_client: Callable[..., httpx.Client]) -> None:
    client = make_client(checked=False)
    number = created(client)
    with httpx.Client(base_url=sb.url) as control:
        set_ = control.post(
            "/_sandbox/post-commit-faults",
            json={"rate": 1, "operations": ["link_request"], "kinds": ["error"], "seed": 3},
        )
        assert set_.status_code == 200
        assert set_.json()["post_commit_operations"] == ["link_request"]
        assert control.delete("/_sandbox/received").status_code == 200
        assert _link(client, number, "S1", "c1").status_code >= 500
        counts = control.get("/_sandbox/received").json()
        assert counts == {"received": {"link_request": 1}, "lost_answers": {"link_request": 1}}
        bad = control.post("/_sandbox/post-commit-faults", json={"operations": ["nope"]})
        assert (bad.status_code, error_of(bad)["code"]) == (400, "bad_request")
        control.post("/_sandbox/post-commit-faults", json={})
    assert _link(client, number, "S2", "c2").status_code == 200


def test_keys_of_other_writes(sb: SandboxHandle, make_client: Callable[..., httpx.Client]) -> None:
    client = make_client(checked=False)
    number = created(client)
    first = _link(client, number, "S1", "same")
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers
    assert _link(client, number, "S2", "other").status_code == 200
    again = _link(client, number, "S1", "same")  # answered from the key: not linked again
    assert again.json()["student_id"] == "S1"
    assert _student(sb, number) == "S2"
    reused = _link(client, number, "S3", "same")
    assert (reused.status_code, error_of(reused)["code"]) == (409, "idempotency_key_reused")
    # a refused write keeps no answer: the same key may try again
    assert (
        client.delete(f"/requests/{number}/ephoto/06", headers={"Idempotency-Key": "e"}).status_code
        == 404
    )
    assert (
        client.delete(f"/requests/{number}/ephoto/06", headers={"Idempotency-Key": "e"}).status_code
        == 404
    )


def test_in_process_the_stall_ends_in_a_read_timeout() -> None:
    app = create_app(seed=2)
    sandbox = app.sandbox
    creds = sandbox.credentials

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sb/api/v1") as c:
            await alogin(c, creds)
            number = sandbox.register_direct(agreement=creds.agreement).number
            sandbox.set_post_commit_faults(1.0, kinds=["stall"], stall_seconds=0.01)
            with pytest.raises(httpx.ReadTimeout):
                await c.post(f"/requests/{number}/link", json={"student_id": "S1"})
            sandbox.set_post_commit_faults(1.0, kinds=["reset"])
            with pytest.raises(httpx.RemoteProtocolError):
                await c.post(f"/requests/{number}/link", json={"student_id": "S2"})
            sandbox.set_post_commit_faults()
            assert [r.student_id for r in sandbox.requests() if r.number == number] == ["S2"]

    asyncio.run(scenario())
    sandbox.close()


def test_a_resend_waits_for_the_first_try() -> None:
    """A resend under a key whose first try is still being carried out waits for it."""
    release = asyncio.Event()
    runs: list[str] = []

    async def api(scope: Any, receive: Any, send: Any) -> None:
        runs.append(scope["path"])
        await release.wait()
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    class State:
        def authenticate(self, token: str) -> Any:
            return type("Agency", (), {"agreement": "E1"})()

    keys = WriteKeys(api, State(), kept=1)
    headers = [(b"idempotency-key", b"k"), (b"authorization", b"Bearer t")]

    async def call(path: str = "/api/v1/x") -> list[Any]:
        sent: list[Any] = []

        async def receive() -> Any:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Any) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": path, "headers": headers}
        await keys(scope, receive, send)
        return sent

    async def scenario() -> None:
        first = asyncio.create_task(call())
        await asyncio.sleep(0.01)
        second = asyncio.create_task(call())
        await asyncio.sleep(0.02)
        assert not second.done(), "waits while the first try runs"
        release.set()
        answered, replayed = await first, await second
        assert answered[0]["status"] == 201
        assert replayed[0]["status"] == 200
        assert (b"idempotent-replayed", b"true") in replayed[0]["headers"]
        other = await call("/api/v1/y")  # the same key for another write: refused
        assert other[0]["status"] == 409
        del keys._answers["E1|k"]
        await call("/api/v1/z")  # kept=1: the oldest answers go first
        assert list(keys._answers) == ["E1|k"]

    asyncio.run(scenario())
    assert runs == ["/api/v1/x", "/api/v1/z"]


class _Agencies:
    def authenticate(self, token: str) -> Any:
        if token != "t":
            raise SandboxError("no", code="token_invalid", status=401)
        return type("Agency", (), {"agreement": "E1"})()


def _drive_keys(
    keys: WriteKeys, headers: list[tuple[bytes, bytes]], chunks: list[bytes], method: str = "POST"
) -> list[Any]:
    """One call through ``keys``: its body in ``chunks``; the messages answered."""
    sent: list[Any] = []
    pending = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]

    async def receive() -> Any:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": "/api/v1/w", "headers": headers}
    asyncio.run(keys(scope, receive, send))
    return sent


def test_what_is_not_keyed_goes_through() -> None:
    bodies: list[bytes] = []

    async def api(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        bodies.append(body)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    keys = WriteKeys(api, _Agencies())
    key, bearer = (b"idempotency-key", b"k"), (b"authorization", b"Bearer t")
    big = [b"x" * 700_000, b"y" * 700_000, b"z"]
    for headers, chunks, method in [
        ([key, bearer], big, "POST"),  # too large to fingerprint
        ([bearer], [b"{}"], "POST"),  # no key
        ([key, (b"authorization", b"Basic t")], [b"{}"], "POST"),  # no bearer token
        ([key, (b"authorization", b"Bearer bad")], [b"{}"], "POST"),  # the API answers 401
        ([key, bearer], [b"{}"], "GET"),  # a read
        ([key, bearer, (b"content-type", b"multipart/form-data; b=1")], [b"--1"], "POST"),
    ]:
        _drive_keys(keys, headers, chunks, method)
    assert bodies[0] == b"".join(big)
    assert len(bodies) == 6 and not keys._answers
    _drive_keys(keys, [key, bearer], [b"a", b"b"])  # a body in pieces is keyed whole
    assert bodies[-1] == b"ab" and list(keys._answers) == ["E1|k"]


def test_a_first_try_that_never_ends_leaves_the_key_in_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from antsclient.sandbox import idempotency

    async def api(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("never carried out")

    monkeypatch.setattr(idempotency, "_WAIT_SECONDS", 0.02)
    keys = WriteKeys(api, _Agencies())
    keys._answers["E1|k"] = idempotency._Answer(
        fingerprint=idempotency.fingerprint(b"POST\0/api/v1/w\0{}")
    )
    (start, body) = _drive_keys(
        keys, [(b"idempotency-key", b"k"), (b"authorization", b"Bearer t")], [b"{}"]
    )
    assert start["status"] == 409
    assert json.loads(body["body"])["error"]["code"] == "idempotency_key_in_use"


def test_a_write_that_fails_keeps_no_answer() -> None:
    async def api(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("crash")

    keys = WriteKeys(api, _Agencies())
    with pytest.raises(RuntimeError):
        _drive_keys(keys, [(b"idempotency-key", b"k"), (b"authorization", b"Bearer t")], [b"{}"])
    assert not keys._answers
