"""Erreurs possibles — what a host shows the driving-school user for each error, and does next.

Every error derives from ``AntsError``: ``str(error)`` is for the developer, ``message_fr`` is
the sentence for the user, in the manual's wording. Each one below is provoked on purpose.

Run it: ``python examples/handle_errors.py``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import attrs
from _shared import file_draft, student

import antsclient as ants
from antsclient.sandbox import serve


def show(title: str, action: Callable[[], object]) -> None:
    """Run ``action``; on an error, print what the user sees and what the host does next."""
    try:
        action()
    except ants.AntsError as exc:
        print(f"\n{title} — {type(exc).__name__} [{exc.code}]\n  {exc.message_fr}")
        if isinstance(exc, ants.ApplicationDataError):  # one line per field, with suggestions
            for problem in exc.problems:
                print(f"  → {problem.field} : {', '.join(problem.suggestions[:3]) or '-'}")
        elif isinstance(exc, ants.DivergenceError):  # change the email, or link that request
            print(f"  → demande existante n° {exc.existing_number}")
        elif isinstance(exc, ants.AntsUnavailable):  # refresh first if it may have happened
            print(f"  → peut-être prise en compte : {exc.may_have_taken_effect}")


def main() -> int:
    with serve() as sandbox, tempfile.TemporaryDirectory() as tmp:
        creds, url = sandbox.credentials, sandbox.url
        wrong = attrs.evolve(creds, password="mot-de-passe-faux")
        with ants.AntsSession(wrong, base_url=url) as session:
            show("1. Erreur d'authentification", session.prefectures.list)

        # An agency whose prefecture is not set: ANTS refuses the data.
        unset = sandbox.add_agency(
            "E9000000001", "sans-prefecture", "Secret-9", postal_code="90000"
        )
        with ants.AntsSession(unset, base_url=url) as session:
            show("2. Erreur de données (ANTS)", lambda: session.requests.create(student()))

        with ants.AntsSession(creds, base_url=url, retry=ants.RetryPolicy.immediate(3)) as session:
            claire = session.requests.create(student())
            typed = student(email="claire.l@example.org")  # a typo, caught before sending
            address = attrs.evolve(typed.applicant.address, city="ST PRIET")
            typo = attrs.evolve(typed, applicant=attrs.evolve(typed.applicant, address=address))
            show("2. Erreur de données", lambda: session.requests.create(typo))
            # Lucie shares her sister's email: a request already exists with it on ANTS.
            lucie = student(first_name="Lucie")
            show("3. Divergence de données", lambda: session.requests.create(lucie))

            sandbox.set_faults(error_rate=1.0, seed=1)  # ANTS answers 5xx to everything
            lucie = student(first_name="Lucie", email="lucie@example.org")
            show("4. La page ne répond pas", lambda: session.requests.create(lucie))
            sandbox.set_faults()  # back to normal: creating again is safe (never filed twice)
            print("  Relancée : demande n°", session.requests.create(lucie).number)

            # ANTS saves the validation, then its answer is lost (a 503): the session reads
            # the request back and reports the validation done — never « action impossible ».
            ready = file_draft(session, tmp, student(first_name="Léa", email="lea@example.org"))
            sandbox.set_post_commit_faults(1.0, operations=["validate_request"], kinds=["error"])
            validated = session.requests.validate(ready)
            sandbox.set_post_commit_faults()
            print(f"\n5. Réponse perdue après l'enregistrement — {validated.status_label}")

            show("Action impossible", lambda: session.requests.validate(claire))
            big = Path(tmp) / "scan.pdf"
            with big.open("wb") as stream:
                stream.write(b"%PDF-1.4\n")
                stream.truncate(11_000_001)  # just over 11 MB
            kind = ants.DocumentKind.IDENTITY
            show("Pièce refusée", lambda: session.attachments.upload(claire, kind, big))

        rights = {ants.Right.VALIDATE_REQUEST}  # this user may not delete
        with ants.AntsSession(creds, base_url=url, rights=rights) as clerk:
            show("Droit refusé", lambda: clerk.requests.delete(claire))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
