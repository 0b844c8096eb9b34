"""Agency sync as jobs on a queue: one job = one agency's « Mettre à jour toutes les demandes ».

A host that already runs a job engine (Celery, procrastinate, RQ…) enqueues one job per agency
with nothing but its agreement number; the job function calls :func:`sync_agency`, which,
inside the worker:

1. loads the agency's credentials from the host's
   :class:`~antsclient.storage.CredentialsSource` (a password never travels through the
   queue, and :class:`~antsclient.Secret` refuses to be pickled anyway);
2. takes the agency's lock in the store (:class:`~antsclient.storage.AgencyLocks`): two
   workers never sync one agency at once; a worker that dies, even killed, drops its lock
   with its database connection (or its lock file);
3. syncs the agency into the store and records the report (``store.record_report``, where
   the store keeps reports: :class:`~antsclient.storage.PostgresStore`'s ``sync_runs``).

It raises :class:`AgencyBusy` when another worker holds the agency (retry later) and
:class:`SyncIncomplete` when the sync stopped or missed requests (ANTS unreachable, a wrong
password: the report is recorded first). Either way the store stays consistent: each page
is written in its own transaction, and the watermark only moves at the end of a complete
sync, so a job run again (by a retry or another worker after a crash) finishes the work.
Recipes for Celery and procrastinate: ``docs/scale.md`` and ``examples/jobs/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from antsclient._listing import SyncOptions, SyncReport
from antsclient.errors import AntsError, ConfigurationError
from antsclient.models import Credentials
from antsclient.storage.protocols import AgencyLocks, CredentialsSource, SyncStore

if TYPE_CHECKING:
    from antsclient._policy import RetryPolicy

__all__ = [
    "AgencyBusy",
    "SyncIncomplete",
    "credentials_for",
    "report_data",
    "sync_agency",
]


class AgencyBusy(AntsError):
    """Mise à jour déjà en cours: another worker is syncing this agency; try again later."""

    default_code = "agency_sync_running"
    default_message_fr = "Une mise à jour des demandes de cette agence est déjà en cours."


class SyncIncomplete(AntsError):
    """Mise à jour incomplète: the sync stopped or missed requests; its report says why."""

    default_code = "agency_sync_incomplete"
    default_message_fr = "La mise à jour des demandes de l'agence n'a pas abouti."

    def __init__(
        self,
        message: str,
        *,
        report: SyncReport | None = None,
        code: str | None = None,
        message_fr: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, code=code, message_fr=message_fr, field=field)
        self.report: SyncReport | None = report

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "report": self.report}


def credentials_for(
    source: CredentialsSource | Iterable[Credentials], agreement: str
) -> Credentials:
    """The credentials of agency ``agreement`` from the host's source: its
    ``credentials(agreement)`` method when it has one (one row read), else the agency among
    ``agencies()``."""
    one = getattr(source, "credentials", None)
    if callable(one):
        found = one(agreement)
        if isinstance(found, Credentials):
            return found
    else:
        agencies = source.agencies() if isinstance(source, CredentialsSource) else source
        for credentials in agencies:
            if credentials.agreement == agreement:
                return credentials
    raise ConfigurationError(
        f"no credentials for the agency {agreement} in {type(source).__name__}",
        field="agreement",
        code="agency_credentials_missing",
        message_fr=f"Les identifiants ANTS de l'agence {agreement} ne sont pas renseignés.",
    )


def report_data(report: SyncReport) -> dict[str, Any]:
    """A report as JSON-ready data (what a job returns to its engine): no secret in it."""
    data: dict[str, Any] = {}
    for field in attrs.fields(SyncReport):
        value = getattr(report, field.name)
        data[field.name] = value.isoformat() if isinstance(value, dt.datetime) else value
    data["ok"] = report.ok
    return data


def sync_agency(
    agreement: str,
    *,
    credentials: CredentialsSource | Iterable[Credentials],
    store: SyncStore,
    base_url: str,
    options: SyncOptions | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout | float | None = None,
    retry: RetryPolicy | None = None,
) -> SyncReport:
    """Sync one agency into ``store``, as one job of a queue (see the module).

    ``store`` must keep agency locks (:class:`~antsclient.storage.AgencyLocks`: every
    shipped store does). Returns the report; raises :class:`AgencyBusy` when another worker
    holds the agency and :class:`SyncIncomplete` when the sync did not complete.
    """
    from antsclient._policy import DEFAULT_TIMEOUT  # noqa: PLC0415
    from antsclient._sync.session import AntsSession  # noqa: PLC0415

    if not isinstance(store, AgencyLocks):
        raise ConfigurationError(
            f"{type(store).__name__} keeps no agency locks (lock_agency): two workers could "
            "sync one agency at once",
            field="store",
            message_fr="Ce stockage ne permet pas de verrouiller la mise à jour d'une agence.",
        )
    creds = credentials_for(credentials, agreement)
    opts = attrs.evolve(options or SyncOptions(), raise_errors=False)
    with store.lock_agency(agreement) as held:
        if not held:
            raise AgencyBusy(f"the agency {agreement} is being synced by another worker")
        with AntsSession(
            creds,
            base_url=base_url,
            store=store,
            transport=transport,
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            retry=retry,
        ) as session:
            report = session.requests.sync_all(options=opts)
        record = getattr(store, "record_report", None)
        if callable(record):
            record(report)
    if not report.ok:
        why = report.error or f"{report.failed} requests could not be read"
        raise SyncIncomplete(
            f"the sync of the agency {agreement} did not complete: {why}", report=report
        )
    return report
