"""A blocking store seen as an async one: every call in a worker thread.

:func:`in_thread` turns a :class:`~antsclient.storage.SqliteStore`, a
:class:`~antsclient.storage.MemoryStore`, a :class:`~antsclient.storage.PostgresStore` or a
host's own blocking store into an :class:`~antsclient.storage.AsyncSyncStore` (and
:class:`~antsclient.storage.AsyncSearchableStore`, :class:`~antsclient.storage.AsyncAgencyIndex`
and :class:`~antsclient.storage.AsyncBordereauStore` when the store has those methods): its
calls never block the event loop.

* A store that says it may be called from any thread (``thread_safe = True``, as every
  shipped store does) is called in the loop's default thread pool, so that several calls
  overlap (a SQLite busy wait, a network database).
* Any other store is called in one dedicated thread, one call at a time: it needs no thread
  safety of its own.

:class:`~antsclient.AsyncAntsSession` wraps a blocking store this way by itself.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import functools
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from antsclient.models import Bucket, Cerfa, OnlineRequest
from antsclient.models.window import DateWindow
from antsclient.storage.protocols import MergeResult, RequestStore, SyncStore, merge_by_upsert

if TYPE_CHECKING:
    from antsclient.export import RequestList
    from antsclient.models.paper import Bordereau

__all__ = ["InThread", "in_thread"]

R = TypeVar("R")


class InThread:
    """``store``'s methods as coroutines, each call run in a worker thread (see the module).

    A store with only ``upsert``/``get``/``delete`` still merges (by comparing each copy,
    :func:`~antsclient.storage.protocols.merge_by_upsert`) and keeps no watermark.
    """

    def __init__(self, store: RequestStore) -> None:
        self.store = store
        self.keeps_watermark: bool = isinstance(store, SyncStore)
        self._single: concurrent.futures.ThreadPoolExecutor | None = (
            None
            if getattr(store, "thread_safe", False)
            else concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="antsclient-store")
        )

    def __repr__(self) -> str:
        return f"in_thread({self.store!r})"

    async def _call(self, call: Callable[[], R]) -> R:
        if self._single is None:
            return await asyncio.to_thread(call)
        return await asyncio.get_running_loop().run_in_executor(self._single, call)

    def _method(self, name: str) -> Callable[..., Any]:
        method: Callable[..., Any] | None = getattr(self.store, name, None)
        if not callable(method):
            msg = f"{type(self.store).__name__} has no {name}()"
            raise AttributeError(msg)
        return method

    async def upsert(self, agreement: str, requests: Iterable[OnlineRequest]) -> None:
        """Insert or replace the local copies of ``requests``."""
        await self._call(functools.partial(self.store.upsert, agreement, list(requests)))

    async def get(self, agreement: str, number: str) -> OnlineRequest | None:
        """The local copy of request ``number``, if any."""
        return await self._call(functools.partial(self.store.get, agreement, number))

    async def delete(self, agreement: str, number: str) -> None:
        """Forget request ``number``."""
        await self._call(functools.partial(self.store.delete, agreement, number))

    async def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        """The store's ``merge`` (or a comparison of each copy, for a plain store)."""
        if isinstance(self.store, SyncStore):
            return await self._call(functools.partial(self.store.merge, agreement, requests))
        return await self._call(functools.partial(merge_by_upsert, self.store, agreement, requests))

    async def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        """The store's ``remove_missing`` (nothing, for a plain store)."""
        if not isinstance(self.store, SyncStore):
            return 0
        call = functools.partial(self.store.remove_missing, agreement, keep, before=before)
        return await self._call(call)

    async def watermark(self, agreement: str) -> dt.datetime | None:
        """The store's watermark (none, for a plain store)."""
        if not isinstance(self.store, SyncStore):
            return None
        return await self._call(functools.partial(self.store.watermark, agreement))

    async def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        """Set the store's watermark (nothing, for a plain store)."""
        if isinstance(self.store, SyncStore):
            await self._call(functools.partial(self.store.set_watermark, agreement, value))

    async def search(
        self,
        agreement: str,
        *,
        bucket: Bucket | None = None,
        cerfa: Cerfa | None = None,
        number: str | None = None,
        created: DateWindow | None = None,
        modified: DateWindow | None = None,
        linked: bool | None = None,
    ) -> RequestList:
        """The store's ``search``."""
        call = functools.partial(
            self._method("search"),
            agreement,
            bucket=bucket,
            cerfa=cerfa,
            number=number,
            created=created,
            modified=modified,
            linked=linked,
        )
        found: RequestList = await self._call(call)
        return found

    async def counts(self, agreement: str) -> dict[Cerfa | None, dict[Bucket, int]]:
        """The store's ``counts``."""
        found: dict[Cerfa | None, dict[Bucket, int]] = await self._call(
            functools.partial(self._method("counts"), agreement)
        )
        return found

    async def agreements(self) -> list[str]:
        """The store's ``agreements``."""
        found: list[str] = await self._call(self._method("agreements"))
        return found

    @contextlib.asynccontextmanager
    async def lock_agency(self, agreement: str) -> AsyncIterator[bool]:
        """The store's ``lock_agency``, entered and left in worker threads."""
        manager = await self._call(functools.partial(self._method("lock_agency"), agreement))
        held: bool = await self._call(manager.__enter__)
        try:
            yield held
        finally:
            await self._call(functools.partial(manager.__exit__, None, None, None))

    async def save_bordereau(self, bordereau: Bordereau) -> None:
        """The store's ``save_bordereau``."""
        await self._call(functools.partial(self._method("save_bordereau"), bordereau))

    async def get_bordereau(self, agreement: str, number: str) -> Bordereau | None:
        """The store's ``get_bordereau``."""
        found: Bordereau | None = await self._call(
            functools.partial(self._method("get_bordereau"), agreement, number)
        )
        return found

    async def bordereaux(self, agreement: str) -> list[Bordereau]:
        """The store's ``bordereaux``."""
        found: list[Bordereau] = await self._call(
            functools.partial(self._method("bordereaux"), agreement)
        )
        return found

    async def delete_bordereau(self, agreement: str, number: str) -> None:
        """The store's ``delete_bordereau``."""
        await self._call(functools.partial(self._method("delete_bordereau"), agreement, number))

    def close(self) -> None:
        """Stop the dedicated thread, if any (the store itself stays open: it is the host's)."""
        if self._single is not None:
            self._single.shutdown(wait=True)


def in_thread(store: RequestStore) -> InThread:
    """``store`` as an async store whose calls run in worker threads (see :class:`InThread`)."""
    return InThread(store)
