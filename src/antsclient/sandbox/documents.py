"""Les documents de la préfecture: what ANTS offers to download for a linked request.

Which documents are available follows the request's status and application (the receipt once
filed, the medical opinion when one is required, the certificates once accepted, …); each is
a real one-page PDF naming the document and the request.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from antsclient.attachments import required_kinds
from antsclient.lifecycle import Action, check
from antsclient.models.application import Cerfa02
from antsclient.models.documents import PrefectureDocument
from antsclient.models.enums import Cerfa, DocumentKind, PrefectureDocumentKind, RequestStatus
from antsclient.sandbox import assets
from antsclient.sandbox.errors import SandboxError
from antsclient.sandbox.ledger import Ledger
from antsclient.sandbox.records import Agency, RequestRecord

__all__ = ["MANDATE_SCHOOL_DOCUMENTS", "Documents", "available_documents"]

MANDATE_SCHOOL_DOCUMENTS: Final = frozenset(
    {
        PrefectureDocumentKind.REGISTRATION_DEPOSIT_CERTIFICATE,
        PrefectureDocumentKind.REGISTRATION_FACSIMILE,
    }
)
"""Under a paper mandate only the school receives the deposit receipt (récépissé de dépôt)
and the registration certificate (attestation d'inscription / fac-similé): ANTS « mandat
papier » FAQ and the Rhône prefecture's notice, verified."""


def available_documents(record: RequestRecord, today: dt.date) -> set[PrefectureDocumentKind]:
    """The documents ANTS offers for the request now (none while it is not linked)."""
    if record.student_id is None:
        return set()
    k = PrefectureDocumentKind
    status = record.status
    model = record.model()
    kinds: set[PrefectureDocumentKind] = set()
    if record.cerfa is Cerfa.C02 and "02" not in record.ephoto:
        kinds.add(k.PHOTO_SIGNATURE_FORM)
    if status is not RequestStatus.DRAFT:
        kinds.add(k.REQUEST_RECEIPT)
    if DocumentKind.MEDICAL_OPINION in required_kinds(model, on=today):
        kinds.add(k.MEDICAL_OPINION)
    if status in {RequestStatus.READY_FOR_CERFA06, RequestStatus.ACCEPTED}:
        kinds |= {k.REGISTRATION_DEPOSIT_CERTIFICATE, k.REGISTRATION_FACSIMILE}
    if record.paper_mandate and status is not RequestStatus.DRAFT:
        # The student has no ANTS account: the school receives the deposit receipt as soon
        # as the request is filed.
        kinds.add(k.REGISTRATION_DEPOSIT_CERTIFICATE)
    if status is RequestStatus.ACCEPTED:
        kinds.add(k.DRIVING_RIGHTS_CERTIFICATE)
    if isinstance(model, Cerfa02) and model.after_cancellation:
        kinds |= {k.CANCELLATION_STATEMENT, k.INVALIDATION_STATEMENT}
    return kinds


class Documents:
    """The prefecture documents of the requests: the list, and each as a PDF."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def documents(self, agency: Agency, number: str) -> list[PrefectureDocument]:
        """The prefecture documents of a linked request (an unlinked one is refused, as the
        client refuses it: :func:`antsclient.lifecycle.check`)."""
        with self.ledger.read():
            record = self.ledger.record(agency, number)
            check(Action.DOWNLOAD_DOCUMENTS, record.status, linked=record.student_id is not None)
            available = available_documents(record, self.ledger.clock.now().date())
            school_only = MANDATE_SCHOOL_DOCUMENTS if record.paper_mandate else frozenset()
            return [
                PrefectureDocument(
                    kind=kind,
                    label=kind.label,
                    available=kind in available,
                    school_only=kind in school_only,
                )
                for kind in PrefectureDocumentKind
            ]

    def document(
        self, agency: Agency, number: str, kind: PrefectureDocumentKind
    ) -> tuple[str, bytes]:
        """A prefecture document as ``(filename, PDF bytes)``."""
        with self.ledger.read():
            record = self.ledger.record(agency, number)
            check(Action.DOWNLOAD_DOCUMENTS, record.status, linked=record.student_id is not None)
            if kind not in available_documents(record, self.ledger.clock.now().date()):
                raise SandboxError(
                    f"document {kind.value!r} is not available for request {number}",
                    code="document_not_found",
                    message_fr=f"Le document « {kind.label} » n'est pas disponible pour cette "
                    "demande.",
                    status=404,
                )
            lines = [
                f"Demande n° {record.number}",
                f"Élève : {record.applicant_name or ''}",
                f"Statut : {record.status.label}",
            ]
            if record.neph:
                lines.append(f"N° NEPH : {record.neph}")
            return f"{kind.value}-{record.number}.pdf", assets.pdf(kind.label, lines)
