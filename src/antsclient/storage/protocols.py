"""What the host plugs in: small protocols it implements on its own database.

antsclient never owns the host's data. A host hands a session objects that have these
methods; nothing needs to inherit from anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

import attrs

from antsclient.models import OnlineRequest

__all__ = ["RequestStore", "StudentDocument", "StudentDocumentSource"]


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
