"""Le dépôt des demandes: a request filed, validated, deleted, transferred, completed,
linked to a student, and found again.

The data is judged by :func:`antsclient.validate`, the places by the geo referential
(:mod:`antsclient.sandbox.referential`), the agency's prefecture by
:func:`~antsclient.models.credentials.prefecture_problem`, each action by the lifecycle
(:func:`antsclient.lifecycle.check`). What only the server knows comes from the ledger: who
holds a number, the live requests using an email (divergence), the ePhoto codes in use.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

import attrs

from antsclient.codec import to_data
from antsclient.errors import (
    ActionNotAllowed,
    ApplicationDataError,
    DivergenceCase,
    DivergenceError,
    FieldProblem,
)
from antsclient.lifecycle import Action, check, ensure_allowed, next_status
from antsclient.models.application import Application, Cerfa02
from antsclient.models.credentials import prefecture_problem
from antsclient.models.enums import Cerfa, RequestStatus
from antsclient.models.request import OnlineRequest
from antsclient.sandbox import referential, search
from antsclient.sandbox.files import slots_of
from antsclient.sandbox.idempotency import IdempotencyKeys
from antsclient.sandbox.ledger import Ledger
from antsclient.sandbox.mailbox import Mailbox
from antsclient.sandbox.records import Agency, IdempotencyEntry, RequestRecord, person_of
from antsclient.sandbox.search import SearchFilters
from antsclient.validation import validate

__all__ = ["Filing"]

_NOT_LIVE: Final = frozenset({RequestStatus.REJECTED, RequestStatus.TRANSFERRED})


class Filing:
    """The agencies' requests: filed, moved through the lifecycle, searched and counted."""

    def __init__(
        self, ledger: Ledger, keys: IdempotencyKeys, *, mailbox: Mailbox | None = None
    ) -> None:
        self.ledger = ledger
        self.keys = keys
        self.mailbox = mailbox or Mailbox(ledger)

    def create(
        self,
        agency: Agency,
        application: Application,
        *,
        confirmed_fields: Collection[str] = (),
        idempotency_key: str | None = None,
        fingerprint: str = "",
    ) -> tuple[OnlineRequest, bool]:
        """File a request as a draft; ``(request, replayed)``.

        Every data problem comes back at once (422). Then divergence (the email of another
        live request), then the ePhoto code (once only).
        """
        problems = self._data_problems(agency, application, confirmed_fields)
        ledger = self.ledger
        with ledger.mutation() as changes:
            replay = self.keys.replay(agency, "create", idempotency_key, fingerprint)
            if replay is not None:
                return ledger.record(agency, replay.number).online(), True
            if problems:
                raise ApplicationDataError(problems=problems)
            cerfa = application.cerfa
            self._check_divergence(application, cerfa)
            code = ledger.free_ephoto_code(application.ephoto_code, number=None)
            now = ledger.clock.now()
            record = RequestRecord(
                number=ledger.new_number(),
                agreement=agency.agreement,
                cerfa=cerfa,
                status=RequestStatus.DRAFT,
                created=now,
                modified=now,
                application=dict(to_data(application)),
                neph=application.neph,
                student_id=application.student_id,
                paper_mandate=isinstance(application, Cerfa02) and application.paper_mandate,
            )
            if code:
                record.ephoto[cerfa.value] = code
            ledger.add(record)
            ledger.row(record, changes)
            entry = IdempotencyEntry(fingerprint=fingerprint, number=record.number)
            self.keys.remember(agency, "create", idempotency_key, entry, changes)
            return record.online(), False

    def _data_problems(
        self, agency: Agency, application: Application, confirmed: Collection[str]
    ) -> list[FieldProblem]:
        today = self.ledger.clock.now().date()
        problems = [p for p in validate(application, on=today) if p.is_error]
        problems += referential.check_places(application, confirmed)
        prefecture = prefecture_problem(agency.prefecture, field="prefecture")
        if prefecture is not None:
            problems.append(prefecture)
        return problems

    def _check_divergence(self, application: Application, cerfa: Cerfa) -> None:
        """Divergence de données, the manual's three cases, against every live request of
        the same form: the email used by another person (shared in a family), by this very
        person (already registered: link it), or this person under another email (the data
        differs from what ANTS holds)."""
        email = application.applicant.email
        person = person_of(to_data(application.applicant))
        for other in self.ledger.using_email(email):
            if other.cerfa is cerfa and other.status not in _NOT_LIVE:
                same = person is not None and other.person == person
                case = DivergenceCase.ALREADY_REGISTERED if same else DivergenceCase.SHARED_EMAIL
                raise DivergenceError(
                    f"a request ({other.number}) already uses the email {email!r}"
                    + (" for the same person" if same else " for another person"),
                    existing_number=other.number,
                    case=case,
                )
        for other in self.ledger.of_person(person):
            if other.cerfa is cerfa and other.status not in _NOT_LIVE:
                raise DivergenceError(
                    f"a request ({other.number}) of the same person (name, birth date and "
                    "place) is on ANTS under another email",
                    existing_number=other.number,
                    case=DivergenceCase.DIFFERENT_DATA,
                    field="applicant",
                )

    def get(self, agency: Agency, number: str) -> OnlineRequest:
        """One of the agency's requests (another agency's is not found)."""
        with self.ledger.read():
            return self.ledger.record(agency, number).online()

    def application_of(self, agency: Agency, number: str) -> tuple[Cerfa, dict[str, Any]]:
        """The cerfa and application data ANTS holds for the request."""
        with self.ledger.read():
            record = self.ledger.record(agency, number)
            return record.cerfa, record.application

    def validate(self, agency: Agency, number: str) -> OnlineRequest:
        """Valider la demande: a draft with every required document goes to the student."""
        with self.ledger.mutation() as changes:
            record = self.ledger.record(agency, number)
            slots = slots_of(record, self.ledger.clock.now().date())
            check(Action.VALIDATE, record.status, slots=slots)
            status = next_status(
                Action.VALIDATE,
                record.status,
                cerfa=record.cerfa,
                paper_mandate=record.paper_mandate,
            )
            self.ledger.set_status(record, status)
            record.validated_at = record.modified
            self.ledger.row(record, changes)
            self.mailbox.filed(record, changes)
            return record.online()

    def delete(self, agency: Agency, number: str) -> None:
        """Supprimer la demande (BROUILLON or EN COURS DE VALIDATION PAR L'ÉLÈVE)."""
        with self.ledger.mutation() as changes:
            record = self.ledger.record(agency, number)
            ensure_allowed(Action.DELETE, record.status)
            self.ledger.remove(record, changes)

    def transfer(self, agency: Agency, number: str) -> OnlineRequest:
        """Take over another agency's filed request; its copy there shows « transféré »."""
        with self.ledger.mutation() as changes:
            record = self.ledger.live_record(number)
            if record.agreement == agency.agreement:
                raise ActionNotAllowed(
                    f"request {number} already belongs to the agency",
                    action=Action.TRANSFER.value,
                    status=record.status.value,
                    rule="only another agency's request can be transferred",
                    message_fr="Cette demande est déjà rattachée à votre agence.",
                )
            ensure_allowed(Action.TRANSFER, record.status)
            taken = attrs.evolve(
                record,
                agreement=agency.agreement,
                transferred=True,
                modified=self.ledger.clock.now(),
                student_id=None,  # the former school's student is not the new school's
                files=list(record.files),
                ephoto=dict(record.ephoto),
                history=list(record.history),
            )
            record.copy = True
            record.transferred = True
            self.ledger.set_status(record, RequestStatus.TRANSFERRED)
            self.ledger.add(taken)
            self.ledger.row(record, changes)
            self.ledger.row(taken, changes)
            return taken.online()

    def send_complement(self, agency: Agency, number: str) -> OnlineRequest:
        """Transmettre le complément: À COMPLÉTER → under review again."""
        with self.ledger.mutation() as changes:
            record = self.ledger.record(agency, number)
            self.ledger.set_status(record, next_status(Action.SEND_COMPLEMENT, record.status))
            self.ledger.row(record, changes)
            return record.online()

    def link(self, agency: Agency, number: str, student_id: str) -> OnlineRequest:
        """Relier la demande à un élève."""
        with self.ledger.mutation() as changes:
            record = self.ledger.record(agency, number)
            ensure_allowed(Action.LINK, record.status)
            record.student_id = student_id
            record.modified = self.ledger.clock.now()
            self.ledger.row(record, changes)
            return record.online()

    def search(self, agency: Agency, filters: SearchFilters) -> dict[str, Any]:
        """A page of the agency's requests, ordered by (modified, number)."""
        with self.ledger.read():
            return search.page(self.ledger.ordered(agency.agreement), filters)

    def counts(self, agency: Agency) -> dict[str, dict[str, int]]:
        """How many requests each bucket holds: per cerfa and in all."""
        with self.ledger.read():
            return search.count(self.ledger.held(agency.agreement).values())

    def requests(self, agreement: str | None = None) -> list[OnlineRequest]:
        """Every request the server holds (one agency's, or all), by agency then number."""
        with self.ledger.read():
            agreements = [agreement] if agreement is not None else self.ledger.agreements()
            return [
                record.online()
                for a in agreements
                for _, record in sorted(self.ledger.held(a).items())
            ]
