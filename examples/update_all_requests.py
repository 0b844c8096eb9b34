"""Mettre à jour toutes les demandes: sync an agency's requests into a local SQLite file.

The first sync fetches everything (pages in parallel); the next one asks ANTS only for what
changed since. Then every agency of the host at once: a wrong password is reported for its
agency and never stops the others. Runs against the embedded sandbox:
``python examples/update_all_requests.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import antsclient as ants
from antsclient import agency, sandbox
from antsclient.storage import SqliteStore


def main() -> int:
    with sandbox.serve() as sb, tempfile.TemporaryDirectory() as folder:
        sb.seed_requests(1200)
        with (
            SqliteStore(Path(folder) / "demandes.db") as store,
            ants.AntsSession(sb.credentials, base_url=sb.url, store=store) as session,
        ):
            with agency.progress_bar() as bar:
                report = session.requests.sync_all(progress=bar)
            print(
                f"Première mise à jour : {report.new} demandes, dont {report.unlinked} "
                f"non reliées à un élève ({report.pages} pages)"
            )

            sb.register_direct()  # a student files directly on the ANTS site
            report = session.requests.sync_all()
            print(
                f"Mise à jour suivante : {report.new} nouvelle(s), {report.updated} modifiée(s), "
                f"{report.seen} demande(s) lue(s) seulement"
            )

            agencies = [
                sb.credentials,
                ants.Credentials(agreement="E0000000000", login="inconnu", password="faux"),
            ]
            for result in agency.sync_agencies(agencies, store, base_url=sb.url):
                outcome = "à jour" if result.ok else f"erreur : {result.error_fr}"
                print(f"Agence {result.agreement} : {outcome}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
