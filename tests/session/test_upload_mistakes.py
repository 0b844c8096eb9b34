"""Uploads through a session: bytes with a file name reach ANTS under that name; a missing
file, a corrupt PDF and too many pages in the file are refused before it leaves, naming it;
the pages already sent are counted by ANTS as it stores the file, right after a first one."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from fake_ants import FakeAnts, online
from sandbox_fixtures import cerfa02, tiny_pdf
from shells import OpenSession, Shell

import antsclient as ants
from antsclient import sandbox

K = ants.DocumentKind


def _accept(request: httpx.Request) -> httpx.Response:
    body = request.read()
    name = body.split(b'filename="', 1)[1].split(b'"', 1)[0].decode()
    return httpx.Response(
        201,
        json={
            "file_id": "f1",
            "name": name,
            "pages": 1,
            "size": len(body),
            "media_type": "application/pdf",
        },
    )


def test_bytes_are_sent_under_their_file_name(
    fake: FakeAnts, open_session: OpenSession, credentials: ants.Credentials
) -> None:
    fake.on("POST", "/requests/3223/attachments/identity", _accept)
    content = tiny_pdf(1)
    with open_session(credentials, retry=ants.RetryPolicy.immediate(2)) as s:
        s._known["3223"] = online()
        sent = s.attachments.upload("3223", K.IDENTITY, content, filename="cni.pdf")
        unnamed = s.attachments.upload("3223", K.IDENTITY, bytearray(content))
    assert sent.name == "cni.pdf"
    assert unnamed.name == "document.pdf"
    (first, _) = fake.seen("POST", "/requests/3223/attachments/identity")
    assert content in first.read()


def test_a_missing_file_is_refused_before_any_call(
    fake: FakeAnts, open_session: OpenSession, credentials: ants.Credentials, tmp_path: Path
) -> None:
    missing = tmp_path / "cni.pdf"
    with open_session(credentials) as s:
        s._known["3223"] = online()
        with pytest.raises(ants.AttachmentRejected) as refused:
            s.attachments.upload("3223", K.IDENTITY, missing)
    assert refused.value.code == "attachment.not_found"
    assert f"« {missing} » est introuvable" in refused.value.message_fr
    assert fake.calls == []


def test_a_corrupt_pdf_is_named_before_any_call(
    fake: FakeAnts, open_session: OpenSession, credentials: ants.Credentials
) -> None:
    corrupt = b"%PDF-1.4\nnot really a PDF at all\n"
    with open_session(credentials) as s:
        s._known["3223"] = online()
        with pytest.raises(ants.AttachmentRejected) as refused:
            s.attachments.upload("3223", K.IDENTITY, corrupt, filename="scan.pdf")
    assert refused.value.code == "attachment.unreadable"
    assert "« scan.pdf »" in refused.value.message_fr
    assert fake.calls == []


def test_a_file_over_the_limit_alone_never_leaves(
    fake: FakeAnts, open_session: OpenSession, credentials: ants.Credentials
) -> None:
    with open_session(credentials) as s:
        s._known["3223"] = online()
        with pytest.raises(ants.AttachmentRejected) as alone:
            s.attachments.upload("3223", K.IDENTITY, tiny_pdf(3), filename="tout.pdf")
    assert "0 déjà envoyée" not in alone.value.message_fr
    assert "3 dans « tout.pdf »" in alone.value.message_fr
    assert fake.calls == []


def test_against_the_sandbox_the_count_follows_each_file(shell: Shell) -> None:
    with sandbox.serve() as sb, shell.open(sb.credentials, base_url=sb.url) as s:
        draft = s.requests.create(cerfa02("pages.after.first@example.org"))
        s.attachments.upload(draft, K.IDENTITY, tiny_pdf(1), filename="recto.pdf")
        with pytest.raises(ants.AttachmentRejected) as refused:
            s.attachments.upload(draft, K.IDENTITY, io.BytesIO(tiny_pdf(2)), filename="x.pdf")
        (slot,) = [x for x in s.attachments.slots(draft) if x.kind is K.IDENTITY]
    assert "1 déjà envoyée(s), 2 dans « x.pdf »" in refused.value.message_fr
    assert slot.pages == 1 and [f.name for f in slot.files] == ["recto.pdf"]
    assert refused.value.kind == "identity"
