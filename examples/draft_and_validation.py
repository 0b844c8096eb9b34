"""Brouillon / Valider la demande — the draft, its validation and the student's 7 days.

« Enregistrer » keeps the request as a draft (BROUILLON) on ANTS: documents and ePhoto can
still change, and it can be deleted. « Valider la demande » makes it final once the required
documents are sent: ANTS mails the student, who has 7 days to confirm; from then on the request
can no longer be modified. A window that closes unconfirmed takes the request back to draft.

Run it: ``python examples/draft_and_validation.py``.
"""

from __future__ import annotations

import tempfile

from _shared import scan, student

import antsclient as ants
from antsclient.sandbox import serve


def main() -> int:
    with (
        serve() as sandbox,
        tempfile.TemporaryDirectory() as folder,
        ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as session,
    ):
        # Enregistrer: a draft on ANTS, its required documents not sent yet.
        request = session.requests.create(student())
        print(f"Demande n° {request.number} : {request.status_label}")
        try:
            session.requests.validate(request)
        except ants.ActionNotAllowed as exc:
            print("✗", exc.message_fr)

        # Send every required document, then validate: the student gets an email.
        for slot in session.attachments.slots(request):
            if slot.required:
                session.attachments.upload(request, slot.kind, scan(folder, f"{slot.kind}.pdf"))
        request = session.requests.validate(request)
        assert request.applicant_deadline is not None
        print(f"{request.status_label} : l'élève a jusqu'au {request.applicant_deadline:%d/%m/%Y}")

        # Nothing can be modified after validation.
        try:
            session.attachments.upload(
                request, ants.DocumentKind.MEDICAL_OPINION, scan(folder, "avis.pdf")
            )
        except ants.ActionNotAllowed as exc:
            print("✗", exc.message_fr)

        # Eight days later, unconfirmed: the request is a draft again.
        sandbox.advance_days(8)
        request = session.requests.refresh(request)
        print(f"Après 8 jours : {request.status_label}")

        # Validated again, and this time the student confirms on ANTS: in review.
        request = session.requests.validate(request)
        sandbox.applicant_validates(request.number)  # the sandbox plays the student
        request = session.requests.refresh(request)
        print(f"L'élève a confirmé : {request.status_label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
