"""What each operation needs of the agency's credentials, said before any request leaves."""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient import ConfigurationError, Credentials, FieldProblem, Severity
from antsclient.models.credentials import NEEDED_BY, prefecture_problem

PASSWORD = "Pw-7f3a9c-ne-jamais-afficher"
LOGIN_FIELDS = ("agreement", "login", "password")
FRENCH_LABELS = {
    "agreement": "n° d'agrément Cerfa",
    "login": "identifiant ANTS",
    "password": "mot de passe ANTS",
    "postal_code": "code postal de l'agence",
    "prefecture": "préfecture de l'agence",
}


def full(**changes: Any) -> Credentials:
    base: dict[str, Any] = {
        "agreement": "E1706900030",
        "login": "claboret662",
        "password": PASSWORD,
        "prefecture": "Préfecture du Territoire de Belfort",
        "postal_code": "90000",
    }
    return Credentials(**{**base, **changes})


def _texts(error: ConfigurationError) -> list[str]:
    return [str(error), repr(error), error.message, error.message_fr, str(error.args)]


# --- what each operation needs -----------------------------------------------------------------


def test_needed_by() -> None:
    assert dict(NEEDED_BY) == {
        "login": LOGIN_FIELDS,
        "list_prefectures": (*LOGIN_FIELDS, "postal_code"),
        "create_request": ("prefecture",),
    }


@pytest.mark.parametrize("operation", ["login", "list_prefectures", "create_request", "other"])
def test_full_credentials_lack_nothing(operation: str) -> None:
    creds = full()
    assert creds.missing(operation) == ()
    assert creds.problems(operation) == []
    creds.ensure(operation)


@pytest.mark.parametrize(
    ("operation", "changes", "missing"),
    [
        ("login", {"agreement": ""}, ("agreement",)),
        ("login", {"login": ""}, ("login",)),
        ("login", {"password": ""}, ("password",)),
        ("login", {"agreement": "", "password": ""}, ("agreement", "password")),
        ("login", {"postal_code": None, "prefecture": None}, ()),
        ("list_prefectures", {"postal_code": None}, ("postal_code",)),
        ("list_prefectures", {"postal_code": ""}, ("postal_code",)),
        ("list_prefectures", {"login": "", "postal_code": None}, ("login", "postal_code")),
        ("list_prefectures", {"prefecture": None}, ()),
        ("create_request", {"prefecture": None}, ("prefecture",)),
        ("create_request", {"prefecture": ""}, ("prefecture",)),
        ("create_request", {"postal_code": None}, ()),
        ("get_request", {"password": ""}, ("password",)),
        ("get_request", {"prefecture": None, "postal_code": None}, ()),
    ],
)
def test_missing_fields_in_the_order_needed(
    operation: str, changes: dict[str, Any], missing: tuple[str, ...]
) -> None:
    assert full(**changes).missing(operation) == missing


@pytest.mark.parametrize("blank", ["", " ", "   ", "\t", "\n ", "\u00a0"])
def test_blank_strings_count_as_missing(blank: str) -> None:
    creds = full(agreement=blank, login=blank, password=blank, postal_code=blank, prefecture=blank)
    assert creds.missing("login") == LOGIN_FIELDS
    assert creds.missing("list_prefectures") == (*LOGIN_FIELDS, "postal_code")
    assert creds.missing("create_request") == ("prefecture",)


def test_an_operation_not_listed_needs_a_login() -> None:
    creds = full(login="", prefecture=None, postal_code=None)
    for operation in ("get_request", "search_requests", "validate_request", ""):
        assert creds.missing(operation) == ("login",)


# --- as problems -------------------------------------------------------------------------------


def test_each_missing_field_is_one_problem() -> None:
    creds = full(agreement=" ", password="", postal_code=None)
    problems = creds.problems("list_prefectures")
    assert [p.field for p in problems] == [
        "credentials.agreement",
        "credentials.password",
        "credentials.postal_code",
    ]
    assert [p.code for p in problems] == [
        "agreement.missing",
        "password.missing",
        "postal_code.missing",
    ]
    for problem, name in zip(problems, ("agreement", "password", "postal_code"), strict=True):
        assert isinstance(problem, FieldProblem)
        assert problem.severity is Severity.ERROR
        assert problem.is_error
        assert problem.suggestions == ()
        assert name in problem.message
        assert problem.message_fr == (
            f"Le champ « {FRENCH_LABELS[name]} » doit être renseigné dans l'Espace Dirigeant."
        )


def test_a_missing_prefecture_is_the_manuals_problem() -> None:
    (problem,) = full(prefecture=None).problems("create_request")
    assert problem == prefecture_problem(None)
    assert problem.field == "credentials.prefecture"
    assert problem.code == "prefecture.missing"
    assert problem.message_fr.startswith("Préfecture incorrecte : ")
    assert "Espace Dirigeant" in problem.message_fr


# --- ensure ------------------------------------------------------------------------------------


def test_ensure_names_every_missing_field() -> None:
    creds = full(agreement="", login=" ", postal_code=None)
    with pytest.raises(ConfigurationError) as info:
        creds.ensure("list_prefectures")
    error = info.value
    assert error.code == "configuration_missing"
    assert error.field == "credentials.agreement"
    assert str(error) == "list prefectures needs the agency's agreement, login, postal_code"
    assert "password" not in str(error)
    assert error.message_fr.endswith(
        "(manquant : n° d'agrément Cerfa, identifiant ANTS, code postal de l'agence)."
    )
    assert "Espace Dirigeant" in error.message_fr
    assert error.status_code is None


@pytest.mark.parametrize("operation", ["login", "list_prefectures", "create_request"])
def test_ensure_speaks_of_each_missing_field_in_both_languages(operation: str) -> None:
    blank = full(agreement="", login="", password="", postal_code="", prefecture="")
    missing = blank.missing(operation)
    assert missing
    with pytest.raises(ConfigurationError) as info:
        blank.ensure(operation)
    error = info.value
    assert error.field == f"credentials.{missing[0]}"
    assert str(error).startswith(operation.replace("_", " ") + " needs the agency's ")
    for name in missing:
        assert name in str(error)
        assert FRENCH_LABELS[name] in error.message_fr
    for name in set(FRENCH_LABELS) - set(missing):
        assert f"manquant : {FRENCH_LABELS[name]}" not in error.message_fr


def test_ensure_of_create_request_says_the_prefecture() -> None:
    with pytest.raises(ConfigurationError) as info:
        full(prefecture="  ").ensure("create_request")
    assert info.value.field == "credentials.prefecture"
    assert str(info.value) == "create request needs the agency's prefecture"
    assert "(manquant : préfecture de l'agence)" in info.value.message_fr


def test_the_refusal_pickles() -> None:
    with pytest.raises(ConfigurationError) as info:
        full(login="").ensure("login")
    clone = pickle.loads(pickle.dumps(info.value))
    assert (clone.code, clone.field, clone.message, clone.message_fr) == (
        info.value.code,
        info.value.field,
        info.value.message,
        info.value.message_fr,
    )


# --- the password never shows -------------------------------------------------------------------


def test_the_password_never_appears_in_a_message() -> None:
    creds = full(agreement="", login="", postal_code=None, prefecture=None)
    for operation in ("login", "list_prefectures", "create_request", "get_request"):
        with pytest.raises(ConfigurationError) as info:
            creds.ensure(operation)
        for text in _texts(info.value):
            assert PASSWORD not in text
        assert PASSWORD.encode() not in pickle.dumps(info.value)
        for problem in creds.problems(operation):
            assert PASSWORD not in repr(problem)
    assert PASSWORD not in repr(creds)


@given(
    password=st.from_regex(r"\APW-[A-Za-z0-9!?#]{6,20}\Z"),
    blanks=st.sets(st.sampled_from(["agreement", "login", "postal_code", "prefecture"])),
)
def test_no_password_ever_appears(password: str, blanks: set[str]) -> None:
    creds = attrs.evolve(full(password=password), **dict.fromkeys(blanks, ""))
    for operation in ("login", "list_prefectures", "create_request"):
        problems = creds.problems(operation)
        assert all(password not in repr(p) for p in problems)
        if not problems:
            creds.ensure(operation)
            continue
        with pytest.raises(ConfigurationError) as info:
            creds.ensure(operation)
        assert all(password not in text for text in _texts(info.value))


# --- prefecture_problem --------------------------------------------------------------------------


@pytest.mark.parametrize("prefecture", ["Belfort", " Préfecture du Rhône ", "x"])
def test_a_set_prefecture_is_no_problem(prefecture: str) -> None:
    assert prefecture_problem(prefecture) is None


@pytest.mark.parametrize("prefecture", [None, "", " ", "\t\n"])
def test_a_missing_prefecture_is_a_problem(prefecture: str | None) -> None:
    problem = prefecture_problem(prefecture)
    assert problem is not None
    assert problem.field == "credentials.prefecture"
    assert problem.code == "prefecture.missing"
    assert problem.is_error
    assert "prefecture" in problem.message
    assert problem.message_fr == (
        "Préfecture incorrecte : le nom de la préfecture doit être renseigné dans "
        "l'Espace Dirigeant."
    )


def test_prefecture_problem_at_another_field() -> None:
    problem = prefecture_problem(None, field="agency.prefecture")
    assert problem is not None
    assert problem.field == "agency.prefecture"
    assert problem.code == "prefecture.missing"
