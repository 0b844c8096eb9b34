"""Erreurs possibles — « Divergence de données »: the manual's three cases, what differs, and
« Mettre à jour » of the student's file.

1. the same email for two members of a family: change one email;
2. the request is already on ANTS: link it to the student;
3. the same person is on ANTS with other data: compare the student's file with ANTS, then
   update the file from ANTS.

Run it: ``python examples/divergence.py``.
"""

from __future__ import annotations

import attrs
from _shared import student

import antsclient as ants
from antsclient.sandbox import serve
from antsclient.storage import MemoryStudents, Student


def main() -> int:
    students = MemoryStudents(
        [Student(student_id="eleve-0001", last_name="LABORET", first_name="Claire")]
    )
    with (
        serve() as sandbox,
        ants.AntsSession(sandbox.credentials, base_url=sandbox.url, students=students) as session,
    ):
        claire = session.requests.create(student())
        cases = [
            student(first_name="Lucie"),  # her sister, same email
            student(),  # the same request again
            student(email="claire.l@example.fr"),  # Claire, with a new email
        ]
        for application in cases:
            try:
                session.requests.create(application)
            except ants.DivergenceError as exc:
                print(f"{exc.case} → demande n° {exc.existing_number}\n  {exc.message_fr}")

        # Case 3: what differs between the student's file and ANTS?
        moved = attrs.evolve(student().applicant, email="claire.l@example.fr")
        for difference in session.requests.compare(
            claire, attrs.evolve(student(), applicant=moved)
        ):
            print(f"Champ divergent — {difference}")

        # « Mettre à jour »: ANTS's data written into the student's file.
        session.requests.link(claire, "eleve-0001")
        session.requests.refresh(claire, update_student=True)
        updated = students.get("eleve-0001")
        assert updated is not None
        print(f"Fiche mise à jour : {updated.first_name} {updated.last_name}, {updated.email}")
        left = session.requests.compare(claire, updated)
        print(f"Divergences restantes : {len(left)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
