"""SqliteStore: the embedded default store, one SQLite file.

* WAL journal, so readers never wait for the writer; ``synchronous=NORMAL``: a killed
  process never leaves the file inconsistent (a power cut may lose the last commits).
* Every write is one ``BEGIN IMMEDIATE`` transaction (a sync writes one per page), and
  waits for another process's write up to ``busy_timeout`` instead of failing: several
  processes can sync into the same file at once.
* Copies are keyed by (agreement, number): a request is never stored twice.
* The schema is versioned (``PRAGMA user_version``) and migrated forward on open, inside
  a write transaction, so two processes opening an old file migrate it once.

``students`` is a simple student directory kept in the same file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence, Set
from pathlib import Path
from typing import Any, Final

from antsclient._parts import Part, Parts
from antsclient._text import fold
from antsclient.errors import StoreError
from antsclient.export import RequestList
from antsclient.models import (
    Application,
    Bucket,
    Cerfa,
    OnlineRequest,
    RequestStatus,
)
from antsclient.models.request import CERFA_BY_VALUE, ONLINE_REQUEST_FIELDS, STATUS_BY_VALUE
from antsclient.models.window import DateWindow
from antsclient.storage import memory as _common
from antsclient.storage.paper import BORDEREAU_TABLES, SqliteBordereaux
from antsclient.storage.protocols import MergeResult, Student

__all__ = ["SCHEMA_VERSION", "SqliteStore", "SqliteStudents", "StoreError"]

SCHEMA_VERSION: Final = 4
"""The schema this version of antsclient writes; older files are migrated on open."""

PAGE_SIZE: Final = 8192
"""The SQLite page size of a store file antsclient creates, in bytes."""

_COLUMNS: Final = ONLINE_REQUEST_FIELDS
_SELECT: Final = ", ".join(_COLUMNS)

Row = tuple[Any, ...]

# An absent value is written as a stand-in no present value of its column can equal, and
# turned into NULL by SQLite (``NULLIF``): Python's sqlite3 binds a ``None`` through its
# adapter look-up (a tuple built, a dict and two attributes searched), a small integer or an
# empty text straight away — about 1 µs a row of a sync. No text equals an integer, no
# integer an empty text, so the stand-in is exact.
_ABSENT_TEXT: Final = 0
"""What an absent text is written as (``NULLIF(?, 0)``)."""
_ABSENT_INSTANT: Final = ""
"""What an absent instant (an integer column) is written as (``NULLIF(?, '')``)."""
_ABSENT: Final[Mapping[str, object]] = {
    "neph": _ABSENT_TEXT,
    "student_id": _ABSENT_TEXT,
    "applicant_name": _ABSENT_TEXT,
    "email": _ABSENT_TEXT,
    "validated_at": _ABSENT_INSTANT,
    "request_type": _ABSENT_TEXT,
    "paper_mandate_date": _ABSENT_TEXT,
    "phone": _ABSENT_TEXT,
}
"""The columns that may be absent, each with its stand-in."""


def _bound(column: str, value: str = "?") -> str:
    """How ``column`` takes ``value`` (a placeholder): an absent one's stand-in as NULL."""
    return value if column not in _ABSENT else f"NULLIF({value}, {_ABSENT[column]!r})"


_ROW_WIDTH: Final = len(_COLUMNS)
"""The values of one row: its columns (the agreement and the instant it is written are
bound once a statement, not in each row)."""

_ROW_MARKS: Final = f"({', '.join(['?'] * _ROW_WIDTH)})"
"""The placeholders of one row."""

_ROWS_READ: Final = ", ".join(
    _bound(column, f"column{n}") for n, column in enumerate(_COLUMNS, start=1)
)
"""The rows of a ``VALUES`` list as they are written: the stand-ins turned into NULL once
here, not in each row (a statement of 500 rows is then read by SQLite in half the time)."""


def _rows_statement(verb: str, tail: str = "") -> str:
    """A statement writing the rows of a ``VALUES`` list (``{rows}``: their placeholders)
    for an agency, written at an instant: the first two values bound, before the rows'
    (placeholders are numbered as they come; ``?1`` and ``?2`` would be named ones, which
    Python 3.14's sqlite3 refuses to bind from a sequence)."""
    return (
        f"{verb} INTO requests (agreement, {_SELECT}, written_at) "  # noqa: S608 - constant columns, values bound
        f"SELECT ?, {_ROWS_READ}, ? FROM (VALUES {{rows}}){tail}"
    )


_INSERT_NEW: Final = _rows_statement(
    "INSERT", " WHERE true ON CONFLICT (agreement, number) DO NOTHING"
)
"""Copies not held yet (a held number is left alone)."""

_INSERT_ALL: Final = _rows_statement("INSERT")
"""Copies none of which is held (a held number fails the statement, which writes nothing)."""

_REPLACE: Final = _rows_statement("INSERT OR REPLACE")
"""New copies, or copies that replace those held."""

_MOST_ROWS: Final = 500
"""The most rows written by one statement (a page of a sync)."""

_SHARED: Final = 2
"""The values a statement binds once: the agreement and the instant."""


@functools.lru_cache(maxsize=16)
def _rows_sql(template: str, count: int) -> str:
    """``template`` with the placeholders of ``count`` rows."""
    return template.format(rows=", ".join([_ROW_MARKS] * count))


def _write_rows(
    db: sqlite3.Connection, template: str, agreement: str, now: float, rows: Sequence[Row]
) -> int:
    """Write ``rows`` of agency ``agreement`` at ``now`` with ``template`` (one of the
    ``_rows_statement``), as many rows a statement as SQLite binds (a page of a sync at
    once); how many rows were written.

    One statement for a page rather than ``executemany``: Python's sqlite3 lets go of the
    interpreter's lock around each statement it runs, and must take it back after each. Row
    by row, while the threads fetching the next pages hold that lock, each row waited for it:
    one statement a page made a 20,000-request sync 6–12 % faster (half of the wall time of
    its writes was that wait), at the same CPU. The agreement and the instant, the same for
    every row, are bound once.
    """
    written = 0
    for count, values in _by_statement(db, rows):
        written += db.execute(_rows_sql(template, count), (agreement, now, *values)).rowcount
    return written


def _by_statement(
    db: sqlite3.Connection, rows: Sequence[Row]
) -> Iterator[tuple[int, Iterator[Any]]]:
    """``rows`` in as many statements as SQLite binds: each statement's row count and its
    rows' values, one after the other."""
    per_statement = _rows_a_statement(db)
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        yield len(chunk), itertools.chain.from_iterable(chunk)


def _rows_a_statement(db: sqlite3.Connection) -> int:
    """How many rows one statement writes: at most :data:`_MOST_ROWS`, and no more values
    than the connection binds (999 before SQLite 3.32)."""
    bindable = db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - _SHARED
    return max(min(_MOST_ROWS, bindable // _ROW_WIDTH), 1)


@contextlib.contextmanager
def _translated(path: Path, operation: str) -> Iterator[None]:
    """The database's own failures as :class:`~antsclient.StoreError` (an ``AntsError``):
    a file locked by another process past ``busy_timeout``, a full disk, a file that is not
    a store."""
    try:
        yield
    except (sqlite3.Error, UnicodeError) as exc:
        locked = "locked" in str(exc) or "busy" in str(exc)
        raise StoreError(
            f"the SQLite store {str(path)!r} could not {operation}: {exc}",
            code="store.locked" if locked else "store.failed",
            operation=operation,
            message_fr=(
                "La base locale des demandes est occupée par un autre programme ; "
                "réessayez dans un instant."
                if locked
                else f"La base locale des demandes ({path.name}) n'a pas pu être lue ou "
                "mise à jour."
            ),
        ) from exc


def _text(value: str) -> str:
    """A text SQLite can hold: a lone surrogate (which no UTF-8 can write) becomes ``\ufffd``."""
    if value.isascii():
        return value
    return _SURROGATES.sub("\ufffd", value)


def _optional_text(value: str | None) -> str | int:
    """:func:`_text`, or the stand-in of an absent text."""
    return _ABSENT_TEXT if value is None else _text(value)


_SURROGATES: Final = re.compile("[\ud800-\udfff]")


# --- schema and migrations ----------------------------------------------------------------


def _v1(db: sqlite3.Connection) -> None:
    """Version 1: requests (instants in microseconds since the epoch, UTC), sync watermarks
    and students."""
    db.execute(
        """CREATE TABLE requests (
            agreement TEXT NOT NULL,
            number TEXT NOT NULL,
            cerfa TEXT NOT NULL,
            status TEXT NOT NULL,
            status_label TEXT NOT NULL,
            type_label TEXT NOT NULL,
            created INTEGER NOT NULL,
            modified INTEGER NOT NULL,
            transferred INTEGER NOT NULL,
            neph TEXT,
            student_id TEXT,
            applicant_name TEXT,
            email TEXT,
            validated_at INTEGER,
            PRIMARY KEY (agreement, number)
        )"""
    )
    db.execute("CREATE TABLE sync_state (agreement TEXT PRIMARY KEY, watermark INTEGER)")
    db.execute(
        """CREATE TABLE students (
            student_id TEXT PRIMARY KEY,
            last_name TEXT NOT NULL,
            first_name TEXT NOT NULL,
            email TEXT,
            application TEXT
        )"""
    )


def _v2(db: sqlite3.Connection) -> None:
    """Version 2: when each copy was last written (a full sync forgets only copies older
    than itself), the list's order as an index, and folded names for the student search."""
    db.execute("ALTER TABLE requests ADD COLUMN written_at REAL NOT NULL DEFAULT 0")
    db.execute("CREATE INDEX requests_by_modified ON requests (agreement, modified, number)")
    db.execute("ALTER TABLE sync_state ADD COLUMN synced_at REAL")
    db.execute("ALTER TABLE students ADD COLUMN last_key TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE students ADD COLUMN first_key TEXT NOT NULL DEFAULT ''")
    rows = db.execute("SELECT student_id, last_name, first_name FROM students").fetchall()
    db.executemany(
        "UPDATE students SET last_key = ?, first_key = ? WHERE student_id = ?",
        [(fold(last), fold(first), sid) for sid, last, first in rows],
    )
    db.execute("CREATE INDEX students_by_last ON students (last_key)")
    db.execute("CREATE INDEX students_by_first ON students (first_key)")


def _v3(db: sqlite3.Connection) -> None:
    """Version 3: the bordereaux of paper requests (« Bordereaux dossiers »)."""
    for statement in BORDEREAU_TABLES:
        db.execute(statement)


def _v4(db: sqlite3.Connection) -> None:
    """Version 4: the request type, the paper mandate (flag and date) and the student's
    phone."""
    db.execute("ALTER TABLE requests ADD COLUMN request_type TEXT")
    db.execute("ALTER TABLE requests ADD COLUMN paper_mandate INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE requests ADD COLUMN paper_mandate_date TEXT")
    db.execute("ALTER TABLE requests ADD COLUMN phone TEXT")


MIGRATIONS: Final[tuple[Callable[[sqlite3.Connection], None], ...]] = (_v1, _v2, _v3, _v4)
"""Step ``i`` brings a file from version ``i`` to ``i + 1``."""


# --- encoding -----------------------------------------------------------------------------


_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND: Final = dt.timedelta(microseconds=1)


class _Epochs(dict[Any, dt.datetime]):
    """The epoch as an instant of each fixed offset met (``+01:00``, ``+02:00``…), by the
    offset (a ``tzinfo``).

    Python subtracts two instants of one ``tzinfo`` as their wall times, without asking
    either for its offset: from the epoch written in an instant's own fixed offset, its
    distance is found in a third of the time it takes from the UTC epoch (``+01:00`` and
    ``+02:00``: Paris time, as a French server may well write it; a request has two or
    three instants). An
    offset that varies (a ``zoneinfo`` zone) gets the UTC epoch, as does a naive instant —
    which the subtraction then refuses, as before. At most :data:`_MOST_OFFSETS` are kept.
    """

    def __missing__(self, zone: Any) -> dt.datetime:
        if type(zone) is not dt.timezone or len(self) >= _MOST_OFFSETS:
            return _EPOCH
        epoch = self[zone] = _EPOCH.astimezone(zone)
        return epoch


_MOST_OFFSETS: Final = 64
"""The most fixed offsets :data:`_EPOCHS` keeps (a server could write each instant in an
offset of its own)."""

_EPOCHS: Final = _Epochs({dt.UTC: _EPOCH})


def _instant(value: dt.datetime) -> int:
    """Microseconds since the epoch (UTC): exact, compact, and sorted as the instants."""
    try:
        return (value - _EPOCH) // _MICROSECOND
    except TypeError:  # a naive datetime: taken as UTC
        return (value.replace(tzinfo=dt.UTC) - _EPOCH) // _MICROSECOND


def _optional_instant(value: dt.datetime | None) -> int | None:
    return None if value is None else _instant(value)


def _parse_instant(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=value)


def _encode(request: OnlineRequest) -> Row:
    """The row of ``request`` (its columns) — its texts as they are: a text SQLite cannot
    write (a lone surrogate) makes the write fail with ``UnicodeEncodeError``, and the page
    is then written again through :func:`_encode_safe` (checking every text costs a sync
    more)."""
    # ``_value_`` is the member's value without the descriptor ``.value`` goes through: this
    # runs for every request of a sync. Absent values are written as their stand-ins. An
    # instant's microseconds are added up from its distance to the epoch (a normalized
    # timedelta: any days, 0 ≤ seconds < 86,400, 0 ≤ microseconds < 10⁶), exactly what
    # ``// _MICROSECOND`` gives, without turning the divisor into an integer each time.
    created, modified = request.created, request.modified
    since_created = created - _EPOCHS[created.tzinfo]
    since_modified = modified - _EPOCHS[modified.tzinfo]
    neph, student, name, email, validated_at, request_type, mandate, phone = (
        request.neph,
        request.student_id,
        request.applicant_name,
        request.email,
        request.validated_at,
        request.request_type,
        request.paper_mandate_date,
        request.phone,
    )
    validated: int | str = _ABSENT_INSTANT
    if validated_at is not None:
        since = validated_at - _EPOCHS[validated_at.tzinfo]
        validated = (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds
    return (
        request.number,
        request.cerfa._value_,
        request.status._value_,
        request.status_label,
        request.type_label,
        (since_created.days * 86_400 + since_created.seconds) * 1_000_000
        + since_created.microseconds,
        (since_modified.days * 86_400 + since_modified.seconds) * 1_000_000
        + since_modified.microseconds,
        1 if request.transferred else 0,
        0 if neph is None else neph,
        0 if student is None else student,
        0 if name is None else name,
        0 if email is None else email,
        validated,
        0 if request_type is None else request_type._value_,
        1 if request.paper_mandate else 0,
        0 if mandate is None else mandate.isoformat(),
        0 if phone is None else phone,
    )


def _encode_safe(request: OnlineRequest) -> Row:
    """:func:`_encode` for a page it could not write: every text made writable (a lone
    surrogate becomes ``\ufffd``), a naive instant taken as UTC."""
    validated_at, request_type, mandate = (
        request.validated_at,
        request.request_type,
        request.paper_mandate_date,
    )
    return (
        _text(request.number),
        request.cerfa._value_,
        request.status._value_,
        _text(request.status_label),
        _text(request.type_label),
        _instant(request.created),
        _instant(request.modified),
        int(request.transferred),
        _optional_text(request.neph),
        _optional_text(request.student_id),
        _optional_text(request.applicant_name),
        _optional_text(request.email),
        _ABSENT_INSTANT if validated_at is None else _instant(validated_at),
        _ABSENT_TEXT if request_type is None else request_type.value,
        int(request.paper_mandate),
        _ABSENT_TEXT if mandate is None else mandate.isoformat(),
        _optional_text(request.phone),
    )


def _newest_of_each(rows: Sequence[Row]) -> list[Row]:
    """One row per number: the one modified last (the later of equals)."""
    newest: dict[str, Row] = {}
    for row in rows:
        current = newest.get(row[0])
        if current is None or row[6] >= current[6]:
            newest[row[0]] = row
    return list(newest.values())


_SAMPLE: Final = 3
"""How many numbers of a batch are looked up to choose how to merge it."""


def _holds_some(db: sqlite3.Connection, agreement: str, rows: Sequence[Row]) -> bool:
    """Whether the store holds some of a few of the batch's numbers (its first, middle and
    last): a batch of a first sync is all new, one of a later sync or a search mostly held.
    Either way of merging is exact; this only picks the cheaper one."""
    step = max(len(rows) // (_SAMPLE - 1), 1)
    sample = {rows[min(i * step, len(rows) - 1)][0] for i in range(_SAMPLE)}
    marks = ",".join("?" * len(sample))
    found = db.execute(
        f"SELECT EXISTS (SELECT 1 FROM requests WHERE agreement = ? AND number IN ({marks}))",  # noqa: S608 - marks only
        (agreement, *sample),
    ).fetchone()
    return bool(found[0])


_CHANGED: Final = (
    f"SELECT v.column1, held.modified FROM (VALUES {{rows}}) AS v "  # noqa: S608 - constant columns, values bound
    "LEFT JOIN requests AS held ON held.agreement = ? AND held.number = v.column1 "
    f"WHERE held.number IS NULL OR ({', '.join(f'held.{c}' for c in _COLUMNS[1:])}) "
    f"IS NOT ({', '.join(_bound(c, f'v.column{n}') for n, c in enumerate(_COLUMNS[1:], 2))})"
)
"""The rows of a ``VALUES`` list the store does not hold as they are — new, or held with
other values — each with its held copy's ``modified`` (``NULL``: not held). SQLite
compares them, the absent values' stand-ins turned into ``NULL``: an unchanged copy never
comes back into Python."""


def _merge_held(
    db: sqlite3.Connection, agreement: str, now: float, rows: Sequence[Row]
) -> tuple[int, int]:
    """Merge a batch whose copies are mostly held: write only the new ones and those that
    changed (and are not older than the held copy), at ``now``. How many new and updated.

    SQLite finds them (:data:`_CHANGED`): a page of 500 held copies took 1.1 ms instead of
    1.7 when they were read back and compared in Python.
    """
    by_number = {row[0]: row for row in rows}
    changed: list[Row] = []
    new = updated = 0
    for count, values in _by_statement(db, rows):
        for number, held_modified in db.execute(_rows_sql(_CHANGED, count), (*values, agreement)):
            row = by_number[number]
            if held_modified is None:
                new += 1
            elif held_modified > row[6]:
                continue  # older than the copy held: not written
            else:
                updated += 1
            changed.append(row)
    _write_rows(db, _REPLACE, agreement, now, changed)
    return new, updated


class _Unwritable(Exception):
    """A page :func:`_encode` wrote as it is held a text SQLite cannot take."""


@contextlib.contextmanager
def _unwritable() -> Iterator[None]:
    """SQLite's refusal of a text as :class:`_Unwritable` (the page is written again)."""
    try:
        yield
    except UnicodeEncodeError as exc:
        raise _Unwritable from exc


def _decode(row: Row) -> OnlineRequest:
    """The request of a stored row (instants in microseconds, dates as ISO texts)."""
    return _common.request_of_row(row, _parse_instant, dt.date.fromisoformat)


class SqliteStore(SqliteBordereaux):
    """Copies locales des demandes in one SQLite file (the embedded default).

    A :class:`~antsclient.storage.SyncStore`, a :class:`~antsclient.storage.SearchableStore`
    and a :class:`~antsclient.storage.BordereauStore`; ``students`` is a simple
    :class:`~antsclient.storage.StudentDirectory` in the same file. ``busy_timeout`` is how
    long a write waits for another process's (seconds). One connection, shared by threads
    under a lock; use it as a context manager, or call :meth:`close`.
    """

    thread_safe = True
    """Every method may be called from any thread (a sync writes from a worker thread)."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> None:
        self.path: Path = Path(path)
        self._lock = threading.RLock()
        self._filling: set[str] = set()
        """The agencies whose last batch was all new (see :meth:`_insert_alone`)."""
        with _translated(self.path, "open"):
            self._db = sqlite3.connect(
                self.path,
                timeout=busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
                self._prepare(time.monotonic() + busy_timeout)
            except BaseException:
                self._db.close()
                raise
        self._parts = Parts()

    students: Part[SqliteStudents] = Part(lambda: SqliteStudents)
    """A simple student directory in the same file (held weakly: no cycle keeps the store
    open; see :mod:`antsclient._parts`); one assigned replaces it."""

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    # -- plumbing -------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        """The file's schema version."""
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _prepare(self, deadline: float) -> None:
        """WAL mode and the schema. Another handle that is switching the file to WAL or
        migrating it makes SQLite answer "locked" at once, without waiting: tried again
        until ``deadline``."""
        while True:
            try:
                with _translated(self.path, "open"):
                    # Taken by a new file only (an existing one keeps its own): 8 KiB pages
                    # write a sync with fewer WAL frames and splits than 4 KiB (−0.7 µs a
                    # request merged) and read a listing no slower.
                    self._db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                    self._db.execute("PRAGMA journal_mode = WAL")
                    self._db.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
            except StoreError as exc:
                if exc.code != "store.locked" or time.monotonic() >= deadline:
                    raise
                time.sleep(0.005)
            else:
                return

    def _migrate(self) -> None:
        if self.schema_version == SCHEMA_VERSION:
            return
        with self._write() as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                msg = (
                    f"{self.path} has schema version {version}, newer than this antsclient's "
                    f"{SCHEMA_VERSION}: upgrade antsclient"
                )
                raise StoreError(msg, code="store.newer_schema", operation="open")
            for step in MIGRATIONS[version:]:
                step(db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (``BEGIN IMMEDIATE``) so it never deadlocks
        with another process's write; rolled back on any error."""
        with self._lock, _translated(self.path, "write"):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Row]:
        with self._lock, _translated(self.path, "read"):
            return self._db.execute(sql, params).fetchall()

    # -- RequestStore ---------------------------------------------------------------------

    def upsert(self, agreement: str, requests: Iterable[OnlineRequest]) -> None:
        """Insert or replace the local copies of ``requests`` for the agency ``agreement``."""
        self.merge(agreement, list(requests))

    def get(self, agreement: str, number: str) -> OnlineRequest | None:
        """The local copy of request ``number``, if any."""
        rows = self._read(
            f"SELECT {_SELECT} FROM requests WHERE agreement = ? AND number = ?",  # noqa: S608 - constant columns, values bound
            (agreement, number),
        )
        return _decode(rows[0]) if rows else None

    def delete(self, agreement: str, number: str) -> None:
        """Forget request ``number``."""
        with self._write() as db:
            db.execute(
                "DELETE FROM requests WHERE agreement = ? AND number = ?", (agreement, number)
            )

    # -- SyncStore ------------------------------------------------------------------------

    def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        """Insert or replace ``requests`` in one transaction; count new, updated, unchanged."""
        if not requests:
            return MergeResult()
        try:
            return self._merge(agreement, requests, _encode)
        except (_Unwritable, TypeError):  # a text SQLite cannot take, a naive instant
            return self._merge(agreement, requests, _encode_safe)

    def _merge(
        self,
        agreement: str,
        requests: Sequence[OnlineRequest],
        encode: Callable[[OnlineRequest], Row],
    ) -> MergeResult:
        now = time.time()
        rows = list(map(encode, requests))
        if len({row[0] for row in rows}) < len(rows):  # a number twice: its newest copy
            rows = _newest_of_each(rows)
        if agreement in self._filling and len(rows) <= _rows_a_statement(self._db):
            if self._insert_alone(agreement, now, rows):
                return MergeResult(new=len(rows), unchanged=len(requests) - len(rows))
            self._filling.discard(agreement)
        with self._write() as db, _unwritable():
            if _holds_some(db, agreement, rows):
                new, updated = _merge_held(db, agreement, now, rows)
            else:
                # A first sync: new copies inserted without reading anything. Numbers held
                # after all are then merged as a later sync's are (the copies just inserted
                # read back unchanged).
                new = _write_rows(db, _INSERT_NEW, agreement, now, rows)
                updated = 0
                if new < len(rows):
                    updated = _merge_held(db, agreement, now, rows)[1]
        if new == len(rows):
            self._filling.add(agreement)
        return MergeResult(new=new, updated=updated, unchanged=len(requests) - new - updated)

    def _insert_alone(self, agreement: str, now: float, rows: Sequence[Row]) -> bool:
        """Insert ``rows``, all new, in one statement that is its own transaction; false,
        with nothing written, when one of them is held after all.

        While an agency's batches keep being all new (a first sync, page after page), each
        is written this way: no look-up of what is held, no ``BEGIN`` and ``COMMIT`` apart.
        Each statement lets go of the interpreter's lock and must take it back, waiting for
        the threads fetching the next pages: four a page cost a 20,000-request sync ~30 ms
        of such waits. A write statement takes SQLite's write lock before it reads, waiting
        for another writer up to ``busy_timeout``, as ``BEGIN IMMEDIATE`` does; a held
        number makes the whole statement fail and write nothing, so a batch is still written
        in one transaction, whichever way.
        """
        with self._lock, _translated(self.path, "write"), _unwritable():
            try:
                _write_rows(self._db, _INSERT_ALL, agreement, now, rows)
            except sqlite3.IntegrityError:  # a number held: the batch is merged as usual
                return False
        return True

    def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        """Delete the copies not in ``keep`` written before ``before``; how many went."""
        kept = keep if isinstance(keep, Set | Mapping) else set(keep)
        with self._write() as db:
            # Every copy written since the listing began (a first sync): none can be gone,
            # and SQLite says so without a row going through Python.
            older = db.execute(
                "SELECT EXISTS (SELECT 1 FROM requests WHERE agreement = ? AND written_at < ?)",
                (agreement, before),
            ).fetchone()
            if not older[0]:
                return 0
            # The numbers alone come from the primary key's index (a few bytes a copy); the
            # rows themselves are read only for the numbers not kept.
            missing = [
                (agreement, number, before)
                for (number,) in db.execute(
                    "SELECT number FROM requests WHERE agreement = ?", (agreement,)
                )
                if number not in kept
            ]
            if not missing:
                return 0
            return db.executemany(
                "DELETE FROM requests WHERE agreement = ? AND number = ? AND written_at < ?",
                missing,
            ).rowcount

    def watermark(self, agreement: str) -> dt.datetime | None:
        """The watermark of the agency's last complete sync, if any."""
        rows = self._read("SELECT watermark FROM sync_state WHERE agreement = ?", (agreement,))
        if not rows or rows[0][0] is None:
            return None
        return _parse_instant(rows[0][0])

    def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        """Remember (or forget) the agency's watermark."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO sync_state (agreement, watermark, synced_at) "
                "VALUES (?, ?, ?)",
                (agreement, _optional_instant(value), time.time()),
            )

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
        where, params = _common.search_clause(
            agreement,
            mark="?",
            instant=_instant,
            flag=int,
            bucket=bucket,
            cerfa=cerfa,
            number=number,
            created=created,
            modified=modified,
            linked=linked,
        )
        rows = self._read(
            f"SELECT {_SELECT} FROM requests WHERE {where} ORDER BY modified, number",  # noqa: S608 - constant columns, values bound
            params,
        )
        return RequestList(_decode(row) for row in rows)

    def counts(self, agreement: str) -> dict[Cerfa | None, dict[Bucket, int]]:
        """How many local copies each bucket holds, per cerfa and (``None``) in all."""
        rows = self._read(
            "SELECT cerfa, status, transferred, COUNT(*) FROM requests WHERE agreement = ? "
            "GROUP BY cerfa, status, transferred",
            (agreement,),
        )
        return _common.counts_of(
            (CERFA_BY_VALUE[c], STATUS_BY_VALUE.get(s, RequestStatus.UNKNOWN), bool(t), n)
            for c, s, t, n in rows
        )

    def agreements(self) -> list[str]:
        """The agencies the store holds requests of."""
        return [a for (a,) in self._read("SELECT DISTINCT agreement FROM requests ORDER BY 1")]

    def lock_agency(self, agreement: str) -> contextlib.AbstractContextManager[bool]:
        """Hold the agency's sync lock while the block runs (a lock file beside the store's
        file, in ``<file>.locks/``; released when its holder ends, killed or not)."""
        from antsclient.storage.locks import FileLocks  # noqa: PLC0415

        return FileLocks(self.path.with_name(self.path.name + ".locks")).lock_agency(agreement)


def _application_json(application: Application) -> str:
    from antsclient.codec import to_data  # noqa: PLC0415

    return json.dumps({"cerfa": application.cerfa.value, "application": to_data(application)})


def _application_of(text: str | None) -> Application | None:
    if not text:
        return None
    from antsclient.codec import read_application  # noqa: PLC0415

    data = json.loads(text)
    return read_application(data["application"], data.get("cerfa", "02"), strict=False)


class SqliteStudents:
    """A simple student directory in the store's file (the ``students`` table)."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    def _student(self, row: Row) -> Student:
        return Student(
            student_id=row[0],
            last_name=row[1],
            first_name=row[2],
            email=row[3],
            application=_application_of(row[4]),
        )

    def save(self, student: Student) -> Student:
        """Add or replace a student (what the host's own screens do)."""
        application = (
            None if student.application is None else _application_json(student.application)
        )
        with self._store._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO students "
                "(student_id, last_name, first_name, email, application, last_key, first_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    student.student_id,
                    student.last_name,
                    student.first_name,
                    student.email,
                    application,
                    fold(student.last_name),
                    fold(student.first_name),
                ),
            )
        return student

    def search(self, prefix: str, *, limit: int = 20) -> list[Student]:
        """Students whose last or first name starts with ``prefix`` (case and accents
        ignored), by last then first name."""
        key = fold(prefix)
        pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._store._read(
            "SELECT student_id, last_name, first_name, email, application FROM students "
            "WHERE last_key LIKE :pattern ESCAPE '\\' OR first_key LIKE :pattern ESCAPE '\\' "
            "OR (last_key || ' ' || first_key) LIKE :pattern ESCAPE '\\' "
            "OR (first_key || ' ' || last_key) LIKE :pattern ESCAPE '\\' "
            "ORDER BY last_key, first_key LIMIT :limit",
            {"pattern": pattern, "limit": max(limit, 0)},
        )
        # LIKE folds ASCII case only: the folded keys make it exact, this keeps it honest.
        return [self._student(row) for row in rows if _starts(row, key)]

    def get(self, student_id: str) -> Student | None:
        """The student ``student_id``, if any."""
        rows = self._store._read(
            "SELECT student_id, last_name, first_name, email, application FROM students "
            "WHERE student_id = ?",
            (student_id,),
        )
        return self._student(rows[0]) if rows else None

    def update_from_ants(self, student_id: str, application: Application) -> Student:
        """Write every field ANTS holds into the student's file (created if unknown)."""
        applicant = application.applicant
        return self.save(
            Student(
                student_id=student_id,
                last_name=applicant.last_name,
                first_name=applicant.first_name,
                email=applicant.email,
                application=application,
            )
        )


def _starts(row: Row, key: str) -> bool:
    last, first = fold(row[1]), fold(row[2])
    return any(n.startswith(key) for n in (last, first, f"{last} {first}", f"{first} {last}"))
