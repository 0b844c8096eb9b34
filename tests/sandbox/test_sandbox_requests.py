"""Requests over loopback TCP: create, data errors, divergence, idempotency, lifecycle."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sandbox_helpers import (
    MANDATE_DAY,
    MANUAL_AGREEMENT,
    OTHER_AGREEMENT,
    OTHER_LOGIN,
    OTHER_PASSWORD,
    application_data,
    cerfa06_data,
    create,
    created,
    error_of,
    mandate_data,
    relogin,
)

from antsclient.models import RequestStatus
from antsclient.sandbox import SandboxHandle, SearchFilters

pytestmark = pytest.mark.network


def test_create_returns_a_draft_with_a_short_number(client: httpx.Client) -> None:
    response = create(client)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert body["status_label"] == "Brouillon"
    assert body["number"].isdigit() and len(body["number"]) == 4
    assert body["student_id"] is None
    assert body["applicant_name"] == "MARTIN Lucas"


def test_every_data_problem_comes_back_at_once(client: httpx.Client) -> None:
    data = application_data(
        **{
            "applicant.address.city": "ST PRIEST",
            "applicant.address.postal_code": "69800",
            "applicant.birth_department": "123",
            "applicant.birth_country": "PAYS-IMAGINAIRE",
            "applicant.first_name": "Jean Pierre",
            "applicant.email": "not-an-email",
        }
    )
    response = create(client, data)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "application_data"
    codes = {p["code"]: p for p in error["problems"]}
    assert {
        "city.incorrect",
        "department.incorrect",
        "country.incorrect",
        "first_name.several_given_names",
        "email.invalid",
    } <= set(codes)
    city = codes["city.incorrect"]
    assert city["field"] == "applicant.address.city"
    assert city["message_fr"].startswith("Ville incorrecte")
    assert "SAINT-PRIEST (69800)" in city["suggestions"]
    assert codes["first_name.several_given_names"]["message_fr"].startswith("Prénom incorrect")


def test_confirmed_fields_skip_suggestions_but_must_exist(client: httpx.Client) -> None:
    data = application_data(**{"applicant.address.city": "BELFORT"})
    refused = create(client, data)
    assert refused.status_code == 422
    assert error_of(refused)["problems"][0]["suggestions"]
    accepted = create(client, data, confirmed=["applicant.address.city"])
    assert accepted.status_code == 201, accepted.text

    unknown = application_data(**{"applicant.address.city": "VILLE-QUI-N-EXISTE-PAS"})
    response = create(client, unknown, confirmed=["applicant.address.city"])
    assert response.status_code == 422
    (problem,) = error_of(response)["problems"]
    assert problem["code"] == "city.incorrect"
    assert problem["suggestions"] == []


def test_agency_without_prefecture(
    sb: SandboxHandle, make_client: Callable[..., httpx.Client]
) -> None:
    sb.add_agency("E9000000001", "sans-pref", "Pa55word!", postal_code="90000")
    client = make_client("E9000000001", "sans-pref", "Pa55word!")
    response = create(client)
    assert response.status_code == 422
    (problem,) = error_of(response)["problems"]
    assert problem["code"] == "prefecture.missing"
    assert problem["message_fr"] == (
        "Préfecture incorrecte : le nom de la préfecture doit être renseigné dans l'Espace "
        "Dirigeant."
    )
    assert problem["field"] == "prefecture"


def test_divergence_across_agencies(
    client: httpx.Client, make_client: Callable[..., httpx.Client]
) -> None:
    data = application_data()
    number = created(client, data)
    other = make_client(OTHER_AGREEMENT, OTHER_LOGIN, OTHER_PASSWORD)
    response = create(other, data)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "divergence"
    assert error["existing_number"] == number
    assert error["field"] == "applicant.email"


def test_divergence_with_a_request_made_on_ants(sb: SandboxHandle, client: httpx.Client) -> None:
    direct = sb.register_direct()
    assert direct.email is not None
    data = application_data(**{"applicant.email": direct.email})
    response = create(client, data)
    assert response.status_code == 409
    assert error_of(response)["existing_number"] == direct.number


def test_idempotent_create(sb: SandboxHandle, client: httpx.Client) -> None:
    data = application_data()
    first = create(client, data, key="same-key")
    again = create(client, data, key="same-key")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == first.json()["number"]
    other_body = create(client, application_data(), key="same-key")
    assert other_body.status_code == 409
    assert error_of(other_body)["code"] == "idempotency_key_reused"
    numbers = [r.number for r in sb.requests() if r.email == data["applicant"]["email"]]
    assert numbers == [first.json()["number"]]


def test_create_needs_an_idempotency_key_and_json(client: httpx.Client) -> None:
    response = client.post("/requests", json={"cerfa": "02", "application": application_data()})
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"
    response = client.post("/requests", content=b"{not json", headers={"Idempotency-Key": "x"})
    assert response.status_code == 400
    response = client.post(
        "/requests",
        json={"cerfa": "02", "application": {"applicant": {}}},
        headers={"Idempotency-Key": "y"},
    )
    assert response.status_code == 400
    response = client.post(
        "/requests",
        json={"cerfa": "02", "application": application_data(), "confirmed_fields": "x"},
        headers={"Idempotency-Key": "z"},
    )
    assert response.status_code == 400


def _file(name: str = "doc.pdf") -> dict[str, tuple[str, bytes, str]]:
    from antsclient.sandbox.assets import pdf

    return {"file": (name, pdf(name), "application/pdf")}


def _send_required(client: httpx.Client, number: str) -> None:
    for slot in client.get(f"/requests/{number}/attachments").json()["items"]:
        if slot["required"]:
            response = client.post(f"/requests/{number}/attachments/{slot['kind']}", files=_file())
            assert response.status_code == 201, response.text


def test_lifecycle_to_cerfa06(sb: SandboxHandle, client: httpx.Client) -> None:
    number = created(client)
    response = client.post(f"/requests/{number}/validate")
    assert response.status_code == 409
    assert error_of(response)["code"] == "required_documents_missing"
    _send_required(client, number)
    validated = client.post(f"/requests/{number}/validate").json()
    assert validated["status"] == "awaiting_applicant_validation"
    assert validated["validated_at"] is not None

    again = client.post(f"/requests/{number}/validate")
    assert again.status_code == 409
    error = error_of(again)
    assert error["code"] == "action_not_allowed"
    assert error["field"] is None
    assert "En cours de validation par l'élève" in error["message_fr"]

    assert sb.applicant_validates(number).status is RequestStatus.UNDER_REVIEW
    assert sb.prefecture_takes_up(number).status is RequestStatus.IN_PROGRESS
    accepted = sb.prefecture_decides(number, "accept")
    assert accepted.status is RequestStatus.READY_FOR_CERFA06
    assert accepted.neph is not None and len(accepted.neph) == 12 and accepted.neph.isdigit()
    body = client.get(f"/requests/{number}").json()
    assert body["status"] == "ready_for_cerfa06"
    assert body["neph"] == accepted.neph

    deleted = client.delete(f"/requests/{number}")
    assert deleted.status_code == 409
    assert "BROUILLON" in error_of(deleted)["message_fr"]

    cerfa06 = cerfa06_data(neph=accepted.neph, cerfa02_number=number)
    response = create(client, cerfa06, cerfa="06")
    assert response.status_code == 201, response.text
    title = response.json()["number"]
    _send_required(client, title)
    client.post(f"/requests/{title}/validate")
    sb.applicant_validates(title)
    assert sb.prefecture_decides(title, "accept").status is RequestStatus.ACCEPTED


def test_paper_mandate_skips_the_student(client: httpx.Client) -> None:
    number = created(client, mandate_data())
    _send_required(client, number)
    assert client.post(f"/requests/{number}/validate").json()["status"] == "under_review"


def test_prefecture_asks_completion_then_complement(
    sb: SandboxHandle, client: httpx.Client
) -> None:
    number = created(client)
    _send_required(client, number)
    client.post(f"/requests/{number}/validate")
    sb.applicant_validates(number)
    assert sb.prefecture_decides(number, "ask_completion").status is RequestStatus.TO_COMPLETE
    response = client.post(f"/requests/{number}/attachments/identity", files=_file("verso.pdf"))
    assert response.status_code == 201
    assert client.post(f"/requests/{number}/complement").json()["status"] == "under_review"
    assert client.post(f"/requests/{number}/complement").status_code == 409
    assert sb.prefecture_decides(number, "reject").status is RequestStatus.REJECTED


def test_student_window_expires_on_the_clock(sb: SandboxHandle, client: httpx.Client) -> None:
    number = created(client)
    _send_required(client, number)
    client.post(f"/requests/{number}/validate")
    sb.advance_days(6)
    relogin(client)  # a 6-day-old token has expired
    assert client.get(f"/requests/{number}").json()["status"] == "awaiting_applicant_validation"
    sb.advance_days(1.5)
    relogin(client)
    body = client.get(f"/requests/{number}").json()
    assert body["status"] == "draft"
    assert body["validated_at"] is None
    from antsclient.errors import ActionNotAllowed

    with pytest.raises(ActionNotAllowed):
        sb.applicant_validates(number)


def test_delete_a_draft(sb: SandboxHandle, client: httpx.Client) -> None:
    data = application_data(ephoto_code="ABCDEFGHIJKLMNOPQRSTUV")
    number = created(client, data)
    assert client.delete(f"/requests/{number}").status_code == 204
    assert client.get(f"/requests/{number}").status_code == 404
    # the email and the ePhoto code are free again
    assert create(client, data).status_code == 201


def test_another_agencys_request_is_not_found(
    client: httpx.Client, make_client: Callable[..., httpx.Client]
) -> None:
    number = created(client)
    other = make_client(OTHER_AGREEMENT, OTHER_LOGIN, OTHER_PASSWORD)
    for method, path in [
        ("GET", f"/requests/{number}"),
        ("GET", f"/requests/{number}/attachments"),
        ("DELETE", f"/requests/{number}"),
        ("POST", f"/requests/{number}/validate"),
    ]:
        response = other.request(method, path)
        assert response.status_code == 404
        assert error_of(response)["code"] == "request_not_found"
    assert other.get("/requests", params={"number": number}).json()["total"] == 0


def test_transfer_between_agencies(
    sb: SandboxHandle, client: httpx.Client, make_client: Callable[..., httpx.Client]
) -> None:
    number = created(client)
    other = make_client(OTHER_AGREEMENT, OTHER_LOGIN, OTHER_PASSWORD)
    former = {"former_agreement": MANUAL_AGREEMENT}
    draft = other.post(f"/requests/{number}/transfer", json=former)
    assert draft.status_code == 409  # a draft is not transferable
    _send_required(client, number)
    client.post(f"/requests/{number}/validate")
    sb.applicant_validates(number)
    assert client.post(f"/requests/{number}/transfer", json=former).status_code == 409  # ours
    assert other.post(f"/requests/{number}/transfer").status_code == 400  # no agreement
    wrong = other.post(f"/requests/{number}/transfer", json={"former_agreement": "E9999999999"})
    assert wrong.status_code == 422
    assert (error_of(wrong)["code"], error_of(wrong)["field"]) == (
        "transfer.agreement",
        "former_agreement",
    )

    taken = other.post(f"/requests/{number}/transfer", json=former)
    assert taken.status_code == 200
    assert taken.json()["transferred"] is True
    assert taken.json()["status"] == "under_review"
    copy = client.get(f"/requests/{number}").json()
    assert copy["status"] == "transferred"
    assert copy["status_label"] == "Dossier transféré"
    assert client.get(f"/requests/{number}/attachments").status_code == 409
    counts = client.get("/requests/counts").json()
    assert counts["all"]["transferred"] >= 1
    assert other.get("/requests", params={"bucket": "transferred"}).json()["total"] == 1
    assert other.post("/requests/424242/transfer", json=former).status_code == 404


def test_a_request_under_a_paper_mandate_is_never_transferred(
    client: httpx.Client, make_client: Callable[..., httpx.Client]
) -> None:
    number = created(client, mandate_data())
    _send_required(client, number)
    filed = client.post(f"/requests/{number}/validate").json()
    assert (filed["status"], filed["paper_mandate"]) == ("under_review", True)
    assert filed["paper_mandate_date"] == MANDATE_DAY
    other = make_client(OTHER_AGREEMENT, OTHER_LOGIN, OTHER_PASSWORD)
    refused = other.post(
        f"/requests/{number}/transfer", json={"former_agreement": MANUAL_AGREEMENT}
    )
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "paper_mandate"
    assert "mandat papier ne peut pas faire l'objet d'un transfert" in error["message_fr"]
    assert client.get(f"/requests/{number}").json()["status"] == "under_review"


def test_direct_registration_and_link(sb: SandboxHandle, client: httpx.Client) -> None:
    direct = sb.register_direct()
    assert direct.number.startswith("901") and len(direct.number) == 23
    assert direct.student_id is None
    page = client.get("/requests", params={"number": direct.number}).json()
    assert page["total"] == 1 and page["items"][0]["student_id"] is None
    app = client.get(f"/requests/{direct.number}/application").json()
    assert app["cerfa"] == "02"
    assert app["application"]["applicant"]["email"] == direct.email
    unlinked = client.get(f"/requests/{direct.number}/documents")
    assert unlinked.status_code == 409
    assert unlinked.json()["error"]["code"] == "request_not_linked"
    linked = client.post(f"/requests/{direct.number}/link", json={"student_id": "ELEVE-42"})
    assert linked.json()["student_id"] == "ELEVE-42"
    docs = client.get(f"/requests/{direct.number}/documents").json()["items"]
    assert {d["kind"] for d in docs if d["available"]} >= {"request_receipt"}
    assert (
        client.post(f"/requests/{direct.number}/link", json={"student_id": ""}).status_code == 400
    )
    assert client.post(f"/requests/{direct.number}/link", json=[1]).status_code == 400


def test_search_pages_filters_and_counts(sb: SandboxHandle, client: httpx.Client) -> None:
    sb.seed_requests(250)
    first = client.get("/requests", params={"page_size": 100}).json()
    total = first["total"]
    assert total >= 250 and first["pages"] == -(-total // 100)
    numbers: list[str] = []
    keys = []
    for page in range(1, first["pages"] + 1):
        items = client.get("/requests", params={"page": page, "page_size": 100}).json()["items"]
        numbers += [i["number"] for i in items]
        keys += [(i["modified"], i["number"]) for i in items]
    assert len(numbers) == len(set(numbers)) == total
    assert keys == sorted(keys)

    drafts = client.get("/requests", params={"bucket": "drafts", "page_size": 500}).json()
    assert drafts["items"] and {i["status"] for i in drafts["items"]} == {"draft"}
    counts = client.get("/requests/counts").json()
    assert counts["all"]["drafts"] == drafts["total"]
    assert counts["02"]["cerfa02"] == total and counts["06"]["cerfa02"] == 0
    assert set(counts["all"]) == {
        "cerfa02",
        "cerfa06",
        "to_complete",
        "awaiting_applicant_validation",
        "rejected",
        "drafts",
        "ready_for_cerfa06",
        "in_progress",
        "transferred",
        "accepted",
    }

    pivot = keys[len(keys) // 2][0]
    later = client.get("/requests", params={"modified_from": pivot, "page_size": 500}).json()
    assert all(i["modified"] >= pivot for i in later["items"])
    assert later["total"] == sum(1 for k in keys if k[0] >= pivot)
    created_window = client.get(
        "/requests", params={"created_to": pivot, "cerfa": "02", "page_size": 500}
    ).json()
    assert all(i["created"] <= pivot for i in created_window["items"])

    for bad in [
        {"page_size": 501},
        {"page": 0},
        {"page": "x"},
        {"bucket": "nope"},
        {"cerfa": "03"},
        {"created_from": "yesterday"},
    ]:
        response = client.get("/requests", params=bad)
        assert response.status_code == 400, bad
        assert error_of(response)["code"] == "bad_request"


def test_seeded_requests_are_deterministic() -> None:
    import datetime as dt

    from antsclient.sandbox import Clock, SandboxState

    start = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)

    def state(seed: int) -> SandboxState:
        return SandboxState(seed=seed, clock=Clock(start, frozen=True))

    def summary(s: SandboxState) -> list[tuple[str, str, str | None, str | None]]:
        return [(r.number, r.status.value, r.applicant_name, r.email) for r in s.requests()]

    assert summary(state(3)) == summary(state(3))
    assert summary(state(3)) != summary(state(4))
    requests = state(3).requests()
    assert {RequestStatus.DRAFT, RequestStatus.AWAITING_APPLICANT_VALIDATION} <= {
        r.status for r in requests
    }
    (unlinked,) = [r for r in requests if r.student_id is None]
    assert unlinked.number.startswith("90120260302093000")
    flowing = Clock(start)
    assert flowing.now() >= start


def test_search_items_are_the_converters_data(sb: SandboxHandle) -> None:
    from antsclient.codec import to_data

    state = sb.state
    sb.register_direct(status=RequestStatus.AWAITING_APPLICANT_VALIDATION)
    for agreement, agency in state.agencies.items():
        held = state.requests(agreement)
        assert held
        page = state.search(agency, SearchFilters(page_size=500))
        assert page["total"] == len(held)
        expected = sorted(held, key=lambda r: (r.modified, r.number))
        assert page["items"] == [to_data(r) for r in expected]


def test_confirmed_values_must_exist_as_written() -> None:
    from antsclient.sandbox import referential

    assert referential._exists("city.incorrect", "SAINT-PRIEST")
    assert not referential._exists("city.incorrect", "ST PRIESTT")
    assert referential._exists("department.incorrect", "69")
    assert not referential._exists("department.incorrect", "123")
    assert referential._exists("country.incorrect", "MAROC")
    assert not referential._exists("country.incorrect", "PAYS-IMAGINAIRE")
