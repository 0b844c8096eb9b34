"""Enregistrer une demande — inscription au permis (examen pratique), sous mandat papier.

The usual way a school files today: the student signs a paper mandate (mandat papier), the
school files the Cerfa 02 and validates it, and the request goes straight to the prefecture —
the student has nothing to confirm online (ANTS tells them by email and SMS). The example
files for a 17-year-old housed by his parents: the documents a young student needs follow
(census certificate, host's attestation and identity, legal representative's identity, ASSR),
and the mandate's limits are checked before anything is sent.

Run it: ``python examples/request_exam_registration.py``.
"""

from __future__ import annotations

import datetime as dt
import tempfile

import attrs
from _shared import scan

import antsclient as ants
from antsclient.sandbox import serve


def young_student(today: dt.date) -> ants.Cerfa02:
    """Théo, 17, French, housed by his parents in Belfort, under a paper mandate."""
    parents = ants.Address(street="4 rue de Mulhouse", postal_code="90000", city="BELFORT")
    return ants.Cerfa02(
        applicant=ants.Applicant(
            last_name="GIRARD",
            first_name="Théo",
            birth_date=today.replace(year=today.year - 17) - dt.timedelta(days=30),
            birth_city="BELFORT",
            birth_department="90",
            birth_country="FRANCE",
            address=parents,
            email="theo.girard@example.org",
            phone="06 70 80 90 10",
            nationality="FRANCE",
            hosted=True,
        ),
        legal_representative=ants.LegalRepresentative(
            last_name="GIRARD", first_name="Nadia", address=parents, relationship="mère"
        ),
        categories={ants.LicenceCategory.B},
        declarations=ants.Declarations(training_mode=ants.TrainingMode.AAC),
        paper_mandate=True,
        paper_mandate_date=today,
        student_id="eleve-0107",
    )


def main() -> int:
    today = dt.date.today()
    application = young_student(today)
    # A paper mandate is not possible for a student living in Corsica: refused locally.
    in_ajaccio = attrs.evolve(
        application,
        applicant=attrs.evolve(
            application.applicant,
            address=ants.Address(street="2 cours Napoléon", postal_code="20000", city="AJACCIO"),
        ),
    )
    for problem in ants.validate(in_ajaccio):
        if problem.code.startswith("paper_mandate"):
            print("✗", problem.message_fr)
    with (
        serve() as sandbox,
        tempfile.TemporaryDirectory() as folder,
        ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as session,
    ):
        request = session.requests.create(application)
        print(f"Demande n° {request.number} : {request.type_label}, mandat papier")
        for slot in session.attachments.slots(request):
            if slot.required:
                print(f"  requis : {slot.label} ({slot.max_pages} page(s) max.)")
                session.attachments.upload(request, slot.kind, scan(folder, f"{slot.kind}.pdf"))
        request = session.requests.validate(request)
        print(f"Validée : {request.status_label} (sans validation par l'élève)")
        print(f"Mandat à conserver jusqu'au {request.mandate_kept_until:%d/%m/%Y}")
        # The student has no ANTS account: the school alone receives the deposit receipt.
        for document in session.documents.list(request):
            if document.available:
                only = " — reçu par l'auto-école seule" if document.school_only else ""
                print(f"  document : {document.label}{only}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
