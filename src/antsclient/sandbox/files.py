"""Les pièces justificatives: one slot per document kind, and the files sent to each.

Which kinds are required comes from :func:`antsclient.attachments.required_kinds`; the page
limit and the comment's length from :func:`~antsclient.attachments.check_pages` and
:func:`~antsclient.attachments.check_comment`; which statuses take files from the lifecycle.
"""

from __future__ import annotations

import datetime as dt

from antsclient.attachments import check_comment, check_pages, offered_kinds, required_kinds
from antsclient.lifecycle import Action, ensure_allowed
from antsclient.models.documents import AttachmentFile, AttachmentSlot
from antsclient.models.enums import DocumentKind
from antsclient.sandbox.errors import SandboxError, not_found
from antsclient.sandbox.idempotency import IdempotencyKeys, fingerprint
from antsclient.sandbox.ledger import Ledger
from antsclient.sandbox.records import Agency, IdempotencyEntry, RequestRecord, StoredFile

__all__ = ["Attachments", "slots_of"]


def slots_of(record: RequestRecord, today: dt.date) -> list[AttachmentSlot]:
    """One slot per document kind the request shows (its type's kinds, the required ones,
    and any holding files), in the kinds' order, with the files sent to it."""
    model = record.model()
    required = required_kinds(model, on=today)
    shown = set(offered_kinds(model, on=today)) | {f.kind for f in record.files}
    slots = []
    for kind in DocumentKind:
        if kind not in shown:
            continue
        files = tuple(f.attachment() for f in record.files if f.kind is kind)
        comments = [f.comment for f in files if f.comment]
        slots.append(
            AttachmentSlot(
                kind=kind,
                label=kind.label,
                pages=sum(f.pages for f in files),
                max_pages=kind.max_pages,
                help=kind.help,
                sent=bool(files),
                required=kind in required,
                comment=comments[-1] if comments else None,
                files=files,
                comment_allowed=kind.comment_allowed,
            )
        )
    return slots


class Attachments:
    """The slots of a request, and the files uploaded to, read from and deleted from them."""

    def __init__(self, ledger: Ledger, keys: IdempotencyKeys) -> None:
        self.ledger = ledger
        self.keys = keys

    def slots(self, agency: Agency, number: str) -> list[AttachmentSlot]:
        """One slot per document kind, in the kinds' order."""
        with self.ledger.read():
            record = self.ledger.record(agency, number)
            ensure_allowed(Action.VIEW_ATTACHMENTS, record.status)
            return slots_of(record, self.ledger.clock.now().date())

    def ensure_can_upload(self, agency: Agency, number: str) -> None:
        """Raise unless the request exists for the agency and its status takes documents."""
        with self.ledger.read():
            ensure_allowed(Action.UPLOAD_ATTACHMENT, self.ledger.record(agency, number).status)

    def upload(
        self,
        agency: Agency,
        number: str,
        kind: DocumentKind,
        *,
        name: str,
        content: bytes,
        media_type: str,
        pages: int,
        comment: str | None,
        idempotency_key: str | None = None,
    ) -> tuple[AttachmentFile, bool]:
        """Store a checked file for ``kind``; ``(file, replayed)``.

        The caller has sniffed the type and counted the pages; the page limit is checked here,
        with the pages already sent, under the lock.
        """
        check_comment(comment, kind)
        digest = fingerprint(
            b"\0".join([kind.value.encode(), name.encode(), (comment or "").encode(), content])
        )
        scope = f"upload/{number}/{kind.value}"
        with self.ledger.mutation() as changes:
            record = self.ledger.record(agency, number)
            replay = self.keys.replay(agency, scope, idempotency_key, digest)
            if replay is not None:
                return _stored(record, None, str(replay.file_id)).attachment(), True
            ensure_allowed(Action.UPLOAD_ATTACHMENT, record.status)
            already = sum(f.pages for f in record.files if f.kind is kind)
            check_pages(kind, pages, pages_already_sent=already, name=name)
            stored = StoredFile(
                file_id=f"F{self.ledger.next_serial():06d}{self.ledger.rng.randrange(16**6):06x}",
                kind=kind,
                name=name,
                pages=pages,
                size=len(content),
                media_type=media_type,
                content=content,
                comment=comment,
            )
            record.files.append(stored)
            record.modified = self.ledger.clock.now()
            self.ledger.row(record, changes)
            entry = IdempotencyEntry(fingerprint=digest, number=number, file_id=stored.file_id)
            self.keys.remember(agency, scope, idempotency_key, entry, changes)
            return stored.attachment(), False

    def attachment(
        self, agency: Agency, number: str, kind: DocumentKind, file_id: str
    ) -> StoredFile:
        """A sent file, with its bytes."""
        with self.ledger.read():
            record = self.ledger.record(agency, number)
            ensure_allowed(Action.VIEW_ATTACHMENTS, record.status)
            return _stored(record, kind, file_id)

    def delete_attachment(
        self, agency: Agency, number: str, kind: DocumentKind, file_id: str
    ) -> None:
        """Delete a sent file (draft only)."""
        with self.ledger.mutation() as changes:
            record = self.ledger.record(agency, number)
            stored = _stored(record, kind, file_id)
            ensure_allowed(Action.DELETE_ATTACHMENT, record.status)
            record.files.remove(stored)
            record.modified = self.ledger.clock.now()
            self.ledger.row(record, changes)


def _stored(record: RequestRecord, kind: DocumentKind | None, file_id: str) -> StoredFile:
    """The file ``file_id`` of the request (of ``kind``, unless ``None``), else a 404."""
    for stored in record.files:
        if stored.file_id == file_id and (kind is None or stored.kind is kind):
            return stored
    raise _attachment_not_found(file_id)


def _attachment_not_found(file_id: str) -> SandboxError:
    return not_found(
        f"attachment {file_id!r}",
        "attachment_not_found",
        "Ce fichier n'existe pas pour cette pièce justificative.",
    )
