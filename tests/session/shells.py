"""Both session shells behind the blocking face of AntsSession, so a test written once in
blocking style drives the generated ``AntsSession`` and the hand-written ``AsyncAntsSession``.

The async shell lives on the event loop of an anyio blocking portal (a loop in its own
thread): the session is built, used and closed on that loop, and every call of a test is run
there to its end. The portal is thread-safe, so threads of a test may share it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, cast

from anyio.from_thread import BlockingPortal, start_blocking_portal

import antsclient as ants

SHELLS = ("sync", "async")
"""The generated blocking session, and the hand-written async one."""

OpenSession = Callable[..., contextlib.AbstractContextManager[ants.AntsSession]]
"""``open_session(credentials, **options)``: a session of the test's shell on the fake."""


class _BlockingNamespace:
    """A namespace of an async session (``requests``, ``attachments``…) whose methods block."""

    def __init__(self, namespace: object, portal: BlockingPortal) -> None:
        self._namespace = namespace
        self._portal = portal

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._namespace, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def blocking(*args: Any, **kwargs: Any) -> Any:
            return self._portal.call(functools.partial(attribute, *args, **kwargs))

        return blocking


class BlockingAsyncSession:
    """An ``AsyncAntsSession`` shown with the blocking face of ``AntsSession``."""

    def __init__(self, session: ants.AsyncAntsSession, portal: BlockingPortal) -> None:
        self._session = session
        self.requests = _BlockingNamespace(session.requests, portal)
        self.attachments = _BlockingNamespace(session.attachments, portal)
        self.ephoto = _BlockingNamespace(session.ephoto, portal)
        self.documents = _BlockingNamespace(session.documents, portal)
        self.prefectures = _BlockingNamespace(session.prefectures, portal)
        self.geo = _BlockingNamespace(session.geo, portal)

    @property
    def _known(self) -> dict[str, ants.OnlineRequest]:
        return self._session._known

    def __repr__(self) -> str:
        return repr(self._session)


@contextlib.asynccontextmanager
async def _async_session(
    credentials: ants.Credentials, options: dict[str, Any]
) -> AsyncIterator[ants.AsyncAntsSession]:
    async with ants.AsyncAntsSession(credentials, **options) as session:
        yield session


class Shell:
    """Opens sessions of one shell (``sync`` or ``async``), each with the blocking face."""

    def __init__(self, kind: str, portal: BlockingPortal | None = None) -> None:
        self.kind = kind
        self._portal = portal

    @property
    def is_async(self) -> bool:
        return self._portal is not None

    @contextlib.contextmanager
    def open(self, credentials: ants.Credentials, **options: Any) -> Iterator[ants.AntsSession]:
        """A session of this shell, closed when the block ends."""
        if self._portal is None:
            with ants.AntsSession(credentials, **options) as session:
                yield session
            return
        opened = self._portal.wrap_async_context_manager(_async_session(credentials, options))
        with opened as async_session:
            yield cast(ants.AntsSession, BlockingAsyncSession(async_session, self._portal))


@contextlib.contextmanager
def open_shell(kind: str) -> Iterator[Shell]:
    """The shell ``kind`` of :data:`SHELLS`; the async one gets its own event loop."""
    if kind == "sync":
        yield Shell(kind)
        return
    with start_blocking_portal(backend="asyncio") as portal:
        yield Shell(kind, portal)
