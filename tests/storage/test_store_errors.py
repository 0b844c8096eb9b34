"""The store's failures are typed: a SQLite file locked past its timeout, a file that is no
store, a text no UTF-8 can write — a :class:`~antsclient.StoreError` (an ``AntsError``) or
nothing at all, never a bare ``sqlite3`` or ``UnicodeEncodeError``."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import antsclient as ants
from antsclient.models import Cerfa, OnlineRequest, RequestStatus
from antsclient.storage import SqliteStore

AGENCY = "E1706900030"
T0 = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


def _request(number: str = "3223", **changes: object) -> OnlineRequest:
    return OnlineRequest(
        **{
            "number": number,
            "cerfa": Cerfa.C02,
            "status": RequestStatus.DRAFT,
            "status_label": "Brouillon",
            "type_label": "Inscription",
            "created": T0,
            "modified": T0,
            **changes,
        }
    )


def test_a_store_locked_past_its_timeout(tmp_path: Path) -> None:
    path = tmp_path / "ants.sqlite"
    with SqliteStore(path, busy_timeout=0.05) as store:
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            with pytest.raises(ants.StoreError) as caught:
                store.merge(AGENCY, [_request()])
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert isinstance(caught.value, ants.AntsError)
        assert caught.value.code == "store.locked"
        assert caught.value.operation == "write"
        assert "occupée" in caught.value.message_fr
        store.merge(AGENCY, [_request()])  # once free, it works
        assert store.get(AGENCY, "3223") is not None


def test_a_file_that_is_no_store(tmp_path: Path) -> None:
    path = tmp_path / "not.sqlite"
    path.write_bytes(b"this is not a database, " * 100)
    with pytest.raises(ants.StoreError) as caught:
        SqliteStore(path)
    assert caught.value.operation == "open"


def test_the_store_error_is_the_public_one() -> None:
    from antsclient.storage import StoreError

    assert StoreError is ants.StoreError


def test_a_lone_surrogate_is_stored_replaced(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.sqlite") as store:
        result = store.merge(AGENCY, [_request(applicant_name="DUPONT \ud800Jean")])
        assert result.new == 1
        assert store.get(AGENCY, "3223").applicant_name == "DUPONT \ufffdJean"
        again = store.merge(AGENCY, [_request(applicant_name="DUPONT \ud800Jean")])
        assert again.unchanged == 1  # the same request is not counted as changed


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(st.none() | st.text(max_size=20), min_size=1, max_size=5),
    email=st.none() | st.text(max_size=10),
    query=st.text(max_size=8),
)
def test_any_text_is_stored_or_refused_typed(
    model_strategies: SimpleNamespace,
    names: list[str | None],
    email: str | None,
    query: str,
) -> None:
    requests = [
        _request(str(4000 + i), applicant_name=name, email=email, neph=name)
        for i, name in enumerate(names)
    ]
    with SqliteStore(":memory:") as store:
        store.merge(AGENCY, requests)
        for request in requests:
            stored = store.get(AGENCY, request.number)
            assert stored is not None
            expected = request.applicant_name
            if expected is not None:
                expected = re.sub("[\ud800-\udfff]", "\ufffd", expected)
            assert stored.applicant_name == expected
        try:
            store.search(AGENCY, number=query)
            store.get(AGENCY, query)
        except ants.StoreError:
            pass  # a number no UTF-8 can write is refused, typed
        assert attrs.has(type(requests[0]))
