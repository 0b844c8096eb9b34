"""Enumerations of the domain, each member with its French label as users know it."""

from __future__ import annotations

import enum
from typing import Final

import attrs

from antsclient._text import fold

__all__ = [
    "DOCUMENT_SPECS",
    "Bucket",
    "Cerfa",
    "DocumentKind",
    "DocumentSpec",
    "LicenceCategory",
    "ObtainedBy",
    "PrefectureDecision",
    "PrefectureDocumentKind",
    "RequestStatus",
    "RequestType",
    "Requirement",
    "Right",
    "Sex",
    "Training",
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
        """How the licence was obtained, as the form writes it."""
        return "Par examen" if self is ObtainedBy.EXAM else "Par échange"


class TrainingMode(enum.StrEnum):
    """Le candidat a choisi: the training mode."""

    TRADITIONAL = "traditional"
    AAC = "aac"
    SUPERVISED = "supervised"
    SUPERVISED_PROFESSIONAL = "supervised_professional"

    @property
    def label(self) -> str:
        """The training mode, as the form writes it."""
        return _TRAINING_LABELS[self]


_TRAINING_LABELS: Final = {
    TrainingMode.TRADITIONAL: "Formation traditionnelle",
    TrainingMode.AAC: "Apprentissage anticipé de la conduite (AAC)",
    TrainingMode.SUPERVISED: "Conduite supervisée",
    TrainingMode.SUPERVISED_PROFESSIONAL: "Conduite encadrée",
}


class RequestType(enum.StrEnum):
    """Type de demande en ligne, as ANTS names it to driving schools.

    * ``EXAM_REGISTRATION`` — « Inscription au permis nécessitant le passage d'un examen
      pratique » (Cerfa 02): gives the NEPH;
    * ``TITLE_AFTER_EXAM`` — the title request once the exam is passed (Cerfa 06), after an
      accepted Cerfa 02;
    * ``TITLE_AFTER_TRAINING`` — « demande de titre avec une attestation de formation »: a
      title after a training without exam (AM, A by progressive access, B96, removal of the
      code 78), which only a school's pro account can file.

    What each one takes (form, categories, prerequisites, ages, documents, where the
    prefecture's acceptance leads) is the table :data:`antsclient.models.REQUEST_TYPES`.
    """

    EXAM_REGISTRATION = "exam_registration"
    TITLE_AFTER_EXAM = "title_after_exam"
    TITLE_AFTER_TRAINING = "title_after_training"

    @property
    def label(self) -> str:
        """The request type as ANTS writes it."""
        return _REQUEST_TYPE_LABELS[self]

    @property
    def cerfa(self) -> Cerfa:
        """The form the request type is filed on."""
        return Cerfa.C02 if self is RequestType.EXAM_REGISTRATION else Cerfa.C06


_REQUEST_TYPE_LABELS: Final = {
    RequestType.EXAM_REGISTRATION: "Inscription au permis nécessitant le passage d'un examen "
    "pratique",
    RequestType.TITLE_AFTER_EXAM: "Demande de titre suite à la réussite à l'examen",
    RequestType.TITLE_AFTER_TRAINING: "Demande de titre avec une attestation de formation",
}


class Training(enum.StrEnum):
    """Formation sans examen that leads to a title (« demande de titre avec une attestation
    de formation »)."""

    AM = "am"
    A_PROGRESSIVE = "a_progressive"
    B96 = "b96"
    CODE_78_REMOVAL = "code_78_removal"

    @property
    def label(self) -> str:
        """The training as schools name it."""
        return _TRAINING_ROUTE_LABELS[self]


_TRAINING_ROUTE_LABELS: Final = {
    Training.AM: "Catégorie AM (formation BSR / AM)",
    Training.A_PROGRESSIVE: "Catégorie A par accès progressif (A2 depuis 2 ans, formation 7 h)",
    Training.B96: "Mention B96 (formation 7 h)",
    Training.CODE_78_REMOVAL: "Levée de la mention 78 (boîte automatique)",
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
    """Pièce justificative: the kinds of supporting document an online request takes.

    The first eight are the manual's slots; the others are asked of young students and of
    holders of a licence (census or JDC certificate, host's attestation and identity,
    legal representative's identity, copy of the licence held). Each kind's label, page
    limit, help text, whether it takes a comment and the rule that makes it required are
    one table (:data:`DOCUMENT_SPECS`), shared by the client and the sandbox.
    """

    IDENTITY = "identity"
    PROOF_OF_ADDRESS = "proof_of_address"
    CANCELLATION_JUDGMENT = "cancellation_judgment"
    MEDICAL_OPINION = "medical_opinion"
    ASSR = "assr"
    MILITARY_LICENCE = "military_licence"
    TRAINING_CERTIFICATE = "training_certificate"
    TRAINING_COMMITMENT = "training_commitment"
    CENSUS_CERTIFICATE = "census_certificate"
    HOST_ATTESTATION = "host_attestation"
    HOST_IDENTITY = "host_identity"
    REPRESENTATIVE_IDENTITY = "representative_identity"
    LICENCE_COPY = "licence_copy"

    @property
    def spec(self) -> DocumentSpec:
        """The kind's row of :data:`DOCUMENT_SPECS`."""
        return DOCUMENT_SPECS[self]

    @property
    def label(self) -> str:
        """Libellé of the kind, as ANTS shows it."""
        return DOCUMENT_SPECS[self].label

    @property
    def max_pages(self) -> int:
        """Nb pages max.: the most pages the kind takes, over all its files."""
        return DOCUMENT_SPECS[self].max_pages

    @property
    def help(self) -> str:
        """Aide: the help text ANTS shows for the kind (may be empty)."""
        return DOCUMENT_SPECS[self].help

    @property
    def comment_allowed(self) -> bool:
        """Whether the kind takes a user comment (« pour certaines pièces »)."""
        return DOCUMENT_SPECS[self].comment_allowed


class Requirement(enum.StrEnum):
    """The rule that makes a document kind required (the « Requis » column)."""

    ALWAYS = "always"
    HEALTH_OR_HEAVY = "health_or_heavy"
    AFTER_CANCELLATION = "after_cancellation"
    FIRST_CATEGORY_UNDER_21 = "first_category_under_21"
    MILITARY_LICENCE = "military_licence"
    TRAINING = "training"
    D_BEFORE_24 = "d_before_24"
    FRENCH_16_TO_25 = "french_16_to_25"
    HOSTED = "hosted"
    MINOR_WITH_REPRESENTATIVE = "minor_with_representative"
    LICENCE_HELD = "licence_held"


@attrs.frozen(kw_only=True, slots=True)
class DocumentSpec:
    """One row of the document-kind table: what ANTS shows and when the kind is required.

    ``required_when`` names the rule (evaluated by
    :func:`antsclient.attachments.required_kinds`); ``rule_fr`` says it in French for the
    user; ``source`` says where the fact comes from and whether it was read (``verified``)
    or reasoned (``inferred``).
    """

    label: str
    max_pages: int
    help: str
    comment_allowed: bool
    required_when: Requirement
    rule_fr: str
    source: str


_MANUAL = "verified: manual, « Envoyer les pièces justificatives »"
_K = DocumentKind
_R = Requirement

DOCUMENT_SPECS: Final[dict[DocumentKind, DocumentSpec]] = {
    _K.IDENTITY: DocumentSpec(
        label="Pièce d'identité",
        max_pages=2,
        help="Carte nationale d'identité (CNI), Passeport ou titre de séjour en cours de validité",
        comment_allowed=True,
        required_when=_R.ALWAYS,
        rule_fr="Toujours requise.",
        source=_MANUAL,
    ),
    _K.PROOF_OF_ADDRESS: DocumentSpec(
        label="Justificatif de domicile",
        max_pages=5,
        help="",
        comment_allowed=True,
        required_when=_R.ALWAYS,
        rule_fr="Toujours requis.",
        source=_MANUAL,
    ),
    _K.CANCELLATION_JUDGMENT: DocumentSpec(
        label="Copie du jugement d'annulation",
        max_pages=5,
        help="",
        comment_allowed=True,
        required_when=_R.AFTER_CANCELLATION,
        rule_fr="Requise après une annulation ou une invalidation du permis.",
        source=_MANUAL,
    ),
    _K.MEDICAL_OPINION: DocumentSpec(
        label="Avis médical",
        max_pages=6,
        help="Cerfa n°14880*01 - PERMIS DE CONDUIRE - AVIS MEDICAL",
        comment_allowed=True,
        required_when=_R.HEALTH_OR_HEAVY,
        rule_fr="Requis pour une affection ou un handicap, une pension d'invalidité, une "
        "catégorie lourde (C, D) ou un retour après annulation.",
        source=_MANUAL + "; arrêté du 20 avril 2012, art. 1 II",
    ),
    _K.ASSR: DocumentSpec(
        label="Attestations Scolaires de Sécurité Routière (ASSR 2 ou ASR)",
        max_pages=2,
        help="Attestations de formation théorique à la sécurité routière fournie par votre "
        "établissement scolaire",
        comment_allowed=True,
        required_when=_R.FIRST_CATEGORY_UNDER_21,
        rule_fr="Requise avant 21 ans pour une première catégorie, et pour la catégorie AM.",
        source=_MANUAL + "; service-public F2825 (secondary)",
    ),
    _K.MILITARY_LICENCE: DocumentSpec(
        label="Justificatif brevet militaire",
        max_pages=5,
        help="",
        comment_allowed=True,
        required_when=_R.MILITARY_LICENCE,
        rule_fr="Requis pour la conversion d'un brevet militaire.",
        source=_MANUAL,
    ),
    _K.TRAINING_CERTIFICATE: DocumentSpec(
        label="Copie d'attestation de suivi de formation",
        max_pages=2,
        help="Attestation de suivi de la formation délivrée par l'école de conduite",
        comment_allowed=True,
        required_when=_R.TRAINING,
        rule_fr="Requise pour une demande de titre avec une attestation de formation (AM, A "
        "par accès progressif, B96, levée de la mention 78).",
        source=_MANUAL + "; arrêté du 20 avril 2012, art. 1 III F",
    ),
    _K.TRAINING_COMMITMENT: DocumentSpec(
        label="Engagement sur l'honneur à suivre la formation",
        max_pages=5,
        help="",
        comment_allowed=True,
        required_when=_R.D_BEFORE_24,
        rule_fr="Requis pour les catégories D ou DE avant 24 ans (FIMO).",
        source=_MANUAL + "; arrêté du 20 avril 2012, art. 1 III O-P",
    ),
    _K.CENSUS_CERTIFICATE: DocumentSpec(
        label="Certificat de participation à la JDC ou attestation de recensement",
        max_pages=2,
        help="De 16 à 18 ans : attestation de recensement ; de 18 à 25 ans : certificat "
        "JDC, attestation provisoire ou d'exemption",
        comment_allowed=True,
        required_when=_R.FRENCH_16_TO_25,
        rule_fr="Requis pour un élève français de 16 à 25 ans inscrit à l'examen.",
        source="verified: arrêté du 20 avril 2012, art. 1 III G; inferred: the slot's "
        "label and page limit",
    ),
    _K.HOST_ATTESTATION: DocumentSpec(
        label="Attestation d'hébergement",
        max_pages=2,
        help="Attestation sur l'honneur de l'hébergeant, datée et signée",
        comment_allowed=True,
        required_when=_R.HOSTED,
        rule_fr="Requise quand l'élève est hébergé par un tiers (parent, ami).",
        source="inferred from secondary sources (schools' document lists); label and page "
        "limit inferred",
    ),
    _K.HOST_IDENTITY: DocumentSpec(
        label="Pièce d'identité de l'hébergeant",
        max_pages=2,
        help="",
        comment_allowed=False,
        required_when=_R.HOSTED,
        rule_fr="Requise quand l'élève est hébergé par un tiers (parent, ami).",
        source="inferred from secondary sources (schools' document lists); label and page "
        "limit inferred",
    ),
    _K.REPRESENTATIVE_IDENTITY: DocumentSpec(
        label="Pièce d'identité du représentant légal",
        max_pages=2,
        help="",
        comment_allowed=False,
        required_when=_R.MINOR_WITH_REPRESENTATIVE,
        rule_fr="Requise pour un élève mineur.",
        source="inferred from secondary sources (codedelaroute.io); label and page limit inferred",
    ),
    _K.LICENCE_COPY: DocumentSpec(
        label="Copie du permis de conduire détenu",
        max_pages=2,
        help="Recto et verso du permis déjà obtenu",
        comment_allowed=False,
        required_when=_R.LICENCE_HELD,
        rule_fr="Requise quand une catégorie demandée suppose une catégorie détenue, quand "
        "le permis détenu a moins de 5 ans, ou pour une demande avec attestation de "
        "formation.",
        source="verified: arrêté du 20 avril 2012, art. 1 III H to R; inferred: label and "
        "page limit",
    ),
}
"""Pièces justificatives: one row per :class:`DocumentKind`, read by the client's checks,
:func:`antsclient.attachments.required_kinds` and the sandbox's slots alike."""
del _K, _R


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
