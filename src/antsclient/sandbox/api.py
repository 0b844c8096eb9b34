"""The HTTP face of the sandbox: every operation of ``protocol/openapi.yaml``, on Starlette.

Handlers stay thin: read the request (:mod:`antsclient.sandbox.wire`), call
:class:`~antsclient.sandbox.state.SandboxState`, write the converter's data. Errors are
antsclient's own, answered in the protocol's one shape (:mod:`antsclient.sandbox.errors`).
The operations on a request's files are in :mod:`antsclient.sandbox.api_files`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from antsclient.codec import read_application, to_data
from antsclient.models.enums import Cerfa
from antsclient.sandbox import referential
from antsclient.sandbox.api_files import FilesApi
from antsclient.sandbox.errors import bad_request
from antsclient.sandbox.faults import Faults
from antsclient.sandbox.filing import request_types_data
from antsclient.sandbox.records import Agency
from antsclient.sandbox.state import SandboxState
from antsclient.sandbox.wire import (
    Endpoint,
    bearer_token,
    handled,
    json_body,
    json_object,
    listing_rows,
    parse_enum,
    search_filters,
    text_field,
)

__all__ = ["API", "Api", "api_operations", "api_routes"]

API: Final = "/api/v1"
"""Where the protocol's operations live, under the server root."""


class Api:
    """The protocol's operations on agencies, the referential and requests."""

    def __init__(self, state: SandboxState, faults: Faults) -> None:
        self.state = state
        self.faults = faults

    def agency(self, request: Request) -> Agency:
        """The agency the request's bearer token stands for."""
        return self.state.authenticate(bearer_token(request))

    # -- auth and referential -------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        data = json_object(await json_body(request))
        token = self.state.login(
            text_field(data, "agreement"), text_field(data, "login"), text_field(data, "password")
        )
        return JSONResponse(token)

    async def list_prefectures(self, request: Request) -> Response:
        agency = self.agency(request)
        department, items = self.state.prefectures(agency, request.query_params.get("postal_code"))
        return JSONResponse({"department": department, "items": to_data(items)})

    async def search_communes(self, request: Request) -> Response:
        self.agency(request)
        params = request.query_params
        q = params.get("q", "")
        try:
            limit = int(params.get("limit", "10"))
        except ValueError:
            raise bad_request("limit must be an integer") from None
        if not 1 <= limit <= 100:
            raise bad_request("limit must be between 1 and 100")
        items = (
            referential.search_communes(q, postal_code=params.get("postal_code"), limit=limit)
            if q.strip()
            else []
        )
        return JSONResponse({"items": items})

    async def list_departments(self, request: Request) -> Response:
        self.agency(request)
        items = [{"code": c, "name": n} for c, n in referential.departments()]
        return JSONResponse({"items": items})

    async def list_countries(self, request: Request) -> Response:
        self.agency(request)
        items = [{"insee_code": c, "name": n} for c, n in referential.countries()]
        return JSONResponse({"items": items})

    # -- requests -------------------------------------------------------------------------

    async def create_request(self, request: Request) -> Response:
        agency = self.agency(request)
        key = request.headers.get("idempotency-key")
        if not key:
            raise bad_request(
                "the Idempotency-Key header is required on create",
                "L'en-tête Idempotency-Key est obligatoire.",
            )
        raw = await request.body()
        data = json_object(await json_body(request))
        cerfa = parse_enum(Cerfa, str(data.get("cerfa")), "cerfa")
        confirmed = data.get("confirmed_fields") or []
        if not isinstance(confirmed, list) or not all(isinstance(f, str) for f in confirmed):
            raise bad_request("confirmed_fields must be a list of field paths")
        try:
            application = read_application(
                json_object(data.get("application")), cerfa, strict=False
            )
        except Exception as exc:
            raise bad_request(f"the application data cannot be read: {exc}") from None
        fingerprint = hashlib.sha256(
            json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        online, replayed = self.state.create(
            agency,
            application,
            confirmed_fields=frozenset(confirmed),
            idempotency_key=key,
            fingerprint=fingerprint,
        )
        if replayed:
            return JSONResponse(
                to_data(online), status_code=200, headers={"Idempotent-Replayed": "true"}
            )
        return JSONResponse(to_data(online), status_code=201)

    async def get_request(self, request: Request) -> Response:
        online = self.state.get(self.agency(request), request.path_params["number"])
        return JSONResponse(to_data(online))

    async def get_application(self, request: Request) -> Response:
        cerfa, data = self.state.application_of(self.agency(request), request.path_params["number"])
        return JSONResponse({"cerfa": cerfa.value, "application": data})

    async def validate_request(self, request: Request) -> Response:
        online = self.state.validate(self.agency(request), request.path_params["number"])
        return JSONResponse(to_data(online))

    async def delete_request(self, request: Request) -> Response:
        self.state.delete(self.agency(request), request.path_params["number"])
        return Response(status_code=204)

    async def transfer_request(self, request: Request) -> Response:
        agency = self.agency(request)
        data = json_object(await json_body(request))
        former = text_field(data, "former_agreement")
        online = self.state.transfer(agency, request.path_params["number"], former)
        return JSONResponse(to_data(online))

    async def list_request_types(self, request: Request) -> Response:
        self.agency(request)
        return JSONResponse(request_types_data())

    async def send_complement(self, request: Request) -> Response:
        online = self.state.send_complement(self.agency(request), request.path_params["number"])
        return JSONResponse(to_data(online))

    async def link_request(self, request: Request) -> Response:
        agency = self.agency(request)
        data = json_object(await json_body(request))
        student_id = text_field(data, "student_id")
        if not student_id.strip():
            raise bad_request("student_id must not be empty")
        online = self.state.link(agency, request.path_params["number"], student_id)
        return JSONResponse(to_data(online))

    async def search_requests(self, request: Request) -> Response:
        agency = self.agency(request)
        filters = search_filters(request)
        body = self.state.search_body(agency, filters, rows=listing_rows(request))
        return Response(body, media_type="application/json")

    async def count_requests(self, request: Request) -> Response:
        return JSONResponse(self.state.counts(self.agency(request)))


def _table(api: Api, files: FilesApi) -> list[tuple[str, str, Endpoint]]:
    """Every operation as (method, path under :data:`API`, handler)."""
    n = "/requests/{number}"
    return [
        ("POST", "/auth/token", api.login),
        ("GET", "/prefectures", api.list_prefectures),
        ("GET", "/referential/communes", api.search_communes),
        ("GET", "/referential/departments", api.list_departments),
        ("GET", "/referential/countries", api.list_countries),
        ("POST", "/requests", api.create_request),
        ("GET", "/requests", api.search_requests),
        ("GET", "/requests/counts", api.count_requests),
        ("GET", "/request-types", api.list_request_types),
        ("GET", n, api.get_request),
        ("DELETE", n, api.delete_request),
        ("GET", f"{n}/application", api.get_application),
        ("POST", f"{n}/validate", api.validate_request),
        ("POST", f"{n}/transfer", api.transfer_request),
        ("POST", f"{n}/complement", api.send_complement),
        ("POST", f"{n}/link", api.link_request),
        ("GET", f"{n}/attachments", files.list_attachments),
        ("POST", f"{n}/attachments/{{kind}}", files.upload_attachment),
        ("GET", f"{n}/attachments/{{kind}}/{{file_id}}", files.download_attachment),
        ("DELETE", f"{n}/attachments/{{kind}}/{{file_id}}", files.delete_attachment),
        ("GET", f"{n}/ephoto", files.get_ephoto),
        ("GET", f"{n}/ephoto/deposit-form", files.deposit_form),
        ("PUT", f"{n}/ephoto/{{cerfa}}", files.set_ephoto),
        ("DELETE", f"{n}/ephoto/{{cerfa}}", files.delete_ephoto),
        ("GET", f"{n}/documents", files.list_documents),
        ("GET", f"{n}/documents/{{kind}}", files.download_document),
    ]


def api_operations(state: SandboxState, faults: Faults) -> list[tuple[str, str, str]]:
    """Every operation as (method, full path template, name): the names of the protocol's
    ``operationId`` s, which the fault layer counts and faults by."""
    table = _table(Api(state, faults), FilesApi(state))
    return [(method, API + path, endpoint.__name__) for method, path, endpoint in table]


def api_routes(state: SandboxState, faults: Faults) -> list[BaseRoute]:
    """The protocol's routes over ``state``."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for method, path, endpoint in _table(Api(state, faults), FilesApi(state)):
        by_path.setdefault(path, {})[method] = handled(endpoint)
    return [
        Route(API + path, _dispatch(methods), methods=list(methods))
        for path, methods in by_path.items()
    ]


def _dispatch(methods: dict[str, Endpoint]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await methods[request.method](request)

    return endpoint
