"""The protocol's operations on a request's files: pièces justificatives, ePhoto, documents.

Thin handlers, as in :mod:`antsclient.sandbox.api`: read the request, call
:class:`~antsclient.sandbox.state.SandboxState`, write the converter's data. The upload is
read as a stream with a size cap, its type sniffed and its pages counted before the state
checks the page limit.
"""

from __future__ import annotations

import io

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from antsclient.attachments import MAX_FILE_SIZE, inspect_file
from antsclient.codec import to_data
from antsclient.errors import AntsError
from antsclient.models.enums import Cerfa, DocumentKind, PrefectureDocumentKind
from antsclient.sandbox.errors import bad_request, error_response
from antsclient.sandbox.records import Agency
from antsclient.sandbox.state import SandboxState
from antsclient.sandbox.wire import (
    MULTIPART_SLACK,
    Body,
    bearer_token,
    disposition,
    json_body,
    json_object,
    parse_enum,
    text_field,
    too_large,
)

__all__ = ["FilesApi"]


class FilesApi:
    """Attachments, the ePhoto and the prefecture documents of one sandbox's requests."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def agency(self, request: Request) -> Agency:
        """The agency the request's bearer token stands for."""
        return self.state.authenticate(bearer_token(request))

    # -- attachments ----------------------------------------------------------------------

    async def list_attachments(self, request: Request) -> Response:
        slots = self.state.slots(self.agency(request), request.path_params["number"])
        return JSONResponse({"items": to_data(slots)})

    async def upload_attachment(self, request: Request) -> Response:
        body = Body(request, MAX_FILE_SIZE + MULTIPART_SLACK)
        try:
            return await self._upload(request, self.agency(request), body)
        except AntsError as error:
            await body.drain()
            return error_response(error)

    async def _upload(self, request: Request, agency: Agency, body: Body) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > body.limit:
            raise too_large(int(length))
        number = request.path_params["number"]
        kind = parse_enum(DocumentKind, request.path_params["kind"], "document kind")
        self.state.ensure_can_upload(agency, number)
        if "multipart/form-data" not in request.headers.get("content-type", ""):
            raise bad_request("the file is sent as multipart/form-data")
        name, content, comment = await _read_form(request, body)
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
        kind = parse_enum(DocumentKind, p["kind"], "document kind")
        return agency, p["number"], kind, p["file_id"]

    async def download_attachment(self, request: Request) -> Response:
        stored = self.state.attachment(*self._file_ref(request))
        return Response(
            stored.content,
            media_type=stored.media_type,
            headers={"Content-Disposition": disposition(stored.name)},
        )

    async def delete_attachment(self, request: Request) -> Response:
        self.state.delete_attachment(*self._file_ref(request))
        return Response(status_code=204)

    # -- ePhoto ---------------------------------------------------------------------------

    async def set_ephoto(self, request: Request) -> Response:
        agency = self.agency(request)
        cerfa = parse_enum(Cerfa, request.path_params["cerfa"], "cerfa")
        code = text_field(json_object(await json_body(request)), "code")
        held = self.state.set_ephoto(agency, request.path_params["number"], cerfa, code)
        return JSONResponse({"code": held, "cerfa": cerfa.value})

    async def get_ephoto(self, request: Request) -> Response:
        ephoto = self.state.ephoto(self.agency(request), request.path_params["number"])
        return JSONResponse(to_data(ephoto))

    async def delete_ephoto(self, request: Request) -> Response:
        agency = self.agency(request)
        cerfa = parse_enum(Cerfa, request.path_params["cerfa"], "cerfa")
        self.state.delete_ephoto(agency, request.path_params["number"], cerfa)
        return Response(status_code=204)

    async def deposit_form(self, request: Request) -> Response:
        number = request.path_params["number"]
        content = self.state.deposit_form(self.agency(request), number)
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": disposition(f"depot-photo-signature-{number}.pdf")},
        )

    # -- prefecture documents -------------------------------------------------------------

    async def list_documents(self, request: Request) -> Response:
        items = self.state.documents(self.agency(request), request.path_params["number"])
        return JSONResponse({"items": to_data(items)})

    async def download_document(self, request: Request) -> Response:
        agency = self.agency(request)
        kind = parse_enum(
            PrefectureDocumentKind, request.path_params["kind"], "prefecture document kind"
        )
        name, content = self.state.document(agency, request.path_params["number"], kind)
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": disposition(name)},
        )


async def _read_form(request: Request, body: Body) -> tuple[str, bytes, str | None]:
    """The file's name and bytes and the comment of a multipart upload."""
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
        raise too_large(len(content))
    return name, content, comment
