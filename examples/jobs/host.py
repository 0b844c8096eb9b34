"""What a host gives its sync workers: settings, its agencies' credentials and the store.

Every worker process reads the same environment:

* ``ANTS_BASE_URL`` — the ANTS address (the sandbox's in a test);
* ``ANTS_DATABASE_URL`` — the PostgreSQL of the store (and of procrastinate's jobs);
* ``ANTS_STORE_SCHEMA`` — the store's schema (``antsclient`` by default);
* ``ANTS_CREDENTIALS_FILE`` — here, a JSON file of the agencies' credentials (readable by
  the workers only). A real host reads its own agencies table instead: only the
  :class:`~antsclient.storage.CredentialsSource` below changes.

The store is opened once per worker process, on first use (after the engine has forked).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from antsclient import Credentials
from antsclient.storage import PostgresStore


class FileCredentials:
    """The agencies' credentials in a JSON file: ``{agreement: {"login", "password", …}}``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def _rows(self) -> dict[str, dict[str, str]]:
        rows: dict[str, dict[str, str]] = json.loads(self.path.read_text(encoding="utf-8"))
        return rows

    def agencies(self) -> list[Credentials]:
        """Every agency's credentials."""
        return [Credentials(agreement=a, **row) for a, row in self._rows().items()]

    def credentials(self, agreement: str) -> Credentials | None:
        """One agency's credentials (one row read)."""
        row = self._rows().get(agreement)
        return None if row is None else Credentials(agreement=agreement, **row)


def base_url() -> str:
    return os.environ["ANTS_BASE_URL"]


def database_url() -> str:
    return os.environ["ANTS_DATABASE_URL"]


def credentials() -> FileCredentials:
    return FileCredentials(os.environ["ANTS_CREDENTIALS_FILE"])


@functools.cache
def store() -> PostgresStore:
    """This worker process's store (its own connection pool)."""
    schema = os.environ.get("ANTS_STORE_SCHEMA", "antsclient")
    return PostgresStore(database_url(), schema=schema, max_size=8)
