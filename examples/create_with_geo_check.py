"""Enregistrer une demande — with its Vérification des villes, départements et pays.

The student's file becomes a Cerfa 02, checked before anything leaves: the first name (only
the main given name in *Prénom*), then the cities, departments and countries against the ANTS
referential. A certain correction is applied (« ST PRIEST » → « SAINT-PRIEST (69800) »); a
doubtful one comes back with suggestions, the user picks one, and the request is sent as a
draft (« Enregistrer la demande en ligne »).

Run it: ``python examples/create_with_geo_check.py``.
"""

from __future__ import annotations

import attrs
from _shared import student

import antsclient as ants
from antsclient.geo import CheckStatus
from antsclient.sandbox import serve


def main() -> int:
    # The student's file as typed: two given names in Prénom, born in « ST ETIENNE », living
    # in « ST PRIET » (a typo).
    typed = student(first_name="Claire Anne")
    address = attrs.evolve(typed.applicant.address, city="ST PRIET")
    applicant = attrs.evolve(
        typed.applicant, birth_city="ST ETIENNE", birth_department="42", address=address
    )
    typed = attrs.evolve(typed, applicant=applicant)

    with serve() as sandbox, ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as session:
        # 1. Local checks: every problem at once, nothing is sent.
        try:
            session.requests.create(typed)
        except ants.ApplicationDataError as exc:
            for problem in exc.problems:
                print(f"✗ {problem.field} : {problem.message_fr}")
        application = attrs.evolve(
            typed, applicant=attrs.evolve(typed.applicant, first_name="Claire")
        )

        # 2. The geo check screen: the fields in yellow, corrected or with suggestions.
        report = session.geo.check(application)
        for field in report.problems:
            if field.status is CheckStatus.CORRECTED:
                print(f"⚠ {field.label} : « {field.before} » → « {field.after} »")
            else:
                print(f"⚠ {field.label} : « {field.before} » ?", ", ".join(field.suggestions[:3]))
        # create() refuses a field that still needs a choice, with the same suggestions.
        try:
            session.requests.create(application)
        except ants.ApplicationDataError as exc:
            print(f"✗ {exc.problems[0].message_fr}")

        # 3. The user picks « SAINT-PRIEST (69800) » (or confirms a value they know is right:
        #    create(application, confirm=["applicant.address.city"])). apply() also takes the
        #    certain corrections (create() would take them anyway: autocorrect=True).
        city = report["applicant.address.city"].suggestions[0]
        application = report.apply(application, choices={"applicant.address.city": city})
        print("Retenu :", application.applicant.address.city, "/", application.applicant.birth_city)

        # 4. Enregistrer la demande en ligne (Cerfa 02): a draft on ANTS.
        request = session.requests.create(application)
        print(f"Demande n° {request.number} : {request.status_label} ({request.type_label})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
