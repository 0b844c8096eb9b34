"""MemoryStore and SqliteStore: the same behaviour behind the same protocols (beyond the
store contract, tests/storage/test_contract.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from antsclient.export import RequestList
from antsclient.models import Bucket, Cerfa, Cerfa02, Cerfa06, OnlineRequest, RequestStatus
from antsclient.storage import (
    MemoryStore,
    RequestStore,
    SearchableStore,
    SqliteStore,
    Student,
    SyncStore,
)

AGENCY = "E1706900030"
OTHER = "E9000000001"
T0 = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)

Store = MemoryStore | SqliteStore
Make = Callable[..., OnlineRequest]


def test_both_stores_implement_the_protocols(store: Store) -> None:
    assert isinstance(store, RequestStore)
    assert isinstance(store, SyncStore)
    assert isinstance(store, SearchableStore)


def _fleet(make_request: Make) -> list[OnlineRequest]:
    statuses = list(RequestStatus)
    return [
        make_request(
            str(3200 + i),
            cerfa=Cerfa.C06 if i % 3 == 0 else Cerfa.C02,
            status=statuses[i % len(statuses)],
            transferred=i % 4 == 0,
            created=T0 + dt.timedelta(days=i),
            modified=T0 + dt.timedelta(days=i, hours=(7 * i) % 5),
            student_id=None if i % 5 == 0 else f"S{i}",
        )
        for i in range(40)
    ]


def test_search_by_every_criterion(store: Store, make_request: Make) -> None:
    fleet = _fleet(make_request)
    store.upsert(AGENCY, fleet)

    def numbers(found: RequestList) -> list[str]:
        assert isinstance(found, RequestList)
        return [r.number for r in found]

    ordered = sorted(fleet, key=lambda r: (r.modified, r.number))
    assert numbers(store.search(AGENCY)) == [r.number for r in ordered]
    for bucket in Bucket:
        expected = [
            r.number
            for r in ordered
            if bucket.holds(cerfa=r.cerfa, status=r.status, transferred=r.transferred)
        ]
        assert numbers(store.search(AGENCY, bucket=bucket)) == expected, bucket
    assert numbers(store.search(AGENCY, cerfa=Cerfa.C06)) == [
        r.number for r in ordered if r.cerfa is Cerfa.C06
    ]
    assert numbers(store.search(AGENCY, number="3205")) == ["3205"]
    assert numbers(store.search(AGENCY, linked=False)) == [
        r.number for r in ordered if r.student_id is None
    ]
    assert numbers(store.search(AGENCY, linked=True)) == [
        r.number for r in ordered if r.student_id is not None
    ]
    # Dates span whole days; a naive datetime is UTC; windows are inclusive.
    day = (T0 + dt.timedelta(days=3)).date()
    assert numbers(store.search(AGENCY, created=(day, day))) == ["3203"]
    naive = (T0 + dt.timedelta(days=3)).replace(tzinfo=None)
    assert numbers(store.search(AGENCY, created=(naive, None)))[0] == "3203"
    assert numbers(store.search(AGENCY, created=(None, naive))) == ["3200", "3201", "3202", "3203"]
    high = T0 + dt.timedelta(days=2, hours=4)
    assert numbers(store.search(AGENCY, modified=(None, high))) == [
        r.number for r in ordered if r.modified <= high
    ]
    assert numbers(
        store.search(AGENCY, bucket=Bucket.CERFA06, modified=(day, None), linked=True)
    ) == [
        r.number
        for r in ordered
        if r.cerfa is Cerfa.C06 and r.modified.date() >= day and r.student_id is not None
    ]


def test_counts_per_cerfa_and_in_all(store: Store, make_request: Make) -> None:
    fleet = _fleet(make_request)
    store.upsert(AGENCY, fleet)
    counts = store.counts(AGENCY)
    assert set(counts) == {Cerfa.C02, Cerfa.C06, None}
    for cerfa in (Cerfa.C02, Cerfa.C06, None):
        for bucket in Bucket:
            expected = sum(
                1
                for r in fleet
                if (cerfa is None or r.cerfa is cerfa)
                and bucket.holds(cerfa=r.cerfa, status=r.status, transferred=r.transferred)
            )
            assert counts[cerfa][bucket] == expected, (cerfa, bucket)
    empty = store.counts(OTHER)
    assert all(n == 0 for row in empty.values() for n in row.values())


def test_repr_names_the_store(store: Store, make_request: Make) -> None:
    store.upsert(AGENCY, [make_request("1")])
    assert type(store).__name__ in repr(store)


@pytest.mark.parametrize("bad", [Bucket.DRAFTS.value, Cerfa.C02.value])
def test_search_takes_enum_values_too(store: Store, make_request: Make, bad: str) -> None:
    store.upsert(AGENCY, [make_request("1")])
    if bad == Cerfa.C02.value:
        assert len(store.search(AGENCY, cerfa=bad)) == 1  # type: ignore[arg-type]
    else:
        assert len(store.search(AGENCY, bucket=bad)) == 1  # type: ignore[arg-type]


def test_students_directory(
    store: Store, make_application: Callable[..., Cerfa02 | Cerfa06]
) -> None:
    students = store.students
    students.save(Student(student_id="S1", last_name="MARTIN", first_name="Léa"))
    students.save(Student(student_id="S2", last_name="Martinez", first_name="Hugo"))
    students.save(Student(student_id="S3", last_name="Dupont", first_name="Émile"))
    students.save(Student(student_id="S4", last_name="100%_sûr", first_name="X"))
    assert [s.student_id for s in students.search("mar")] == ["S1", "S2"]
    assert [s.student_id for s in students.search("MAR", limit=1)] == ["S1"]
    assert [s.student_id for s in students.search("emi")] == ["S3"]
    assert [s.student_id for s in students.search("martin lé")] == ["S1"]
    assert [s.student_id for s in students.search("hugo mar")] == ["S2"]
    assert [s.student_id for s in students.search("100%_")] == ["S4"]
    assert students.search("100%x") == []
    assert students.get("S9") is None
    application = make_application()
    updated = students.update_from_ants("S1", application)
    assert updated.application == application
    assert students.get("S1") == updated
    assert updated.email == application.applicant.email
    created = students.update_from_ants("S7", make_application())
    assert students.get("S7") == created


def test_the_storage_package_loads_stores_lazily() -> None:
    import antsclient.storage as storage

    assert "SqliteStore" in dir(storage)
    assert storage.MemoryStore is MemoryStore
    with pytest.raises(AttributeError, match="NoSuchStore"):
        storage.NoSuchStore  # noqa: B018
