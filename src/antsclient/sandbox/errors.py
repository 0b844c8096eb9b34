"""Errors as the sandbox answers them: one JSON shape, one HTTP status per code.

The domain raises antsclient's own errors (:mod:`antsclient.errors`, :mod:`antsclient.lifecycle`,
:mod:`antsclient.attachments`), so the codes and French messages are the client's; the few
errors that only a server raises (a missing token, an unknown file) are :class:`SandboxError`.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.responses import JSONResponse

from antsclient.codec import to_data
from antsclient.errors import AntsError, ApplicationDataError, DivergenceError

__all__ = [
    "SandboxError",
    "bad_request",
    "error_body",
    "error_response",
    "not_found",
    "status_of",
]

_STATUS: Final[dict[str, int]] = {
    "bad_request": 400,
    "authentication_failed": 401,
    "token_expired": 401,
    "token_invalid": 401,
    "request_not_found": 404,
    "attachment_not_found": 404,
    "ephoto_not_found": 404,
    "document_not_found": 404,
    "not_found": 404,
    "action_not_allowed": 409,
    "required_documents_missing": 409,
    "request_not_linked": 409,
    "paper_mandate": 409,
    "divergence": 409,
    "ephoto.already_used": 409,
    "idempotency_key_reused": 409,
    "attachment.too_large": 413,
    "rate_limited": 429,
    "internal_error": 500,
    "unavailable": 503,
}


class SandboxError(AntsError):
    """An error only the server side raises, with the HTTP status it answers."""

    default_code = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        message_fr: str | None = None,
        field: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, code=code, message_fr=message_fr, field=field)
        self.status: int = status if status is not None else _STATUS.get(self.code, 500)


def status_of(error: AntsError) -> int:
    """The HTTP status an error answers with (422 for data and file errors)."""
    if isinstance(error, SandboxError):
        return error.status
    return _STATUS.get(error.code, 422)


def error_body(error: AntsError) -> dict[str, Any]:
    """The protocol's error body: ``{"error": {code, message, message_fr, field, …}}``."""
    body: dict[str, Any] = {
        "code": error.code,
        "message": error.message,
        "message_fr": error.message_fr,
        "field": error.field,
    }
    if isinstance(error, ApplicationDataError):
        body["problems"] = [to_data(problem) for problem in error.problems]
    if isinstance(error, DivergenceError) and error.existing_number is not None:
        body["existing_number"] = error.existing_number
    if isinstance(error, DivergenceError) and error.case is not None:
        body["divergence"] = error.case.value
    return {"error": body}


def error_response(error: AntsError) -> JSONResponse:
    """The error as its status and ``{"error": {...}}`` body."""
    return JSONResponse(error_body(error), status_code=status_of(error))


def not_found(what: str, code: str, message_fr: str) -> SandboxError:
    """A 404 with its code (``request_not_found``, ``attachment_not_found``, …)."""
    return SandboxError(f"{what} not found", code=code, message_fr=message_fr, status=404)


def bad_request(message: str, message_fr: str = "La requête est mal formée.") -> SandboxError:
    """A 400 ``bad_request``: malformed JSON or parameter."""
    return SandboxError(message, code="bad_request", message_fr=message_fr, status=400)
