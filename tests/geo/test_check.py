"""The geo check of an application and its corrections."""

from __future__ import annotations

import datetime as dt

import pytest

from antsclient.geo import CheckStatus, GeoReport, check
from antsclient.geo.check import (
    MSG_ABROAD,
    MSG_ACCENTS,
    MSG_COUNTRY_UNKNOWN,
    MSG_HYPHENS,
    MSG_SAINT,
)
from antsclient.models import (
    Address,
    Applicant,
    Cerfa02,
    LegalRepresentative,
    LicenceCategory,
    PreviousLicence,
)


def application(
    *,
    city: str = "SAINT-PRIEST (69800)",
    postal_code: str = "69800",
    birth_city: str = "PARIS",
    birth_department: str | None = "75",
    birth_country: str = "FRANCE",
    birth_date: dt.date = dt.date(2005, 3, 1),
    representative_city: str | None = None,
    previous: PreviousLicence | None = None,
) -> Cerfa02:
    applicant = Applicant(
        last_name="DUPONT",
        first_name="Jean",
        birth_date=birth_date,
        birth_city=birth_city,
        birth_country=birth_country,
        birth_department=birth_department,
        address=Address(street="1 rue de la Gare", postal_code=postal_code, city=city),
        email="jean.dupont@example.org",
    )
    representative = None
    if representative_city is not None:
        representative = LegalRepresentative(
            last_name="DUPONT",
            first_name="Marie",
            address=Address(street="1 rue de la Gare", postal_code="", city=representative_city),
        )
    return Cerfa02(
        applicant=applicant,
        categories={LicenceCategory.B},
        legal_representative=representative,
        previous_licence=previous,
    )


def previous_licence(department: str | None, country: str | None) -> PreviousLicence:
    return PreviousLicence(
        categories={LicenceCategory.AM},
        last_obtained_on=dt.date(2020, 1, 1),
        issuing_department=department,
        exchange_country=country,
    )


def test_the_manuals_accepted_screen_is_conforming() -> None:
    report = check(application())
    assert report.ok
    assert report.problems == ()
    assert report["applicant.birth_city"].status is CheckStatus.CONFORMING
    assert report["applicant.birth_department"].ok
    assert report["applicant.birth_country"].ok
    assert "legal_representative.address.city" not in report
    assert len(list(report)) == 4
    assert report.apply(application()) == application()


def test_st_priest_with_its_postal_code_is_corrected() -> None:
    report = check(application(city="ST PRIEST"))
    field = report["applicant.address.city"]
    assert field.status is CheckStatus.CORRECTED
    assert (field.before, field.after) == ("ST PRIEST", "SAINT-PRIEST (69800)")
    assert MSG_SAINT in field.messages
    assert MSG_HYPHENS in field.messages
    assert field.messages[0] == "Ville incorrecte"
    assert field.label == "Ville d'habitation de l'élève"
    fixed = report.apply(application(city="ST PRIEST"))
    assert fixed.applicant.address.city == "SAINT-PRIEST (69800)"
    assert check(fixed).ok


def test_st_priest_without_postal_code_needs_a_choice() -> None:
    report = check(application(representative_city="ST PRIEST"))
    field = report["legal_representative.address.city"]
    assert field.status is CheckStatus.NEEDS_CHOICE
    assert field.label == "Ville du représentant légal"
    for expected in ("SAINT-PRIEST (07000)", "SAINT-PRIEST (23110)", "SAINT-PRIEST (69800)"):
        assert expected in field.suggestions
    assert not report.ok
    assert report.problems == (field,)
    untouched = report.apply(application(representative_city="ST PRIEST"))
    assert untouched.legal_representative is not None
    assert untouched.legal_representative.address.city == "ST PRIEST"
    chosen = report.apply(
        application(representative_city="ST PRIEST"),
        {"legal_representative.address.city": "SAINT-PRIEST (69800)"},
    )
    assert chosen.legal_representative is not None
    assert chosen.legal_representative.address.city == "SAINT-PRIEST (69800)"


def test_accents_in_the_birth_city() -> None:
    report = check(application(birth_city="Saint-Étienne", birth_department="42"))
    field = report["applicant.birth_city"]
    assert field.status is CheckStatus.CORRECTED
    assert field.after == "SAINT-ETIENNE"
    assert MSG_ACCENTS in field.messages


def test_unknown_city() -> None:
    report = check(application(city="QWXZKJQWXZ", postal_code=""))
    field = report["applicant.address.city"]
    assert field.status is CheckStatus.UNKNOWN
    in_postal_code = check(application(city="QWXZKJQWXZ"))["applicant.address.city"]
    assert in_postal_code.status is CheckStatus.NEEDS_CHOICE
    assert in_postal_code.suggestions == ("SAINT-PRIEST (69800)",)
    assert field.messages[0] == "Ville incorrecte"
    empty = check(application(city=" "))["applicant.address.city"]
    assert empty.status is CheckStatus.UNKNOWN


def test_typo_needs_a_choice() -> None:
    field = check(application(birth_city="VILEURBANNE", birth_department="69"))[
        "applicant.birth_city"
    ]
    assert field.status is CheckStatus.NEEDS_CHOICE
    assert field.suggestions[0] == "VILLEURBANNE (69)"


def test_homonym_birth_cities_are_told_apart_and_a_choice_settles_them() -> None:
    typed = application(birth_city="ST PRIEST", birth_department=None)
    report = check(typed)
    field = report["applicant.birth_city"]
    assert field.status is CheckStatus.NEEDS_CHOICE
    assert {"SAINT-PRIEST (69)", "SAINT-PRIEST (07)", "SAINT-PRIEST (23)"} <= set(field.suggestions)
    fixed = report.apply(typed, {"applicant.birth_city": "SAINT-PRIEST (69)"})
    assert (fixed.applicant.birth_city, fixed.applicant.birth_department) == (
        "SAINT-PRIEST",
        "69",
    )
    assert check(fixed)["applicant.birth_city"].ok


def test_choosing_an_address_city_settles_its_postal_code() -> None:
    typed = application(city="SAINT PRIEST", postal_code="69000")
    report = check(typed)
    fixed = report.apply(typed, {"applicant.address.city": "SAINT-PRIEST (69800)"})
    assert fixed.applicant.address.postal_code == "69800"
    assert check(fixed)["applicant.address.city"].ok


def test_delegated_birth_city_maps_to_the_current_commune() -> None:
    field = check(application(birth_city="Pierre-Bénite", birth_department="69"))[
        "applicant.birth_city"
    ]
    assert field.status is CheckStatus.CORRECTED
    assert field.after == "OULLINS-PIERRE-BENITE"
    assert "commune déléguée" in field.note


def test_department_99_must_stay_empty() -> None:
    app = application(
        birth_city="Berlin",
        birth_department="99",
        birth_country="Allemagne",
        previous=previous_licence("99", "Deutschland"),
    )
    report = check(app)
    department = report["applicant.birth_department"]
    assert department.status is CheckStatus.CORRECTED
    assert department.clear
    assert MSG_ABROAD in department.messages
    assert MSG_ABROAD == (
        "Le département n'est pas français. Il doit rester vide (99 n'est plus pris en compte)"
    )
    issuing = report["previous_licence.issuing_department"]
    assert issuing.clear
    assert MSG_ABROAD in issuing.messages
    country = report["applicant.birth_country"]
    assert (country.status, country.after) == (CheckStatus.CORRECTED, "ALLEMAGNE")
    exchange = report["previous_licence.exchange_country"]
    assert exchange.after == "ALLEMAGNE"
    city = report["applicant.birth_city"]
    assert (city.status, city.after) == (CheckStatus.CORRECTED, "BERLIN")
    fixed = report.apply(app)
    assert fixed.applicant.birth_department is None
    assert fixed.applicant.birth_country == "ALLEMAGNE"
    assert fixed.previous_licence is not None
    assert fixed.previous_licence.issuing_department is None
    assert fixed.previous_licence.exchange_country == "ALLEMAGNE"
    assert check(fixed).ok


def test_department_given_while_born_abroad() -> None:
    report = check(
        application(birth_city="LONDRES", birth_department="75", birth_country="ROYAUME-UNI")
    )
    assert report["applicant.birth_city"].ok
    assert report["applicant.birth_department"].clear
    assert report["applicant.birth_country"].ok


def test_unknown_country() -> None:
    report = check(application(birth_country="Atlantide"))
    field = report["applicant.birth_country"]
    assert field.status is CheckStatus.UNKNOWN
    assert MSG_COUNTRY_UNKNOWN in field.messages
    missing = check(application(birth_country=""))["applicant.birth_country"]
    assert missing.status is CheckStatus.UNKNOWN


def test_country_typo_is_offered() -> None:
    field = check(application(birth_country="FRNACE"))["applicant.birth_country"]
    assert field.status is CheckStatus.NEEDS_CHOICE
    assert field.suggestions == ("FRANCE",)


def test_department_by_name_is_corrected_to_its_code() -> None:
    field = check(application(birth_department="Paris"))["applicant.birth_department"]
    assert (field.status, field.after) == (CheckStatus.CORRECTED, "75")


def test_department_typo_and_unknown() -> None:
    typo = check(application(birth_department="Pariss"))["applicant.birth_department"]
    assert typo.status in {CheckStatus.CORRECTED, CheckStatus.NEEDS_CHOICE}
    unknown = check(application(birth_department="XYZXYZ"))["applicant.birth_department"]
    assert unknown.status is CheckStatus.UNKNOWN
    assert unknown.messages == ("Département incorrect",)


def test_missing_birth_department_is_filled_from_the_city() -> None:
    field = check(application(birth_city="VILLEURBANNE", birth_department=None))[
        "applicant.birth_department"
    ]
    assert (field.status, field.after) == (CheckStatus.CORRECTED, "69")


def test_corsica() -> None:
    recent = check(application(birth_city="AJACCIO", birth_department="20"))
    assert recent["applicant.birth_department"].after == "2A"
    old = check(
        application(birth_city="AJACCIO", birth_department="20", birth_date=dt.date(1970, 1, 1))
    )
    assert old["applicant.birth_department"].ok
    unsure = check(application(birth_city="XYZXYZXYZ", birth_department="20"))
    field = unsure["applicant.birth_department"]
    assert field.status is CheckStatus.NEEDS_CHOICE
    assert field.suggestions == ("2A", "2B")


def test_previous_licence_fields() -> None:
    report = check(application(previous=previous_licence("69", None)))
    assert report["previous_licence.issuing_department"].ok
    assert report["previous_licence.exchange_country"].ok
    report = check(application(previous=previous_licence(None, "Atlantide")))
    assert report["previous_licence.exchange_country"].status is CheckStatus.UNKNOWN


def test_apply_refuses_unknown_paths() -> None:
    report = check(application())
    with pytest.raises(KeyError):
        report.apply(application(), {"applicant.email": "x"})
    with pytest.raises(KeyError):
        report["applicant.email"]


def test_report_is_plain_data() -> None:
    report = check(application(city="ST PRIEST"))
    assert isinstance(report, GeoReport)
    assert report == check(application(city="ST PRIEST"))


def test_docs_geo_blocks_run() -> None:
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "geo.md"
    blocks = re.findall(r"^```python\n(.*?)^```", page.read_text("utf-8"), re.M | re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/geo.md", "exec"), {"__name__": "docs_geo"})
