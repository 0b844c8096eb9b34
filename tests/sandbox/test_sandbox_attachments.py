"""Supporting documents, ePhoto and prefecture documents over loopback TCP."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from sandbox_helpers import application_data, cerfa06_data, create, created, error_of, mandate_data

from antsclient.attachments import MAX_FILE_SIZE
from antsclient.sandbox import SandboxHandle
from antsclient.sandbox.assets import PHOTO_JPEG, pdf, signature_png

pytestmark = pytest.mark.network

CODE = "ABCDEFGHIJKLMNOPQRSTUV"


def _upload(
    client: httpx.Client,
    number: str,
    kind: str,
    content: bytes,
    name: str = "doc.pdf",
    *,
    comment: str | None = None,
    key: str | None = None,
) -> httpx.Response:
    data = {"comment": comment} if comment is not None else None
    headers = {"Idempotency-Key": key} if key else None
    return client.post(
        f"/requests/{number}/attachments/{kind}",
        files={"file": (name, content, "application/octet-stream")},
        data=data,
        headers=headers,
    )


def test_slots_follow_the_document_kinds(client: httpx.Client) -> None:
    number = created(client)
    slots = client.get(f"/requests/{number}/attachments").json()["items"]
    assert [s["kind"] for s in slots] == [
        "identity",
        "proof_of_address",
        "cancellation_judgment",
        "medical_opinion",
        "assr",
        "military_licence",
        "training_certificate",
        "training_commitment",
        "census_certificate",
        "host_attestation",
        "host_identity",
        "representative_identity",
        "licence_copy",
    ]
    assert [s["comment_allowed"] for s in slots][-3:] == [False, False, False]
    identity = slots[0]
    assert identity["label"] == "Pièce d'identité"
    assert (identity["max_pages"], identity["required"], identity["sent"]) == (2, True, False)


def test_upload_download_delete(client: httpx.Client) -> None:
    number = created(client)
    content = pdf("Carte nationale d'identité", pages=2)
    response = _upload(client, number, "identity", content, "cni é.pdf", comment="recto verso")
    assert response.status_code == 201
    stored = response.json()
    assert (stored["pages"], stored["size"], stored["media_type"]) == (
        2,
        len(content),
        "application/pdf",
    )
    slot = client.get(f"/requests/{number}/attachments").json()["items"][0]
    assert (slot["pages"], slot["sent"], slot["comment"]) == (2, True, "recto verso")
    path = f"/requests/{number}/attachments/identity/{stored['file_id']}"
    download = client.get(path)
    assert download.content == content
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment; filename=")
    image = _upload(client, number, "proof_of_address", PHOTO_JPEG, "facture.jpg")
    assert image.json()["media_type"] == "image/jpeg"
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404
    assert error_of(client.delete(path))["code"] == "attachment_not_found"
    assert client.get(f"/requests/{number}/attachments/passport/x").status_code == 400


def test_page_limit_counts_pages_already_sent(client: httpx.Client) -> None:
    number = created(client)
    assert _upload(client, number, "identity", pdf("recto")).status_code == 201
    response = _upload(client, number, "identity", pdf("verso", pages=2))
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "attachment.too_many_pages"
    assert "1 déjà envoyée" in error["message_fr"]
    assert _upload(client, number, "identity", signature_png("x"), "verso.png").status_code == 201


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "attachment.empty"),
        (b"GIF89a not a document", "attachment.unsupported_type"),
        (b"%PDF-1.4\nthis is no real pdf", "attachment.unreadable"),
    ],
)
def test_refused_files(client: httpx.Client, content: bytes, code: str) -> None:
    number = created(client)
    response = _upload(client, number, "identity", content)
    assert response.status_code == 422
    assert error_of(response)["code"] == code


def test_comment_too_long(client: httpx.Client) -> None:
    number = created(client)
    response = _upload(client, number, "identity", pdf("x"), comment="é" * 81)
    assert response.status_code == 422
    assert error_of(response)["code"] == "attachment.comment_too_long"


def test_file_over_11_mb_is_refused_by_its_content_length(client: httpx.Client) -> None:
    number = created(client)
    big = b"%PDF-1.4\n" + b"0" * (MAX_FILE_SIZE + 100_000)
    response = _upload(client, number, "identity", big)
    assert response.status_code == 413
    assert error_of(response)["code"] == "attachment.too_large"
    assert client.get(f"/requests/{number}").status_code == 200  # the connection survives


def test_file_over_11_mb_is_refused_while_streaming(client: httpx.Client) -> None:
    number = created(client)
    boundary = "sandboxboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    ).encode()

    def body() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        yield head
        chunk = b"0" * 1_000_000
        for _ in range(12):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        f"/requests/{number}/attachments/identity",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert "content-length" not in response.request.headers


def test_file_just_over_11_mb_is_refused_after_parsing(client: httpx.Client) -> None:
    number = created(client)
    big = b"%PDF-1.4\n" + b"0" * MAX_FILE_SIZE
    response = _upload(client, number, "identity", big)
    assert response.status_code == 413


def test_malformed_uploads(client: httpx.Client) -> None:
    number = created(client)
    path = f"/requests/{number}/attachments/identity"
    assert (
        client.post(path, content=b"x", headers={"Content-Type": "text/plain"}).status_code == 400
    )
    no_file = client.post(path, data={"comment": "seul"}, files={"other": ("a", b"b")})
    assert no_file.status_code == 400
    broken = client.post(
        path, content=b"--b\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert broken.status_code == 400


def test_idempotent_upload(client: httpx.Client) -> None:
    number = created(client)
    first = _upload(client, number, "identity", pdf("cni"), key="up-1")
    again = _upload(client, number, "identity", pdf("cni"), key="up-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["file_id"] == first.json()["file_id"]
    slot = client.get(f"/requests/{number}/attachments").json()["items"][0]
    assert len(slot["files"]) == 1
    other = _upload(client, number, "identity", pdf("autre"), key="up-1")
    assert other.status_code == 409
    assert error_of(other)["code"] == "idempotency_key_reused"
    client.delete(f"/requests/{number}/attachments/identity/{first.json()['file_id']}")
    gone = _upload(client, number, "identity", pdf("cni"), key="up-1")
    assert error_of(gone)["code"] == "attachment_not_found"


def test_no_upload_after_validation(sb: SandboxHandle, client: httpx.Client) -> None:
    number = created(client, mandate_data())
    for kind in ("identity", "proof_of_address"):
        file_id = _upload(client, number, kind, pdf(kind)).json()["file_id"]
    client.post(f"/requests/{number}/validate")
    response = _upload(client, number, "identity", pdf("x"))
    assert response.status_code == 409
    assert error_of(response)["code"] == "action_not_allowed"
    path = f"/requests/{number}/attachments/proof_of_address/{file_id}"
    assert client.delete(path).status_code == 409
    assert client.get(path).status_code == 200


def test_ephoto_code_is_used_once(client: httpx.Client) -> None:
    first = created(client)
    second = created(client)
    response = client.put(
        f"/requests/{first}/ephoto/02", json={"code": "abcd-efgh-ijkl-mnop-qrst-uv"}
    )
    assert response.json() == {"code": CODE, "cerfa": "02"}
    assert client.put(f"/requests/{first}/ephoto/02", json={"code": CODE}).status_code == 200
    used = client.put(f"/requests/{second}/ephoto/02", json={"code": CODE})
    assert used.status_code == 409
    assert error_of(used)["code"] == "ephoto.already_used"
    in_create = create(client, application_data(ephoto_code=CODE))
    assert error_of(in_create)["code"] == "ephoto.already_used"

    ephoto = client.get(f"/requests/{first}/ephoto").json()
    assert ephoto["code"] == CODE
    import base64

    photo = base64.b64decode(ephoto["photo"])
    signature = base64.b64decode(ephoto["signature"])
    assert photo.startswith(b"\xff\xd8\xff") and photo.endswith(b"\xff\xd9")
    assert signature.startswith(b"\x89PNG\r\n\x1a\n")
    pil = pytest.importorskip("PIL.Image")
    with pil.open(io.BytesIO(photo)) as image:
        image.load()
        assert image.format == "JPEG"
    with pil.open(io.BytesIO(signature)) as image:
        image.load()
        assert image.format == "PNG"

    changed = client.put(f"/requests/{first}/ephoto/02", json={"code": "ZYXWVUTSRQPONMLKJIHGFE"})
    assert changed.status_code == 200
    assert client.put(f"/requests/{second}/ephoto/02", json={"code": CODE}).status_code == 200
    assert client.delete(f"/requests/{second}/ephoto/02").status_code == 204
    assert error_of(client.delete(f"/requests/{second}/ephoto/02"))["code"] == "ephoto_not_found"
    assert error_of(client.get(f"/requests/{second}/ephoto"))["code"] == "ephoto_not_found"
    assert client.put(f"/requests/{first}/ephoto/06", json={"code": CODE}).status_code == 200


@pytest.mark.parametrize("code", ["TROP-COURT", "", "ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ"])
def test_ephoto_format(client: httpx.Client, code: str) -> None:
    number = created(client)
    response = client.put(f"/requests/{number}/ephoto/02", json={"code": code})
    assert response.status_code == 422
    assert error_of(response)["code"] == "ephoto.invalid"
    assert client.put(f"/requests/{number}/ephoto/03", json={"code": CODE}).status_code == 400
    assert client.put(f"/requests/{number}/ephoto/02", json={"kode": CODE}).status_code == 400


def test_deposit_form_is_a_pdf_for_a_cerfa02_draft(client: httpx.Client) -> None:
    number = created(client)
    response = client.get(f"/requests/{number}/ephoto/deposit-form")
    assert response.headers["content-type"] == "application/pdf"
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert number in text and "photo-signature" in text


def test_deposit_form_refused_for_a_cerfa06(sb: SandboxHandle, client: httpx.Client) -> None:
    data = cerfa06_data(
        request_type="title_after_training",
        training="b96",
        categories=["B"],
        previous_licence={"categories": ["B"], "last_obtained_on": "2019-05-02"},
    )
    response = create(client, data, cerfa="06")
    assert response.status_code == 201, response.text
    slots = client.get(f"/requests/{response.json()['number']}/attachments").json()["items"]
    required = {s["kind"] for s in slots if s["required"]}
    assert required == {"identity", "proof_of_address", "training_certificate", "licence_copy"}
    number = response.json()["number"]
    refused = client.get(f"/requests/{number}/ephoto/deposit-form")
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "action_not_allowed"


def test_prefecture_documents(sb: SandboxHandle, client: httpx.Client) -> None:
    data = application_data(student_id="ELEVE-7", after_cancellation=True)
    number = created(client, data)
    items = client.get(f"/requests/{number}/documents").json()["items"]
    assert len(items) == 8
    available = {d["kind"] for d in items if d["available"]}
    assert available == {
        "photo_signature_form",
        "medical_opinion",
        "cancellation_statement",
        "invalidation_statement",
    }
    refused = client.get(f"/requests/{number}/documents/request_receipt")
    assert refused.status_code == 404
    assert error_of(refused)["code"] == "document_not_found"
    response = client.get(f"/requests/{number}/documents/medical_opinion")
    assert response.headers["content-type"] == "application/pdf"
    assert f"medical_opinion-{number}.pdf" in response.headers["content-disposition"]
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Avis médical" in text and number in text
    assert client.get(f"/requests/{number}/documents/unknown").status_code == 400
