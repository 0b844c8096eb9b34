"""What the sandbox keeps: agencies, requests with their files and ePhoto codes, idempotency.

Mutable attrs classes, held by the ledger (:mod:`antsclient.sandbox.ledger`) under its lock
and saved as JSON (the project's converter) by :mod:`antsclient.sandbox.journal`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from antsclient._text import fold
from antsclient.codec import read_application
from antsclient.models.application import Application
from antsclient.models.documents import AttachmentFile
from antsclient.models.enums import Cerfa, DocumentKind, RequestStatus, RequestType
from antsclient.models.request import OnlineRequest

__all__ = [
    "Agency",
    "IdempotencyEntry",
    "Person",
    "RequestRecord",
    "StatusChange",
    "StoredFile",
    "person_of",
]

Person = tuple[str, str, str, str]
"""Who a request is for, as ANTS recognises a person: folded last and first names, birth
date (ISO) and folded birth city."""


def person_of(applicant: Any) -> Person | None:
    """The :data:`Person` of an applicant's data (a mapping of the converter's keys)."""
    if not isinstance(applicant, dict):
        return None
    parts = [
        str(applicant.get(k) or "") for k in ("last_name", "first_name", "birth_date", "birth_city")
    ]
    if not all(parts):
        return None
    last, first, born, city = parts
    return fold(last), fold(first), born, fold(city)


_REQUEST_TYPES = frozenset(t.value for t in RequestType)


@attrs.define(kw_only=True)
class Agency:
    """Une agence (auto-école) with its ANTS credentials, prefecture and postal code."""

    agreement: str
    login: str
    password: str = attrs.field(repr=False)
    prefecture: str | None = None
    postal_code: str | None = None
    name: str = ""


@attrs.define(kw_only=True)
class StoredFile:
    """A supporting-document file as received."""

    file_id: str
    kind: DocumentKind
    name: str
    pages: int
    size: int
    media_type: str
    content: bytes = attrs.field(repr=False)
    comment: str | None = None

    def attachment(self) -> AttachmentFile:
        """The file as the protocol shows it, without its bytes."""
        return AttachmentFile(
            file_id=self.file_id,
            name=self.name,
            pages=self.pages,
            size=self.size,
            media_type=self.media_type,
            comment=self.comment,
        )


@attrs.frozen(kw_only=True)
class StatusChange:
    """Une étape de l'historique: the status a request moved to, when, and why (the
    prefecture's reason for a complement or a rejection)."""

    at: dt.datetime
    status: RequestStatus
    note: str | None = None


@attrs.define(kw_only=True)
class RequestRecord:
    """One agency's view of a request.

    ``application`` is the converter's data of the Cerfa 02 / Cerfa 06. ``copy`` marks the
    previous agency's read-only copy of a transferred request (status ``transferred``).
    ``ephoto`` maps a cerfa value (``"02"``, ``"06"``) to the ePhoto code set for it.
    ``history`` lists the status changes since it was filed (its first status is at
    ``created``).
    """

    number: str
    agreement: str
    cerfa: Cerfa
    status: RequestStatus
    created: dt.datetime
    modified: dt.datetime
    application: dict[str, Any]
    transferred: bool = False
    neph: str | None = None
    student_id: str | None = None
    validated_at: dt.datetime | None = None
    paper_mandate: bool = False
    copy: bool = False
    files: list[StoredFile] = attrs.Factory(list)
    ephoto: dict[str, str] = attrs.Factory(dict)
    history: list[StatusChange] = attrs.Factory(list)

    @property
    def key(self) -> str:
        """Storage key: agreement and number."""
        return f"{self.agreement}/{self.number}"

    @property
    def email(self) -> str | None:
        """The student's email, as held in the application."""
        email = self.application.get("applicant", {}).get("email")
        return str(email) if email else None

    @property
    def phone(self) -> str | None:
        """The student's phone, as held in the application (ANTS's SMS go there)."""
        phone = self.application.get("applicant", {}).get("phone")
        return str(phone) if phone else None

    @property
    def request_type(self) -> RequestType:
        """The request type the application holds (its cerfa's usual one if none)."""
        value = self.application.get("request_type")
        if value in _REQUEST_TYPES:
            return RequestType(value)
        return (
            RequestType.EXAM_REGISTRATION
            if self.cerfa is Cerfa.C02
            else RequestType.TITLE_AFTER_EXAM
        )

    @property
    def paper_mandate_date(self) -> dt.date | None:
        """The day the paper mandate was signed, as held in the application."""
        value = self.application.get("paper_mandate_date")
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else None

    @property
    def person(self) -> Person | None:
        """Who the request is for (names, birth date and city), as ANTS compares people."""
        return person_of(self.application.get("applicant"))

    @property
    def applicant_name(self) -> str | None:
        """NOM Prénom of the student."""
        applicant = self.application.get("applicant") or {}
        last = str(applicant.get("last_name") or "").upper()
        first = str(applicant.get("first_name") or "")
        return f"{last} {first}".strip() or None

    def model(self) -> Application:
        """The Cerfa 02 or Cerfa 06 the application data holds."""
        return read_application(self.application, self.cerfa, strict=False)

    def online(self) -> OnlineRequest:
        """The request as the protocol shows it (une demande en ligne)."""
        return OnlineRequest(
            number=self.number,
            cerfa=self.cerfa,
            status=self.status,
            status_label=self.status.label,
            type_label=self.cerfa.label,
            created=self.created,
            modified=self.modified,
            transferred=self.transferred,
            neph=self.neph,
            student_id=self.student_id,
            applicant_name=self.applicant_name,
            email=self.email,
            validated_at=self.validated_at,
            request_type=self.request_type,
            paper_mandate=self.paper_mandate,
            paper_mandate_date=self.paper_mandate_date if self.paper_mandate else None,
            phone=self.phone,
        )


@attrs.define(kw_only=True)
class IdempotencyEntry:
    """What an Idempotency-Key already produced: the body's fingerprint and the result."""

    fingerprint: str
    number: str
    file_id: str | None = None
