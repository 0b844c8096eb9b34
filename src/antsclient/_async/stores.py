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

import asyncio
import concurrent.futures
import datetime as dt
import functools
import inspect
from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

from antsclient.errors import ConfigurationError
from antsclient.models import OnlineRequest
from antsclient.storage.protocols import (
    AsyncRequestStore,
    MergeResult,
    RequestStore,
    merge_by_upsert,
    no_store_error,
)

__all__ = ["AsyncStore", "AsyncStoreLike", "no_store_error"]

R = TypeVar("R")

AsyncStoreLike = RequestStore | AsyncRequestStore
"""What the async session takes as its store: blocking or async."""


class AsyncStore:
    """``store`` (or none) as the async session awaits it."""

    def __init__(self, store: AsyncStoreLike | None) -> None:
        self.store = store
        self.is_async = store is not None and inspect.iscoroutinefunction(
            getattr(store, "upsert", None)
        )
        self._full = store is not None and all(
            callable(getattr(store, name, None))
            for name in ("merge", "remove_missing", "watermark", "set_watermark")
        )
        shared = bool(getattr(store, "thread_safe", False))
        self._single: concurrent.futures.ThreadPoolExecutor | None = (
            None
            if store is None or self.is_async or shared
            else concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="antsclient-store")
        )

    def __bool__(self) -> bool:
        return self.store is not None

    @property
    def keeps_watermark(self) -> bool:
        """Whether the store keeps a watermark (a plain store does not)."""
        return self._full

    async def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self.store, name)
        if self.is_async:
            return await method(*args, **kwargs)
        return await self._offload(functools.partial(method, *args, **kwargs))

    async def _offload(self, call: Callable[[], R]) -> R:
        if self._single is None:
            return await asyncio.to_thread(call)
        return await asyncio.get_running_loop().run_in_executor(self._single, call)

    async def upsert(self, agreement: str, requests: Sequence[OnlineRequest]) -> None:
        if self.store is not None:
            await self._call("upsert", agreement, requests)

    async def get(self, agreement: str, number: str) -> OnlineRequest | None:
        if self.store is None:
            return None
        found: OnlineRequest | None = await self._call("get", agreement, number)
        return found

    async def delete(self, agreement: str, number: str) -> None:
        if self.store is not None:
            await self._call("delete", agreement, number)

    async def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        if self.store is None:
            raise no_store_error()
        if self._full:
            result: MergeResult = await self._call("merge", agreement, requests)
            return result
        if self.is_async:
            raise ConfigurationError(
                "syncing into an async store needs its merge, remove_missing, watermark and "
                "set_watermark (AsyncSyncStore)",
                field="store",
                message_fr="Ce stockage ne permet pas la mise à jour de toutes les demandes.",
            )
        blocking = self.store
        assert isinstance(blocking, RequestStore)
        return await self._offload(
            functools.partial(merge_by_upsert, blocking, agreement, requests)
        )

    async def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        if not self._full:
            return 0
        removed: int = await self._call("remove_missing", agreement, keep, before=before)
        return removed

    async def watermark(self, agreement: str) -> dt.datetime | None:
        if not self._full:
            return None
        mark: dt.datetime | None = await self._call("watermark", agreement)
        return mark

    async def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        if self._full:
            await self._call("set_watermark", agreement, value)

    def close(self) -> None:
        """Stop the dedicated worker thread, if any (the store itself is the host's)."""
        if self._single is not None:
            self._single.shutdown(wait=True)
