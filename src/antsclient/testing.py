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
    an :class:`~antsclient.AsyncAntsSession` on an in-process sandbox (no socket: fast), for
    ``async def`` tests marked ``@pytest.mark.anyio``: anyio's pytest plugin opens it, runs
    the test and closes it on one event loop (asyncio).
``ants_other_side``
    the student, the prefecture, the clock and faults: :class:`OtherSide`.
``ants_outbox``
    the messages ANTS sent the students (``ants_outbox(recipient=…, number=…)``, a list of
    :class:`~antsclient.sandbox.mailbox.Message`); the student follows a confirmation link
    with ``ants_other_side.student_follows(message)``, as a browser would.

The sandbox needs the ``sandbox`` extra (``pip install 'antsclient[sandbox]'``). In an
async test::

    @pytest.mark.anyio
    async def test_files_a_request(ants_async_session, application):
        request = await ants_async_session.requests.create(application)
        ...

``StoreContract`` is the test suite every store passes (memory, SQLite, PostgreSQL): a host
with its own store subclasses it in its tests (``class TestOurStore(StoreContract)``) and
defines an ``open_store`` fixture; see :mod:`antsclient._store_contract`.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from antsclient import AntsSession, AsyncAntsSession, Credentials, OnlineRequest
    from antsclient._store_contract import StoreContract
    from antsclient.sandbox import Sandbox, SandboxHandle
    from antsclient.sandbox.faults import FaultConfig
    from antsclient.sandbox.mailbox import Message

__all__ = ["OtherSide", "Outbox", "StoreContract"]


def __getattr__(name: str) -> Any:
    if name == "StoreContract":  # loaded on use: the plugin itself stays light
        from antsclient._store_contract import StoreContract  # noqa: PLC0415

        return StoreContract
    msg = f"module 'antsclient.testing' has no attribute {name!r}"
    raise AttributeError(msg)


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

    def student_follows(self, message: Message) -> OnlineRequest:
        """The student opens the confirmation link of ``message`` and validates on the page
        it shows, over HTTP as a browser would (the sandbox must be served)."""
        from antsclient.sandbox.console.student import follow_link  # noqa: PLC0415

        if message.link is None:
            msg = f"message {message.id} ({message.kind}) carries no link"
            raise ValueError(msg)
        follow_link(message.link)
        return next(r for r in self.sandbox.requests() if r.number == message.number)

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


class Outbox:
    """The messages ANTS sent the students, oldest first: call it, filtered or not."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def __call__(self, recipient: str | None = None, number: str | None = None) -> list[Message]:
        """The messages sent (only to ``recipient`` / about ``number`` when given)."""
        return self.sandbox.outbox(recipient=recipient, number=number)

    def last(self, recipient: str | None = None, number: str | None = None) -> Message:
        """The latest message sent (to ``recipient`` / about ``number``); fails if none."""
        messages = self(recipient, number)
        assert messages, f"no message sent to {recipient or 'anyone'} about {number or 'any'}"
        return messages[-1]


@pytest.fixture
def ants_outbox(ants_sandbox: SandboxHandle) -> Outbox:
    """The mailbox of the loopback sandbox's students."""
    return Outbox(ants_sandbox)


@pytest.fixture
def ants_async_sandbox() -> Iterator[Sandbox]:
    """An in-process sandbox (no server, no socket) for ``ants_async_session``."""
    from antsclient.sandbox import create_app  # noqa: PLC0415

    sandbox = create_app().sandbox
    yield sandbox
    sandbox.close()


@pytest.fixture
async def ants_async_session(
    ants_async_sandbox: Sandbox,
    anyio_backend: str | tuple[str, dict[str, Any]],
    request: pytest.FixtureRequest,
) -> AsyncIterator[AsyncAntsSession]:
    """An async session on the in-process sandbox, through ``httpx.ASGITransport``.

    An async fixture, run by anyio's pytest plugin (anyio comes with httpx): the session is
    created, used by the test and closed on the test's own event loop. The test must be an
    ``async def`` marked ``@pytest.mark.anyio``; a blocking test is refused, since a loop it
    would start itself is not the session's. The session runs on asyncio: a run of the test
    on another anyio backend (trio) is skipped.
    """
    import httpx  # noqa: PLC0415

    from antsclient import AsyncAntsSession, RetryPolicy  # noqa: PLC0415

    backend = anyio_backend if isinstance(anyio_backend, str) else anyio_backend[0]
    if backend != "asyncio":
        pytest.skip(f"AsyncAntsSession runs on asyncio, not {backend}")
    if not inspect.iscoroutinefunction(request.function):
        pytest.fail(
            "ants_async_session is for async tests: write `async def` and mark the test "
            "@pytest.mark.anyio (or use ants_session in a blocking test)",
            pytrace=False,
        )
    async with AsyncAntsSession(
        ants_async_sandbox.credentials,
        base_url="http://sandbox.invalid",
        retry=RetryPolicy.immediate(),
        transport=httpx.ASGITransport(app=ants_async_sandbox.app),
    ) as session:
        yield session
