"""Bordereaux dossiers in the stores: how the memory and SQLite stores keep them.

A :class:`~antsclient.storage.BordereauStore` saves, reads, lists and deletes an agency's
bordereaux (:class:`~antsclient.models.paper.Bordereau`), each with the paper requests it
carries. :class:`MemoryBordereaux` and :class:`SqliteBordereaux` are the methods
:class:`~antsclient.storage.MemoryStore` and :class:`~antsclient.storage.SqliteStore` get
them from; another store implements the four methods its own way, with
:func:`bordereau_data` / :func:`bordereau_of` to write and read the same JSON.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any, Final

from antsclient.models.paper import Bordereau, PaperRequest

__all__ = [
    "BORDEREAU_TABLES",
    "MemoryBordereaux",
    "SqliteBordereaux",
    "bordereau_data",
    "bordereau_of",
]


def _paper_data(paper: PaperRequest) -> dict[str, Any]:
    from antsclient.codec import to_data  # noqa: PLC0415

    return {
        "reference": paper.reference,
        "cerfa": paper.application.cerfa.value,
        "application": to_data(paper.application),
        "registered_on": paper.registered_on.isoformat() if paper.registered_on else None,
        "bordereau_number": paper.bordereau_number,
        "bordereau_date": paper.bordereau_date.isoformat() if paper.bordereau_date else None,
        "tracking": paper.tracking.value,
        "tracking_id": paper.tracking_id,
    }


def _paper_of(data: dict[str, Any]) -> PaperRequest:
    from antsclient.codec import read_application  # noqa: PLC0415

    return PaperRequest(
        reference=data["reference"],
        application=read_application(data["application"], data.get("cerfa"), strict=False),
        registered_on=data.get("registered_on"),
        bordereau_number=data.get("bordereau_number"),
        bordereau_date=data.get("bordereau_date"),
        tracking=data.get("tracking") or "post",
        tracking_id=data.get("tracking_id"),
    )


def bordereau_data(bordereau: Bordereau) -> dict[str, Any]:
    """``bordereau`` as JSON-ready data (its requests' applications in the project's format)."""
    return {
        "number": bordereau.number,
        "date": bordereau.date.isoformat(),
        "agreement": bordereau.agreement,
        "prefecture": bordereau.prefecture,
        "requests": [_paper_data(r) for r in bordereau.requests],
    }


def bordereau_of(data: dict[str, Any]) -> Bordereau:
    """The bordereau :func:`bordereau_data` wrote."""
    return Bordereau(
        number=data["number"],
        date=data["date"],
        agreement=data["agreement"],
        prefecture=data.get("prefecture"),
        requests=[_paper_of(r) for r in data.get("requests", ())],
    )


def _order(bordereau: Bordereau) -> tuple[str, str]:
    return bordereau.date.isoformat(), bordereau.number


class MemoryBordereaux:
    """The bordereaux of :class:`~antsclient.storage.MemoryStore`, in a dictionary."""

    _lock: threading.RLock
    _bordereaux: dict[tuple[str, str], Bordereau]

    def save_bordereau(self, bordereau: Bordereau) -> None:
        """Insert or replace ``bordereau`` (by agency and number)."""
        with self._lock:
            self._bordereaux[bordereau.agreement, bordereau.number] = bordereau

    def get_bordereau(self, agreement: str, number: str) -> Bordereau | None:
        """The agency's bordereau ``number``, if any."""
        with self._lock:
            return self._bordereaux.get((agreement, number))

    def bordereaux(self, agreement: str) -> list[Bordereau]:
        """The agency's bordereaux, by date then number."""
        with self._lock:
            found = [b for (a, _), b in self._bordereaux.items() if a == agreement]
        return sorted(found, key=_order)

    def delete_bordereau(self, agreement: str, number: str) -> None:
        """Forget the agency's bordereau ``number``."""
        with self._lock:
            self._bordereaux.pop((agreement, number), None)


BORDEREAU_TABLES: Final = (
    """CREATE TABLE bordereaux (
        agreement TEXT NOT NULL,
        number TEXT NOT NULL,
        sent_on TEXT NOT NULL,
        requests INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (agreement, number)
    )""",
    "CREATE INDEX bordereaux_by_date ON bordereaux (agreement, sent_on, number)",
)
"""The SQL of the SQLite store's bordereaux (its schema version 3)."""


class SqliteBordereaux:
    """The bordereaux of :class:`~antsclient.storage.SqliteStore`: one row each, its paper
    requests as JSON, ordered by an index on (agency, date, number)."""

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _read(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def save_bordereau(self, bordereau: Bordereau) -> None:
        """Insert or replace ``bordereau`` (by agency and number), in one transaction."""
        data = json.dumps(bordereau_data(bordereau), ensure_ascii=False)
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO bordereaux (agreement, number, sent_on, requests, data) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    bordereau.agreement,
                    bordereau.number,
                    bordereau.date.isoformat(),
                    len(bordereau),
                    data,
                ),
            )

    def get_bordereau(self, agreement: str, number: str) -> Bordereau | None:
        """The agency's bordereau ``number``, if any."""
        rows = self._read(
            "SELECT data FROM bordereaux WHERE agreement = ? AND number = ?", (agreement, number)
        )
        return bordereau_of(json.loads(rows[0][0])) if rows else None

    def bordereaux(self, agreement: str) -> list[Bordereau]:
        """The agency's bordereaux, by date then number."""
        rows = self._read(
            "SELECT data FROM bordereaux WHERE agreement = ? ORDER BY sent_on, number",
            (agreement,),
        )
        return list(_decoded(rows))

    def delete_bordereau(self, agreement: str, number: str) -> None:
        """Forget the agency's bordereau ``number``."""
        with self._write() as db:
            db.execute(
                "DELETE FROM bordereaux WHERE agreement = ? AND number = ?", (agreement, number)
            )


def _decoded(rows: list[tuple[Any, ...]]) -> Iterator[Bordereau]:
    for (data,) in rows:
        yield bordereau_of(json.loads(data))
