"""Supporting documents (pièces justificatives): which kinds a request needs, and the file checks.

Every check runs locally, before anything is sent, with the same limits the sandbox enforces:

* **11 MB per file**, read as 11,000,000 bytes. The manual says « 11 Mo » without saying
  which megabyte; the decimal one is the stricter reading, so a file accepted here is
  accepted whichever one ANTS applies.
* the type is sniffed from the content (PDF, JPEG, PNG): the file name's extension is not
  trusted;
* pages are counted (a PDF's real page count; an image is one page) against the kind's
  maximum, together with the pages already sent for that kind;
* a comment holds at most 80 characters.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, Final

import attrs

from antsclient import _pdf
from antsclient._text import fold
from antsclient.errors import AttachmentRejected
from antsclient.models.application import Application, Cerfa02, Cerfa06
from antsclient.models.enums import (
    DOCUMENT_SPECS,
    DocumentKind,
    LicenceCategory,
    RequestType,
    Requirement,
    Training,
)
from antsclient.models.request_types import PREREQUISITES, REQUEST_TYPES

__all__ = [
    "MAX_COMMENT_LENGTH",
    "MAX_FILE_SIZE",
    "FileInfo",
    "check_comment",
    "check_upload",
    "count_pages",
    "inspect_file",
    "offered_kinds",
    "required_kinds",
    "sniff_media_type",
]

MAX_FILE_SIZE: Final = 11_000_000
"""Largest file ANTS takes, in bytes (« 11 Mo maximum »: the decimal megabyte, the stricter)."""

MAX_COMMENT_LENGTH: Final = 80
"""Longest user comment on a document (« Commentaires de l'utilisateur »)."""

PDF: Final = "application/pdf"
JPEG: Final = "image/jpeg"
PNG: Final = "image/png"

_SIGNATURES: Final = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_HEAD_SIZE: Final = 1024

FileSource = str | os.PathLike[str] | IO[bytes] | bytes | bytearray
"""A file to check or send: a path, an open binary stream, or the file's content as bytes
(as a web host holds an upload; bytes are always content, never a path)."""

_EXTENSIONS: Final = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}


@attrs.frozen(kw_only=True, slots=True)
class FileInfo:
    """What the local checks learnt of a file: name, size in bytes, media type, pages."""

    name: str
    size: int
    media_type: str
    pages: int


def sniff_media_type(head: bytes) -> str | None:
    """The media type the first bytes of a file show (PDF, JPEG or PNG), or ``None``.

    A PDF may start with a little junk before ``%PDF-``: the first kilobyte is searched.
    """
    for signature, media_type in _SIGNATURES:
        if head.startswith(signature):
            return media_type
    if b"%PDF-" in head[:_HEAD_SIZE]:
        return PDF
    return None


def count_pages(stream: IO[bytes], media_type: str, *, name: str = "document") -> int:
    """Pages of a document: a PDF's real page count; an image is one page. ``name`` is the
    file's, for the message of a PDF that cannot be read.

    A PDF is read by pypdf when it is installed (the ``pdf`` extra: it repairs damaged
    files as viewers do), else by antsclient's own reader of the page tree
    (:mod:`antsclient._pdf`, the standard library alone).
    """
    if media_type != PDF:
        return 1
    reader = _pypdf_reader()
    if reader is None:
        return _own_count(stream, name)
    from pypdf.errors import PdfReadError  # noqa: PLC0415

    try:
        pdf = reader(stream)
        encrypted = pdf.is_encrypted
        pages = 0 if encrypted else len(pdf.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise _unreadable(name, f"the PDF cannot be read ({type(exc).__name__})") from exc
    except Exception as exc:
        raise _unreadable(name, f"the PDF cannot be read ({type(exc).__name__})") from None
    if encrypted:
        raise _unreadable(name, "the PDF is encrypted")
    return pages


@functools.cache
def _pypdf_reader() -> Any:
    """pypdf's ``PdfReader`` (heavy: loaded with the first PDF), or ``None`` when pypdf is
    not installed."""
    try:
        from pypdf import PdfReader  # noqa: PLC0415
    except ImportError:
        return None
    return PdfReader


def _own_count(stream: IO[bytes], name: str) -> int:
    """The page count read by :func:`antsclient._pdf.page_count`."""
    try:
        return _pdf.page_count(stream.read())
    except _pdf.PdfEncrypted:
        raise _unreadable(name, "the PDF is encrypted") from None
    except _pdf.PdfUnreadable as exc:
        raise _unreadable(name, f"the PDF cannot be read ({exc})") from exc


def _unreadable(name: str, why: str) -> AttachmentRejected:
    return AttachmentRejected(
        f"{name!r}: {why}",
        code="attachment.unreadable",
        message_fr=f"Le fichier « {name} » est illisible ou protégé par un mot de passe. "
        "Envoyez un PDF, un JPEG ou un PNG lisible.",
        field="file",
    )


def _size_of(stream: IO[bytes]) -> int:
    start = stream.tell()
    end = stream.seek(0, io.SEEK_END)
    stream.seek(start)
    return end - start


def _not_found(path: Path, exc: OSError) -> AttachmentRejected:
    """The error of a path that names no readable file."""
    if isinstance(exc, FileNotFoundError):
        code, why, why_fr = "attachment.not_found", "there is no such file", "est introuvable"
    elif isinstance(exc, IsADirectoryError):
        code, why, why_fr = "attachment.not_a_file", "it is a folder", "est un dossier"
    else:
        code = "attachment.not_readable"
        why = f"it cannot be read ({type(exc).__name__})"
        why_fr = "ne peut pas être lu (accès refusé ?)"
    return AttachmentRejected(
        f"{str(path)!r}: {why}",
        code=code,
        message_fr=f"Le fichier « {path} » {why_fr}. Vérifiez son emplacement.",
        field="file",
    )


def inspect_file(source: FileSource, *, name: str | None = None) -> FileInfo:
    """Size, sniffed media type and page count of a file: a path, an open binary stream or
    its content as bytes.

    The size comes from ``stat`` (or seeking), never from reading the whole file; a stream is
    left at the position it was given at. ``name`` names the file in messages and when sent
    (by default the path's or the stream's name; ``document.pdf`` for bytes). Raises
    :class:`AttachmentRejected` for a missing, empty, oversized, unsupported or unreadable
    file, naming it.
    """
    if isinstance(source, bytes | bytearray):
        return _inspect_stream(io.BytesIO(bytes(source)), name, len(source))
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            with path.open("rb") as stream:
                return _inspect_stream(stream, name or path.name, os.fstat(stream.fileno()).st_size)
        except OSError as exc:
            raise _not_found(path, exc) from exc
    try:
        start = source.tell()
        size = _size_of(source)
    except (OSError, ValueError, AttributeError) as exc:  # a pipe, a closed stream, no stream
        raise AttachmentRejected(
            f"{name or _stream_name(source) or 'the stream'!r} cannot be measured "
            f"({type(exc).__name__}): give a file, its path or its content as bytes",
            code="attachment.not_seekable",
            message_fr="Le fichier ne peut pas être lu : envoyez un fichier enregistré.",
            field="file",
        ) from None
    try:
        return _inspect_stream(source, name or _stream_name(source), size)
    finally:
        source.seek(start)


def _stream_name(stream: IO[bytes]) -> str | None:
    raw = getattr(stream, "name", None)
    return Path(raw).name if isinstance(raw, str) else None


def _inspect_stream(stream: IO[bytes], given: str | None, size: int) -> FileInfo:
    name = given or "document"
    if size == 0:
        raise AttachmentRejected(
            f"{name!r} is empty",
            code="attachment.empty",
            message_fr=f"Le fichier « {name} » est vide.",
            field="file",
        )
    if size > MAX_FILE_SIZE:
        raise AttachmentRejected(
            f"{name!r} is {size:,} bytes; ANTS takes at most {MAX_FILE_SIZE:,} bytes (11 MB) "
            "per file: reduce its size or split it",
            code="attachment.too_large",
            message_fr=f"Le fichier « {name} » dépasse la taille maximale de 11 Mo "
            f"({size:,} octets pour {MAX_FILE_SIZE:,} au maximum). Réduisez sa taille ou "
            "scannez-le en plusieurs fichiers.".replace(",", " "),
            field="file",
        )
    start = stream.tell()
    head = stream.read(_HEAD_SIZE)
    stream.seek(start)
    media_type = sniff_media_type(head)
    if media_type is None:
        raise AttachmentRejected(
            f"{name!r} is neither a PDF, a JPEG nor a PNG (its content says so, whatever its "
            "extension)",
            code="attachment.unsupported_type",
            message_fr=f"Le fichier « {name} » n'est ni un PDF, ni une image JPEG ou PNG.",
            field="file",
        )
    name = given or f"document{_EXTENSIONS[media_type]}"
    pages = count_pages(stream, media_type, name=name)
    stream.seek(start)
    if pages == 0:
        raise AttachmentRejected(
            f"{name!r} is a PDF without any page",
            code="attachment.empty",
            message_fr=f"Le fichier « {name} » ne contient aucune page.",
            field="file",
        )
    return FileInfo(name=name, size=size, media_type=media_type, pages=pages)


def check_comment(comment: str | None, kind: DocumentKind | None = None) -> None:
    """Raise :class:`AttachmentRejected` if the comment exceeds 80 characters, or if
    ``kind`` takes no comment (« pour certaines pièces »: :data:`DOCUMENT_SPECS`)."""
    if kind is not None and comment and not kind.comment_allowed:
        raise AttachmentRejected(
            f"{kind.label!r} takes no comment",
            code="attachment.comment_not_allowed",
            kind=kind.value,
            message_fr=f"« {kind.label} » n'accepte pas de commentaire : laissez-le vide.",
            field="comment",
        )
    if comment is not None and len(comment) > MAX_COMMENT_LENGTH:
        raise AttachmentRejected(
            f"the comment has {len(comment)} characters; at most {MAX_COMMENT_LENGTH} are allowed",
            code="attachment.comment_too_long",
            message_fr=f"Le commentaire contient {len(comment)} caractères : "
            f"{MAX_COMMENT_LENGTH} au maximum.",
            field="comment",
        )


def check_upload(
    kind: DocumentKind,
    source: FileSource,
    *,
    pages_already_sent: int = 0,
    comment: str | None = None,
    name: str | None = None,
) -> FileInfo:
    """Every local check of one file for ``kind``: comment, size, type and pages.

    ``pages_already_sent`` counts the pages the kind already holds on the request.
    """
    check_comment(comment, kind)
    info = inspect_file(source, name=name)
    check_pages(kind, info.pages, pages_already_sent=pages_already_sent, name=info.name)
    return info


def check_pages(
    kind: DocumentKind, pages: int, *, pages_already_sent: int | None = 0, name: str = "document"
) -> None:
    """Raise :class:`AttachmentRejected` if the pages would exceed the kind's maximum.

    ``pages_already_sent`` counts the pages the kind already holds on the request; ``None``
    when it is not known yet (the file is then checked alone, and the message says nothing
    of pages already sent).
    """
    sent = pages_already_sent or 0
    total = sent + pages
    if total <= kind.max_pages:
        return
    if pages_already_sent is None:
        message = f"{kind.label!r} takes at most {kind.max_pages} page(s); {name!r} has {pages}"
        already_fr = ""
    else:
        message = (
            f"{kind.label!r} takes at most {kind.max_pages} page(s); {sent} already sent + "
            f"{pages} in {name!r} = {total}"
        )
        already_fr = f"{sent} déjà envoyée(s), "
    raise AttachmentRejected(
        message,
        code="attachment.too_many_pages",
        kind=kind.value,
        message_fr=f"« {kind.label} » : {kind.max_pages} page(s) au maximum. "
        f"{already_fr}{pages} dans « {name} ». Supprimez des pages"
        + (" ou un fichier déjà envoyé." if sent else "."),
        field="file",
    )


_YOUNG_DRIVER_AGE: Final = 21
_DE_FULL_AGE: Final = 24
_MAJORITY: Final = 18
_CENSUS_AGES: Final = range(16, 25)
_RECENT_LICENCE: Final = 5


def _health_or_heavy(application: Application, _age: int) -> bool:
    if not isinstance(application, Cerfa02):
        return False
    declarations = application.declarations
    return (
        declarations.affection_or_handicap
        or declarations.invalidity_pension
        or application.after_cancellation
        or any(c.is_heavy for c in application.categories)
    )


def _first_category_young(application: Application, age: int) -> bool:
    if application.request_type is RequestType.TITLE_AFTER_TRAINING:
        return isinstance(application, Cerfa06) and application.training is Training.AM
    return isinstance(application, Cerfa02) and age < _YOUNG_DRIVER_AGE and not _held(application)


def _training(application: Application, _age: int) -> bool:
    if application.request_type is RequestType.TITLE_AFTER_TRAINING:
        return True
    return LicenceCategory.A in application.categories and LicenceCategory.A2 in _held(application)


def _french_16_to_25(application: Application, age: int) -> bool:
    nationality = fold(application.applicant.nationality or "", upper=True)
    return (
        application.request_type is RequestType.EXAM_REGISTRATION
        and nationality in {"FRANCE", "FRANCAISE", "FRANCAIS", "FR"}
        and age in _CENSUS_AGES
    )


def _licence_held(application: Application, day: dt.date) -> bool:
    previous = application.previous_licence
    if previous is None or not previous.categories:
        return False
    if application.request_type is RequestType.TITLE_AFTER_TRAINING:
        return True
    if any(c in PREREQUISITES for c in application.categories):
        return True
    obtained = previous.last_obtained_on
    years = (day.year - obtained.year, day.month, day.day)
    return years < (_RECENT_LICENCE, obtained.month, obtained.day)


def _held(application: Application) -> frozenset[LicenceCategory]:
    previous = application.previous_licence
    return previous.categories if previous else frozenset()


_RULES: Final[dict[Requirement, Callable[[Application, int], bool]]] = {
    Requirement.ALWAYS: lambda _app, _age: True,
    Requirement.HEALTH_OR_HEAVY: _health_or_heavy,
    Requirement.AFTER_CANCELLATION: lambda app, _age: (
        isinstance(app, Cerfa02) and app.after_cancellation
    ),
    Requirement.FIRST_CATEGORY_UNDER_21: _first_category_young,
    Requirement.MILITARY_LICENCE: lambda app, _age: (
        isinstance(app, Cerfa02) and app.military_licence
    ),
    Requirement.TRAINING: _training,
    Requirement.D_BEFORE_24: lambda app, age: (
        bool(app.categories & {LicenceCategory.D, LicenceCategory.DE}) and age < _DE_FULL_AGE
    ),
    Requirement.FRENCH_16_TO_25: _french_16_to_25,
    Requirement.HOSTED: lambda app, _age: app.applicant.hosted,
    Requirement.MINOR_WITH_REPRESENTATIVE: lambda _app, age: age < _MAJORITY,
}
"""How each :class:`Requirement` of the document table is decided (the licence held, which
needs the day, is decided apart)."""


def required_kinds(
    application: Application, *, on: dt.date | None = None
) -> frozenset[DocumentKind]:
    """The document kinds ANTS requires for ``application`` (the « Requis » column).

    Each kind's rule is its row of :data:`antsclient.models.DOCUMENT_SPECS`:

    * always an identity document and a proof of address;
    * a medical opinion (avis médical) for an affection or handicap, an invalidity pension,
      a heavy category (C or D groups) or a return after cancellation;
    * the cancellation judgment after a cancellation or invalidation;
    * the ASSR 2 or ASR under 21 for a first category, and for AM after a training;
    * the military licence proof for its conversion;
    * the training certificate for A by progressive access (A2 held) and for every title
      request after a training;
    * the commitment to follow the FIMO for D or DE before 24;
    * the census or JDC certificate for a French student of 16 to 25 registering for the
      exam (``applicant.nationality`` « FRANCE »);
    * the host's attestation and identity for a student housed by someone else
      (``applicant.hosted``);
    * the legal representative's identity for a minor;
    * a copy of the licence held when a category requested needs one held, when it is less
      than five years old, or for a title after a training.
    """
    day = on or dt.date.today()
    age = application.applicant.age_on(day)
    met = {requirement for requirement, rule in _RULES.items() if rule(application, age)}
    if _licence_held(application, day):
        met.add(Requirement.LICENCE_HELD)
    return frozenset(kind for kind, spec in DOCUMENT_SPECS.items() if spec.required_when in met)


def offered_kinds(
    application: Application, *, on: dt.date | None = None
) -> tuple[DocumentKind, ...]:
    """The document kinds a request shows (its slots), in the table's order: those its
    request type takes (:data:`antsclient.models.REQUEST_TYPES`) and any required one."""
    offered = REQUEST_TYPES[application.request_type].documents | required_kinds(application, on=on)
    return tuple(kind for kind in DocumentKind if kind in offered)


def pages_sent(files: Iterable[FileInfo]) -> int:
    """Total pages of the files already sent for a kind."""
    return sum(f.pages for f in files)
