"""``antsclient.validate(application, geo=True)``: the data and the places in one call."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

import antsclient as ants
from antsclient import validation
from antsclient.checks import validate

ON = dt.date(2026, 11, 27)


def _application(city: str = "SAINT-PRIEST", birth_city: str = "PARIS", **applicant: object):
    return ants.Cerfa02(
        applicant=ants.Applicant(
            last_name="MARTIN",
            first_name="Julie",
            birth_date=dt.date(2001, 3, 14),
            birth_city=birth_city,
            birth_department="75",
            birth_country="FRANCE",
            address=ants.Address(street="12 rue de la République", postal_code="69800", city=city),
            **{"email": "julie.martin@example.org", **applicant},
        ),
        categories={ants.LicenceCategory.B},
    )


def test_the_public_validate_is_the_one_with_places() -> None:
    assert ants.validate is validate


def test_one_call_reports_the_data_and_the_places() -> None:
    app = _application(city="SAINT PRIST", birth_city="PARSI", email="julie@")
    problems = ants.validate(app, on=ON, geo=True)
    by_field = {p.field: p for p in problems}
    assert set(by_field) == {"applicant.email", "applicant.address.city", "applicant.birth_city"}
    assert problems[0].field == "applicant.email"  # the data's first
    city = by_field["applicant.address.city"]
    assert city.code == "city.incorrect" and city.is_error
    assert city.message_fr.startswith("Ville incorrecte : « SAINT PRIST »")
    assert "SAINT-PRIEST (69800)" in city.suggestions
    birth = by_field["applicant.birth_city"]
    assert birth.message_fr.startswith("Ville incorrecte : « PARSI »")
    assert birth.suggestions == ("PARIS (75)",)


def test_without_geo_only_the_data_is_checked() -> None:
    app = _application(city="SAINT PRIST", birth_city="PARSI")
    assert ants.validate(app, on=ON) == []
    assert ants.validate(app, on=ON) == validation.validate(app, on=ON)


def test_a_confirmed_place_is_not_a_problem() -> None:
    app = _application(city="SAINT PRIST", birth_city="PARSI")
    problems = ants.validate(app, on=ON, geo=True, confirm=["applicant.birth_city"])
    assert [p.field for p in problems] == ["applicant.address.city"]


def test_a_certain_correction_is_not_a_problem() -> None:
    app = _application(city="ST PRIEST")
    assert ants.validate(app, on=ON, geo=True) == []


@pytest.mark.parametrize("geo", [False, True])
def test_a_conforming_application_has_no_problem(geo: bool) -> None:
    assert ants.validate(_application(), on=ON, geo=geo) == []


def test_places_of_the_representative_and_the_previous_licence_are_checked() -> None:
    app = _application()
    representative = ants.LegalRepresentative(
        last_name="MARTIN",
        first_name="Paul",
        address=ants.Address(street="1 rue", postal_code="69800", city="SAINT PRIST"),
    )
    app = attrs.evolve(app, legal_representative=representative)
    fields = [p.field for p in ants.validate(app, on=ON, geo=True)]
    assert "legal_representative.address.city" in fields
