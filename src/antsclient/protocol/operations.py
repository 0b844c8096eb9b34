"""The operations of the protocol, without I/O: build a :class:`Call`, parse a response.

Each operation is a pure function returning a :class:`Call` — what to send and how safe it is
to send again — and a parser turning the answer into models. The two sessions only send calls
and feed answers back, so the protocol lives here once.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import io
import json
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, ParamSpec, TypeVar, cast

import attrs
import httpx

from antsclient._secret import Secret, to_secret
from antsclient.errors import ProtocolError
from antsclient.models import (
    Bucket,
    Cerfa,
    DocumentKind,
    OnlineRequest,
    PrefectureDocumentKind,
    RequestType,
)
from antsclient.models.window import DateWindow, bounds
from antsclient.protocol._fastpage import decode_page, prepare

if TYPE_CHECKING:
    from antsclient.models.application import Cerfa02, Cerfa06
    from antsclient.models.documents import (
        AttachmentFile,
        AttachmentSlot,
        EPhoto,
        Prefecture,
        PrefectureDocument,
    )
    from antsclient.models.request_types import RequestTypeSpec

__all__ = [
    "API_PREFIX",
    "MAX_PAGE_SIZE",
    "Call",
    "Page",
    "Safety",
    "Token",
    "Upload",
]

T = TypeVar("T")

API_PREFIX: Final = "/api/v1"
MAX_PAGE_SIZE: Final = 500
"""The largest page a search returns: a sync asks for it, to make as few round trips as it
can."""


class Safety(enum.Enum):
    """How safe a call is to send again after a failure whose outcome is unknown."""

    READ = "read"
    """Reads nothing changes: always safe to retry."""
    IDEMPOTENT = "idempotent"
    """A write ANTS applies once whatever the number of tries (idempotency key, PUT)."""
    UNSAFE = "unsafe"
    """A write that may have happened: retried only when ANTS certainly never saw it."""


@attrs.frozen(kw_only=True, slots=True)
class Upload:
    """A file to send as multipart, re-openable for every attempt (streamed, never read whole)."""

    name: str
    media_type: str
    open: Callable[[], IO[bytes]]
    comment: str | None = None
    owned: bool = True
    """Whether the stream ``open`` returns is ours to close after each attempt."""


@attrs.frozen(kw_only=True, slots=True)
class Call:
    """One HTTP call of the protocol: what to send, and how safe it is to send again."""

    op: str
    method: str
    path: str
    safety: Safety
    params: Mapping[str, str] | None = None
    json: Any = None
    upload: Upload | None = None
    idempotency_key: str | None = None
    authenticated: bool = True

    def build(
        self,
        client: httpx.Client | httpx.AsyncClient,
        token: str | Secret | None,
        file: IO[bytes] | None = None,
    ) -> httpx.Request:
        """The request for one attempt; ``file`` is the upload's stream, opened afresh.

        Secrets (the token, a password in the body) are revealed here only, into the
        request itself: the call keeps them wrapped.

        A call without an upload, on a client holding no cookie, is built directly: its
        URL written whole and parsed once, the client's headers under the call's — the
        request ``client.build_request`` makes (a test compares them), without parsing the
        URL three times and merging what the call does not use (72 µs of a page's ~1 ms).
        """
        headers: dict[str, str] = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {_revealed(token)}"
        if self.idempotency_key is not None:
            headers["Idempotency-Key"] = self.idempotency_key
        if self.upload is None and not client.cookies and _plain(self.path):
            query = tuple(self.params.items()) if self.params else ()
            merged = httpx.Headers(client.headers)
            merged.update(headers)
            return httpx.Request(
                self.method,
                _url(str(client.base_url), self.path, query),
                headers=merged,
                json=_revealed(self.json),
            )
        files = data = None
        if self.upload is not None and file is not None:
            files = {"file": (self.upload.name, file, self.upload.media_type)}
            data = {"comment": self.upload.comment} if self.upload.comment else None
        return client.build_request(
            self.method,
            API_PREFIX + self.path,
            params=self.params,
            json=_revealed(self.json),
            files=files,
            data=data,
            headers=headers,
        )

    def describe(self) -> str:
        """``METHOD /path`` for messages and logs (never a header, never a body)."""
        return f"{self.method} {API_PREFIX}{self.path}"


Query = tuple[tuple[str, str], ...]


def _parsed(base: str, path: str, query: Query) -> httpx.URL:
    url = base.rstrip("/") + API_PREFIX + path
    return httpx.URL(f"{url}?{httpx.QueryParams(query)}" if query else url)


_kept = functools.lru_cache(maxsize=256)(_parsed)


def _url(base: str, path: str, query: Query) -> httpx.URL:
    """The URL of a call to ``path`` with ``query`` on ``base``, parsed once and kept (a
    URL does not change): creates, look-ups, the dashboard ask for the same ones. A base
    URL carrying a user and password is never kept."""
    return _parsed(base, path, query) if "@" in base else _kept(base, path, query)


def _plain(path: str) -> bool:
    """Whether ``path`` reads the same appended to the base URL as merged with it (no
    query, fragment or escape of its own, nothing to encode)."""
    return path.isascii() and path.isprintable() and not any(c in path for c in "?#% ")


def _revealed(value: Any) -> Any:
    """``value`` with its :class:`Secret` values revealed (a JSON body's or the token)."""
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, dict):
        return {k: _revealed(v) for k, v in value.items()}
    return value


@attrs.frozen(kw_only=True, slots=True)
class Page:
    """One page of a search as it arrived: the requests, and where the page stands.

    ``failed`` counts the requests of the page that could not be read (tolerant in: one
    unreadable request never spoils the page).
    """

    items: tuple[OnlineRequest, ...]
    page: int
    page_size: int
    total: int
    pages: int
    failed: int = 0


P = ParamSpec("P")
R = TypeVar("R")


def _reader(parse: Callable[P, R]) -> Callable[P, R]:
    """A parser whose every failure to read is a :class:`ProtocolError` naming the answer:
    whatever shape a broken server sends, the sessions see one error type."""

    @functools.wraps(parse)
    def read(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return parse(*args, **kwargs)
        except ProtocolError:
            raise
        except (
            LookupError,
            TypeError,
            ValueError,
            ArithmeticError,
            AttributeError,
            RecursionError,
        ) as exc:
            response = args[0] if args else kwargs.get("response")
            raise ProtocolError(
                f"ANTS answered {_where(response, parse.__name__)} with data antsclient cannot "
                f"read: {_short(exc)}",
                code="malformed_body",
            ) from exc

    return read


def _short(exc: BaseException, limit: int = 200) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _where(response: object, default: str) -> str:
    if isinstance(response, PageAnswer):
        return response.path
    try:
        return str(response.request.url.path)  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):
        return default


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise _not_json(response.request.method, response.request.url.path) from exc


def _not_json(method: str, path: str) -> ProtocolError:
    return ProtocolError(
        f"ANTS answered {method} {path} with a body that is not JSON", code="malformed_body"
    )


def parse(response: httpx.Response, cls: type[T], *, key: str | None = None) -> T:
    """The model ``cls`` from a JSON answer (or from its ``key`` member)."""
    # The codec (its converters, the application data) loads when an answer is first read.
    from antsclient.codec import describe_error, from_data  # noqa: PLC0415

    data = _json(response)
    if key is not None:
        data = data.get(key) if isinstance(data, dict) else None
    try:
        return from_data(data, cls)
    except Exception as exc:
        lines = "; ".join(describe_error(exc))
        raise ProtocolError(
            f"ANTS answered {response.request.url.path} with data antsclient cannot read: {lines}",
            code="malformed_body",
        ) from exc


@_reader
def parse_items(response: httpx.Response, cls: type[T]) -> list[T]:
    """A list of ``cls`` from a ``{"items": [...]}`` answer."""
    return parse(response, list[cls], key="items")  # type: ignore[valid-type]


# --- authentication ------------------------------------------------------------------------


def login(agreement: str, login_name: str, password: str | Secret) -> Call:
    """POST /auth/token: a bearer token for the agency's credentials (the password stays
    wrapped in the call; it is revealed only into the request sent)."""
    return Call(
        op="login",
        method="POST",
        path="/auth/token",
        safety=Safety.IDEMPOTENT,
        json={"agreement": agreement, "login": login_name, "password": to_secret(password)},
        authenticated=False,
    )


@attrs.frozen(kw_only=True, slots=True)
class Token:
    """A bearer token and when it expires (the value is never shown)."""

    secret: Secret = attrs.field(repr=False)
    expires_at: dt.datetime

    @property
    def value(self) -> str:
        """The token itself."""
        return self.secret.reveal()


@_reader
def parse_token(response: httpx.Response, *, now: dt.datetime) -> Token:
    """The token of a login answer; its expiry from ``expires_in`` (seconds)."""
    data = _json(response)
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        raise ProtocolError("the login answer holds no access token", code="malformed_body")
    expires_in = data.get("expires_in")
    seconds = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
    return Token(
        secret=Secret(data["access_token"]), expires_at=now + dt.timedelta(seconds=seconds)
    )


# --- referential and prefectures -------------------------------------------------------------


def list_prefectures(postal_code: str) -> Call:
    """The call for the prefectures that serve ``postal_code``."""
    return Call(
        op="list_prefectures",
        method="GET",
        path="/prefectures",
        safety=Safety.READ,
        params={"postal_code": postal_code},
    )


@_reader
def parse_prefectures(response: httpx.Response) -> list[Prefecture]:
    """The prefectures of an answer."""
    from antsclient.models.documents import Prefecture  # noqa: PLC0415 - on first use

    return parse_items(response, Prefecture)


def search_communes(text: str, *, postal_code: str | None = None, limit: int = 10) -> Call:
    """The call for the communes ANTS suggests for ``text`` (at most ``limit``)."""
    params = {"q": text, "limit": str(limit)}
    if postal_code:
        params["postal_code"] = postal_code
    return Call(
        op="search_communes",
        method="GET",
        path="/referential/communes",
        safety=Safety.READ,
        params=params,
    )


@_reader
def parse_commune_names(response: httpx.Response) -> tuple[frozenset[str], frozenset[str]]:
    """The names and the labels (``NAME (postal code)``) of a commune search's answer."""
    data = _json(response)
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ProtocolError("the commune search answer holds no items", code="malformed_body")
    rows = [item for item in items if isinstance(item, dict)]
    names = frozenset(str(row["name"]) for row in rows if row.get("name"))
    labels = frozenset(str(row["label"]) for row in rows if row.get("label"))
    return names, labels


# --- requests -------------------------------------------------------------------------------


def _number(number: str) -> str:
    text = str(number).strip()
    if not text or not text.isalnum():
        msg = f"{number!r} is not a request number"
        raise ValueError(msg)
    return text


def create_request(
    application: Cerfa02 | Cerfa06, *, idempotency_key: str, confirmed_fields: tuple[str, ...] = ()
) -> Call:
    """The call that files ``application`` as a new request: safe to send again under
    ``idempotency_key``."""
    from antsclient.codec import to_data  # noqa: PLC0415

    return Call(
        op="create_request",
        method="POST",
        path="/requests",
        safety=Safety.IDEMPOTENT,
        idempotency_key=idempotency_key,
        json={
            "cerfa": application.cerfa.value,
            "application": to_data(application),
            "confirmed_fields": list(confirmed_fields),
        },
    )


def get_request(number: str) -> Call:
    """The call for request ``number`` as the listing shows it."""
    return Call(
        op="get_request", method="GET", path=f"/requests/{_number(number)}", safety=Safety.READ
    )


def get_application(number: str) -> Call:
    """The call for the application data (Cerfa 02 or 06) of request ``number``."""
    return Call(
        op="get_application",
        method="GET",
        path=f"/requests/{_number(number)}/application",
        safety=Safety.READ,
    )


@_reader
def parse_application(response: httpx.Response) -> Cerfa02 | Cerfa06:
    """The application data of an answer: a Cerfa 02 or a Cerfa 06, as its ``cerfa`` says."""
    from antsclient.models.application import application_type  # noqa: PLC0415

    data = _json(response)
    if not isinstance(data, dict):
        raise ProtocolError("the application answer is not an object", code="malformed_body")
    return parse(response, application_type(str(data.get("cerfa") or "02")), key="application")


def _write(
    op: str,
    method: str,
    number: str,
    suffix: str = "",
    *,
    json: Any = None,
    safety: Safety = Safety.UNSAFE,
) -> Call:
    return Call(
        op=op, method=method, path=f"/requests/{_number(number)}{suffix}", safety=safety, json=json
    )


def validate_request(number: str) -> Call:
    """The call that validates request ``number`` (« Valider la demande »)."""
    return _write("validate_request", "POST", number, "/validate")


def delete_request(number: str) -> Call:
    """The call that deletes request ``number`` (« Supprimer la demande »)."""
    return _write("delete_request", "DELETE", number)


def transfer_request(number: str, former_agreement: str) -> Call:
    """Transférer une demande: the request's number and the former school's agreement."""
    return _write(
        "transfer_request",
        "POST",
        number,
        "/transfer",
        json={"former_agreement": former_agreement},
    )


def list_request_types() -> Call:
    """The call for the request types ANTS accepts (:func:`parse_request_types`)."""
    return Call(op="list_request_types", method="GET", path="/request-types", safety=Safety.READ)


@_reader
def parse_request_types(response: httpx.Response) -> dict[RequestType, RequestTypeSpec]:
    """The request types the server takes, each with its form, categories, prerequisite,
    documents and lifecycle; a type this antsclient does not know is skipped."""
    data = _json(response)
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ProtocolError("the request types answer has no items", code="malformed_body")
    from antsclient.codec import from_data  # noqa: PLC0415
    from antsclient.models.request_types import RequestTypeSpec  # noqa: PLC0415

    known = {kind.value: kind for kind in RequestType}
    return {
        known[item["request_type"]]: from_data(item, RequestTypeSpec)
        for item in items
        if isinstance(item, dict) and item.get("request_type") in known
    }


def send_complement(number: str) -> Call:
    """The call that sends the complement a prefecture asked for on request ``number``
    (« Transmettre le complément »)."""
    return _write("send_complement", "POST", number, "/complement")


def link_request(number: str, student_id: str) -> Call:
    """The call that links request ``number`` to the host's student ``student_id``."""
    return _write(
        "link_request",
        "POST",
        number,
        "/link",
        json={"student_id": student_id},
        safety=Safety.IDEMPOTENT,
    )


@_reader
def parse_request(response: httpx.Response) -> OnlineRequest:
    """The request of an answer."""
    return parse(response, OnlineRequest)


def search_requests(
    *,
    bucket: Bucket | None = None,
    cerfa: Cerfa | None = None,
    number: str | None = None,
    created: DateWindow | None = None,
    modified: DateWindow | None = None,
    page: int = 1,
    page_size: int = 100,
) -> Call:
    """GET /requests: one page of the agency's requests, ordered by modification.

    ``page`` counts from 1 and ``page_size`` from 1 to :data:`MAX_PAGE_SIZE` (a larger one
    is brought down to it); anything else is refused before it is sent. The page is asked
    for as rows (``shape=rows``: the field names once, then each request's values), which
    :func:`read_page` reads as it reads a page of items — what a server that does not know
    the shape sends.
    """
    if page < 1 or page_size < 1:
        msg = f"page ({page}) and page_size ({page_size}) count from 1"
        raise ValueError(msg)
    params: dict[str, str] = {
        "page": str(page),
        "page_size": str(min(page_size, MAX_PAGE_SIZE)),
        "shape": "rows",
    }
    if bucket is not None:
        params["bucket"] = Bucket(bucket).value
    if cerfa is not None:
        params["cerfa"] = Cerfa(cerfa).value
    if number:
        params["number"] = _number(number)
    for name, window in (("created", created), ("modified", modified)):
        low, high = bounds(window)
        if low is not None:
            params[f"{name}_from"] = low.isoformat()
        if high is not None:
            params[f"{name}_to"] = high.isoformat()
    return Call(
        op="search_requests", method="GET", path="/requests", safety=Safety.READ, params=params
    )


@attrs.frozen(slots=True)
class PageAnswer:
    """A search page's answer as it arrived, not read yet: its body, and the call it answers
    (for an error that names it). The blocking sync reads each page in the thread that
    stores its requests (:func:`read_page`)."""

    content: bytes = attrs.field(repr=lambda content: f"<{len(content):,} bytes>")
    method: str
    path: str


def receive_page(response: httpx.Response) -> PageAnswer:
    """A search page's answer, kept to be read by :func:`read_page`."""
    return PageAnswer(response.content, response.request.method, response.request.url.path)


def prepare_reading() -> None:
    """Load what :func:`read_page` needs on its first call (with the ``speedups`` extra,
    msgspec and its decoders): a sync calls it while its first pages are on their way. The
    first blocking sync of a process then ends 10 ms sooner (2,000 requests: 89.5 → 79.3 ms,
    medians of 20 fresh processes each)."""
    prepare()


def parse_page(response: httpx.Response) -> Page:
    """A search page; each request is read on its own, and one that cannot be is counted in
    :attr:`Page.failed`, never fatal (:func:`read_page` of the answer)."""
    return read_page(receive_page(response))


@_reader
def read_page(answer: PageAnswer) -> Page:
    """A search page from its answer; each request is read on its own, and one that cannot
    be is counted in :attr:`Page.failed`, never fatal.

    With the ``speedups`` extra (msgspec), a page of the common shape is decoded straight
    into typed rows (:func:`antsclient._fastpage.decode_page`), three times faster; any page
    it does not take is read as below.
    """
    fast = decode_page(answer.content)
    if fast is not None:
        page = Page(items=fast[0], failed=0, **fast[1])
        _check_paging(page, len(page.items))
        return page
    try:
        data = json.loads(answer.content)
    except ValueError as exc:
        raise _not_json(answer.method, answer.path) from exc
    try:
        rows = "rows" in data
        raw = data["rows"] if rows else data["items"]
        fields = data["fields"] if rows else ()
        if not isinstance(raw, list) or not isinstance(fields, list | tuple):
            raise TypeError
        if not all(isinstance(name, str) for name in fields):
            raise TypeError
        paging = Page(
            items=(),
            page=int(data["page"]),
            page_size=int(data["page_size"]),
            total=int(data["total"]),
            pages=int(data["pages"]),
        )
    except (KeyError, TypeError, ValueError, OverflowError):
        raise ProtocolError(
            "the search answer is not a page of requests (items or rows, and paging)",
            code="malformed_body",
        ) from None
    _check_paging(paging, len(raw))
    from antsclient.codec import read_online_requests, read_online_rows  # noqa: PLC0415

    entries = _drained(raw)
    items, failed = read_online_rows(fields, entries) if rows else read_online_requests(entries)
    return attrs.evolve(paging, items=tuple(items), failed=failed)


def _drained(entries: list[Any]) -> Iterator[Any]:
    """The entries of a page just decoded, in order, each let go of as it is read.

    ``json.loads`` makes each row (a list) or item (a dict) an object the garbage collector
    tracks; kept until the whole page is read, 500 of them beside the 500 requests made
    from them pass the collector's threshold (700 objects alive since its last pass) on
    every page, and the young objects it then walks are promoted, until a full collection
    walks the whole process: 26–44 ms of a 20,000-request sync without msgspec. Let go of
    one by one, they never add up to it.
    """
    entries.reverse()
    pop = entries.pop
    for _ in range(len(entries)):
        yield pop()


def _check_paging(page: Page, count: int) -> None:
    """A page's numbers must agree: ``pages`` is the total divided by the page size, and
    the page holds no more than its size — a server's word is not trusted with the work
    (and the memory) it would make a listing do."""
    expected = -(-page.total // page.page_size) if page.page_size > 0 else -1
    if min(page.page, page.total, page.pages) < 0 or page.pages != expected:
        raise ProtocolError(
            f"the search answer's paging does not add up: {page.pages} page(s) announced "
            f"for {page.total} request(s) of {page.page_size} a page",
            code="inconsistent_paging",
        )
    if count > page.page_size:
        raise ProtocolError(
            f"the search answer holds {count} requests on a page of {page.page_size}",
            code="inconsistent_paging",
        )


def parse_nothing(response: httpx.Response) -> None:
    """For the calls whose answer carries nothing to read (deletes, ePhoto codes)."""
    del response


def count_requests() -> Call:
    """The call for the agency's request counts, per form and bucket (:func:`parse_counts`)."""
    return Call(op="count_requests", method="GET", path="/requests/counts", safety=Safety.READ)


@_reader
def parse_counts(response: httpx.Response) -> dict[Cerfa | None, dict[Bucket, int]]:
    """Counts per cerfa (``None`` for every request) and bucket."""
    data = _json(response)
    if not isinstance(data, dict):
        raise ProtocolError("the counts answer is not an object", code="malformed_body")
    result: dict[Cerfa | None, dict[Bucket, int]] = {}
    known = {c.value: c for c in Cerfa}
    for key, counts in data.items():
        if key != "all" and key not in known:
            continue  # tolerant in: a cerfa this client does not know
        if isinstance(counts, Mapping):
            result[known.get(key)] = {b: _count(counts.get(b.value, 0)) for b in Bucket}
    return result


def _count(value: object) -> int:
    """A count: a whole number, never negative (``""``, ``1e400`` or ``-3`` are not)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"{value!r} is not a count")
    if value < 0:
        raise ValueError(f"{value!r} is not a count")
    return int(value)


# --- attachments ----------------------------------------------------------------------------


def list_attachments(number: str) -> Call:
    """The call for the supporting-document slots of request ``number``."""
    return Call(
        op="list_attachments",
        method="GET",
        path=f"/requests/{_number(number)}/attachments",
        safety=Safety.READ,
    )


@_reader
def parse_slots(response: httpx.Response) -> list[AttachmentSlot]:
    """The supporting-document slots of an answer."""
    from antsclient.models.documents import AttachmentSlot  # noqa: PLC0415 - on first use

    return parse_items(response, AttachmentSlot)


def upload_attachment(
    number: str, kind: DocumentKind, upload: Upload, *, idempotency_key: str | None
) -> Call:
    """The call that uploads a file as document ``kind`` of request ``number``."""
    return Call(
        op="upload_attachment",
        method="POST",
        path=f"/requests/{_number(number)}/attachments/{DocumentKind(kind).value}",
        safety=Safety.IDEMPOTENT if idempotency_key else Safety.UNSAFE,
        upload=upload,
        idempotency_key=idempotency_key,
    )


@_reader
def parse_attachment_file(response: httpx.Response) -> AttachmentFile:
    """The file an upload answered with."""
    from antsclient.models.documents import AttachmentFile  # noqa: PLC0415 - on first use

    return parse(response, AttachmentFile)


def _file_id(file_id: str) -> str:
    text = str(file_id).strip()
    if not text or not all(c.isalnum() or c in "-_" for c in text):
        msg = f"{file_id!r} is not a file id"
        raise ValueError(msg)
    return text


def _attachment_path(number: str, kind: DocumentKind, file_id: str) -> str:
    return f"/requests/{_number(number)}/attachments/{DocumentKind(kind).value}/{_file_id(file_id)}"


def download_attachment(number: str, kind: DocumentKind, file_id: str) -> Call:
    """The call for the bytes of file ``file_id`` of document ``kind`` of request ``number``."""
    return Call(
        op="download_attachment",
        method="GET",
        path=_attachment_path(number, kind, file_id),
        safety=Safety.READ,
    )


def delete_attachment(number: str, kind: DocumentKind, file_id: str) -> Call:
    """The call that deletes file ``file_id`` of document ``kind`` from request ``number``."""
    return Call(
        op="delete_attachment",
        method="DELETE",
        path=_attachment_path(number, kind, file_id),
        safety=Safety.UNSAFE,
    )


# --- ePhoto ---------------------------------------------------------------------------------


def set_ephoto(number: str, code: str, cerfa: Cerfa) -> Call:
    """The call that sets the ePhoto ``code`` of request ``number`` for form ``cerfa``."""
    return _write(
        "set_ephoto",
        "PUT",
        number,
        f"/ephoto/{Cerfa(cerfa).value}",
        json={"code": code},
        safety=Safety.IDEMPOTENT,
    )


def get_ephoto(number: str) -> Call:
    """The call for the ePhoto code of request ``number``."""
    return Call(
        op="get_ephoto",
        method="GET",
        path=f"/requests/{_number(number)}/ephoto",
        safety=Safety.READ,
    )


@_reader
def parse_ephoto(response: httpx.Response) -> EPhoto:
    """The ePhoto code of an answer."""
    from antsclient.models.documents import EPhoto  # noqa: PLC0415 - on first use

    return parse(response, EPhoto)


def delete_ephoto(number: str, cerfa: Cerfa) -> Call:
    """The call that removes the ePhoto code of request ``number`` for form ``cerfa``."""
    return _write("delete_ephoto", "DELETE", number, f"/ephoto/{Cerfa(cerfa).value}")


def deposit_form(number: str) -> Call:
    """The call for the ePhoto deposit form (a PDF) of request ``number``."""
    return Call(
        op="deposit_form",
        method="GET",
        path=f"/requests/{_number(number)}/ephoto/deposit-form",
        safety=Safety.READ,
    )


# --- prefecture documents -------------------------------------------------------------------


def list_documents(number: str) -> Call:
    """The call for the prefecture documents of request ``number``."""
    return Call(
        op="list_documents",
        method="GET",
        path=f"/requests/{_number(number)}/documents",
        safety=Safety.READ,
    )


@_reader
def parse_documents(response: httpx.Response) -> list[PrefectureDocument]:
    """The prefecture documents of an answer."""
    from antsclient.models.documents import PrefectureDocument  # noqa: PLC0415 - on first use

    return parse_items(response, PrefectureDocument)


def download_document(number: str, kind: PrefectureDocumentKind) -> Call:
    """The call for prefecture document ``kind`` of request ``number`` (a PDF)."""
    return Call(
        op="download_document",
        method="GET",
        path=f"/requests/{_number(number)}/documents/{PrefectureDocumentKind(kind).value}",
        safety=Safety.READ,
    )


def path_upload(
    path: str | os.PathLike[str], *, media_type: str, comment: str | None, name: str | None = None
) -> Upload:
    """An :class:`Upload` reading ``path`` afresh at every attempt."""
    target = Path(path)
    return Upload(
        name=name or target.name,
        media_type=media_type,
        comment=comment,
        open=lambda: target.open("rb"),
    )


def stream_upload(stream: IO[bytes], *, name: str, media_type: str, comment: str | None) -> Upload:
    """An :class:`Upload` of an open stream, from where it was given, at each attempt."""
    start = stream.tell()

    def reopen() -> IO[bytes]:
        stream.seek(start)
        return cast("IO[bytes]", _FromOffset(stream, start))

    return Upload(name=name, media_type=media_type, comment=comment, open=reopen, owned=False)


class _FromOffset(io.RawIOBase):
    """The part of ``stream`` from ``start`` on, as a stream of its own: what sends it
    rewinds it to 0 first, which must not mean the bytes before ``start``."""

    def __init__(self, stream: IO[bytes], start: int) -> None:
        super().__init__()
        self._stream = stream
        self._start = start

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        target = self._start + offset if whence == os.SEEK_SET else offset
        return max(self._stream.seek(target, whence) - self._start, 0)

    def tell(self) -> int:
        return self._stream.tell() - self._start

    def close(self) -> None:
        """The stream is the caller's: it stays open."""
