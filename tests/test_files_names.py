"""Download names: ``filename*`` before ``filename``, names cut to what file systems take
keeping their extension, and a failed move leaves no temporary file."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import antsclient as ants
from antsclient import _files as files
from antsclient.models import DocumentKind
from antsclient.protocol import errors


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "attachment; filename=\"Pi_ce.pdf\"; filename*=UTF-8''Pi%C3%A8ce%20d%27identit%C3%A9"
            "%20%C3%A9l%C3%A8ve.pdf",
            "Pièce d'identité élève.pdf",
        ),
        ("attachment; filename*=UTF-8''%C3%A9t%C3%A9.pdf; filename=\"ete.pdf\"", "été.pdf"),
        ("attachment; filename*=iso-8859-1''Pi%E8ce.pdf", "Pièce.pdf"),
        ("attachment; filename*=klingon''abc.pdf", "abc.pdf"),
        ('attachment; filename="plain.pdf"', "plain.pdf"),
        ("attachment", None),
        ("", None),
        ("attachment; filename*=UTF-8''%FF%FE.pdf", "\ufffd\ufffd.pdf"),
    ],
)
def test_filename_star_comes_first(header: str, expected: str | None) -> None:
    assert files.filename_from_headers({"content-disposition": header}) == expected


def test_a_long_name_is_cut_to_bytes_keeping_its_extension() -> None:
    name = files.safe_filename("é" * 200 + ".pdf", "default.pdf")
    assert name.endswith(".pdf")
    assert len(name.encode()) <= 200
    assert set(name.removesuffix(".pdf")) == {"é"}


@given(st.text(max_size=400))
def test_any_proposed_name_is_safe(proposed: str) -> None:
    name = files.safe_filename(proposed, "default.pdf")
    assert name
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert len(name.encode("utf-8")) <= 200  # encodable: no lone surrogate survives
    assert not name.startswith(".")


def test_a_failed_move_leaves_no_temporary_file(tmp_path: Path) -> None:
    final, handle = files.atomic_target(tmp_path, "doc.pdf")
    handle.write(b"%PDF")
    with pytest.raises(OSError):  # noqa: PT011 - whatever the file system says
        files.finish_download(handle, tmp_path / "missing-folder" / "doc.pdf")
    assert list(tmp_path.iterdir()) == []
    assert final.parent == tmp_path.resolve()


def test_a_closed_or_failing_stream_is_refused_typed() -> None:
    closed = io.BytesIO(b"%PDF-1.4")
    closed.close()

    class Failing(io.RawIOBase):
        name = "scan.pdf"

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer: object) -> int:
            raise OSError("device gone")

    for stream in (closed, Failing()):
        with pytest.raises(ants.AttachmentRejected) as caught:
            files.prepare_upload(DocumentKind.IDENTITY, stream, comment=None)
        assert caught.value.code == "attachment.not_readable"


def test_a_refusal_whose_body_breaks_the_reader_is_still_typed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(response: object) -> object:
        raise RecursionError

    monkeypatch.setattr(errors, "_error_of", broken)
    request = httpx.Request("GET", "http://ants.test/api/v1/requests/counts")
    error = errors.error_from_response(httpx.Response(418, content=b"[]", request=request))
    assert isinstance(error, ants.ProtocolError)
    assert (error.code, error.status_code) == ("http_418", 418)
