"""The sandbox assembled: its state, its API, its protocol document, its controls, its faults.

:class:`Sandbox` is a simulated ANTS with the controls of the other side
(:class:`~antsclient.sandbox.control.Controls`) and its ASGI application: the protocol's
routes (:mod:`antsclient.sandbox.api`), ``/openapi.yaml``, the ``/_sandbox`` controls
(:mod:`antsclient.sandbox.control`), behind the latency and faults
(:mod:`antsclient.sandbox.faults`), the link: compressed answers and a bandwidth limit
(:mod:`antsclient.sandbox.link`), and the ``/console/`` pages
(:mod:`antsclient.sandbox.console`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from antsclient.protocol.errors import REQUEST_ID_HEADER
from antsclient.sandbox.api import api_operations, api_routes
from antsclient.sandbox.console import console_routes
from antsclient.sandbox.control import Controls, control_routes
from antsclient.sandbox.errors import SandboxError, error_response
from antsclient.sandbox.faults import FaultConfig, FaultMiddleware, Faults, Operations
from antsclient.sandbox.idempotency import WriteKeys
from antsclient.sandbox.journal import SqliteJournal
from antsclient.sandbox.link import LinkMiddleware
from antsclient.sandbox.state import SandboxState

__all__ = ["Sandbox", "SandboxApp", "build_app", "create_app"]


class SandboxApp(Starlette):
    """The sandbox's ASGI application; ``sandbox`` drives the other side of the flow.

    Latency and faults wrap the whole application, outermost, so that a dropped connection
    is closed on the server's own transport.
    """

    sandbox: Sandbox
    faults: FaultMiddleware

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.faults(scope, receive, send)

    async def serve_api(self, scope: Any, receive: Any, send: Any) -> None:
        """The application without the fault layer; every answer it gives is named
        (``X-Request-Id``), as a real server's are, so an error can be quoted to support."""
        name = [(REQUEST_ID_HEADER.lower().encode(), uuid.uuid4().hex[:20].encode())]

        async def send_named(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *name]}
            await send(message)

        await super().__call__(scope, receive, send_named if scope["type"] == "http" else send)


class Sandbox(Controls):
    """A simulated ANTS: its state, its faults, its ASGI app, and what the other side does.

    ``state`` is a ready :class:`SandboxState` (else one is made with ``seed``, ``db`` — a
    SQLite file to resume from — and ``token_ttl_s``); ``faults`` the initial latency and
    fault settings.
    """

    def __init__(
        self,
        state: SandboxState | None = None,
        *,
        seed: int = 0,
        db: str | Path | None = None,
        token_ttl_s: float = 3600,
        faults: FaultConfig | None = None,
    ) -> None:
        if state is None:
            journal = SqliteJournal(db) if db is not None else None
            try:
                state = SandboxState(
                    seed=seed, store=journal, token_ttl=dt.timedelta(seconds=token_ttl_s)
                )
            except BaseException:
                if journal is not None:
                    journal.close()  # a journal that cannot be read is not left open
                raise
        super().__init__(state, Faults(faults or FaultConfig(seed=seed)))
        self.app: SandboxApp = build_app(self)


def create_app(
    state: SandboxState | None = None,
    *,
    seed: int = 0,
    db: str | Path | None = None,
    token_ttl_s: float = 3600,
    faults: FaultConfig | None = None,
) -> SandboxApp:
    """A sandbox's ASGI app, for ``httpx.ASGITransport`` or any ASGI server.

    ``app.sandbox`` is its :class:`Sandbox`: the same controls as the handle of ``serve()``.
    """
    return Sandbox(state, seed=seed, db=db, token_ttl_s=token_ttl_s, faults=faults).app


def build_app(sandbox: Sandbox) -> SandboxApp:
    """The ASGI application of ``sandbox``: the API, its document, the controls, the faults."""
    routes: list[BaseRoute] = [
        *api_routes(sandbox.state, sandbox.faults),
        Route("/openapi.yaml", _openapi, methods=["GET"]),
        *control_routes(sandbox),
        *console_routes(sandbox),
    ]
    app = SandboxApp(routes=routes, exception_handlers={404: _not_found, 405: _not_allowed})
    app.sandbox = sandbox
    operations = Operations(api_operations(sandbox.state, sandbox.faults))
    sandbox.operations = operations
    keyed = WriteKeys(app.serve_api, sandbox.state)
    app.faults = FaultMiddleware(LinkMiddleware(keyed, sandbox.link), sandbox.faults, operations)
    return app


async def _openapi(request: Request) -> Response:
    text = resources.files("antsclient.protocol").joinpath("openapi.yaml").read_bytes()
    return Response(text, media_type="application/yaml")


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_response(
        SandboxError(
            f"no operation at {request.method} {request.url.path}",
            code="not_found",
            message_fr="Cette adresse n'existe pas.",
            status=404,
        )
    )


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return error_response(
        SandboxError(
            f"method {request.method} is not allowed on {request.url.path}",
            code="bad_request",
            message_fr="Cette méthode n'est pas permise ici.",
            status=405,
        )
    )
