"""The geo fields that still need the user, as field problems in the manual's words."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from antsclient import FieldProblem, Severity
from antsclient.geo import CheckStatus, check
from antsclient.geo.check import (
    MSG_CITY,
    MSG_CITY_LIST,
    MSG_CORSICA,
    MSG_COUNTRY,
    MSG_COUNTRY_UNKNOWN,
    MSG_DEPARTMENT,
    MSG_HYPHENS,
    MSG_SAINT,
    FieldCheck,
)
from antsclient.models import Cerfa02, LicenceCategory

REPRESENTATIVE_CITY = "legal_representative.address.city"
HEADLINE = re.compile(
    r"^(Ville incorrecte|Département incorrect|Pays incorrect) : « (.*?) » \((.+?)\)\."
)


@pytest.fixture
def doubtful(
    make_application: Callable[..., Any],
    make_legal_representative: Callable[..., Any],
    make_address: Callable[..., Any],
    make_previous_licence: Callable[..., Any],
) -> Cerfa02:
    """A Cerfa 02 as a user types it: one certain correction, and one field of each kind to
    settle."""
    application: Cerfa02 = make_application(
        applicant={
            "address": {"city": "ST PRIEST", "postal_code": "69800"},
            "birth_city": "VILEURBANNE",
            "birth_department": "69",
            "birth_country": "FRNACE",
        },
        legal_representative=make_legal_representative(
            address=make_address(city="ST PRIEST", postal_code="")
        ),
        previous_licence=make_previous_licence(
            categories={LicenceCategory.AM},
            issuing_department="XYZXYZ",
            exchange_country="Atlantide",
        ),
    )
    return application


def _by_field(problems: list[FieldProblem]) -> dict[str, FieldProblem]:
    return {p.field: p for p in problems}


# --- which fields are problems ------------------------------------------------------------------


def test_a_corrected_field_is_not_a_problem(doubtful: Cerfa02) -> None:
    report = check(doubtful)
    corrected = report["applicant.address.city"]
    assert corrected.status is CheckStatus.CORRECTED
    assert corrected.after == "SAINT-PRIEST (69800)"
    assert corrected in report.problems
    assert "applicant.address.city" not in _by_field(report.field_problems())


def test_every_field_to_settle_is_a_problem(doubtful: Cerfa02) -> None:
    report = check(doubtful)
    problems = report.field_problems()
    expected = [
        f.path
        for f in report.problems
        if f.status in {CheckStatus.NEEDS_CHOICE, CheckStatus.UNKNOWN}
    ]
    assert [p.field for p in problems] == expected
    assert set(expected) == {
        REPRESENTATIVE_CITY,
        "applicant.birth_city",
        "applicant.birth_country",
        "previous_licence.issuing_department",
        "previous_licence.exchange_country",
    }
    for problem in problems:
        assert isinstance(problem, FieldProblem)
        assert problem.severity is Severity.ERROR
        assert problem.is_error


def test_a_conforming_application_has_no_problem(make_application: Callable[..., Any]) -> None:
    application = make_application(
        applicant={"address": {"city": "SAINT-PRIEST (69800)"}, "birth_city": "LYON"}
    )
    report = check(application)
    assert report.ok
    assert report.field_problems() == []


def test_a_confirmed_path_is_skipped(doubtful: Cerfa02) -> None:
    report = check(doubtful)
    all_paths = [p.field for p in report.field_problems()]
    confirmed = [REPRESENTATIVE_CITY, "applicant.birth_country"]
    left = [p.field for p in report.field_problems(confirmed)]
    assert left == [p for p in all_paths if p not in confirmed]
    assert [p.field for p in report.field_problems(iter(confirmed))] == left
    assert report.field_problems(all_paths) == []


def test_confirming_an_unknown_or_conforming_path_changes_nothing(doubtful: Cerfa02) -> None:
    report = check(doubtful)
    assert report.field_problems(["applicant.email", "applicant.address.city"]) == (
        report.field_problems()
    )


# --- the code of each kind of field ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("applicant.address.city", "city.incorrect"),
        (REPRESENTATIVE_CITY, "city.incorrect"),
        ("applicant.birth_city", "city.incorrect"),
        ("applicant.birth_department", "department.incorrect"),
        ("previous_licence.issuing_department", "department.incorrect"),
        ("applicant.birth_country", "country.incorrect"),
        ("previous_licence.exchange_country", "country.incorrect"),
    ],
)
def test_the_code_follows_the_kind_of_field(path: str, code: str) -> None:
    field = FieldCheck(path, "label", CheckStatus.UNKNOWN, "x")
    assert field.code == code
    assert field.as_problem().code == code


def test_each_problem_has_the_code_of_its_field(doubtful: Cerfa02) -> None:
    problems = _by_field(check(doubtful).field_problems())
    assert problems[REPRESENTATIVE_CITY].code == "city.incorrect"
    assert problems["applicant.birth_city"].code == "city.incorrect"
    assert problems["applicant.birth_country"].code == "country.incorrect"
    assert problems["previous_licence.issuing_department"].code == "department.incorrect"
    assert problems["previous_licence.exchange_country"].code == "country.incorrect"


# --- the French message -------------------------------------------------------------------------


def test_a_city_to_choose_in_the_manuals_words(doubtful: Cerfa02) -> None:
    report = check(doubtful)
    field = report[REPRESENTATIVE_CITY]
    problem = _by_field(report.field_problems())[REPRESENTATIVE_CITY]
    assert problem.message_fr.startswith(
        "Ville incorrecte : « ST PRIEST » (Ville du représentant légal). "
    )
    assert f"{MSG_SAINT}. " in problem.message_fr
    assert f"{MSG_HYPHENS}. " in problem.message_fr
    assert f"{MSG_CITY_LIST}. " in problem.message_fr
    assert problem.message_fr.endswith(" Choisissez parmi : " + ", ".join(field.suggestions) + ".")
    assert "SAINT-PRIEST (69800)" in problem.suggestions
    assert "SAINT-PRIEST (07000)" in problem.suggestions
    assert problem.suggestions == field.suggestions
    assert "'ST PRIEST'" in problem.message
    assert "needs_choice" in problem.message


def test_the_message_reads_headline_details_then_choices(doubtful: Cerfa02) -> None:
    report = check(doubtful)
    for field, problem in zip(
        [f for f in report.problems if f.status is not CheckStatus.CORRECTED],
        report.field_problems(),
        strict=True,
    ):
        found = HEADLINE.match(problem.message_fr)
        assert found is not None, problem.message_fr
        headline, value, label = found.groups()
        assert headline == field.messages[0]
        assert value == field.before
        assert label == field.label
        for detail in field.messages[1:]:
            assert f" {detail}." in problem.message_fr
        assert ".." not in problem.message_fr
        if field.suggestions:
            assert problem.message_fr.endswith(
                " Choisissez parmi : " + ", ".join(field.suggestions) + "."
            )
        else:
            assert "Choisissez" not in problem.message_fr


def test_a_country_typo_offers_the_country(doubtful: Cerfa02) -> None:
    problem = _by_field(check(doubtful).field_problems())["applicant.birth_country"]
    assert problem.message_fr == (
        f"{MSG_COUNTRY} : « FRNACE » (Pays de naissance). {MSG_COUNTRY_UNKNOWN}. "
        "Choisissez parmi : FRANCE."
    )
    assert problem.suggestions == ("FRANCE",)


def test_an_unknown_department_offers_nothing(doubtful: Cerfa02) -> None:
    problem = _by_field(check(doubtful).field_problems())["previous_licence.issuing_department"]
    assert problem.message_fr == (
        f"{MSG_DEPARTMENT} : « XYZXYZ » (Département délivrance ancien permis)."
    )
    assert problem.suggestions == ()


def test_corsica_offers_both_departments(make_application: Callable[..., Any]) -> None:
    application = make_application(applicant={"birth_city": "XYZXYZXYZ", "birth_department": "20"})
    problems = _by_field(check(application).field_problems())
    department = problems["applicant.birth_department"]
    assert department.code == "department.incorrect"
    assert department.message_fr == (
        f"{MSG_DEPARTMENT} : « 20 » (Département de naissance). {MSG_CORSICA}. "
        "Choisissez parmi : 2A, 2B."
    )
    assert department.suggestions == ("2A", "2B")
    city = problems["applicant.birth_city"]
    assert city.code == "city.incorrect"
    assert city.message_fr.startswith(f"{MSG_CITY} : « XYZXYZXYZ » (Ville de naissance).")


# --- as_problem ----------------------------------------------------------------------------------


def test_as_problem_with_no_suggestion_offers_none(doubtful: Cerfa02) -> None:
    field = check(doubtful)[REPRESENTATIVE_CITY]
    assert field.suggestions
    problem = field.as_problem(())
    assert problem.suggestions == ()
    assert "Choisissez parmi" not in problem.message_fr
    assert problem.message_fr.endswith(f"{MSG_CITY_LIST}.")
    assert problem.field == REPRESENTATIVE_CITY
    assert problem.code == "city.incorrect"


def test_as_problem_with_suggestions_of_ones_own(doubtful: Cerfa02) -> None:
    field = check(doubtful)[REPRESENTATIVE_CITY]
    problem = field.as_problem(("SAINT-PRIEST (69800)",))
    assert problem.suggestions == ("SAINT-PRIEST (69800)",)
    assert problem.message_fr.endswith(" Choisissez parmi : SAINT-PRIEST (69800).")


def test_a_corrected_field_as_a_problem_offers_its_correction(doubtful: Cerfa02) -> None:
    field = check(doubtful)["applicant.address.city"]
    problem = field.as_problem()
    assert problem.suggestions == field.suggestions
    assert problem.suggestions[0] == "SAINT-PRIEST (69800)"
    bare = FieldCheck(
        "applicant.birth_department",
        "Département de naissance",
        CheckStatus.CORRECTED,
        "Paris",
        after="75",
        messages=(MSG_DEPARTMENT,),
    )
    assert bare.as_problem().suggestions == ("75",)
    assert bare.as_problem().message_fr.endswith(" Choisissez parmi : 75.")


def test_without_messages_the_headline_comes_from_the_code() -> None:
    for path, headline in [
        ("applicant.birth_city", "Ville incorrecte"),
        ("applicant.birth_department", "Département incorrect"),
        ("applicant.birth_country", "Pays incorrect"),
    ]:
        problem = FieldCheck(path, "Libellé", CheckStatus.UNKNOWN, None).as_problem()
        assert problem.message_fr == f"{headline} : «  » (Libellé)."
        assert problem.suggestions == ()
        assert "''" in problem.message
