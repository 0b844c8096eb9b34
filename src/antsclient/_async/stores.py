"""The async session's view of its store: never a blocking call on the event loop.

* A store whose methods are coroutines (:class:`~antsclient.storage.AsyncRequestStore`,
  :class:`~antsclient.storage.AsyncSyncStore`) is awaited.
* A blocking store that says it is thread-safe (``thread_safe = True``, as
  :class:`~antsclient.storage.MemoryStore` and :class:`~antsclient.storage.SqliteStore`
  do) is called in worker threads, so that its I/O (a SQLite busy wait, a network database)
  overlaps the network and never stops other tasks.
* Any other blocking store is called in one dedicated worker thread, one call at a time: it
  needs no thread safety, and the loop still never waits on it.

A store with only ``upsert``/``get``/``delete`` still serves a sync, as in the blocking
session (:func:`~antsclient.storage.protocols.merge_by_upsert`, no watermark).
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Collection, Sequence
from typing import Any

from antsclient.errors import ConfigurationError
from antsclient.models import OnlineRequest
from antsclient.storage.protocols import (
    AsyncRequestStore,
    MergeResult,
    RequestStore,
    no_store_error,
)
from antsclient.storage.threaded import InThread

__all__ = ["AsyncStore", "AsyncStoreLike", "no_store_error"]

AsyncStoreLike = RequestStore | AsyncRequestStore
"""What the async session takes as its store: blocking or async."""

_SYNC_METHODS = ("merge", "remove_missing", "watermark", "set_watermark")


class AsyncStore:
    """``store`` (or none) as the async session awaits it: an async store as it is, a
    blocking one through :class:`~antsclient.storage.threaded.InThread`."""

    def __init__(self, store: AsyncStoreLike | None) -> None:
        self.store = store
        self.is_async = store is not None and inspect.iscoroutinefunction(
            getattr(store, "upsert", None)
        )
        self._threaded = None if store is None or self.is_async else InThread(store)  # type: ignore[arg-type]
        self._target: Any = self._threaded if self._threaded is not None else store
        self._full = store is not None and all(
            callable(getattr(store, name, None)) for name in _SYNC_METHODS
        )

    def __bool__(self) -> bool:
        return self.store is not None

    @property
    def keeps_watermark(self) -> bool:
        """Whether the store keeps a watermark (a plain store does not)."""
        return self._full

    async def upsert(self, agreement: str, requests: Sequence[OnlineRequest]) -> None:
        if self.store is not None:
            await self._target.upsert(agreement, requests)

    async def get(self, agreement: str, number: str) -> OnlineRequest | None:
        if self.store is None:
            return None
        found: OnlineRequest | None = await self._target.get(agreement, number)
        return found

    async def delete(self, agreement: str, number: str) -> None:
        if self.store is not None:
            await self._target.delete(agreement, number)

    async def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        if self.store is None:
            raise no_store_error()
        if self.is_async and not self._full:
            raise ConfigurationError(
                "syncing into an async store needs its merge, remove_missing, watermark and "
                "set_watermark (AsyncSyncStore)",
                field="store",
                message_fr="Ce stockage ne permet pas la mise à jour de toutes les demandes.",
            )
        result: MergeResult = await self._target.merge(agreement, requests)
        return result

    async def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        if not self._full:
            return 0
        removed: int = await self._target.remove_missing(agreement, keep, before=before)
        return removed

    async def watermark(self, agreement: str) -> dt.datetime | None:
        if not self._full:
            return None
        mark: dt.datetime | None = await self._target.watermark(agreement)
        return mark

    async def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        if self._full:
            await self._target.set_watermark(agreement, value)

    def close(self) -> None:
        """Stop the dedicated worker thread, if any (the store itself is the host's)."""
        if self._threaded is not None:
            self._threaded.close()
