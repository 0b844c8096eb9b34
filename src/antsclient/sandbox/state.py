"""The simulated ANTS: agencies, requests and their rules, behind one lock.

Every rule comes from antsclient itself, so the server cannot disagree with the client:
the lifecycle table (:mod:`antsclient.lifecycle`), the document rules
(:mod:`antsclient.attachments`), the data validation (:func:`antsclient.validate`) and the
geo referential (:mod:`antsclient.geo`, through :mod:`antsclient.sandbox.referential`).
What only the server knows lives in its parts, which :class:`SandboxState` puts together:

* :mod:`~antsclient.sandbox.ledger` — the requests, their indexes and the journal;
* :mod:`~antsclient.sandbox.idempotency` — the idempotency keys;
* :mod:`~antsclient.sandbox.agencies` — the agencies and their tokens;
* :mod:`~antsclient.sandbox.filing` — filing, the lifecycle's actions, search and counts;
* :mod:`~antsclient.sandbox.files`, :mod:`~antsclient.sandbox.ephoto`,
  :mod:`~antsclient.sandbox.documents` — supporting documents, ePhoto, prefecture documents;
* :mod:`~antsclient.sandbox.other_side` — the student, the prefecture and the clock;
* :mod:`~antsclient.sandbox.seeding` — sample data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from antsclient.models.application import Application
from antsclient.models.documents import (
    AttachmentFile,
    AttachmentSlot,
    EPhoto,
    Prefecture,
    PrefectureDocument,
)
from antsclient.models.enums import (
    Cerfa,
    DocumentKind,
    PrefectureDecision,
    PrefectureDocumentKind,
    RequestStatus,
)
from antsclient.models.request import OnlineRequest
from antsclient.sandbox.agencies import Agencies
from antsclient.sandbox.clock import Clock
from antsclient.sandbox.documents import Documents
from antsclient.sandbox.ephoto import EPhotos
from antsclient.sandbox.files import Attachments
from antsclient.sandbox.filing import Filing
from antsclient.sandbox.idempotency import IdempotencyKeys
from antsclient.sandbox.journal import Journal
from antsclient.sandbox.ledger import Ledger
from antsclient.sandbox.mailbox import Mailbox, Message, ValidationLink
from antsclient.sandbox.other_side import OtherSide
from antsclient.sandbox.records import Agency, StatusChange, StoredFile
from antsclient.sandbox.search import SearchFilters
from antsclient.sandbox.seeding import Seeding

__all__ = ["SandboxState"]


class SandboxState:
    """Everything the simulated ANTS holds, thread-safe behind one lock.

    ``seed`` makes the sample data and the generated numbers deterministic; ``token_ttl``
    is the lifetime of an access token on :attr:`clock`; ``store`` is the journal that
    persists every mutation (``None``: in memory only). A journal that already holds data is
    resumed, not re-seeded.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        token_ttl: dt.timedelta = dt.timedelta(hours=1),
        store: Journal | None = None,
        clock: Clock | None = None,
        sample_data: bool = True,
    ) -> None:
        self.seed = seed
        self.sample_data = sample_data
        self.clock: Clock = clock or Clock()
        self._ledger = Ledger(seed=seed, clock=self.clock, journal=store)
        self._keys = IdempotencyKeys()
        self._agencies = Agencies(self._ledger, token_ttl=token_ttl)
        self.agencies: dict[str, Agency] = self._agencies.by_agreement
        self.mailbox: Mailbox = Mailbox(self._ledger)
        self._filing = Filing(self._ledger, self._keys, mailbox=self.mailbox)
        self._attachments = Attachments(self._ledger, self._keys)
        self._ephotos = EPhotos(self._ledger)
        self._documents = Documents(self._ledger)
        self._other_side = OtherSide(self._ledger, self._agencies, mailbox=self.mailbox)
        self._seeding = Seeding(self._ledger, self._agencies, self._other_side)
        tables = self._ledger.journal.load()
        if tables:
            self._ledger.restore(tables)
            self._agencies.restore(tables)
            self._keys.restore(tables)
            self.mailbox.restore(tables)
        elif sample_data:
            self._seeding.sample()

    @property
    def token_ttl(self) -> dt.timedelta:
        """The lifetime of the tokens issued from now on."""
        return self._agencies.token_ttl

    @token_ttl.setter
    def token_ttl(self, value: dt.timedelta) -> None:
        self._agencies.token_ttl = value

    # -- agencies and tokens --------------------------------------------------------------

    def add_agency(self, agency: Agency) -> Agency:
        """Add (or replace) an agency."""
        return self._agencies.add(agency)

    def login(self, agreement: str, login: str, password: str) -> dict[str, Any]:
        """A token for an agency, or :class:`AuthenticationError` (never says which is wrong)."""
        return self._agencies.login(agreement, login, password)

    def authenticate(self, token: str | None) -> Agency:
        """The agency a bearer token stands for; 401 ``token_invalid`` / ``token_expired``."""
        return self._agencies.authenticate(token)

    def prefectures(self, agency: Agency, postal_code: str | None) -> tuple[str, list[Prefecture]]:
        """The prefectures of the department of ``postal_code`` (else the agency's)."""
        return self._agencies.prefectures(agency, postal_code)

    # -- requests -------------------------------------------------------------------------

    def create(
        self,
        agency: Agency,
        application: Application,
        *,
        confirmed_fields: Collection[str] = (),
        idempotency_key: str | None = None,
        fingerprint: str = "",
    ) -> tuple[OnlineRequest, bool]:
        """File a request as a draft; ``(request, replayed)`` (see :meth:`Filing.create`)."""
        return self._filing.create(
            agency,
            application,
            confirmed_fields=confirmed_fields,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
        )

    def get(self, agency: Agency, number: str) -> OnlineRequest:
        """One of the agency's requests (another agency's is not found)."""
        return self._filing.get(agency, number)

    def application_of(self, agency: Agency, number: str) -> tuple[Cerfa, dict[str, Any]]:
        """The cerfa and application data ANTS holds for the request."""
        return self._filing.application_of(agency, number)

    def validate(self, agency: Agency, number: str) -> OnlineRequest:
        """Valider la demande: a draft with every required document goes to the student."""
        return self._filing.validate(agency, number)

    def delete(self, agency: Agency, number: str) -> None:
        """Supprimer la demande (BROUILLON or EN COURS DE VALIDATION PAR L'ÉLÈVE)."""
        self._filing.delete(agency, number)

    def transfer(self, agency: Agency, number: str, former_agreement: str) -> OnlineRequest:
        """Take over another agency's filed request, named by its number and the former
        agency's agreement; its copy there shows « transféré »."""
        return self._filing.transfer(agency, number, former_agreement)

    def send_complement(self, agency: Agency, number: str) -> OnlineRequest:
        """Transmettre le complément: À COMPLÉTER → under review again."""
        return self._filing.send_complement(agency, number)

    def link(self, agency: Agency, number: str, student_id: str) -> OnlineRequest:
        """Relier la demande à un élève."""
        return self._filing.link(agency, number, student_id)

    def search(self, agency: Agency, filters: SearchFilters) -> dict[str, Any]:
        """A page of the agency's requests, ordered by (modified, number)."""
        return self._filing.search(agency, filters)

    def search_body(self, agency: Agency, filters: SearchFilters, *, rows: bool = False) -> bytes:
        """:meth:`search`'s page as the JSON the API sends (its requests as rows when
        ``rows``: see :func:`antsclient.sandbox.search.page_body`)."""
        return self._filing.search_body(agency, filters, rows=rows)

    def counts(self, agency: Agency) -> dict[str, dict[str, int]]:
        """How many requests each bucket holds: per cerfa and in all."""
        return self._filing.counts(agency)

    def requests(self, agreement: str | None = None) -> list[OnlineRequest]:
        """Every request the server holds (one agency's, or all), by agency then number."""
        return self._filing.requests(agreement)

    # -- supporting documents, ePhoto, prefecture documents -------------------------------

    def slots(self, agency: Agency, number: str) -> list[AttachmentSlot]:
        """One slot per document kind, in the kinds' order."""
        return self._attachments.slots(agency, number)

    def ensure_can_upload(self, agency: Agency, number: str) -> None:
        """Raise unless the request exists for the agency and its status takes documents."""
        self._attachments.ensure_can_upload(agency, number)

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
        """Store a checked file for ``kind``; ``(file, replayed)``."""
        return self._attachments.upload(
            agency,
            number,
            kind,
            name=name,
            content=content,
            media_type=media_type,
            pages=pages,
            comment=comment,
            idempotency_key=idempotency_key,
        )

    def attachment(
        self, agency: Agency, number: str, kind: DocumentKind, file_id: str
    ) -> StoredFile:
        """A sent file, with its bytes."""
        return self._attachments.attachment(agency, number, kind, file_id)

    def delete_attachment(
        self, agency: Agency, number: str, kind: DocumentKind, file_id: str
    ) -> None:
        """Delete a sent file (draft only)."""
        self._attachments.delete_attachment(agency, number, kind, file_id)

    def set_ephoto(self, agency: Agency, number: str, cerfa: Cerfa, code: str) -> str:
        """Set the ePhoto code of a draft for ``cerfa``; a code serves one request only."""
        return self._ephotos.set_ephoto(agency, number, cerfa, code)

    def ephoto(self, agency: Agency, number: str) -> EPhoto:
        """The photo and signature of the request's ePhoto code (its own cerfa's first)."""
        return self._ephotos.ephoto(agency, number)

    def delete_ephoto(self, agency: Agency, number: str, cerfa: Cerfa) -> None:
        """Delete the ePhoto code for ``cerfa`` (draft only); the code is free again."""
        self._ephotos.delete_ephoto(agency, number, cerfa)

    def deposit_form(self, agency: Agency, number: str) -> bytes:
        """Formulaire de dépôt de photo-signature (Cerfa 02 drafts only), as a PDF."""
        return self._ephotos.deposit_form(agency, number)

    def documents(self, agency: Agency, number: str) -> list[PrefectureDocument]:
        """The prefecture documents of a linked request (none for an unlinked one)."""
        return self._documents.documents(agency, number)

    def document(
        self, agency: Agency, number: str, kind: PrefectureDocumentKind
    ) -> tuple[str, bytes]:
        """A prefecture document as ``(filename, PDF bytes)``."""
        return self._documents.document(agency, number, kind)

    # -- the other side: the student, the prefecture, the clock ---------------------------

    def applicant_validates(self, number: str) -> OnlineRequest:
        """The student confirms within 7 days (after that, the request is a draft again)."""
        return self._other_side.applicant_validates(number)

    def prefecture_takes_up(self, number: str) -> OnlineRequest:
        """The prefecture takes up a request whose documents were checked."""
        return self._other_side.prefecture_takes_up(number)

    def prefecture_decides(
        self, number: str, decision: PrefectureDecision | str, *, reason: str | None = None
    ) -> OnlineRequest:
        """Accept, reject or ask to complete (with the prefecture's ``reason``); an accepted
        Cerfa 02 gets its NEPH."""
        return self._other_side.prefecture_decides(number, decision, reason=reason)

    def prefecture_issues_documents(self, number: str) -> OnlineRequest:
        """The prefecture makes an accepted request's documents available (the student is
        told)."""
        return self._other_side.prefecture_issues_documents(number)

    def register_direct(
        self,
        *,
        agreement: str | None = None,
        application: Application | None = None,
        status: RequestStatus = RequestStatus.UNDER_REVIEW,
    ) -> OnlineRequest:
        """A request the student registered directly on ANTS: long number, unlinked."""
        return self._other_side.register_direct(
            agreement=agreement, application=application, status=status
        )

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward; the student's expired windows close at once."""
        self._other_side.advance(delta)

    # -- bulk and upkeep ------------------------------------------------------------------

    def seed_requests(
        self,
        count: int,
        *,
        agreement: str | None = None,
        statuses: Iterable[RequestStatus] | None = None,
    ) -> list[str]:
        """Add ``count`` requests to an agency, in a cycle of statuses; their numbers."""
        return self._seeding.seed_requests(count, agreement=agreement, statuses=statuses)

    # -- the student's mailbox -------------------------------------------------------------

    def outbox(self, recipient: str | None = None, number: str | None = None) -> list[Message]:
        """Every message sent to the students, oldest first (reminders due are sent first)."""
        with self._ledger.read() as changes:
            self.mailbox.remind(changes)
            return self.mailbox.outbox(recipient, number)

    def validation_link(self, token: str) -> tuple[ValidationLink, OnlineRequest] | None:
        """The confirmation link of ``token`` and its request as it stands, if both exist."""
        with self._ledger.read() as changes:
            self.mailbox.remind(changes)
            link = self.mailbox.link(token)
            if link is None:
                return None
            record = self._ledger.held(link.agreement).get(link.number)
            return None if record is None else (link, record.online())

    def history(self, agency: Agency, number: str) -> list[StatusChange]:
        """The request's steps, oldest first, from its creation (« historique »)."""
        with self._ledger.read():
            return list(self._ledger.record(agency, number).history)

    def reset(self) -> None:
        """Back to a new sandbox: the journal emptied, the clock's offset at zero, the sample
        data seeded again (served links keep their server root)."""
        with self._ledger.lock:
            journal = self._ledger.journal
            stored = journal.load()
            journal.save([(kind, key, None) for kind, rows in stored.items() for key in rows])
            base_url = self.mailbox.base_url
            self.clock.offset = dt.timedelta(0)
            SandboxState.__init__(
                self,
                seed=self.seed,
                token_ttl=self.token_ttl,
                store=journal,
                clock=self.clock,
                sample_data=self.sample_data,
            )
            self.mailbox.base_url = base_url

    def close(self) -> None:
        """Release the journal."""
        with self._ledger.lock:
            self._ledger.journal.close()
