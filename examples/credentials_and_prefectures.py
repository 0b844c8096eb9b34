"""Paramétrage : enregistrement des identifiants de connexion au site ANTS — and Gestion des droits.

The responsible agency's credentials (Cerfa agreement number, ANTS login and password, postal
code), the prefectures of its department, then the three rights of the manual: an action the
acting user has no right to is refused before any network call.

Run it: ``python examples/credentials_and_prefectures.py``.
"""

from __future__ import annotations

import attrs
from _shared import student

import antsclient as ants
from antsclient.sandbox import serve


def main() -> int:
    with serve() as sandbox:
        # Espace Dirigeant > Bureaux > Agrément pour Cerfa, as the manual types it.
        creds = ants.Credentials(
            agreement="E1706900030", login="claboret662", password="3cfBelfort!"
        )
        print(creds)  # the password is a Secret: it never shows

        with ants.AntsSession(creds, base_url=sandbox.url) as session:
            # The prefectures of the agency's department need its postal code: without it,
            # the error comes before any call.
            try:
                session.prefectures.list()
            except ants.ConfigurationError as exc:
                print("✗", exc.message_fr)

        creds = attrs.evolve(creds, postal_code="90000")
        with ants.AntsSession(creds, base_url=sandbox.url) as session:
            prefectures = session.prefectures.list()
            print("Préfectures :", ", ".join(p.name for p in prefectures))
        # The agency's prefecture is one of them; requests are sent with these credentials.
        creds = attrs.evolve(creds, prefecture=prefectures[0].name)

        # Gestion des droits: the rights granted to the acting user (None: no rights managed).
        for right in ants.Right:
            print(f"Droit : {right.label}")
        manager = ants.AntsSession(creds, base_url=sandbox.url)  # every right
        clerk = ants.AntsSession(creds, base_url=sandbox.url, rights={ants.Right.VALIDATE_REQUEST})
        with manager, clerk:
            request = manager.requests.create(student())
            try:
                clerk.requests.delete(request)  # refused before any call
            except ants.PermissionDenied as exc:
                print("✗", exc.message_fr)
            manager.requests.delete(request)
            print(f"Demande n° {request.number} supprimée par le responsable")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
