"""The journal of the simulated ANTS: where its state is written, to stop and resume a demo.

In memory nothing is written; the SQLite journal keeps one JSON document per row (``kind``,
``key``) and writes each mutation's rows in one transaction, so a stopped server resumes
exactly where it was.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from antsclient.codec import to_data

__all__ = ["Change", "Changes", "Journal", "MemoryJournal", "SqliteJournal"]

Change = tuple[str, str, Any]
"""(kind, key, JSON-ready data), or data ``None`` to delete the row."""


class Changes:
    """The rows one mutation changed, to be written together; none are kept in memory only."""

    def __init__(self, *, keep: bool) -> None:
        self.keep = keep
        self.rows: list[Change] = []

    def put(self, kind: str, key: str, value: object) -> None:
        """Note the row ``(kind, key)`` as ``value``'s converter data."""
        if self.keep:
            self.rows.append((kind, key, to_data(value)))

    def drop(self, kind: str, key: str) -> None:
        """Note the row ``(kind, key)`` as deleted."""
        if self.keep:
            self.rows.append((kind, key, None))


class Journal(Protocol):
    """Persistence of the sandbox state, row by row."""

    def load(self) -> Mapping[str, Mapping[str, Any]]:
        """Every stored row, by kind then key."""
        ...

    def save(self, changes: Iterable[Change]) -> None:
        """Write the rows of one mutation, atomically."""
        ...

    def close(self) -> None:
        """Release the journal."""
        ...


class MemoryJournal:
    """Nothing is written: the state lives and dies with the process."""

    def load(self) -> Mapping[str, Mapping[str, Any]]:
        return {}

    def save(self, changes: Iterable[Change]) -> None:
        for _ in changes:
            pass

    def close(self) -> None:
        return None


class SqliteJournal:
    """One SQLite file, one table of JSON rows; the caller serialises access (one lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path: Path = Path(path)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS rows ("
                "kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, "
                "PRIMARY KEY (kind, key))"
            )
        except BaseException:
            self._db.close()  # a file that is not a journal: nothing stays open
            raise

    def load(self) -> Mapping[str, Mapping[str, Any]]:
        tables: dict[str, dict[str, Any]] = {}
        for kind, key, data in self._db.execute("SELECT kind, key, data FROM rows"):
            tables.setdefault(kind, {})[key] = json.loads(data)
        return tables

    def save(self, changes: Iterable[Change]) -> None:
        upserts: list[tuple[str, str, str]] = []
        deletes: list[tuple[str, str]] = []
        for kind, key, data in changes:
            if data is None:
                deletes.append((kind, key))
            else:
                upserts.append((kind, key, json.dumps(data, separators=(",", ":"))))
        if not upserts and not deletes:
            return
        self._db.execute("BEGIN")
        try:
            if deletes:
                self._db.executemany("DELETE FROM rows WHERE kind = ? AND key = ?", deletes)
            if upserts:
                self._db.executemany(
                    "INSERT OR REPLACE INTO rows (kind, key, data) VALUES (?, ?, ?)", upserts
                )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()
