"""Agency-wide work: sync every request of an agency, many agencies at once."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, overload

import attrs

if TYPE_CHECKING:
    from antsclient._async.session import AsyncAntsSession
    from antsclient._sync.session import AntsSession
    from antsclient.protocol.operations import DateWindow

__all__ = ["SyncReport", "sync_requests"]


@attrs.frozen(kw_only=True, slots=True)
class SyncReport:
    """Compte rendu de mise à jour: what a sync found."""

    agreement: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    unlinked: int = 0
    failed: int = 0
    error: str | None = None


@overload
def sync_requests(
    session: AsyncAntsSession,
    *,
    created: DateWindow | None = ...,
    modified: DateWindow | None = ...,
    progress: Callable[[int, int], None] | None = ...,
    concurrency: int = ...,
) -> Coroutine[Any, Any, SyncReport]: ...
@overload
def sync_requests(
    session: AntsSession,
    *,
    created: DateWindow | None = ...,
    modified: DateWindow | None = ...,
    progress: Callable[[int, int], None] | None = ...,
    concurrency: int = ...,
) -> SyncReport: ...
def sync_requests(
    session: AsyncAntsSession | AntsSession,
    *,
    created: DateWindow | None = None,
    modified: DateWindow | None = None,
    progress: Callable[[int, int], None] | None = None,
    concurrency: int = 8,
) -> SyncReport | Coroutine[Any, Any, SyncReport]:
    """Sync every request of ``session``'s agency into its store.

    With an :class:`AsyncAntsSession` it returns a coroutine; with an :class:`AntsSession` it
    runs the same async sync under the hood and returns the report.
    """
    raise NotImplementedError
