"""Pages de demandes: what a search returns, and what every list of requests shares.

``session.requests.search(...)`` returns a page (:class:`~antsclient.RequestPage`, or
:class:`~antsclient.AsyncRequestPage` from the async session). Iterating it walks **every**
matching request, fetching the next pages as it goes (each request once, even when pages
shift while listing); ``len(page)`` is how many requests match; ``page.items`` holds this
page's requests only. ``iter_pages()``, ``has_next_page()`` and ``next_page()`` walk page by
page. In Jupyter a page shows as the requests list (this page's rows).

A page is a view of ANTS at the time it is read: a complete, lasting local copy of an
agency's requests is the job of ``requests.sync_all`` and a store. A store's search returns a
:class:`~antsclient.export.RequestList`, which is a page with no next one: both follow
:class:`RequestsPage`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from antsclient.models import OnlineRequest
from antsclient.protocol import Page

__all__ = ["PageView", "RequestsPage"]


@runtime_checkable
class RequestsPage(Protocol):
    """What every page of requests offers: a search's page and a store's complete list."""

    @property
    def items(self) -> tuple[OnlineRequest, ...]:
        """The requests of this page."""

    @property
    def page(self) -> int:
        """This page's number, from 1."""

    @property
    def pages(self) -> int:
        """How many pages the listing has."""

    @property
    def total(self) -> int:
        """How many requests match, on every page."""

    def has_next_page(self) -> bool:
        """Whether another page follows."""

    def __len__(self) -> int:
        """How many requests match, on every page."""

    def _repr_html_(self) -> str:
        """This page as the requests list, in Jupyter."""


class PageView:
    """One page of a search as it arrived, and where it stands (the shells add the walk)."""

    def __init__(self, data: Page) -> None:
        self._data = data

    @property
    def items(self) -> tuple[OnlineRequest, ...]:
        """The requests of this page only."""
        return self._data.items

    @property
    def page(self) -> int:
        """This page's number, from 1."""
        return self._data.page

    @property
    def page_size(self) -> int:
        """How many requests a page holds at most."""
        return self._data.page_size

    @property
    def pages(self) -> int:
        """How many pages the listing has."""
        return self._data.pages

    @property
    def total(self) -> int:
        """How many requests match, on every page."""
        return self._data.total

    @property
    def failed(self) -> int:
        """How many requests of this page could not be read."""
        return self._data.failed

    def __len__(self) -> int:
        return self._data.total

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(page={self.page}, pages={self.pages}, total={self.total}, "
            f"items={len(self.items)})"
        )

    def _repr_html_(self) -> str:
        from antsclient.export import requests_html  # noqa: PLC0415 - the export loads on use

        caption = f"{self.total} demande(s) — page {self.page} sur {max(self.pages, 1)}"
        return requests_html(self.items, caption=caption)
