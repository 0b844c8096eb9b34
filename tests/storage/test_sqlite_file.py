"""SqliteStore's file: WAL, versioned schema, a real migration, several writers."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antsclient._store_contract import _request
from antsclient.models import OnlineRequest, RequestStatus, RequestType
from antsclient.storage import MergeResult, SqliteStore, StoreError
from antsclient.storage import sqlite as sqlite_module

AGENCY = "E1706900030"
Make = Callable[..., OnlineRequest]


def test_a_new_file_is_wal_and_at_the_current_version(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.db") as store:
        assert store.schema_version == sqlite_module.SCHEMA_VERSION == 4
        assert repr(store) == f"SqliteStore({str(tmp_path / 's.db')!r})"
    db = sqlite3.connect(tmp_path / "s.db")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA page_size").fetchone()[0] == sqlite_module.PAGE_SIZE == 8192
    finally:
        db.close()


def test_copies_survive_closing_and_reopening(tmp_path: Path, make_request: Make) -> None:
    with SqliteStore(tmp_path / "s.db") as store:
        store.upsert(AGENCY, [make_request("3223")])
        store.set_watermark(AGENCY, dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    with SqliteStore(tmp_path / "s.db") as store:
        assert store.get(AGENCY, "3223") == make_request("3223")
        assert store.watermark(AGENCY) == dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def _version_1_file(path: Path) -> None:
    """A file as the first version of the store wrote it, with data in it."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA page_size = 4096")  # SQLite's usual, before antsclient chose 8 KiB
        db.execute("BEGIN")
        sqlite_module.MIGRATIONS[0](db)
        db.execute(
            "INSERT INTO requests VALUES (?, '3223', '02', 'draft', 'Brouillon', 'Cerfa 02', "
            "?, ?, 0, NULL, 'S1', 'MARTIN Léa', NULL, NULL)",
            (AGENCY, 1_748_764_800_000_000, 1_748_764_800_000_000),
        )
        db.execute("INSERT INTO sync_state VALUES (?, 1748764800000000)", (AGENCY,))
        db.execute(
            "INSERT INTO students (student_id, last_name, first_name) "
            "VALUES ('S1', 'Éléonore', 'Gaëlle')"
        )
        db.execute("PRAGMA user_version = 1")
        db.execute("COMMIT")
    finally:
        db.close()


def test_a_version_1_file_is_migrated_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _version_1_file(path)
    with SqliteStore(path) as store:
        # an existing file keeps the page size it was made with
        assert store._db.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert store.schema_version == sqlite_module.SCHEMA_VERSION
        request = store.get(AGENCY, "3223")
        assert request is not None
        assert request.created == dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)
        assert request.status is RequestStatus.DRAFT
        assert store.watermark(AGENCY) == dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)
        # the new columns work: folded names were filled in by the migration
        assert [s.student_id for s in store.students.search("ELEO")] == ["S1"]
        assert [s.student_id for s in store.students.search("gaelle")] == ["S1"]
        # and a full sync may now forget copies older than itself
        assert store.remove_missing(AGENCY, [], before=1.0) == 1


def test_opening_a_file_twice_at_once_migrates_it_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _version_1_file(path)
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            SqliteStore(path).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with SqliteStore(path) as store:
        assert store.schema_version == sqlite_module.SCHEMA_VERSION


def test_a_file_from_a_newer_antsclient_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with SqliteStore(path):
        pass
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        SqliteStore(path)


def test_a_failed_write_is_rolled_back(tmp_path: Path, make_request: Make) -> None:
    with SqliteStore(tmp_path / "s.db") as store:
        store.upsert(AGENCY, [make_request("1")])

        def fail_midway() -> None:
            with store._write() as db:
                db.execute("DELETE FROM requests")
                raise ZeroDivisionError

        with pytest.raises(ZeroDivisionError):
            fail_midway()
        assert store.get(AGENCY, "1") is not None


def test_two_connections_write_the_same_rows_without_duplicates(
    tmp_path: Path, make_request: Make
) -> None:
    path = tmp_path / "shared.db"
    requests = [make_request(str(n)) for n in range(300)]
    stores = [SqliteStore(path), SqliteStore(path)]
    try:
        threads = [
            threading.Thread(target=lambda s=s: [s.upsert(AGENCY, requests) for _ in range(5)])
            for s in stores
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(stores[0].search(AGENCY)) == 300
    finally:
        for store in stores:
            store.close()


def test_a_version_1_file_keeps_the_paper_mandate_and_request_type_once_migrated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    _version_1_file(path)
    with SqliteStore(path) as store:
        request = store.get(AGENCY, "3223")
        assert request is not None
        assert (request.request_type, request.paper_mandate, request.phone) == (None, False, None)
        filed = attrs.evolve(
            request,
            request_type=RequestType.EXAM_REGISTRATION,
            paper_mandate=True,
            paper_mandate_date=dt.date(2026, 11, 2),
            phone="0612345678",
        )
        store.upsert(AGENCY, [filed])
    with SqliteStore(path) as store:
        assert store.get(AGENCY, "3223") == filed


def test_a_naive_instant_is_stored_as_utc(tmp_path: Path, make_request: Make) -> None:
    naive = dt.datetime(2025, 6, 1, 12, 30)
    with SqliteStore(tmp_path / "s.db") as store:
        store.upsert(AGENCY, [make_request("3223", modified=naive, validated_at=naive)])
        copy = store.get(AGENCY, "3223")
    assert copy is not None
    assert copy.modified == copy.validated_at == naive.replace(tzinfo=dt.UTC)


def test_a_file_another_program_holds_past_the_busy_timeout_is_a_store_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "held.db"
    _version_1_file(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as caught:
            SqliteStore(path, busy_timeout=0.05)
        assert caught.value.code == "store.locked"
        assert "occupée" in (caught.value.message_fr or "")
    finally:
        other.execute("ROLLBACK")
        other.close()
    with SqliteStore(path) as store:  # once released, the file opens and is migrated
        assert store.schema_version == sqlite_module.SCHEMA_VERSION


def test_a_file_another_program_holds_a_moment_opens_once_released(tmp_path: Path) -> None:
    path = tmp_path / "held.db"
    _version_1_file(path)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.2, lambda: (other.execute("ROLLBACK"), other.close()))
    release.start()
    try:
        with SqliteStore(path, busy_timeout=10) as store:  # waits, then opens and migrates
            assert store.schema_version == sqlite_module.SCHEMA_VERSION
    finally:
        release.join()


def test_an_open_answered_locked_at_once_is_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another handle switching the file to WAL makes SQLite answer "locked" without waiting.
    path = tmp_path / "old.db"
    _version_1_file(path)
    migrate = SqliteStore._migrate
    answers = iter(["locked", "locked"])

    def locked_twice(store: SqliteStore) -> None:
        if next(answers, None):
            raise StoreError("database is locked", code="store.locked", operation="open")
        migrate(store)

    monkeypatch.setattr(SqliteStore, "_migrate", locked_twice)
    with SqliteStore(path) as store:
        assert store.schema_version == sqlite_module.SCHEMA_VERSION
    assert next(answers, None) is None  # both refusals were met, then the open went through


@pytest.mark.parametrize("bindable", [999, 32_766])
def test_a_batch_is_written_in_as_many_statements_as_sqlite_binds(
    tmp_path: Path, make_request: Make, bindable: int
) -> None:
    # SQLite before 3.32 binds at most 999 values a statement (the agreement, the instant
    # and 58 rows): a page of 500 is then written in nine statements, its counts and copies
    # the same.
    changed_at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    first = [make_request(f"{n:04}") for n in range(520)]
    later = [
        attrs.evolve(r, status=RequestStatus.UNDER_REVIEW, modified=changed_at) if n % 3 == 0 else r
        for n, r in enumerate(first[260:])
    ] + [make_request(f"9{n:03}") for n in range(7)]
    with SqliteStore(tmp_path / "s.db") as store:
        store._db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, bindable)
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)
        assert store.merge(AGENCY, first) == MergeResult(new=520, updated=0, unchanged=0)
        inserts = [s for s in statements if s.startswith("INSERT INTO requests")]
        per_statement = min(500, (bindable - 2) // sqlite_module._ROW_WIDTH)
        assert len(inserts) == -(-520 // per_statement)
        assert store.merge(AGENCY, later) == MergeResult(new=7, updated=87, unchanged=173)
        store._db.set_trace_callback(None)
        copies = {r.number: r for r in store.search(AGENCY)}
    assert len(copies) == 527
    assert copies == {r.number: r for r in [*first[:260], *later]}
    assert copies["0261"].status is RequestStatus.DRAFT
    assert copies["0260"].status is RequestStatus.UNDER_REVIEW


def test_an_agencys_batches_all_new_are_written_each_in_one_statement(
    tmp_path: Path, make_request: Make
) -> None:
    changed_at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    pages = [[make_request(f"{p}{n:03}") for n in range(100)] for p in range(1, 4)]
    with SqliteStore(tmp_path / "s.db") as store:
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)
        assert store.merge(AGENCY, pages[0]) == MergeResult(new=100)
        assert any(s.startswith("BEGIN IMMEDIATE") for s in statements)
        statements.clear()
        assert store.merge(AGENCY, pages[1]) == MergeResult(new=100)
        # The first batch was all new: the next one is one INSERT, its own transaction.
        assert [s.split(" ", 3)[:3] for s in statements] == [["INSERT", "INTO", "requests"]]
        # A batch with held copies after all is still merged exactly, and the agency is
        # looked up again from then on.
        mixed = [
            *pages[2][:50],
            attrs.evolve(pages[0][0], status=RequestStatus.UNDER_REVIEW, modified=changed_at),
            pages[1][0],
        ]
        assert store.merge(AGENCY, mixed) == MergeResult(new=50, updated=1, unchanged=1)
        statements.clear()
        assert store.merge(AGENCY, pages[2][50:]) == MergeResult(new=50)
        assert any(s.startswith("SELECT EXISTS") for s in statements)
        store._db.set_trace_callback(None)
        copies = {r.number: r for r in store.search(AGENCY)}
    assert len(copies) == 300
    assert copies[pages[0][0].number].status is RequestStatus.UNDER_REVIEW
    # Another agency's first batch is looked up as any first batch is.
    with SqliteStore(tmp_path / "s.db") as store:
        assert store.merge("E0000000001", pages[0]) == MergeResult(new=100)


_OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
_INSTANTS = st.datetimes(min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(2200, 12, 30))
# Every year a datetime holds (one day in from its ends, where an offset could not apply).
_ANY_INSTANT = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30))


@settings(max_examples=300, deadline=None)
@given(
    created=_INSTANTS | _ANY_INSTANT,
    modified=_INSTANTS | _ANY_INSTANT,
    validated=st.none() | _INSTANTS | _ANY_INSTANT,
    zones=st.tuples(
        _OFFSETS | st.just(dt.UTC), _OFFSETS | st.just(dt.UTC), _OFFSETS | st.just(dt.UTC)
    ),
)
def test_an_instant_in_any_fixed_offset_is_encoded_as_its_microseconds_since_the_epoch(
    created: dt.datetime,
    modified: dt.datetime,
    validated: dt.datetime | None,
    zones: tuple[dt.tzinfo, dt.tzinfo, dt.tzinfo],
) -> None:
    # The row's instants are computed from the epoch written in each instant's own offset
    # (a cache of at most _MOST_OFFSETS of them), their microseconds added up from that
    # distance's days, seconds and microseconds: the same as from UTC's, divided exactly.
    request = _request(
        "3223",
        created=created.replace(tzinfo=zones[0]),
        modified=modified.replace(tzinfo=zones[1]),
        validated_at=None if validated is None else validated.replace(tzinfo=zones[2]),
    )
    row = sqlite_module._encode(request)
    assert row == sqlite_module._encode_safe(request)
    assert row[5] == (request.created - sqlite_module._EPOCH) // dt.timedelta(microseconds=1)
    assert row[6] == (request.modified - sqlite_module._EPOCH) // dt.timedelta(microseconds=1)
    validated_at = request.validated_at
    assert row[12] == (
        ""
        if validated_at is None
        else (validated_at - sqlite_module._EPOCH) // dt.timedelta(microseconds=1)
    )
    assert len(sqlite_module._EPOCHS) <= sqlite_module._MOST_OFFSETS


class _ParisLike(dt.tzinfo):
    """A zone whose offset varies, as a zoneinfo one's does: +02:00 from April to
    September, +01:00 otherwise (no system time-zone data needed)."""

    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta:
        summer = moment is not None and 4 <= moment.month <= 9
        return dt.timedelta(hours=2 if summer else 1)

    def dst(self, moment: dt.datetime | None) -> dt.timedelta:
        return self.utcoffset(moment) - dt.timedelta(hours=1)

    def tzname(self, moment: dt.datetime | None) -> str:
        return "CEST" if self.dst(moment) else "CET"


def test_instants_of_a_zone_with_summer_time_are_encoded_from_the_utc_epoch(
    tmp_path: Path, make_request: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A zone's offset may vary: Python subtracts two instants of one zone as their wall
    # times, so the epoch is never written in such a zone (an hour lost across the change).
    paris = _ParisLike()
    epochs = sqlite_module._Epochs({dt.UTC: sqlite_module._EPOCH})  # room left in it
    monkeypatch.setattr(sqlite_module, "_EPOCHS", epochs)
    winter = dt.datetime(2025, 1, 15, 12, 0, tzinfo=paris)
    summer = dt.datetime(2025, 7, 15, 12, 0, tzinfo=paris)
    with SqliteStore(tmp_path / "s.db") as store:
        store.upsert(AGENCY, [make_request("3223", created=winter, modified=summer)])
        copy = store.get(AGENCY, "3223")
    assert copy is not None
    assert copy.created == winter and copy.modified == summer
    assert (
        copy.modified.astimezone(dt.UTC).hour == 10 and copy.created.astimezone(dt.UTC).hour == 11
    )
    assert paris not in epochs
