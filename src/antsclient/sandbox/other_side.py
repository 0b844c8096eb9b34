"""L'autre côté: what the student, the prefecture and time do to the requests.

In the real flow these happen on ANTS, out of the agency's hands: the student confirms within
7 days (la validation par l'élève), the prefecture takes a request up and decides on it, a
student registers directly on ANTS. The tests play them here, and move the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from antsclient.codec import to_data
from antsclient.errors import ActionNotAllowed
from antsclient.lifecycle import Action, next_status
from antsclient.models.application import Application
from antsclient.models.enums import Cerfa, PrefectureDecision, RequestStatus
from antsclient.models.request import OnlineRequest
from antsclient.sandbox.agencies import DEFAULT_AGENCY, Agencies
from antsclient.sandbox.documents import available_documents
from antsclient.sandbox.journal import Changes
from antsclient.sandbox.ledger import Ledger
from antsclient.sandbox.mailbox import Mailbox
from antsclient.sandbox.records import RequestRecord, StatusChange
from antsclient.sandbox.seed import make_application

__all__ = ["OtherSide"]

_ISSUABLE = frozenset({RequestStatus.READY_FOR_CERFA06, RequestStatus.ACCEPTED})
_DECISIONS = {
    PrefectureDecision.ACCEPT: Action.PREFECTURE_ACCEPTS,
    PrefectureDecision.REJECT: Action.PREFECTURE_REJECTS,
    PrefectureDecision.ASK_COMPLETION: Action.PREFECTURE_ASKS_COMPLETION,
}


class OtherSide:
    """The student, the prefecture and the clock, acting on any agency's requests."""

    def __init__(
        self, ledger: Ledger, agencies: Agencies, *, mailbox: Mailbox | None = None
    ) -> None:
        self.ledger = ledger
        self.agencies = agencies
        self.mailbox: Mailbox = mailbox or Mailbox(ledger)

    def _act(
        self,
        number: str,
        change: Callable[[RequestRecord], None],
        tell: Callable[[RequestRecord, Changes], None] | None = None,
    ) -> OnlineRequest:
        with self.ledger.mutation() as changes:
            record = self.ledger.live_record(number)
            change(record)
            self.ledger.row(record, changes)
            if tell is not None:
                tell(record, changes)  # the student's mail
            return record.online()

    def _move(
        self,
        number: str,
        action: Action,
        tell: Callable[[RequestRecord, Changes], None] | None = None,
    ) -> OnlineRequest:
        def change(record: RequestRecord) -> None:
            status = next_status(action, record.status, paper_mandate=record.paper_mandate)
            self.ledger.set_status(record, status)

        return self._act(number, change, tell)

    def applicant_validates(self, number: str) -> OnlineRequest:
        """The student confirms within 7 days (after that, the request is a draft again).

        Never under a paper mandate: the student has nothing to confirm there."""
        return self._move(number, Action.APPLICANT_VALIDATES, self.mailbox.applicant_validated)

    def prefecture_takes_up(self, number: str) -> OnlineRequest:
        """The prefecture takes up a request whose documents were checked."""
        return self._move(number, Action.PREFECTURE_TAKES_UP)

    def prefecture_decides(
        self, number: str, decision: PrefectureDecision | str, *, reason: str | None = None
    ) -> OnlineRequest:
        """Accept, reject or ask to complete (``reason``: the prefecture's motive, told to
        the student); an accepted request goes where its type says (an inscription to « à
        traiter en Cerfa 06 », with its NEPH)."""
        decision = PrefectureDecision(decision)
        action = _DECISIONS[decision]
        reason = (reason or "").strip() or None

        def change(record: RequestRecord) -> None:
            status = next_status(
                action, record.status, cerfa=record.cerfa, request_type=record.request_type
            )
            self.ledger.set_status(record, status, note=reason)
            if decision is PrefectureDecision.ACCEPT and record.neph is None:
                record.neph = self.ledger.neph()

        def tell(record: RequestRecord, changes: Changes) -> None:
            self.mailbox.decided(record, decision, reason, changes)

        return self._act(number, change, tell)

    def prefecture_issues_documents(self, number: str) -> OnlineRequest:
        """The prefecture makes an accepted request's documents available; the student is
        told which."""
        with self.ledger.mutation() as changes:
            record = self.ledger.live_record(number)
            if record.status not in _ISSUABLE:
                raise ActionNotAllowed(
                    f"documents are issued for an accepted request, not in {record.status.value}",
                    action="issue_documents",
                    status=record.status.value,
                    rule="documents are issued once the request is accepted",
                    message_fr="Les documents ne sont délivrés qu'une fois la demande acceptée "
                    f"(statut actuel : « {record.status.label} »).",
                )
            kinds = available_documents(record, self.ledger.clock.now().date())
            labels = ", ".join(sorted(kind.label for kind in kinds))
            note = f"Documents délivrés : {labels}" if labels else "Documents délivrés"
            record.history.append(
                StatusChange(at=self.ledger.clock.now(), status=record.status, note=note)
            )
            self.ledger.row(record, changes)
            self.mailbox.documents_issued(record, kinds, changes)
            return record.online()

    def register_direct(
        self,
        *,
        agreement: str | None = None,
        application: Application | None = None,
        status: RequestStatus = RequestStatus.UNDER_REVIEW,
    ) -> OnlineRequest:
        """A request the student registered directly on ANTS: long number, unlinked."""
        ledger = self.ledger
        with ledger.mutation() as changes:
            agency = self.agencies.by_agreement[agreement or DEFAULT_AGENCY.agreement]
            now = ledger.clock.now()
            if application is None:
                data = make_application(ledger.rng, ledger.next_serial(), today=now.date())
                cerfa = Cerfa.C02
            else:
                data = dict(to_data(application))
                cerfa = application.cerfa
            record = RequestRecord(
                number=ledger.direct_number(),
                agreement=agency.agreement,
                cerfa=cerfa,
                status=status,
                created=now,
                modified=now,
                application=data,
                neph=data.get("neph"),
                validated_at=now if status is not RequestStatus.DRAFT else None,
            )
            record.application["student_id"] = None
            ledger.add(record)
            ledger.row(record, changes)
            return record.online()

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward; the student's expired windows close at once."""
        with self.ledger.mutation() as changes:
            self.ledger.clock.advance(delta)
            self.ledger.sweep(changes)
            self.mailbox.remind(changes)
            changes.put("meta", "state", self.ledger.meta())
