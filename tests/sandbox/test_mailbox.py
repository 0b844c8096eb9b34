"""The student's mailbox: every message ANTS sends, followed through whole flows.

The agency files through the library, the student follows the link of the message as a
browser would, the prefecture decides, and each step leaves the message it should — to the
right address, in French, with the request's number, on the sandbox clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import attrs
import httpx
import pytest

import antsclient as ants
from antsclient.demo import sample_application, write_pdf
from antsclient.models.request import APPLICANT_VALIDATION_WINDOW
from antsclient.sandbox import SandboxHandle, create_app, serve
from antsclient.sandbox.console.student import LinkRefused, follow_link
from antsclient.sandbox.mailbox import VALIDATION_PATH, Channel, MessageKind
from antsclient.testing import OtherSide, Outbox

pytestmark = pytest.mark.network

EMAIL = "claire.laboret@example.org"


def application(email: str = EMAIL, *, mandate: bool = False) -> ants.Cerfa02:
    base = sample_application()
    applicant = attrs.evolve(
        base.applicant, first_name="Claire", other_first_names="", email=email, phone="0611223344"
    )
    signed = dt.date.today() if mandate else None
    return attrs.evolve(
        base,
        applicant=applicant,
        student_id="eleve-1",
        paper_mandate=mandate,
        paper_mandate_date=signed,
    )


def filed(session: ants.AntsSession, folder: Path, app: ants.Cerfa02) -> ants.OnlineRequest:
    """A draft with its required documents, validated by the agency."""
    request = session.requests.create(app)
    for slot in session.attachments.slots(request):
        if slot.required:
            session.attachments.upload(
                request, slot.kind, write_pdf(folder / f"{slot.kind}.pdf", 1)
            )
    return session.requests.validate(request)


@pytest.fixture
def served() -> Iterator[tuple[SandboxHandle, ants.AntsSession]]:
    with (
        serve(seed=3) as sb,
        ants.AntsSession(
            sb.credentials, base_url=sb.url, retry=ants.RetryPolicy.immediate()
        ) as session,
    ):
        yield sb, session


def test_the_full_flow_leaves_a_message_at_each_step(
    served: tuple[SandboxHandle, ants.AntsSession], tmp_path: Path
) -> None:
    sb, session = served
    request = filed(session, tmp_path, application())

    (ask,) = sb.outbox(recipient=EMAIL)
    assert ask.kind is MessageKind.VALIDATION_REQUEST
    assert ask.channel is Channel.EMAIL
    assert ask.number == request.number
    assert ask.agreement == sb.credentials.agreement
    assert ask.sent_at == request.validated_at
    assert ask.link is not None
    assert ask.link.startswith(sb.url + VALIDATION_PATH)
    assert ask.link in ask.body
    assert request.applicant_deadline is not None
    assert ask.sent_at + APPLICANT_VALIDATION_WINDOW == request.applicant_deadline
    assert "Bonjour Claire LABORET," in ask.body
    assert "7 jours, jusqu'au " in ask.body
    assert ask.subject.startswith(
        f"Validez votre demande de permis de conduire n° {request.number}"
    )

    # The student clicks the link and validates on the page it opens.
    follow_link(ask.link)
    assert session.requests.refresh(request).status is ants.RequestStatus.UNDER_REVIEW
    with pytest.raises(LinkRefused, match="Vous avez validé cette demande"):
        follow_link(ask.link)  # a used link validates nothing twice

    sb.prefecture_decides(request.number, "ask_completion", reason="Justificatif illisible")
    request = session.requests.refresh(request)
    session.attachments.upload(
        request, ants.DocumentKind.PROOF_OF_ADDRESS, write_pdf(tmp_path / "domicile2.pdf", 1)
    )
    session.requests.send_complement(request)
    sb.prefecture_decides(request.number, "accept")
    sb.prefecture_issues_documents(request.number)

    kinds = [m.kind for m in sb.outbox(number=request.number)]
    assert kinds == [
        MessageKind.VALIDATION_REQUEST,
        MessageKind.FILED,
        MessageKind.COMPLEMENT_ASKED,
        MessageKind.ACCEPTED,
        MessageKind.DOCUMENTS_ISSUED,
    ]
    complement, accepted, documents = sb.outbox(number=request.number)[2:]
    assert "Motif : Justificatif illisible" in complement.body
    neph = session.requests.refresh(request).neph
    assert neph is not None
    assert f"Votre numéro NEPH est le {neph}." in accepted.body
    assert "- Attestation dépôt inscription au permis" in documents.body
    assert all(m.recipient == EMAIL for m in sb.outbox(number=request.number))
    # The history keeps every step, with the prefecture's reason.
    agency = sb.state.agencies[sb.credentials.agreement]
    notes = [(h.status, h.note) for h in sb.state.history(agency, request.number)]
    assert (ants.RequestStatus.TO_COMPLETE, "Justificatif illisible") in notes
    assert notes[0] == (ants.RequestStatus.DRAFT, None)


def test_reminders_then_the_window_closes(
    served: tuple[SandboxHandle, ants.AntsSession], tmp_path: Path
) -> None:
    sb, session = served
    request = filed(session, tmp_path, application())
    sb.advance_days(4)
    assert [m.kind for m in sb.outbox(number=request.number)] == [
        MessageKind.VALIDATION_REQUEST,
        MessageKind.REMINDER,
    ]
    sb.advance_days(4)
    messages = sb.outbox(number=request.number)
    assert [m.kind for m in messages] == [
        MessageKind.VALIDATION_REQUEST,
        MessageKind.REMINDER,
        MessageKind.REMINDER,
        MessageKind.VALIDATION_EXPIRED,
    ]
    ask, first, second, closed = messages
    assert first.sent_at == ask.sent_at + dt.timedelta(days=3)
    assert "plus que 4 jour(s)" in first.subject
    assert "plus que 1 jour(s)" in second.subject
    assert first.link == ask.link
    assert closed.sent_at == ask.sent_at + APPLICANT_VALIDATION_WINDOW
    assert session.requests.refresh(request).status is ants.RequestStatus.DRAFT
    assert ask.link is not None
    with pytest.raises(LinkRefused, match="délai de 7 jours est dépassé"):
        follow_link(ask.link)

    # Validated again: a new link; the old one stays closed, nothing more is sent for it.
    session.requests.validate(request)
    again = sb.outbox(number=request.number)[-1]
    assert again.kind is MessageKind.VALIDATION_REQUEST
    assert again.link != ask.link
    sb.advance_days(1)
    assert len(sb.outbox(number=request.number)) == 5


def test_a_paper_mandate_tells_the_student_by_sms_and_email(
    served: tuple[SandboxHandle, ants.AntsSession], tmp_path: Path
) -> None:
    sb, session = served
    request = filed(session, tmp_path, application(mandate=True))
    assert request.status is ants.RequestStatus.UNDER_REVIEW  # nothing for the student to do
    email, sms = sb.outbox(number=request.number)
    assert (email.kind, email.channel, email.recipient) == (
        MessageKind.MANDATE_FILED,
        Channel.EMAIL,
        EMAIL,
    )
    assert (sms.kind, sms.channel, sms.recipient) == (
        MessageKind.MANDATE_FILED,
        Channel.SMS,
        "0611223344",
    )
    assert sms.subject == ""
    assert "sous mandat" in sms.body
    assert sb.outbox(recipient="0611223344") == [sms]
    sb.prefecture_decides(request.number, "reject", reason="Pièce d'identité expirée")
    rejected = sb.outbox(number=request.number)[2:]
    assert [(m.kind, m.channel) for m in rejected] == [
        (MessageKind.REJECTED, Channel.EMAIL),
        (MessageKind.REJECTED, Channel.SMS),
    ]
    assert "Motif : Pièce d'identité expirée" in rejected[1].body


def test_a_deleted_request_is_reminded_of_nothing(
    served: tuple[SandboxHandle, ants.AntsSession], tmp_path: Path
) -> None:
    sb, session = served
    request = filed(session, tmp_path, application())
    session.requests.delete(request)
    sb.advance_days(10)
    assert [m.kind for m in sb.outbox(number=request.number)] == [MessageKind.VALIDATION_REQUEST]
    link = sb.outbox(number=request.number)[0].link
    assert link is not None
    with pytest.raises(LinkRefused, match="lien de validation n'est pas valide"):
        follow_link(link)
    with pytest.raises(LinkRefused, match="n'est pas valide"):
        follow_link(sb.url + VALIDATION_PATH + "not-a-token")


def test_documents_are_issued_only_once_accepted(
    served: tuple[SandboxHandle, ants.AntsSession], tmp_path: Path
) -> None:
    sb, session = served
    request = filed(session, tmp_path, application())
    with pytest.raises(ants.ActionNotAllowed) as caught:
        sb.prefecture_issues_documents(request.number)
    assert "une fois la demande acceptée" in caught.value.message_fr


def test_the_control_api_reads_the_outbox_and_resets(
    served: tuple[SandboxHandle, ants.AntsSession], tmp_path: Path
) -> None:
    sb, session = served
    request = filed(session, tmp_path, application())
    with httpx.Client(base_url=sb.url) as http:
        sb.applicant_validates(request.number)
        answer = http.post(
            f"/_sandbox/requests/{request.number}/prefecture-decides",
            json={"decision": "ask_completion", "reason": "Photo floue"},
        )
        assert answer.status_code == 200
        items = http.get("/_sandbox/outbox", params={"recipient": EMAIL.upper()}).json()["items"]
        assert [m["kind"] for m in items] == ["validation_request", "filed", "complement_asked"]
        assert items[0]["channel"] == "email"
        assert items[0]["link"].startswith(sb.url + VALIDATION_PATH)
        assert "Motif : Photo floue" in items[2]["body"]
        assert http.get("/_sandbox/outbox", params={"number": "0"}).json() == {"items": []}
        refused = http.post(f"/_sandbox/requests/{request.number}/prefecture-issues-documents")
        assert refused.status_code == 409
        sb.set_latency(5)
        assert http.post("/_sandbox/reset").status_code == 200
    assert sb.outbox() == []
    assert sb.faults.config.latency_ms == 0
    assert len(sb.requests(sb.credentials.agreement)) == 7  # the sample again
    # The session logs in again and goes on.
    assert session.requests.counts()[None][ants.Bucket.DRAFTS] >= 1


def test_the_mail_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with (
        serve(db=db) as sb,
        ants.AntsSession(sb.credentials, base_url=sb.url) as session,
    ):
        request = filed(session, tmp_path, application())
        sent = sb.outbox()
    with serve(db=db) as sb:
        assert sb.outbox() == sent
        agency = sb.state.agencies[sb.credentials.agreement]
        assert [h.status for h in sb.state.history(agency, request.number)][-1] is (
            ants.RequestStatus.AWAITING_APPLICANT_VALIDATION
        )
        link = sent[0].link
        assert link is not None
        # The link's token still opens the page on the new server.
        follow_link(sb.url + VALIDATION_PATH + link.rsplit("/", 1)[1])
        sb.advance_days(10)
        assert [m.kind for m in sb.outbox()][-1] is MessageKind.FILED


def test_the_plugin_reads_the_outbox_and_the_student_follows(
    ants_session: ants.AntsSession,
    ants_other_side: OtherSide,
    ants_outbox: Outbox,
    tmp_path: Path,
) -> None:
    request = filed(ants_session, tmp_path, application("julie@example.org"))
    message = ants_outbox.last("julie@example.org")
    assert message.kind is MessageKind.VALIDATION_REQUEST
    assert ants_other_side.student_follows(message).status is ants.RequestStatus.UNDER_REVIEW
    ants_other_side.prefecture_accepts(request.number)
    assert ants_outbox.last(number=request.number).kind is MessageKind.ACCEPTED
    with pytest.raises(ValueError, match="carries no link"):
        ants_other_side.student_follows(ants_outbox.last())
    with pytest.raises(AssertionError, match=r"no message sent to nobody@example\.org"):
        ants_outbox.last("nobody@example.org")


@pytest.mark.anyio
async def test_async_flow_in_process(tmp_path: Path) -> None:
    """The same mail, in process: the link is a path the student's client opens."""
    app = create_app(seed=2)
    sb = app.sandbox
    transport = httpx.ASGITransport(app=app)
    try:
        async with ants.AsyncAntsSession(
            sb.credentials, base_url="http://sandbox.test", transport=transport
        ) as session:
            request = await session.requests.create(application())
            for slot in await session.attachments.slots(request):
                if slot.required:
                    pdf = write_pdf(tmp_path / f"{slot.kind}.pdf", 1)
                    await session.attachments.upload(request, slot.kind, pdf)
            request = await session.requests.validate(request)
            (message,) = sb.outbox(number=request.number)
            assert message.link is not None
            assert message.link.startswith(VALIDATION_PATH)
            async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as b:
                page = await b.get(message.link)
                assert "Je valide ma demande" in page.text
                token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
                done = await b.post(message.link, data={"csrf": token})
                assert done.status_code == 303
            request = await session.requests.refresh(request)
            assert request.status is ants.RequestStatus.UNDER_REVIEW
    finally:
        sb.close()


def test_no_address_no_mail() -> None:
    sb = create_app().sandbox
    try:
        direct = sb.register_direct(application(email="", mandate=False))
        sb.prefecture_decides(direct.number, "reject")
        assert sb.outbox(number=direct.number) == []
    finally:
        sb.close()
