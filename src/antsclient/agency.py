"""Agency-wide work: sync every request of an agency, many agencies at once.

« Mettre à jour toutes les demandes » (F10). A sync lists the agency's requests page by
page — the first page first, then the others concurrently within a bound — and writes each
page to the store in one transaction. A sync without windows remembers a watermark (the
latest modification it saw); the next one asks only for what changed since, minus a small
overlap for clock skew. A complete listing also forgets the local copies ANTS no longer
holds. The work is async under the hood: with a blocking :class:`AntsSession` the same
coroutine runs in a private event loop (in a worker thread if a loop already runs, as in
Jupyter).

::

    report = session.requests.sync_all(progress=agency.progress_bar())
    reports = agency.sync_agencies(all_credentials, store, base_url=url)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import functools
import importlib
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable, Collection, Coroutine, Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Final, TypeVar, overload

import attrs
import httpx

from antsclient import _session_common as common
from antsclient.errors import ConfigurationError, ProtocolError
from antsclient.models import Credentials, OnlineRequest
from antsclient.storage.protocols import (
    CredentialsSource,
    MergeResult,
    RequestStore,
    SyncStore,
)

if TYPE_CHECKING:
    from antsclient._async.session import AsyncAntsSession
    from antsclient._policy import RetryPolicy
    from antsclient._sync.session import AntsSession
    from antsclient.models import DateWindow
    from antsclient.protocol.operations import Call

__all__ = [
    "DEFAULT_OVERLAP",
    "PAGE_SIZE",
    "ProgressBar",
    "SyncReport",
    "progress_bar",
    "sync_agencies",
    "sync_agencies_async",
    "sync_requests",
]

T = TypeVar("T")
R = TypeVar("R")

PAGE_SIZE: Final = 500
"""Requests per page: the protocol's maximum, so a sync makes as few round trips as it can."""

DEFAULT_OVERLAP: Final = dt.timedelta(minutes=5)
"""An incremental sync asks for what changed since the watermark minus this much."""

_MAX_PASSES: Final = 3


@attrs.frozen(kw_only=True, slots=True)
class SyncReport:
    """Compte rendu de mise à jour: what a sync found.

    ``new``, ``updated`` and ``unchanged`` count the requests seen against the local copies;
    ``unlinked`` those of them linked to no student (registered directly on ANTS);
    ``failed`` those that could not be read or fetched; ``removed`` the local copies a
    complete listing no longer found on ANTS. ``incremental`` says the sync asked only for
    changes since ``since``; ``watermark`` is where the next one will start. ``error``
    (with ``error_code``) says why an agency's sync stopped, in :func:`sync_agencies`.
    """

    agreement: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    unlinked: int = 0
    failed: int = 0
    error: str | None = None
    removed: int = 0
    total: int = 0
    pages: int = 0
    incremental: bool = False
    since: dt.datetime | None = None
    watermark: dt.datetime | None = None
    elapsed_s: float = 0.0
    error_code: str | None = None
    error_fr: str | None = None

    @property
    def ok(self) -> bool:
        """Whether everything was fetched and stored."""
        return self.error is None and self.failed == 0

    @property
    def seen(self) -> int:
        """How many requests ANTS sent."""
        return self.new + self.updated + self.unchanged


# --- reading a page fast ----------------------------------------------------------------------


def decode_request(data: Mapping[str, Any]) -> OnlineRequest:
    """An :class:`OnlineRequest` from its protocol data (the codec's fast hook)."""
    from antsclient.codec import from_data  # noqa: PLC0415

    return from_data(data, OnlineRequest)


@attrs.frozen(kw_only=True, slots=True)
class _Page:
    """A search page as it arrived: its paging, and its items not read yet (so the other
    pages can be asked for before this one is read and stored)."""

    raw_items: list[Any]
    total: int
    pages: int

    def read(self) -> tuple[list[OnlineRequest], int]:
        """The requests, each read on its own: one unreadable request is counted as failed,
        never the whole page."""
        items: list[OnlineRequest] = []
        failed = 0
        for raw in self.raw_items:
            try:
                items.append(decode_request(raw))
            except Exception:  # tolerant in: one bad request is reported, not fatal
                failed += 1
        return items, failed


def _parse_page(response: httpx.Response) -> _Page:
    """The paging of a search answer, and its raw items."""
    try:
        data = response.json()
        raw_items = data["items"]
        total, pages = int(data["total"]), int(data["pages"])
        if not isinstance(raw_items, list):
            raise TypeError
    except (ValueError, KeyError, TypeError) as exc:
        raise ProtocolError(
            "the search answer is not a page of requests", code="malformed_body"
        ) from exc
    return _Page(raw_items=raw_items, total=total, pages=pages)


# --- the store as a sync sees it ---------------------------------------------------------------


class _PlainStore:
    """A store with only ``upsert``/``get``/``delete``: every sync is a full one."""

    def __init__(self, store: RequestStore) -> None:
        self._store = store
        self.thread_safe = bool(getattr(store, "thread_safe", False))

    def merge(self, agreement: str, requests: Sequence[OnlineRequest]) -> MergeResult:
        new = updated = 0
        changed: list[OnlineRequest] = []
        for request in requests:
            current = self._store.get(agreement, request.number)
            if current == request:
                continue
            if current is None:
                new += 1
            else:
                updated += 1
            changed.append(request)
        if changed:
            self._store.upsert(agreement, changed)
        return MergeResult(new=new, updated=updated, unchanged=len(requests) - new - updated)

    def remove_missing(self, agreement: str, keep: Collection[str], *, before: float) -> int:
        return 0  # a plain store cannot list its copies

    def watermark(self, agreement: str) -> dt.datetime | None:
        return None

    def set_watermark(self, agreement: str, value: dt.datetime | None) -> None:
        return None


def _sync_store(store: RequestStore | None) -> SyncStore | _PlainStore:
    if store is None:
        raise ConfigurationError(
            "syncing the requests needs a store: give the session one (store=...)",
            field="store",
            message_fr="Aucun stockage local des demandes n'est configuré pour la mise à jour.",
        )
    if isinstance(store, SyncStore):
        return store
    return _PlainStore(store)


# --- the sync itself -----------------------------------------------------------------------------


@attrs.define
class _Tally:
    """What a sync has done so far (kept when it stops on an error)."""

    agreement: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    unlinked: int = 0
    failed: int = 0
    removed: int = 0
    total: int = 0
    pages: int = 0
    fetched: int = 0
    incremental: bool = False
    since: dt.datetime | None = None
    watermark: dt.datetime | None = None
    started: float = attrs.field(factory=time.monotonic)

    def report(self, error: BaseException | None = None) -> SyncReport:
        failed = self.failed
        if error is not None:
            failed += max(self.total - self.fetched, 0)
        return SyncReport(
            agreement=self.agreement,
            new=self.new,
            updated=self.updated,
            unchanged=self.unchanged,
            unlinked=self.unlinked,
            failed=failed,
            removed=self.removed,
            total=self.total,
            pages=self.pages,
            incremental=self.incremental,
            since=self.since,
            watermark=self.watermark,
            elapsed_s=time.monotonic() - self.started,
            error=None if error is None else (str(error) or type(error).__name__),
            error_code=None if error is None else getattr(error, "code", type(error).__name__),
            error_fr=None if error is None else getattr(error, "message_fr", None),
        )


Send = Callable[["Call", Callable[[httpx.Response], _Page]], Awaitable[_Page]]


async def _sync(
    send: Send,
    store: SyncStore | _PlainStore,
    tally: _Tally,
    *,
    created: DateWindow | None,
    modified: DateWindow | None,
    progress: Callable[[int, int], None] | None,
    concurrency: int,
    full: bool,
    overlap: dt.timedelta,
    known: dict[str, OnlineRequest] | None,
) -> SyncReport:
    from antsclient.protocol import operations as ops  # noqa: PLC0415

    agreement = tally.agreement
    windowed = created is not None or modified is not None
    previous = None if windowed or full else store.watermark(agreement)
    if previous is not None:
        tally.incremental = True
        tally.since = previous - overlap
        modified = (tally.since, None)
    complete = not windowed and previous is None
    began_wall = time.time()
    began = dt.datetime.now(dt.UTC)
    limit = asyncio.Semaphore(max(concurrency, 1))
    # A store that says it is thread-safe is written from a worker thread, so that its I/O
    # overlaps the network; any other is called from the event loop's thread.
    offload = bool(getattr(store, "thread_safe", False))

    async def write(method: Callable[..., R], *args: Any) -> R:
        if offload:
            return await asyncio.to_thread(method, *args)
        return method(*args)

    newest: dt.datetime | None = None
    seen: set[str] = set()

    async def fetch(page: int) -> _Page:
        call = ops.search_requests(
            created=created, modified=modified, page=page, page_size=PAGE_SIZE
        )
        async with limit:
            return await send(call, _parse_page)

    async def store_page(page: _Page) -> None:
        nonlocal newest
        tally.total = max(tally.total, page.total)
        items, failed = page.read()
        result = await write(store.merge, agreement, items)
        tally.new += result.new
        tally.updated += result.updated
        tally.unchanged += result.unchanged
        tally.failed += failed
        tally.pages += 1
        tally.fetched += len(items) + failed
        for item in items:
            seen.add(item.number)
            if item.student_id is None:
                tally.unlinked += 1
            if newest is None or item.modified > newest:
                newest = item.modified
            if known is not None and item.number in known:
                known[item.number] = item
        if progress is not None:
            progress(min(tally.fetched, tally.total), tally.total)

    for _ in range(_MAX_PASSES):
        # A complete listing asks for page 2 with page 1: most agencies have more than one.
        tasks = {n: asyncio.ensure_future(fetch(n)) for n in ((1, 2) if complete else (1,))}
        try:
            first = await tasks[1]
            for n in range(2, first.pages + 1):
                if n not in tasks:
                    tasks[n] = asyncio.ensure_future(fetch(n))
            for n in [n for n in tasks if n > max(first.pages, 1)]:
                tasks.pop(n).cancel()
            await store_page(first)  # while the other pages are on their way
            for next_page in asyncio.as_completed([t for n, t in tasks.items() if n > 1]):
                await store_page(await next_page)
        finally:
            for task in tasks.values():
                task.cancel()
            await asyncio.gather(*tasks.values(), return_exceptions=True)
        # Pages are offsets in a list ordered by modification: a request changed during the
        # listing moves to its end and may push another one across a page boundary unseen.
        if len(seen) + tally.failed >= tally.total:
            break
        tally.fetched = len(seen) + tally.failed
    duplicates = tally.new + tally.updated + tally.unchanged - len(seen)
    tally.unchanged = max(tally.unchanged - duplicates, 0)

    if tally.failed == 0 and not windowed:
        # Never past our own clock (a server stamp from the future must not hide changes),
        # never back before the previous watermark.
        marks = [m for m in (previous, None if newest is None else min(newest, began)) if m]
        tally.watermark = max(marks) if marks else None
        if complete and len(seen) >= tally.total:
            tally.removed = await write(
                functools.partial(store.remove_missing, before=began_wall), agreement, seen
            )
        if tally.watermark is not None:
            await write(store.set_watermark, agreement, tally.watermark)
    else:
        tally.watermark = previous
    tally.total = max(tally.total, len(seen) + tally.failed)
    return tally.report()


async def _sync_async_session(
    session: AsyncAntsSession,
    *,
    created: DateWindow | None,
    modified: DateWindow | None,
    progress: Callable[[int, int], None] | None,
    concurrency: int,
    full: bool,
    overlap: dt.timedelta,
    known: dict[str, OnlineRequest] | None = None,
    tally: _Tally | None = None,
) -> SyncReport:
    store = _sync_store(session.store)
    return await _sync(
        session._call,
        store,
        tally or _Tally(agreement=session.credentials.agreement),
        created=created,
        modified=modified,
        progress=progress,
        concurrency=concurrency,
        full=full,
        overlap=overlap,
        known=session._known if known is None else known,
    )


class _Shared(httpx.AsyncBaseTransport):
    """A transport shared by many sessions: closing one session leaves it open."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transport.handle_async_request(request)

    async def aclose(self) -> None:
        return None


def _default_transport(connections: int, base_url: str) -> httpx.AsyncBaseTransport | None:
    """A pooled async transport reusing one TLS context (``None`` behind an environment
    proxy: httpx then configures the proxy itself).

    A plain-HTTP server (a sandbox on loopback) gets a context that trusts no certificate:
    it is never used there, and it fails closed if it ever were.
    """
    if urllib.request.getproxies():
        return None
    limits = httpx.Limits(max_connections=max(connections, 10), max_keepalive_connections=20)
    return httpx.AsyncHTTPTransport(verify=common.tls_context(base_url), limits=limits)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end from blocking code, even inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="antsclient-sync") as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _sync_blocking(
    session: AntsSession,
    *,
    created: DateWindow | None,
    modified: DateWindow | None,
    progress: Callable[[int, int], None] | None,
    concurrency: int,
    full: bool,
    overlap: dt.timedelta,
) -> SyncReport:
    from antsclient._async.session import AsyncAntsSession  # noqa: PLC0415

    store = _sync_store(session.store)
    options: dict[str, Any] = {
        "created": created,
        "modified": modified,
        "progress": progress,
        "concurrency": concurrency,
        "full": full,
        "overlap": overlap,
    }
    given = session.transport
    if given is not None and not isinstance(given, httpx.AsyncBaseTransport):
        # A blocking-only transport: the session's own client, from worker threads.
        async def send(call: Call, parse: Callable[[httpx.Response], _Page]) -> _Page:
            return await asyncio.to_thread(session._call, call, parse)

        tally = _Tally(agreement=session.credentials.agreement)
        return _run(_sync(send, store, tally, known=session._known, **options))

    async def main() -> SyncReport:
        # The caller's transport is shared, never closed; a pool of our own closes with the
        # worker session.
        transport = (
            _Shared(given)
            if given is not None
            else _default_transport(concurrency, session.base_url)
        )
        async with AsyncAntsSession(
            session.credentials,
            base_url=session.base_url,
            timeout=session.timeout,
            retry=session.retry,
            store=session.store,
            transport=transport,
        ) as worker:
            worker._token = session._token
            try:
                return await _sync_async_session(worker, known=session._known, **options)
            finally:
                if worker._token is not None:
                    session._token = worker._token

    return _run(main())


@overload
def sync_requests(
    session: AsyncAntsSession,
    *,
    created: DateWindow | None = ...,
    modified: DateWindow | None = ...,
    progress: Callable[[int, int], None] | None = ...,
    concurrency: int = ...,
    full: bool = ...,
    overlap: dt.timedelta = ...,
) -> Coroutine[Any, Any, SyncReport]: ...
@overload
def sync_requests(
    session: AntsSession,
    *,
    created: DateWindow | None = ...,
    modified: DateWindow | None = ...,
    progress: Callable[[int, int], None] | None = ...,
    concurrency: int = ...,
    full: bool = ...,
    overlap: dt.timedelta = ...,
) -> SyncReport: ...
def sync_requests(
    session: AsyncAntsSession | AntsSession,
    *,
    created: DateWindow | None = None,
    modified: DateWindow | None = None,
    progress: Callable[[int, int], None] | None = None,
    concurrency: int = 8,
    full: bool = False,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
) -> SyncReport | Coroutine[Any, Any, SyncReport]:
    """Sync every request of ``session``'s agency into its store.

    With an :class:`AsyncAntsSession` it returns a coroutine; with an :class:`AntsSession` it
    runs the same async sync under the hood and returns the report.

    ``created`` and ``modified`` limit the sync to windows (inclusive; then no watermark is
    read or written). Without them the sync is incremental once a watermark exists, unless
    ``full``. At most ``concurrency`` pages are in flight; ``progress(done, total)`` is
    called, in requests, as pages are stored (see :func:`progress_bar`). An error that stops
    the sync is raised once the pages already fetched are stored; the watermark then does
    not move, so the next sync fetches the rest.
    """
    from antsclient._async.session import AsyncAntsSession  # noqa: PLC0415

    if isinstance(session, AsyncAntsSession):
        return _sync_async_session(
            session,
            created=created,
            modified=modified,
            progress=progress,
            concurrency=concurrency,
            full=full,
            overlap=overlap,
        )
    return _sync_blocking(
        session,
        created=created,
        modified=modified,
        progress=progress,
        concurrency=concurrency,
        full=full,
        overlap=overlap,
    )


# --- many agencies --------------------------------------------------------------------------------


def _credentials_of(source: Iterable[Credentials] | CredentialsSource) -> list[Credentials]:
    if isinstance(source, CredentialsSource):
        return list(source.agencies())
    return list(source)


async def sync_agencies_async(
    credentials: Iterable[Credentials] | CredentialsSource,
    store: RequestStore,
    *,
    base_url: str,
    concurrency: int = 4,
    page_concurrency: int = 4,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: httpx.Timeout | float | None = None,
    retry: RetryPolicy | None = None,
    created: DateWindow | None = None,
    modified: DateWindow | None = None,
    full: bool = False,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[SyncReport]:
    """:func:`sync_agencies`, awaited."""
    from antsclient._async.session import AsyncAntsSession  # noqa: PLC0415
    from antsclient._policy import DEFAULT_TIMEOUT  # noqa: PLC0415

    agencies = _credentials_of(credentials)
    own = (
        None
        if transport is not None
        else _default_transport(concurrency * page_concurrency, base_url)
    )
    base = transport if transport is not None else own
    shared = None if base is None else _Shared(base)
    limit = asyncio.Semaphore(max(concurrency, 1))

    async def one(creds: Credentials) -> SyncReport:
        tally = _Tally(agreement=creds.agreement)
        step = None if progress is None else functools.partial(progress, creds.agreement)
        async with limit:
            tally.started = time.monotonic()
            try:
                async with AsyncAntsSession(
                    creds,
                    base_url=base_url,
                    timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
                    retry=retry,
                    store=store,
                    transport=shared,
                ) as session:
                    return await _sync_async_session(
                        session,
                        created=created,
                        modified=modified,
                        progress=step,
                        concurrency=page_concurrency,
                        full=full,
                        overlap=overlap,
                        tally=tally,
                    )
            except Exception as exc:  # one agency's failure goes in its own report
                return tally.report(exc)

    try:
        return list(await asyncio.gather(*(one(c) for c in agencies)))
    finally:
        if own is not None:
            await own.aclose()


def sync_agencies(
    credentials: Iterable[Credentials] | CredentialsSource,
    store: RequestStore,
    *,
    base_url: str,
    concurrency: int = 4,
    page_concurrency: int = 4,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: httpx.Timeout | float | None = None,
    retry: RetryPolicy | None = None,
    created: DateWindow | None = None,
    modified: DateWindow | None = None,
    full: bool = False,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[SyncReport]:
    """Mettre à jour toutes les demandes of many agencies (bureaux) into one store.

    ``credentials`` are the agencies' (an iterable, or a
    :class:`~antsclient.storage.CredentialsSource`); at most ``concurrency`` agencies sync
    at once, each with up to ``page_concurrency`` pages in flight, over one shared
    connection pool (or ``transport``). One report per agency, in the order given; an
    agency's failure (wrong password, ANTS unreachable) is in its own report's ``error``
    and never stops the others. ``progress(agreement, done, total)`` follows each agency.
    """
    return _run(
        sync_agencies_async(
            credentials,
            store,
            base_url=base_url,
            concurrency=concurrency,
            page_concurrency=page_concurrency,
            transport=transport,
            timeout=timeout,
            retry=retry,
            created=created,
            modified=modified,
            full=full,
            overlap=overlap,
            progress=progress,
        )
    )


# --- progress -------------------------------------------------------------------------------------


class ProgressBar:
    """A ``progress(done, total)`` callback drawing a bar: tqdm's (``tqdm.auto``, so it is
    a widget in Jupyter) when tqdm is installed, else a plain text bar on ``file``.

    Use it as the ``progress`` of a sync, and :meth:`close` it (or use ``with``) after.
    """

    def __init__(
        self,
        description: str = "Mise à jour des demandes",
        *,
        file: IO[str] | None = None,
        use_tqdm: bool | None = None,
        width: int = 30,
    ) -> None:
        self.description = description
        self.file = file
        self.width = width
        self._bar: Any = None
        self._last = ""
        self._tqdm: Any = None
        if use_tqdm is not False:
            try:
                self._tqdm = importlib.import_module("tqdm.auto").tqdm
            except ImportError:
                if use_tqdm:
                    raise

    def __call__(self, done: int, total: int) -> None:
        if self._tqdm is not None:
            if self._bar is None:
                self._bar = self._tqdm(
                    total=total, desc=self.description, unit="demande", file=self.file
                )
            self._bar.total = total
            self._bar.n = done
            self._bar.refresh()
            return
        filled = self.width if total <= 0 else self.width * done // total
        percent = 100 if total <= 0 else 100 * done // total
        line = (
            f"\r{self.description} |{'█' * filled}{' ' * (self.width - filled)}| "
            f"{done}/{total} ({percent} %)"
        )
        if line != self._last:
            out = self.file or sys.stderr
            out.write(line)
            out.flush()
            self._last = line

    def close(self) -> None:
        """End the bar (a new line after a text bar)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._last:
            (self.file or sys.stderr).write("\n")
            self._last = ""

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def progress_bar(
    description: str = "Mise à jour des demandes", *, file: IO[str] | None = None
) -> ProgressBar:
    """A progress bar for a sync's ``progress`` (tqdm if installed, else text)."""
    return ProgressBar(description, file=file)
