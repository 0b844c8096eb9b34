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
    """The parts an owner made, each held weakly (one per kind)."""

    __slots__ = ("_made",)

    def __init__(self) -> None:
        self._made: dict[Callable[..., Any], weakref.ref[Any]] = {}

    def get(self, make: Callable[[Any], T], owner: object) -> T:
        """The part ``make(owner)`` made earlier if it still lives, else a new one."""
        made = self._made.get(make)
        part: T | None = None if made is None else made()
        if part is None:
            part = make(owner)
            self._made[make] = weakref.ref(part)
        return part
