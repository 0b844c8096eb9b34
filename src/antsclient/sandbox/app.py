"""The HTTP face of the sandbox: every operation of ``protocol/openapi.yaml``, on Starlette.

Handlers stay thin: read the request, call :class:`~antsclient.sandbox.state.SandboxState`,
write the converter's data. Errors are antsclient's own, answered in the protocol's one
shape (:mod:`antsclient.sandbox.errors`).
"""

from __future__ import annotations

import asyncio
import enum
import functools
import hashlib
import io
import json
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from antsclient.attachments import MAX_FILE_SIZE, inspect_file
from antsclient.codec import parse_datetime, read_application, to_data
from antsclient.errors import AntsError, AttachmentRejected
from antsclient.models.enums import Bucket, Cerfa, DocumentKind, PrefectureDocumentKind
from antsclient.protocol.operations import MAX_PAGE_SIZE
from antsclient.sandbox import referential
from antsclient.sandbox.errors import SandboxError, bad_request, error_body, status_of
from antsclient.sandbox.faults import FaultMiddleware
from antsclient.sandbox.state import SearchFilters

if TYPE_CHECKING:
    from antsclient.sandbox.control import Sandbox
    from antsclient.sandbox.records import Agency

__all__ = ["SandboxApp", "build_app"]

logger = logging.getLogger("antsclient.sandbox")

API: Final = "/api/v1"
MULTIPART_SLACK: Final = 64 * 1024
"""Room for the multipart envelope and the comment around an 11,000,000-byte file."""
_DRAIN_LIMIT: Final = 256 * 1024 * 1024

E = TypeVar("E", bound=enum.Enum)
Endpoint = Callable[[Request], Awaitable[Response]]


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
        """The application without the fault layer."""
        await super().__call__(scope, receive, send)


def _handled(endpoint: Endpoint) -> Endpoint:
    """Answer antsclient errors in the protocol's shape, anything else as a 500."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except AntsError as error:
            return error_response(error)
        except Exception as exc:  # pragma: no cover - a bug in the sandbox itself
            logger.exception("sandbox error on %s %s", request.method, request.url.path)
            return error_response(SandboxError(f"internal error: {type(exc).__name__}"))

    return wrapper


def error_response(error: AntsError) -> JSONResponse:
    """The error as its status and ``{"error": {...}}`` body."""
    return JSONResponse(error_body(error), status_code=status_of(error))


def _parse_enum(cls: type[E], value: str, what: str) -> E:
    try:
        return cls(value)
    except ValueError:
        raise bad_request(f"{value!r} is not a valid {what}") from None


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("the body is not valid JSON") from None


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise bad_request("the body must be a JSON object")
    return data


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise bad_request(f"{key!r} must be a string")
    return value


def _disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


class _Body:
    """The request body, read chunk by chunk with a size cap."""

    def __init__(self, request: Request, limit: int) -> None:
        self.request = request
        self.limit = limit
        self.finished = False

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        total = 0
        while not self.finished:
            message = await self.request.receive()
            if message["type"] == "http.disconnect":
                raise bad_request("the client disconnected")
            chunk: bytes = message.get("body", b"")
            self.finished = not message.get("more_body", False)
            total += len(chunk)
            if total > self.limit:
                raise _too_large(total)
            if chunk:
                yield chunk

    async def drain(self) -> None:
        """Read and discard the rest, so the client gets the answer instead of a reset."""
        total = 0
        while not self.finished and total < _DRAIN_LIMIT:
            message = await self.request.receive()
            if message["type"] == "http.disconnect":
                return
            total += len(message.get("body", b""))
            self.finished = not message.get("more_body", False)


def _too_large(size: int) -> AttachmentRejected:
    return AttachmentRejected(
        f"the file is over {MAX_FILE_SIZE:,} bytes (11 MB): {size:,} bytes received",
        code="attachment.too_large",
        message_fr="Le fichier dépasse la taille maximale de 11 Mo. Réduisez sa taille ou "
        "scannez-le en plusieurs fichiers.",
        field="file",
    )


class Api:
    """The protocol's operations over one sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.state = sandbox.state

    def agency(self, request: Request) -> Agency:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        return self.state.authenticate(token.strip() if scheme.lower() == "bearer" else None)

    # -- auth and referential -------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        data = _object(await _json_body(request))
        token = self.state.login(
            _text(data, "agreement"), _text(data, "login"), _text(data, "password")
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
        data = _object(await _json_body(request))
        cerfa = _parse_enum(Cerfa, str(data.get("cerfa")), "cerfa")
        confirmed = data.get("confirmed_fields") or []
        if not isinstance(confirmed, list) or not all(isinstance(f, str) for f in confirmed):
            raise bad_request("confirmed_fields must be a list of field paths")
        try:
            application = read_application(_object(data.get("application")), cerfa)
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
        config = self.sandbox.faults.config
        if config.stall_creates:
            await asyncio.sleep(config.stall_seconds)
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
        online = self.state.transfer(self.agency(request), request.path_params["number"])
        return JSONResponse(to_data(online))

    async def send_complement(self, request: Request) -> Response:
        online = self.state.send_complement(self.agency(request), request.path_params["number"])
        return JSONResponse(to_data(online))

    async def link_request(self, request: Request) -> Response:
        agency = self.agency(request)
        data = _object(await _json_body(request))
        student_id = _text(data, "student_id")
        if not student_id.strip():
            raise bad_request("student_id must not be empty")
        online = self.state.link(agency, request.path_params["number"], student_id)
        return JSONResponse(to_data(online))

    async def search_requests(self, request: Request) -> Response:
        agency = self.agency(request)
        return JSONResponse(self.state.search(agency, _filters(request)))

    async def count_requests(self, request: Request) -> Response:
        return JSONResponse(self.state.counts(self.agency(request)))

    # -- attachments ----------------------------------------------------------------------

    async def list_attachments(self, request: Request) -> Response:
        slots = self.state.slots(self.agency(request), request.path_params["number"])
        return JSONResponse({"items": to_data(slots)})

    async def upload_attachment(self, request: Request) -> Response:
        body = _Body(request, MAX_FILE_SIZE + MULTIPART_SLACK)
        try:
            return await self._upload(request, self.agency(request), body)
        except AntsError as error:
            await body.drain()
            return error_response(error)

    async def _upload(self, request: Request, agency: Agency, body: _Body) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > body.limit:
            raise _too_large(int(length))
        number = request.path_params["number"]
        kind = _parse_enum(DocumentKind, request.path_params["kind"], "document kind")
        self.state.ensure_can_upload(agency, number)
        if "multipart/form-data" not in request.headers.get("content-type", ""):
            raise bad_request("the file is sent as multipart/form-data")
        parser = MultiPartParser(Headers(scope=request.scope), body.chunks(), max_files=1)
        try:
            form = await parser.parse()
        except MultiPartException as exc:
            raise bad_request(f"the multipart body cannot be read: {exc.message}") from None
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise bad_request("the multipart body has no 'file' part")
            content = await upload.read()
            name = upload.filename or "document"
            comment_field = form.get("comment")
            comment = comment_field if isinstance(comment_field, str) and comment_field else None
        finally:
            await form.close()
        if len(content) > MAX_FILE_SIZE:
            raise _too_large(len(content))
        info = await run_in_threadpool(inspect_file, io.BytesIO(content), name=name)
        stored, replayed = self.state.upload(
            agency,
            number,
            kind,
            name=name,
            content=content,
            media_type=info.media_type,
            pages=info.pages,
            comment=comment,
            idempotency_key=request.headers.get("idempotency-key") or None,
        )
        if replayed:
            return JSONResponse(
                to_data(stored), status_code=200, headers={"Idempotent-Replayed": "true"}
            )
        return JSONResponse(to_data(stored), status_code=201)

    def _file_ref(self, request: Request) -> tuple[Agency, str, DocumentKind, str]:
        agency = self.agency(request)
        p = request.path_params
        kind = _parse_enum(DocumentKind, p["kind"], "document kind")
        return agency, p["number"], kind, p["file_id"]

    async def download_attachment(self, request: Request) -> Response:
        stored = self.state.attachment(*self._file_ref(request))
        return Response(
            stored.content,
            media_type=stored.media_type,
            headers={"Content-Disposition": _disposition(stored.name)},
        )

    async def delete_attachment(self, request: Request) -> Response:
        self.state.delete_attachment(*self._file_ref(request))
        return Response(status_code=204)

    # -- ePhoto ---------------------------------------------------------------------------

    async def set_ephoto(self, request: Request) -> Response:
        agency = self.agency(request)
        cerfa = _parse_enum(Cerfa, request.path_params["cerfa"], "cerfa")
        code = _text(_object(await _json_body(request)), "code")
        held = self.state.set_ephoto(agency, request.path_params["number"], cerfa, code)
        return JSONResponse({"code": held, "cerfa": cerfa.value})

    async def get_ephoto(self, request: Request) -> Response:
        ephoto = self.state.ephoto(self.agency(request), request.path_params["number"])
        return JSONResponse(to_data(ephoto))

    async def delete_ephoto(self, request: Request) -> Response:
        agency = self.agency(request)
        cerfa = _parse_enum(Cerfa, request.path_params["cerfa"], "cerfa")
        self.state.delete_ephoto(agency, request.path_params["number"], cerfa)
        return Response(status_code=204)

    async def deposit_form(self, request: Request) -> Response:
        number = request.path_params["number"]
        content = self.state.deposit_form(self.agency(request), number)
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": _disposition(f"depot-photo-signature-{number}.pdf")},
        )

    # -- prefecture documents -------------------------------------------------------------

    async def list_documents(self, request: Request) -> Response:
        items = self.state.documents(self.agency(request), request.path_params["number"])
        return JSONResponse({"items": to_data(items)})

    async def download_document(self, request: Request) -> Response:
        agency = self.agency(request)
        kind = _parse_enum(
            PrefectureDocumentKind, request.path_params["kind"], "prefecture document kind"
        )
        name, content = self.state.document(agency, request.path_params["number"], kind)
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": _disposition(name)},
        )

    # -- routing --------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        n = "/requests/{number}"
        table: list[tuple[str, str, Endpoint]] = [
            ("POST", "/auth/token", self.login),
            ("GET", "/prefectures", self.list_prefectures),
            ("GET", "/referential/communes", self.search_communes),
            ("GET", "/referential/departments", self.list_departments),
            ("GET", "/referential/countries", self.list_countries),
            ("POST", "/requests", self.create_request),
            ("GET", "/requests", self.search_requests),
            ("GET", "/requests/counts", self.count_requests),
            ("GET", n, self.get_request),
            ("DELETE", n, self.delete_request),
            ("GET", f"{n}/application", self.get_application),
            ("POST", f"{n}/validate", self.validate_request),
            ("POST", f"{n}/transfer", self.transfer_request),
            ("POST", f"{n}/complement", self.send_complement),
            ("POST", f"{n}/link", self.link_request),
            ("GET", f"{n}/attachments", self.list_attachments),
            ("POST", f"{n}/attachments/{{kind}}", self.upload_attachment),
            ("GET", f"{n}/attachments/{{kind}}/{{file_id}}", self.download_attachment),
            ("DELETE", f"{n}/attachments/{{kind}}/{{file_id}}", self.delete_attachment),
            ("GET", f"{n}/ephoto", self.get_ephoto),
            ("GET", f"{n}/ephoto/deposit-form", self.deposit_form),
            ("PUT", f"{n}/ephoto/{{cerfa}}", self.set_ephoto),
            ("DELETE", f"{n}/ephoto/{{cerfa}}", self.delete_ephoto),
            ("GET", f"{n}/documents", self.list_documents),
            ("GET", f"{n}/documents/{{kind}}", self.download_document),
        ]
        by_path: dict[str, dict[str, Endpoint]] = {}
        for method, path, endpoint in table:
            by_path.setdefault(path, {})[method] = _handled(endpoint)
        return [
            Route(API + path, _dispatch(methods), methods=list(methods))
            for path, methods in by_path.items()
        ]


def _dispatch(methods: dict[str, Endpoint]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await methods[request.method](request)

    return endpoint


def _filters(request: Request) -> SearchFilters:
    p = request.query_params

    def when(name: str) -> Any:
        raw = p.get(name)
        if raw is None or not raw.strip():
            return None
        try:
            return parse_datetime(raw.strip().replace(" ", "+"))
        except (ValueError, OverflowError):
            raise bad_request(f"{name} must be an ISO 8601 datetime") from None

    def integer(name: str, default: int, high: int) -> int:
        raw = p.get(name)
        try:
            value = default if raw is None else int(raw)
        except ValueError:
            raise bad_request(f"{name} must be an integer") from None
        if not 1 <= value <= high:
            raise bad_request(f"{name} must be between 1 and {high}")
        return value

    bucket = p.get("bucket")
    cerfa = p.get("cerfa")
    return SearchFilters(
        bucket=_parse_enum(Bucket, bucket, "bucket") if bucket else None,
        cerfa=_parse_enum(Cerfa, cerfa, "cerfa") if cerfa else None,
        number=p.get("number") or None,
        created_from=when("created_from"),
        created_to=when("created_to"),
        modified_from=when("modified_from"),
        modified_to=when("modified_to"),
        page=integer("page", 1, 10**9),
        page_size=integer("page_size", 100, MAX_PAGE_SIZE),
    )


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


def build_app(sandbox: Sandbox) -> SandboxApp:
    """The ASGI application of ``sandbox``: the API, its document, the controls, the faults."""
    from antsclient.sandbox.control import control_routes  # noqa: PLC0415

    api = Api(sandbox)

    async def openapi(request: Request) -> Response:
        from importlib import resources  # noqa: PLC0415

        text = resources.files("antsclient.protocol").joinpath("openapi.yaml").read_bytes()
        return Response(text, media_type="application/yaml")

    routes: list[BaseRoute] = [
        *api.routes(),
        Route("/openapi.yaml", openapi, methods=["GET"]),
        *control_routes(sandbox),
    ]
    app = SandboxApp(routes=routes, exception_handlers={404: _not_found, 405: _not_allowed})
    app.sandbox = sandbox
    app.faults = FaultMiddleware(app.serve_api, sandbox.faults)
    return app
