"""pytest fixtures for host applications: a running ANTS sandbox and sessions on it.

Installed with antsclient, this plugin is registered with pytest automatically. In a host
application's tests::

    def test_files_a_request(ants_session, ants_other_side, application):
        request = ants_session.requests.create(application)
        ...
        ants_other_side.student_confirms(request.number)
        ants_other_side.prefecture_accepts(request.number)
        assert ants_session.requests.refresh(request.number).neph

Fixtures (each test gets its own sandbox, so tests never see each other's requests):

``ants_sandbox``
    a sandbox served on loopback (:func:`antsclient.sandbox.serve`): ``.url``,
    ``.credentials`` and every control.
``ants_credentials``
    the credentials of the sandbox's seeded agency.
``ants_session``
    an :class:`~antsclient.AntsSession` on it, retrying without waiting.
``ants_async_session``
    an :class:`~antsclient.AsyncAntsSession` on an in-process sandbox (no socket: fast).
``ants_other_side``
    the student, the prefecture, the clock and faults: :class:`OtherSide`.

The sandbox needs the ``sandbox`` extra (``pip install 'antsclient[sandbox]'``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from antsclient import AntsSession, AsyncAntsSession, Credentials, OnlineRequest
    from antsclient.sandbox import Sandbox, SandboxHandle
    from antsclient.sandbox.faults import FaultConfig

__all__ = ["OtherSide"]


class OtherSide:
    """What happens on the other side of ANTS, driven from a test."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def student_confirms(self, number: str) -> OnlineRequest:
        """The student confirms the validated request (within 7 days)."""
        return self.sandbox.applicant_validates(number)

    def prefecture_accepts(self, number: str) -> OnlineRequest:
        """The prefecture accepts: a Cerfa 02 gets its NEPH."""
        return self.sandbox.prefecture_decides(number, "accept")

    def prefecture_rejects(self, number: str) -> OnlineRequest:
        """The prefecture rejects the request."""
        return self.sandbox.prefecture_decides(number, "reject")

    def prefecture_asks_completion(self, number: str) -> OnlineRequest:
        """The prefecture asks for more documents (À COMPLÉTER)."""
        return self.sandbox.prefecture_decides(number, "ask_completion")

    def register_direct(self) -> OnlineRequest:
        """A request made by a student directly on ANTS (long number, not linked)."""
        return self.sandbox.register_direct()

    def days_pass(self, days: float) -> None:
        """Move the sandbox's clock forward (the student's 7-day window, token expiry)."""
        self.sandbox.advance_days(days)

    def faults(
        self,
        *,
        error_rate: float = 0.0,
        hang_rate: float = 0.0,
        drop_rate: float = 0.0,
        malformed_rate: float = 0.0,
        seed: int = 0,
        hang_seconds: float | None = None,
    ) -> FaultConfig:
        """Make ANTS fail at these rates (0 everywhere: healthy again)."""
        return self.sandbox.set_faults(
            error_rate=error_rate,
            hang_rate=hang_rate,
            drop_rate=drop_rate,
            malformed_rate=malformed_rate,
            seed=seed,
            hang_seconds=hang_seconds,
        )

    def latency(self, ms: float, jitter_ms: float = 0) -> None:
        """Answer every call after ``ms`` milliseconds."""
        self.sandbox.set_latency(ms, jitter_ms)


@pytest.fixture
def ants_sandbox() -> Iterator[SandboxHandle]:
    """A sandbox served on loopback for this test."""
    from antsclient.sandbox import serve  # noqa: PLC0415

    with serve() as handle:
        yield handle


@pytest.fixture
def ants_credentials(ants_sandbox: SandboxHandle) -> Credentials:
    """The credentials of the sandbox's seeded agency."""
    return ants_sandbox.credentials


@pytest.fixture
def ants_session(ants_sandbox: SandboxHandle) -> Iterator[AntsSession]:
    """A session on the loopback sandbox, retrying without waiting."""
    from antsclient import AntsSession, RetryPolicy  # noqa: PLC0415

    with AntsSession(
        ants_sandbox.credentials, base_url=ants_sandbox.url, retry=RetryPolicy.immediate()
    ) as session:
        yield session


@pytest.fixture
def ants_other_side(ants_sandbox: SandboxHandle) -> OtherSide:
    """The student, the prefecture, the clock and faults of the loopback sandbox."""
    return OtherSide(ants_sandbox)


@pytest.fixture
def ants_async_sandbox() -> Sandbox:
    """An in-process sandbox (no server, no socket) for ``ants_async_session``."""
    from antsclient.sandbox import create_app  # noqa: PLC0415

    return create_app().sandbox


@pytest.fixture
def ants_async_session(ants_async_sandbox: Sandbox) -> Iterator[AsyncAntsSession]:
    """An async session on the in-process sandbox, through ``httpx.ASGITransport``."""
    import asyncio  # noqa: PLC0415

    import httpx  # noqa: PLC0415

    from antsclient import AsyncAntsSession, RetryPolicy  # noqa: PLC0415

    session = AsyncAntsSession(
        ants_async_sandbox.credentials,
        base_url="http://sandbox.invalid",
        retry=RetryPolicy.immediate(),
        transport=httpx.ASGITransport(app=ants_async_sandbox.app),
    )
    yield session
    asyncio.run(session.aclose())
