"""The other side of the flow, driven by the tests: the student, the prefecture, the clock,
latency and faults — from Python (:class:`Sandbox`) or over HTTP (``/_sandbox/...``).

The HTTP controls exist so that a sandbox running in another process
(``python -m antsclient.sandbox``) can be driven too; they are not part of the protocol.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from antsclient.codec import read_application, to_data
from antsclient.errors import AntsError
from antsclient.models.application import Application
from antsclient.models.credentials import Credentials
from antsclient.models.enums import Cerfa, PrefectureDecision, RequestStatus
from antsclient.models.request import OnlineRequest
from antsclient.sandbox.app import SandboxApp, build_app, error_response
from antsclient.sandbox.errors import bad_request
from antsclient.sandbox.faults import FaultConfig, Faults
from antsclient.sandbox.journal import SqliteJournal
from antsclient.sandbox.records import Agency
from antsclient.sandbox.state import DEFAULT_AGENCY, SandboxState

__all__ = ["Sandbox", "control_routes", "create_app"]

_UNSET: Any = object()


class Sandbox:
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
            state = SandboxState(
                seed=seed,
                store=SqliteJournal(db) if db is not None else None,
                token_ttl=dt.timedelta(seconds=token_ttl_s),
            )
        self.state = state
        self.faults = Faults(faults or FaultConfig(seed=seed))
        self.app: SandboxApp = build_app(self)

    # -- who logs in ----------------------------------------------------------------------

    @property
    def credentials(self) -> Credentials:
        """Credentials of the seeded agency (the manual's), with prefecture and postal code."""
        return self.credentials_of(DEFAULT_AGENCY.agreement)

    def credentials_of(self, agreement: str) -> Credentials:
        """Credentials of any agency of the sandbox."""
        agency = self.state.agencies[agreement]
        return Credentials(
            agreement=agency.agreement,
            login=agency.login,
            password=agency.password,
            prefecture=agency.prefecture,
            postal_code=agency.postal_code,
        )

    def add_agency(
        self,
        agreement: str,
        login: str,
        password: str,
        *,
        prefecture: str | None = None,
        postal_code: str | None = None,
        name: str = "",
    ) -> Credentials:
        """Add an agency (``prefecture=None`` shows the « Préfecture incorrecte » error)."""
        self.state.add_agency(
            Agency(
                agreement=agreement,
                login=login,
                password=password,
                prefecture=prefecture,
                postal_code=postal_code,
                name=name,
            )
        )
        return self.credentials_of(agreement)

    def set_token_ttl(self, seconds: float) -> None:
        """Lifetime of the tokens issued from now on."""
        self.state.token_ttl = dt.timedelta(seconds=seconds)

    # -- the student and the prefecture ---------------------------------------------------

    def applicant_validates(self, number: str) -> OnlineRequest:
        """The student confirms the request within 7 days (else :class:`ActionNotAllowed`)."""
        return self.state.applicant_validates(number)

    def prefecture_takes_up(self, number: str) -> OnlineRequest:
        """The prefecture starts processing a request under review."""
        return self.state.prefecture_takes_up(number)

    def prefecture_decides(self, number: str, decision: PrefectureDecision | str) -> OnlineRequest:
        """Accept (a Cerfa 02 gets its NEPH), reject or ask to complete."""
        return self.state.prefecture_decides(number, decision)

    def register_direct(
        self,
        application: Application | None = None,
        *,
        agreement: str | None = None,
        status: RequestStatus | str = RequestStatus.UNDER_REVIEW,
    ) -> OnlineRequest:
        """A request the student made directly on ANTS: long number, not linked."""
        return self.state.register_direct(
            agreement=agreement, application=application, status=RequestStatus(status)
        )

    # -- time, volume, latency, faults ----------------------------------------------------

    def advance(self, *, days: float = 0, seconds: float = 0) -> None:
        """Move the sandbox clock forward (tokens expire, the student's window closes)."""
        self.state.advance(dt.timedelta(days=days, seconds=seconds))

    def advance_days(self, days: float) -> None:
        """Move the sandbox clock forward by ``days``."""
        self.advance(days=days)

    def now(self) -> dt.datetime:
        """The sandbox's current time."""
        return self.state.clock.now()

    def seed_requests(self, count: int, *, agreement: str | None = None) -> list[str]:
        """Add ``count`` requests in various statuses to an agency; their numbers."""
        return self.state.seed_requests(count, agreement=agreement)

    def requests(self, agreement: str | None = None) -> list[OnlineRequest]:
        """Every request the server holds (one agency's, or all)."""
        return self.state.requests(agreement)

    def set_latency(self, ms: float, jitter_ms: float = 0) -> None:
        """Answer every API call after ``ms`` milliseconds, plus up to ``jitter_ms``."""
        self.faults.configure(latency_ms=ms, jitter_ms=jitter_ms)

    def set_faults(
        self,
        *,
        error_rate: float = 0.0,
        hang_rate: float = 0.0,
        drop_rate: float = 0.0,
        malformed_rate: float = 0.0,
        seed: int | None = None,
        hang_seconds: float | None = None,
        stall_creates: bool = False,
        stall_seconds: float | None = None,
    ) -> FaultConfig:
        """Set the fault rates (all zero: no faults); ``seed`` restarts the draws."""
        total = error_rate + hang_rate + drop_rate + malformed_rate
        if min(error_rate, hang_rate, drop_rate, malformed_rate) < 0 or total > 1:
            msg = "fault rates are between 0 and 1 and add up to at most 1"
            raise ValueError(msg)
        changes: dict[str, Any] = {
            "error_rate": error_rate,
            "hang_rate": hang_rate,
            "drop_rate": drop_rate,
            "malformed_rate": malformed_rate,
            "stall_creates": stall_creates,
        }
        if seed is not None:
            changes["seed"] = seed
        if hang_seconds is not None:
            changes["hang_seconds"] = hang_seconds
        if stall_seconds is not None:
            changes["stall_seconds"] = stall_seconds
        return self.faults.configure(**changes)

    def close(self) -> None:
        """Release the state's store (the SQLite file)."""
        self.state.close()


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


# -- the same controls over HTTP --------------------------------------------------------------


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise bad_request("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise bad_request("the body must be a JSON object")
    return data


def control_routes(sandbox: Sandbox) -> list[BaseRoute]:
    """``/_sandbox/...``: the handle's controls for a sandbox in another process."""

    async def guarded(request: Request, action: Any) -> Response:
        try:
            result = await action(request)
        except AntsError as error:
            return error_response(error)
        except (ValueError, TypeError, KeyError) as exc:
            return error_response(bad_request(f"invalid control call: {exc}"))
        return JSONResponse(result)

    async def requests(request: Request) -> Any:
        agreement = request.query_params.get("agreement")
        return {"items": to_data(sandbox.requests(agreement))}

    async def applicant_validates(request: Request) -> Any:
        return to_data(sandbox.applicant_validates(request.path_params["number"]))

    async def prefecture_takes_up(request: Request) -> Any:
        return to_data(sandbox.prefecture_takes_up(request.path_params["number"]))

    async def prefecture_decides(request: Request) -> Any:
        data = await _body(request)
        number = request.path_params["number"]
        return to_data(sandbox.prefecture_decides(number, PrefectureDecision(data["decision"])))

    async def register_direct(request: Request) -> Any:
        data = await _body(request)
        application: Application | None = None
        if data.get("application") is not None:
            cerfa = Cerfa(data.get("cerfa", Cerfa.C02.value))
            application = read_application(data["application"], cerfa)
        online = sandbox.register_direct(
            application,
            agreement=data.get("agreement"),
            status=RequestStatus(data.get("status", RequestStatus.UNDER_REVIEW.value)),
        )
        return to_data(online)

    async def advance(request: Request) -> Any:
        data = await _body(request)
        sandbox.advance(days=float(data.get("days", 0)), seconds=float(data.get("seconds", 0)))
        return {"now": sandbox.now().isoformat()}

    async def seed_requests(request: Request) -> Any:
        data = await _body(request)
        numbers = sandbox.seed_requests(int(data["count"]), agreement=data.get("agreement"))
        return {"numbers": numbers}

    async def latency(request: Request) -> Any:
        data = await _body(request)
        sandbox.set_latency(float(data.get("ms", 0)), float(data.get("jitter_ms", 0)))
        return {"latency_ms": sandbox.faults.config.latency_ms}

    async def faults(request: Request) -> Any:
        data = await _body(request)
        config = sandbox.set_faults(**data)
        return to_data(config)

    async def token_ttl(request: Request) -> Any:
        data = await _body(request)
        sandbox.set_token_ttl(float(data["seconds"]))
        return {"token_ttl_s": sandbox.state.token_ttl.total_seconds()}

    async def agencies(request: Request) -> Any:
        data = await _body(request)
        credentials = sandbox.add_agency(
            str(data["agreement"]),
            str(data["login"]),
            str(data["password"]),
            prefecture=data.get("prefecture"),
            postal_code=data.get("postal_code"),
            name=str(data.get("name", "")),
        )
        return {"agreement": credentials.agreement, "login": credentials.login}

    def route(path: str, action: Any, method: str = "POST") -> Route:
        async def endpoint(request: Request) -> Response:
            return await guarded(request, action)

        return Route(f"/_sandbox{path}", endpoint, methods=[method])

    return [
        route("/requests", requests, "GET"),
        route("/requests/{number}/applicant-validates", applicant_validates),
        route("/requests/{number}/prefecture-takes-up", prefecture_takes_up),
        route("/requests/{number}/prefecture-decides", prefecture_decides),
        route("/register-direct", register_direct),
        route("/advance", advance),
        route("/seed-requests", seed_requests),
        route("/latency", latency),
        route("/faults", faults),
        route("/agencies", agencies),
        route("/token-ttl", token_ttl),
    ]
