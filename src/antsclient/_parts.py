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
from typing import Any, TypeVar

__all__ = ["Parts"]

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
