"""The blocking session's view of its store: every call made directly.

A store with only ``upsert``/``get``/``delete`` still serves a sync: its merge compares each
copy (:func:`~antsclient.storage.protocols.merge_by_upsert`) and it keeps no watermark, so
every sync into it is a full one.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Collection, Sequence

from antsclient.errors import ConfigurationError
from antsclient.models import OnlineRequest
from antsclient.storage.protocols import (
    MergeResult,
    RequestStore,
    SyncStore,
    merge_by_upsert,
    no_store_error,
)

__all__ = ["Store", "StoreLike", "no_store_error"]

StoreLike = RequestStore
"""What the blocking session takes as its store."""


class Store:
    """``store`` (or none) as the blocking session calls it."""

    def __init__(self, store: StoreLike | None) -> None:
        if store is not None and inspect.iscoroutinefunction(getattr(store, "upsert", None)):
            raise ConfigurationError(
                "an async store serves the async session only: use AsyncAntsSession",
                field="store",
                message_fr="Ce stockage ne sert qu'une session asynchrone.",
            )
        self.store = store
        # A protocol's isinstance walks its members: asked once, not at every page.
        self._sync: SyncStore | None = store if isinstance(store, SyncStore) else None

    def __bool__(self) -> bool:
        return self.store is not None

    @property
    def keeps_watermark(self) -> bool:
        """Whether the store keeps a watermark (a plain store does not)."""
        return self._sync is not None

    def upsert(self, agreement: str, requests: Sequence[OnlineRequest]) -> None:
        if self.store is not None:
            self.store.upsert(agreement, requests)

    def get(self, agreement: str, number: str) -> OnlineRequest | None:
        return None if self.store is None else self.store.get(agreement, number)

    def delete(self, agreement: str, number: str) -> None:
        if self.store is not None:
            self.store.delete(agreement, number)

    def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        if self.store is None:
            raise no_store_error()
        if self._sync is not None:
            return self._sync.merge(agreement, requests)
        return merge_by_upsert(self.store, agreement, requests)

    def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        if self._sync is not None:
            return self._sync.remove_missing(agreement, keep, before=before)
        return 0

    def watermark(self, agreement: str) -> dt.datetime | None:
        if self._sync is not None:
            return self._sync.watermark(agreement)
        return None

    def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        if self._sync is not None:
            self._sync.set_watermark(agreement, value)

    def close(self) -> None:
        """Nothing to release: the store is the host's."""
