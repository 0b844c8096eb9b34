"""Relier une demande à un élève: a request registered directly on ANTS (a red row) is linked
to the host's student, found by the first letters of the name, and the student's file is
updated with everything ANTS holds. ``python examples/link_request.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import antsclient as ants
from antsclient import sandbox
from antsclient.storage import SqliteStore, Student


def main() -> int:
    with sandbox.serve() as sb, tempfile.TemporaryDirectory() as folder:
        agreement = sb.credentials.agreement
        with SqliteStore(Path(folder) / "agence.db") as store:
            with ants.AntsSession(
                sb.credentials, base_url=sb.url, store=store, students=store.students
            ) as session:
                session.requests.sync_all()
                unlinked = store.search(agreement, linked=False)
                print(f"Demandes non reliées (en rouge) : {len(unlinked)}")
                request = unlinked[0]
                application = session.requests.application(request)
                name = application.applicant.last_name

                # The host's student file, found by the first letters of the name.
                store.students.save(Student(student_id="eleve-0042", last_name=name, first_name=""))
                [student] = store.students.search(name[:3].lower())
                linked = session.requests.link(request, student.student_id, update_student=True)
                print(f"Demande n° {linked.number} reliée à l'élève {linked.student_id}")

            updated = store.students.get(student.student_id)
            assert updated is not None
            print(f"Fiche mise à jour : {updated.last_name} {updated.first_name}, {updated.email}")
            print(f"Demandes non reliées : {len(store.search(agreement, linked=False))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
