"""Credentials of the responsible agency, and the department of a postal code."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient import Credentials, Secret
from antsclient.models import department_of_postal_code


@pytest.mark.parametrize(
    ("postal_code", "department"),
    [
        ("69800", "69"),
        ("01000", "01"),
        ("75001", "75"),
        ("20000", "2A"),
        ("20199", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97400", "974"),
        ("97100", "971"),
        ("98000", "980"),
        (" 69800 ", "69"),
    ],
)
def test_department_of_postal_code(postal_code: str, department: str) -> None:
    assert department_of_postal_code(postal_code) == department


@pytest.mark.parametrize("bad", [None, "", "6980", "698000", "69 80", "ABCDE", "2A000"])
def test_department_of_bad_postal_code_is_none(bad: str | None) -> None:
    assert department_of_postal_code(bad) is None


@pytest.mark.parametrize("bad", ["６９８００", "٦٩٨٠٠"])
def test_department_of_non_ascii_digits_is_none(bad: str) -> None:
    assert department_of_postal_code(bad) is None


@given(st.from_regex(r"\A(?:0[1-9]|[1-8][0-9]|9[0-5])[0-9]{3}\Z"))
def test_metropolitan_department_is_the_first_two_digits(postal_code: str) -> None:
    department = department_of_postal_code(postal_code)
    if postal_code.startswith("20"):
        assert department in {"2A", "2B"}
    else:
        assert department == postal_code[:2]


def test_credentials_fields_and_department() -> None:
    creds = Credentials(
        agreement="E1706900030",
        login="claboret662",
        password="pw",
        prefecture="Préfecture du Rhône",
        postal_code="69800",
    )
    assert creds.department == "69"
    assert creds.password == Secret("pw")
    assert creds.prefecture == "Préfecture du Rhône"


def test_credentials_without_postal_code_have_no_department() -> None:
    creds = Credentials(agreement="E1706900030", login="l", password="pw")
    assert creds.postal_code is None
    assert creds.prefecture is None
    assert creds.department is None


def test_credentials_are_frozen_and_keyword_only() -> None:
    creds = Credentials(agreement="E1", login="l", password="pw")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        creds.login = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Credentials("E1", "l", "pw")  # type: ignore[misc]


def test_evolve_keeps_the_password_hidden() -> None:
    creds = attrs.evolve(Credentials(agreement="E1", login="l", password="pw"), password="new-pass")
    assert creds.password.reveal() == "new-pass"
    assert "new-pass" not in repr(creds)
