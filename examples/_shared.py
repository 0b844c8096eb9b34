"""Helpers the chapter examples share: the manual's student, ready to send, and scanned PDFs.

The student comes from :func:`antsclient.demo.sample_application` (the manual's example,
as typed in the host's student file) with the first name fixed: only the main given name goes
in *Prénom*. The documents are real PDFs made by :func:`antsclient.demo.write_pdf`.
"""

from __future__ import annotations

from pathlib import Path

import attrs

import antsclient as ants
from antsclient.demo import sample_application, write_pdf

__all__ = ["file_draft", "scan", "student"]


def student(
    *, first_name: str = "Claire", email: str = "claire.laboret@example.org"
) -> ants.Cerfa02:
    """The manual's student (Cerfa 02, category B), linked to the host's student « eleve-0001 »."""
    application = sample_application()
    applicant = attrs.evolve(
        application.applicant, first_name=first_name, other_first_names="Anne", email=email
    )
    return attrs.evolve(application, applicant=applicant, student_id="eleve-0001")


def scan(folder: str | Path, name: str, pages: int = 1) -> Path:
    """A scanned document: a real PDF of ``pages`` pages in ``folder``."""
    return write_pdf(Path(folder) / name, pages)


def file_draft(
    session: ants.AntsSession, folder: str | Path, application: ants.Application | None = None
) -> ants.OnlineRequest:
    """Create a draft and send one scanned page for each required document: ready to validate."""
    request = session.requests.create(application or student())
    for slot in session.attachments.slots(request):
        if slot.required:
            session.attachments.upload(request, slot.kind, scan(folder, f"{slot.kind}.pdf"))
    return session.requests.refresh(request)
