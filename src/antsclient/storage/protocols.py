"""What the host plugs in: small protocols it implements on its own database.

antsclient never owns the host's data. A host hands a session objects that have these
methods; nothing needs to inherit from anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs

from antsclient.errors import ConfigurationError
from antsclient.models import Bucket, Cerfa, Credentials, OnlineRequest
from antsclient.models.window import DateWindow

if TYPE_CHECKING:
    from antsclient.export import RequestList
    from antsclient.models.application import Application
    from antsclient.models.paper import Bordereau

__all__ = [
    "AgencyIndex",
    "AgencyLocks",
    "AsyncAgencyIndex",
    "AsyncAgencyLocks",
    "AsyncBordereauStore",
    "AsyncRequestStore",
    "AsyncSearchableStore",
    "AsyncSyncStore",
    "BordereauStore",
    "CredentialsSource",
    "DateWindow",
    "MergeResult",
    "RequestStore",
    "SearchableStore",
    "Student",
    "StudentDirectory",
    "StudentDocument",
    "StudentDocumentSource",
    "SyncStore",
    "merge_by_upsert",
    "no_store_error",
]


@runtime_checkable
class RequestStore(Protocol):
    """Copies locales des demandes: where a session writes what it learns of each request."""

    def upsert(self, agreement: str, requests: Iterable[OnlineRequest]) -> None:
        """Insert or replace the local copies of ``requests`` for the agency ``agreement``."""

    def get(self, agreement: str, number: str) -> OnlineRequest | None:
        """The local copy of request ``number``, if any."""

    def delete(self, agreement: str, number: str) -> None:
        """Forget request ``number`` (deleted on ANTS)."""


@attrs.frozen(kw_only=True, slots=True)
class MergeResult:
    """What merging a batch of requests into a store changed."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0


@runtime_checkable
class SyncStore(RequestStore, Protocol):
    """A request store that a sync (« Mettre à jour toutes les demandes ») can write to.

    ``merge`` writes a batch in one transaction and says what changed; the watermark is the
    last ``modified`` instant a complete sync saw, so the next one asks only for what changed
    since. A store with only ``upsert``/``get``/``delete`` still works: every sync is then a
    full one.
    """

    def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        """Insert or replace ``requests`` in one transaction; count new, updated, unchanged."""

    def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        """Delete the agency's copies whose number is not in ``keep`` and that were last
        written before ``before`` (seconds since the epoch); return how many went."""

    def watermark(self, agreement: str) -> dt.datetime | None:
        """The watermark of the agency's last complete sync, if any."""

    def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        """Remember (or forget, with ``None``) the agency's watermark."""


def no_store_error() -> ConfigurationError:
    """The error of a sync asked of a session that has no store."""
    return ConfigurationError(
        "syncing the requests needs a store: give the session one (store=...)",
        field="store",
        message_fr="Aucun stockage local des demandes n'est configuré pour la mise à jour.",
    )


def merge_by_upsert(
    store: RequestStore, agreement: str, requests: Sequence[OnlineRequest]
) -> MergeResult:
    """``merge`` for a store with only ``upsert``/``get``/``delete``: compare each request
    with the local copy, write those that changed (every sync into such a store is a full
    one: it keeps no watermark)."""
    new = updated = 0
    changed: list[OnlineRequest] = []
    for request in requests:
        current = store.get(agreement, request.number)
        if current == request:
            continue
        if current is None:
            new += 1
        else:
            updated += 1
        changed.append(request)
    if changed:
        store.upsert(agreement, changed)
    return MergeResult(new=new, updated=updated, unchanged=len(requests) - new - updated)


@runtime_checkable
class AsyncRequestStore(Protocol):
    """A :class:`RequestStore` whose methods are coroutines (a database driver's async
    connections): the async session awaits it and never blocks its event loop."""

    async def upsert(self, agreement: str, requests: Iterable[OnlineRequest]) -> None:
        """Insert or replace the local copies of ``requests`` for the agency ``agreement``."""

    async def get(self, agreement: str, number: str) -> OnlineRequest | None:
        """The local copy of request ``number``, if any."""

    async def delete(self, agreement: str, number: str) -> None:
        """Forget request ``number`` (deleted on ANTS)."""


@runtime_checkable
class AsyncSyncStore(AsyncRequestStore, Protocol):
    """A :class:`SyncStore` whose methods are coroutines."""

    async def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        """Insert or replace ``requests`` in one transaction; count new, updated, unchanged."""

    async def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        """Delete the agency's copies not in ``keep`` last written before ``before``."""

    async def watermark(self, agreement: str) -> dt.datetime | None:
        """The watermark of the agency's last complete sync, if any."""

    async def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        """Remember (or forget, with ``None``) the agency's watermark."""


@runtime_checkable
class SearchableStore(Protocol):
    """Rechercher des demandes, offline: the same answers as ANTS's search and counts."""

    def search(
        self,
        agreement: str,
        *,
        bucket: Bucket | None = None,
        cerfa: Cerfa | None = None,
        number: str | None = None,
        created: DateWindow | None = None,
        modified: DateWindow | None = None,
        linked: bool | None = None,
    ) -> RequestList:
        """The agency's local copies matching every criterion, ordered by (modified, number)."""

    def counts(self, agreement: str) -> dict[Cerfa | None, dict[Bucket, int]]:
        """How many local copies each bucket holds, per cerfa and (``None``) in all."""


@runtime_checkable
class AgencyIndex(Protocol):
    """Which agencies a store holds copies of (the command line's export, a host's admin)."""

    def agreements(self) -> list[str]:
        """The agencies' agreement numbers, sorted."""


@runtime_checkable
class AgencyLocks(Protocol):
    """One sync of an agency at a time, across processes and machines.

    The lock must go away with its holder: a worker that dies (even killed) must not keep
    the agency locked (a database session lock, a file lock, or a lease that expires).
    """

    def lock_agency(self, agreement: str) -> AbstractContextManager[bool]:
        """Hold the agency's sync lock while the ``with`` block runs; the block gets
        whether it was had (``False`` at once when another holder has it: never waits)."""


@runtime_checkable
class AsyncSearchableStore(Protocol):
    """A :class:`SearchableStore` whose methods are coroutines."""

    async def search(
        self,
        agreement: str,
        *,
        bucket: Bucket | None = None,
        cerfa: Cerfa | None = None,
        number: str | None = None,
        created: DateWindow | None = None,
        modified: DateWindow | None = None,
        linked: bool | None = None,
    ) -> RequestList:
        """The agency's local copies matching every criterion, ordered by (modified, number)."""

    async def counts(self, agreement: str) -> dict[Cerfa | None, dict[Bucket, int]]:
        """How many local copies each bucket holds, per cerfa and (``None``) in all."""


@runtime_checkable
class AsyncAgencyIndex(Protocol):
    """An :class:`AgencyIndex` whose method is a coroutine."""

    async def agreements(self) -> list[str]:
        """The agencies' agreement numbers, sorted."""


@runtime_checkable
class AsyncAgencyLocks(Protocol):
    """:class:`AgencyLocks` for async code: ``async with store.lock_agency(a) as held``."""

    def lock_agency(self, agreement: str) -> AbstractAsyncContextManager[bool]:
        """Hold the agency's sync lock while the ``async with`` block runs."""


@runtime_checkable
class CredentialsSource(Protocol):
    """Where a host keeps the ANTS credentials of its many agencies (bureaux)."""

    def agencies(self) -> Iterable[Credentials]:
        """The credentials of every agency to work for."""


@attrs.frozen(kw_only=True, slots=True)
class StudentDocument:
    """Un document du dossier de l'élève (``cni.pdf``, ``justif domicile.pdf``).

    Either ``path`` (a file on disk, streamed) or ``content`` (bytes held by the host).
    """

    document_id: str
    name: str
    path: Path | None = None
    content: bytes | None = None


@runtime_checkable
class StudentDocumentSource(Protocol):
    """The host's store of students' documents (pick a document already in the file)."""

    def get_document(self, document_id: str) -> StudentDocument:
        """The document ``document_id``; raise ``KeyError`` if there is none."""


@attrs.frozen(kw_only=True, slots=True)
class Student:
    """Un élève of the host (fiche élève), as the student directory returns it."""

    student_id: str
    last_name: str
    first_name: str
    email: str | None = None
    application: Application | None = None
    """The Cerfa data last written from ANTS (``link(..., update_student=True)``), if any."""


@runtime_checkable
class StudentDirectory(Protocol):
    """The host's students: find one by the first letters of a name, read and update it."""

    def search(self, prefix: str, *, limit: int = 20) -> list[Student]:
        """Students whose last or first name starts with ``prefix`` (case and accents
        ignored)."""

    def get(self, student_id: str) -> Student | None:
        """The student ``student_id``, if any."""

    def update_from_ants(self, student_id: str, application: Application) -> Student:
        """Write every field ANTS holds (identity, address, phone, email, cerfa data) into the
        student's file; return the student as updated."""


@runtime_checkable
class BordereauStore(Protocol):
    """Bordereaux dossiers: where the host keeps the bordereaux of its paper requests.

    Each :class:`~antsclient.models.paper.Bordereau` is kept whole, with the paper requests
    it carries, by agency (``bordereau.agreement``) and number.
    :class:`~antsclient.storage.MemoryStore`, :class:`~antsclient.storage.SqliteStore` and
    :class:`~antsclient.storage.PostgresStore` implement it;
    :func:`antsclient.storage.paper.bordereau_data` gives the JSON to keep.
    """

    def save_bordereau(self, bordereau: Bordereau) -> None:
        """Insert or replace ``bordereau`` (by agency and number)."""

    def get_bordereau(self, agreement: str, number: str) -> Bordereau | None:
        """The agency's bordereau ``number``, if any."""

    def bordereaux(self, agreement: str) -> list[Bordereau]:
        """The agency's bordereaux, by date then number."""

    def delete_bordereau(self, agreement: str, number: str) -> None:
        """Forget the agency's bordereau ``number``."""


@runtime_checkable
class AsyncBordereauStore(Protocol):
    """A :class:`BordereauStore` whose methods are coroutines
    (:class:`~antsclient.storage.AsyncPostgresStore`, or any blocking one through
    :func:`~antsclient.storage.in_thread`)."""

    async def save_bordereau(self, bordereau: Bordereau) -> None:
        """Insert or replace ``bordereau`` (by agency and number)."""

    async def get_bordereau(self, agreement: str, number: str) -> Bordereau | None:
        """The agency's bordereau ``number``, if any."""

    async def bordereaux(self, agreement: str) -> list[Bordereau]:
        """The agency's bordereaux, by date then number."""

    async def delete_bordereau(self, agreement: str, number: str) -> None:
        """Forget the agency's bordereau ``number``."""
