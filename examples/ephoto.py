"""Actions disponibles : Ajouter / modifier, Consulter et Supprimer la ePhoto.

Without an ePhoto code, the photo-signature deposit form (Cerfa 02 only) is downloaded for the
student. With a code, it goes in *Code ePhoto Cerfa 02* (registration) or *Code ePhoto
Cerfa 06* (title request); the photo and the signature can then be viewed and saved. A code
serves only once; deleting it needs the right « ANTS - Supprimer le code ePhoto ».

Run it: ``python examples/ephoto.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _shared import student

import antsclient as ants
from antsclient.sandbox import serve

CODE = "DEMO2PHOTO02SIGN0CODE1"  # as printed on the photo booth's receipt


def main() -> int:
    with serve() as sandbox, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as session:
            request = session.requests.create(student())

            # No code yet: the deposit form to hand to the student.
            form = session.ephoto.deposit_form(request, to=folder)
            print(f"Formulaire de dépôt : {form.name}")

            # Ajouter / modifier la ePhoto: the code of a registration goes in Cerfa 02.
            session.ephoto.set(request, CODE, cerfa=ants.Cerfa.C02)
            photo = session.ephoto.get(request)  # Consulter la ePhoto
            (folder / "ephoto.jpg").write_bytes(photo.photo)
            (folder / "signature.png").write_bytes(photo.signature)
            print(f"Code {photo.code} (Cerfa {photo.cerfa}) : {len(photo.photo)} octets de photo")

            # A code serves only once: another student's request cannot take it.
            other = session.requests.create(student(first_name="Lucie", email="lucie@example.org"))
            try:
                session.ephoto.set(other, CODE, cerfa=ants.Cerfa.C02)
            except ants.ApplicationDataError as exc:
                print("✗", exc.message_fr)

        # Supprimer la ePhoto: a user without the right is refused before any call.
        rights = {ants.Right.VALIDATE_REQUEST}
        with ants.AntsSession(sandbox.credentials, base_url=sandbox.url, rights=rights) as clerk:
            try:
                clerk.ephoto.delete(request, ants.Cerfa.C02)
            except ants.PermissionDenied as exc:
                print("✗", exc.message_fr)
        with ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as manager:
            manager.ephoto.delete(request, ants.Cerfa.C02)
            print("Code ePhoto Cerfa 02 supprimé : il peut servir à une autre demande")
            manager.ephoto.set(other, CODE, cerfa=ants.Cerfa.C02)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
