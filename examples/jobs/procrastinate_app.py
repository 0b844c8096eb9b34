"""Agency sync on procrastinate: the jobs live in the store's own PostgreSQL.

Create procrastinate's tables once (``procrastinate --app=procrastinate_app.app schema
--apply``), then run the workers (as many processes or machines as wanted)::

    ANTS_DATABASE_URL=postgresql://… ANTS_BASE_URL=https://… \
    ANTS_CREDENTIALS_FILE=/etc/ants/agencies.json python procrastinate_app.py

and enqueue every agency (``sync_every_agency()``, or the periodic task below). Only the
agreement number goes in the job. A job holds a ``queueing_lock`` on its agency: an agency
is never queued twice. A worker that dies mid-job (even ``kill -9``) stops sending its
heartbeat; ``retry_stalled_jobs`` (periodic, or called by hand) puts its jobs back in the
queue, and another worker finishes the agency's sync. A job that finds the agency locked
(``AgencyBusy``) or that did not complete (``SyncIncomplete``) is retried with an
exponential wait.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import procrastinate
import procrastinate.exceptions

sys.path.insert(0, str(Path(__file__).resolve().parent))

import host

from antsclient import jobs

QUEUE = "ants-sync"
STALLED_AFTER_S = float(os.environ.get("ANTS_STALLED_AFTER_S", "60"))
"""A worker silent for this long is dead: its jobs are put back in the queue."""
HEARTBEAT_S = float(os.environ.get("ANTS_HEARTBEAT_S", "10"))

app = procrastinate.App(
    connector=procrastinate.PsycopgConnector(conninfo=os.environ.get("ANTS_DATABASE_URL", "")),
)


@app.task(
    name="antsclient.sync_agency",
    queue=QUEUE,
    retry=procrastinate.RetryStrategy(
        max_attempts=10,
        exponential_wait=2,
        retry_exceptions={jobs.AgencyBusy, jobs.SyncIncomplete},
    ),
)
def sync_agency(agreement: str) -> dict[str, Any]:
    """Mettre à jour toutes les demandes of one agency (credentials loaded here)."""
    report = jobs.sync_agency(
        agreement, credentials=host.credentials(), store=host.store(), base_url=host.base_url()
    )
    return jobs.report_data(report)


def enqueue(agreement: str) -> int | None:
    """Queue the agency's sync unless it is already queued; the job's id, if queued."""
    try:
        return sync_agency.configure(queueing_lock=agreement).defer(agreement=agreement)
    except procrastinate.exceptions.AlreadyEnqueued:
        return None


def sync_every_agency() -> int:
    """Queue one job per agency of the host; how many were queued."""
    return sum(enqueue(a.agreement) is not None for a in host.credentials().agencies())


async def retry_stalled(seconds: float = STALLED_AFTER_S) -> int:
    """Put back in the queue the jobs of workers silent for ``seconds``; how many."""
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds)
    count = 0
    for job in stalled:
        await app.job_manager.retry_job(job)
        count += 1
    return count


def rescue_stalled_jobs(seconds: float = STALLED_AFTER_S) -> int:
    """:func:`retry_stalled` from blocking code (an operator's command): how many jobs."""

    async def run() -> int:
        async with app.open_async():
            return await retry_stalled(seconds)

    return asyncio.run(run())


@app.periodic(cron="*/5 * * * *")
@app.task(name="antsclient.retry_stalled_jobs", queueing_lock="retry_stalled_jobs")
async def retry_stalled_jobs(timestamp: int) -> int:
    """Every five minutes: the jobs of dead workers go back in the queue."""
    return await retry_stalled()


def main() -> None:
    """Run one worker on the sync queue."""
    app.run_worker(
        queues=[QUEUE],
        concurrency=1,
        update_heartbeat_interval=HEARTBEAT_S,
        stalled_worker_timeout=max(STALLED_AFTER_S, 3 * HEARTBEAT_S),
        install_signal_handlers=True,
    )


if __name__ == "__main__":
    main()
