"""Télécharger des documents de la préfecture pour une demande — only for linked requests.

ANTS makes documents available for a request as it progresses: the photo-signature deposit
form, the request receipt, the registration certificate and facsimile once the Cerfa 02 is
accepted, the driving-rights certificate… The button is active only when the request is
linked to a student of the host.

Run it: ``python examples/prefecture_documents.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _shared import file_draft

import antsclient as ants
from antsclient.sandbox import serve


def main() -> int:
    with serve() as sandbox, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as session:
            # A request filed from the software for the student « eleve-0001 », then accepted.
            request = session.requests.validate(file_draft(session, folder))
            sandbox.applicant_validates(request.number)
            sandbox.prefecture_decides(request.number, "accept")
            request = session.requests.refresh(request)
            print(f"Demande n° {request.number} : {request.status_label}, NEPH {request.neph}")

            # « Consulter les documents de la demande »: download those available.
            downloads = folder / "documents"
            downloads.mkdir()
            for document in session.documents.list(request):
                if document.available:
                    path = session.documents.download(request, document.kind, to=downloads)
                    print(f"  {document.label:45} → {path.name}")
                else:
                    print(f"  {document.label:45}   (pas encore disponible)")

            # A request made directly on ANTS is not linked to a student (a red row): no
            # documents until it is linked.
            direct = sandbox.register_direct()
            try:
                session.documents.list(direct.number)
            except ants.ActionNotAllowed as exc:
                print("✗", exc.message_fr)
            session.requests.link(direct.number, "eleve-0042")
            available = [d.label for d in session.documents.list(direct.number) if d.available]
            print(f"Demande n° {direct.number} reliée : {', '.join(available)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
