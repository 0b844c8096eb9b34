"""Agency sync on procrastinate, for real: the jobs in the store's own PostgreSQL, worker
processes started from ``examples/jobs/procrastinate_app.py``."""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from farm import EXAMPLES, Farm, ok_reports, store_matches_sandbox

pytestmark = [pytest.mark.jobs, pytest.mark.postgres, pytest.mark.slow]

# More pages than a sync asks in its first wave (8 of 500): a job killed after its first
# pages are stored has more to fetch.
WHOLE = 6000


@pytest.fixture
def procrastinate_app(farm: Farm, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The example's procrastinate app, open in this process, its schema applied."""
    pytest.importorskip("procrastinate", reason="pip install 'antsclient[procrastinate]'")
    farm.env["ANTS_HEARTBEAT_S"] = "0.5"
    for name, value in farm.env.items():
        if name.startswith("ANTS_"):
            monkeypatch.setenv(name, value)
    monkeypatch.syspath_prepend(str(EXAMPLES))
    for name in ("procrastinate_app", "host"):
        sys.modules.pop(name, None)
    module = importlib.import_module("procrastinate_app")
    with module.app.open():
        module.app.schema_manager.apply_schema()
        yield module
    module.host.store.cache_clear()
    for name in ("procrastinate_app", "host"):
        sys.modules.pop(name, None)


def _worker(farm: Farm) -> Any:
    return farm.start([sys.executable, "procrastinate_app.py"])


def test_two_workers_sync_every_agency_exactly(farm: Farm, procrastinate_app: Any) -> None:
    agreements = farm.add_agencies(4, 120)
    store = procrastinate_app.host.store()
    assert procrastinate_app.sync_every_agency() == 4
    assert procrastinate_app.sync_every_agency() == 0  # each agency is queued once
    _worker(farm)
    _worker(farm)
    farm.wait_for(lambda: all(ok_reports(store, a) for a in agreements), "four agencies synced")
    for agreement in agreements:
        assert store_matches_sandbox(store, farm.sb, agreement)
        assert len(store.reports(agreement)) == 1
    assert "secret-" not in farm.logs()


def test_a_worker_killed_mid_job_leaves_the_job_to_another_that_finishes_it(
    farm: Farm, procrastinate_app: Any
) -> None:
    [agreement] = farm.add_agencies(1, WHOLE)
    store = procrastinate_app.host.store()
    farm.sb.set_latency(2000)
    assert procrastinate_app.enqueue(agreement) is not None
    first = _worker(farm)
    farm.wait_for(lambda: bool(store.search(agreement)), "the first pages stored")
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert 0 < len(store.search(agreement)) < WHOLE
    assert not store.reports(agreement)
    farm.sb.set_latency(0)
    time.sleep(1.5)  # three heartbeats missed: the worker is dead
    assert procrastinate_app.rescue_stalled_jobs(1.0) == 1
    _worker(farm)
    farm.wait_for(lambda: bool(ok_reports(store, agreement)), "the job run again")
    assert store_matches_sandbox(store, farm.sb, agreement)
