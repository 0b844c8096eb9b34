"""Pièces justificatives — send, view and delete the supporting documents of a draft.

Each document kind has a label, pages sent / max pages, a help text, a sent flag, a required
flag and the user's comment (80 characters at most). A file comes from the disk or from the
documents already in the student's file; each is checked (11 MB, type, pages, comment)
before it leaves.

Run it: ``python examples/supporting_documents.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _shared import scan, student

import antsclient as ants
from antsclient.sandbox import serve
from antsclient.storage import StudentDocument


class StudentFile(dict[str, StudentDocument]):
    """The host's documents of the student (« Ou choisissez un fichier parmi les documents »)."""

    def get_document(self, document_id: str) -> StudentDocument:
        return self[document_id]


def main() -> int:
    with serve() as sandbox, tempfile.TemporaryDirectory() as tmp:
        folder, kinds = Path(tmp), ants.DocumentKind
        cni = StudentDocument(document_id="doc-1", name="cni.pdf", path=scan(folder, "cni.pdf", 2))
        url, documents = sandbox.url, StudentFile({"doc-1": cni})
        session = ants.AntsSession(sandbox.credentials, base_url=url, student_documents=documents)
        with session:
            request = session.requests.create(student())
            # Identity: a document already in the student's file.
            session.attachments.upload_from_student(request, kinds.IDENTITY, "doc-1")
            # Proof of address: a file on disk, with a comment (80 characters at most).
            bill = scan(folder, "justificatif-domicile.pdf")
            session.attachments.upload(request, kinds.PROOF_OF_ADDRESS, bill, comment="Facture EDF")
            # ASSR: an open stream works too (files are streamed, never read whole).
            with scan(folder, "assr2.pdf").open("rb") as stream:
                sent = session.attachments.upload(request, kinds.ASSR, stream)

            # Refused before sending: a third identity page (2 at most), a comment too long.
            for kind, comment in ((kinds.IDENTITY, None), (kinds.ASSR, "x" * 81)):
                try:
                    session.attachments.upload(
                        request, kind, scan(folder, "p.pdf"), comment=comment
                    )
                except ants.AttachmentRejected as exc:
                    print("✗", exc.message_fr)

            # The « Envoyer les pièces justificatives » screen.
            for slot in session.attachments.slots(request):
                sent_flag, required = (
                    ("envoyé" if slot.sent else ""),
                    ("requis" if slot.required else ""),
                )
                print(f"{slot.label:60} {slot.pages}/{slot.max_pages} {sent_flag:6} {required}")

            # View (download) a sent file, then delete it: deleted on ANTS too.
            downloads = folder / "telechargements"
            downloads.mkdir()
            path = session.attachments.download(request, kinds.ASSR, sent.file_id, to=downloads)
            print(f"Téléchargé : {path.name} ({path.stat().st_size} octets)")
            session.attachments.delete(request, kinds.ASSR, sent.file_id)
            assr = next(s for s in session.attachments.slots(request) if s.kind is kinds.ASSR)
            print(f"Après suppression : {assr.label} {assr.pages}/{assr.max_pages}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
