"""What crosses the wire: reading the protocol's requests and writing its answers.

The handlers of :mod:`antsclient.sandbox.api` read bodies, parameters and files through this
module, and every antsclient error they raise is answered in the protocol's one shape
(:func:`handled`).
"""

from __future__ import annotations

import enum
import functools
import json
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, Final, TypeVar
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from antsclient.attachments import MAX_FILE_SIZE
from antsclient.codec import parse_datetime
from antsclient.errors import AntsError, AttachmentRejected
from antsclient.models.enums import Bucket, Cerfa
from antsclient.protocol.operations import MAX_PAGE_SIZE
from antsclient.sandbox.errors import SandboxError, bad_request, error_response
from antsclient.sandbox.search import SearchFilters

__all__ = [
    "MULTIPART_SLACK",
    "Body",
    "Endpoint",
    "bearer_token",
    "disposition",
    "handled",
    "json_body",
    "json_object",
    "listing_rows",
    "parse_enum",
    "search_filters",
    "text_field",
    "too_large",
]

logger: logging.Logger = logging.getLogger("antsclient.sandbox")

MULTIPART_SLACK: Final = 64 * 1024
"""Room for the multipart envelope and the comment around an 11,000,000-byte file."""
_DRAIN_LIMIT: Final = 256 * 1024 * 1024

E = TypeVar("E", bound=enum.Enum)
Endpoint = Callable[[Request], Awaitable[Response]]


def handled(endpoint: Endpoint) -> Endpoint:
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


def bearer_token(request: Request) -> str | None:
    """The token of the ``Authorization: Bearer …`` header, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def parse_enum(cls: type[E], value: str, what: str) -> E:
    """``cls(value)``, or a 400 naming ``what``."""
    try:
        return cls(value)
    except ValueError:
        raise bad_request(f"{value!r} is not a valid {what}") from None


async def json_body(request: Request) -> Any:
    """The body as JSON, or a 400."""
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("the body is not valid JSON") from None


def json_object(data: Any) -> dict[str, Any]:
    """``data`` if it is a JSON object, else a 400."""
    if not isinstance(data, dict):
        raise bad_request("the body must be a JSON object")
    return data


def text_field(data: dict[str, Any], key: str) -> str:
    """The string at ``key``, else a 400."""
    value = data.get(key)
    if not isinstance(value, str):
        raise bad_request(f"{key!r} must be a string")
    return value


def disposition(name: str) -> str:
    """The ``Content-Disposition`` of a download named ``name`` (ASCII and UTF-8 forms)."""
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


class Body:
    """The request body, read chunk by chunk with a size cap."""

    def __init__(self, request: Request, limit: int) -> None:
        self.request = request
        self.limit = limit
        self.finished: bool = False

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        """The body's chunks; past ``limit`` bytes, a 413."""
        total = 0
        while not self.finished:
            message = await self.request.receive()
            if message["type"] == "http.disconnect":
                raise bad_request("the client disconnected")
            chunk: bytes = message.get("body", b"")
            self.finished = not message.get("more_body", False)
            total += len(chunk)
            if total > self.limit:
                raise too_large(total)
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


def too_large(size: int) -> AttachmentRejected:
    """The 413 of a file over 11 MB."""
    return AttachmentRejected(
        f"the file is over {MAX_FILE_SIZE:,} bytes (11 MB): {size:,} bytes received",
        code="attachment.too_large",
        message_fr="Le fichier dépasse la taille maximale de 11 Mo. Réduisez sa taille ou "
        "scannez-le en plusieurs fichiers.",
        field="file",
    )


def _instant(request: Request, name: str) -> Any:
    raw = request.query_params.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return parse_datetime(raw.strip().replace(" ", "+"))
    except (ValueError, OverflowError):
        raise bad_request(f"{name} must be an ISO 8601 datetime") from None


def _integer(request: Request, name: str, default: int, high: int) -> int:
    raw = request.query_params.get(name)
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        raise bad_request(f"{name} must be an integer") from None
    if not 1 <= value <= high:
        raise bad_request(f"{name} must be between 1 and {high}")
    return value


def search_filters(request: Request) -> SearchFilters:
    """The filters of a search, read from the query string (400 when one is malformed)."""
    p = request.query_params
    bucket = p.get("bucket")
    cerfa = p.get("cerfa")
    return SearchFilters(
        bucket=parse_enum(Bucket, bucket, "bucket") if bucket else None,
        cerfa=parse_enum(Cerfa, cerfa, "cerfa") if cerfa else None,
        number=p.get("number") or None,
        created_from=_instant(request, "created_from"),
        created_to=_instant(request, "created_to"),
        modified_from=_instant(request, "modified_from"),
        modified_to=_instant(request, "modified_to"),
        page=_integer(request, "page", 1, 10**9),
        page_size=_integer(request, "page_size", 100, MAX_PAGE_SIZE),
    )


def listing_rows(request: Request) -> bool:
    """Whether a search asks for its requests as rows (``shape=rows``) rather than objects
    (``shape=items``, the default); 400 for any other shape."""
    shape = request.query_params.get("shape", "items")
    if shape not in {"items", "rows"}:
        raise bad_request("shape must be items or rows")
    return shape == "rows"
