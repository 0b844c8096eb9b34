"""Supprimer une demande — only in BROUILLON or EN COURS DE VALIDATION PAR L'ÉLÈVE.

A draft, or a validated request the student has not confirmed yet, can be deleted (on ANTS
too); once the student has confirmed, the request belongs to the prefecture and the button is
grey. Deleting needs the right « ANTS - Supprimer une demande ».

Run it: ``python examples/delete.py``.
"""

from __future__ import annotations

import tempfile

from _shared import file_draft, student

import antsclient as ants
from antsclient.sandbox import serve


def main() -> int:
    with (
        serve() as sandbox,
        tempfile.TemporaryDirectory() as folder,
        ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as session,
    ):
        # A draft: deleted.
        draft = session.requests.create(student(first_name="Lucie", email="lucie@example.org"))
        session.requests.delete(draft)
        print(f"Demande n° {draft.number} (brouillon) supprimée")
        try:
            session.requests.get(draft.number)
        except ants.RequestNotFound as exc:
            print("✗", exc.message_fr)

        # Validated, waiting for the student: deleted too.
        waiting = session.requests.validate(file_draft(session, folder))
        session.requests.delete(waiting)
        print(f"Demande n° {waiting.number} ({waiting.status_label}) supprimée")

        # Confirmed by the student: refused before any call, the status decides.
        confirmed = session.requests.validate(file_draft(session, folder))
        sandbox.applicant_validates(confirmed.number)
        confirmed = session.requests.refresh(confirmed)
        allowed = ants.lifecycle.is_allowed(ants.Action.DELETE, confirmed.status)
        print(f"« Supprimer la demande » actif au statut {confirmed.status_label} : {allowed}")
        try:
            session.requests.delete(confirmed)
        except ants.ActionNotAllowed as exc:
            print("✗", exc.message_fr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
