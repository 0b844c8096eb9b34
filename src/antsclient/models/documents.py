"""What ANTS keeps beside a request: its supporting documents (slots and files sent), its
ePhoto, the prefecture's documents, and the prefectures of an agency's department.

Loaded on first use (``antsclient.AttachmentSlot`` and the others name them lazily):
importing the session does not make these classes; the first answer that holds one does.
"""

from __future__ import annotations

import attrs

from antsclient.models.enums import Cerfa, DocumentKind, PrefectureDocumentKind

__all__ = ["AttachmentFile", "AttachmentSlot", "EPhoto", "Prefecture", "PrefectureDocument"]


@attrs.frozen(kw_only=True, slots=True)
class AttachmentFile:
    """Un fichier envoyé for a supporting-document kind."""

    file_id: str
    name: str
    pages: int
    size: int
    media_type: str
    comment: str | None = None


@attrs.frozen(kw_only=True, slots=True)
class AttachmentSlot:
    """Une ligne « Pièces justificatives »: one document kind of a request.

    Label, pages sent / max pages, help, sent flag, required flag and the user's comment;
    ``comment_allowed`` says whether the kind takes a comment at all.
    """

    kind: DocumentKind
    label: str
    pages: int
    max_pages: int
    help: str
    sent: bool
    required: bool
    comment: str | None = None
    files: tuple[AttachmentFile, ...] = ()
    comment_allowed: bool = True

    @property
    def pages_left(self) -> int:
        """How many more pages the kind takes."""
        return max(self.max_pages - self.pages, 0)


@attrs.frozen(kw_only=True, slots=True)
class EPhoto:
    """La ePhoto: the photo and signature ANTS holds for a request's ePhoto code."""

    code: str
    cerfa: Cerfa
    photo: bytes = attrs.field(repr=lambda b: f"<{len(b)} bytes>")
    signature: bytes = attrs.field(repr=lambda b: f"<{len(b)} bytes>")
    photo_media_type: str = "image/jpeg"
    signature_media_type: str = "image/png"


@attrs.frozen(kw_only=True, slots=True)
class PrefectureDocument:
    """Document de la préfecture available for a request (Éditer les documents).

    ``school_only`` marks a document only the school receives: under a paper mandate the
    student has no ANTS account, so the deposit receipt and the registration certificate
    (attestation d'inscription / fac-similé) go to the school alone.
    """

    kind: PrefectureDocumentKind
    label: str
    media_type: str = "application/pdf"
    available: bool = True
    school_only: bool = False


@attrs.frozen(kw_only=True, slots=True)
class Prefecture:
    """Préfecture of the agency's department (« mettre à jour la liste des préfectures »)."""

    code: str
    name: str
    department: str
