"""Sync, offline search and counts, linking and export against the sandbox over loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import antsclient as ants
from antsclient import agency
from antsclient.models import Bucket, Cerfa, RequestStatus
from antsclient.sandbox import SandboxHandle, serve
from antsclient.storage import MemoryStore, SqliteStore

ROOT = Path(__file__).resolve().parents[2]
S = RequestStatus

pytestmark = pytest.mark.network


@pytest.fixture
def sb() -> Iterator[SandboxHandle]:
    with serve(seed=3) as handle:
        yield handle


def _session(sb: SandboxHandle, store: Any, **extra: Any) -> ants.AntsSession:
    return ants.AntsSession(
        sb.credentials,
        base_url=sb.url,
        store=store,
        retry=ants.RetryPolicy.immediate(attempts=3),
        **extra,
    )


def _every_bucket(sb: SandboxHandle, make_cerfa06: Callable[..., Any]) -> str:
    """Requests in every bucket of the main agency; the number transferred away from the
    second agency."""
    main = sb.credentials.agreement
    second = next(a for a in sb.state.agencies if a != main)
    sb.state.seed_requests(
        14,
        agreement=main,
        statuses=[
            S.DRAFT,
            S.AWAITING_APPLICANT_VALIDATION,
            S.UNDER_REVIEW,
            S.IN_PROGRESS,
            S.TO_COMPLETE,
            S.REJECTED,
            S.READY_FOR_CERFA06,
        ],
    )
    for i, status in enumerate([S.ACCEPTED, S.ACCEPTED, S.IN_PROGRESS, S.DRAFT, S.TO_COMPLETE]):
        application = make_cerfa06(
            applicant={"email": f"titre.{i}@example.fr"}, ephoto_code=None, student_id=None
        )
        sb.register_direct(application, status=status)
    [moving] = sb.state.seed_requests(1, agreement=second, statuses=[S.UNDER_REVIEW])
    return moving


def _second(sb: SandboxHandle) -> str:
    main = sb.credentials.agreement
    return next(a for a in sb.state.agencies if a != main)


def test_every_bucket_is_found_and_counted_like_the_server(
    sb: SandboxHandle, tmp_path: Path, make_cerfa06: Callable[..., Any]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    moving = _every_bucket(sb, make_cerfa06)
    main = sb.credentials.agreement
    with SqliteStore(tmp_path / "s.db") as store, _session(sb, store) as s:
        s.requests.transfer(moving, former_agreement=_second(sb))
        report = s.requests.sync_all()
        assert report.ok
        assert report.seen == len(sb.requests(main))
        server = s.requests.counts()
        local = store.counts(main)
        assert local == server
        for bucket in Bucket:
            assert server[None][bucket] > 0, f"bucket {bucket} is empty in the seeded data"
            found = store.search(main, bucket=bucket)
            assert len(found) == server[None][bucket]
            page = s.requests.search(bucket=bucket, page_size=500)
            assert [r.number for r in found] == [r.number for r in page.items]
            for cerfa in Cerfa:
                assert len(store.search(main, bucket=bucket, cerfa=cerfa)) == server[cerfa][bucket]
        assert [r.number for r in store.search(main, number=moving)] == [moving]
        everything = store.search(main)
        assert [r.number for r in everything] == [
            r.number for r in s.requests.search(page_size=500).items
        ]
        # the Excel file holds what the list holds
        book = openpyxl.load_workbook(everything.to_excel(tmp_path / "demandes.xlsx"))
        ws = book.active
        rows = list(ws.iter_rows(min_row=2))
        assert [row[1].value for row in rows] == [r.number for r in everything]
        assert [row[6].value == "Non" for row in rows] == [not r.linked for r in everything]
        red = [
            row[0].font.color is not None and row[0].font.color.rgb == "FFFF0000" for row in rows
        ]
        assert red == [not r.linked for r in everything]
        assert all(row[2].is_date and row[3].is_date for row in rows)
        assert report.unlinked == sum(1 for r in everything if not r.linked)


def test_a_transferred_request_is_in_the_transferred_bucket_of_its_former_agency(
    sb: SandboxHandle, make_cerfa06: Callable[..., Any]
) -> None:
    moving = _every_bucket(sb, make_cerfa06)
    main = sb.credentials.agreement
    second = sb.credentials_of(next(a for a in sb.state.agencies if a != main))
    store = MemoryStore()
    with _session(sb, store) as s:
        s.requests.transfer(moving, former_agreement=second.agreement)
    reports = agency.sync_agencies(
        [sb.credentials, second],
        store,
        base_url=sb.url,
        retry=ants.RetryPolicy.immediate(attempts=2),
    )
    assert all(r.ok for r in reports)
    [former] = store.search(second.agreement, bucket=Bucket.TRANSFERRED)
    assert (former.number, former.status) == (moving, RequestStatus.TRANSFERRED)
    [taken] = store.search(main, bucket=Bucket.TRANSFERRED)
    assert (taken.number, taken.transferred) == (moving, True)


def test_link_an_unlinked_request_and_update_the_student(sb: SandboxHandle, tmp_path: Path) -> None:
    main = sb.credentials.agreement
    with SqliteStore(tmp_path / "s.db") as store, _session(sb, store, students=store.students) as s:
        first = s.requests.sync_all()
        [direct] = store.search(main, linked=False)
        assert first.unlinked == 1
        linked = s.requests.link(direct.number, "S-42", update_student=True)
        assert linked.student_id == "S-42"
        assert store.get(main, direct.number) == linked
        student = store.students.get("S-42")
        assert student is not None
        application = s.requests.application(direct.number)
        assert student.application == application
        assert student.last_name == application.applicant.last_name
        assert [x.student_id for x in store.students.search(student.last_name[:3])] == ["S-42"]
        again = s.requests.sync_all()
        assert (again.incremental, again.unlinked) == (True, 0)
        assert store.search(main, linked=False) == []


def test_an_incremental_sync_after_changes_on_ants(sb: SandboxHandle) -> None:
    main = sb.credentials.agreement
    sb.seed_requests(40)
    store = MemoryStore()
    with _session(sb, store) as s:
        s.requests.sync_all()
        reviewing = [r.number for r in sb.requests(main) if r.status is S.UNDER_REVIEW][:3]
        for number in reviewing:
            sb.prefecture_takes_up(number)
        sb.register_direct()
        sb.register_direct()
        report = s.requests.sync_all()
    assert report.incremental
    assert (report.new, report.updated) == (2, 3)
    assert report.pages == 1
    assert {r.number: r for r in store.search(main)} == {r.number: r for r in sb.requests(main)}


def test_an_async_session_in_process(sb: SandboxHandle) -> None:
    main = sb.credentials.agreement
    store = MemoryStore()

    async def run() -> agency.SyncReport:
        async with ants.AsyncAntsSession(
            sb.credentials,
            base_url="http://sandbox",
            transport=httpx.ASGITransport(app=sb.app),
            store=store,
        ) as s:
            return await s.requests.sync_all(created=(None, sb.now()))

    report = asyncio.run(run())
    assert report.seen == len(sb.requests(main))
    assert report.watermark is None  # a windowed sync leaves the watermark alone


_CHILD = textwrap.dedent(
    """
    import os, pathlib, sys, time
    import antsclient as ants
    from antsclient.storage import SqliteStore
    creds = ants.Credentials(
        agreement=os.environ["ANTS_AGREEMENT"],
        login=os.environ["ANTS_LOGIN"],
        password=os.environ["ANTS_PASSWORD"],
    )
    with SqliteStore(sys.argv[2]) as store, ants.AntsSession(
        creds, base_url=sys.argv[1], store=store
    ) as session:
        if len(sys.argv) > 4:  # start together with the other children
            ready, go = pathlib.Path(sys.argv[4]), pathlib.Path(sys.argv[5])
            ready.touch()
            while not go.exists():
                time.sleep(0.005)
        report = session.requests.sync_all(concurrency=int(sys.argv[3]))
        print(f"failed={report.failed} error={report.error}", flush=True)
    """
)


def _child(sb: SandboxHandle, db: Path, concurrency: int, *together: Path) -> subprocess.Popen[str]:
    creds = sb.credentials
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "ANTS_AGREEMENT": creds.agreement,
        "ANTS_LOGIN": creds.login,
        "ANTS_PASSWORD": creds.password.reveal(),
    }
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, sb.url, str(db), str(concurrency), *map(str, together)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _rows(db: Path) -> int:
    try:
        connection = sqlite3.connect(db, timeout=5)
        try:
            return int(connection.execute("SELECT COUNT(*) FROM requests").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.OperationalError:
        return 0  # not created yet


def _same_as_server(store: SqliteStore, sb: SandboxHandle) -> None:
    main = sb.credentials.agreement
    local = store.search(main)
    assert len({r.number for r in local}) == len(local)
    assert {r.number: r for r in local} == {r.number: r for r in sb.requests(main)}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_sync_killed_midway_leaves_a_consistent_store(sb: SandboxHandle, tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    sb.seed_requests(2600)  # six pages of 500
    sb.set_latency(150)
    child = _child(sb, db, 1)
    try:
        deadline = time.monotonic() + 60
        while _rows(db) < 500:  # the first page is in: the child is mid-sync
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    assert child.returncode == -signal.SIGKILL
    sb.set_latency(0)
    with SqliteStore(db) as store:
        integrity = store._read("PRAGMA integrity_check")
        assert integrity == [("ok",)]
        main = sb.credentials.agreement
        partial = len(store.search(main))
        assert 500 <= partial < len(sb.requests(main))
        assert store.watermark(main) is None
        with _session(sb, store) as s:
            report = s.requests.sync_all()
        assert not report.incremental
        assert report.new == len(sb.requests(main)) - partial
        _same_as_server(store, sb)


def test_two_processes_syncing_one_file_at_once(sb: SandboxHandle, tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    sb.seed_requests(1000)
    sb.set_latency(20)
    SqliteStore(db).close()
    go = tmp_path / "go"
    ready = [tmp_path / "ready-1", tmp_path / "ready-2"]
    children = [_child(sb, db, 2, r, go) for r in ready]
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in ready):  # both have started: they sync at once
        assert all(c.poll() is None for c in children), [c.communicate() for c in children]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    go.touch()
    outputs = [c.communicate(timeout=120) for c in children]
    assert [c.returncode for c in children] == [0, 0], outputs
    for out, _ in outputs:
        assert "failed=0" in out
        assert "error=None" in out
    with SqliteStore(db) as store:
        _same_as_server(store, sb)
        (count,) = store._read("SELECT COUNT(*) FROM requests")[0]
        assert count == len(sb.requests(sb.credentials.agreement))


def test_progress_is_reported_in_requests(sb: SandboxHandle) -> None:
    sb.seed_requests(1100)
    steps: list[tuple[int, int]] = []
    with _session(sb, MemoryStore()) as s:
        s.requests.sync_all(progress=lambda done, total: steps.append((done, total)))
    total = len(sb.requests(sb.credentials.agreement))
    assert len(steps) == 3
    assert steps[-1] == (total, total)
