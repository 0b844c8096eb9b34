"""PostgresStore beyond the contract: its schema, migrations, reports and async flavour."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
from collections.abc import Callable

import pytest

from antsclient.errors import ConfigurationError
from antsclient.models import Bucket, OnlineRequest, RequestStatus
from antsclient.storage import (
    AgencyIndex,
    AgencyLocks,
    AsyncAgencyIndex,
    AsyncAgencyLocks,
    AsyncBordereauStore,
    AsyncSearchableStore,
    AsyncSyncStore,
    BordereauStore,
    StoreError,
)

pytestmark = pytest.mark.postgres
psycopg = pytest.importorskip("psycopg")

from antsclient._store_contract import _bordereau  # noqa: E402
from antsclient.storage import postgres  # noqa: E402
from antsclient.storage.postgres import AsyncPostgresStore, PostgresStore  # noqa: E402

Make = Callable[..., OnlineRequest]
AGENCY = "E1706900030"
Schema = tuple[str, str]


def test_the_tables_are_in_the_schema_with_timestamptz_columns(postgres_schema: Schema) -> None:
    conninfo, schema = postgres_schema
    with PostgresStore(conninfo, schema=schema) as store:
        assert store.schema_version == postgres.SCHEMA_VERSION
        assert repr(store) == f"PostgresStore(schema={schema!r})"
        assert isinstance(store, AgencyIndex)
        assert isinstance(store, AgencyLocks)
        assert isinstance(store, BordereauStore)
    with psycopg.connect(conninfo) as db:
        tables = {
            t for (t,) in db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            )
        }  # fmt: skip
        assert tables == set(postgres.TABLES)
        columns = db.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = %s",
            (schema,),
        ).fetchall()
    types = {(t, c): kind for t, c, kind, _, _ in columns}
    for column in ("created", "modified", "validated_at", "written_at"):
        assert types["requests", column] == "timestamp with time zone", column
    for column in ("request_type", "phone"):
        assert types["requests", column] == "text", column
    assert types["requests", "paper_mandate_date"] == "date"
    mandate = next(c for c in columns if c[:2] == ("requests", "paper_mandate"))
    assert mandate[2:] == ("boolean", "NO", "false")
    assert types["bordereaux", "data"] == "jsonb"
    assert types["bordereaux", "sent_on"] == "date"


def test_an_older_schema_is_migrated_once_by_many_openers(postgres_schema: Schema) -> None:
    conninfo, schema = postgres_schema
    with psycopg.connect(conninfo, autocommit=True) as db:
        for statement in postgres._PREPARE:
            db.execute(statement.format(schema=schema))
        for statement in postgres._migration_sql(schema, 0, 1):
            db.execute(statement)
        db.execute(
            f"INSERT INTO {schema}.requests VALUES ('{AGENCY}', '1', '02', 'BROUILLON', 'b', "
            "'t', now(), now(), false, NULL, NULL, NULL, NULL, NULL, now())"
        )
    with pytest.raises(StoreError, match="migrate it first"):
        PostgresStore(conninfo, schema=schema, migrate=False)

    def open_one(_: int) -> int:
        with PostgresStore(conninfo, schema=schema) as store:
            return store.schema_version

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert set(pool.map(open_one, range(4))) == {postgres.SCHEMA_VERSION}
    with PostgresStore(conninfo, schema=schema, migrate=False) as store:
        kept = store.get(AGENCY, "1")
        assert kept is not None
        assert (kept.request_type, kept.paper_mandate, kept.paper_mandate_date) == (
            None,
            False,
            None,
        )
        assert kept.phone is None
    with psycopg.connect(conninfo) as db:
        versions = [v for (v,) in db.execute(f"SELECT version FROM {schema}.schema_version")]
    assert sorted(versions) == list(range(1, postgres.SCHEMA_VERSION + 1))


def test_a_newer_schema_is_refused(postgres_schema: Schema) -> None:
    conninfo, schema = postgres_schema
    PostgresStore(conninfo, schema=schema).close()
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute(f"INSERT INTO {schema}.schema_version (version) VALUES (99)")
    with pytest.raises(StoreError, match="version 99, newer"):
        PostgresStore(conninfo, schema=schema)
    with pytest.raises(StoreError, match="version 99, newer"):
        asyncio.run(AsyncPostgresStore.open(conninfo, schema=schema))


@pytest.mark.parametrize("schema", ["Public", "a;drop", "", "x" * 64])
def test_a_schema_name_must_be_plain(schema: str) -> None:
    with pytest.raises(ConfigurationError, match="schema") as error:
        PostgresStore("postgresql://nowhere.invalid/db", schema=schema)
    assert error.value.field == "schema"


def test_reports_are_kept_newest_first(postgres_schema: Schema) -> None:
    from antsclient.agency import SyncReport

    conninfo, schema = postgres_schema
    mark = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    with PostgresStore(conninfo, schema=schema) as store:
        store.record_report(SyncReport(agreement=AGENCY, new=3, watermark=mark))
        store.record_report(SyncReport(agreement=AGENCY, error="ANTS injoignable"))
        newest, oldest = store.reports(AGENCY)
    assert (newest["ok"], newest["error"]) == (False, "ANTS injoignable")
    assert (oldest["ok"], oldest["new"], oldest["watermark"]) == (True, 3, mark.isoformat())


def test_the_async_store(postgres_schema: Schema, make_request: Make) -> None:
    from antsclient.agency import SyncReport

    conninfo, schema = postgres_schema

    async def scenario() -> None:
        store = await AsyncPostgresStore.open(conninfo, schema=schema)
        async with store:
            assert isinstance(store, AsyncSyncStore)
            assert isinstance(store, AsyncSearchableStore)
            assert isinstance(store, AsyncAgencyIndex)
            assert isinstance(store, AsyncAgencyLocks)
            assert repr(store) == f"AsyncPostgresStore(schema={schema!r})"
            first, second = make_request("1"), make_request("2", status=RequestStatus.ACCEPTED)
            await store.upsert(AGENCY, [first])
            result = await store.merge(AGENCY, [first, second])
            assert (result.new, result.unchanged) == (1, 1)
            assert await store.merge(AGENCY, []) == type(result)()
            assert await store.get(AGENCY, "2") == second
            assert await store.get(AGENCY, "9") is None
            assert [r.number for r in await store.search(AGENCY, bucket=Bucket.ACCEPTED)] == ["2"]
            assert (await store.counts(AGENCY))[None][Bucket.DRAFTS] == 1
            assert await store.agreements() == [AGENCY]
            assert await store.remove_missing(AGENCY, ["1"], before=float("inf")) == 1
            await store.delete(AGENCY, "1")
            assert await store.search(AGENCY) == []
            mark = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
            await store.set_watermark(AGENCY, mark)
            assert await store.watermark(AGENCY) == mark
            await store.set_watermark(AGENCY, None)
            assert await store.watermark(AGENCY) is None
            async with store.lock_agency(AGENCY) as held, store.lock_agency(AGENCY) as again:
                assert (held, again) == (True, False)
            await store.record_report(SyncReport(agreement=AGENCY))
            assert isinstance(store, AsyncBordereauStore)
            bordereau = _bordereau("17", dt.date(2017, 7, 6))
            await store.save_bordereau(bordereau)
            await store.save_bordereau(_bordereau("16", dt.date(2017, 7, 1), agreement="E2"))
            assert await store.get_bordereau(AGENCY, "17") == bordereau
            assert await store.bordereaux(AGENCY) == [bordereau]
            await store.delete_bordereau(AGENCY, "17")
            assert await store.get_bordereau(AGENCY, "17") is None
            assert await store.bordereaux(AGENCY) == []
        async with AsyncPostgresStore(conninfo, schema=schema) as again:
            assert await again.agreements() == []

    asyncio.run(scenario())
    with PostgresStore(conninfo, schema=schema) as blocking:
        assert [r["ok"] for r in blocking.reports(AGENCY)] == [True]


SYNC_ONE_AGENCY = """
import sys
from antsclient import AntsSession, Credentials, RetryPolicy
from antsclient.storage import PostgresStore

url, conninfo, schema, agreement, login, password = sys.argv[1:]
credentials = Credentials(agreement=agreement, login=login, password=password)
with PostgresStore(conninfo, schema=schema) as store, AntsSession(
    credentials, base_url=url, store=store, retry=RetryPolicy.immediate()
) as session:
    sys.exit(0 if session.requests.sync_all(full=True, concurrency=2).ok else 1)
"""


def test_two_processes_syncing_one_agency_lose_nothing_and_double_nothing(
    postgres_schema: Schema,
) -> None:
    import os
    import subprocess
    import sys

    from antsclient.sandbox import serve

    conninfo, schema = postgres_schema
    PostgresStore(conninfo, schema=schema).close()
    with serve(seed=8) as sb:
        sb.seed_requests(700)
        sb.set_latency(2)
        creds = sb.credentials
        args = [sb.url, conninfo, schema, creds.agreement, creds.login, creds.password.reveal()]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        processes = [
            subprocess.Popen([sys.executable, "-c", SYNC_ONE_AGENCY, *args], env=env)
            for _ in range(2)
        ]
        assert [p.wait(120) for p in processes] == [0, 0]
        server = sorted(sb.requests(creds.agreement), key=lambda r: (r.modified, r.number))
    with PostgresStore(conninfo, schema=schema) as store:
        assert list(store.search(creds.agreement)) == server
    with psycopg.connect(conninfo) as db:
        count = db.execute(f"SELECT count(*) FROM {schema}.requests").fetchone()
    assert count == (len(server),)
