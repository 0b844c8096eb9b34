"""What both sessions share without I/O: retry decisions, file names, uploads, logging."""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import os
import re
import ssl
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from email.message import Message
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, Generic, TypeVar

import attrs
import httpx

from antsclient._policy import RetryPolicy
from antsclient.attachments import FileInfo, check_comment, check_pages, inspect_file
from antsclient.errors import (
    ActionNotAllowed,
    AntsUnavailable,
    FieldProblem,
)
from antsclient.lifecycle import Action, ensure_allowed, ensure_right
from antsclient.models import (
    AttachmentSlot,
    Credentials,
    DocumentKind,
    OnlineRequest,
    RequestStatus,
    Right,
)
from antsclient.protocol.operations import Call, Safety, Upload, path_upload, stream_upload
from antsclient.storage.protocols import StudentDocument

if TYPE_CHECKING:
    from antsclient.geo import GeoReport

__all__ = [
    "Done",
    "Transient",
    "atomic_target",
    "log_call",
    "prepare_upload",
    "safe_filename",
]

T = TypeVar("T")

logger: Final = logging.getLogger("antsclient")


@attrs.frozen(slots=True)
class Done(Generic[T]):
    """The outcome of a write found to have taken effect after an unclear failure."""

    value: T


class Transient(Exception):
    """A failure worth another try (internal: never leaves a session).

    ``ambiguous`` is true when the call may have reached ANTS and taken effect.
    """

    def __init__(self, reason: str, *, ambiguous: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ambiguous = ambiguous
        self.retry_after = retry_after


def transient_from_transport(exc: httpx.TransportError) -> Transient:
    """A transport failure as a :class:`Transient`: did the request possibly leave?"""
    never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    return Transient(
        f"{type(exc).__name__}: the connection to ANTS failed or timed out",
        ambiguous=not never_sent,
    )


def transient_from_status(response: httpx.Response) -> Transient:
    """A 429 or 5xx answer as a :class:`Transient` (429 and 503 were not processed)."""
    retry_after = _retry_after(response.headers.get("Retry-After"))
    return Transient(
        f"ANTS answered HTTP {response.status_code}",
        ambiguous=response.status_code not in {429, 503},
        retry_after=retry_after,
    )


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def should_retry(call: Call, exc: BaseException) -> bool:
    """Retry a transient failure, unless the call is an unsafe write that may have happened."""
    if not isinstance(exc, Transient):
        return False
    return call.safety is not Safety.UNSAFE or not exc.ambiguous


def backoff(policy: RetryPolicy, attempt: int, exc: BaseException | None, random: float) -> float:
    """Seconds to wait before try ``attempt + 1``: exponential, jittered, ``Retry-After`` aware."""
    if isinstance(exc, Transient) and exc.retry_after is not None:
        return min(exc.retry_after, policy.max_backoff)
    base = policy.initial_backoff * (2.0 ** (attempt - 1))
    return min(base + policy.jitter * random * policy.initial_backoff, policy.max_backoff)


def unavailable(call: Call, exc: Transient, attempts: int, ambiguous: bool) -> AntsUnavailable:
    """The error a caller sees when the tries are spent."""
    may = ambiguous and call.safety is not Safety.READ
    if not may:
        effect = "it did not take effect"
        effect_fr = "la demande n'a pas été prise en compte"
    elif call.safety is Safety.IDEMPOTENT:
        effect = "it may have taken effect; doing it again is safe (ANTS applies it once)"
        effect_fr = "l'action a peut-être été prise en compte ; vous pouvez la relancer"
    else:
        effect = "it may have taken effect: refresh the request before doing it again"
        effect_fr = (
            "l'action a peut-être été prise en compte : mettez à jour la demande avant de la "
            "relancer"
        )
    return AntsUnavailable(
        f"{call.describe()} failed after {attempts} attempt(s) ({exc.reason}); {effect}",
        may_have_taken_effect=may,
        attempts=attempts,
        message_fr=f"La page ne répond pas : le site de l'ANTS n'a pas répondu après "
        f"{attempts} tentative(s) ; {effect_fr}.",
    )


def log_call(call: Call, status: int | str, elapsed: float, attempt: int) -> None:
    """One line per call: method, path, status, time, attempt — never a header or a body."""
    logger.info(
        "%s -> %s in %.0f ms (attempt %d)", call.describe(), status, elapsed * 1000, attempt
    )


# --- uploads --------------------------------------------------------------------------------


def prepare_upload(
    kind: DocumentKind,
    source: str | os.PathLike[str] | IO[bytes] | StudentDocument,
    *,
    comment: str | None,
) -> tuple[Upload, FileInfo]:
    """Every local check of a file for ``kind``, then an :class:`Upload` that streams it.

    The pages are checked against the kind's maximum alone; :func:`check_pages_sent` adds
    the pages the request already holds once they are known.
    """
    check_comment(comment)
    if isinstance(source, StudentDocument):
        if source.path is not None:
            info = inspect_file(source.path, name=source.name)
            upload = path_upload(
                source.path, media_type=info.media_type, comment=comment, name=source.name
            )
        else:
            stream = io.BytesIO(source.content or b"")
            info = inspect_file(stream, name=source.name)
            upload = stream_upload(
                stream, name=source.name, media_type=info.media_type, comment=comment
            )
    elif isinstance(source, str | os.PathLike):
        info = inspect_file(source)
        upload = path_upload(source, media_type=info.media_type, comment=comment)
    else:
        info = inspect_file(source)
        upload = stream_upload(source, name=info.name, media_type=info.media_type, comment=comment)
    check_pages(kind, info.pages, name=info.name)
    return upload, info


def check_pages_sent(kind: DocumentKind, info: FileInfo, slots: Iterable[AttachmentSlot]) -> None:
    """The pages of ``info`` together with those already sent for ``kind``."""
    sent = next((s.pages for s in slots if s.kind is kind), 0)
    check_pages(kind, info.pages, pages_already_sent=sent, name=info.name)


# --- downloads ------------------------------------------------------------------------------

_UNSAFE_CHARS: Final = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
)
_MAX_NAME: Final = 150


def filename_from_headers(headers: Mapping[str, str]) -> str | None:
    """The file name a ``Content-Disposition`` header proposes (``filename*`` first)."""
    value = headers.get("content-disposition")
    if not value:
        return None
    message = Message()
    message["content-disposition"] = value
    name = message.get_filename()
    return str(name) if name else None


def safe_filename(proposed: str | None, default: str) -> str:
    """A file name that cannot leave its directory nor break a file system.

    Only the last path component is kept; control and reserved characters are replaced;
    leading dots and trailing dots or spaces go; Windows device names get a prefix.
    """
    text = unicodedata.normalize("NFC", proposed or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _UNSAFE_CHARS.sub("_", text).strip().lstrip(".").rstrip(". ")
    if not text or set(text) <= {"_"}:
        text = default
    stem, dot, suffix = text.rpartition(".")
    if (dot and stem.upper() in _RESERVED) or (not dot and text.upper() in _RESERVED):
        text = f"_{text}"
    if len(text) > _MAX_NAME:
        keep = suffix[:10] if dot else ""
        text = text[: _MAX_NAME - len(keep) - 1] + ("." + keep if keep else "")
    return text


def atomic_target(directory: str | os.PathLike[str], name: str) -> tuple[Path, IO[bytes]]:
    """A free final path inside ``directory`` and an open temporary file beside it.

    The caller writes the temporary file, then moves it onto the final path with
    :func:`finish_download` — or :func:`abandon_download` on failure: no partial file is
    ever left under the final name.
    """
    final = free_path(directory, name)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by finish/abandon
        dir=final.parent, prefix=".antsclient-", suffix=".part", delete=False
    )
    return final, handle


def free_path(directory: str | os.PathLike[str], name: str) -> Path:
    """``directory/name``, or ``name (1)``, ``name (2)``… if taken; never outside ``directory``."""
    folder = Path(directory).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / name
    stem, suffix = final.stem, final.suffix
    n = 1
    while final.exists():
        final = folder / f"{stem} ({n}){suffix}"
        n += 1
    if final.parent != folder:
        msg = f"refusing to write outside {folder}: {name!r}"
        raise ValueError(msg)
    return final


def finish_download(handle: IO[bytes], final: Path) -> Path:
    """Close the temporary file and move it onto ``final`` (atomically)."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(handle.name, final)
    return final


def abandon_download(handle: IO[bytes]) -> None:
    """Close and remove the temporary file of a failed download."""
    handle.close()
    Path(handle.name).unlink(missing_ok=True)


# --- checks before any I/O ------------------------------------------------------------------


def check_action(
    action: Action, status: RequestStatus | None, rights: frozenset[Right] | None
) -> None:
    """Rights first, then the lifecycle table (when the status is known)."""
    ensure_right(action, rights)
    if status is not None:
        ensure_allowed(action, status)


def ensure_linked(request: OnlineRequest) -> None:
    """Prefecture documents are offered only for a request linked to a student."""
    if request.linked:
        return
    raise ActionNotAllowed(
        f"request {request.number} is not linked to a student: link it first",
        code="request_not_linked",
        action=Action.DOWNLOAD_DOCUMENTS.value,
        status=request.status.value,
        rule="prefecture documents are offered only for linked requests",
        message_fr="Les documents de la préfecture ne sont disponibles que pour une demande "
        "reliée à un élève : reliez d'abord la demande.",
    )


def agency_problems(credentials: Credentials) -> list[FieldProblem]:
    """Préfecture incorrecte: a request is sent only by an agency whose prefecture is set."""
    if credentials.prefecture and credentials.prefecture.strip():
        return []
    return [
        FieldProblem(
            field="credentials.prefecture",
            code="prefecture.missing",
            message="the agency's prefecture is not set: set it in the agency's credentials",
            message_fr="Préfecture incorrecte : le nom de la préfecture doit être renseigné "
            "dans l'Espace Dirigeant.",
        )
    ]


def geo_problems(report: GeoReport, confirmed: Iterable[str]) -> list[FieldProblem]:
    """The geo check's fields that still need the user, as :class:`FieldProblem`s."""
    from antsclient.geo import CheckStatus  # noqa: PLC0415

    confirmed_set = set(confirmed)
    problems = []
    for field in report.problems:
        if field.status is CheckStatus.CORRECTED or field.path in confirmed_set:
            continue
        kind = field.path.rsplit(".", 1)[-1]
        code = (
            "department.incorrect"
            if "department" in kind
            else "country.incorrect"
            if "country" in kind
            else "city.incorrect"
        )
        detail = " ; ".join(field.messages) or field.label
        problems.append(
            FieldProblem(
                field=field.path,
                code=code,
                message=f"{field.path} {field.before!r} does not conform to the ANTS "
                f"referential ({field.status.value.lower()}); choose a suggestion or confirm "
                "the value",
                message_fr=f"{field.label} : « {field.before or ''} » — {detail}",
                suggestions=tuple(field.suggestions),
            )
        )
    return problems


@functools.cache
def _default_tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def tls_context(base_url: str) -> ssl.SSLContext:
    """The TLS context for a server: one verifying context shared by every session (building
    one costs 100 ms or more), or, for a plain-HTTP server such as a sandbox on loopback, an
    empty one that trusts no certificate and is never used."""
    if base_url.lower().startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return _default_tls_context()


def utcnow() -> dt.datetime:
    """Now, aware, in UTC."""
    return dt.datetime.now(dt.UTC)
