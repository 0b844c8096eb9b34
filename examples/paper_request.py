"""Enregistrer une demande — les demandes « papier » and their bordereaux.

Some files still leave on paper (see docs/paper-requests.md): the printed Cerfa, with the
registration date, the way the student gets the delivery tracking identifiers (« Par
courrier / Par courriel ») and the bordereau they were posted with. Here the title request
(Cerfa 06) of a student whose Cerfa 02 was accepted goes on paper: it joins a bordereau, the
store keeps the bordereau, and both print as PDF.

Run it: ``python examples/paper_request.py``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from _shared import file_draft, student

import antsclient as ants
from antsclient import printing
from antsclient.sandbox import serve
from antsclient.storage import SqliteStore


def main() -> int:
    with serve() as sandbox, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        agreement = sandbox.credentials.agreement
        with ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as session:
            request = session.requests.validate(file_draft(session, folder))
            sandbox.applicant_validates(request.number)
            accepted = sandbox.prefecture_decides(request.number, "accept")
            print(f"Cerfa 02 n° {accepted.number} accepté, NEPH {accepted.neph}")

            # The title request, on paper: a Cerfa 06 with the NEPH, tracking by email.
            title = ants.Cerfa06(
                applicant=student().applicant,
                categories={ants.LicenceCategory.B},
                neph=accepted.neph or "",
                cerfa02_number=accepted.number,
            )
            paper = ants.PaperRequest(
                reference="PAP-0001",
                application=title,
                registered_on=dt.date(2026, 11, 30),
                tracking=ants.TrackingChannel.EMAIL,
                tracking_id="claire.laboret@example.org",
            )
            bordereau = ants.Bordereau(
                number="17", date=dt.date(2026, 11, 30), agreement=agreement
            ).add(paper)
            paper = bordereau.requests[0]
            print(f"Bordereau N° {paper.bordereau_number} du {paper.bordereau_date:%d/%m/%Y}")
            cerfa06 = session.requests.print(request, to=folder, cerfa="06", paper=paper)
            print(f"Cerfa 06 imprimé : {cerfa06.name}")

        with SqliteStore(folder / "agence.db") as store:  # « Bordereaux dossiers »
            store.save_bordereau(bordereau)
            for kept in store.bordereaux(agreement):
                names = ", ".join(r.student_name for r in kept.requests)
                print(f"Bordereau N° {kept.number} : {len(kept)} dossier(s) — {names}")
                listing = printing.write_bordereau(folder, kept)
                print(f"Liste imprimée : {listing.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
