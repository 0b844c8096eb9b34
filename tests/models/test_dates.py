"""Dates as people write them, in the models' date fields: ISO or French day first, read at
construction; anything else refused there, by a typed French error naming the field."""

from __future__ import annotations

import datetime as dt
import pickle

import attrs
import pytest

import antsclient as ants
from antsclient.codec import read_application, to_data
from antsclient.models.dates import parse_date_text

DAY = dt.date(2001, 3, 14)
ON = dt.date(2026, 11, 27)


def _applicant(birth_date: object) -> ants.Applicant:
    return ants.Applicant(
        last_name="MARTIN",
        first_name="Julie",
        birth_date=birth_date,  # type: ignore[arg-type]
        birth_city="PARIS",
        birth_department="75",
        birth_country="FRANCE",
        address=ants.Address(street="1 rue", postal_code="69800", city="SAINT-PRIEST"),
        email="julie.martin@example.org",
    )


@pytest.mark.parametrize(
    "text",
    [
        "2001-03-14",
        "14/03/2001",
        "14/3/2001",
        "14-03-2001",
        "14.03.2001",
        " 14/03/2001 ",
        "2001/03/14",
        "2001-03-14T10:30:00",
    ],
)
def test_a_birth_date_written_as_text_is_read(text: str) -> None:
    assert _applicant(text).birth_date == DAY


def test_a_datetime_gives_its_day_and_a_date_is_kept() -> None:
    assert _applicant(dt.datetime(2001, 3, 14, 23, 59)).birth_date == DAY
    assert _applicant(DAY).birth_date is DAY


def test_validate_takes_an_application_whose_dates_were_texts() -> None:
    applicant = _applicant("2001-01-01")
    application = ants.Cerfa02(
        applicant=applicant,
        categories={ants.LicenceCategory.B},
        medical_visit_date="01/06/2026",
        previous_licence=ants.PreviousLicence(
            categories={ants.LicenceCategory.AM}, last_obtained_on="15/06/2016"
        ),
    )
    assert application.medical_visit_date == dt.date(2026, 6, 1)
    assert application.previous_licence is not None
    assert application.previous_licence.last_obtained_on == dt.date(2016, 6, 15)
    assert ants.validate(application, on=ON) == []
    assert read_application(to_data(application)) == application


def test_evolve_reads_a_text_too() -> None:
    assert attrs.evolve(_applicant(DAY), birth_date="01/01/2002").birth_date == dt.date(2002, 1, 1)


@pytest.mark.parametrize("value", ["hier", "32/13/2001", "14/03/01", "", 20010314, None])
def test_a_birth_date_that_is_no_date_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(ants.ApplicationDataError) as refused:
        _applicant(value)
    error = refused.value
    assert error.field == "applicant.birth_date"
    (problem,) = error.problems
    assert problem.code == "date.invalid"
    assert "(Date de naissance) est incorrecte" in problem.message_fr
    assert "JJ/MM/AAAA" in problem.message_fr
    assert "applicant.birth_date" in str(error)
    assert pickle.loads(pickle.dumps(error)).problems == error.problems


def test_the_other_date_fields_name_themselves() -> None:
    with pytest.raises(ants.ApplicationDataError) as previous:
        ants.PreviousLicence(categories={ants.LicenceCategory.B}, last_obtained_on="bientôt")
    assert previous.value.field == "previous_licence.last_obtained_on"
    assert "« bientôt » (Dernière catégorie obtenue le)" in previous.value.message_fr
    with pytest.raises(ants.ApplicationDataError) as visit:
        ants.Cerfa02(
            applicant=_applicant(DAY),
            categories={ants.LicenceCategory.B},
            medical_visit_date="demain",
        )
    assert visit.value.field == "medical_visit_date"
    assert ants.Cerfa02(applicant=_applicant(DAY), categories=["B"]).medical_visit_date is None


@pytest.mark.parametrize("text", ["2001-02-30", "30/02/2001", "2001-13-01", "01/13/2001"])
def test_an_impossible_day_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError, match=r"must be in|day is out of range"):
        parse_date_text(text)
