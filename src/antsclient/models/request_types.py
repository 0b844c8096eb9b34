"""Request types as data: what each kind of online request takes, and where it leads.

One table, :data:`REQUEST_TYPES`, read by the local validation
(:func:`antsclient.validation.validate`), the document rules
(:func:`antsclient.attachments.required_kinds`), the lifecycle
(:func:`antsclient.lifecycle.next_status`) and the sandbox, which serves it
(``GET /request-types``). Each row says the form, the categories, the prerequisite, the
documents offered and the status an accepted request reaches; the trainings without exam
have their own rows (:data:`TRAININGS`): category, category held and for how long, age.

Sources: the request types and the training route are read in the ANTS help for schools and
the Rhône prefecture's FAQ (verified); the minimum holding times of A2 (two years) and
the 7-hour trainings in the arrêté du 20 avril 2012 (verified); the three months of an
automatic B before the code 78 is lifted is common knowledge of schools (inferred).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Final

import attrs

from antsclient.models.enums import (
    Cerfa,
    DocumentKind,
    LicenceCategory,
    RequestStatus,
    RequestType,
    Training,
)

__all__ = [
    "PREREQUISITES",
    "REQUEST_TYPES",
    "TRAININGS",
    "Prerequisite",
    "RequestTypeSpec",
    "TrainingSpec",
]

L = LicenceCategory
K = DocumentKind

PREREQUISITES: Final[dict[LicenceCategory, LicenceCategory]] = {
    L.BE: L.B,
    L.C1: L.B,
    L.D1: L.B,
    L.C: L.B,
    L.D: L.B,
    L.C1E: L.C1,
    L.CE: L.C,
    L.D1E: L.D1,
    L.DE: L.D,
}
"""Catégorie requise: the category one must already hold to request another (arrêté du 20
avril 2012, art. 1 III)."""


class Prerequisite(enum.StrEnum):
    """What must exist before a request type can be filed."""

    NONE = "none"
    """Nothing: the request opens the student's file (it gives the NEPH)."""
    ACCEPTED_CERFA02 = "accepted_cerfa02"
    """An accepted Cerfa 02 for this student (« Dossier à traiter en Cerfa 06 ») or a NEPH
    ANTS knows."""
    TRAINING_CERTIFICATE = "training_certificate"
    """The school's certificate of the training followed (no exam, no Cerfa 02)."""


@attrs.frozen(kw_only=True, slots=True)
class TrainingSpec:
    """A training without exam: the category it gives, what must be held, from what age."""

    categories: frozenset[LicenceCategory]
    held: frozenset[LicenceCategory]
    held_for: dt.timedelta | None
    minimum_age: int
    documents: frozenset[DocumentKind]
    mention: str | None = None
    source: str = ""


@attrs.frozen(kw_only=True, slots=True)
class RequestTypeSpec:
    """One request type: its form, categories, prerequisite, documents and lifecycle.

    ``applicant_validates`` says whether the student confirms the validated request
    (skipped under a paper mandate); ``accepted_status`` is where the prefecture's
    acceptance leads; ``registration_age`` is the age from which the request can be filed
    (``None``: the age of the category, or of the training, decides) and ``age_rule_fr``
    says the age rules in French.
    """

    cerfa: Cerfa
    categories: frozenset[LicenceCategory]
    prerequisite: Prerequisite
    prerequisite_fr: str
    documents: frozenset[DocumentKind]
    accepted_status: RequestStatus
    applicant_validates: bool = True
    pro_account_only: bool = False
    registration_age: int | None = None
    age_rule_fr: str = ""
    source: str = ""


_ALWAYS: Final = frozenset({K.IDENTITY, K.PROOF_OF_ADDRESS})
_HOUSING: Final = frozenset({K.HOST_ATTESTATION, K.HOST_IDENTITY, K.REPRESENTATIVE_IDENTITY})

TRAININGS: Final[dict[Training, TrainingSpec]] = {
    Training.AM: TrainingSpec(
        categories=frozenset({L.AM}),
        held=frozenset(),
        held_for=None,
        minimum_age=14,
        documents=frozenset({K.TRAINING_CERTIFICATE, K.ASSR}),
        source="verified: arrêté du 20 avril 2012, art. 1 II (AM from 14) and III E (BSR / "
        "AM training and ASSR)",
    ),
    Training.A_PROGRESSIVE: TrainingSpec(
        categories=frozenset({L.A}),
        held=frozenset({L.A2}),
        held_for=dt.timedelta(days=2 * 365),
        minimum_age=20,
        documents=frozenset({K.TRAINING_CERTIFICATE, K.LICENCE_COPY}),
        source="verified: arrêté du 20 avril 2012, art. 1 I and art. 2 I-B (A2 held two "
        "years, 7-hour training)",
    ),
    Training.B96: TrainingSpec(
        categories=frozenset({L.B}),
        held=frozenset({L.B}),
        held_for=None,
        minimum_age=17,
        documents=frozenset({K.TRAINING_CERTIFICATE, K.LICENCE_COPY}),
        mention="96",
        source="verified: arrêté du 20 avril 2012, art. 2 IV (7-hour training, combination "
        "up to 4 250 kg)",
    ),
    Training.CODE_78_REMOVAL: TrainingSpec(
        categories=frozenset({L.B}),
        held=frozenset({L.B}),
        held_for=dt.timedelta(days=91),
        minimum_age=17,
        documents=frozenset({K.TRAINING_CERTIFICATE, K.LICENCE_COPY}),
        mention="78",
        source="verified: the Rhône prefecture's FAQ lists « levée mention 78 »; inferred: "
        "three months of an automatic B and a 7-hour training",
    ),
}
"""Formations sans examen, by training."""

REQUEST_TYPES: Final[dict[RequestType, RequestTypeSpec]] = {
    RequestType.EXAM_REGISTRATION: RequestTypeSpec(
        cerfa=Cerfa.C02,
        categories=frozenset(L),
        prerequisite=Prerequisite.NONE,
        prerequisite_fr="Aucun : la demande d'inscription ouvre le dossier de l'élève et lui "
        "donne son numéro NEPH.",
        documents=frozenset(
            {
                *_ALWAYS,
                *_HOUSING,
                K.CANCELLATION_JUDGMENT,
                K.MEDICAL_OPINION,
                K.ASSR,
                K.MILITARY_LICENCE,
                K.TRAINING_CERTIFICATE,
                K.TRAINING_COMMITMENT,
                K.CENSUS_CERTIFICATE,
                K.LICENCE_COPY,
            }
        ),
        accepted_status=RequestStatus.READY_FOR_CERFA06,
        registration_age=16,
        age_rule_fr="Inscription à partir de 16 ans (14 ans pour la seule catégorie AM, 15 ans "
        "en apprentissage anticipé) ; chaque catégorie s'obtient à l'âge de l'article R221-5 "
        "du code de la route.",
        source="verified: manual (« Inscription au permis nécessitant le passage d'un examen "
        "pratique », « Dossier à traiter en Cerfa 06 »)",
    ),
    RequestType.TITLE_AFTER_EXAM: RequestTypeSpec(
        cerfa=Cerfa.C06,
        categories=frozenset(L),
        prerequisite=Prerequisite.ACCEPTED_CERFA02,
        prerequisite_fr="Une demande d'inscription (Cerfa 02) acceptée pour cet élève, ou son "
        "numéro NEPH.",
        documents=frozenset({*_ALWAYS, *_HOUSING, K.LICENCE_COPY}),
        accepted_status=RequestStatus.ACCEPTED,
        age_rule_fr="Chaque catégorie s'obtient à l'âge de l'article R221-5 du code de la route "
        "(B à 17 ans).",
        source="verified: manual (« Dossier à traiter en Cerfa 06 », « Demande de titre "
        "acceptée »); arrêté du 20 avril 2012, art. 1 II",
    ),
    RequestType.TITLE_AFTER_TRAINING: RequestTypeSpec(
        cerfa=Cerfa.C06,
        categories=frozenset({L.AM, L.A, L.B}),
        prerequisite=Prerequisite.TRAINING_CERTIFICATE,
        prerequisite_fr="L'attestation de suivi de la formation délivrée par l'école ; ni "
        "examen, ni demande d'inscription.",
        documents=frozenset(
            {
                *_ALWAYS,
                *_HOUSING,
                K.TRAINING_CERTIFICATE,
                K.ASSR,
                K.LICENCE_COPY,
            }
        ),
        accepted_status=RequestStatus.ACCEPTED,
        pro_account_only=True,
        age_rule_fr="L'âge de la formation suivie : AM à 14 ans, A par accès progressif à 20 "
        "ans, B96 et levée de la mention 78 avec le permis B.",
        source="verified: Rhône prefecture's FAQ (« demande de titre avec une attestation de "
        "formation (AM, A, B96, levée mention 78) », pro accounts only); inferred: filed as "
        "a title request (Cerfa 06 data) without a Cerfa 02",
    ),
}
"""Types de demande, by request type."""

del L, K
