"""Agency sync on Celery, for real: a Redis broker, worker processes, PostgreSQL.

No eager mode and no mock broker: the workers are ``celery worker`` processes started from
``examples/jobs/celery_app.py``; the test only enqueues and watches the store.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from farm import EXAMPLES, Farm, ok_reports, store_matches_sandbox

pytestmark = [pytest.mark.jobs, pytest.mark.postgres, pytest.mark.slow]

# More pages than a sync asks in its first wave (8 of 500): a job killed after its first
# pages are stored has more to fetch.
WHOLE = 6000


@pytest.fixture
def celery_app(farm: Farm, celery_broker: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The example's Celery app, in this process to enqueue (on a fresh Redis database)."""
    farm.env["ANTS_BROKER_URL"] = celery_broker
    for name, value in farm.env.items():
        if name.startswith("ANTS_"):
            monkeypatch.setenv(name, value)
    monkeypatch.syspath_prepend(str(EXAMPLES))
    for name in ("celery_app", "host"):
        sys.modules.pop(name, None)
    module = importlib.import_module("celery_app")
    module.app.connection_for_write().default_channel.client.flushdb()
    yield module
    module.host.store.cache_clear()
    module.app.close()
    for name in ("celery_app", "host"):
        sys.modules.pop(name, None)


def _worker(farm: Farm, name: str, **env: str) -> Any:
    return farm.start(
        [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "--pool=solo",
         "--loglevel=WARNING", "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        **env,
    )  # fmt: skip


def test_two_workers_sync_every_agency_exactly(farm: Farm, celery_app: Any) -> None:
    agreements = farm.add_agencies(4, 120)
    store = celery_app.host.store()
    _worker(farm, "one")
    _worker(farm, "two")
    assert celery_app.sync_every_agency() == 4
    farm.wait_for(lambda: all(ok_reports(store, a) for a in agreements), "four agencies synced")
    for agreement in agreements:
        assert store_matches_sandbox(store, farm.sb, agreement)
        [report] = store.reports(agreement)
        assert report["new"] == 120
        assert report["agreement"] == agreement
    assert "secret-" not in farm.logs()


def test_a_worker_killed_mid_job_leaves_the_job_to_another_that_finishes_it(
    farm: Farm, celery_app: Any
) -> None:
    [agreement] = farm.add_agencies(1, WHOLE)
    store = celery_app.host.store()
    farm.sb.set_latency(2000)  # a first wave of pages, then the rest: a few seconds
    first = _worker(farm, "doomed", ANTS_VISIBILITY_TIMEOUT="2", ANTS_RESTORE_INTERVAL="1")
    celery_app.sync_agency.delay(agreement)
    farm.wait_for(lambda: bool(store.search(agreement)), "the first pages stored")
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    written = len(store.search(agreement))
    assert 0 < written < WHOLE  # killed mid-job, after a page and before the end
    assert not store.reports(agreement)
    assert store.watermark(agreement) is None  # the watermark moves only at the end
    farm.sb.set_latency(0)
    _worker(farm, "rescuer", ANTS_VISIBILITY_TIMEOUT="2", ANTS_RESTORE_INTERVAL="1")
    farm.wait_for(lambda: bool(ok_reports(store, agreement)), "the job run again")
    assert store_matches_sandbox(store, farm.sb, agreement)
    assert store.watermark(agreement) is not None
