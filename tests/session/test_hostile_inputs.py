"""A typed error for any local input, through both sessions: a damaged PDF, a pipe as the
stream of an upload, a name no UTF-8 can write synced into SQLite, a store locked past its
timeout."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fake_ants import FakeAnts, online, request_json, slots_json
from sandbox_fixtures import MODES, SandboxEnv, aw, cerfa02, sandbox_env, tiny_pdf
from shells import Shell

import antsclient as ants
from antsclient.codec import to_data

K = ants.DocumentKind


def _listing(*requests: ants.OnlineRequest) -> httpx.Response:
    body = {
        "items": [to_data(r) for r in requests],
        "page": 1,
        "page_size": 500,
        "total": len(requests),
        "pages": 1,
    }
    # Escaped as JSON allows (\ud800): a lone surrogate has no UTF-8 of its own.
    return httpx.Response(
        200, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )


def test_a_lone_surrogate_syncs_into_sqlite(
    shell: Shell, credentials: ants.Credentials, tmp_path: Path
) -> None:
    fake = FakeAnts()
    fake.on("GET", "/requests", _listing(online("3223", applicant_name="DUPONT \ud800Jean")))
    with ants.SqliteStore(tmp_path / "s.sqlite") as store:
        options = {"transport": httpx.MockTransport(fake), "store": store}
        with shell.open(credentials, base_url="http://ants.test", **options) as s:
            report = s.requests.sync_all()
        assert report.ok, report
        assert store.get(credentials.agreement, "3223").applicant_name == "DUPONT \ufffdJean"


def test_a_store_locked_past_its_timeout_stops_the_sync_typed(
    shell: Shell, credentials: ants.Credentials, tmp_path: Path
) -> None:
    path = tmp_path / "s.sqlite"
    fake = FakeAnts()
    fake.on("GET", "/requests", _listing(online("3223")))
    with ants.SqliteStore(path, busy_timeout=0.05) as store:
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        try:
            options = {"transport": httpx.MockTransport(fake), "store": store}
            with shell.open(credentials, base_url="http://ants.test", **options) as s:
                with pytest.raises(ants.StoreError) as caught:
                    s.requests.sync_all()
                report = s.requests.sync_all(options=ants.SyncOptions(raise_errors=False))
        finally:
            other.execute("ROLLBACK")
            other.close()
    assert caught.value.code == "store.locked"
    assert not report.ok
    assert report.error_code == "store.locked"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n1 0 obj<</Type/Pages/Count 3/Kids 5>>endobj\ntrailer<</Root 1 0 R>>",
        b"%PDF-1.4\ntrailer<</Root<</Pages<</Count -5/Kids[<</Type/Page>>]>>>>>>\n%%EOF",
        b"%PDF-" + bytes(range(256)) * 4,
        b"%PDF-1.7\n" + b"[" * 5000 + b"\n%%EOF",
    ],
    ids=["kids-number", "negative-count", "binary", "deep"],
)
def test_a_damaged_pdf_is_refused_before_anything_is_sent(
    shell: Shell, credentials: ants.Credentials, content: bytes
) -> None:
    fake = FakeAnts()
    fake.on("GET", "/requests/3223", request_json(online()))
    fake.on("GET", "/requests/3223/attachments", slots_json(required_sent=False))
    options = {"transport": httpx.MockTransport(fake)}
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        with pytest.raises(ants.AttachmentRejected) as caught:
            s.attachments.upload("3223", K.IDENTITY, content, filename="cni.pdf")
    assert caught.value.code == "attachment.unreadable"
    assert not fake.seen("POST")


@pytest.fixture(params=MODES)
def env(request: pytest.FixtureRequest) -> Iterator[SandboxEnv]:
    with sandbox_env(request.param) as e:
        yield e


@pytest.mark.anyio
async def test_a_pipe_uploads(env: SandboxEnv) -> None:
    read_end, write_end = os.pipe()
    content = tiny_pdf()
    writer = threading.Thread(target=lambda: (os.write(write_end, content), os.close(write_end)))
    writer.start()
    try:
        async with env.session() as s:
            draft = await aw(s.requests.create(cerfa02()))
            with os.fdopen(read_end, "rb") as pipe:
                sent = await aw(s.attachments.upload(draft, K.IDENTITY, pipe, filename="cni.pdf"))
    finally:
        writer.join(5)
    assert (sent.name, sent.pages) == ("cni.pdf", 1)


def test_inspecting_a_pipe_is_refused_typed() -> None:
    from antsclient.attachments import inspect_file

    read_end, write_end = os.pipe()
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe, pytest.raises(ants.AttachmentRejected) as caught:
        inspect_file(pipe)
    assert caught.value.code == "attachment.not_seekable"
    closed = io.BytesIO(b"%PDF-")
    closed.close()
    with pytest.raises(ants.AttachmentRejected):
        inspect_file(closed, name="x.pdf")
