"""Brouillon / Valider la demande — what the student receives, and the link they follow.

« Valider la demande » sends the student an email: they have 7 days to confirm, by the link it
carries. Then the prefecture decides, and the student is told again — of a complement asked
for, with its reason, of the acceptance and the NEPH. Under a paper mandate (mandat papier)
there is nothing to confirm: the student gets an email and an SMS. The sandbox records every
message; its console shows them at ``/console/eleve``.

Run it: ``python examples/student_mailbox.py``.
"""

from __future__ import annotations

import datetime as dt
import tempfile

import attrs
from _shared import file_draft, scan, student

import antsclient as ants
from antsclient.sandbox import serve
from antsclient.sandbox.console.student import follow_link


def main() -> int:
    with (
        serve() as sandbox,
        tempfile.TemporaryDirectory() as folder,
        ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as session,
    ):
        # The agency validates: the student's email asks them to confirm within 7 days.
        request = session.requests.validate(file_draft(session, folder))
        mail = sandbox.outbox(number=request.number)[-1]
        print(f"À {mail.recipient} : {mail.subject}")
        assert mail.link is not None

        # The student clicks the link and validates on the page it opens.
        follow_link(mail.link)
        request = session.requests.refresh(request)
        print(f"L'élève a validé par le lien : {request.status_label}")

        # The prefecture asks for a complement; the agency sends it; the prefecture accepts.
        sandbox.prefecture_decides(request.number, "ask_completion", reason="Domicile illisible")
        print(sandbox.outbox(number=request.number)[-1].body.splitlines()[4])
        request = session.requests.refresh(request)
        session.attachments.upload(
            request, ants.DocumentKind.PROOF_OF_ADDRESS, scan(folder, "domicile.pdf")
        )
        session.requests.send_complement(request)
        sandbox.prefecture_decides(request.number, "accept")
        for message in sandbox.outbox(number=request.number):
            print(f"  {message.channel} : {message.kind.label} — {message.subject}")

        # Under a paper mandate: nothing to validate, an email and an SMS.
        hugo = student(first_name="Hugo", email="hugo.petit@example.org")
        hugo = attrs.evolve(hugo, applicant=attrs.evolve(hugo.applicant, last_name="PETIT"))
        mandate = attrs.evolve(
            hugo, paper_mandate=True, paper_mandate_date=dt.date.today(), student_id="eleve-0002"
        )
        mandated = session.requests.validate(file_draft(session, folder, mandate))
        print(f"Sous mandat : {mandated.status_label}")
        for message in sandbox.outbox(number=mandated.number):
            print(f"  {message.channel} à {message.recipient} : {message.subject or message.body}")
        print(f"Console : {sandbox.url}/console/eleve")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
