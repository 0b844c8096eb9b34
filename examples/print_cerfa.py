"""Enregistrer une demande — « Impression Cerfa »: the filled Cerfa 02 and Cerfa 06 as PDF.

The school prints the form for the student's file or for signature: every field in its box,
the declarations ticked, the request number and the generation date in the footer. The
layout is faithful to the form, not the official file. Needs the ``print`` extra.

Run it: ``python examples/print_cerfa.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _shared import student

import antsclient as ants
from antsclient import printing
from antsclient.sandbox import serve


def main() -> int:
    with serve() as sandbox, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with ants.AntsSession(sandbox.credentials, base_url=sandbox.url) as session:
            request = session.requests.create(student())
            # « Impression Cerfa ☒ Cerfa 02 »: filled from what ANTS holds now.
            cerfa02 = session.requests.print(request, to=folder)
            print(f"Cerfa 02 imprimé : {cerfa02.name}")
            # « ☒ Cerfa 06 »: the title request's form, from the same student's data.
            cerfa06 = session.requests.print(request, to=folder / "titre.pdf", cerfa="06")
            print(f"Cerfa 06 imprimé : {cerfa06.name}")
            held = session.requests.application(request)

        # Offline, box by box: what the printed form says (a host may show it as HTML).
        form = printing.cerfa_form(held, request)
        print(f"{form.reference} — {len(form.values())} cases remplies")
        for question, option in form.ticked()[:4]:
            print(f"  ☒ {question} : {option}")
        print(f"Pied de page : {form.notice}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
