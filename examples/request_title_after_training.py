"""Enregistrer une demande — la demande de titre avec une attestation de formation.

A title after a training without exam — AM, A by progressive access (A2 held two years),
the B96 mention, the removal of the automatic-gearbox code 78 — is filed by the school alone
(pro account), with the training certificate and no Cerfa 02. Each training says which
category it gives, what must already be held and from what age: every problem is reported
at once, before anything is sent.

Run it: ``python examples/request_title_after_training.py``.
"""

from __future__ import annotations

import datetime as dt
import tempfile

import attrs
from _shared import file_draft, student

import antsclient as ants
from antsclient.sandbox import serve

B = ants.LicenceCategory.B


def b96_title(application: ants.Cerfa02) -> ants.Cerfa06:
    """A B96 title for a student who has held a B since 2021."""
    return ants.Cerfa06(
        applicant=application.applicant,
        categories={B},
        request_type=ants.RequestType.TITLE_AFTER_TRAINING,
        training=ants.Training.B96,
        previous_licence=ants.PreviousLicence(
            categories={B}, last_obtained_on=dt.date(2021, 6, 14), last_obtained_place="BELFORT"
        ),
        student_id="eleve-0001",
    )


def main() -> int:
    application = student(email="claire.b96@example.org")
    title = b96_title(application)
    # No B held, and a category the training does not give: both problems at once.
    wrong = attrs.evolve(title, previous_licence=None, categories={ants.LicenceCategory.A})
    for problem in ants.validate(wrong):
        print("✗", problem.message_fr)
    with (
        serve() as sandbox,
        tempfile.TemporaryDirectory() as folder,
        ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as session,
    ):
        spec = session.requests.types()[ants.RequestType.TITLE_AFTER_TRAINING]
        print(f"Type : {ants.RequestType.TITLE_AFTER_TRAINING.label} ({spec.prerequisite_fr})")
        draft = file_draft(session, folder, title)  # one page sent per required document
        required = [s.label for s in session.attachments.slots(draft) if s.required]
        print("Pièces requises : " + ", ".join(required))
        filed = session.requests.validate(draft)
        sandbox.applicant_validates(filed.number)
        accepted = sandbox.prefecture_decides(filed.number, "accept")
        print(f"Titre B96 n° {accepted.number} : {accepted.status_label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
