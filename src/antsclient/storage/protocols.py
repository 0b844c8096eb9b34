"""What the host plugs in: small protocols it implements on its own database.

antsclient never owns the host's data. A host hands a session objects that have these
methods; nothing needs to inherit from anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

import attrs

from antsclient.models import Application, OnlineRequest

__all__ = [
    "RequestStore",
    "Student",
    "StudentDirectory",
    "StudentDocument",
    "StudentDocumentSource",
]


@runtime_checkable
class RequestStore(Protocol):
    """Copies locales des demandes: where a session writes what it learns of each request."""

    def upsert(self, agreement: str, requests: Iterable[OnlineRequest]) -> None:
        """Insert or replace the local copies of ``requests`` for the agency ``agreement``."""

    def get(self, agreement: str, number: str) -> OnlineRequest | None:
        """The local copy of request ``number``, if any."""

    def delete(self, agreement: str, number: str) -> None:
        """Forget request ``number`` (deleted on ANTS)."""


@attrs.frozen(kw_only=True, slots=True)
class StudentDocument:
    """Un document du dossier de l'élève (``cni.pdf``, ``justif domicile.pdf``).

    Either ``path`` (a file on disk, streamed) or ``content`` (bytes held by the host).
    """

    document_id: str
    name: str
    path: Path | None = None
    content: bytes | None = None


@runtime_checkable
class StudentDocumentSource(Protocol):
    """The host's store of students' documents (pick a document already in the file)."""

    def get_document(self, document_id: str) -> StudentDocument:
        """The document ``document_id``; raise ``KeyError`` if there is none."""


@attrs.frozen(kw_only=True, slots=True)
class Student:
    """Un élève of the host (fiche élève), as the student directory returns it."""

    student_id: str
    last_name: str
    first_name: str
    email: str | None = None
    application: Application | None = None
    """The Cerfa data last written from ANTS (``link(..., update_student=True)``), if any."""


@runtime_checkable
class StudentDirectory(Protocol):
    """The host's students: find one by the first letters of a name, read and update it."""

    def search(self, prefix: str, *, limit: int = 20) -> list[Student]:
        """Students whose last or first name starts with ``prefix`` (case and accents
        ignored)."""

    def get(self, student_id: str) -> Student | None:
        """The student ``student_id``, if any."""

    def update_from_ants(self, student_id: str, application: Application) -> Student:
        """Write every field ANTS holds (identity, address, phone, email, cerfa data) into the
        student's file; return the student as updated."""
