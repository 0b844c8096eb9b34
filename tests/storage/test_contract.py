"""The store contract (``antsclient.testing.StoreContract``) on every shipped store."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from antsclient.models import OnlineRequest
from antsclient.storage import MemoryStore, SqliteStore
from antsclient.testing import StoreContract

AGENCY = "E1706900030"
PREVIOUS_COLUMNS = 13
"""The request columns the previous version of each store kept (up to ``validated_at``)."""


class TestMemoryStore(StoreContract):
    persistent = False

    @pytest.fixture
    def open_store(self) -> Callable[[], Any]:
        shared = MemoryStore()
        return lambda: shared


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def open_store(self, tmp_path: Path) -> Callable[[], Any]:
        return lambda: SqliteStore(tmp_path / "store.db")

    @pytest.fixture
    def write_previous(self, tmp_path: Path) -> Callable[[list[OnlineRequest]], None]:
        from antsclient.storage import sqlite

        def write(requests: list[OnlineRequest]) -> None:
            previous = sqlite.SCHEMA_VERSION - 1
            db = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
            try:
                for step in sqlite.MIGRATIONS[:previous]:
                    step(db)
                db.execute(f"PRAGMA user_version = {previous}")
                columns = ", ".join(sqlite._COLUMNS[:PREVIOUS_COLUMNS])
                marks = ", ".join(map(sqlite._bound, sqlite._COLUMNS[:PREVIOUS_COLUMNS]))
                db.executemany(
                    f"INSERT INTO requests (agreement, {columns}, written_at) "
                    f"VALUES (?, {marks}, ?)",
                    [
                        (
                            AGENCY,
                            *sqlite._encode(r)[:PREVIOUS_COLUMNS],
                            time.time(),
                        )
                        for r in requests
                    ],
                )
            finally:
                db.close()

        return write


@pytest.mark.postgres
class TestPostgresStore(StoreContract):
    @pytest.fixture
    def open_store(self, postgres_schema: tuple[str, str]) -> Callable[[], Any]:
        from antsclient.storage import PostgresStore

        conninfo, schema = postgres_schema
        return lambda: PostgresStore(conninfo, schema=schema)

    @pytest.fixture
    def write_previous(
        self, postgres_schema: tuple[str, str]
    ) -> Callable[[list[OnlineRequest]], None]:
        import psycopg

        from antsclient.storage import postgres

        conninfo, schema = postgres_schema

        def write(requests: list[OnlineRequest]) -> None:
            with psycopg.connect(conninfo, autocommit=True) as db:
                for statement in postgres._PREPARE:
                    db.execute(statement.format(schema=schema))
                for statement in postgres._migration_sql(schema, 0, postgres.SCHEMA_VERSION - 1):
                    db.execute(statement)
                columns = ", ".join(postgres._COLUMNS[:PREVIOUS_COLUMNS])
                marks = ", ".join(["%s"] * PREVIOUS_COLUMNS)
                with db.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {schema}.requests (agreement, {columns}, written_at) "
                        f"VALUES (%s, {marks}, now())",
                        [(AGENCY, *postgres._encode(r)[:PREVIOUS_COLUMNS]) for r in requests],
                    )

        return write


def test_the_contract_is_loaded_on_use_only() -> None:
    import antsclient.testing as testing

    assert testing.StoreContract is StoreContract
    with pytest.raises(AttributeError, match="NoSuchThing"):
        testing.NoSuchThing  # noqa: B018
