"""Storage: the protocols a host implements on its own database, and three stores.

:class:`MemoryStore` keeps everything in memory; :class:`SqliteStore` is the embedded
default (one SQLite file); :class:`PostgresStore` (and :class:`AsyncPostgresStore`) serve
many agencies on many machines (the ``postgres`` extra). Each loads on first use.
:func:`in_thread` turns any blocking store into an async one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from antsclient.models.window import DateWindow
from antsclient.storage.protocols import (
    AgencyIndex,
    AgencyLocks,
    AsyncAgencyIndex,
    AsyncAgencyLocks,
    AsyncBordereauStore,
    AsyncRequestStore,
    AsyncSearchableStore,
    AsyncSyncStore,
    BordereauStore,
    CredentialsSource,
    MergeResult,
    RequestStore,
    SearchableStore,
    Student,
    StudentDirectory,
    StudentDocument,
    StudentDocumentSource,
    SyncStore,
)

if TYPE_CHECKING:
    from antsclient.storage.memory import MemoryStore, MemoryStudents
    from antsclient.storage.postgres import AsyncPostgresStore, PostgresStore, PostgresStudents
    from antsclient.storage.sqlite import SqliteStore, SqliteStudents, StoreError
    from antsclient.storage.threaded import InThread, in_thread

__all__ = [
    "AgencyIndex",
    "AgencyLocks",
    "AsyncAgencyIndex",
    "AsyncAgencyLocks",
    "AsyncBordereauStore",
    "AsyncPostgresStore",
    "AsyncRequestStore",
    "AsyncSearchableStore",
    "AsyncSyncStore",
    "BordereauStore",
    "CredentialsSource",
    "DateWindow",
    "InThread",
    "MemoryStore",
    "MemoryStudents",
    "MergeResult",
    "PostgresStore",
    "PostgresStudents",
    "RequestStore",
    "SearchableStore",
    "SqliteStore",
    "SqliteStudents",
    "StoreError",
    "Student",
    "StudentDirectory",
    "StudentDocument",
    "StudentDocumentSource",
    "SyncStore",
    "in_thread",
]

_LAZY: dict[str, str] = {
    "AsyncPostgresStore": "antsclient.storage.postgres",
    "InThread": "antsclient.storage.threaded",
    "PostgresStore": "antsclient.storage.postgres",
    "PostgresStudents": "antsclient.storage.postgres",
    "in_thread": "antsclient.storage.threaded",
    "MemoryStore": "antsclient.storage.memory",
    "MemoryStudents": "antsclient.storage.memory",
    "SqliteStore": "antsclient.storage.sqlite",
    "SqliteStudents": "antsclient.storage.sqlite",
    "StoreError": "antsclient.storage.sqlite",
}


def __getattr__(name: str) -> Any:
    try:
        module = importlib.import_module(_LAZY[name])
    except KeyError:
        msg = f"module 'antsclient.storage' has no attribute {name!r}"
        raise AttributeError(msg) from None
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
