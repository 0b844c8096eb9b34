"""The sessions: :class:`AntsSession` (blocking) and :class:`AsyncAntsSession` (asyncio).

Both have the same namespaces and methods — ``requests``, ``attachments``, ``ephoto``,
``documents``, ``prefectures``, ``geo`` — the async ones awaited. They come from one body of
logic: the async session is written once and the blocking one generated from it.

Each name loads its own module on first use: a blocking application never imports asyncio
nor the async session, an async one never the blocking session.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from antsclient._listing import SyncOptions
    from antsclient._policy import DEFAULT_TIMEOUT, UPLOAD_TIMEOUT, RetryPolicy
    from antsclient._report import SyncReport
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

_BLOCKING = ("AntsSession", "Attachments", "Documents", "EPhotoCodes", "Geo", "Prefectures")
_ASYNC = (
    "AsyncAntsSession",
    "AsyncAttachments",
    "AsyncDocuments",
    "AsyncEPhotoCodes",
    "AsyncGeo",
    "AsyncPrefectures",
    "AsyncRequests",
)
WHERE: dict[str, str] = {
    **dict.fromkeys(_BLOCKING, "antsclient._sync.session"),
    "Requests": "antsclient._sync.session",
    **dict.fromkeys(_ASYNC, "antsclient._async.session"),
    "RequestPage": "antsclient._sync.pages",
    "AsyncRequestPage": "antsclient._async.pages",
    "SyncOptions": "antsclient._listing",
    "SyncReport": "antsclient._report",
    "DEFAULT_TIMEOUT": "antsclient._policy",
    "UPLOAD_TIMEOUT": "antsclient._policy",
    "RetryPolicy": "antsclient._policy",
    "Limits": "antsclient._transport",
}
"""The module each public name of the sessions lives in."""

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


def __getattr__(name: str) -> Any:
    try:
        module = WHERE[name]
    except KeyError:
        msg = f"module 'antsclient.session' has no attribute {name!r}"
        raise AttributeError(msg) from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(WHERE))
