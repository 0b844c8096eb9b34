"""Transférer une demande — take over a request filed by another driving school.

When a student changes driving school or agency, the new one takes the request over by its
number and the former school's agreement number, onto the current student. The request then
shows « Transférée : Oui »; the former agency's copy shows « Dossier transféré ». A request
filed under a paper mandate cannot be transferred.

Run it: ``python examples/transfer.py``.
"""

from __future__ import annotations

import datetime as dt
import tempfile

import attrs
from _shared import file_draft, student

import antsclient as ants
from antsclient.sandbox import serve


def main() -> int:
    with serve() as sandbox, tempfile.TemporaryDirectory() as folder:
        # The student's former driving school, in Dijon: another agency on ANTS.
        former = sandbox.add_agency(
            "E2102100077",
            "conduite-dijon",
            "D1jon-Conduite!",
            prefecture="Préfecture de la Côte-d'Or",
            postal_code="21000",
        )
        with ants.AntsSession(former, base_url=sandbox.url) as dijon:
            application = student(first_name="Lucie", email="lucie.martin@example.org")
            filed = dijon.requests.validate(file_draft(dijon, folder, application))
            sandbox.applicant_validates(filed.number)  # the student confirmed: in review
            # Another student of Dijon signed a paper mandate: no validation on their side.
            paper = attrs.evolve(
                student(first_name="Hugo", email="hugo.bernard@example.org"),
                paper_mandate=True,
                paper_mandate_date=dt.date.today(),
            )
            mandated = dijon.requests.validate(file_draft(dijon, folder, paper))
            print(
                f"Dijon : demande n° {filed.number}, {dijon.requests.refresh(filed).status_label}"
            )

        # The student moves to Belfort: the new agency takes the request over by its number.
        with ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as belfort:
            # ANTS asks for the request's number and the former school's agreement number.
            request = belfort.requests.transfer(filed.number, former_agreement=former.agreement)
            # transfer() takes no student: link the request to the current student's file.
            request = belfort.requests.link(request, "belfort-eleve-0042")
            print(
                f"Belfort : demande n° {request.number}, {request.status_label}, "
                f"transférée : {'Oui' if request.transferred else 'Non'}, "
                f"élève {request.student_id}"
            )
            # A request of one's own agency cannot be transferred to it.
            try:
                belfort.requests.transfer(request.number, former_agreement=former.agreement)
            except ants.ActionNotAllowed as exc:
                print("✗", exc.message_fr)
            # Nor can a request filed under a paper mandate be transferred at all.
            try:
                belfort.requests.transfer(mandated.number, former_agreement=former.agreement)
            except ants.ActionNotAllowed as exc:
                print("✗", exc.message_fr)

        with ants.AntsSession(former, base_url=sandbox.url) as dijon:
            print(f"Dijon : {dijon.requests.refresh(filed).status_label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
