"""Properties: for any set of requests, a store's search and counts are Bucket.holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from antsclient.models import Bucket, Cerfa, OnlineRequest
from antsclient.storage import MemoryStore, SqliteStore, Student

AGENCY = "E1706900030"


def _check(store: MemoryStore | SqliteStore, requests: list[OnlineRequest]) -> None:
    unique = {r.number: r for r in requests}
    store.upsert(AGENCY, unique.values())
    rows = sorted(unique.values(), key=lambda r: (r.modified, r.number))
    counts = store.counts(AGENCY)
    for bucket in Bucket:
        held = [
            r.number
            for r in rows
            if bucket.holds(cerfa=r.cerfa, status=r.status, transferred=r.transferred)
        ]
        found = store.search(AGENCY, bucket=bucket)
        assert [r.number for r in found] == held
        assert counts[None][bucket] == len(held)
        for cerfa in Cerfa:
            per_cerfa = store.search(AGENCY, bucket=bucket, cerfa=cerfa)
            assert counts[cerfa][bucket] == len(per_cerfa)
            assert all(r.cerfa is cerfa for r in per_cerfa)
    assert list(store.search(AGENCY)) == rows


def _windows(values: list[dt.datetime]) -> st.SearchStrategy[tuple[dt.datetime, dt.datetime]]:
    return st.tuples(st.sampled_from(values), st.sampled_from(values)).map(
        lambda pair: (min(pair), max(pair))
    )


@given(data=st.data())
def test_memory_store_agrees_with_bucket_holds(
    model_strategies: SimpleNamespace, data: st.DataObject
) -> None:
    requests = data.draw(st.lists(model_strategies.online_requests, max_size=25))
    _check(MemoryStore(), requests)


@given(data=st.data())
def test_sqlite_store_agrees_with_bucket_holds_and_windows(
    model_strategies: SimpleNamespace, data: st.DataObject
) -> None:
    requests = data.draw(st.lists(model_strategies.online_requests, min_size=1, max_size=25))
    with SqliteStore(":memory:") as store:
        _check(store, requests)
        unique = list({r.number: r for r in requests}.values())
        low, high = data.draw(_windows([r.modified for r in unique]))
        expected = sorted(
            (r for r in unique if low <= r.modified <= high),
            key=lambda r: (r.modified, r.number),
        )
        assert list(store.search(AGENCY, modified=(low, high))) == expected
        clow, chigh = data.draw(_windows([r.created for r in unique]))
        assert {r.number for r in store.search(AGENCY, created=(clow, chigh))} == {
            r.number for r in unique if clow <= r.created <= chigh
        }


@given(
    names=st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=8),
    prefix=st.text(max_size=3),
)
def test_both_directories_find_the_same_students(
    names: list[tuple[str, str]], prefix: str, make_student: Callable[..., Student]
) -> None:
    memory = MemoryStore().students
    with SqliteStore(":memory:") as store:
        for i, (last, first) in enumerate(names):
            student = make_student(f"S{i}", last, first)
            memory.save(student)
            store.students.save(student)
        expected = {s.student_id for s in memory.search(prefix, limit=100)}
        assert {s.student_id for s in store.students.search(prefix, limit=100)} == expected
