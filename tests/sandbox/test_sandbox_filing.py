"""The sandbox's side of filing: the Cerfa 06 prerequisite, the request types it serves, the
paper mandate (no student, school-only documents) and the comment rule of each kind."""

from __future__ import annotations

import httpx
import pytest
from sandbox_helpers import (
    MANDATE_DAY,
    application_data,
    cerfa06_data,
    create,
    created,
    error_of,
    mandate_data,
    send_required,
)

from antsclient.codec import read_application
from antsclient.errors import ActionNotAllowed
from antsclient.models import REQUEST_TYPES, RequestStatus, RequestType
from antsclient.sandbox import SandboxHandle
from antsclient.sandbox.assets import pdf

pytestmark = pytest.mark.network


def _in_review(sb: SandboxHandle, client: httpx.Client, data: dict | None = None) -> str:
    number = created(client, data)
    send_required(client, number)
    client.post(f"/requests/{number}/validate")
    if not (data or {}).get("paper_mandate"):
        sb.applicant_validates(number)
    return number


def test_a_title_needs_an_accepted_inscription(sb: SandboxHandle, client: httpx.Client) -> None:
    number = _in_review(sb, client)
    early = create(client, cerfa06_data(neph="230833200011", cerfa02_number=number), cerfa="06")
    assert early.status_code == 409
    error = error_of(early)
    assert error["code"] == "action_not_allowed"
    assert f"« {RequestStatus.UNDER_REVIEW.label} »" in error["message_fr"]

    neph = sb.prefecture_decides(number, "accept").neph
    assert neph is not None
    wrong = create(client, cerfa06_data(neph="230833200011", cerfa02_number=number), cerfa="06")
    assert wrong.status_code == 422
    assert error_of(wrong)["problems"][0]["code"] == "neph.mismatch"
    title = create(client, cerfa06_data(neph=neph, cerfa02_number=number), cerfa="06")
    assert title.status_code == 201, title.text
    assert title.json()["request_type"] == "title_after_exam"


def test_a_title_by_its_neph_alone(sb: SandboxHandle, client: httpx.Client) -> None:
    unknown = create(client, cerfa06_data(neph="230833200011"), cerfa="06")
    assert unknown.status_code == 422
    problem = error_of(unknown)["problems"][0]
    assert (problem["field"], problem["code"]) == ("neph", "neph.unknown")
    number = _in_review(sb, client)
    neph = sb.prefecture_decides(number, "accept").neph
    spaced = f"{neph[:4]} {neph[4:8]} {neph[8:]}"
    assert create(client, cerfa06_data(neph=spaced), cerfa="06").status_code == 201


def test_a_title_of_a_rejected_inscription_is_refused(
    sb: SandboxHandle, client: httpx.Client
) -> None:
    inscription = read_application(application_data(neph="230833200099"), "02")
    sb.register_direct(application=inscription, status=RequestStatus.REJECTED)
    refused = create(client, cerfa06_data(neph="230833200099"), cerfa="06")
    assert refused.status_code == 409
    assert "Dossier rejeté" in error_of(refused)["message_fr"]


def test_a_title_naming_an_unknown_inscription(client: httpx.Client) -> None:
    missing = create(client, cerfa06_data(neph="230833200011", cerfa02_number="9999"), cerfa="06")
    assert missing.status_code == 422
    assert error_of(missing)["problems"][0]["code"] == "cerfa02_number.unknown"


def test_a_title_after_a_training_needs_no_inscription(
    sb: SandboxHandle, client: httpx.Client
) -> None:
    data = cerfa06_data(
        request_type="title_after_training",
        training="code_78_removal",
        categories=["B"],
        previous_licence={"categories": ["B"], "last_obtained_on": "2020-02-03"},
    )
    data.pop("neph", None)
    response = create(client, data, cerfa="06")
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    send_required(client, number)
    client.post(f"/requests/{number}/validate")
    sb.applicant_validates(number)
    assert sb.prefecture_decides(number, "accept").status is RequestStatus.ACCEPTED


def test_the_request_types_are_served(client: httpx.Client) -> None:
    served = client.get("/request-types").json()
    assert [item["request_type"] for item in served["items"]] == [t.value for t in RequestType]
    for item in served["items"]:
        spec = REQUEST_TYPES[RequestType(item["request_type"])]
        assert item["cerfa"] == spec.cerfa.value
        assert item["accepted_status"] == spec.accepted_status.value
        assert set(item["documents"]) == {k.value for k in spec.documents}
    trainings = {t["training"]: t for t in served["trainings"]}
    assert trainings["a_progressive"]["held"] == ["A2"]
    assert trainings["a_progressive"]["held_for_days"] == 730
    assert trainings["b96"]["mention"] == "96"


def test_under_a_paper_mandate_the_student_never_validates(
    sb: SandboxHandle, client: httpx.Client
) -> None:
    number = _in_review(sb, client, mandate_data(student_id="ELEVE-M"))
    body = client.get(f"/requests/{number}").json()
    assert (body["status"], body["paper_mandate"], body["paper_mandate_date"]) == (
        "under_review",
        True,
        MANDATE_DAY,
    )
    assert body["email"] and body["phone"] is None  # what ANTS tells the student by
    with pytest.raises(ActionNotAllowed):  # nothing waits for the student
        sb.applicant_validates(number)


def test_under_a_paper_mandate_the_school_alone_gets_the_deposit_receipt(
    sb: SandboxHandle, client: httpx.Client
) -> None:
    number = _in_review(sb, client, mandate_data(student_id="ELEVE-M2"))
    items = {d["kind"]: d for d in client.get(f"/requests/{number}/documents").json()["items"]}
    receipt = items["registration_deposit_certificate"]
    assert (receipt["available"], receipt["school_only"]) == (True, True)
    assert items["registration_facsimile"]["school_only"] is True
    assert items["registration_facsimile"]["available"] is False  # once accepted
    assert items["request_receipt"]["school_only"] is False
    download = client.get(f"/requests/{number}/documents/registration_deposit_certificate")
    assert download.status_code == 200
    plain = created(client, application_data(student_id="ELEVE-P"))
    send_required(client, plain)
    client.post(f"/requests/{plain}/validate")
    docs = client.get(f"/requests/{plain}/documents").json()["items"]
    assert not any(d["school_only"] for d in docs)


def test_a_comment_on_a_kind_that_takes_none_is_refused(client: httpx.Client) -> None:
    number = created(client, application_data(**{"applicant.hosted": True}))
    files = {"file": ("hebergeant.pdf", pdf("CNI"), "application/pdf")}
    refused = client.post(
        f"/requests/{number}/attachments/host_identity", files=files, data={"comment": "recto"}
    )
    assert refused.status_code == 422
    assert error_of(refused)["code"] == "attachment.comment_not_allowed"
    slots = {s["kind"]: s for s in client.get(f"/requests/{number}/attachments").json()["items"]}
    assert slots["host_identity"]["required"] and not slots["host_identity"]["comment_allowed"]


def test_under_a_mandate_a_student_without_email_is_filed(client: httpx.Client) -> None:
    data = mandate_data(**{"applicant.email": "", "applicant.phone": "0611223344"})
    response = create(client, data)
    assert response.status_code == 201, response.text
    assert (response.json()["email"], response.json()["phone"]) == (None, "0611223344")


def test_a_record_written_before_request_types_reads_its_cerfa_usual_one() -> None:
    import datetime as dt

    from antsclient.models import Cerfa
    from antsclient.sandbox.records import RequestRecord

    now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    old = {"cerfa": Cerfa.C06, "status": RequestStatus.DRAFT, "created": now, "modified": now}
    title = RequestRecord(number="1", agreement="E1706900030", application={}, **old)
    assert title.request_type is RequestType.TITLE_AFTER_EXAM
    assert title.online().paper_mandate_date is None
    inscription = RequestRecord(
        number="2", agreement="E1706900030", application={"request_type": "bogus"}, **old
    )
    inscription.cerfa = Cerfa.C02
    assert inscription.request_type is RequestType.EXAM_REGISTRATION
