"""Fixtures of the session tests: a fake ANTS, credentials, a valid application."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from fake_ants import PASSWORD, FakeAnts

import antsclient as ants


@pytest.fixture
def fake() -> FakeAnts:
    return FakeAnts()


@pytest.fixture
def credentials() -> ants.Credentials:
    return ants.Credentials(
        agreement="E1706900030",
        login="claboret662",
        password=PASSWORD,
        prefecture="Belfort",
        postal_code="90000",
    )


@pytest.fixture
def session(fake: FakeAnts, credentials: ants.Credentials) -> Iterator[ants.AntsSession]:
    with ants.AntsSession(
        credentials,
        base_url="http://ants.test",
        transport=httpx.MockTransport(fake),
        retry=ants.RetryPolicy.immediate(attempts=4),
    ) as s:
        yield s


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def application() -> ants.Cerfa02:
    return ants.Cerfa02(
        applicant=ants.Applicant(
            last_name="MARTIN",
            first_name="Julie",
            birth_date=dt.date(2001, 3, 14),
            birth_city="PARIS",
            birth_department="75",
            birth_country="FRANCE",
            address=ants.Address(
                street="12 rue de la République", postal_code="69800", city="SAINT-PRIEST"
            ),
            email="julie.martin@example.org",
        ),
        categories={ants.LicenceCategory.B},
    )
