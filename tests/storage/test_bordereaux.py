"""Bordereaux dossiers in the stores: memory and SQLite keep them whole, by agency (their
save, read, list and delete are in the store contract)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from antsclient._store_contract import _bordereau
from antsclient.storage import BordereauStore, MemoryStore, SqliteStore
from antsclient.storage.paper import bordereau_data, bordereau_of

AGENCY = "E1706900030"


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MemoryStore | SqliteStore]:
    if request.param == "memory":
        yield MemoryStore()
    else:
        with SqliteStore(tmp_path / "store.db") as opened:
            yield opened


def test_the_stores_are_bordereau_stores(store: MemoryStore | SqliteStore) -> None:
    assert isinstance(store, BordereauStore)


def test_sqlite_keeps_bordereaux_across_openings(tmp_path: Path) -> None:
    bordereau = _bordereau("17", dt.date(2017, 7, 6))
    with SqliteStore(tmp_path / "s.db") as store:
        store.save_bordereau(bordereau)
    with SqliteStore(tmp_path / "s.db") as store:
        assert store.bordereaux(AGENCY) == [bordereau]


def test_the_json_of_a_bordereau_round_trips() -> None:
    bordereau = _bordereau("17", dt.date(2017, 7, 6))
    data = bordereau_data(bordereau)
    assert data["requests"][1]["cerfa"] == "06"
    assert data["requests"][0]["bordereau_date"] == "2017-07-06"
    assert bordereau_of(data) == bordereau
