"""Parts of an object that hold their owner, held back only weakly.

A session's namespaces (``session.requests``, …) and a store's student directory
(``store.students``) each hold the object they belong to. Held strongly in return, owner and
part make a reference cycle: a dropped session, with its store's copies, or a dropped store,
with its open connection, would then wait for the garbage collector's full pass. Held weakly
by its owner, a part lives as long as someone refers to it — and with it the owner — and the
owner gives that same part while it lives.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

__all__ = ["Part", "Parts"]

T = TypeVar("T")


class Parts:
    """The parts an owner made, each held weakly (one per kind), and those it was given."""

    __slots__ = ("_given", "_made")

    def __init__(self) -> None:
        self._made: dict[Callable[..., Any], weakref.ref[Any]] = {}
        self._given: dict[Callable[..., Any], Any] = {}

    def get(self, make: Callable[[Any], T], owner: object) -> T:
        """The part given in place of ``make``'s, if any; else the part ``make(owner)`` made
        earlier if it still lives, else a new one."""
        if self._given and make in self._given:
            given: T = self._given[make]
            return given
        made = self._made.get(make)
        part: T | None = None if made is None else made()
        if part is None:
            part = make(owner)
            self._made[make] = weakref.ref(part)
        return part

    def give(self, make: Callable[[Any], T], part: T) -> None:
        """Use ``part`` (held strongly: the owner's own from now on) in place of the one
        ``make`` makes — a host's replacement, or a test's double."""
        self._given[make] = part


class Part(Generic[T]):
    """An attribute of an owner whose value is a part: made by ``make(owner)`` on first use
    and held weakly in the owner's ``_parts`` (a :class:`Parts`); assigning the attribute
    gives a replacement instead (held strongly). ``maker`` gives ``make`` when first needed,
    so that a class may name parts defined further down its module."""

    __slots__ = ("_make", "_maker")

    def __init__(self, maker: Callable[[], Callable[[Any], T]]) -> None:
        self._maker = maker
        self._make: Callable[[Any], T] | None = None

    @overload
    def __get__(self, owner: None, kind: type[Any]) -> Part[T]: ...

    @overload
    def __get__(self, owner: object, kind: type[Any] | None = None) -> T: ...

    def __get__(self, owner: object | None, kind: type[Any] | None = None) -> Part[T] | T:
        if owner is None:
            return self
        return _parts_of(owner).get(self.make, owner)

    def __set__(self, owner: object, part: T) -> None:
        _parts_of(owner).give(self.make, part)

    @property
    def make(self) -> Callable[[Any], T]:
        """What makes the part from its owner."""
        if self._make is None:
            self._make = self._maker()
        return self._make


def _parts_of(owner: object) -> Parts:
    parts: Parts = owner._parts  # type: ignore[attr-defined]
    return parts
