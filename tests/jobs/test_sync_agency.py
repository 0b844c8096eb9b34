"""antsclient.jobs.sync_agency in process: credentials, the agency lock, reports, failures."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from antsclient import Credentials, RetryPolicy, jobs
from antsclient.errors import ConfigurationError
from antsclient.sandbox import serve
from antsclient.storage import MemoryStore, SqliteStore


class Agencies:
    """A credentials source with only ``agencies()``."""

    def __init__(self, *credentials: Credentials) -> None:
        self._credentials = credentials

    def agencies(self) -> list[Credentials]:
        return list(self._credentials)


class OneRow(Agencies):
    """A credentials source that reads one agency at a time."""

    def credentials(self, agreement: str) -> Credentials | None:
        return next((c for c in self._credentials if c.agreement == agreement), None)


@pytest.fixture(scope="module")
def sandbox() -> Any:
    with serve(seed=6) as sb:
        sb.seed_requests(30)
        yield sb


def test_a_job_syncs_the_agency_and_records_its_report(sandbox: Any) -> None:
    store = MemoryStore()
    agreement = sandbox.credentials.agreement
    report = jobs.sync_agency(
        agreement, credentials=OneRow(sandbox.credentials), store=store, base_url=sandbox.url
    )
    assert report.ok
    assert len(store.search(agreement)) == len(sandbox.requests(agreement))
    assert store.reports == [report]
    data = jobs.report_data(report)
    assert data["ok"] is True
    assert data["watermark"] == report.watermark.isoformat()
    assert sandbox.credentials.password.reveal() not in json.dumps(data)


def test_a_job_finding_the_agency_locked_is_told_to_come_back(sandbox: Any) -> None:
    store = MemoryStore()
    agreement = sandbox.credentials.agreement
    with store.lock_agency(agreement), pytest.raises(jobs.AgencyBusy) as busy:
        jobs.sync_agency(
            agreement, credentials=[sandbox.credentials], store=store, base_url=sandbox.url
        )
    assert busy.value.code == "agency_sync_running"
    assert "déjà en cours" in busy.value.message_fr
    assert store.reports == []


def test_a_failed_sync_is_recorded_then_raised(sandbox: Any) -> None:
    store = MemoryStore()
    wrong = Credentials(
        agreement=sandbox.credentials.agreement,
        login=sandbox.credentials.login,
        password="pas le bon",
        prefecture=sandbox.credentials.prefecture,
        postal_code=sandbox.credentials.postal_code,
    )
    with pytest.raises(jobs.SyncIncomplete) as failed:
        jobs.sync_agency(
            wrong.agreement,
            credentials=Agencies(wrong),
            store=store,
            base_url=sandbox.url,
            retry=RetryPolicy.immediate(),
        )
    assert failed.value.code == "agency_sync_incomplete"
    assert failed.value.report is not None and failed.value.report.error
    [report] = store.reports
    assert not report.ok
    assert "pas le bon" not in repr(failed.value) + str(jobs.report_data(report))
    # A worker's error crosses to its engine pickled: its report crosses with it.
    clone = pickle.loads(pickle.dumps(failed.value))
    assert type(clone) is jobs.SyncIncomplete
    assert clone.report == failed.value.report
    assert (clone.code, clone.message_fr) == (failed.value.code, failed.value.message_fr)


def test_a_store_without_locks_is_refused(sandbox: Any) -> None:
    class NoLocks(MemoryStore):
        lock_agency = None  # type: ignore[assignment]

    with pytest.raises(ConfigurationError, match="no agency locks") as error:
        jobs.sync_agency(
            "E1", credentials=[sandbox.credentials], store=NoLocks(), base_url=sandbox.url
        )
    assert error.value.field == "store"


@pytest.mark.parametrize("source", [OneRow(), Agencies(), []])
def test_an_agency_without_credentials_is_a_configuration_error(source: Any) -> None:
    with pytest.raises(ConfigurationError) as error:
        jobs.credentials_for(source, "E1706900030")
    assert error.value.code == "agency_credentials_missing"
    assert "E1706900030" in error.value.message_fr


def test_the_sqlite_agency_lock_goes_with_a_killed_holder(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    SqliteStore(path).close()
    holder = subprocess.Popen(  # takes the lock, says so, and waits to be killed
        [sys.executable, "-c",
         "import sys, time\nfrom antsclient.storage import SqliteStore\n"
         f"s = SqliteStore({str(path)!r})\n"
         "with s.lock_agency('E1') as held:\n"
         "    print(held, flush=True)\n    time.sleep(600)\n"],
        stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "True"
        with SqliteStore(path) as store:
            with store.lock_agency("E1") as held:
                assert not held
            holder.send_signal(signal.SIGKILL)
            holder.wait()
            with store.lock_agency("E1") as held:
                assert held
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
