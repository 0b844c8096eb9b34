"""PostgresStore: the copies of many agencies' requests in PostgreSQL (the ``postgres`` extra).

For a host with many agencies on many machines (web servers and job workers sharing one
database). On psycopg 3 and its connection pool:

* every table lives in one schema (``antsclient`` unless told otherwise), laid out so that a
  host can join it with its own tables (:data:`TABLES`, documented in ``docs/scale.md``);
* instants are ``timestamptz``; copies are keyed by (agreement, number), so two processes
  syncing one agency at once end with each request once;
* a merge is one ``INSERT … ON CONFLICT`` statement in one transaction, and a copy replaces the
  stored one only when it is not older (its ``modified`` instant): a slow writer never puts back
  a stale copy over a newer one;
* the schema is versioned (``schema_version`` table) and migrated forward when the store
  opens, under a transaction-level advisory lock, so that many workers starting at once
  migrate it once; a schema written by a newer antsclient is refused (:class:`StoreError`);
* :meth:`PostgresStore.lock_agency` is a session advisory lock held on a connection of its
  own: two workers never sync one agency at once, and a worker that dies (even killed) drops
  its connection, so the lock goes with it.

:class:`AsyncPostgresStore` is the same store on psycopg's async connections, for
:class:`~antsclient.AsyncAntsSession`.
"""

# SQL is built from the checked schema name and constant columns; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import time
from collections.abc import (
    AsyncIterator,
    Callable,
    Collection,
    Iterable,
    Iterator,
    Sequence,
)
from typing import TYPE_CHECKING, Any, Final

import attrs

from antsclient._parts import Part, Parts
from antsclient._text import fold
from antsclient.errors import ConfigurationError
from antsclient.export import RequestList
from antsclient.models import (
    Application,
    Bucket,
    Cerfa,
    OnlineRequest,
    RequestStatus,
)
from antsclient.models.paper import Bordereau
from antsclient.models.request import CERFA_BY_VALUE, ONLINE_REQUEST_FIELDS, STATUS_BY_VALUE
from antsclient.models.window import DateWindow
from antsclient.storage import memory as _common
from antsclient.storage.paper import bordereau_data, bordereau_of
from antsclient.storage.protocols import MergeResult, Student

if TYPE_CHECKING:
    import psycopg
    import psycopg_pool

    from antsclient._report import SyncReport

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "TABLES",
    "AsyncPostgresStore",
    "PostgresStore",
    "PostgresStudents",
]

SCHEMA_VERSION: Final = 3
"""The schema this version of antsclient writes; an older one is migrated on open."""

TABLES: Final = (
    "schema_version",
    "requests",
    "sync_state",
    "students",
    "sync_runs",
    "bordereaux",
)
"""The tables the store keeps in its schema."""

_COLUMN_TYPES: Final = {
    "number": "text",
    "cerfa": "text",
    "status": "text",
    "status_label": "text",
    "type_label": "text",
    "created": "timestamptz",
    "modified": "timestamptz",
    "transferred": "boolean",
    "neph": "text",
    "student_id": "text",
    "applicant_name": "text",
    "email": "text",
    "validated_at": "timestamptz",
    "request_type": "text",
    "paper_mandate": "boolean",
    "paper_mandate_date": "date",
    "phone": "text",
}
_COLUMNS: Final = ONLINE_REQUEST_FIELDS
_TYPES: Final = tuple(_COLUMN_TYPES[c] for c in _COLUMNS)  # a field without a type: KeyError
_SELECT: Final = ", ".join(_COLUMNS)
_IDENTIFIER: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")

Row = tuple[Any, ...]


def _store_error(message: str) -> Exception:
    from antsclient.storage import StoreError  # noqa: PLC0415 - one StoreError for every store

    return StoreError(message)


# --- schema and migrations ----------------------------------------------------------------


def _v1(schema: str) -> list[str]:
    """Version 1: requests, sync watermarks and students."""
    return [
        f"""CREATE TABLE {schema}.requests (
            agreement text NOT NULL,
            number text NOT NULL,
            cerfa text NOT NULL,
            status text NOT NULL,
            status_label text NOT NULL,
            type_label text NOT NULL,
            created timestamptz NOT NULL,
            modified timestamptz NOT NULL,
            transferred boolean NOT NULL,
            neph text,
            student_id text,
            applicant_name text,
            email text,
            validated_at timestamptz,
            written_at timestamptz NOT NULL,
            PRIMARY KEY (agreement, number)
        )""",
        f"CREATE INDEX requests_by_modified ON {schema}.requests (agreement, modified, number)",
        f"CREATE INDEX requests_by_student ON {schema}.requests (student_id)",
        f"""CREATE TABLE {schema}.sync_state (
            agreement text PRIMARY KEY,
            watermark timestamptz,
            synced_at timestamptz NOT NULL
        )""",
        f"""CREATE TABLE {schema}.students (
            student_id text PRIMARY KEY,
            last_name text NOT NULL,
            first_name text NOT NULL,
            email text,
            application jsonb,
            last_key text NOT NULL,
            first_key text NOT NULL
        )""",
        f"CREATE INDEX students_by_last ON {schema}.students (last_key text_pattern_ops)",
        f"CREATE INDEX students_by_first ON {schema}.students (first_key text_pattern_ops)",
    ]


def _v2(schema: str) -> list[str]:
    """Version 2: the reports of agency syncs run as jobs."""
    return [
        f"""CREATE TABLE {schema}.sync_runs (
            id bigserial PRIMARY KEY,
            agreement text NOT NULL,
            finished_at timestamptz NOT NULL DEFAULT now(),
            ok boolean NOT NULL,
            report jsonb NOT NULL
        )""",
        f"CREATE INDEX sync_runs_by_agreement ON {schema}.sync_runs (agreement, id)",
    ]


def _v3(schema: str) -> list[str]:
    """Version 3: the request type, the paper mandate (flag and date of signature) and the
    student's phone; the bordereaux of paper requests (« Bordereaux dossiers »)."""
    return [
        f"""ALTER TABLE {schema}.requests
            ADD COLUMN request_type text,
            ADD COLUMN paper_mandate boolean NOT NULL DEFAULT false,
            ADD COLUMN paper_mandate_date date,
            ADD COLUMN phone text""",
        f"""CREATE TABLE {schema}.bordereaux (
            agreement text NOT NULL,
            number text NOT NULL,
            sent_on date NOT NULL,
            requests integer NOT NULL,
            data jsonb NOT NULL,
            PRIMARY KEY (agreement, number)
        )""",
        f"CREATE INDEX bordereaux_by_date ON {schema}.bordereaux (agreement, sent_on, number)",
    ]


MIGRATIONS: Final[tuple[Callable[[str], list[str]], ...]] = (_v1, _v2, _v3)
"""Step ``i`` brings a schema from version ``i`` to ``i + 1`` (its SQL statements)."""


def _migration_sql(schema: str, version: int, target: int) -> list[str]:
    statements: list[str] = []
    for number, step in enumerate(MIGRATIONS[version:target], start=version + 1):
        statements += step(schema)
        statements.append(f"INSERT INTO {schema}.schema_version (version) VALUES ({number})")
    return statements


_PREPARE: Final = (
    "CREATE SCHEMA IF NOT EXISTS {schema}",
    "CREATE TABLE IF NOT EXISTS {schema}.schema_version ("
    "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
)


def _check_version(schema: str, version: int, target: int) -> None:
    if version > target:
        msg = (
            f"the schema {schema} has version {version}, newer than this antsclient's "
            f"{target}: upgrade antsclient"
        )
        raise _store_error(msg)


# --- encoding -----------------------------------------------------------------------------


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _encode(request: OnlineRequest) -> Row:
    return (
        request.number,
        request.cerfa.value,
        request.status.value,
        request.status_label,
        request.type_label,
        _aware(request.created),
        _aware(request.modified),
        request.transferred,
        request.neph,
        request.student_id,
        request.applicant_name,
        request.email,
        None if request.validated_at is None else _aware(request.validated_at),
        None if request.request_type is None else request.request_type.value,
        request.paper_mandate,
        request.paper_mandate_date,
        request.phone,
    )


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _day(value: dt.date) -> dt.date:
    return value


def _decode(row: Row) -> OnlineRequest:
    """The request of a stored row (instants as PostgreSQL gives them, read in UTC)."""
    return _common.request_of_row(row, _utc, _day)


def _newest(requests: Iterable[OnlineRequest]) -> list[Row]:
    """One row per number (the newest copy, the later one on a tie), ordered by number so
    that concurrent merges lock rows in one order and never deadlock."""
    rows: dict[str, Row] = {}
    for request in requests:
        row = _encode(request)
        current = rows.get(row[0])
        if current is None or current[6] <= row[6]:
            rows[row[0]] = row
    return [rows[number] for number in sorted(rows)]


# --- the SQL both flavours run -----------------------------------------------------------


class _Sql:
    """Every statement of the store, for one schema."""

    def __init__(self, schema: str) -> None:
        if not _IDENTIFIER.fullmatch(schema):
            raise ConfigurationError(
                f"schema {schema!r} is not a plain lower-case SQL name",
                field="schema",
                message_fr="Le nom du schéma PostgreSQL n'est pas valide.",
            )
        s = self.schema = schema
        unnest = ", ".join(f"%s::{t}[]" for t in _TYPES)
        assign = ", ".join(f"{c} = excluded.{c}" for c in (*_COLUMNS[1:], "written_at"))
        differs = " OR ".join(f"r.{c} IS DISTINCT FROM excluded.{c}" for c in _COLUMNS[1:])
        self.merge = (
            f"INSERT INTO {s}.requests AS r (agreement, {_SELECT}, written_at) "
            f"SELECT %s, u.*, to_timestamp(%s) FROM unnest({unnest}) AS u "
            f"ON CONFLICT (agreement, number) DO UPDATE SET {assign} "
            f"WHERE r.modified <= excluded.modified AND ({differs}) "
            "RETURNING (xmax = 0)"
        )
        self.get = f"SELECT {_SELECT} FROM {s}.requests WHERE agreement = %s AND number = %s"
        self.delete = f"DELETE FROM {s}.requests WHERE agreement = %s AND number = %s"
        self.remove_missing = (
            f"DELETE FROM {s}.requests WHERE agreement = %s AND written_at < to_timestamp(%s) "
            "AND NOT (number = ANY(%s::text[]))"
        )
        self.watermark = f"SELECT watermark FROM {s}.sync_state WHERE agreement = %s"
        self.set_watermark = (
            f"INSERT INTO {s}.sync_state (agreement, watermark, synced_at) "
            "VALUES (%s, %s, now()) ON CONFLICT (agreement) DO UPDATE "
            "SET watermark = excluded.watermark, synced_at = excluded.synced_at"
        )
        self.counts = (
            f"SELECT cerfa, status, transferred, count(*) FROM {s}.requests "
            "WHERE agreement = %s GROUP BY cerfa, status, transferred"
        )
        self.agreements = f"SELECT DISTINCT agreement FROM {s}.requests ORDER BY 1"
        self.lock = "SELECT pg_try_advisory_lock(hashtext(%s), hashtext(%s))"
        self.unlock = "SELECT pg_advisory_unlock(hashtext(%s), hashtext(%s))"
        self.record = (
            f"INSERT INTO {s}.sync_runs (agreement, ok, report) VALUES (%s, %s, %s::jsonb)"
        )
        self.reports = (
            f"SELECT report FROM {s}.sync_runs WHERE agreement = %s ORDER BY id DESC LIMIT %s"
        )
        self.save_bordereau = (
            f"INSERT INTO {s}.bordereaux (agreement, number, sent_on, requests, data) "
            "VALUES (%s, %s, %s, %s, %s::jsonb) ON CONFLICT (agreement, number) DO UPDATE SET "
            "sent_on = excluded.sent_on, requests = excluded.requests, data = excluded.data"
        )
        self.get_bordereau = f"SELECT data FROM {s}.bordereaux WHERE agreement = %s AND number = %s"
        self.bordereaux = (
            f"SELECT data FROM {s}.bordereaux WHERE agreement = %s ORDER BY sent_on, number"
        )
        self.delete_bordereau = f"DELETE FROM {s}.bordereaux WHERE agreement = %s AND number = %s"
        self.version = f"SELECT coalesce(max(version), 0) FROM {s}.schema_version"
        self.prepare = [p.format(schema=s) for p in _PREPARE]
        self.migration_lock = "SELECT pg_advisory_xact_lock(hashtext(%s), 0)"

    def merge_params(self, agreement: str, rows: Sequence[Row], now: float) -> list[Any]:
        return [agreement, now, *(list(column) for column in zip(*rows, strict=True))]

    def search(
        self,
        agreement: str,
        *,
        bucket: Bucket | None,
        cerfa: Cerfa | None,
        number: str | None,
        created: DateWindow | None,
        modified: DateWindow | None,
        linked: bool | None,
    ) -> tuple[str, list[Any]]:
        where, params = _common.search_clause(
            agreement,
            mark="%s",
            instant=_aware,
            flag=bool,
            bucket=bucket,
            cerfa=cerfa,
            number=number,
            created=created,
            modified=modified,
            linked=linked,
        )
        sql = (
            f"SELECT {_SELECT} FROM {self.schema}.requests WHERE {where} ORDER BY modified, number"
        )
        return sql, params


def _bordereau_params(bordereau: Bordereau) -> tuple[Any, ...]:
    data = json.dumps(bordereau_data(bordereau), ensure_ascii=False)
    return (bordereau.agreement, bordereau.number, bordereau.date, len(bordereau), data)


def _merge_result(flags: Sequence[Row], total: int) -> MergeResult:
    new = sum(1 for (inserted,) in flags if inserted)
    updated = len(flags) - new
    return MergeResult(new=new, updated=updated, unchanged=total - new - updated)


def _counts(rows: Iterable[Row]) -> dict[Cerfa | None, dict[Bucket, int]]:
    return _common.counts_of(
        (CERFA_BY_VALUE[c], STATUS_BY_VALUE.get(s, RequestStatus.UNKNOWN), bool(t), int(n))
        for c, s, t, n in rows
    )


def _report_json(report: SyncReport) -> str:
    """A sync report (:class:`~antsclient.agency.SyncReport`) as JSON, with its ``ok``."""
    data = {field.name: getattr(report, field.name) for field in attrs.fields(type(report))}
    data["ok"] = bool(report.ok)
    return json.dumps(data, default=lambda value: value.isoformat())


def _require() -> None:
    try:
        import psycopg  # noqa: F401, PLC0415
        import psycopg_pool  # noqa: F401, PLC0415
    except ImportError:  # pragma: no cover - the extra is installed wherever tests run
        msg = "PostgresStore needs psycopg 3 and its pool: pip install 'antsclient[postgres]'"
        raise ImportError(msg) from None


# --- the blocking store -----------------------------------------------------------------


class PostgresStore:
    """Copies locales des demandes in PostgreSQL, for many agencies on many machines.

    A :class:`~antsclient.storage.SyncStore`, a :class:`~antsclient.storage.SearchableStore`,
    an :class:`~antsclient.storage.AgencyIndex`, :class:`~antsclient.storage.AgencyLocks`
    and a :class:`~antsclient.storage.BordereauStore`;
    ``students`` is a :class:`~antsclient.storage.StudentDirectory` in the same schema.
    ``conninfo`` is a libpq connection string (``"postgresql://user@host/db"``); ``schema``
    the schema of its tables; ``min_size``/``max_size`` bound its connection pool. The
    schema is created or migrated when the store opens (``migrate=False`` only checks it).
    Safe for many threads; use it as a context manager, or call :meth:`close`.
    """

    thread_safe = True
    """Every method may be called from any thread (each call takes a pooled connection)."""

    def __init__(
        self,
        conninfo: str,
        *,
        schema: str = "antsclient",
        min_size: int = 1,
        max_size: int = 4,
        migrate: bool = True,
    ) -> None:
        _require()
        from psycopg_pool import ConnectionPool  # noqa: PLC0415

        self._sql = _Sql(schema)
        self.schema = schema
        self._conninfo = conninfo
        self._pool: psycopg_pool.ConnectionPool[Any] = ConnectionPool(
            conninfo, min_size=min_size, max_size=max_size, open=True, name="antsclient"
        )
        try:
            self._open(migrate=migrate)
        except BaseException:
            self._pool.close()
            raise
        self._parts = Parts()

    students: Part[PostgresStudents] = Part(lambda: PostgresStudents)
    """A simple student directory in the same schema (held weakly: no cycle keeps the store
    open; see :mod:`antsclient._parts`); one assigned replaces it."""

    def __repr__(self) -> str:
        return f"PostgresStore(schema={self.schema!r})"

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection of the pool."""
        self._pool.close()

    # -- plumbing -------------------------------------------------------------------------

    def _open(self, *, migrate: bool) -> None:
        with self._pool.connection() as db:
            for statement in self._sql.prepare if migrate else ():
                with contextlib.suppress(Exception), db.transaction():
                    db.execute(statement)  # two workers creating it at once: one wins
            with db.transaction():
                db.execute(self._sql.migration_lock, (self.schema,))
                version = int(_one(db.execute(self._sql.version)))
                _check_version(self.schema, version, SCHEMA_VERSION)
                if version < SCHEMA_VERSION and not migrate:
                    msg = f"the schema {self.schema} has version {version}: migrate it first"
                    raise _store_error(msg)
                for statement in _migration_sql(self.schema, version, SCHEMA_VERSION):
                    db.execute(statement)

    @property
    def schema_version(self) -> int:
        """The schema's version."""
        with self._pool.connection() as db:
            return int(_one(db.execute(self._sql.version)))

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._pool.connection() as db:
            rows: list[Row] = db.execute(sql, params).fetchall()
            return rows

    def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._pool.connection() as db:
            count: int = db.execute(sql, params).rowcount
            return count

    # -- RequestStore / SyncStore ---------------------------------------------------------

    def upsert(self, agreement: str, requests: Iterable[OnlineRequest]) -> None:
        """Insert or replace the local copies of ``requests`` (never by an older copy)."""
        self.merge(agreement, list(requests))

    def get(self, agreement: str, number: str) -> OnlineRequest | None:
        """The local copy of request ``number``, if any."""
        rows = self._rows(self._sql.get, (agreement, number))
        return _decode(rows[0]) if rows else None

    def delete(self, agreement: str, number: str) -> None:
        """Forget request ``number``."""
        self._run(self._sql.delete, (agreement, number))

    def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        """Write ``requests`` in one statement; count new, updated and unchanged copies (an
        older copy than the stored one counts as unchanged and is not written)."""
        if not requests:
            return MergeResult()
        rows = _newest(requests)
        params = self._sql.merge_params(agreement, rows, time.time())
        flags = self._rows(self._sql.merge, params)
        return _merge_result(flags, len(requests))

    def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        """Delete the copies not in ``keep`` written before ``before``; how many went."""
        return self._run(self._sql.remove_missing, (agreement, before, list(keep)))

    def watermark(self, agreement: str) -> dt.datetime | None:
        """The watermark of the agency's last complete sync, if any."""
        rows = self._rows(self._sql.watermark, (agreement,))
        return None if not rows or rows[0][0] is None else rows[0][0].astimezone(dt.UTC)

    def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        """Remember (or forget) the agency's watermark."""
        self._run(self._sql.set_watermark, (agreement, None if value is None else _aware(value)))

    # -- SearchableStore, AgencyIndex -----------------------------------------------------

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
        sql, params = self._sql.search(
            agreement,
            bucket=bucket,
            cerfa=cerfa,
            number=number,
            created=created,
            modified=modified,
            linked=linked,
        )
        return RequestList(_decode(row) for row in self._rows(sql, params))

    def counts(self, agreement: str) -> dict[Cerfa | None, dict[Bucket, int]]:
        """How many local copies each bucket holds, per cerfa and (``None``) in all."""
        return _counts(self._rows(self._sql.counts, (agreement,)))

    def agreements(self) -> list[str]:
        """The agencies the store holds requests of."""
        return [a for (a,) in self._rows(self._sql.agreements)]

    # -- AgencyLocks, reports -------------------------------------------------------------

    @contextlib.contextmanager
    def lock_agency(self, agreement: str) -> Iterator[bool]:
        """Hold the agency's sync lock while the block runs: yields whether it was had
        (``False`` at once when another worker holds it). The lock lives on a connection of
        its own, so a worker that dies releases it with its connection."""
        import psycopg  # noqa: PLC0415

        key = (self.schema, agreement)
        with psycopg.connect(self._conninfo, autocommit=True) as db:
            held = bool(_one(db.execute(self._sql.lock, key)))
            try:
                yield held
            finally:
                if held and not db.closed:
                    db.execute(self._sql.unlock, key)

    def record_report(self, report: SyncReport) -> None:
        """Keep the report of an agency's sync (the ``sync_runs`` table)."""
        self._run(self._sql.record, (report.agreement, report.ok, _report_json(report)))

    def reports(self, agreement: str, *, limit: int = 10) -> list[dict[str, Any]]:
        """The agency's last sync reports, newest first, as JSON data."""
        return [r for (r,) in self._rows(self._sql.reports, (agreement, limit))]

    # -- BordereauStore -------------------------------------------------------------------

    def save_bordereau(self, bordereau: Bordereau) -> None:
        """Insert or replace ``bordereau`` (by agency and number), its paper requests as
        ``jsonb``."""
        self._run(self._sql.save_bordereau, _bordereau_params(bordereau))

    def get_bordereau(self, agreement: str, number: str) -> Bordereau | None:
        """The agency's bordereau ``number``, if any."""
        rows = self._rows(self._sql.get_bordereau, (agreement, number))
        return bordereau_of(rows[0][0]) if rows else None

    def bordereaux(self, agreement: str) -> list[Bordereau]:
        """The agency's bordereaux, by date then number."""
        return [bordereau_of(data) for (data,) in self._rows(self._sql.bordereaux, (agreement,))]

    def delete_bordereau(self, agreement: str, number: str) -> None:
        """Forget the agency's bordereau ``number``."""
        self._run(self._sql.delete_bordereau, (agreement, number))


def _one(cursor: psycopg.Cursor[Any] | Any) -> Any:
    row = cursor.fetchone()
    assert row is not None
    return row[0]


# --- students -----------------------------------------------------------------------------


def _student(row: Row) -> Student:
    application: Application | None = None
    if row[4]:
        from antsclient.codec import read_application  # noqa: PLC0415

        data = row[4]
        application = read_application(data["application"], data["cerfa"], strict=False)
    return Student(
        student_id=row[0],
        last_name=row[1],
        first_name=row[2],
        email=row[3],
        application=application,
    )


def _starts(student: Student, key: str) -> bool:
    last, first = fold(student.last_name), fold(student.first_name)
    return any(n.startswith(key) for n in (last, first, f"{last} {first}", f"{first} {last}"))


class PostgresStudents:
    """A simple student directory in the store's schema (the ``students`` table)."""

    _COLUMNS = "student_id, last_name, first_name, email, application"

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        s = store.schema
        self._save = (
            f"INSERT INTO {s}.students ({self._COLUMNS}, last_key, first_key) "
            "VALUES (%s, %s, %s, %s, %s::jsonb, %s, %s) ON CONFLICT (student_id) DO UPDATE SET "
            "last_name = excluded.last_name, first_name = excluded.first_name, "
            "email = excluded.email, application = excluded.application, "
            "last_key = excluded.last_key, first_key = excluded.first_key"
        )
        self._search = (
            f"SELECT {self._COLUMNS} FROM {s}.students WHERE "
            "last_key LIKE %(p)s OR first_key LIKE %(p)s OR (last_key || ' ' || first_key) LIKE "
            "%(p)s OR (first_key || ' ' || last_key) LIKE %(p)s "
            "ORDER BY last_key, first_key LIMIT %(limit)s"
        )
        self._get = f"SELECT {self._COLUMNS} FROM {s}.students WHERE student_id = %s"

    def save(self, student: Student) -> Student:
        """Add or replace a student (what the host's own screens do)."""
        application = None
        if student.application is not None:
            from antsclient.codec import to_data  # noqa: PLC0415

            data = {
                "cerfa": student.application.cerfa.value,
                "application": to_data(student.application),
            }
            application = json.dumps(data)
        self._store._run(
            self._save,
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
        rows = self._store._rows(self._search, {"p": pattern, "limit": max(limit, 0)})  # type: ignore[arg-type]
        return [s for s in map(_student, rows) if _starts(s, key)]

    def get(self, student_id: str) -> Student | None:
        """The student ``student_id``, if any."""
        rows = self._store._rows(self._get, (student_id,))
        return _student(rows[0]) if rows else None

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


# --- the async store ----------------------------------------------------------------------


class AsyncPostgresStore:
    """:class:`PostgresStore` on psycopg's async connections: every method a coroutine, for
    :class:`~antsclient.AsyncAntsSession` (an :class:`~antsclient.storage.AsyncSyncStore`,
    :class:`~antsclient.storage.AsyncSearchableStore`,
    :class:`~antsclient.storage.AsyncAgencyIndex` and
    :class:`~antsclient.storage.AsyncBordereauStore`).

    Open it with ``await AsyncPostgresStore.open(conninfo)`` or ``async with
    AsyncPostgresStore(conninfo) as store``, which migrates the schema as
    :class:`PostgresStore` does; close it with :meth:`close` (once closed, it stays closed).
    """

    def __init__(
        self, conninfo: str, *, schema: str = "antsclient", min_size: int = 1, max_size: int = 4
    ) -> None:
        _require()
        from psycopg_pool import AsyncConnectionPool  # noqa: PLC0415

        self._sql = _Sql(schema)
        self.schema = schema
        self._conninfo = conninfo
        self._pool: psycopg_pool.AsyncConnectionPool[Any] = AsyncConnectionPool(
            conninfo, min_size=min_size, max_size=max_size, open=False, name="antsclient-async"
        )
        self._started = False

    @classmethod
    async def open(
        cls, conninfo: str, *, schema: str = "antsclient", min_size: int = 1, max_size: int = 4
    ) -> AsyncPostgresStore:
        """The store, its pool open and its schema migrated."""
        store = cls(conninfo, schema=schema, min_size=min_size, max_size=max_size)
        await store._start()
        return store

    async def _start(self) -> None:
        self._started = True
        await self._pool.open()
        try:
            # The migration is the blocking store's, run once in a worker thread.
            import asyncio  # noqa: PLC0415

            await asyncio.to_thread(self._migrate)
        except BaseException:
            await self._pool.close()
            raise

    def _migrate(self) -> None:
        PostgresStore(self._conninfo, schema=self.schema, max_size=1).close()

    def __repr__(self) -> str:
        return f"AsyncPostgresStore(schema={self.schema!r})"

    async def __aenter__(self) -> AsyncPostgresStore:
        if not self._started:
            await self._start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close every connection of the pool."""
        await self._pool.close()

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._pool.connection() as db:
            cursor = await db.execute(sql, params)
            rows: list[Row] = await cursor.fetchall()
            return rows

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._pool.connection() as db:
            count: int = (await db.execute(sql, params)).rowcount
            return count

    async def upsert(self, agreement: str, requests: Iterable[OnlineRequest]) -> None:
        """Insert or replace the local copies of ``requests`` (never by an older copy)."""
        await self.merge(agreement, list(requests))

    async def get(self, agreement: str, number: str) -> OnlineRequest | None:
        """The local copy of request ``number``, if any."""
        rows = await self._rows(self._sql.get, (agreement, number))
        return _decode(rows[0]) if rows else None

    async def delete(self, agreement: str, number: str) -> None:
        """Forget request ``number``."""
        await self._run(self._sql.delete, (agreement, number))

    async def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        """Write ``requests`` in one statement; count new, updated and unchanged copies."""
        if not requests:
            return MergeResult()
        rows = _newest(requests)
        flags = await self._rows(
            self._sql.merge, self._sql.merge_params(agreement, rows, time.time())
        )
        return _merge_result(flags, len(requests))

    async def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        """Delete the copies not in ``keep`` written before ``before``; how many went."""
        return await self._run(self._sql.remove_missing, (agreement, before, list(keep)))

    async def watermark(self, agreement: str) -> dt.datetime | None:
        """The watermark of the agency's last complete sync, if any."""
        rows = await self._rows(self._sql.watermark, (agreement,))
        return None if not rows or rows[0][0] is None else rows[0][0].astimezone(dt.UTC)

    async def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        """Remember (or forget) the agency's watermark."""
        await self._run(
            self._sql.set_watermark, (agreement, None if value is None else _aware(value))
        )

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
        """Rechercher des demandes offline, ordered by (modified, number) like ANTS."""
        sql, params = self._sql.search(
            agreement,
            bucket=bucket,
            cerfa=cerfa,
            number=number,
            created=created,
            modified=modified,
            linked=linked,
        )
        return RequestList(_decode(row) for row in await self._rows(sql, params))

    async def counts(self, agreement: str) -> dict[Cerfa | None, dict[Bucket, int]]:
        """How many local copies each bucket holds, per cerfa and (``None``) in all."""
        return _counts(await self._rows(self._sql.counts, (agreement,)))

    async def agreements(self) -> list[str]:
        """The agencies the store holds requests of."""
        return [a for (a,) in await self._rows(self._sql.agreements)]

    @contextlib.asynccontextmanager
    async def lock_agency(self, agreement: str) -> AsyncIterator[bool]:
        """:meth:`PostgresStore.lock_agency`, awaited."""
        import psycopg  # noqa: PLC0415

        key = (self.schema, agreement)
        async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as db:
            row = await (await db.execute(self._sql.lock, key)).fetchone()
            held = bool(row and row[0])
            try:
                yield held
            finally:
                if held and not db.closed:
                    await db.execute(self._sql.unlock, key)

    async def record_report(self, report: SyncReport) -> None:
        """Keep the report of an agency's sync (the ``sync_runs`` table)."""
        await self._run(self._sql.record, (report.agreement, report.ok, _report_json(report)))

    async def save_bordereau(self, bordereau: Bordereau) -> None:
        """Insert or replace ``bordereau`` (by agency and number)."""
        await self._run(self._sql.save_bordereau, _bordereau_params(bordereau))

    async def get_bordereau(self, agreement: str, number: str) -> Bordereau | None:
        """The agency's bordereau ``number``, if any."""
        rows = await self._rows(self._sql.get_bordereau, (agreement, number))
        return bordereau_of(rows[0][0]) if rows else None

    async def bordereaux(self, agreement: str) -> list[Bordereau]:
        """The agency's bordereaux, by date then number."""
        rows = await self._rows(self._sql.bordereaux, (agreement,))
        return [bordereau_of(data) for (data,) in rows]

    async def delete_bordereau(self, agreement: str, number: str) -> None:
        """Forget the agency's bordereau ``number``."""
        await self._run(self._sql.delete_bordereau, (agreement, number))
