"""Agency-wide work: sync every request of an agency, many agencies at once.

« Mettre à jour toutes les demandes » (F10). One agency's sync is a session's
``requests.sync_all`` (the listing engine, :mod:`antsclient._listing`, driven by each
shell); this module adds what spans agencies, through the sessions' public API only:
:func:`sync_agencies` (blocking: agencies in worker threads) and
:func:`sync_agencies_async` (tasks), each agency with its own session over one shared
connection pool, and one report per agency whatever happens to the others.

::

    report = session.requests.sync_all(progress=progress_bar())
    reports = agency.sync_agencies(all_credentials, store, base_url=url)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, Unpack, overload

import attrs
import httpx

from antsclient._listing import DEFAULT_OVERLAP, PAGE_SIZE, SyncOptions, SyncReport
from antsclient._transport import (
    SharedAsyncTransport,
    SharedTransport,
    check_base_url,
    pooled_async_transport,
    pooled_transport,
)
from antsclient.models import Credentials, OnlineRequest
from antsclient.progress import ProgressBar, progress_bar
from antsclient.storage.protocols import AsyncRequestStore, CredentialsSource, RequestStore

if TYPE_CHECKING:
    import datetime as dt

    from antsclient._async.session import AsyncAntsSession
    from antsclient._policy import RetryPolicy
    from antsclient._sync.session import AntsSession
    from antsclient.models.window import DateWindow

__all__ = [
    "DEFAULT_OVERLAP",
    "PAGE_SIZE",
    "AgencySyncKeywords",
    "ProgressBar",
    "SyncKeywords",
    "SyncOptions",
    "SyncReport",
    "decode_request",
    "progress_bar",
    "sync_agencies",
    "sync_agencies_async",
    "sync_requests",
]


class AgencySyncKeywords(TypedDict, total=False):
    """The fields of a :class:`SyncOptions` that :func:`sync_agencies` takes as keywords
    (its ``page_concurrency`` and ``progress`` are its own)."""

    created: DateWindow | None
    modified: DateWindow | None
    full: bool
    overlap: dt.timedelta


class SyncKeywords(AgencySyncKeywords, total=False):
    """The fields of a :class:`SyncOptions` given as keywords to :func:`sync_requests`."""

    concurrency: int
    progress: Callable[[int, int], None] | None
    raise_errors: bool


def decode_request(data: Mapping[str, Any]) -> OnlineRequest:
    """An :class:`OnlineRequest` from its protocol data (the codec's fast path)."""
    from antsclient.codec import read_online_request  # noqa: PLC0415

    return read_online_request(data)


@overload
def sync_requests(
    session: AsyncAntsSession,
    *,
    options: SyncOptions | None = ...,
    **keywords: Unpack[SyncKeywords],
) -> Coroutine[Any, Any, SyncReport]: ...
@overload
def sync_requests(
    session: AntsSession, *, options: SyncOptions | None = ..., **keywords: Unpack[SyncKeywords]
) -> SyncReport: ...
def sync_requests(
    session: AsyncAntsSession | AntsSession,
    *,
    options: SyncOptions | None = None,
    **keywords: Unpack[SyncKeywords],
) -> SyncReport | Coroutine[Any, Any, SyncReport]:
    """Sync every request of ``session``'s agency into its store: ``session.requests.sync_all``.

    ``options`` is a :class:`SyncOptions`, or its fields are given as keywords (``created``,
    ``modified``, ``full``, ``concurrency``, ``overlap``, ``progress``). With an
    :class:`~antsclient.AsyncAntsSession` it returns a coroutine.
    """
    return session.requests.sync_all(options=options or SyncOptions(**keywords))


def _credentials_of(source: Iterable[Credentials] | CredentialsSource) -> list[Credentials]:
    if isinstance(source, CredentialsSource):
        return list(source.agencies())
    return list(source)


@attrs.frozen(kw_only=True, slots=True)
class _Agencies:
    """What :func:`sync_agencies` and :func:`sync_agencies_async` share for every agency."""

    agencies: list[Credentials]
    base_url: str
    timeout: httpx.Timeout | float | None
    retry: RetryPolicy | None
    options: SyncOptions
    progress: Callable[[str, int, int], None] | None
    connections: int
    """How many connections the agencies' pages need at most (agencies × pages)."""

    def session_options(self) -> dict[str, Any]:
        from antsclient._policy import DEFAULT_TIMEOUT  # noqa: PLC0415

        timeout = DEFAULT_TIMEOUT if self.timeout is None else self.timeout
        return {"base_url": self.base_url, "timeout": timeout, "retry": self.retry}

    def options_for(self, agreement: str) -> SyncOptions:
        step = None if self.progress is None else functools.partial(self.progress, agreement)
        return attrs.evolve(self.options, progress=step, raise_errors=False)

    @classmethod
    def of(cls, given: Mapping[str, Any]) -> _Agencies:
        """The work of a call to :func:`sync_agencies` or :func:`sync_agencies_async`,
        from its arguments."""
        options = given["options"] or SyncOptions(
            concurrency=given["page_concurrency"], **given["keywords"]
        )
        return cls(
            agencies=_credentials_of(given["credentials"]),
            base_url=check_base_url(given["base_url"]),
            timeout=given["timeout"],
            retry=given["retry"],
            options=options,
            progress=given["progress"],
            connections=given["concurrency"] * options.concurrency,
        )

    @staticmethod
    def failed(agreement: str, error: Exception, started: float) -> SyncReport:
        """The report of an agency whose session could not even start."""
        return SyncReport(
            agreement=agreement,
            error=str(error) or type(error).__name__,
            error_code=getattr(error, "code", type(error).__name__),
            error_fr=getattr(error, "message_fr", None),
            elapsed_s=time.monotonic() - started,
        )


def sync_agencies(
    credentials: Iterable[Credentials] | CredentialsSource,
    store: RequestStore,
    *,
    base_url: str,
    concurrency: int = 4,
    page_concurrency: int = 4,
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout | float | None = None,
    retry: RetryPolicy | None = None,
    options: SyncOptions | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    **keywords: Unpack[AgencySyncKeywords],
) -> list[SyncReport]:
    """Mettre à jour toutes les demandes of many agencies (bureaux) into one store.

    ``credentials`` are the agencies' (an iterable, or a
    :class:`~antsclient.storage.CredentialsSource`); at most ``concurrency`` agencies sync
    at once (each in a worker thread, with its own blocking session), each with up to
    ``page_concurrency`` pages in flight, over one shared connection pool (or
    ``transport``). ``options`` (a :class:`SyncOptions`, or its fields as keywords:
    ``created``, ``modified``, ``full``, ``overlap``) applies to every agency. One report per
    agency, in the order given; an agency's failure (wrong password, ANTS unreachable) is in
    its own report's ``error`` and never stops the others. ``progress(agreement, done,
    total)`` follows each agency.
    """
    from antsclient._sync.session import AntsSession  # noqa: PLC0415

    work = _Agencies.of(locals())
    own = None if transport else pooled_transport(work.connections, work.base_url)
    shared = SharedTransport(base) if (base := transport or own) is not None else None

    def one(creds: Credentials) -> SyncReport:
        started = time.monotonic()
        try:
            with AntsSession(
                creds, store=store, transport=shared, **work.session_options()
            ) as session:
                return session.requests.sync_all(options=work.options_for(creds.agreement))
        except Exception as exc:  # one agency's failure goes in its own report
            return work.failed(creds.agreement, exc, started)

    try:
        workers = max(min(concurrency, len(work.agencies)), 1)
        with concurrent.futures.ThreadPoolExecutor(workers, "antsclient-agency") as pool:
            return list(pool.map(one, work.agencies))
    finally:
        if own is not None:
            own.close()


async def sync_agencies_async(
    credentials: Iterable[Credentials] | CredentialsSource,
    store: RequestStore | AsyncRequestStore,
    *,
    base_url: str,
    concurrency: int = 4,
    page_concurrency: int = 4,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: httpx.Timeout | float | None = None,
    retry: RetryPolicy | None = None,
    options: SyncOptions | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    **keywords: Unpack[AgencySyncKeywords],
) -> list[SyncReport]:
    """:func:`sync_agencies`, awaited: each agency a task with its own async session.

    ``store`` may be async (:class:`~antsclient.storage.AsyncPostgresStore`): it is awaited;
    a blocking one is called in worker threads.
    """
    from antsclient._async.session import AsyncAntsSession  # noqa: PLC0415

    work = _Agencies.of(locals())
    own = None if transport else pooled_async_transport(work.connections, work.base_url)
    shared = SharedAsyncTransport(base) if (base := transport or own) is not None else None
    limit = asyncio.Semaphore(max(concurrency, 1))

    async def one(creds: Credentials) -> SyncReport:
        async with limit:
            started = time.monotonic()
            try:
                async with AsyncAntsSession(
                    creds, store=store, transport=shared, **work.session_options()
                ) as session:
                    return await session.requests.sync_all(
                        options=work.options_for(creds.agreement)
                    )
            except Exception as exc:  # one agency's failure goes in its own report
                return work.failed(creds.agreement, exc, started)

    try:
        return list(await asyncio.gather(*(one(c) for c in work.agencies)))
    finally:
        if own is not None:
            await own.aclose()
