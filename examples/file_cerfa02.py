"""Enregistrer une demande: file a complete Cerfa 02 with the ANTS sandbox.

The story of the manual's chapter « Enregistrer une demande »: the student file is checked
(the city ``ST PRIEST`` becomes ``SAINT-PRIEST (69800)``), the request is saved as a draft
(BROUILLON), the supporting documents and the ePhoto code are sent, then the request is
validated (« Valider la demande »): the student has 7 days to confirm it.

Run it: ``python examples/file_cerfa02.py``. It starts a sandbox on loopback; against the
real ANTS only ``base_url`` and the credentials change.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import antsclient as ants
from antsclient import sandbox


def tiny_pdf(title: str) -> bytes:
    """A real one-page PDF: a stand-in for the scanned document of the student file."""
    stream = f"BT /F1 14 Tf 72 760 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def main() -> int:
    # The student file (fiche élève), as it was typed: « ST PRIEST » is not how ANTS writes it.
    application = ants.Cerfa02(
        applicant=ants.Applicant(
            last_name="MARTIN",
            first_name="Julie",  # only the first given name in Prénom
            birth_date=dt.date(2001, 3, 14),
            birth_city="PARIS",
            birth_department="75",
            birth_country="FRANCE",
            address=ants.Address(
                street="27 rue Aristide Briand", postal_code="69800", city="ST PRIEST"
            ),
            email="julie.martin@example.org",  # unique per request
        ),
        categories={ants.LicenceCategory.B},
    )

    with sandbox.serve() as sb, tempfile.TemporaryDirectory() as folder:
        # The scanned documents of the student file.
        identity = Path(folder) / "cni.pdf"
        identity.write_bytes(tiny_pdf("Carte nationale d'identite"))
        proof = Path(folder) / "justif domicile.pdf"
        proof.write_bytes(tiny_pdf("Facture d'electricite"))

        # The agency's credentials (Paramétrage): agreement number, ANTS login and password.
        with ants.AntsSession(sb.credentials, base_url=sb.url) as session:
            # Vérification des villes: what the geo check corrects before anything is sent.
            for field in session.geo.check(application).problems:
                print(f"{field.path}: {field.before} -> {field.after}")

            # « Enregistrer la demande en ligne »: a draft (BROUILLON) on ANTS.
            request = session.requests.create(application)
            print(f"demande n° {request.number} : {request.status_label}")

            # Pièces justificatives: the required ones, at most 11 MB each.
            session.attachments.upload(request, ants.DocumentKind.IDENTITY, identity)
            session.attachments.upload(
                request,
                ants.DocumentKind.PROOF_OF_ADDRESS,
                proof,
                comment="facture de moins de 3 mois",
            )

            # Code ePhoto Cerfa 02 (a code serves only once).
            session.ephoto.set(request, "EPH7K2Q9X4M8N3P6R5T1VZ", cerfa=ants.Cerfa.C02)

            # « Valider la demande »: final; ANTS mails the student, who has 7 days to confirm.
            request = session.requests.validate(request.number)
            print(f"demande n° {request.number} : {request.status_label} ({request.status.value})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
