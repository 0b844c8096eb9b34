"""HTTP answers → typed errors, in one place.

ANTS answers every refusal with one JSON shape::

    {"error": {"code": "...", "message": "...", "message_fr": "...", "field": "...",
               "problems": [...], "existing_number": "...", "divergence": "..."}}

:func:`error_from_response` turns it into the matching :class:`~antsclient.errors.AntsError`.
"""

from __future__ import annotations

from typing import Any, Final

import httpx

from antsclient.errors import (
    ActionNotAllowed,
    AntsError,
    AntsUnavailable,
    ApplicationDataError,
    AttachmentRejected,
    AuthenticationError,
    ConfigurationError,
    DivergenceError,
    FieldProblem,
    ProtocolError,
    RequestNotFound,
    ResourceNotFound,
    Severity,
)

__all__ = ["REQUEST_ID_HEADER", "error_from_response"]

REQUEST_ID_HEADER: Final = "X-Request-Id"
"""The header in which a server names its answer (quoted in errors, for its support)."""

_SERVER_ERRORS: Final = frozenset({429, 500, 502, 503, 504})

_NOT_FOUND_CODES: Final = frozenset(
    {"attachment_not_found", "ephoto_not_found", "document_not_found"}
)


def _body(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of an answer (empty when there is none)."""
    try:
        data = response.json()
    except (ValueError, RecursionError):
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def _problems(raw: object) -> list[FieldProblem]:
    problems = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        severity = Severity.WARNING if item.get("severity") == "warning" else Severity.ERROR
        problems.append(
            FieldProblem(
                field=str(item.get("field") or ""),
                code=str(item.get("code") or "invalid"),
                message=str(item.get("message") or ""),
                message_fr=str(item.get("message_fr") or item.get("message") or ""),
                severity=severity,
                suggestions=_texts(item.get("suggestions")),
            )
        )
    return problems


def _texts(raw: object) -> tuple[str, ...]:
    """The texts of a list (anything else, a number or an object, holds none)."""
    return tuple(str(s) for s in raw) if isinstance(raw, list) else ()


def _data_error(message: str, body: dict[str, Any], common: dict[str, Any]) -> AntsError:
    """A data refusal always lists its problems: one made of the error itself if need be."""
    problems = _problems(body.get("problems"))
    if not problems:
        problems = [
            FieldProblem(
                field=str(common.get("field") or ""),
                code=str(common["code"]),
                message=message,
                message_fr=str(common.get("message_fr") or message),
            )
        ]
    return ApplicationDataError(message, problems=problems, **common)


def error_from_response(response: httpx.Response) -> AntsError:
    """The typed error an HTTP error answer stands for, with its status and request id."""
    try:
        error = _error_of(response)
    except (LookupError, TypeError, ValueError, ArithmeticError, RecursionError):
        # A refusal whose body cannot be read is still a refusal: say so, by its status.
        error = ProtocolError(
            f"ANTS answered HTTP {response.status_code} to {response.request.method} "
            f"{response.request.url.path} with an error body antsclient cannot read",
            code=f"http_{response.status_code}",
        )
    return error.from_answer(response.status_code, response.headers.get(REQUEST_ID_HEADER))


def _error_of(response: httpx.Response) -> AntsError:
    status = response.status_code
    where = f"{response.request.method} {response.request.url.path}"
    if not 400 <= status < 600:
        # Neither an answer nor a refusal: a redirect (never followed: it would carry the
        # credentials elsewhere) or a status HTTP does not define. Whatever its body says.
        kind = (
            "a redirect, which antsclient does not follow"
            if 300 <= status < 400
            else ("not a status an answer may have")
        )
        return ProtocolError(
            f"ANTS answered HTTP {status} ({kind}) to {where}: check base_url",
            code=f"http_{status}",
        )
    body = _body(response)
    code = str(body.get("code") or f"http_{status}")
    message = str(body.get("message") or f"ANTS answered {status} to {where}")
    field = body.get("field")
    common: dict[str, Any] = {"code": code, "field": None if field is None else str(field)}
    if body.get("message_fr"):
        common["message_fr"] = str(body["message_fr"])
    if status == 401:
        return AuthenticationError(message, **common)
    if code == "request_not_found":
        return RequestNotFound(message, **common)
    if status == 404 or code in _NOT_FOUND_CODES:
        return ResourceNotFound(message, **common)
    if code == "divergence":
        existing = body.get("existing_number")
        return DivergenceError(
            message,
            existing_number=str(existing) if existing is not None else None,
            case=body.get("divergence") if isinstance(body.get("divergence"), str) else None,
            **{**common, "field": common["field"] or "applicant.email"},
        )
    if code == "configuration_missing":
        return ConfigurationError(message, **common)
    if code.startswith("ephoto."):
        common["field"] = common["field"] or "ephoto_code"
        return _data_error(message, body, common)
    if status == 413 or code.startswith("attachment."):
        return AttachmentRejected(message, **common)
    if status == 422:
        return _data_error(message, body, common)
    if status == 409:
        return ActionNotAllowed(message, rule=message, **common)
    if status in _SERVER_ERRORS:
        return AntsUnavailable(
            f"{message} (HTTP {status})", may_have_taken_effect=status != 429, **common
        )
    if 400 <= status < 500:
        return _data_error(message, body, common)
    return ProtocolError(f"unexpected HTTP {status} from {where}", **common)
