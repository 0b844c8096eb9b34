"""The store contract (``antsclient.testing.StoreContract``) on every shipped store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from antsclient.storage import MemoryStore, SqliteStore
from antsclient.testing import StoreContract


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


@pytest.mark.postgres
class TestPostgresStore(StoreContract):
    @pytest.fixture
    def open_store(self, postgres_schema: tuple[str, str]) -> Callable[[], Any]:
        from antsclient.storage import PostgresStore

        conninfo, schema = postgres_schema
        return lambda: PostgresStore(conninfo, schema=schema)


def test_the_contract_is_loaded_on_use_only() -> None:
    import antsclient.testing as testing

    assert testing.StoreContract is StoreContract
    with pytest.raises(AttributeError, match="NoSuchThing"):
        testing.NoSuchThing  # noqa: B018
