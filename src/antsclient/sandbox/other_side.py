"""L'autre côté: what the student, the prefecture and time do to the requests.

In the real flow these happen on ANTS, out of the agency's hands: the student confirms within
7 days (la validation par l'élève), the prefecture takes a request up and decides on it, a
student registers directly on ANTS. The tests play them here, and move the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from antsclient.codec import to_data
from antsclient.lifecycle import Action, next_status
from antsclient.models.application import Application
from antsclient.models.enums import Cerfa, PrefectureDecision, RequestStatus
from antsclient.models.request import OnlineRequest
from antsclient.sandbox.agencies import DEFAULT_AGENCY, Agencies
from antsclient.sandbox.ledger import Ledger
from antsclient.sandbox.records import RequestRecord
from antsclient.sandbox.seed import make_application

__all__ = ["OtherSide"]

_DECISIONS = {
    PrefectureDecision.ACCEPT: Action.PREFECTURE_ACCEPTS,
    PrefectureDecision.REJECT: Action.PREFECTURE_REJECTS,
    PrefectureDecision.ASK_COMPLETION: Action.PREFECTURE_ASKS_COMPLETION,
}


class OtherSide:
    """The student, the prefecture and the clock, acting on any agency's requests."""

    def __init__(self, ledger: Ledger, agencies: Agencies) -> None:
        self.ledger = ledger
        self.agencies = agencies

    def _act(self, number: str, change: Callable[[RequestRecord], None]) -> OnlineRequest:
        with self.ledger.mutation() as changes:
            record = self.ledger.live_record(number)
            change(record)
            self.ledger.row(record, changes)
            return record.online()

    def _move(self, number: str, action: Action) -> OnlineRequest:
        def change(record: RequestRecord) -> None:
            status = next_status(action, record.status, paper_mandate=record.paper_mandate)
            self.ledger.set_status(record, status)

        return self._act(number, change)

    def applicant_validates(self, number: str) -> OnlineRequest:
        """The student confirms within 7 days (after that, the request is a draft again).

        Never under a paper mandate: the student has nothing to confirm there."""
        return self._move(number, Action.APPLICANT_VALIDATES)

    def prefecture_takes_up(self, number: str) -> OnlineRequest:
        """The prefecture takes up a request whose documents were checked."""
        return self._move(number, Action.PREFECTURE_TAKES_UP)

    def prefecture_decides(self, number: str, decision: PrefectureDecision | str) -> OnlineRequest:
        """Accept, reject or ask to complete; an accepted request goes where its type says
        (an inscription to « à traiter en Cerfa 06 », with its NEPH)."""
        decision = PrefectureDecision(decision)
        action = _DECISIONS[decision]

        def change(record: RequestRecord) -> None:
            status = next_status(
                action, record.status, cerfa=record.cerfa, request_type=record.request_type
            )
            self.ledger.set_status(record, status)
            if decision is PrefectureDecision.ACCEPT and record.neph is None:
                record.neph = self.ledger.neph()

        return self._act(number, change)

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
            changes.put("meta", "state", self.ledger.meta())
