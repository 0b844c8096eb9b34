"""Fixtures of the storage tests: both shipped stores, and requests to put in them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from antsclient._store_contract import _request
from antsclient.models import OnlineRequest
from antsclient.storage import MemoryStore, SqliteStore, Student

T0 = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def make_request() -> Callable[..., OnlineRequest]:
    """``make_request(number, **changes)``: a Cerfa 02 draft linked to a student."""
    return _request


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MemoryStore | SqliteStore]:
    """Each shipped store in turn, empty."""
    if request.param == "memory":
        with MemoryStore() as memory:
            yield memory
    else:
        with SqliteStore(tmp_path / "store.db") as sqlite:
            yield sqlite


@pytest.fixture(scope="session")
def make_student() -> Callable[..., Student]:
    """``make_student(student_id, last_name, first_name)``."""
    return lambda student_id, last, first: Student(
        student_id=student_id, last_name=last, first_name=first
    )


# --- a schema in the PostgreSQL cluster of the tests (tests/servers.py) ----------------


@pytest.fixture
def postgres_schema(pg_cluster: str, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A schema name of the test's own in the cluster, dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield pg_cluster, schema
    with psycopg.connect(pg_cluster, autocommit=True) as db:
        db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
