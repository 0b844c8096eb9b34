"""Helpers of the sandbox tests: conforming application data, create calls, error bodies."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import httpx

from antsclient.models import Address, Applicant, Cerfa02, LicenceCategory
from antsclient.protocol.converter import to_data

MANUAL_AGREEMENT = "E1706900030"
MANUAL_LOGIN = "claboret662"
MANUAL_PASSWORD = "3cfBelfort!"
OTHER_AGREEMENT = "E1906900012"
OTHER_LOGIN = "rhone-conduite"
OTHER_PASSWORD = "Rh0ne-Conduite!"

_emails = itertools.count(1)


def login(client: httpx.Client, agreement: str, login_: str, password: str) -> httpx.Client:
    """Log ``client`` in; its later calls carry the bearer token."""
    response = client.post(
        "/auth/token", json={"agreement": agreement, "login": login_, "password": password}
    )
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


def relogin(client: httpx.Client) -> httpx.Client:
    """Log the manual's agency in again (after the clock moved past its token)."""
    return login(client, MANUAL_AGREEMENT, MANUAL_LOGIN, MANUAL_PASSWORD)


def application_data(**changes: Any) -> dict[str, Any]:
    """A Cerfa 02 that conforms to the referential and to validation, with a unique email."""
    n = next(_emails)
    applicant = Applicant(
        last_name="Martin",
        first_name="Lucas",
        birth_date=dt.date(1995, 3, 14),
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
