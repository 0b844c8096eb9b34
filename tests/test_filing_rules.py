"""The filing rules checked locally: the paper mandate, the request types and their trainings,
the documents of today and when each is required, the former agreement of a transfer, and the
warnings (an old NEPH, no way to reach the student)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import antsclient as ants
from antsclient.attachments import check_comment, offered_kinds, required_kinds
from antsclient.errors import ApplicationDataError, AttachmentRejected, Severity
from antsclient.models import (
    DOCUMENT_SPECS,
    REQUEST_TYPES,
    TRAININGS,
    DocumentKind,
    LicenceCategory,
    RequestStatus,
    RequestType,
    Training,
)
from antsclient.validation import (
    MANDATE_BARRED_DEPARTMENTS,
    NEPH_VALIDITY_YEARS,
    check_former_agreement,
    neph_mismatch,
    validate,
)

ON = dt.date(2025, 6, 1)
K = DocumentKind
L = LicenceCategory
Make = Callable[..., Any]


def _codes(application: Any, severity: Severity | None = None) -> set[str]:
    return {
        p.code for p in validate(application, on=ON) if severity is None or p.severity is severity
    }


def _mandate(make_application: Make, **changes: Any) -> Any:
    return make_application(paper_mandate=True, paper_mandate_date=ON, **changes)


def _moved_to(application: Any, postal_code: str, city: str = "VILLE") -> Any:
    address = attrs.evolve(application.applicant.address, postal_code=postal_code, city=city)
    return attrs.evolve(application, applicant=attrs.evolve(application.applicant, address=address))


# --- the paper mandate -------------------------------------------------------------------------


def test_a_dated_paper_mandate_is_valid(make_application: Make) -> None:
    assert validate(_mandate(make_application), on=ON) == []


def test_a_paper_mandate_needs_its_date_not_in_the_future(make_application: Make) -> None:
    undated = make_application(paper_mandate=True)
    (problem,) = [p for p in validate(undated, on=ON) if p.field == "paper_mandate_date"]
    assert problem.code == "paper_mandate.date_required"
    assert "6 mois" in problem.message_fr
    later = make_application(paper_mandate=True, paper_mandate_date=ON + dt.timedelta(days=1))
    assert "date.in_future" in _codes(later)


@pytest.mark.parametrize(
    ("postal_code", "where"),
    [
        ("20000", "Corse-du-Sud (2A)"),
        ("20200", "Haute-Corse (2B)"),
        ("97200", "Martinique (972)"),
        ("97300", "Guyane (973)"),
        ("97400", "La Réunion (974)"),
        ("97600", "Mayotte (976)"),
    ],
)
def test_no_paper_mandate_in_corsica_nor_overseas_but_guadeloupe(
    make_application: Make, postal_code: str, where: str
) -> None:
    moved = _moved_to(_mandate(make_application), postal_code)
    (problem,) = [p for p in validate(moved, on=ON) if p.code == "paper_mandate.region_excluded"]
    assert problem.is_error
    assert where in problem.message_fr
    # without a mandate the same student files normally
    assert "paper_mandate.region_excluded" not in _codes(
        attrs.evolve(moved, paper_mandate=False, paper_mandate_date=None)
    )


@pytest.mark.parametrize("postal_code", ["97100", "97110", "69800", "75001"])
def test_a_paper_mandate_is_fine_in_guadeloupe_and_the_mainland(
    make_application: Make, postal_code: str
) -> None:
    moved = _moved_to(_mandate(make_application), postal_code)
    assert not any(code.startswith("paper_mandate") for code in _codes(moved))


def test_the_excluded_departments_are_corsica_and_overseas_but_guadeloupe() -> None:
    assert set(MANDATE_BARRED_DEPARTMENTS) == {"2A", "2B", "972", "973", "974", "976"}


def test_no_paper_mandate_for_a_lost_or_stolen_licence(
    make_application: Make, make_previous_licence: Make
) -> None:
    lost = make_previous_licence(categories={L.B}, lost_or_stolen=True)
    application = _mandate(make_application, categories={L.BE}, previous_licence=lost)
    (problem,) = [
        p for p in validate(application, on=ON) if p.code == "paper_mandate.loss_or_theft"
    ]
    assert "perte ou de vol" in problem.message_fr
    assert problem.field == "paper_mandate"


def test_under_a_mandate_the_email_is_optional_but_someone_must_be_reachable(
    make_application: Make,
) -> None:
    no_email = _mandate(make_application, applicant={"email": "", "phone": "0611223344"})
    assert validate(no_email, on=ON) == []
    unreachable = _mandate(make_application, applicant={"email": "", "phone": None})
    problems = [p for p in validate(unreachable, on=ON) if p.code == "contact.none"]
    assert [p.severity for p in problems] == [Severity.WARNING]
    assert "l'ANTS ne pourra pas informer l'élève" in problems[0].message_fr
    # without a mandate the email stays required (the student confirms by email)
    assert "required" in _codes(make_application(applicant={"email": ""}))


# --- request types and trainings ---------------------------------------------------------------


def test_every_request_type_has_its_row_and_form() -> None:
    assert set(REQUEST_TYPES) == set(RequestType)
    for kind, spec in REQUEST_TYPES.items():
        assert spec.cerfa is kind.cerfa
        assert {K.IDENTITY, K.PROOF_OF_ADDRESS} <= spec.documents
        assert spec.source.startswith("verified")
    assert REQUEST_TYPES[RequestType.EXAM_REGISTRATION].accepted_status is (
        RequestStatus.READY_FOR_CERFA06
    )
    assert REQUEST_TYPES[RequestType.TITLE_AFTER_TRAINING].pro_account_only
    assert set(TRAININGS) == set(Training)


def test_a_request_type_is_filed_on_its_own_form(
    make_application: Make, make_cerfa06: Make
) -> None:
    assert "request_type.wrong_form" in _codes(
        make_application(request_type=RequestType.TITLE_AFTER_EXAM)
    )
    assert "request_type.wrong_form" in _codes(
        make_cerfa06(request_type=RequestType.EXAM_REGISTRATION)
    )


def test_a_title_after_the_exam_needs_a_neph_but_not_one_after_a_training(
    make_cerfa06: Make, make_previous_licence: Make
) -> None:
    assert "neph.required" in _codes(make_cerfa06(neph=None))
    b96 = make_cerfa06(
        neph=None,
        request_type=RequestType.TITLE_AFTER_TRAINING,
        training=Training.B96,
        previous_licence=make_previous_licence(categories={L.B}),
    )
    assert validate(b96, on=ON) == []


def _training(make_cerfa06: Make, training: Training | None, **changes: Any) -> Any:
    return make_cerfa06(
        neph=None, request_type=RequestType.TITLE_AFTER_TRAINING, training=training, **changes
    )


def test_a_title_after_a_training_names_the_training(make_cerfa06: Make) -> None:
    (problem,) = [
        p for p in validate(_training(make_cerfa06, None), on=ON) if p.field == "training"
    ]
    assert problem.code == "training.required"
    assert "B96" in problem.message_fr
    assert "training.not_for_request_type" in _codes(make_cerfa06(training=Training.AM))


@pytest.mark.parametrize(
    ("training", "categories", "held", "codes"),
    [
        (Training.AM, {L.AM}, None, set()),
        (Training.AM, {L.B}, None, {"training.categories"}),
        (Training.B96, {L.B}, None, {"training.prerequisite_missing"}),
        (Training.CODE_78_REMOVAL, {L.B}, {L.B}, set()),
        (Training.A_PROGRESSIVE, {L.A}, {L.A2}, set()),
        (Training.A_PROGRESSIVE, {L.A}, {L.B}, {"training.prerequisite_missing"}),
        (
            Training.A_PROGRESSIVE,
            {L.B},
            None,
            {"training.categories", "training.prerequisite_missing"},
        ),
    ],
)
def test_each_training_its_category_and_what_must_be_held(
    make_cerfa06: Make,
    make_previous_licence: Make,
    training: Training,
    categories: set[LicenceCategory],
    held: set[LicenceCategory] | None,
    codes: set[str],
) -> None:
    previous = make_previous_licence(categories=held) if held else None
    application = _training(
        make_cerfa06, training, categories=categories, previous_licence=previous
    )
    errors = _codes(application, Severity.ERROR)
    assert {c for c in errors if c.startswith("training")} == codes


def test_a_training_on_a_category_held_too_recently_warns(
    make_cerfa06: Make, make_previous_licence: Make
) -> None:
    recent = make_previous_licence(categories={L.A2}, last_obtained_on=ON - dt.timedelta(days=200))
    application = _training(
        make_cerfa06, Training.A_PROGRESSIVE, categories={L.A}, previous_licence=recent
    )
    (problem,) = [p for p in validate(application, on=ON) if p.code == "training.held_too_recently"]
    assert problem.severity is Severity.WARNING
    assert "24 mois" in problem.message_fr


def test_the_b96_mention_is_requested_on_a_b_already_held(
    make_cerfa06: Make, make_previous_licence: Make
) -> None:
    b96 = _training(
        make_cerfa06,
        Training.B96,
        categories={L.B},
        previous_licence=make_previous_licence(categories={L.B}),
    )
    assert "categories.already_held" not in _codes(b96)


def test_the_age_of_a_training_title(
    make_cerfa06: Make, born_aged: Callable[[int], dt.date]
) -> None:
    am = _training(
        make_cerfa06,
        Training.AM,
        categories={L.AM},
        applicant={"birth_date": born_aged(13)},
        legal_representative=None,
    )
    assert "categories.below_minimum_age" in _codes(am, Severity.WARNING)


# --- the NEPH and the Cerfa 02 -----------------------------------------------------------------


def test_a_neph_older_than_six_years_warns(make_application: Make) -> None:
    (problem,) = [
        p
        for p in validate(make_application(neph="150833200011"), on=ON)
        if p.code == "neph.older_than_six_years"
    ]
    assert problem.severity is Severity.WARNING
    assert "08/2015" in problem.message_fr
    assert "6 ans" in problem.message_fr


@given(
    registered=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2025, 5, 31)),
)
def test_the_neph_warning_follows_its_first_four_digits(registered: dt.date) -> None:
    neph = f"{registered:%y%m}33200011"
    application = ants.Cerfa02(
        applicant=ants.Applicant(
            last_name="MARTIN",
            first_name="Julie",
            birth_date=dt.date(1980, 1, 1),
            birth_city="PARIS",
            birth_department="75",
            birth_country="FRANCE",
            address=ants.Address(street="1 rue X", postal_code="75001", city="PARIS"),
            email="julie@example.org",
        ),
        categories={L.B},
        neph=neph,
    )
    old = registered.replace(day=1) <= ON.replace(year=ON.year - NEPH_VALIDITY_YEARS)
    assert ("neph.older_than_six_years" in _codes(application)) is old


@pytest.mark.parametrize("neph", ["150833200011", "1508 3320 0011", "15083320001", "159933200011"])
def test_a_neph_the_warning_cannot_read_is_left_alone_or_judged(
    make_application: Make, neph: str
) -> None:
    codes = _codes(make_application(neph=neph))
    assert ("neph.older_than_six_years" in codes) is (neph.replace(" ", "") == "150833200011")


def test_the_neph_of_a_title_is_the_inscriptions() -> None:
    assert neph_mismatch("230833200011", "2308 3320 0011") is None
    assert neph_mismatch(None, "230833200011") is None
    problem = neph_mismatch("230833200011", "230833200012")
    assert problem is not None and problem.code == "neph.mismatch"


# --- the former agreement of a transfer --------------------------------------------------------


def test_the_former_agreement_is_normalised() -> None:
    assert check_former_agreement(" e 23 094 0014 0 ", own="E1706900030") == "E2309400140"


@pytest.mark.parametrize("wrong", ["", "E123", "F2309400140", "E23094001400", "2309400140"])
def test_a_malformed_former_agreement_is_refused(wrong: str) -> None:
    with pytest.raises(ApplicationDataError) as refused:
        check_former_agreement(wrong, own="E1706900030")
    (problem,) = refused.value.problems
    assert (problem.field, problem.code) == ("former_agreement", "former_agreement.invalid")
    assert "10 chiffres" in problem.message_fr


def test_the_former_agreement_is_not_the_agencys_own() -> None:
    with pytest.raises(ApplicationDataError) as refused:
        check_former_agreement("E1706900030", own="e 1706900030")
    assert refused.value.problems[0].code == "former_agreement.own_agency"


@given(digits=st.text("0123456789", min_size=10, max_size=10))
def test_every_e_and_ten_digits_is_an_agreement(digits: str) -> None:
    own = "E0000000000"
    if "E" + digits == own:
        return
    assert check_former_agreement("E" + digits, own=own) == "E" + digits


# --- the documents of today --------------------------------------------------------------------


def test_the_census_certificate_for_a_french_student_of_16_to_25(
    make_application: Make, born_aged: Callable[[int], dt.date]
) -> None:
    def needs(age: int, nationality: str | None = "FRANCE") -> bool:
        application = make_application(
            applicant={"birth_date": born_aged(age), "nationality": nationality},
            legal_representative=None,
        )
        return K.CENSUS_CERTIFICATE in required_kinds(application, on=ON)

    assert [needs(age) for age in (15, 16, 24, 25)] == [False, True, True, False]
    assert not needs(20, None)
    assert not needs(20, "ITALIE")


def test_the_host_documents_for_a_hosted_student(make_application: Make) -> None:
    hosted = make_application(applicant={"hosted": True})
    assert {K.HOST_ATTESTATION, K.HOST_IDENTITY} <= required_kinds(hosted, on=ON)
    assert not {K.HOST_ATTESTATION, K.HOST_IDENTITY} & required_kinds(make_application(), on=ON)


def test_the_representative_identity_for_a_minor(
    make_application: Make, born_aged: Callable[[int], dt.date]
) -> None:
    minor = make_application(applicant={"birth_date": born_aged(17)})
    assert K.REPRESENTATIVE_IDENTITY in required_kinds(minor, on=ON)
    assert K.REPRESENTATIVE_IDENTITY not in required_kinds(make_application(), on=ON)


def test_the_copy_of_the_licence_held(
    make_application: Make, make_previous_licence: Make, make_cerfa06: Make
) -> None:
    old_b = make_previous_licence(categories={L.B}, last_obtained_on=dt.date(2010, 1, 1))
    recent_b = make_previous_licence(categories={L.B}, last_obtained_on=dt.date(2022, 1, 1))
    a1 = {L.A1}
    assert K.LICENCE_COPY in required_kinds(
        make_application(categories={L.BE}, previous_licence=old_b), on=ON
    )  # BE needs B held
    assert K.LICENCE_COPY in required_kinds(
        make_application(categories=a1, previous_licence=recent_b), on=ON
    )  # less than five years old
    assert K.LICENCE_COPY not in required_kinds(
        make_application(categories=a1, previous_licence=old_b), on=ON
    )
    b96 = _training(make_cerfa06, Training.B96, previous_licence=old_b)
    assert K.LICENCE_COPY in required_kinds(b96, on=ON)


def test_a_training_title_needs_its_certificate_and_am_its_assr(make_cerfa06: Make) -> None:
    am = _training(make_cerfa06, Training.AM, categories={L.AM})
    assert {K.TRAINING_CERTIFICATE, K.ASSR} <= required_kinds(am, on=ON)
    assert K.CENSUS_CERTIFICATE not in required_kinds(am, on=ON)


def test_the_slots_follow_the_request_type(make_application: Make, make_cerfa06: Make) -> None:
    assert offered_kinds(make_application(), on=ON) == tuple(DocumentKind)
    title = offered_kinds(make_cerfa06(), on=ON)
    assert K.ASSR not in title and K.MILITARY_LICENCE not in title
    assert title[:2] == (K.IDENTITY, K.PROOF_OF_ADDRESS)


def test_a_comment_only_where_the_kind_takes_one() -> None:
    check_comment("recto verso", K.IDENTITY)
    check_comment(None, K.HOST_IDENTITY)
    check_comment("", K.HOST_IDENTITY)
    with pytest.raises(AttachmentRejected) as refused:
        check_comment("recto", K.HOST_IDENTITY)
    assert refused.value.code == "attachment.comment_not_allowed"
    assert "n'accepte pas de commentaire" in refused.value.message_fr
    assert {k for k, spec in DOCUMENT_SPECS.items() if not spec.comment_allowed} == {
        K.HOST_IDENTITY,
        K.REPRESENTATIVE_IDENTITY,
        K.LICENCE_COPY,
    }


# --- what the request carries ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signed", "kept"),
    [
        (dt.date(2026, 1, 15), dt.date(2026, 7, 15)),
        (dt.date(2026, 8, 31), dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), dt.date(2028, 2, 29)),
    ],
)
def test_the_mandate_is_kept_six_months(signed: dt.date, kept: dt.date) -> None:
    now = dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
    request = ants.OnlineRequest(
        number="3223",
        cerfa=ants.Cerfa.C02,
        status=RequestStatus.UNDER_REVIEW,
        status_label="x",
        type_label="y",
        created=now,
        modified=now,
        paper_mandate=True,
        paper_mandate_date=signed,
    )
    assert request.mandate_kept_until == kept
    assert "paper mandate" in repr(request)
    assert attrs.evolve(request, paper_mandate=False).mandate_kept_until is None
