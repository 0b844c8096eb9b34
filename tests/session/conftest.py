"""Fixtures of the session tests: a fake ANTS, credentials, a valid application, and
sessions of both shells on the fake (each test using them runs as ``[sync]`` and ``[async]``)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from fake_ants import PASSWORD, FakeAnts
from shells import SHELLS, OpenSession, Shell, open_shell

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


@pytest.fixture(params=SHELLS)
def shell(request: pytest.FixtureRequest) -> Iterator[Shell]:
    with open_shell(request.param) as opened:
        yield opened


@pytest.fixture
def open_session(shell: Shell, fake: FakeAnts) -> OpenSession:
    """``open_session(credentials, **options)``: a session of the test's shell on the fake."""

    def open_on_fake(
        credentials: ants.Credentials, **options: object
    ) -> contextlib.AbstractContextManager[ants.AntsSession]:
        return shell.open(
            credentials, base_url="http://ants.test", transport=httpx.MockTransport(fake), **options
        )

    return open_on_fake


@pytest.fixture
def session(open_session: OpenSession, credentials: ants.Credentials) -> Iterator[ants.AntsSession]:
    with open_session(credentials, retry=ants.RetryPolicy.immediate(attempts=4)) as s:
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
