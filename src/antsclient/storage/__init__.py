"""Storage: the protocols a host implements on its own database, and two stores.

:class:`MemoryStore` keeps everything in memory; :class:`SqliteStore` is the embedded
default (one SQLite file). Both load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from antsclient.models.window import DateWindow
from antsclient.storage.protocols import (
    AsyncRequestStore,
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
    from antsclient.storage.sqlite import SqliteStore, SqliteStudents, StoreError

__all__ = [
    "AsyncRequestStore",
    "AsyncSyncStore",
    "BordereauStore",
    "CredentialsSource",
    "DateWindow",
    "MemoryStore",
    "MemoryStudents",
    "MergeResult",
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
]

_LAZY: dict[str, str] = {
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
