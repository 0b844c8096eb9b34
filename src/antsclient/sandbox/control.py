"""The other side of the flow, driven by the tests: the student, the prefecture, the clock,
latency and faults — from Python (:class:`Controls`, which every
:class:`~antsclient.sandbox.app.Sandbox` has) or over HTTP (``/_sandbox/...``).

The HTTP controls exist so that a sandbox running in another process
(``python -m antsclient.sandbox``) can be driven too; they are not part of the protocol.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from antsclient.codec import read_application, to_data
from antsclient.errors import AntsError
from antsclient.models.application import Application
from antsclient.models.credentials import Credentials
from antsclient.models.enums import Cerfa, PrefectureDecision, RequestStatus
from antsclient.models.request import OnlineRequest
from antsclient.sandbox.agencies import DEFAULT_AGENCY
from antsclient.sandbox.errors import bad_request, error_response
from antsclient.sandbox.faults import POST_COMMIT_KINDS, FaultConfig, Faults, Operations
from antsclient.sandbox.link import Link
from antsclient.sandbox.mailbox import Message
from antsclient.sandbox.records import Agency
from antsclient.sandbox.state import SandboxState

__all__ = ["Controls", "HttpControls", "control_routes"]


class Controls:
    """What the tests do to a simulated ANTS from Python: who logs in, the student and the
    prefecture, the clock, the volume of requests, latency and faults.

    ``state`` is the :class:`SandboxState` they act on, ``faults`` the live latency and
    fault settings of its API, ``link`` its bandwidth and what it sent
    (:mod:`antsclient.sandbox.link`).
    """

    def __init__(self, state: SandboxState, faults: Faults, link: Link | None = None) -> None:
        self.state = state
        self.faults = faults
        self.operations: Operations | None = None
        """The API's operations (set with the application): what faults can name."""
        self.link: Link = link or Link()

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

    def prefecture_decides(
        self, number: str, decision: PrefectureDecision | str, *, reason: str | None = None
    ) -> OnlineRequest:
        """Accept (a Cerfa 02 gets its NEPH), reject or ask to complete; ``reason`` is the
        prefecture's motive, told to the student."""
        return self.state.prefecture_decides(number, decision, reason=reason)

    def prefecture_issues_documents(self, number: str) -> OnlineRequest:
        """The prefecture makes an accepted request's documents available."""
        return self.state.prefecture_issues_documents(number)

    def outbox(self, recipient: str | None = None, number: str | None = None) -> list[Message]:
        """Every message ANTS sent the students (email, SMS), oldest first; only to
        ``recipient`` (an email or a phone number) and about ``number`` when given."""
        return self.state.outbox(recipient, number)

    def reset(self) -> None:
        """Back to a new sandbox: sample data, clock at zero offset, no mail; latency and
        faults off."""
        self.state.reset()
        self.faults.configure(**attrs.asdict(FaultConfig(seed=self.state.seed)))

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

    def set_bandwidth(self, mbit_per_s: float) -> None:
        """Send the API's answers at ``mbit_per_s`` megabits per second, shared by every
        connection as on a real line (``0``: no limit). Answers are compressed already
        when the client accepts it, so the limit applies to what really crosses."""
        self.link.set_bandwidth(mbit_per_s)

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

    def set_post_commit_faults(
        self,
        rate: float = 0.0,
        *,
        operations: Iterable[str] = (),
        kinds: Iterable[str] = POST_COMMIT_KINDS,
        stall_seconds: float | None = None,
        seed: int | None = None,
    ) -> FaultConfig:
        """Lose the answer of saved writes: at ``rate`` (0: never), for the ``operations``
        named (``validate_request``, ``upload_attachment``…; none: every write), replaced
        by one of ``kinds`` — ``error`` (a 5xx), ``reset`` (the connection closed),
        ``stall`` (no answer for ``stall_seconds``). ``seed`` restarts the draws."""
        chosen = tuple(kinds)
        if not 0 <= rate <= 1 or not set(chosen) <= set(POST_COMMIT_KINDS) or not chosen:
            msg = f"rate is between 0 and 1 and kinds among {', '.join(POST_COMMIT_KINDS)}"
            raise ValueError(msg)
        names = tuple(operations)
        if self.operations is not None:
            names = self.operations.check_writes(names)
        changes: dict[str, Any] = {
            "post_commit_rate": rate,
            "post_commit_operations": names,
            "post_commit_kinds": chosen,
        }
        if stall_seconds is not None:
            changes["post_commit_stall_seconds"] = stall_seconds
        if seed is not None:
            changes["seed"] = seed
        return self.faults.configure(**changes)

    def received(self) -> dict[str, int]:
        """How many calls of each operation reached the API since the last
        :meth:`reset_received`, faulted ones included."""
        return dict(self.faults.received)

    def lost_answers(self) -> dict[str, int]:
        """How many saved writes of each operation had their answer lost (post-commit)."""
        return dict(self.faults.post_committed)

    def reset_received(self) -> None:
        """Start counting the calls received afresh."""
        self.faults.reset_counts()

    def close(self) -> None:
        """Release the state's store (the SQLite file)."""
        self.state.close()


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


ControlCall = Callable[[Request], Awaitable[Any]]
"""A control over HTTP: the request in, JSON-ready data out."""


class HttpControls:
    """The handle's controls as ``/_sandbox/...`` calls, each answering JSON."""

    def __init__(self, controls: Controls) -> None:
        self.controls = controls

    async def requests(self, request: Request) -> Any:
        agreement = request.query_params.get("agreement")
        return {"items": to_data(self.controls.requests(agreement))}

    async def applicant_validates(self, request: Request) -> Any:
        return to_data(self.controls.applicant_validates(request.path_params["number"]))

    async def prefecture_takes_up(self, request: Request) -> Any:
        return to_data(self.controls.prefecture_takes_up(request.path_params["number"]))

    async def prefecture_decides(self, request: Request) -> Any:
        data = await _body(request)
        decision = PrefectureDecision(data["decision"])
        number, reason = request.path_params["number"], data.get("reason")
        return to_data(self.controls.prefecture_decides(number, decision, reason=reason))

    async def prefecture_issues_documents(self, request: Request) -> Any:
        return to_data(self.controls.prefecture_issues_documents(request.path_params["number"]))

    async def outbox(self, request: Request) -> Any:
        params = request.query_params
        messages = self.controls.outbox(params.get("recipient"), params.get("number"))
        return {"items": to_data(messages)}

    async def reset(self, request: Request) -> Any:
        self.controls.reset()
        return {"now": self.controls.now().isoformat()}

    async def register_direct(self, request: Request) -> Any:
        data = await _body(request)
        application: Application | None = None
        if data.get("application") is not None:
            cerfa = Cerfa(data.get("cerfa", Cerfa.C02.value))
            application = read_application(data["application"], cerfa, strict=False)
        online = self.controls.register_direct(
            application,
            agreement=data.get("agreement"),
            status=RequestStatus(data.get("status", RequestStatus.UNDER_REVIEW.value)),
        )
        return to_data(online)

    async def advance(self, request: Request) -> Any:
        data = await _body(request)
        days, seconds = float(data.get("days", 0)), float(data.get("seconds", 0))
        self.controls.advance(days=days, seconds=seconds)
        return {"now": self.controls.now().isoformat()}

    async def seed_requests(self, request: Request) -> Any:
        data = await _body(request)
        numbers = self.controls.seed_requests(int(data["count"]), agreement=data.get("agreement"))
        return {"numbers": numbers}

    async def latency(self, request: Request) -> Any:
        data = await _body(request)
        self.controls.set_latency(float(data.get("ms", 0)), float(data.get("jitter_ms", 0)))
        return {"latency_ms": self.controls.faults.config.latency_ms}

    async def bandwidth(self, request: Request) -> Any:
        data = await _body(request)
        self.controls.set_bandwidth(float(data.get("mbit_per_s", 0)))
        link = self.controls.link
        return {"mbit_per_s": link.mbit_per_s, "bytes_sent": link.bytes_sent}

    async def faults(self, request: Request) -> Any:
        return to_data(self.controls.set_faults(**await _body(request)))

    async def post_commit_faults(self, request: Request) -> Any:
        return to_data(self.controls.set_post_commit_faults(**await _body(request)))

    async def received(self, request: Request) -> Any:
        if request.method == "DELETE":
            self.controls.reset_received()
        return {
            "received": self.controls.received(),
            "lost_answers": self.controls.lost_answers(),
        }

    async def token_ttl(self, request: Request) -> Any:
        data = await _body(request)
        self.controls.set_token_ttl(float(data["seconds"]))
        return {"token_ttl_s": self.controls.state.token_ttl.total_seconds()}

    async def agencies(self, request: Request) -> Any:
        data = await _body(request)
        credentials = self.controls.add_agency(
            str(data["agreement"]),
            str(data["login"]),
            str(data["password"]),
            prefecture=data.get("prefecture"),
            postal_code=data.get("postal_code"),
            name=str(data.get("name", "")),
        )
        return {"agreement": credentials.agreement, "login": credentials.login}


def _route(path: str, action: ControlCall, method: str = "POST") -> Route:
    """A ``/_sandbox`` route: the action's result as JSON, its errors in the protocol's shape
    (a malformed call is a 400)."""

    async def endpoint(request: Request) -> Response:
        try:
            result = await action(request)
        except AntsError as error:
            return error_response(error)
        except (ValueError, TypeError, KeyError) as exc:
            return error_response(bad_request(f"invalid control call: {exc}"))
        return JSONResponse(result)

    return Route(f"/_sandbox{path}", endpoint, methods=[method])


def control_routes(controls: Controls) -> list[BaseRoute]:
    """``/_sandbox/...``: the handle's controls for a sandbox in another process."""
    http = HttpControls(controls)
    return [
        _route("/requests", http.requests, "GET"),
        _route("/requests/{number}/applicant-validates", http.applicant_validates),
        _route("/requests/{number}/prefecture-takes-up", http.prefecture_takes_up),
        _route("/requests/{number}/prefecture-decides", http.prefecture_decides),
        _route("/register-direct", http.register_direct),
        _route("/advance", http.advance),
        _route("/seed-requests", http.seed_requests),
        _route("/latency", http.latency),
        _route("/bandwidth", http.bandwidth),
        _route("/faults", http.faults),
        _route("/post-commit-faults", http.post_commit_faults),
        _route("/received", http.received, "GET"),
        _route("/received", http.received, "DELETE"),
        _route("/agencies", http.agencies),
        _route("/token-ttl", http.token_ttl),
        _route("/requests/{number}/prefecture-issues-documents", http.prefecture_issues_documents),
        _route("/outbox", http.outbox, "GET"),
        _route("/reset", http.reset),
    ]
