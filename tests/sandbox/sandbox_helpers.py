"""Helpers of the sandbox tests: conforming application data, create calls, error bodies."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from antsclient.codec import to_data
from antsclient.models import Address, Applicant, Cerfa02, LicenceCategory

MANUAL_AGREEMENT = "E1706900030"
MANUAL_LOGIN = "claboret662"
MANUAL_PASSWORD = "3cfBelfort!"
OTHER_AGREEMENT = "E1906900012"
OTHER_LOGIN = "rhone-conduite"
OTHER_PASSWORD = "Rh0ne-Conduite!"

_emails = itertools.count(1)


class OpenAPIRequest:
    def __init__(self, request: httpx.Request) -> None:
        url = urlsplit(str(request.url))
        self.host_url = "http://testserver"
        self.path = url.path
        self.method = request.method.lower()
        try:
            self.body: bytes | None = request.content or None
        except httpx.RequestNotRead:  # a streamed upload: only the response is checked
            self.body = None
        self.content_type = request.headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(url.query)),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )


class OpenAPIResponse:
    def __init__(self, response: httpx.Response) -> None:
        self.data = response.content
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "")
        self.headers = Headers(dict(response.headers))


Checked = list[tuple[str, str, int]]


def contract_hook(openapi: OpenAPI, seen: Checked) -> Callable[[httpx.Response], None]:
    """A response hook: every API response must follow the document."""

    def hook(response: httpx.Response) -> None:
        if "/api/v1/" not in response.request.url.path:
            return
        response.read()
        request = OpenAPIRequest(response.request)
        openapi.validate_response(request, OpenAPIResponse(response))
        seen.append((response.request.method, response.request.url.path, response.status_code))

    return hook


def login(client: httpx.Client, agreement: str, login_: str, password: str) -> httpx.Client:
    """Log ``client`` in; its later calls carry the bearer token."""
    response = client.post(
        "/auth/token", json={"agreement": agreement, "login": login_, "password": password}
    )
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


async def alogin(client: httpx.AsyncClient, credentials: Any) -> httpx.AsyncClient:
    """Log an async ``client`` in with a sandbox's ``credentials``."""
    response = await client.post(
        "/auth/token",
        json={
            "agreement": credentials.agreement,
            "login": credentials.login,
            "password": credentials.password.reveal(),
        },
    )
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


def relogin(client: httpx.Client) -> httpx.Client:
    """Log the manual's agency in again (after the clock moved past its token)."""
    return login(client, MANUAL_AGREEMENT, MANUAL_LOGIN, MANUAL_PASSWORD)


def application_data(**changes: Any) -> dict[str, Any]:
    """A Cerfa 02 that conforms to the referential and to validation, with a unique email,
    for a person of its own (another birth date each time)."""
    n = next(_emails)
    applicant = Applicant(
        last_name="Martin",
        first_name="Lucas",
        birth_date=dt.date(1995, 3, 14) + dt.timedelta(days=n % 3000),
        birth_city="BELFORT",
        birth_department="90",
        birth_country="FRANCE",
        address=Address(
            street="12 faubourg de France", postal_code="90000", city="BELFORT (90000)"
        ),
        email=f"lucas.martin.{n}@example.fr",
    )
    data: dict[str, Any] = dict(
        to_data(Cerfa02(applicant=applicant, categories={LicenceCategory.B}))
    )
    for path, value in changes.items():
        target = data
        *parents, last = path.split(".")
        for part in parents:
            target = target[part]
        target[last] = value
    return data


_CERFA02_ONLY = ("declarations", "medical_visit_date", "after_cancellation", "military_licence")


def cerfa06_data(**changes: Any) -> dict[str, Any]:
    """A Cerfa 06 title request (after the exam by default) from the Cerfa 02 sample's
    fields, the Cerfa 02's own fields dropped."""
    data = application_data()
    for key in _CERFA02_ONLY:
        del data[key]
    data["request_type"] = "title_after_exam"
    data.update(changes)
    return data


MANDATE_DAY = "2026-01-05"
"""A day the paper mandates of the tests were signed."""


def mandate_data(**changes: Any) -> dict[str, Any]:
    """The Cerfa 02 sample filed under a paper mandate signed on :data:`MANDATE_DAY`."""
    return application_data(paper_mandate=True, paper_mandate_date=MANDATE_DAY, **changes)


def send_required(client: httpx.Client, number: str) -> None:
    """One page for each document the request requires."""
    from antsclient.sandbox.assets import pdf

    for slot in client.get(f"/requests/{number}/attachments").json()["items"]:
        if slot["required"]:
            files = {"file": (f"{slot['kind']}.pdf", pdf(slot["kind"]), "application/pdf")}
            response = client.post(f"/requests/{number}/attachments/{slot['kind']}", files=files)
            assert response.status_code == 201, response.text


_keys = itertools.count(1)


def create(
    client: httpx.Client,
    data: dict[str, Any] | None = None,
    *,
    cerfa: str = "02",
    key: str | None = None,
    confirmed: list[str] | None = None,
) -> httpx.Response:
    """POST /requests with a fresh Idempotency-Key (or ``key``)."""
    body: dict[str, Any] = {"cerfa": cerfa, "application": data or application_data()}
    if confirmed is not None:
        body["confirmed_fields"] = confirmed
    return client.post(
        "/requests", json=body, headers={"Idempotency-Key": key or f"key-{next(_keys)}"}
    )


def created(client: httpx.Client, data: dict[str, Any] | None = None) -> str:
    """The number of a new draft."""
    response = create(client, data)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    return error
