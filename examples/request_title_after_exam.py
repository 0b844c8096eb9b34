"""Enregistrer une demande — la demande de titre (Cerfa 06) après l'examen.

The title request follows an accepted inscription: the Cerfa 02 must be « Dossier à traiter
en Cerfa 06 », and the title carries the NEPH it was given. Before that, the title request is
refused before anything is sent, naming the inscription's status; a NEPH ANTS does not know is
refused by ANTS.

Run it: ``python examples/request_title_after_exam.py``.
"""

from __future__ import annotations

import tempfile

from _shared import file_draft, student

import antsclient as ants
from antsclient.sandbox import serve


def title_for(inscription: ants.OnlineRequest, application: ants.Cerfa02) -> ants.Cerfa06:
    """The title request of an inscription (type « demande de titre suite à l'examen »)."""
    return ants.Cerfa06(
        applicant=application.applicant,
        categories=application.categories,
        request_type=ants.RequestType.TITLE_AFTER_EXAM,
        neph=inscription.neph or "230869000123",
        cerfa02_number=inscription.number,
    )


def main() -> int:
    with (
        serve() as sandbox,
        tempfile.TemporaryDirectory() as folder,
        ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as session,
    ):
        application = student()
        inscription = session.requests.validate(file_draft(session, folder, application))
        sandbox.applicant_validates(inscription.number)
        inscription = session.requests.refresh(inscription)
        try:  # too early: the prefecture has not accepted the inscription yet
            session.requests.create(title_for(inscription, application))
        except ants.ActionNotAllowed as exc:
            print("✗", exc.message_fr)

        sandbox.prefecture_decides(inscription.number, "accept")
        inscription = session.requests.refresh(inscription)
        print(f"Inscription : {inscription.status_label}, NEPH {inscription.neph}")
        title = file_draft(session, folder, title_for(inscription, application))
        title = session.requests.validate(title)
        print(f"Demande de titre n° {title.number} : {title.status_label}")

        unknown = ants.Cerfa06(
            applicant=application.applicant,
            categories=application.categories,
            neph="230869000123",
        )
        try:  # a NEPH no accepted inscription carries: ANTS refuses it
            session.requests.create(unknown)
        except ants.ApplicationDataError as exc:
            print("✗", exc.problems[0].message_fr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
