"""The listing engine, without I/O: which pages to ask for, and what the answers mean.

« Mettre à jour toutes les demandes » (F10) lists an agency's requests page by page. This
module decides everything about that walk and the shells only send and store:

* :class:`Listing` says which pages to ask for — the first (with the next ones up to the
  sync's concurrency for a complete listing, as most agencies have more than one page: a
  page past the end comes back empty, for a few bytes), then, once the first page tells how
  many there are, all the others at once — and reads each page that arrives. Pages are
  offsets in a list ordered by modification: a request changed while we list moves to its
  end and may push another across a page boundary unseen, so when a walk ends with fewer
  requests than the listing counts, it starts another pass (at most :data:`MAX_PASSES`).
  A request seen twice is kept once, in its newest copy.
* :class:`SyncPlan` adds what a sync knows: the watermark it starts from (an incremental
  sync asks only for what changed since, minus :data:`DEFAULT_OVERLAP`), the tally of what
  the store said of each page, and at the end what to write back — the new watermark (never
  past our own clock, never before the previous one) and, for a complete listing, which
  local copies ANTS no longer holds.

Each shell drives it with a short loop (:meth:`AsyncRequests.sync_all
<antsclient.AsyncAntsSession>`), with its own concurrency: tasks under a bound in the async
one, a thread pool over the shared ``httpx.Client`` in the blocking one.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import time
from collections.abc import Callable, Collection, Iterable
from typing import Final

import attrs

from antsclient._report import SyncReport
from antsclient.errors import ProtocolError
from antsclient.models import OnlineRequest
from antsclient.models.window import DateWindow
from antsclient.protocol import MAX_PAGE_SIZE, Call, Page, search_requests
from antsclient.storage.protocols import MergeResult

__all__ = [
    "DEFAULT_OVERLAP",
    "MAX_PAGES",
    "MAX_PASSES",
    "PAGE_SIZE",
    "Listing",
    "SyncOptions",
    "SyncPlan",
    "SyncReport",
]

PAGE_SIZE: Final = MAX_PAGE_SIZE
"""Requests per page of a sync: the protocol's maximum, for as few round trips as can be."""

DEFAULT_OVERLAP: Final = dt.timedelta(minutes=5)
"""An incremental sync asks for what changed since the watermark minus this much."""

MAX_PAGES: Final = 10_000
"""The most pages a listing may announce (see :class:`antsclient.Limits`)."""

MAX_PASSES: Final = 3
"""How many times a listing is walked before its gaps are reported as failures."""

Progress = Callable[[int, int], None]

_MODIFIED: Final = operator.attrgetter("modified")


@attrs.frozen(kw_only=True, slots=True)
class SyncOptions:
    """Options d'une mise à jour: what a sync asks for and how.

    ``created`` and ``modified`` limit it to windows (inclusive); then no watermark is read
    or written. Without them it is incremental once a watermark exists, unless ``full``.
    At most ``concurrency`` pages are in flight. ``progress(done, total)`` is called, in
    requests, as pages are stored. ``overlap`` is how far before the watermark an
    incremental sync starts. With ``raise_errors=False`` an error that stops the sync is
    written in the report (:attr:`SyncReport.error`) instead of raised.
    """

    created: DateWindow | None = None
    modified: DateWindow | None = None
    full: bool = False
    concurrency: int = attrs.field(default=8, validator=attrs.validators.ge(1))
    overlap: dt.timedelta = DEFAULT_OVERLAP
    progress: Progress | None = attrs.field(default=None, eq=False)
    raise_errors: bool = True

    @property
    def windowed(self) -> bool:
        """Whether the sync is limited to windows (then it keeps no watermark)."""
        return self.created is not None or self.modified is not None


@attrs.frozen(kw_only=True, slots=True)
class Arrival:
    """What a page that arrived brings: the requests to store, in two batches.

    ``fresh`` are seen for the first time in this listing; ``again`` were seen on an earlier
    page but come back newer (they moved while we listed): store them too, without counting
    them twice. ``failed`` counts the page's unreadable requests.
    """

    fresh: tuple[OnlineRequest, ...]
    again: tuple[OnlineRequest, ...]
    failed: int


class Listing:
    """One walk over a listing of requests, page by page, without I/O.

    ``complete`` asks for pages 2 to ``first_wave`` with page 1 (worth it when most listings
    have more than one page: a whole round trip saved, and a page past the end is an empty
    answer). The shell asks for :meth:`start`'s pages, gives each page that arrives to
    :meth:`arrived` (which returns the pages to ask for now), and when nothing is in flight
    asks :meth:`next_pass` for another pass (empty when the listing is whole or the passes
    are spent).
    """

    def __init__(
        self,
        *,
        created: DateWindow | None = None,
        modified: DateWindow | None = None,
        complete: bool = False,
        page_size: int = PAGE_SIZE,
        passes: int = MAX_PASSES,
        first_wave: int = 2,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.created = created
        self.max_pages = max_pages
        self.modified = modified
        self.complete = complete
        self.first_wave = max(first_wave, 1)
        self.page_size = page_size
        self.passes_left = passes
        self.total = 0
        self.failed = 0
        self.pages_read = 0
        self.seen: dict[str, dt.datetime] = {}
        self._asked: set[int] = set()
        self._pages: int | None = None

    def call(self, page: int) -> Call:
        """The search call for ``page``."""
        return search_requests(
            created=self.created, modified=self.modified, page=page, page_size=self.page_size
        )

    def start(self) -> list[int]:
        """The pages to ask for first in a pass."""
        self.passes_left -= 1
        self._asked = set(range(1, self.first_wave + 1)) if self.complete else {1}
        self._pages = None
        return sorted(self._asked)

    def arrived(self, number: int, page: Page) -> tuple[list[int], Arrival]:
        """Read page ``number``: the pages to ask for now, and what to store."""
        more: list[int] = []
        if page.pages > self.max_pages:
            raise ProtocolError(
                f"the listing announces {page.pages:,} pages; this client reads at most "
                f"{self.max_pages:,} (Limits.pages)",
                code="too_many_pages",
                message_fr="Le site de l'ANTS annonce un nombre de pages démesuré ; la mise à "
                "jour est arrêtée.",
            )
        if self._pages is None or number == 1:
            self._pages = page.pages
            more = [n for n in range(2, page.pages + 1) if n not in self._asked]
            self._asked.update(more)
        self.total = max(self.total, page.total)
        if number <= max(page.pages, 1):
            self.pages_read += 1
        self.failed += page.failed
        seen = self.seen
        count = len(seen)
        for item in page.items:
            seen.setdefault(item.number, item.modified)
        if len(seen) - count == len(page.items):  # the common case: every request is new
            return more, Arrival(fresh=tuple(page.items), again=(), failed=page.failed)
        return more, self._split(page, count)

    def _split(self, page: Page, count: int) -> Arrival:
        """A page with requests met before: which are new, which came back newer."""
        # ``seen`` already holds this page's new numbers (added after the first ``count``).
        fresh: list[OnlineRequest] = []
        again: list[OnlineRequest] = []
        seen = self.seen
        new = set(itertools.islice(seen, count, None))
        for item in page.items:
            if item.number in new:
                new.discard(item.number)  # a number twice on one page: its first copy...
                fresh.append(item)
            elif item.modified > seen[item.number]:
                again.append(item)  # ...and a later, newer one comes back as again
                seen[item.number] = item.modified
        return Arrival(fresh=tuple(fresh), again=tuple(again), failed=page.failed)

    @property
    def whole(self) -> bool:
        """Whether every request the listing counts was seen (or counted as failed)."""
        return len(self.seen) + self.failed >= self.total

    def next_pass(self) -> list[int]:
        """The pages of another pass, or none when the listing is whole or passes are spent.

        A new pass forgets the failures of the last one (their pages are asked again).
        """
        if self.whole or self.passes_left <= 0:
            return []
        self.failed = 0
        return self.start()


class SyncPlan:
    """A sync of one agency, without I/O: its listing, its tally and what to write back.

    ``previous`` is the watermark the store holds (``None`` for a first sync, a windowed or
    a ``full`` one: see :meth:`reads_watermark_for`); ``keeps_watermark`` is false for a
    store that cannot keep one (every sync into it is then a full one, and the report
    promises no watermark).
    """

    def __init__(
        self,
        agreement: str,
        options: SyncOptions,
        previous: dt.datetime | None,
        *,
        now: dt.datetime | None = None,
        wall: float | None = None,
        keeps_watermark: bool = True,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.agreement = agreement
        self.options = options
        self.keeps_watermark = keeps_watermark
        self._done = 0
        self.previous = previous if self.reads_watermark_for(options) else None
        self.started = time.monotonic()
        self.began = now or dt.datetime.now(dt.UTC)
        self.began_wall = time.time() if wall is None else wall
        self.since = None if self.previous is None else self.previous - options.overlap
        modified = (self.since, None) if self.since is not None else options.modified
        self.complete = not options.windowed and self.previous is None
        self.listing = Listing(
            created=options.created,
            modified=modified,
            complete=self.complete,
            first_wave=max(options.concurrency, 2),
            max_pages=max_pages,
        )
        self.counts = MergeResult()
        self.stored_count = 0
        self.unlinked = 0
        self.removed = 0
        self.newest: dt.datetime | None = None
        self.watermark: dt.datetime | None = self.previous

    @staticmethod
    def reads_watermark_for(options: SyncOptions) -> bool:
        """Whether a sync with ``options`` starts from the stored watermark."""
        return not options.windowed and not options.full

    def stored(self, arrival: Arrival, result: MergeResult) -> None:
        """Tally what the store said of a page's fresh requests; report progress."""
        fresh, again = arrival.fresh, arrival.again
        self.stored_count += len(fresh)
        self.counts = MergeResult(
            new=self.counts.new + result.new,
            updated=self.counts.updated + result.updated,
            unchanged=self.counts.unchanged + result.unchanged,
        )
        self.unlinked += [item.student_id for item in fresh].count(None)
        for batch in (fresh, again):
            if batch:
                newest = max(map(_MODIFIED, batch))
                if self.newest is None or newest > self.newest:
                    self.newest = newest
        progress = self.options.progress
        if progress is not None and (arrival.fresh or arrival.again or arrival.failed):
            listing = self.listing
            # Never backwards: a new pass forgets the failures it will read again.
            self._done = max(self._done, min(len(listing.seen) + listing.failed, listing.total))
            progress(self._done, listing.total)

    @property
    def clean(self) -> bool:
        """Whether the walk is whole with no failure: then its watermark may move."""
        return self.listing.failed == 0 and self.listing.whole

    def removals(self) -> tuple[Collection[str], float] | None:
        """For a clean complete listing: the numbers to keep, and the instant before which
        a local copy not among them is gone from ANTS. ``None`` otherwise."""
        if not (self.complete and self.clean):
            return None
        return self.listing.seen.keys(), self.began_wall

    def next_watermark(self) -> dt.datetime | None:
        """The watermark to write after a clean unwindowed sync (``None``: leave it)."""
        if self.options.windowed or not self.clean or not self.keeps_watermark:
            return None
        newest = None if self.newest is None else min(self.newest, self.began)
        marks = [m for m in (self.previous, newest) if m is not None]
        self.watermark = max(marks) if marks else None
        return self.watermark

    def report(self, error: BaseException | None = None) -> SyncReport:
        """The report of the sync so far (with ``error``, the one that stopped it)."""
        listing = self.listing
        failed = listing.failed
        if error is not None:
            failed = max(listing.total - self.stored_count, listing.failed)
        elif not listing.whole:
            failed = max(listing.total - len(listing.seen), listing.failed)
        return SyncReport(
            agreement=self.agreement,
            new=self.counts.new,
            updated=self.counts.updated,
            unchanged=self.counts.unchanged,
            unlinked=self.unlinked,
            failed=failed,
            removed=self.removed,
            total=max(listing.total, len(listing.seen) + listing.failed),
            pages=listing.pages_read,
            incremental=self.since is not None,
            since=self.since,
            watermark=self.watermark,
            elapsed_s=time.monotonic() - self.started,
            error=None if error is None else (str(error) or type(error).__name__),
            error_code=None if error is None else getattr(error, "code", type(error).__name__),
            error_fr=None if error is None else getattr(error, "message_fr", None),
        )


def newest_known(known: dict[str, OnlineRequest], items: Iterable[OnlineRequest]) -> None:
    """Bring the copies in ``known`` up to date with ``items`` (only those already known)."""
    if not known:
        return
    for item in items:
        if item.number in known:
            known[item.number] = item
