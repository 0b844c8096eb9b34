"""A scripted fake ANTS behind httpx.MockTransport: precise control of every answer.

The sandbox (tests/sandbox, tests/…_sandbox) is the faithful server; this fake exists to
script the failures a real server shows rarely — a timeout on the second call, a body cut
in half — and to count exactly what reached the wire.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx

import antsclient as ants
from antsclient.codec import to_data

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
PASSWORD = "pa55-w0rd-Secret!"
TOKEN_PREFIX = "tok-"

Handler = Callable[[httpx.Request], httpx.Response]


def online(
    number: str = "3223", status: ants.RequestStatus = ants.RequestStatus.DRAFT, **extra: Any
) -> ants.OnlineRequest:
    return ants.OnlineRequest(
        number=number,
        cerfa=extra.pop("cerfa", ants.Cerfa.C02),
        status=status,
        status_label=status.label,
        type_label="Inscription au permis",
        **{"created": NOW, "modified": NOW, **extra},
    )


def error(status: int, code: str, message: str = "refused", **extra: Any) -> httpx.Response:
    return httpx.Response(
        status,
        json={"error": {"code": code, "message": message, "message_fr": f"FR {message}", **extra}},
    )


class FakeAnts:
    """Answers login and whatever routes a test adds; records every request."""

    def __init__(self) -> None:
        self.calls: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], list[Handler | httpx.Response]] = {}
        self.logins = 0
        self.token_ttl = 3600

    def on(self, method: str, path: str, *answers: Handler | httpx.Response) -> None:
        """Queue answers for ``method path`` (the last one repeats)."""
        self.routes.setdefault((method, "/api/v1" + path), []).extend(answers)

    def seen(self, method: str | None = None, path: str | None = None) -> list[httpx.Request]:
        return [
            c
            for c in self.calls
            if (method is None or c.method == method)
            and (path is None or c.url.path == "/api/v1" + path)
        ]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if (
            request.url.path == "/api/v1/auth/token"
            and ("POST", request.url.path) not in self.routes
        ):
            body = json.loads(request.content)
            if body["password"] != PASSWORD:
                return error(401, "authentication_failed", "wrong credentials")
            self.logins += 1
            return httpx.Response(
                200,
                json={
                    "access_token": f"{TOKEN_PREFIX}{self.logins}",
                    "token_type": "Bearer",
                    "expires_in": self.token_ttl,
                },
            )
        queue = self.routes.get((request.method, request.url.path))
        if not queue:
            return error(404, "request_not_found", f"no route {request.method} {request.url.path}")
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        return answer(request) if callable(answer) else answer


def request_json(request: ants.OnlineRequest) -> httpx.Response:
    return httpx.Response(200, json=to_data(request))


def slots_json(required_sent: bool = True) -> httpx.Response:
    items = [
        to_data(
            ants.AttachmentSlot(
                kind=k,
                label=k.label,
                pages=1 if required_sent else 0,
                max_pages=k.max_pages,
                help=k.help,
                sent=required_sent or not required,
                required=required,
            )
        )
        for k, required in (
            (ants.DocumentKind.IDENTITY, True),
            (ants.DocumentKind.PROOF_OF_ADDRESS, True),
            (ants.DocumentKind.ASSR, False),
        )
    ]
    return httpx.Response(200, json={"items": items})
