"""Places the user confirms, and what a transfer carries over."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sandbox_helpers import application_data, create, error_of

from antsclient.sandbox import SandboxHandle


def test_a_confirmed_city_must_be_written_the_ants_way(client: httpx.Client) -> None:
    abbreviated = application_data(
        **{"applicant.address.city": "ST PRIEST", "applicant.address.postal_code": "69800"}
    )
    refused = create(client, abbreviated, confirmed=["applicant.address.city"])
    assert refused.status_code == 422
    (problem,) = error_of(refused)["problems"]
    assert (problem["field"], problem["code"]) == ("applicant.address.city", "city.incorrect")

    written = application_data(
        **{
            "applicant.address.city": "SAINT-PRIEST (69800)",
            "applicant.address.postal_code": "69800",
        }
    )
    assert create(client, written, confirmed=["applicant.address.city"]).status_code == 201


def test_a_transferred_request_is_not_linked_to_the_former_school_student(
    sb: SandboxHandle, client: httpx.Client, make_client: Callable[..., httpx.Client]
) -> None:
    other = sb.add_agency(
        "E2309400140", "vitry", "Vitry-94-pass!", prefecture="Créteil", postal_code="94400"
    )
    filed = sb.register_direct(status="under_review")
    linked = client.post(f"/requests/{filed.number}/link", json={"student_id": "S-old"})
    assert linked.json()["student_id"] == "S-old"
    theirs = make_client(other.agreement, other.login, other.password.reveal())
    taken = theirs.post(
        f"/requests/{filed.number}/transfer", json={"former_agreement": "E1706900030"}
    )
    assert taken.status_code == 200
    assert (taken.json()["transferred"], taken.json()["student_id"]) == (True, None)
    assert client.get(f"/requests/{filed.number}").json()["status"] == "transferred"


def test_a_confirmed_birth_place_as_it_was_at_the_date_of_birth(client: httpx.Client) -> None:
    # Arlod, a commune absorbed in 1971 (today part of Valserhône): the check corrects it,
    # and the user may confirm it — it existed at the date of birth.
    former = application_data(
        **{
            "applicant.birth_city": "ARLOD",
            "applicant.birth_department": "01",
            "applicant.birth_date": "1965-04-02",
        }
    )
    refused = create(client, former)
    assert refused.status_code == 422
    (problem,) = error_of(refused)["problems"]
    assert problem["field"] == "applicant.birth_city"
    assert "VALSERHONE" in problem["suggestions"][0]
    assert create(client, former, confirmed=["applicant.birth_city"]).status_code == 201

    unknown = application_data(**{"applicant.birth_city": "QWXZKJQWXZ"})
    refused = create(client, unknown, confirmed=["applicant.birth_city"])
    assert refused.status_code == 422


def test_the_communes_list_as_the_ants_shows_it_while_typing(client: httpx.Client) -> None:
    listed = client.get("/referential/communes", params={"q": "Saint-Pri", "limit": 30}).json()
    labels = [item["label"] for item in listed["items"]]
    assert labels[:3] == ["SAINT-PRIEST (07000)", "SAINT-PRIEST (23110)", "SAINT-PRIEST (69800)"]
    murat = client.get("/referential/communes", params={"q": "Saint-Priest-en-Murat"}).json()
    assert [item["postal_code"] for item in murat["items"]] == ["03170", "03390"]


def test_a_confirmed_former_name_before_the_commune_was_renamed(client: httpx.Client) -> None:
    # Châlons-sur-Marne became Châlons-en-Champagne (same INSEE code) on 4 January 1998.
    def born(date: str) -> dict[str, object]:
        return application_data(
            **{
                "applicant.birth_city": "CHALONS-SUR-MARNE",
                "applicant.birth_department": "51",
                "applicant.birth_date": date,
            }
        )

    refused = create(client, born("1975-09-12"))
    assert refused.status_code == 422
    (problem,) = error_of(refused)["problems"]
    assert problem["field"] == "applicant.birth_city"
    assert "CHALONS-EN-CHAMPAGNE" in problem["suggestions"][0]
    assert create(client, born("1975-09-12"), confirmed=["applicant.birth_city"]).status_code == 201
    # Born after the change: the name no longer existed, today's name is due.
    late = create(client, born("2001-02-03"), confirmed=["applicant.birth_city"])
    assert late.status_code == 422
    (problem,) = error_of(late)["problems"]
    assert (problem["field"], problem["code"]) == ("applicant.birth_city", "city.incorrect")
