"""Divergence de données on create: the manual's three cases, told apart by the sandbox."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sandbox_helpers import (
    OTHER_AGREEMENT,
    OTHER_LOGIN,
    OTHER_PASSWORD,
    application_data,
    create,
    created,
    error_of,
)

from antsclient.errors import DivergenceCase
from antsclient.sandbox import SandboxHandle


def _with(data: dict[str, object], **applicant: object) -> dict[str, object]:
    return {**data, "applicant": {**data["applicant"], **applicant}}  # type: ignore[dict-item]


def _divergence(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 409, response.text
    error = error_of(response)
    assert error["code"] == "divergence"
    return error


def test_the_same_email_for_another_person_is_a_shared_email(client: httpx.Client) -> None:
    data = application_data()
    number = created(client, data)
    error = _divergence(create(client, _with(data, first_name="Paul")))
    assert error["divergence"] == DivergenceCase.SHARED_EMAIL
    assert error["existing_number"] == number
    assert error["field"] == "applicant.email"
    assert "2 membres d'une même famille" in str(error["message_fr"])


def test_the_same_person_with_the_same_email_is_already_registered(
    client: httpx.Client, make_client: Callable[..., httpx.Client]
) -> None:
    data = application_data()
    number = created(client, data)
    other = make_client(OTHER_AGREEMENT, OTHER_LOGIN, OTHER_PASSWORD)
    error = _divergence(create(other, _with(data, last_name="MARTÌN", first_name="lucas")))
    assert error["divergence"] == DivergenceCase.ALREADY_REGISTERED
    assert error["existing_number"] == number
    assert "déjà été enregistrée" in str(error["message_fr"])


def test_the_same_person_under_another_email_is_different_data(client: httpx.Client) -> None:
    data = application_data()
    number = created(client, data)
    moved = _with(data, email="nouvelle.adresse@example.fr", phone="0600000000")
    error = _divergence(create(client, moved))
    assert error["divergence"] == DivergenceCase.DIFFERENT_DATA
    assert error["existing_number"] == number
    assert error["field"] == "applicant"
    assert str(error["message_fr"]).startswith(
        "Divergence de données : les informations enregistrées sont différentes"
    )


def test_another_birth_date_or_place_is_another_person(client: httpx.Client) -> None:
    data = application_data()
    created(client, data)
    assert create(client, _with(data, email="a1@example.fr", birth_date="1990-01-01")).is_success
    assert create(client, _with(data, email="a2@example.fr", birth_city="DELLE")).is_success


def test_a_request_made_on_ants_is_found_by_person(sb: SandboxHandle, client: httpx.Client) -> None:
    direct = sb.register_direct()
    held = client.get(f"/requests/{direct.number}/application").json()["application"]
    data = application_data()
    same = _with(data, **{k: held["applicant"][k] for k in _PERSON})
    error = _divergence(create(client, same))
    assert error["divergence"] == DivergenceCase.DIFFERENT_DATA
    assert error["existing_number"] == direct.number


_PERSON = (
    "last_name",
    "first_name",
    "birth_date",
    "birth_city",
    "birth_department",
    "birth_country",
)


def test_a_deleted_request_no_longer_diverges(client: httpx.Client) -> None:
    data = application_data()
    number = created(client, data)
    assert client.delete(f"/requests/{number}").is_success
    assert create(client, _with(data, email="apres.suppression@example.fr")).is_success


def test_a_person_needs_names_birth_date_and_city() -> None:
    from antsclient.sandbox.records import person_of

    full = {"last_name": "Martìn", "first_name": "LUCAS", "birth_date": "1995-03-14"}
    assert person_of({**full, "birth_city": "Belfort"}) == (
        "martin",
        "lucas",
        "1995-03-14",
        "belfort",
    )
    assert person_of(full) is None  # no birth city: nobody to compare
    assert person_of(None) is None
