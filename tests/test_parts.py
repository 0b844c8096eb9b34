"""Parts held weakly by their owner: the same part while it lives, no cycle to collect."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from antsclient._parts import Part as Part_
from antsclient._parts import Parts
from antsclient.storage import SqliteStore


class Owner:
    def __init__(self) -> None:
        self.parts = Parts()

    @property
    def part(self) -> Part:
        return self.parts.get(Part, self)


class Part:
    def __init__(self, owner: Owner) -> None:
        self.owner = owner


@pytest.fixture
def no_collector() -> Iterator[None]:
    """Only reference counts free anything while the test runs."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def test_the_same_part_while_someone_holds_it() -> None:
    owner = Owner()
    part = owner.part
    assert owner.part is part
    assert part.owner is owner


def test_a_new_part_once_the_last_is_gone(no_collector: None) -> None:
    owner = Owner()
    first = weakref.ref(owner.part)
    assert first() is None  # nobody held it
    assert owner.part.owner is owner


@pytest.mark.usefixtures("no_collector")
def test_a_part_keeps_its_owner_and_the_owner_goes_with_it() -> None:
    part = Owner().part
    owner = weakref.ref(part.owner)
    assert owner() is not None
    del part
    assert owner() is None


@pytest.mark.usefixtures("no_collector")
def test_a_sqlite_store_is_freed_at_once(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.db")
    students = store.students
    assert store.students is students
    gone = weakref.ref(store)
    store.close()
    del store
    assert gone() is not None  # its directory holds it
    del students
    assert gone() is None


def test_a_part_given_is_used_and_held() -> None:
    owner = Owner()
    double = Part(owner)
    owner.parts.give(Part, double)
    assert owner.part is double
    del double
    assert owner.part.owner is owner  # held by the owner from then on
    assert owner.part is owner.part


def test_a_host_replaces_a_session_namespace_and_a_store_directory(tmp_path: Path) -> None:
    import antsclient as ants
    from antsclient.storage.sqlite import SqliteStudents

    credentials = ants.Credentials(agreement="E1234567890", login="agence", password="x")
    with ants.AntsSession(credentials, base_url="http://127.0.0.1:9") as session:
        replacement = type(session.requests)(session)
        session.requests = replacement
        assert session.requests is replacement
    store = SqliteStore(tmp_path / "store.db")
    directory = SqliteStudents(store)
    store.students = directory
    assert store.students is directory
    store.close()


class Described:
    """An owner naming its part as an attribute, before the part's class is defined."""

    part = Part_(lambda: Later)

    def __init__(self) -> None:
        self._parts = Parts()


class Later:
    def __init__(self, owner: Described) -> None:
        self.owner = owner


def test_a_part_attribute_makes_gives_and_keeps_its_part(no_collector: None) -> None:
    owner = Described()
    part = owner.part
    assert isinstance(part, Later)
    assert part.owner is owner
    assert owner.part is part  # the same while held
    del part
    made = weakref.ref(owner.part)
    assert made() is None  # held weakly by its owner
    double = Later(owner)
    owner.part = double
    del double
    assert owner.part.owner is owner  # a replacement is held by the owner
    assert owner.part is owner.part
    assert isinstance(Described.part, Part_)  # on the class: the attribute itself
