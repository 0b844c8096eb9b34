"""Bordereaux dossiers in the stores: memory and SQLite keep them whole, by agency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from antsclient.demo import sample_application
from antsclient.models import Cerfa06, LicenceCategory
from antsclient.models.paper import Bordereau, PaperRequest, TrackingChannel
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


def _bordereau(number: str, day: dt.date, agreement: str = AGENCY) -> Bordereau:
    application = sample_application()
    title = Cerfa06(
        applicant=application.applicant,
        categories={LicenceCategory.B},
        neph="123456789012",
        cerfa02_number="3223",
    )
    return Bordereau(number=number, date=day, agreement=agreement, prefecture="Rhône").add(
        PaperRequest(reference=f"{number}-1", application=application, registered_on=day),
        PaperRequest(
            reference=f"{number}-2",
            application=title,
            tracking=TrackingChannel.EMAIL,
            tracking_id="SUIVI-9",
        ),
    )


def test_the_stores_are_bordereau_stores(store: MemoryStore | SqliteStore) -> None:
    assert isinstance(store, BordereauStore)


def test_save_read_list_replace_delete(store: MemoryStore | SqliteStore) -> None:
    late = _bordereau("18", dt.date(2017, 7, 20))
    early = _bordereau("17", dt.date(2017, 7, 6))
    elsewhere = _bordereau("17", dt.date(2017, 7, 1), agreement="E2309400140")
    for bordereau in (late, early, elsewhere):
        store.save_bordereau(bordereau)
    assert store.get_bordereau(AGENCY, "17") == early
    assert store.get_bordereau(AGENCY, "99") is None
    assert [b.number for b in store.bordereaux(AGENCY)] == ["17", "18"]
    assert store.bordereaux("E2309400140") == [elsewhere]
    smaller = early.without(["17-1"])
    store.save_bordereau(smaller)
    assert store.get_bordereau(AGENCY, "17") == smaller
    store.delete_bordereau(AGENCY, "17")
    assert store.get_bordereau(AGENCY, "17") is None
    assert store.bordereaux(AGENCY) == [late]
    assert store.bordereaux("E0000000000") == []


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
