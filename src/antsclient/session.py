"""The sessions: :class:`AntsSession` (blocking) and :class:`AsyncAntsSession` (asyncio).

Both have the same namespaces and methods — ``requests``, ``attachments``, ``ephoto``,
``documents``, ``prefectures``, ``geo`` — the async ones awaited. They come from one body of
logic: the async session is written once and the blocking one generated from it.
"""

from antsclient._async.pages import AsyncRequestPage
from antsclient._async.session import (
    AsyncAntsSession,
    AsyncAttachments,
    AsyncDocuments,
    AsyncEPhotoCodes,
    AsyncGeo,
    AsyncPrefectures,
    AsyncRequests,
)
from antsclient._listing import SyncOptions, SyncReport
from antsclient._policy import DEFAULT_TIMEOUT, UPLOAD_TIMEOUT, RetryPolicy
from antsclient._sync.pages import RequestPage
from antsclient._sync.session import (
    AntsSession,
    Attachments,
    Documents,
    EPhotoCodes,
    Geo,
    Prefectures,
    Requests,
)
from antsclient._transport import Limits

__all__ = [
    "DEFAULT_TIMEOUT",
    "UPLOAD_TIMEOUT",
    "AntsSession",
    "AsyncAntsSession",
    "AsyncAttachments",
    "AsyncDocuments",
    "AsyncEPhotoCodes",
    "AsyncGeo",
    "AsyncPrefectures",
    "AsyncRequestPage",
    "AsyncRequests",
    "Attachments",
    "Documents",
    "EPhotoCodes",
    "Geo",
    "Limits",
    "Prefectures",
    "RequestPage",
    "Requests",
    "RetryPolicy",
    "SyncOptions",
    "SyncReport",
]
