"""Enumerations: French labels, status labels as ANTS writes them, buckets, document kinds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient.models import (
    Bucket,
    Cerfa,
    DocumentKind,
    LicenceCategory,
    ObtainedBy,
    PrefectureDecision,
    PrefectureDocumentKind,
    RequestStatus,
    Right,
    Sex,
    TrainingMode,
)


def test_cerfa_numbers_and_labels() -> None:
    assert Cerfa.C02.number == "14866*01"
    assert Cerfa.C06.number == "14948*01"
    assert "inscription" in Cerfa.C02.label
    assert "titre" in Cerfa.C06.label
    assert Cerfa("02") is Cerfa.C02


def test_category_list_in_official_order() -> None:
    assert [c.value for c in LicenceCategory] == [
        "AM", "A1", "A2", "A", "B1", "B", "BE", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE",
    ]  # fmt: skip


@pytest.mark.parametrize("category", list(LicenceCategory))
def test_heavy_categories_are_the_c_and_d_groups(category: LicenceCategory) -> None:
    assert category.is_heavy == category.value.startswith(("C", "D"))


def test_small_enums() -> None:
    assert {s.value for s in Sex} == {"M", "F"}
    assert ObtainedBy.EXAM.label == "Par examen"
    assert ObtainedBy.EXCHANGE.label == "Par échange"
    assert {d.value for d in PrefectureDecision} == {"accept", "reject", "ask_completion"}


def test_training_mode_labels() -> None:
    assert TrainingMode.AAC.label == "Apprentissage anticipé de la conduite (AAC)"
    assert TrainingMode.SUPERVISED.label == "Conduite supervisée"
    assert TrainingMode.SUPERVISED_PROFESSIONAL.label == "Conduite encadrée"
    assert TrainingMode.TRADITIONAL.label == "Formation traditionnelle"


def test_right_labels_are_the_manual_ones() -> None:
    assert {r: r.label for r in Right} == {
        Right.VALIDATE_REQUEST: "ANTS - Valider une demande",
        Right.DELETE_REQUEST: "ANTS - Supprimer une demande",
        Right.DELETE_EPHOTO: "ANTS - Supprimer le code ePhoto",
    }


@pytest.mark.parametrize("enum_cls", [RequestStatus, Bucket, DocumentKind, Right, TrainingMode])
def test_every_member_has_a_distinct_non_empty_label(enum_cls) -> None:
    labels = [member.label for member in enum_cls]
    assert all(label.strip() for label in labels)
    assert len(set(labels)) == len(labels)


# --- RequestStatus -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "status"),
    [
        ("Brouillon", RequestStatus.DRAFT),
        ("BROUILLON", RequestStatus.DRAFT),
        ("Brouillon (en attente des pièces justificatives requises)", RequestStatus.DRAFT),
        ("En cours de validation par l'élève", RequestStatus.AWAITING_APPLICANT_VALIDATION),
        ("EN COURS DE VALIDATION PAR L'ÉLÈVE", RequestStatus.AWAITING_APPLICANT_VALIDATION),
        ("En cours de validation par l’élève", RequestStatus.AWAITING_APPLICANT_VALIDATION),
        ("Dossier en attente de validation usager", RequestStatus.AWAITING_APPLICANT_VALIDATION),
        ("En attente de validation", RequestStatus.AWAITING_APPLICANT_VALIDATION),
        (
            "Dossier en cours de vérification des pièces justificatives",
            RequestStatus.UNDER_REVIEW,
        ),
        ("dossier en cours de verification des pieces justificatives", RequestStatus.UNDER_REVIEW),
        ("Dossier en cours de traitement", RequestStatus.IN_PROGRESS),
        ("En cours d'instruction", RequestStatus.IN_PROGRESS),
        ("À compléter", RequestStatus.TO_COMPLETE),
        ("A COMPLETER", RequestStatus.TO_COMPLETE),
        ("Dossier à compléter", RequestStatus.TO_COMPLETE),
        ("Dossier à traiter", RequestStatus.TO_COMPLETE),
        ("Dossier rejeté", RequestStatus.REJECTED),
        ("Rejeté", RequestStatus.REJECTED),
        ("Dossier à traiter en Cerfa 06", RequestStatus.READY_FOR_CERFA06),
        ("DOSSIER A TRAITER EN CERFA 06", RequestStatus.READY_FOR_CERFA06),
        ("Dossier accepté", RequestStatus.ACCEPTED),
        ("Accepté", RequestStatus.ACCEPTED),
        ("Dossier transféré", RequestStatus.TRANSFERRED),
        ("Transféré", RequestStatus.TRANSFERRED),
        ("  Dossier   rejeté  ", RequestStatus.REJECTED),
    ],
)
def test_from_label_reads_the_labels_of_ants_and_the_manual(
    label: str, status: RequestStatus
) -> None:
    assert RequestStatus.from_label(label) is status


@pytest.mark.parametrize("status", list(RequestStatus))
def test_from_label_round_trips_codes_and_labels(status: RequestStatus) -> None:
    assert RequestStatus.from_label(status.value) is status
    assert RequestStatus.from_label(status.value.upper()) is status
    if status is not RequestStatus.UNKNOWN:
        assert RequestStatus.from_label(status.label) is status


@pytest.mark.parametrize("label", ["", "   ", "Statut jamais vu", "Inscription au permis"])
def test_from_label_unknown(label: str) -> None:
    assert RequestStatus.from_label(label) is RequestStatus.UNKNOWN


@given(st.text())
def test_from_label_never_raises(label: str) -> None:
    assert isinstance(RequestStatus.from_label(label), RequestStatus)


def test_status_labels() -> None:
    assert RequestStatus.DRAFT.label == "Brouillon"
    assert RequestStatus.TO_COMPLETE.label == "À compléter"
    assert RequestStatus.READY_FOR_CERFA06.label == "Dossier à traiter en Cerfa 06"
    assert RequestStatus.UNKNOWN.label == "Statut inconnu"


# --- Bucket ------------------------------------------------------------------------------------

EXPECTED_BUCKET = {
    RequestStatus.TO_COMPLETE: Bucket.TO_COMPLETE,
    RequestStatus.AWAITING_APPLICANT_VALIDATION: Bucket.AWAITING_APPLICANT_VALIDATION,
    RequestStatus.REJECTED: Bucket.REJECTED,
    RequestStatus.DRAFT: Bucket.DRAFTS,
    RequestStatus.READY_FOR_CERFA06: Bucket.READY_FOR_CERFA06,
    RequestStatus.IN_PROGRESS: Bucket.IN_PROGRESS,
    RequestStatus.UNDER_REVIEW: Bucket.IN_PROGRESS,
    RequestStatus.TRANSFERRED: Bucket.TRANSFERRED,
    RequestStatus.ACCEPTED: Bucket.ACCEPTED,
}


def test_bucket_labels_are_the_search_screen_ones() -> None:
    assert Bucket.CERFA02.label == "CERFA 02"
    assert Bucket.CERFA06.label == "CERFA 06"
    assert Bucket.TO_COMPLETE.label == "Dossier à traiter"
    assert Bucket.AWAITING_APPLICANT_VALIDATION.label == "Dossier en attente de validation usager"
    assert Bucket.REJECTED.label == "Dossier rejeté"
    assert Bucket.DRAFTS.label == "Brouillons"
    assert Bucket.READY_FOR_CERFA06.label == "Dossier à traiter en Cerfa 06"
    assert Bucket.IN_PROGRESS.label == "Dossier en cours de traitement"
    assert Bucket.TRANSFERRED.label == "Dossier transféré"
    assert Bucket.ACCEPTED.label == "Dossier accepté"


def test_bucket_cerfa_and_statuses() -> None:
    assert Bucket.CERFA02.cerfa is Cerfa.C02
    assert Bucket.CERFA06.cerfa is Cerfa.C06
    assert Bucket.CERFA02.statuses is None
    assert Bucket.DRAFTS.cerfa is None
    assert Bucket.IN_PROGRESS.statuses == {RequestStatus.IN_PROGRESS, RequestStatus.UNDER_REVIEW}


@given(
    cerfa=st.sampled_from(Cerfa),
    status=st.sampled_from(RequestStatus),
    transferred=st.booleans(),
)
def test_bucket_holds(cerfa: Cerfa, status: RequestStatus, transferred: bool) -> None:
    held = {b for b in Bucket if b.holds(cerfa=cerfa, status=status, transferred=transferred)}
    expected = {Bucket.CERFA02 if cerfa is Cerfa.C02 else Bucket.CERFA06}
    if status in EXPECTED_BUCKET:
        expected.add(EXPECTED_BUCKET[status])
    if transferred:
        expected.add(Bucket.TRANSFERRED)
    assert held == expected


def test_unknown_status_is_only_in_its_cerfa_bucket() -> None:
    assert {b for b in Bucket if b.holds(cerfa=Cerfa.C06, status=RequestStatus.UNKNOWN)} == {
        Bucket.CERFA06
    }


# --- DocumentKind ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "label", "max_pages"),
    [
        (DocumentKind.IDENTITY, "Pièce d'identité", 2),
        (DocumentKind.PROOF_OF_ADDRESS, "Justificatif de domicile", 5),
        (DocumentKind.CANCELLATION_JUDGMENT, "Copie du jugement d'annulation", 5),
        (DocumentKind.MEDICAL_OPINION, "Avis médical", 6),
        (
            DocumentKind.ASSR,
            "Attestations Scolaires de Sécurité Routière (ASSR 2 ou ASR)",
            2,
        ),
        (DocumentKind.MILITARY_LICENCE, "Justificatif brevet militaire", 5),
        (DocumentKind.TRAINING_CERTIFICATE, "Copie d'attestation de suivi de formation", 2),
        (DocumentKind.TRAINING_COMMITMENT, "Engagement sur l'honneur à suivre la formation", 5),
    ],
)
def test_document_kinds_follow_the_manual(kind: DocumentKind, label: str, max_pages: int):
    assert kind.label == label
    assert kind.max_pages == max_pages
    assert isinstance(kind.help, str)


def test_document_kind_max_pages_in_order() -> None:
    assert [k.max_pages for k in DocumentKind] == [2, 5, 5, 6, 2, 5, 2, 5, 2, 2, 2, 2, 2]


def test_every_document_kind_has_one_row_of_the_shared_table() -> None:
    from antsclient.models import DOCUMENT_SPECS, Requirement

    assert set(DOCUMENT_SPECS) == set(DocumentKind)
    for kind, spec in DOCUMENT_SPECS.items():
        assert kind.spec is spec
        assert spec.rule_fr.endswith(".")
        assert spec.source.startswith(("verified", "inferred"))
    assert DocumentKind.CENSUS_CERTIFICATE.spec.required_when is Requirement.FRENCH_16_TO_25
    assert not DocumentKind.HOST_IDENTITY.comment_allowed
    assert DocumentKind.IDENTITY.comment_allowed


def test_document_kind_help_texts() -> None:
    assert "Passeport" in DocumentKind.IDENTITY.help
    assert "14880*01" in DocumentKind.MEDICAL_OPINION.help
    assert "établissement scolaire" in DocumentKind.ASSR.help
    assert DocumentKind.PROOF_OF_ADDRESS.help == ""


def test_prefecture_documents_are_the_manual_ones() -> None:
    assert [k.label for k in PrefectureDocumentKind] == [
        "Avis médical",
        "Formulaire dépôt photo signature",
        "Justificatif de la demande",
        "Attestation des droits à conduire",
        "Attestation dépôt inscription au permis",
        "Facsimilé inscription au permis",
        "Relevé d'information pour annulation",
        "Relevé d'information pour invalidation",
    ]
    assert PrefectureDocumentKind("medical_opinion") is PrefectureDocumentKind.MEDICAL_OPINION
