"""Files as a host holds them: bytes with a name, a path that names nothing, a PDF that
cannot be read — each checked locally, each refused by a typed French error naming the file."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from antsclient import AttachmentRejected
from antsclient._files import prepare_upload
from antsclient.attachments import FileInfo, check_pages, check_upload, inspect_file
from antsclient.models import DocumentKind
from antsclient.storage.protocols import StudentDocument

K = DocumentKind
PDF = "application/pdf"


def test_bytes_are_a_file_content(make_pdf: Callable[..., bytes], png_bytes: bytes) -> None:
    assert inspect_file(make_pdf(2), name="cni.pdf") == FileInfo(
        name="cni.pdf", size=len(make_pdf(2)), media_type=PDF, pages=2
    )
    assert inspect_file(bytearray(png_bytes)).media_type == "image/png"


def test_bytes_without_a_name_are_named_by_their_type(
    make_pdf: Callable[..., bytes], png_bytes: bytes, jpeg_bytes: bytes
) -> None:
    assert inspect_file(make_pdf(1)).name == "document.pdf"
    assert inspect_file(png_bytes).name == "document.png"
    assert inspect_file(jpeg_bytes).name == "document.jpg"


def test_bytes_are_checked_like_a_file(make_pdf: Callable[..., bytes]) -> None:
    assert check_upload(K.IDENTITY, make_pdf(2), name="cni.pdf").pages == 2
    with pytest.raises(AttachmentRejected) as empty:
        check_upload(K.IDENTITY, b"", name="cni.pdf")
    assert empty.value.code == "attachment.empty"
    assert "« cni.pdf » est vide" in empty.value.message_fr
    with pytest.raises(AttachmentRejected) as text:
        check_upload(K.IDENTITY, b"hello", name="notes.txt")
    assert text.value.code == "attachment.unsupported_type"
    assert "« notes.txt »" in text.value.message_fr


def test_an_upload_of_bytes_streams_them_under_its_name(make_pdf: Callable[..., bytes]) -> None:
    content = make_pdf(1)
    upload, info = prepare_upload(K.IDENTITY, content, comment="recto", name="cni.pdf")
    assert (upload.name, upload.media_type, upload.comment) == ("cni.pdf", PDF, "recto")
    assert upload.open().read() == content
    assert upload.open().read() == content  # again, for a retry
    assert info.pages == 1


def test_the_name_given_wins_for_a_path_and_a_stream(
    write_file: Callable[[str, bytes], Path], make_pdf: Callable[..., bytes]
) -> None:
    path = write_file("scan0001.pdf", make_pdf(1))
    assert prepare_upload(K.IDENTITY, path, comment=None, name="cni.pdf")[0].name == "cni.pdf"
    assert prepare_upload(K.IDENTITY, path, comment=None)[0].name == "scan0001.pdf"
    stream = io.BytesIO(make_pdf(1))
    assert prepare_upload(K.IDENTITY, stream, comment=None, name="cni.pdf")[0].name == "cni.pdf"


def test_a_student_document_held_as_bytes_keeps_its_name(make_pdf: Callable[..., bytes]) -> None:
    document = StudentDocument(document_id="d1", name="justif.pdf", content=make_pdf(1))
    upload, info = prepare_upload(K.PROOF_OF_ADDRESS, document, comment=None)
    assert upload.name == info.name == "justif.pdf"


def test_a_missing_file_is_refused_naming_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "scans" / "cni.pdf"
    for check in (
        lambda: inspect_file(missing),
        lambda: check_upload(K.IDENTITY, str(missing)),
        lambda: prepare_upload(K.IDENTITY, missing, comment=None),
    ):
        with pytest.raises(AttachmentRejected) as refused:
            check()
        error = refused.value
        assert error.code == "attachment.not_found"
        assert error.field == "file"
        assert str(missing) in str(error)
        assert (
            error.message_fr
            == f"Le fichier « {missing} » est introuvable. Vérifiez son emplacement."
        )
        assert isinstance(error.__cause__, FileNotFoundError)


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(AttachmentRejected) as refused:
        inspect_file(tmp_path)
    assert refused.value.code == "attachment.not_a_file"
    assert f"« {tmp_path} » est un dossier" in refused.value.message_fr


def test_a_missing_student_document_file_is_named(tmp_path: Path) -> None:
    document = StudentDocument(document_id="d1", name="cni.pdf", path=tmp_path / "gone.pdf")
    with pytest.raises(AttachmentRejected) as refused:
        prepare_upload(K.IDENTITY, document, comment=None)
    assert refused.value.code == "attachment.not_found"
    assert "gone.pdf" in refused.value.message_fr


def test_a_corrupt_pdf_is_named_in_both_messages() -> None:
    corrupt = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer garbage"
    with pytest.raises(AttachmentRejected) as refused:
        inspect_file(corrupt, name="cni-scan.pdf")
    error = refused.value
    assert error.code == "attachment.unreadable"
    assert "'cni-scan.pdf'" in str(error)
    assert error.message_fr.startswith("Le fichier « cni-scan.pdf » est illisible")


def test_an_encrypted_pdf_is_named(encrypted_pdf: bytes) -> None:
    with pytest.raises(AttachmentRejected) as refused:
        inspect_file(io.BytesIO(encrypted_pdf), name="secret.pdf")
    assert "« secret.pdf » est illisible ou protégé par un mot de passe" in (
        refused.value.message_fr
    )


def test_the_pages_already_sent_are_said_only_when_known() -> None:
    with pytest.raises(AttachmentRejected) as alone:
        check_pages(K.IDENTITY, 3, pages_already_sent=None, name="cni.pdf")
    assert "déjà envoyée" not in alone.value.message_fr
    assert "2 page(s) au maximum. 3 dans « cni.pdf »" in alone.value.message_fr
    assert "has 3" in str(alone.value)
    with pytest.raises(AttachmentRejected) as together:
        check_pages(K.IDENTITY, 1, pages_already_sent=2, name="verso.pdf")
    assert "2 déjà envoyée(s), 1 dans « verso.pdf »" in together.value.message_fr
    assert "ou un fichier déjà envoyé" in together.value.message_fr
