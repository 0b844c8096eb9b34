"""Divergence de données: the three cases as errors, and the fields that differ."""

from __future__ import annotations

import datetime as dt
import pickle

import attrs
from hypothesis import given
from hypothesis import strategies as st

import antsclient as ants
from antsclient.demo import sample_application
from antsclient.divergence import Difference, differences
from antsclient.errors import DivergenceCase, DivergenceError
from antsclient.models import Cerfa06, LegalRepresentative, PreviousLicence
from antsclient.storage import Student


def test_each_case_has_the_manuals_message_and_pickles() -> None:
    for case in DivergenceCase:
        error = DivergenceError("clash", case=case.value, existing_number="3223")
        assert error.case is case
        assert error.message_fr == case.message_fr
        assert error.message_fr.startswith("Divergence de données : ")
        again = pickle.loads(pickle.dumps(error))
        assert (again.case, again.existing_number, again.message_fr) == (
            case,
            "3223",
            case.message_fr,
        )
    assert "modifiez l'email" in DivergenceCase.SHARED_EMAIL.message_fr
    assert "Reliez la demande" in DivergenceCase.ALREADY_REGISTERED.message_fr
    assert "vérifier la fiche de l'élève" in DivergenceCase.DIFFERENT_DATA.message_fr


def test_an_unknown_or_missing_case_keeps_the_general_message() -> None:
    for case in (None, "a_case_of_tomorrow"):
        error = DivergenceError("clash", case=case)
        assert error.case is None
        assert error.message_fr == DivergenceError.default_message_fr
    told = DivergenceError("clash", case="shared_email", message_fr="Texte de l'ANTS")
    assert told.message_fr == "Texte de l'ANTS"


def test_the_same_application_does_not_differ() -> None:
    application = sample_application()
    assert differences(application, application) == []


def test_case_accents_and_spaces_do_not_count() -> None:
    application = sample_application()
    applicant = attrs.evolve(
        application.applicant, last_name="  Labóret ", first_name="CLAIRE  ANNE"
    )
    assert differences(attrs.evolve(application, applicant=applicant), application) == []


def test_each_difference_says_both_sides() -> None:
    ants_side = sample_application()
    licence = PreviousLicence(categories={ants.LicenceCategory.AM}, last_obtained_on="2022-01-02")
    host = attrs.evolve(
        ants_side,
        applicant=attrs.evolve(ants_side.applicant, birth_date=dt.date(2006, 7, 6)),
        previous_licence=licence,
        legal_representative=LegalRepresentative(
            last_name="LABORET", first_name="Marc", address=ants_side.applicant.address
        ),
        categories={ants.LicenceCategory.A2},
        student_id="host-only",
    )
    found = {d.field: d for d in differences(host, ants_side)}
    assert found["applicant.birth_date"] == Difference(
        field="applicant.birth_date",
        label="Date de naissance",
        host="06/07/2006",
        ants="05/07/2006",
    )
    assert found["categories"].host == "A2" and found["categories"].ants == "B"
    assert found["previous_licence.categories"].host == "AM"
    assert found["previous_licence.categories"].ants == ""
    assert found["previous_licence.obtained_by"].host == "Par examen"
    assert found["legal_representative.first_name"].label == "Prénom du représentant légal"
    assert "student_id" not in found


def test_a_cerfa06_is_compared_on_the_common_fields() -> None:
    application = sample_application()
    title = Cerfa06(applicant=application.applicant, categories=application.categories, neph="1")
    assert [d.field for d in differences(application, title)] == ["neph"]


def test_a_student_with_application_data_is_compared_on_it() -> None:
    application = sample_application()
    student = Student(
        student_id="S1", last_name="X", first_name="Y", email=None, application=application
    )
    assert differences(student, application) == []


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_a_name_differs_exactly_when_its_folded_key_does(mine: str, theirs: str) -> None:
    from antsclient._text import fold

    application = sample_application()
    host = attrs.evolve(application, applicant=attrs.evolve(application.applicant, last_name=mine))
    held = attrs.evolve(
        application, applicant=attrs.evolve(application.applicant, last_name=theirs)
    )
    found = [d.field for d in differences(host, held)]
    assert found == ([] if fold(mine) == fold(theirs) else ["applicant.last_name"])
