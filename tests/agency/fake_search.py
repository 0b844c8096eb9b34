"""A fake ANTS search behind httpx.MockTransport, for the agency tests.

It answers login and the paged search (ordered by (modified, number), windows inclusive),
per agency, and lets a test script what the sandbox does rarely: a request changing between
two pages, an unreadable item, a page that keeps failing, a slow answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

import antsclient as ants
from antsclient.codec import to_data
from antsclient.models import Bucket, Cerfa, OnlineRequest, RequestStatus
from antsclient.models.request import ONLINE_REQUEST_FIELDS

AGENCY = "E1706900030"
PASSWORD = "3cfBelfort!"
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def make(number: int, **changes: Any) -> OnlineRequest:
    status = changes.pop("status", RequestStatus.UNDER_REVIEW)
    base: dict[str, Any] = {
        "number": str(number),
        "cerfa": Cerfa.C02,
        "status": status,
        "status_label": status.label,
        "type_label": Cerfa.C02.label,
        "created": T0 + dt.timedelta(minutes=number),
        "modified": T0 + dt.timedelta(minutes=number),
        "student_id": f"S{number}",
        "applicant_name": f"MARTIN Léa {number}",
    }
    return OnlineRequest(**{**base, **changes})


FIELDS = ONLINE_REQUEST_FIELDS


def _row(item: Any) -> Any:
    """An item as a row (a field it lacks as null); anything else as it is."""
    return [item.get(name) for name in FIELDS] if isinstance(item, dict) else item


def _instant(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


class FakeSearch:
    """ANTS's login and search, for several agencies; records every call."""

    def __init__(self) -> None:
        self.agencies: dict[str, dict[str, OnlineRequest]] = {AGENCY: {}}
        self.passwords: dict[str, str] = {AGENCY: PASSWORD}
        self.calls: list[httpx.Request] = []
        self.down: set[str] = set()  # agencies whose searches answer 503
        self.fail_pages: set[int] = set()
        self.broken: dict[str, Any] = {}  # number -> raw item data sent instead
        self.rows = False  # answer shape=rows as rows (else as items, ignoring the shape)
        self.before_page: Callable[[int], None] | None = None
        self.delay = 0.0
        self.in_flight = 0
        self._lock = threading.Lock()
        self.max_in_flight = 0

    # -- data ---------------------------------------------------------------------------

    def add(self, *requests: OnlineRequest, agreement: str = AGENCY) -> None:
        rows = self.agencies.setdefault(agreement, {})
        for request in requests:
            rows[request.number] = request

    def credentials(self, agreement: str = AGENCY, password: str | None = None) -> ants.Credentials:
        self.agencies.setdefault(agreement, {})
        self.passwords.setdefault(agreement, PASSWORD)
        return ants.Credentials(
            agreement=agreement, login="claboret662", password=password or PASSWORD
        )

    def searches(self) -> list[httpx.Request]:
        return [c for c in self.calls if c.url.path == "/api/v1/requests"]

    # -- the server ---------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        path = request.url.path
        if path == "/api/v1/auth/token":
            body = json.loads(request.content)
            if self.passwords.get(body["agreement"]) != body["password"]:
                return _error(401, "authentication_failed", "wrong credentials")
            return httpx.Response(
                200,
                json={
                    "access_token": f"tok-{body['agreement']}",
                    "token_type": "Bearer",
                    "expires_in": 3600,
                },
            )
        agreement = request.headers["Authorization"].removeprefix("Bearer tok-")
        if path == "/api/v1/requests":
            if agreement in self.down:
                return _error(503, "unavailable", "down")
            return self._search(agreement, request.url.params)
        return _error(404, "request_not_found", "no such route")

    def _search(self, agreement: str, params: httpx.QueryParams) -> httpx.Response:
        page = int(params.get("page", "1"))
        if page in self.fail_pages:
            return _error(503, "unavailable", "page down")
        if self.before_page is not None:
            self.before_page(page)
        size = int(params.get("page_size", "100"))
        bucket = params.get("bucket")
        low, high = _instant(params.get("modified_from")), _instant(params.get("modified_to"))
        c_low, c_high = _instant(params.get("created_from")), _instant(params.get("created_to"))
        rows = [
            r
            for r in self.agencies.get(agreement, {}).values()
            if (bucket is None or Bucket(bucket).holds(cerfa=r.cerfa, status=r.status))
            and (low is None or r.modified >= low)
            and (high is None or r.modified <= high)
            and (c_low is None or r.created >= c_low)
            and (c_high is None or r.created <= c_high)
        ]
        rows.sort(key=lambda r: (r.modified, r.number))
        chunk = rows[(page - 1) * size : page * size]
        items = [self.broken.get(r.number, to_data(r)) for r in chunk]
        listing: dict[str, Any] = {"items": items}
        if self.rows and params.get("shape") == "rows":
            listing = {"fields": list(FIELDS), "rows": [_row(item) for item in items]}
        return httpx.Response(
            200,
            json={
                **listing,
                "page": page,
                "page_size": size,
                "total": len(rows),
                "pages": math.ceil(len(rows) / size),
            },
        )

    async def slow(self, request: httpx.Request) -> httpx.Response:
        """The same server, answering after ``delay`` seconds (concurrency is measured)."""
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            return self(request)
        finally:
            self.in_flight -= 1

    def slow_blocking(self, request: httpx.Request) -> httpx.Response:
        """:meth:`slow` for blocking clients (worker threads)."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.delay)
            return self(request)
        finally:
            with self._lock:
                self.in_flight -= 1


def _error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={"error": {"code": code, "message": message, "message_fr": f"FR {message}"}},
    )
