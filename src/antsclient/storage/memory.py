"""MemoryStore: every protocol of :mod:`antsclient.storage`, held in dictionaries.

For tests, notebooks and short scripts: nothing survives the process. Thread-safe. The
helpers at the top (windows, bucket membership, counts) are the reference semantics the
SQLite store shares.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from antsclient._text import fold
from antsclient.export import RequestList
from antsclient.models import Application, Bucket, Cerfa, OnlineRequest, RequestStatus
from antsclient.models.paper import Bordereau
from antsclient.models.request import (
    CERFA_BY_VALUE,
    REQUEST_TYPE_BY_VALUE,
    STATUS_BY_VALUE,
    new_online_request,
)
from antsclient.models.window import DateWindow, bounds, within
from antsclient.storage.locks import MemoryLocks
from antsclient.storage.paper import MemoryBordereaux
from antsclient.storage.protocols import MergeResult, Student

if TYPE_CHECKING:
    from antsclient._report import SyncReport

__all__ = ["MemoryStore", "MemoryStudents"]

# --- what every store shares: windows, bucket membership, counts, folded names -----------


BUCKET_KEYS: Final[Mapping[Bucket, frozenset[tuple[Cerfa, RequestStatus, bool]]]] = {
    bucket: frozenset(
        (cerfa, status, transferred)
        for cerfa, status, transferred in itertools.product(Cerfa, RequestStatus, (False, True))
        if bucket.holds(cerfa=cerfa, status=status, transferred=transferred)
    )
    for bucket in Bucket
}
"""Every (cerfa, status, transferred) each bucket holds, read off ``Bucket.holds``."""


def matches(
    request: OnlineRequest,
    *,
    bucket: Bucket | None,
    cerfa: Cerfa | None,
    number: str | None,
    created: tuple[dt.datetime | None, dt.datetime | None],
    modified: tuple[dt.datetime | None, dt.datetime | None],
    linked: bool | None,
) -> bool:
    """Whether ``request`` meets every criterion of a search (as ANTS's search does)."""
    if bucket is not None and not bucket.holds(
        cerfa=request.cerfa, status=request.status, transferred=request.transferred
    ):
        return False
    if cerfa is not None and request.cerfa is not cerfa:
        return False
    if number is not None and request.number != number:
        return False
    if linked is not None and request.linked is not linked:
        return False
    return within(request.created, *created) and within(request.modified, *modified)


def search_clause(
    agreement: str,
    *,
    mark: str,
    instant: Callable[[dt.datetime], Any],
    flag: Callable[[bool], Any],
    bucket: Bucket | None = None,
    cerfa: Cerfa | None = None,
    number: str | None = None,
    created: DateWindow | None = None,
    modified: DateWindow | None = None,
    linked: bool | None = None,
) -> tuple[str, list[Any]]:
    """The ``WHERE`` condition of an offline search in SQL, and its parameters: :func:`matches`
    for a database store. ``mark`` is its driver's placeholder (``?``, ``%s``); ``instant``
    and ``flag`` write an instant and a flag as its columns hold them."""
    where = [f"agreement = {mark}"]
    params: list[Any] = [agreement]
    if bucket is not None:
        keys = sorted(BUCKET_KEYS[Bucket(bucket)])
        row = f"({mark}, {mark}, {mark})"
        where.append(f"(cerfa, status, transferred) IN (VALUES {','.join(row for _ in keys)})")
        for c, s, t in keys:
            params += [c.value, s.value, flag(t)]
    if cerfa is not None:
        where.append(f"cerfa = {mark}")
        params.append(Cerfa(cerfa).value)
    if number is not None:
        where.append(f"number = {mark}")
        params.append(number)
    if linked is not None:
        where.append("student_id IS NOT NULL" if linked else "student_id IS NULL")
    for column, window in (("created", created), ("modified", modified)):
        low, high = bounds(window)
        if low is not None:
            where.append(f"{column} >= {mark}")
            params.append(instant(low))
        if high is not None:
            where.append(f"{column} <= {mark}")
            params.append(instant(high))
    return " AND ".join(where), params


def sort_key(request: OnlineRequest) -> tuple[dt.datetime, str]:
    """ANTS's order: by modification, then number."""
    return request.modified, request.number


def request_of_row(
    row: Sequence[Any], instant: Callable[[Any], dt.datetime], day: Callable[[Any], dt.date]
) -> OnlineRequest:
    """The request of a stored row (the :data:`~antsclient.models.request.ONLINE_REQUEST_FIELDS`
    in order), made positionally — a listing of 20,000 copies makes as many: ``instant`` and
    ``day`` turn the database's instants and dates into aware datetimes and dates."""
    validated_at, mandate_date = row[12], row[15]
    return new_online_request(
        row[0],
        CERFA_BY_VALUE[row[1]],
        STATUS_BY_VALUE.get(row[2], RequestStatus.UNKNOWN),
        row[3],
        row[4],
        instant(row[5]),
        instant(row[6]),
        bool(row[7]),
        row[8],
        row[9],
        row[10],
        row[11],
        None if validated_at is None else instant(validated_at),
        REQUEST_TYPE_BY_VALUE.get(row[13]),
        bool(row[14]),
        None if mandate_date is None else day(mandate_date),
        row[16],
    )


def counts_of(
    groups: Iterable[tuple[Cerfa, RequestStatus, bool, int]],
) -> dict[Cerfa | None, dict[Bucket, int]]:
    """The dashboard from (cerfa, status, transferred, how many) groups."""
    result: dict[Cerfa | None, dict[Bucket, int]] = {
        key: dict.fromkeys(Bucket, 0) for key in (Cerfa.C02, Cerfa.C06, None)
    }
    for cerfa, status, transferred, n in groups:
        for bucket in Bucket:
            if bucket.holds(cerfa=cerfa, status=status, transferred=transferred):
                result[cerfa][bucket] += n
                result[None][bucket] += n
    return result


# --- the store ------------------------------------------------------------------------


class MemoryStore(MemoryBordereaux):
    """Copies locales des demandes in memory: a :class:`~antsclient.storage.SyncStore`, a
    :class:`~antsclient.storage.SearchableStore` and a
    :class:`~antsclient.storage.BordereauStore`; ``students`` is its student directory."""

    thread_safe = True
    """Every method may be called from any thread (a sync writes from a worker thread)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._requests: dict[str, dict[str, OnlineRequest]] = {}
        self._written: dict[tuple[str, str], float] = {}
        self._watermarks: dict[str, dt.datetime] = {}
        self._bordereaux: dict[tuple[str, str], Bordereau] = {}
        self.students: MemoryStudents = MemoryStudents()
        self._locks = MemoryLocks()
        self.reports: list[SyncReport] = []
        """The sync reports recorded by agency jobs, oldest first."""

    def lock_agency(self, agreement: str) -> contextlib.AbstractContextManager[bool]:
        """Hold the agency's sync lock (within this process) while the block runs."""
        return self._locks.lock_agency(agreement)

    def record_report(self, report: SyncReport) -> None:
        """Keep the report of an agency's sync (:mod:`antsclient.jobs`)."""
        with self._lock:
            self.reports.append(report)

    def __repr__(self) -> str:
        with self._lock:
            sizes = {agreement: len(rows) for agreement, rows in self._requests.items()}
        return f"MemoryStore({sizes!r})"

    # -- RequestStore ---------------------------------------------------------------------

    def upsert(self, agreement: str, requests: Iterable[OnlineRequest]) -> None:
        """Insert or replace the local copies of ``requests`` for the agency ``agreement``."""
        self.merge(agreement, list(requests))

    def get(self, agreement: str, number: str) -> OnlineRequest | None:
        """The local copy of request ``number``, if any."""
        with self._lock:
            return self._requests.get(agreement, {}).get(number)

    def delete(self, agreement: str, number: str) -> None:
        """Forget request ``number``."""
        with self._lock:
            self._requests.get(agreement, {}).pop(number, None)
            self._written.pop((agreement, number), None)

    # -- SyncStore ------------------------------------------------------------------------

    def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        """Insert or replace ``requests`` at once; count new, updated and unchanged copies."""
        new = updated = unchanged = 0
        now = time.time()
        with self._lock:
            rows = self._requests.setdefault(agreement, {})
            for request in requests:
                current = rows.get(request.number)
                if current is None:
                    new += 1
                elif current == request or current.modified > request.modified:
                    unchanged += 1  # the same, or older than the copy kept: not written
                    continue
                else:
                    updated += 1
                rows[request.number] = request
                self._written[agreement, request.number] = now
        return MergeResult(new=new, updated=updated, unchanged=unchanged)

    def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        """Delete the copies not in ``keep`` written before ``before``; how many went."""
        kept = set(keep)
        with self._lock:
            rows = self._requests.get(agreement, {})
            gone = [
                number
                for number in rows
                if number not in kept and self._written.get((agreement, number), 0.0) < before
            ]
            for number in gone:
                self.delete(agreement, number)
            return len(gone)

    def watermark(self, agreement: str) -> dt.datetime | None:
        """The watermark of the agency's last complete sync, if any."""
        with self._lock:
            return self._watermarks.get(agreement)

    def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        """Remember (or forget) the agency's watermark."""
        with self._lock:
            if value is None:
                self._watermarks.pop(agreement, None)
            else:
                self._watermarks[agreement] = value

    # -- SearchableStore ------------------------------------------------------------------

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
        """Rechercher des demandes offline, ordered by (modified, number) like ANTS."""
        created_bounds = bounds(created)
        modified_bounds = bounds(modified)
        with self._lock:
            rows = list(self._requests.get(agreement, {}).values())
        found = [
            r
            for r in rows
            if matches(
                r,
                bucket=None if bucket is None else Bucket(bucket),
                cerfa=None if cerfa is None else Cerfa(cerfa),
                number=number,
                created=created_bounds,
                modified=modified_bounds,
                linked=linked,
            )
        ]
        found.sort(key=sort_key)
        return RequestList(found)

    def counts(self, agreement: str) -> dict[Cerfa | None, dict[Bucket, int]]:
        """How many local copies each bucket holds, per cerfa and (``None``) in all."""
        with self._lock:
            groups = Counter(
                (r.cerfa, r.status, r.transferred)
                for r in self._requests.get(agreement, {}).values()
            )
        return counts_of((c, s, t, n) for (c, s, t), n in groups.items())

    def agreements(self) -> list[str]:
        """The agencies the store holds requests of."""
        with self._lock:
            return sorted(a for a, rows in self._requests.items() if rows)

    def close(self) -> None:
        """Nothing to release (for symmetry with :class:`SqliteStore`)."""

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class MemoryStudents:
    """A simple student directory in memory (:class:`~antsclient.storage.StudentDirectory`)."""

    def __init__(self, students: Iterable[Student] = ()) -> None:
        self._lock = threading.RLock()
        self._students: dict[str, Student] = {s.student_id: s for s in students}

    def save(self, student: Student) -> Student:
        """Add or replace a student (what the host's own screens do)."""
        with self._lock:
            self._students[student.student_id] = student
        return student

    def search(self, prefix: str, *, limit: int = 20) -> list[Student]:
        """Students whose last or first name starts with ``prefix`` (case and accents
        ignored), by last then first name."""
        key = fold(prefix)
        with self._lock:
            students = list(self._students.values())
        found = [s for s in students if _name_matches(s, key)]
        found.sort(key=lambda s: (fold(s.last_name), fold(s.first_name)))
        return found[: max(limit, 0)]

    def get(self, student_id: str) -> Student | None:
        """The student ``student_id``, if any."""
        with self._lock:
            return self._students.get(student_id)

    def update_from_ants(self, student_id: str, application: Application) -> Student:
        """Write every field ANTS holds into the student's file (created if unknown)."""
        applicant = application.applicant
        with self._lock:
            current = self._students.get(student_id)
            base = current or Student(student_id=student_id, last_name="", first_name="")
            updated = attrs.evolve(
                base,
                last_name=applicant.last_name,
                first_name=applicant.first_name,
                email=applicant.email,
                application=application,
            )
            self._students[student_id] = updated
            return updated


def _name_matches(student: Student, key: str) -> bool:
    last, first = fold(student.last_name), fold(student.first_name)
    return any(name.startswith(key) for name in (last, first, f"{last} {first}", f"{first} {last}"))
