"""Enumerations of the domain, each member with its French label as users know it."""

from __future__ import annotations

import enum
from typing import Final

from antsclient._text import fold

__all__ = [
    "Bucket",
    "Cerfa",
    "DocumentKind",
    "LicenceCategory",
    "ObtainedBy",
    "PrefectureDecision",
    "PrefectureDocumentKind",
    "RequestStatus",
    "Right",
    "Sex",
    "TrainingMode",
]


class Cerfa(enum.StrEnum):
    """Type de demande: Cerfa 02 (inscription au permis) or Cerfa 06 (demande de titre)."""

    C02 = "02"
    C06 = "06"

    @property
    def number(self) -> str:
        """The official form number (14866*01 for Cerfa 02, 14948*01 for Cerfa 06)."""
        return _CERFA_NUMBERS[self]

    @property
    def label(self) -> str:
        """French label of the request type."""
        return _CERFA_LABELS[self]


_CERFA_NUMBERS: Final = {Cerfa.C02: "14866*01", Cerfa.C06: "14948*01"}
_CERFA_LABELS: Final = {
    Cerfa.C02: "Demande d'inscription au permis de conduire (Cerfa 02)",
    Cerfa.C06: "Demande de titre (Cerfa 06)",
}


class LicenceCategory(enum.StrEnum):
    """Catégorie de permis de conduire."""

    AM = "AM"
    A1 = "A1"
    A2 = "A2"
    A = "A"
    B1 = "B1"
    B = "B"
    BE = "BE"
    C1 = "C1"
    C1E = "C1E"
    C = "C"
    CE = "CE"
    D1 = "D1"
    D1E = "D1E"
    D = "D"
    DE = "DE"

    @property
    def is_heavy(self) -> bool:
        """Poids lourd ou transport en commun (groups C and D): a medical opinion is needed."""
        return self.value[0] in "CD"


class Sex(enum.StrEnum):
    """Sexe du candidat."""

    MALE = "M"
    FEMALE = "F"


class ObtainedBy(enum.StrEnum):
    """Mode d'obtention de la dernière catégorie: par examen or par échange."""

    EXAM = "exam"
    EXCHANGE = "exchange"

    @property
    def label(self) -> str:
        return "Par examen" if self is ObtainedBy.EXAM else "Par échange"


class TrainingMode(enum.StrEnum):
    """Le candidat a choisi: the training mode."""

    TRADITIONAL = "traditional"
    AAC = "aac"
    SUPERVISED = "supervised"
    SUPERVISED_PROFESSIONAL = "supervised_professional"

    @property
    def label(self) -> str:
        return _TRAINING_LABELS[self]


_TRAINING_LABELS: Final = {
    TrainingMode.TRADITIONAL: "Formation traditionnelle",
    TrainingMode.AAC: "Apprentissage anticipé de la conduite (AAC)",
    TrainingMode.SUPERVISED: "Conduite supervisée",
    TrainingMode.SUPERVISED_PROFESSIONAL: "Conduite encadrée",
}


class Right(enum.StrEnum):
    """Droit utilisateur (Gestion des droits) that an action may need."""

    VALIDATE_REQUEST = "validate_request"
    DELETE_REQUEST = "delete_request"
    DELETE_EPHOTO = "delete_ephoto"

    @property
    def label(self) -> str:
        """The right's name in the host's user-rights screen."""
        return _RIGHT_LABELS[self]


_RIGHT_LABELS: Final = {
    Right.VALIDATE_REQUEST: "ANTS - Valider une demande",
    Right.DELETE_REQUEST: "ANTS - Supprimer une demande",
    Right.DELETE_EPHOTO: "ANTS - Supprimer le code ePhoto",
}


class RequestStatus(enum.StrEnum):
    """Statut d'une demande en ligne sur le site de l'ANTS.

    ``UNKNOWN`` stands for a label antsclient does not know yet; the raw label is kept on the
    request (``OnlineRequest.status_label``) so nothing is lost.
    """

    DRAFT = "draft"
    AWAITING_APPLICANT_VALIDATION = "awaiting_applicant_validation"
    UNDER_REVIEW = "under_review"
    IN_PROGRESS = "in_progress"
    TO_COMPLETE = "to_complete"
    REJECTED = "rejected"
    READY_FOR_CERFA06 = "ready_for_cerfa06"
    ACCEPTED = "accepted"
    TRANSFERRED = "transferred"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """The status as ANTS and the manual write it."""
        return _STATUS_LABELS[self]

    @classmethod
    def from_label(cls, label: str) -> RequestStatus:
        """The status an ANTS label (or a stable code) stands for; ``UNKNOWN`` if none."""
        key = fold(label, upper=True)
        if not key:
            return cls.UNKNOWN
        for code, member in cls._value2member_map_.items():
            if key == fold(str(code), upper=True):
                return member  # type: ignore[return-value]
        for prefix, member in _STATUS_PREFIXES:
            if key.startswith(prefix):
                return member
        return cls.UNKNOWN


_STATUS_LABELS: Final = {
    RequestStatus.DRAFT: "Brouillon",
    RequestStatus.AWAITING_APPLICANT_VALIDATION: "En cours de validation par l'élève",
    RequestStatus.UNDER_REVIEW: "Dossier en cours de vérification des pièces justificatives",
    RequestStatus.IN_PROGRESS: "Dossier en cours de traitement",
    RequestStatus.TO_COMPLETE: "À compléter",
    RequestStatus.REJECTED: "Dossier rejeté",
    RequestStatus.READY_FOR_CERFA06: "Dossier à traiter en Cerfa 06",
    RequestStatus.ACCEPTED: "Dossier accepté",
    RequestStatus.TRANSFERRED: "Dossier transféré",
    RequestStatus.UNKNOWN: "Statut inconnu",
}

# Labels seen on ANTS and in the manual, folded, longest first so the most specific wins.
_STATUS_PREFIXES: Final[tuple[tuple[str, RequestStatus], ...]] = tuple(
    sorted(
        (
            (fold(text, upper=True), status)
            for text, status in [
                ("Brouillon", RequestStatus.DRAFT),
                ("En cours de validation par l'élève", RequestStatus.AWAITING_APPLICANT_VALIDATION),
                (
                    "Dossier en attente de validation usager",
                    RequestStatus.AWAITING_APPLICANT_VALIDATION,
                ),
                ("En attente de validation", RequestStatus.AWAITING_APPLICANT_VALIDATION),
                ("Dossier en cours de vérification", RequestStatus.UNDER_REVIEW),
                ("Dossier en cours de traitement", RequestStatus.IN_PROGRESS),
                ("En cours d'instruction", RequestStatus.IN_PROGRESS),
                ("À compléter", RequestStatus.TO_COMPLETE),
                ("Dossier à compléter", RequestStatus.TO_COMPLETE),
                ("Dossier rejeté", RequestStatus.REJECTED),
                ("Rejeté", RequestStatus.REJECTED),
                ("Dossier à traiter en Cerfa 06", RequestStatus.READY_FOR_CERFA06),
                ("Dossier à traiter", RequestStatus.TO_COMPLETE),
                ("Dossier accepté", RequestStatus.ACCEPTED),
                ("Accepté", RequestStatus.ACCEPTED),
                ("Dossier transféré", RequestStatus.TRANSFERRED),
                ("Transféré", RequestStatus.TRANSFERRED),
            ]
        ),
        key=lambda pair: -len(pair[0]),
    )
)


class PrefectureDecision(enum.StrEnum):
    """Décision de la préfecture on a request it processes."""

    ACCEPT = "accept"
    REJECT = "reject"
    ASK_COMPLETION = "ask_completion"


class Bucket(enum.StrEnum):
    """Rubrique de recherche (Rechercher des demandes), with its count on the dashboard."""

    CERFA02 = "cerfa02"
    CERFA06 = "cerfa06"
    TO_COMPLETE = "to_complete"
    AWAITING_APPLICANT_VALIDATION = "awaiting_applicant_validation"
    REJECTED = "rejected"
    DRAFTS = "drafts"
    READY_FOR_CERFA06 = "ready_for_cerfa06"
    IN_PROGRESS = "in_progress"
    TRANSFERRED = "transferred"
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        """The bucket's title in the search screen."""
        return _BUCKET_LABELS[self]

    @property
    def statuses(self) -> frozenset[RequestStatus] | None:
        """The statuses the bucket holds, or ``None`` for the two per-cerfa buckets."""
        return _BUCKET_STATUSES.get(self)

    @property
    def cerfa(self) -> Cerfa | None:
        """The cerfa the bucket holds, for ``CERFA02`` and ``CERFA06``; else ``None``."""
        return {Bucket.CERFA02: Cerfa.C02, Bucket.CERFA06: Cerfa.C06}.get(self)

    def holds(self, *, cerfa: Cerfa, status: RequestStatus, transferred: bool = False) -> bool:
        """Whether a request of this cerfa, status and transfer flag belongs to the bucket."""
        if self.cerfa is not None:
            return cerfa is self.cerfa
        if self is Bucket.TRANSFERRED and transferred:
            return True
        statuses = _BUCKET_STATUSES[self]
        return status in statuses


_BUCKET_LABELS: Final = {
    Bucket.CERFA02: "CERFA 02",
    Bucket.CERFA06: "CERFA 06",
    Bucket.TO_COMPLETE: "Dossier à traiter",
    Bucket.AWAITING_APPLICANT_VALIDATION: "Dossier en attente de validation usager",
    Bucket.REJECTED: "Dossier rejeté",
    Bucket.DRAFTS: "Brouillons",
    Bucket.READY_FOR_CERFA06: "Dossier à traiter en Cerfa 06",
    Bucket.IN_PROGRESS: "Dossier en cours de traitement",
    Bucket.TRANSFERRED: "Dossier transféré",
    Bucket.ACCEPTED: "Dossier accepté",
}

_BUCKET_STATUSES: Final = {
    Bucket.TO_COMPLETE: frozenset({RequestStatus.TO_COMPLETE}),
    Bucket.AWAITING_APPLICANT_VALIDATION: frozenset({RequestStatus.AWAITING_APPLICANT_VALIDATION}),
    Bucket.REJECTED: frozenset({RequestStatus.REJECTED}),
    Bucket.DRAFTS: frozenset({RequestStatus.DRAFT}),
    Bucket.READY_FOR_CERFA06: frozenset({RequestStatus.READY_FOR_CERFA06}),
    Bucket.IN_PROGRESS: frozenset({RequestStatus.IN_PROGRESS, RequestStatus.UNDER_REVIEW}),
    Bucket.TRANSFERRED: frozenset({RequestStatus.TRANSFERRED}),
    Bucket.ACCEPTED: frozenset({RequestStatus.ACCEPTED}),
}


class DocumentKind(enum.StrEnum):
    """Pièce justificative: the kinds of supporting document an online request takes."""

    IDENTITY = "identity"
    PROOF_OF_ADDRESS = "proof_of_address"
    CANCELLATION_JUDGMENT = "cancellation_judgment"
    MEDICAL_OPINION = "medical_opinion"
    ASSR = "assr"
    MILITARY_LICENCE = "military_licence"
    TRAINING_CERTIFICATE = "training_certificate"
    TRAINING_COMMITMENT = "training_commitment"

    @property
    def label(self) -> str:
        """Libellé of the kind, as ANTS shows it."""
        return _DOCUMENT_SPECS[self][0]

    @property
    def max_pages(self) -> int:
        """Nb pages max.: the most pages the kind takes, over all its files."""
        return _DOCUMENT_SPECS[self][1]

    @property
    def help(self) -> str:
        """Aide: the help text ANTS shows for the kind (may be empty)."""
        return _DOCUMENT_SPECS[self][2]


_DOCUMENT_SPECS: Final[dict[DocumentKind, tuple[str, int, str]]] = {
    DocumentKind.IDENTITY: (
        "Pièce d'identité",
        2,
        "Carte nationale d'identité (CNI), Passeport ou titre de séjour en cours de validité",
    ),
    DocumentKind.PROOF_OF_ADDRESS: ("Justificatif de domicile", 5, ""),
    DocumentKind.CANCELLATION_JUDGMENT: ("Copie du jugement d'annulation", 5, ""),
    DocumentKind.MEDICAL_OPINION: (
        "Avis médical",
        6,
        "Cerfa n°14880*01 - PERMIS DE CONDUIRE - AVIS MEDICAL",
    ),
    DocumentKind.ASSR: (
        "Attestations Scolaires de Sécurité Routière (ASSR 2 ou ASR)",
        2,
        "Attestations de formation théorique à la sécurité routière fournie par votre "
        "établissement scolaire",
    ),
    DocumentKind.MILITARY_LICENCE: ("Justificatif brevet militaire", 5, ""),
    DocumentKind.TRAINING_CERTIFICATE: ("Copie d'attestation de suivi de formation", 2, ""),
    DocumentKind.TRAINING_COMMITMENT: ("Engagement sur l'honneur à suivre la formation", 5, ""),
}


class PrefectureDocumentKind(enum.StrEnum):
    """Document de la préfecture (Télécharger des documents de la préfecture)."""

    MEDICAL_OPINION = "medical_opinion"
    PHOTO_SIGNATURE_FORM = "photo_signature_form"
    REQUEST_RECEIPT = "request_receipt"
    DRIVING_RIGHTS_CERTIFICATE = "driving_rights_certificate"
    REGISTRATION_DEPOSIT_CERTIFICATE = "registration_deposit_certificate"
    REGISTRATION_FACSIMILE = "registration_facsimile"
    CANCELLATION_STATEMENT = "cancellation_statement"
    INVALIDATION_STATEMENT = "invalidation_statement"

    @property
    def label(self) -> str:
        """The document's title as ANTS lists it."""
        return _PREFECTURE_DOCUMENT_LABELS[self]


_PREFECTURE_DOCUMENT_LABELS: Final = {
    PrefectureDocumentKind.MEDICAL_OPINION: "Avis médical",
    PrefectureDocumentKind.PHOTO_SIGNATURE_FORM: "Formulaire dépôt photo signature",
    PrefectureDocumentKind.REQUEST_RECEIPT: "Justificatif de la demande",
    PrefectureDocumentKind.DRIVING_RIGHTS_CERTIFICATE: "Attestation des droits à conduire",
    PrefectureDocumentKind.REGISTRATION_DEPOSIT_CERTIFICATE: (
        "Attestation dépôt inscription au permis"
    ),
    PrefectureDocumentKind.REGISTRATION_FACSIMILE: "Facsimilé inscription au permis",
    PrefectureDocumentKind.CANCELLATION_STATEMENT: "Relevé d'information pour annulation",
    PrefectureDocumentKind.INVALIDATION_STATEMENT: "Relevé d'information pour invalidation",
}
