"""Agency sync on Celery with a Redis broker: one task per agency.

Run the workers (as many processes or machines as wanted)::

    ANTS_BROKER_URL=redis://127.0.0.1:6379/0 ANTS_DATABASE_URL=postgresql://… \
    ANTS_BASE_URL=https://… ANTS_CREDENTIALS_FILE=/etc/ants/agencies.json \
    celery -A celery_app worker --pool=solo --concurrency=1

and enqueue every agency (from a cron, or Celery beat)::

    from celery_app import sync_every_agency
    sync_every_agency()

Only the agreement number goes through the queue. A task is acknowledged once it has run
(``task_acks_late``): a worker that dies mid-task (even ``kill -9``) leaves its message to be
delivered again to another worker after ``visibility_timeout`` (set it above the longest
sync; the workers look for such messages every ``unacked_restore_interval``), whose run
finishes the agency's sync. A task that finds the agency locked
(``AgencyBusy``) or that did not complete (``SyncIncomplete``: ANTS unreachable) is retried
with an exponential backoff.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from celery import Celery

sys.path.insert(0, str(Path(__file__).resolve().parent))

import host

from antsclient import jobs

app = Celery(
    "antsclient_jobs", broker=os.environ.get("ANTS_BROKER_URL", "redis://127.0.0.1:6379/0")
)
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,  # acknowledged after the run: a dead worker's task is run again
    task_reject_on_worker_lost=True,  # a pool child killed mid-task: its message goes back
    worker_prefetch_multiplier=1,  # a worker reserves one agency at a time
    broker_connection_retry_on_startup=True,
    broker_transport_options={
        "visibility_timeout": float(os.environ.get("ANTS_VISIBILITY_TIMEOUT", "3600")),
        # How often a worker looks for messages whose worker died (every sweep, not one in
        # ten): a dead worker's task comes back within visibility_timeout + this.
        "unacked_restore_interval": float(os.environ.get("ANTS_RESTORE_INTERVAL", "10")),
        "unacked_restore_throttle": 1,
    },
    worker_hijack_root_logger=False,
)


@app.task(
    name="antsclient.sync_agency",
    autoretry_for=(jobs.AgencyBusy, jobs.SyncIncomplete),
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=10,
)
def sync_agency(agreement: str) -> dict[str, Any]:
    """Mettre à jour toutes les demandes of one agency (credentials loaded here)."""
    report = jobs.sync_agency(
        agreement, credentials=host.credentials(), store=host.store(), base_url=host.base_url()
    )
    return jobs.report_data(report)


def sync_every_agency() -> int:
    """Enqueue one task per agency of the host; how many."""
    agencies = host.credentials().agencies()
    for agency in agencies:
        sync_agency.delay(agency.agreement)
    return len(agencies)
