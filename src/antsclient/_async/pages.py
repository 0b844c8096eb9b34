"""AsyncRequestPage: a page of a search, walked with ``async for`` across every page.

``antsclient/_sync/pages.py`` is generated from this file by ``scripts/unasync.py``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

from antsclient.models import OnlineRequest
from antsclient.pages import PageView
from antsclient.protocol import Page

if TYPE_CHECKING:
    import pandas as pd

    from antsclient.export import ExcelOptions, RequestList

__all__ = ["AsyncRequestPage"]


class AsyncRequestPage(PageView):
    """Une page de demandes: ``async for request in page`` walks every matching request.

    The next pages are fetched as the walk needs them, and a request met twice (pages shift
    when requests change while listing) is given once. ``page.items`` is this page only;
    ``len(page)`` how many requests match; ``iter_pages()``, ``has_next_page()`` and
    ``next_page()`` walk page by page. ``to_dataframe()`` and ``to_excel()`` cover every
    matching request (awaited).
    """

    def __init__(
        self, data: Page, fetch: Callable[[int], Awaitable[AsyncRequestPage]] | None = None
    ) -> None:
        super().__init__(data)
        self._fetch = fetch

    def has_next_page(self) -> bool:
        """Whether another page follows this one."""
        return self._fetch is not None and self.page < self.pages

    async def next_page(self) -> AsyncRequestPage:
        """The page after this one, read now; :class:`IndexError` after the last one."""
        if self._fetch is None or not self.has_next_page():
            msg = f"page {self.page} is the last of {self.pages}: there is no next page"
            raise IndexError(msg)
        return await self._fetch(self.page + 1)

    async def iter_pages(self) -> AsyncIterator[AsyncRequestPage]:
        """This page, then each following one as it is read."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.next_page()

    async def __aiter__(self) -> AsyncIterator[OnlineRequest]:
        seen: set[str] = set()
        async for page in self.iter_pages():
            for request in page.items:
                if request.number not in seen:
                    seen.add(request.number)
                    yield request

    async def collect(self) -> RequestList:
        """Every matching request, read now, as a :class:`~antsclient.export.RequestList`."""
        from antsclient.export import RequestList  # noqa: PLC0415 - the export loads on use

        found = RequestList()
        async for request in self:
            found.append(request)
        return found

    async def to_dataframe(self) -> pd.DataFrame:
        """Every matching request as a DataFrame (see :func:`antsclient.export.to_dataframe`)."""
        return (await self.collect()).to_dataframe()

    async def to_excel(self, path: str | os.PathLike[str], **options: Unpack[ExcelOptions]) -> Path:
        """Every matching request to an Excel file (see :func:`antsclient.export.to_excel`)."""
        return (await self.collect()).to_excel(path, **options)
