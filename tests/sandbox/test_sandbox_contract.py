"""The sandbox against the protocol document: every operation, its successes and its errors.

The ``client`` fixture checks each response against ``protocol/openapi.yaml`` as it arrives;
this test drives every operation through success and error answers and then checks that
nothing of the document was left out.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

import httpx
import pytest
import yaml
from openapi_spec_validator import validate
from sandbox_helpers import (
    OTHER_AGREEMENT,
    OTHER_LOGIN,
    OTHER_PASSWORD,
    application_data,
    cerfa06_data,
    create,
    created,
)

from antsclient.attachments import MAX_FILE_SIZE
from antsclient.protocol import OPERATIONS
from antsclient.sandbox import SandboxHandle
from antsclient.sandbox.assets import pdf

pytestmark = pytest.mark.network


def _document() -> dict[str, object]:
    text = resources.files("antsclient.protocol").joinpath("openapi.yaml").read_text("utf-8")
    document: dict[str, object] = yaml.safe_load(text)
    return document


def test_the_document_is_valid_openapi_31() -> None:
    document = _document()
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_the_document_names_every_operation_of_the_contract() -> None:
    paths = _document()["paths"]
    assert isinstance(paths, dict)
    operation_ids = {
        op["operationId"] for item in paths.values() for m, op in item.items() if m != "parameters"
    }
    # The document lists every operation of the client's protocol, and the two referential
    # lists only the sandbox offers (departments and countries).
    assert operation_ids == {*OPERATIONS, "list_departments", "list_countries"}
    assert "/_sandbox" not in str(paths)


def _operation_of(method: str, path: str) -> str:
    parts = path.removeprefix("/api/v1").strip("/").split("/")
    if parts[0] == "request-types":
        return "request_types"
    if parts[0] in {"auth", "prefectures", "referential"}:
        return {
            "auth": "login",
            "prefectures": "list_prefectures",
        }.get(parts[0], f"referential/{parts[-1]}")
    if len(parts) == 1 or parts[1] == "counts":
        return f"{method} requests" if len(parts) == 1 else "counts"
    shape = ["{n}", *("{x}" if i >= 3 else p for i, p in enumerate(parts[2:], start=2))]
    return f"{method} requests/" + "/".join(shape)


def test_every_operation_and_error_follows_the_document(
    sb: SandboxHandle,
    client: httpx.Client,
    make_client: Callable[..., httpx.Client],
    seen: list[tuple[str, str, int]],
) -> None:
    anonymous = make_client(authenticate=False)
    anonymous.post("/auth/token", json={"agreement": "x", "login": "y", "password": "z"})
    anonymous.post("/auth/token", json={})
    anonymous.get("/requests/counts")

    client.get("/prefectures")
    client.get("/prefectures", params={"postal_code": "nope"})
    client.get("/referential/communes", params={"q": "BELF"})
    client.get("/referential/communes", params={"q": "BELF", "limit": 0})
    client.get("/referential/departments")
    client.get("/referential/countries")

    data = application_data(student_id="ELEVE-1")
    number = created(client, data)
    create(client, data)  # divergence: already_registered
    create(client, {**data, "applicant": {**data["applicant"], "first_name": "Paul"}})  # shared
    other_email = {**data["applicant"], "email": "autre.adresse@example.fr"}
    create(client, {**data, "applicant": other_email})  # divergence: different_data
    create(client, application_data(**{"applicant.address.city": "ST PRIEST"}))  # 422
    create(client, application_data(), key="contract")
    create(client, application_data(), key="contract")  # idempotency_key_reused
    client.get("/requests", params={"page_size": 2})
    client.get("/requests", params={"page_size": 2, "shape": "rows"})
    client.get("/requests", params={"page_size": 0})
    client.get("/requests/counts")
    client.get(f"/requests/{number}")
    client.get("/requests/0")
    client.get(f"/requests/{number}/application")
    client.get("/requests/0/application")

    client.get(f"/requests/{number}/attachments")
    client.get("/requests/0/attachments")
    up = client.post(
        f"/requests/{number}/attachments/identity",
        files={"file": ("cni.pdf", pdf("cni"), "application/pdf")},
        headers={"Idempotency-Key": "u"},
    )
    client.post(
        f"/requests/{number}/attachments/identity",
        files={"file": ("cni.pdf", pdf("cni"), "application/pdf")},
        headers={"Idempotency-Key": "u"},
    )
    client.post(
        f"/requests/{number}/attachments/identity",
        files={"file": ("x.txt", b"plain text", "text/plain")},
    )
    client.post(
        f"/requests/{number}/attachments/identity",
        files={"file": ("big.pdf", b"%PDF-" + b"0" * (MAX_FILE_SIZE + 70_000), "application/pdf")},
    )
    client.post(f"/requests/{number}/attachments/identity", content=b"x")
    client.post("/requests/0/attachments/identity", files={"file": ("a.pdf", pdf("a"))})
    file_id = up.json()["file_id"]
    client.get(f"/requests/{number}/attachments/identity/{file_id}")
    client.get(f"/requests/{number}/attachments/identity/nope")
    client.get(f"/requests/{number}/attachments/bogus/nope")
    client.post(
        f"/requests/{number}/attachments/proof_of_address",
        files={"file": ("dom.pdf", pdf("dom"), "application/pdf")},
    )

    client.put(f"/requests/{number}/ephoto/02", json={"code": "ABCDEFGHIJKLMNOPQRSTUV"})
    client.put(f"/requests/{number}/ephoto/02", json={"code": "bad"})
    client.put(f"/requests/{number}/ephoto/02", content=b"{")
    other_number = created(client)
    client.put(f"/requests/{other_number}/ephoto/02", json={"code": "ABCDEFGHIJKLMNOPQRSTUV"})
    client.get(f"/requests/{number}/ephoto")
    client.get(f"/requests/{other_number}/ephoto")
    client.get(f"/requests/{number}/ephoto/deposit-form")
    client.get("/requests/0/ephoto/deposit-form")
    client.delete(f"/requests/{other_number}/ephoto/02")
    client.delete(f"/requests/{number}/ephoto/06")
    client.delete(f"/requests/{number}/attachments/identity/nope")

    client.get(f"/requests/{number}/documents")
    client.get("/requests/0/documents")
    client.get(f"/requests/{number}/documents/photo_signature_form")
    client.get(f"/requests/{number}/documents/request_receipt")

    client.post(f"/requests/{number}/complement")
    client.post("/requests/0/complement")
    client.post(f"/requests/{number}/link", json={"student_id": "ELEVE-2"})
    client.post(f"/requests/{number}/link", json={})
    client.post("/requests/0/link", json={"student_id": "x"})

    client.post(f"/requests/{other_number}/validate")  # required documents missing
    client.post("/requests/0/validate")
    client.post(f"/requests/{number}/validate")
    client.post(f"/requests/{number}/validate")  # action_not_allowed
    client.delete(f"/requests/{number}/attachments/identity/{file_id}")  # 409 after validation
    client.delete(f"/requests/{other_number}")
    client.delete("/requests/0")
    sb.applicant_validates(number)
    client.delete(f"/requests/{number}")  # 409
    other = make_client(OTHER_AGREEMENT, OTHER_LOGIN, OTHER_PASSWORD)
    other.post(f"/requests/{number}/transfer", json={"former_agreement": "E9999999999"})  # 422
    other.post(f"/requests/{number}/transfer", json={"former_agreement": "E1706900030"})
    other.post("/requests/0/transfer", json={"former_agreement": "E1706900030"})
    client.post(f"/requests/{number}/transfer", json={"former_agreement": "E2309400140"})  # 409
    client.get("/request-types")
    client.get(f"/requests/{number}/documents")  # 409 on the transferred copy

    sb.set_faults(error_rate=1.0, seed=3)
    for _ in range(12):
        client.get("/requests/counts")
    sb.set_faults()

    hits = {(_operation_of(method, path), status) for method, path, status in seen}
    operations = {operation for operation, _ in hits}
    assert len(operations) == 26, sorted(operations)
    statuses = {status for _, status in hits}
    assert {200, 201, 204, 400, 401, 404, 409, 413, 422} <= statuses
    assert len(statuses & {429, 500, 502, 503}) >= 3


def test_valid_requests_follow_the_document(openapi: object) -> None:
    """The bodies a client sends (the converter's data) validate against the document."""
    from openapi_core import OpenAPI
    from sandbox_helpers import OpenAPIRequest

    assert isinstance(openapi, OpenAPI)
    cerfa06 = cerfa06_data(neph="123456789012", cerfa02_number="3201")
    bearer = {"Authorization": "Bearer t"}
    requests = [
        httpx.Request(
            "POST",
            "http://testserver/api/v1/auth/token",
            json={"agreement": "E1706900030", "login": "l", "password": "p"},
        ),
        httpx.Request(
            "POST",
            "http://testserver/api/v1/requests",
            json={"cerfa": "02", "application": application_data(), "confirmed_fields": []},
            headers={"Idempotency-Key": "k", **bearer},
        ),
        httpx.Request(
            "POST",
            "http://testserver/api/v1/requests",
            json={"cerfa": "06", "application": cerfa06},
            headers={"Idempotency-Key": "k", **bearer},
        ),
        httpx.Request(
            "POST",
            "http://testserver/api/v1/requests/3201/link",
            json={"student_id": "S1"},
            headers=bearer,
        ),
        httpx.Request(
            "PUT",
            "http://testserver/api/v1/requests/3201/ephoto/02",
            json={"code": "ABCDEFGHIJKLMNOPQRSTUV"},
            headers=bearer,
        ),
        httpx.Request(
            "GET",
            "http://testserver/api/v1/requests",
            params={"bucket": "drafts", "modified_from": "2026-01-01T00:00:00+00:00"},
            headers=bearer,
        ),
    ]
    for request in requests:
        openapi.validate_request(OpenAPIRequest(request))
