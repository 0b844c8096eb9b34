"""Le jeu d'essai: requests added in bulk, and the sample every sandbox starts with.

The sample is the manual's agency with a request in each notable status and one made
directly on ANTS, plus a second agency to show isolation and transfers. Everything is drawn
from the ledger's seeded generator, so the same seed gives the same data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final

import attrs

from antsclient.models.enums import Cerfa, RequestStatus
from antsclient.sandbox.agencies import DEFAULT_AGENCY, SECOND_AGENCY, Agencies
from antsclient.sandbox.ledger import Ledger
from antsclient.sandbox.other_side import OtherSide
from antsclient.sandbox.records import RequestRecord
from antsclient.sandbox.seed import make_application

__all__ = ["Seeding"]

_CYCLE: Final = (
    RequestStatus.DRAFT,
    RequestStatus.UNDER_REVIEW,
    RequestStatus.IN_PROGRESS,
    RequestStatus.READY_FOR_CERFA06,
    RequestStatus.TO_COMPLETE,
    RequestStatus.REJECTED,
)
_TEMPLATES: Final = 61
"""Sample applications are drawn from this many templates, each student with their email."""


class Seeding:
    """Adds sample requests to the agencies, fast enough for tens of thousands."""

    def __init__(self, ledger: Ledger, agencies: Agencies, other_side: OtherSide) -> None:
        self.ledger = ledger
        self.agencies = agencies
        self.other_side = other_side
        self._templates: dict[int, dict[str, Any]] = {}

    def seed_requests(
        self,
        count: int,
        *,
        agreement: str | None = None,
        statuses: Iterable[RequestStatus] | None = None,
    ) -> list[str]:
        """Add ``count`` requests to an agency, in a cycle of statuses; their numbers."""
        cycle = list(statuses or _CYCLE)
        with self.ledger.mutation() as changes:
            agency = self.agencies.by_agreement[agreement or DEFAULT_AGENCY.agreement]
            now = self.ledger.clock.now()
            numbers: list[str] = []
            for i in range(count):
                record = self._record(agency.agreement, cycle[i % len(cycle)], now)
                self.ledger.add(record)
                self.ledger.row(record, changes)
                numbers.append(record.number)
            return numbers

    def _record(self, agreement: str, status: RequestStatus, now: dt.datetime) -> RequestRecord:
        """A sample request of the agency in ``status``, made within the past year."""
        rng = self.ledger.rng
        created = now - dt.timedelta(minutes=rng.randrange(60 * 24 * 365))
        serial = self.ledger.next_serial()
        neph = self.ledger.neph() if status is RequestStatus.READY_FOR_CERFA06 else None
        record = RequestRecord(
            number=self.ledger.new_number(),
            agreement=agreement,
            cerfa=Cerfa.C02,
            status=status,
            created=created,
            modified=min(created + dt.timedelta(minutes=rng.randrange(60 * 24)), now),
            application=self._application(serial, now.date()),
            neph=neph,
            student_id=f"S{serial:06d}",
        )
        if status is RequestStatus.AWAITING_APPLICANT_VALIDATION:
            record.validated_at = record.modified = now
        return record

    def _application(self, serial: int, today: dt.date) -> dict[str, Any]:
        """Sample data, fast: a few templates, each student with their own email."""
        slot = serial % _TEMPLATES
        template = self._templates.get(slot)
        if template is None:
            template = make_application(self.ledger.rng, slot, today=today)
            self._templates[slot] = template
        applicant = dict(template["applicant"])
        local = str(applicant["email"]).partition("@")[0].rsplit(".", 1)[0]
        applicant["email"] = f"{local}.{serial}@seed.example.fr"
        return {**template, "applicant": applicant}

    def sample(self) -> None:
        """The two agencies and the requests every sandbox starts with."""
        self.agencies.add(attrs.evolve(DEFAULT_AGENCY))
        self.agencies.add(attrs.evolve(SECOND_AGENCY))
        main = DEFAULT_AGENCY.agreement
        self.seed_requests(1, agreement=main, statuses=[RequestStatus.DRAFT])
        self.seed_requests(
            1, agreement=main, statuses=[RequestStatus.AWAITING_APPLICANT_VALIDATION]
        )
        self.seed_requests(
            4,
            agreement=main,
            statuses=[
                RequestStatus.UNDER_REVIEW,
                RequestStatus.TO_COMPLETE,
                RequestStatus.READY_FOR_CERFA06,
                RequestStatus.REJECTED,
            ],
        )
        self.other_side.register_direct(agreement=main)
        self.seed_requests(
            2,
            agreement=SECOND_AGENCY.agreement,
            statuses=[RequestStatus.DRAFT, RequestStatus.IN_PROGRESS],
        )
