"""The demo: the story of the manual, told step by step in French and English."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import TextIO

import attrs

from antsclient.attachments import required_kinds
from antsclient.lifecycle import Action, allowed_actions
from antsclient.models import Address, Applicant, Cerfa02, LicenceCategory, RequestStatus
from antsclient.protocol.converter import to_data
from antsclient.validation import validate


def _say(out: TextIO, fr: str, en: str) -> None:
    out.write(f"  {fr}\n  \033[2m{en}\033[0m\n" if out.isatty() else f"  {fr}\n  ({en})\n")


def _step(out: TextIO, n: int, title: str) -> None:
    out.write(f"\n{n}. {title}\n")


def sample_application() -> Cerfa02:
    """The manual's student: a Cerfa 02 for category B, as typed in the student's file."""
    return Cerfa02(
        applicant=Applicant(
            last_name="LABORET",
            first_name="Claire Anne",
            birth_date=dt.date(2006, 7, 5),
            birth_city="PARIS",
            birth_department="75",
            birth_country="FRANCE",
            address=Address(street="3 rue Aristide Briand", postal_code="69800", city="ST PRIEST"),
            email="claire.laboret@example.org",
            phone="06 11 22 33 44",
        ),
        categories={LicenceCategory.B},
    )


def run_demo(*, out: str | None = None, stream: TextIO | None = None) -> int:
    """Build, check and correct an application offline; write it as JSON in a folder."""
    import sys  # noqa: PLC0415

    write = stream or sys.stdout
    folder = Path(out) if out else Path(tempfile.mkdtemp(prefix="antsclient-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()

    _step(write, 1, "Fiche élève / The student's file")
    application = sample_application()
    _say(
        write,
        f"Élève : {application.applicant.full_name}, catégorie B",
        "A Cerfa 02 (registration) for category B",
    )

    _step(write, 2, "Vérification avant envoi / Checks before sending")
    problems = validate(application, on=today)
    for problem in problems:
        _say(write, f"✗ {problem.message_fr}", f"{problem.field}: {problem.code}")

    _step(write, 3, "Correction / Fixing the data")
    first, *others = application.applicant.first_name.split()
    fixed = attrs.evolve(
        application,
        applicant=attrs.evolve(
            application.applicant, first_name=first, other_first_names=" ".join(others)
        ),
    )
    remaining = [p for p in validate(fixed, on=today) if p.is_error]
    _say(
        write,
        f"Prénom : {first} ; autres prénoms : {' '.join(others)}",
        f"{len(remaining)} error(s) left",
    )

    _step(write, 4, "Pièces justificatives requises / Required documents")
    for kind in sorted(required_kinds(fixed, on=today), key=lambda k: k.value):
        _say(write, f"• {kind.label} ({kind.max_pages} pages max.)", kind.value)

    _step(write, 5, "Ce que permet un brouillon / What a draft allows")
    actions = sorted(a.label for a in allowed_actions(RequestStatus.DRAFT))
    _say(write, " · ".join(actions), "the lifecycle table decides, before any call")

    target = folder / "application.json"
    target.write_text(
        json.dumps({"cerfa": "02", "application": to_data(fixed)}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    write.write(f"\nFichiers / Files: {folder}\n")
    return 0 if not remaining else 1


__all__ = ["Action", "run_demo", "sample_application"]
